"""Local inputs: files, directory trees laid out as CloudTrail delivers to S3, and stdin."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .kinds import NotRead, NotReadKind

if TYPE_CHECKING:
    from .scope import Scope

DIGEST = re.compile(r"(^|/)CloudTrail-Digest(/|$)|_CloudTrail-Digest_", re.IGNORECASE)


class FileRef(NamedTuple):
    """One input to read: a local path, ``-`` for stdin, or an ``s3://bucket/key`` object
    (``size`` 0: not known). A named tuple: built twice per file on a replay's hot path, at
    half the cost of a frozen dataclass."""

    name: str
    size: int = 0

    def read(self, limit: int | None = None) -> bytes:
        """The whole content. With a ``limit``, a local file or S3 object of more bytes, and
        standard input (its size is not known), raise ``_TooLarge``: the caller streams them."""
        if self.name == "-":
            if limit is not None:
                raise _TooLarge(0)
            return sys.stdin.buffer.read()
        if self.name.startswith("s3://"):
            if limit is not None and self.size > limit:
                raise _TooLarge(self.size)
            from .s3 import read_object

            return read_object(self.name)
        return read_path(self.name, self.size, limit)

    @property
    def is_stream(self) -> bool:
        """Standard input or an S3 object: read once, front to back."""
        return self.name == "-" or self.name.startswith("s3://")


# O_NONBLOCK: a FIFO put where a log file was found opens without waiting for a writer.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_FIRST_READ = 1 << 16  # without a size: enough for most CloudTrail files, and below malloc's mmap threshold


class _TooLarge(Exception):
    """A file above the size limit given to ``read_path``: the caller reads it in pieces."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_path(path: str, size_hint: int = 0, limit: int | None = None) -> bytes:
    """A local file's bytes with the fewest system calls: CloudTrail files are small and many,
    and a Python file object costs more to set up than reading 15 KB (3x, measured). Reads
    until end of file whatever the hint says (the file may have grown). Raises ``_TooLarge``,
    having read at most 64 KB, for a file of more than ``limit`` bytes."""
    if limit is not None and size_hint > limit:
        raise _TooLarge(size_hint)
    fd = os.open(path, _READ_FLAGS)
    try:
        want = size_hint + 1 if size_hint > 0 else _FIRST_READ
        chunks = [os.read(fd, want)]
        if len(chunks[0]) == want:  # more to come: read the rest in one call
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a device such as /dev/zero never ends
                raise OSError(f"{special_kind(info.st_mode)}, not a regular file")
            size = info.st_size
            if limit is not None and size > limit:
                raise _TooLarge(size)
            want = max(size - want + 1, _FIRST_READ)
        while chunk := os.read(fd, want):
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def special_kind(mode: int) -> str:
    """What a file that is not a regular file is, for the reason it is skipped."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):  # fmt: skip
        if test(mode):
            return name
    return "a special file"


def not_regular(path: str, entry: os.DirEntry[str] | None = None) -> NotRead | None:
    """``NotRead`` for a path that is not a regular file (after links): a FIFO would block the
    reader, a device such as ``/dev/zero`` never end. ``None`` for a regular file, and for one
    that cannot be looked at (reading it says why)."""
    try:
        if entry is not None and entry.is_file():  # no system call for a plain file in a tree
            return None
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return NotRead(path, f"not a regular file ({special_kind(mode)})", NotReadKind.SPECIAL)


def is_digest(name: str) -> bool:
    return DIGEST.search(name.replace(os.sep, "/")) is not None


_LOG_SUFFIXES = (".json", ".jsonl", ".ndjson", ".log", ".txt", ".cloudtrail", ".gz")  # each also + ".gz"
_NAME = attrgetter("name")
DIGEST_FILE = "CloudTrail digest file"
NOT_A_LOG_NAME = "not a log file name (.json, .json.gz, .jsonl, .log, .gz ...)"
REPEATED = "the same file reached again (overlapping inputs or a link): read once"
PRUNED = "outside the time, account or region range"


class Seen(Protocol):
    """Which files were met already, by device and inode (``discover.FilesSeen``)."""

    def first(self, device: int, inode: int) -> bool: ...


def is_log_name(name: str) -> bool:
    """Whether replay reads a file of this name when it walks a tree or lists a prefix."""
    return name.lower().endswith(_LOG_SUFFIXES)


def walk(
    root: str, sizes: bool = True, scope: Scope | None = None, seen: Seen | None = None
) -> Iterator[FileRef | NotRead]:
    """Every file under ``root`` in sorted order: a ``FileRef`` to read, or ``NotRead`` for
    one skipped (a digest, another name) or a directory that cannot be listed. Symbolic links to
    directories are listed as skipped, not followed (they may loop). One ``scandir`` per
    directory, and one ``stat`` per file for its size unless ``sizes`` is False (size 0): on a
    tree of thousands of small files the ``stat`` calls are a visible share of a replay.
    ``scope``: folders and files outside it are ``NotRead`` as pruned, not entered or read.
    ``seen``: a file met before (by device and inode: a link, an overlapping input) is
    ``NotRead`` as repeated."""
    # Depth first with an explicit stack: a recursive generator would pass every file up
    # through one generator per level (eight in a CloudTrail tree).
    stack: list[tuple[str, str | None, bool]] = [(root, "", is_digest(""))]  # prefix None: a link; PRUNED: out of scope
    while stack:
        folder, prefix, digest_folder = stack.pop()
        if prefix is None:
            yield NotRead(folder, "symbolic link to a directory, not followed", NotReadKind.LINK)
            continue
        if prefix is PRUNED:
            yield NotRead(folder, PRUNED, NotReadKind.PRUNED_FOLDER)
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=_NAME)
        except OSError as exc:
            yield NotRead(folder, f"cannot list directory: {exc.strerror or exc}", NotReadKind.UNLISTABLE)
            continue
        folders = []
        device = _device(folder) if seen is not None else 0
        for entry in entries:
            try:
                if entry.is_dir():
                    folders.append(entry)
                    continue
            except OSError:
                pass
            name = entry.name
            if digest_folder or ("cloudtrail-digest" in name.lower() and is_digest(prefix + name)):
                yield NotRead(entry.path, DIGEST_FILE, NotReadKind.DIGEST)
            elif not is_log_name(name):
                yield NotRead(entry.path, NOT_A_LOG_NAME, NotReadKind.NOT_A_LOG)
            elif scope is not None and not scope.keeps_file(entry.path):
                yield NotRead(entry.path, PRUNED, NotReadKind.PRUNED)
            elif (special := not_regular(entry.path, entry)) is not None:
                yield special
            elif seen is not None and not _first_time(entry, device, seen):
                yield NotRead(entry.path, REPEATED, NotReadKind.REPEATED)
            elif not sizes:
                yield FileRef(entry.path)
            else:
                try:
                    size = entry.stat().st_size
                except OSError:
                    size = 0  # reading it will say why
                yield FileRef(entry.path, size)
        _push_folders(stack, folders, prefix, digest_folder, scope)


def _push_folders(
    stack: list[tuple[str, str | None, bool]], folders: list[os.DirEntry[str]], prefix: str, digest_folder: bool,
    scope: Scope | None,
) -> None:  # fmt: skip
    """A folder's subfolders onto ``walk``'s stack, to be popped in sorted order after its files."""
    for entry in reversed(folders):
        if entry.is_symlink():
            stack.append((entry.path, None, False))
            continue
        if scope is not None and not scope.keeps_folder(entry.path):
            stack.append((entry.path, PRUNED, False))
            continue
        inner = prefix + entry.name + "/"
        stack.append((entry.path, inner, digest_folder or is_digest(inner)))


def _device(folder: str) -> int:
    try:
        return os.stat(folder).st_dev
    except OSError:
        return 0


def _first_time(entry: os.DirEntry[str], device: int, seen: Seen) -> bool:
    """Whether ``seen`` meets this file for the first time (a link: by what it points to)."""
    try:
        if entry.is_symlink():
            st = entry.stat()
            return seen.first(st.st_dev, st.st_ino)
        return seen.first(device, entry.inode())
    except OSError:
        return True  # reading it will say what is wrong
