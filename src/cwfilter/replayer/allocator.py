"""Keep freed memory for the next file, in processes replay owns (the command's, its workers).

Each file's inflated text is a new allocation of megabytes (a busy account's file: ~3 MB),
above glibc's threshold for mapping memory afresh: it is mapped, touched page by page and
unmapped again, file after file. Measured in a new process on 1 GB of busy files
(``cwfilter replay --jobs 1``, medians of 4): 1.51 s, 0.41 s of it in the kernel and 204,580
page faults; with the mapping threshold at 32 MB (glibc's maximum) and the trim threshold at
128 MB, 1.08 s, 0.04 s and 4,472, at the same peak RSS (24 MB). Either threshold alone does not
do it. A library caller's process is left as it is (the library does not change a process's
allocator behind its back): ``MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=134217728``
in the environment do the same.
"""

from __future__ import annotations

import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20
_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def keep_freed_memory() -> bool:
    """Raise glibc's mapping and trim thresholds in this process (unless its environment
    already sets either); True when glibc took both."""
    if not sys.platform.startswith("linux") or any(name in os.environ for name in _ENVIRONMENT):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has a mallopt that does nothing)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
