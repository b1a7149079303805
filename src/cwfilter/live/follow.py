"""Standard input and files followed as ``tail -F`` follows them, read by threads into a
bounded queue of ``Batch``es of whole lines (so a fast writer cannot make memory grow).

A followed file is read by name: when the name comes to point at another file (rotation),
the old one is read to its end and the new one from its start; when the file shrinks
(truncation), reading starts again at its start; a file that is missing is waited for."""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

READ_BYTES = 1 << 20
QUEUE_BATCHES = 16  # at most this many batches (of at most READ_BYTES each) wait to be counted
POLL_SECONDS = 0.25


@dataclass
class Position:
    """Where a followed file was read to: the file (device, inode) and the offset after the
    last whole line counted."""

    dev: int
    ino: int
    offset: int

    def as_list(self) -> list[int]:
        return [self.dev, self.ino, self.offset]


@dataclass
class Batch:
    """Whole lines (without their ``\\n``) read from ``source`` at wall time ``arrival`` (ms)."""

    source: str
    lines: list[Any]
    arrival: int
    position: Any = None  # a Position for files; what a reader resumes from for other sources
    ended: bool = False  # the source has ended: standard input closed, a file read to its end
    note: str | None = None  # something to tell the user (rotation, truncation, an error)
    failed: bool = False  # the source could not be read
    caught_up: bool = False  # the source has read what it held when the watch started
    items: bool = False  # ``lines`` holds replay's items (S3 objects) or (ms, message) events (log groups)


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class _Lines:
    """Bytes → whole lines, keeping the unfinished last line for the next read."""

    def __init__(self) -> None:
        self.rest = b""

    def feed(self, chunk: bytes) -> tuple[list[bytes], int]:
        """The whole lines now complete, and the bytes they took (with their ``\\n``)."""
        data = self.rest + chunk if self.rest else chunk
        end = data.rfind(b"\n")
        if end < 0:
            self.rest = data
            return [], 0
        self.rest = data[end + 1 :]
        return data[:end].split(b"\n"), end + 1

    def flush(self) -> list[bytes]:
        """The unfinished last line, as a line (the input ended without a newline)."""
        rest, self.rest = self.rest, b""
        return [rest] if rest else []


def read_stdin(out: queue.Queue[Batch], stop: threading.Event, stream: Any = None) -> None:
    """Standard input, in whole lines, until it ends."""
    fd = (stream or sys.stdin.buffer).fileno()
    lines = _Lines()
    while not stop.is_set():
        chunk = os.read(fd, READ_BYTES)
        if not chunk:
            break
        whole, _ = lines.feed(chunk)
        if whole:
            out.put(Batch("-", whole, wall_ms()))
    out.put(Batch("-", lines.flush(), wall_ms(), ended=True))


class FileFollower:
    """One file followed by name (``tail -F``), or read once to its end (``follow=False``).
    ``start``: a saved ``Position`` to resume from (if it is still the same file), else
    ``from_start`` says whether the first file is read from its start or only new lines."""

    def __init__(self, path: str, *, follow: bool, from_start: bool, start: Position | None = None) -> None:
        self.path, self.follow, self.from_start, self.start = path, follow, from_start, start
        self.fd: int | None = None
        self.ident: tuple[int, int] = (0, 0)
        self.offset = 0
        self.lines = _Lines()
        self.first = True
        self.missing_said = False
        self.said_caught_up = False

    def run(self, out: queue.Queue[Batch], stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                if self.fd is None and not self._open(out):
                    if not self.follow:
                        return
                    self._caught_up(out)
                    stop.wait(POLL_SECONDS)
                    continue
                assert self.fd is not None
                chunk = os.read(self.fd, READ_BYTES)
                if chunk:
                    whole, used = self.lines.feed(chunk)
                    self.offset += used
                    if whole:
                        out.put(Batch(self.path, whole, wall_ms(), Position(*self.ident, self.offset)))
                    continue
                self._caught_up(out)
                if not self.follow:
                    out.put(Batch(self.path, self.lines.flush(), wall_ms(), Position(*self.ident, self.offset),
                                  ended=True))  # fmt: skip
                    return
                self._at_end(out, stop)
        finally:
            if self.fd is not None:
                os.close(self.fd)

    def _caught_up(self, out: queue.Queue[Batch]) -> None:
        if not self.said_caught_up:
            self.said_caught_up = True
            out.put(Batch(self.path, [], wall_ms(), caught_up=True))

    def _open(self, out: queue.Queue[Batch]) -> bool:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            if not self.follow:
                out.put(Batch(self.path, [], wall_ms(), note=f"cannot read {self.path}: {exc.strerror}", ended=True,
                              failed=True))  # fmt: skip
            elif not self.missing_said:
                out.put(
                    Batch(self.path, [], wall_ms(), note=f"cannot open {self.path}: {exc.strerror}; waiting for it")
                )
                self.missing_said = True
            return False
        st = os.fstat(fd)
        self.fd, self.ident, self.missing_said = fd, (st.st_dev, st.st_ino), False
        offset = 0
        if self.first:
            start = self.start
            if start is not None and (start.dev, start.ino) == self.ident and start.offset <= st.st_size:
                offset = start.offset
            elif start is not None:
                out.put(Batch(self.path, [], wall_ms(), note=f"{self.path} is not the file the state file saw "
                              "(rotated or replaced while stopped): read from its start"))  # fmt: skip
            elif not self.from_start:
                offset = st.st_size
        self.first = False
        os.lseek(fd, offset, os.SEEK_SET)
        self.offset = offset
        return True

    def _at_end(self, out: queue.Queue[Batch], stop: threading.Event) -> None:
        """At the end of the open file: follow a rotation or a truncation, else wait."""
        assert self.fd is not None
        try:
            st = os.stat(self.path)
            now = (st.st_dev, st.st_ino)
        except OSError:
            now = None
        if now != self.ident:  # renamed or removed: the old file is read to its end, then the new one
            last = self.lines.flush()
            note = f"{self.path}: " + ("rotated: following the new file" if now else "removed: waiting for it")
            out.put(Batch(self.path, last, wall_ms(), Position(*self.ident, self.offset), note=note))
            os.close(self.fd)
            self.fd = None
            return
        if st.st_size < self.offset:
            self.lines.rest = b""
            os.lseek(self.fd, 0, os.SEEK_SET)
            self.offset = 0
            out.put(Batch(self.path, [], wall_ms(), Position(*self.ident, 0), note=f"{self.path}: file truncated"))
            return
        stop.wait(POLL_SECONDS)
