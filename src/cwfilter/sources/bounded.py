"""The files a command names besides replay's logs — ``match``'s lines, ``test``'s messages and
request, ``explain``'s message from standard input — read within bounds:

- only a regular file or standard input: a FIFO would block until some writer comes, a device
  such as ``/dev/zero`` never ends (a pipe is given as ``-``, standard input);
- lines no longer than a CloudWatch Logs event may be (``MAX_EVENT_BYTES``), an overlong one
  skipped to its end in bounded memory and reported by its number;
- a whole file no larger than its kind may be (``read_limited``).

Errors are ``OSError``s whose text names the limit, never the content."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import CwfilterError
from .local import special_kind

# PutLogEvents: "Each log event can be no larger than 1 MB" (the API reference since 2025; 256 KB
# before): a longer line is no log event CloudWatch Logs could hold.
MAX_EVENT_BYTES = 1 << 20
# A TestMetricFilter request: at most 50 messages of at most MAX_EVENT_BYTES each, and the pattern.
MAX_REQUEST_BYTES = 51 * MAX_EVENT_BYTES
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


class TooLong(CwfilterError, OSError):
    """A file, or standard input, longer than its kind may be."""

    code = "E_TOO_LONG"


def open_regular(name: str) -> BinaryIO:
    """``name`` opened for reading in binary: a regular file (after links). Anything else is an
    ``OSError`` saying what it is, found without blocking (opened ``O_NONBLOCK``, then looked at)."""
    fd = os.open(name, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"not a regular file ({special_kind(mode)}): give a pipe as standard input (-)")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_limited(stream: BinaryIO, limit: int, what: str) -> bytes:
    """All of ``stream``, or ``TooLong`` once it holds more than ``limit`` bytes (having read
    ``limit + 1``): "more than 1,048,576 bytes, the most {what} may have"."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLong(f"more than {limit:,} bytes, the most {what} may have")
    return data


def bounded_lines(stream: BinaryIO, max_line: int = MAX_EVENT_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its end) of a binary stream; ``None`` for a line of more than
    ``max_line`` bytes, whose rest is read past in pieces of ``max_line`` (memory is bounded by
    ``max_line``, whatever the input: ``/dev/zero`` is one endless overlong line)."""
    number = 0
    while line := stream.readline(max_line + 1):
        number += 1
        if len(line) > max_line and not line.endswith(b"\n"):
            while (rest := stream.readline(max_line + 1)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def too_long_line(number: int, max_line: int = MAX_EVENT_BYTES) -> str:
    """The reason given for line ``number`` of more than ``max_line`` bytes."""
    return f"line {number}: more than {max_line:,} bytes, the most a CloudWatch Logs event may have (not read)"
