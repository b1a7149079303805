"""Which files to read: paths, directory trees, ``-`` and ``s3://`` prefixes → ``FileRef`` to
read, or ``NotRead`` with the reason and its kind."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from .kinds import NotRead, NotReadKind
from .local import DIGEST_FILE, NOT_A_LOG_NAME, FileRef, is_digest, is_log_name, walk


def discover(inputs: Sequence[str]) -> tuple[list[FileRef], list[NotRead]]:
    """The files to read for ``inputs`` (paths, directories, ``-``, ``s3://`` prefixes), and the
    inputs not read, with the reason (digests, non-log names, missing paths)."""
    files: list[FileRef] = []
    skipped: list[NotRead] = []
    for found in iter_discover(inputs):
        if isinstance(found, FileRef):
            files.append(found)
        else:
            skipped.append(found)
    return files, skipped


def iter_discover(inputs: Sequence[str], sizes: bool = True) -> Iterator[FileRef | NotRead]:
    """``discover`` as it walks: each file to read, or ``NotRead`` for one not read, in
    order, so reading can start before a large tree has been listed. ``sizes=False``: files
    found by walking a directory have size 0 (not looked up)."""
    for spec in inputs:
        if spec == "-":
            yield FileRef("-")
        elif spec.startswith("s3://"):
            yield from _s3_objects(spec)
        elif os.path.isdir(spec):
            yield from walk(spec, sizes)
        elif os.path.exists(spec):
            if is_digest(spec):
                yield NotRead(spec, DIGEST_FILE, NotReadKind.DIGEST)
            else:
                yield FileRef(spec, os.path.getsize(spec))
        else:
            yield NotRead(spec, "no such file or directory", NotReadKind.MISSING)


def _s3_objects(prefix: str) -> Iterator[FileRef | NotRead]:
    from .s3 import S3Error, list_objects

    try:
        for uri, size in list_objects(prefix):
            key = uri.split("/", 3)[3] if uri.count("/") >= 3 else uri
            if is_digest(key):
                yield NotRead(uri, DIGEST_FILE, NotReadKind.DIGEST)
            elif not is_log_name(key.rsplit("/", 1)[-1]):
                yield NotRead(uri, NOT_A_LOG_NAME, NotReadKind.NOT_A_LOG)
            else:
                yield FileRef(uri, size)
    except S3Error as exc:
        yield NotRead(prefix, str(exc), NotReadKind.UNLISTABLE)
