"""Which files to read: paths, directory trees, ``-`` and ``s3://`` prefixes → ``FileRef`` to
read, or ``NotRead`` with the reason and its kind."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from .kinds import NotRead, NotReadKind
from .local import DIGEST_FILE, NOT_A_LOG_NAME, PRUNED, REPEATED, FileRef, is_digest, is_log_name, not_regular, walk
from .scope import Scope


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


def iter_discover(inputs: Sequence[str], sizes: bool = True, scope: Scope | None = None) -> Iterator[FileRef | NotRead]:
    """``discover`` as it walks: each file to read, or ``NotRead`` for one not read, in
    order, so reading can start before a large tree has been listed. ``sizes=False``: files
    found by walking a directory have size 0 (not looked up). ``scope``: what lies outside it
    (by the layout and the file names) is ``NotRead`` as pruned. A file reached twice (inputs
    that overlap, a link to a file also walked) is read the first time only."""
    scope = None if scope is None or scope.everything else scope
    seen, objects = FilesSeen(), set[str]()
    for spec in inputs:
        if spec == "-":
            yield FileRef("-")
        elif spec.startswith("s3://"):
            yield from _s3_objects(spec, scope, objects if len(inputs) > 1 else None)
        elif os.path.isdir(spec):
            if scope is not None and not scope.keeps_folder(os.path.abspath(spec)):
                yield NotRead(spec, PRUNED, NotReadKind.PRUNED_FOLDER)
            else:
                yield from walk(spec, sizes, scope, seen)
        elif os.path.exists(spec):
            yield _one_file(spec, scope, seen)
        else:
            yield NotRead(spec, "no such file or directory", NotReadKind.MISSING)


class FilesSeen:
    """The local files met so far, by device and inode: one int each (about 60 bytes, so
    20,000 files hold about 1 MB)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def first(self, device: int, inode: int) -> bool:
        key = (device << 64) | inode
        if key in self.ids:
            return False
        self.ids.add(key)
        return True


def _one_file(spec: str, scope: Scope | None, seen: FilesSeen) -> FileRef | NotRead:
    if is_digest(spec):
        return NotRead(spec, DIGEST_FILE, NotReadKind.DIGEST)
    if scope is not None and not scope.keeps_file(os.path.abspath(spec)):
        return NotRead(spec, PRUNED, NotReadKind.PRUNED)
    special = not_regular(spec)
    if special is not None:
        return special
    try:
        st = os.stat(spec)
    except OSError:
        return FileRef(spec)  # reading it will say what is wrong
    if not seen.first(st.st_dev, st.st_ino):
        return NotRead(spec, REPEATED, NotReadKind.REPEATED)
    return FileRef(spec, st.st_size)


def _s3_objects(prefix: str, scope: Scope | None, objects: set[str] | None) -> Iterator[FileRef | NotRead]:
    """The objects under an S3 prefix; ``objects``: those met under earlier prefixes (when
    prefixes may overlap)."""
    from .s3 import S3Error, list_objects

    try:
        for uri, size in list_objects(prefix, scope):
            if size < 0:  # a prefix the scope left out
                yield NotRead(uri, PRUNED, NotReadKind.PRUNED_FOLDER)
                continue
            key = uri.split("/", 3)[3] if uri.count("/") >= 3 else uri
            if is_digest(key):
                yield NotRead(uri, DIGEST_FILE, NotReadKind.DIGEST)
            elif not is_log_name(key.rsplit("/", 1)[-1]):
                yield NotRead(uri, NOT_A_LOG_NAME, NotReadKind.NOT_A_LOG)
            elif scope is not None and not scope.keeps_file(key):
                yield NotRead(uri, PRUNED, NotReadKind.PRUNED)
            elif objects is not None and uri in objects:
                yield NotRead(uri, REPEATED, NotReadKind.REPEATED)
            else:
                if objects is not None:
                    objects.add(uri)
                yield FileRef(uri, size)
    except S3Error as exc:
        yield NotRead(prefix, str(exc), NotReadKind.UNLISTABLE)
