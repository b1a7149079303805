"""The watch loop: inputs read by threads into one bounded queue, events counted as they come,
the alarm evaluated as the clock passes each minute, what happens delivered at once, and the
state saved each minute. It ends when every input has ended and the alarm has settled (or at
``until``), or when asked to stop (SIGINT, SIGTERM): after the current minute is flushed."""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ..alarm import Notification
from ..sources import Item, Problem
from .clock import Clock
from .deliver import Delivery
from .engine import Change, Watch
from .follow import QUEUE_BATCHES, Batch
from .lines import LineEvents
from .state import save, snapshot

Source = Callable[["queue.Queue[Batch]", threading.Event], None]
SHOWN_PROBLEMS = 20  # problems printed as they happen; the rest are counted
CATCH_UP_SECONDS = 30.0  # the longest the first evaluations wait for the inputs to read their backlog
SAVE_EVERY = 1.0  # seconds of wall time between two saves of the state (besides each transition)
WAIT = 0.5  # seconds the loop waits for input at most (to see a stop request, a due minute)


class Runner:
    """Runs ``sources`` through ``watch`` on ``clock`` (``None``: the replay clock)."""

    def __init__(
        self,
        watch: Watch,
        lines: LineEvents,
        delivery: Delivery,
        sources: dict[str, Source],
        clock: Clock | None,
        *,
        state_path: str | None = None,
        positions: dict[str, Any] | None = None,
        err: Any = None,
    ) -> None:
        self.watch, self.lines, self.delivery, self.sources, self.clock = watch, lines, delivery, sources, clock
        self.state_path = state_path
        self.positions: dict[str, Any] = positions or {}
        self.err = err or sys.stderr
        self.stopping = False
        self.catching_up: set[str] = set()
        self._catch_up_until = 0.0
        self.stop_event = threading.Event()
        self.failed = 0
        self._shown = 0
        self._saved_minute: int | None = watch.last_evaluated
        self._saved_at = 0.0

    def stop(self) -> None:
        """Stop after the current minute is flushed (a signal handler may call it)."""
        self.stopping = True

    def run(self, pending: list[Notification] | None = None) -> None:
        if pending:  # decided before the last stop, perhaps not delivered
            for note in pending:
                self.delivery.notify(note)
            self._save([])
        inbox: queue.Queue[Batch] = queue.Queue(maxsize=QUEUE_BATCHES)
        open_sources = set(self.sources)
        # Minutes already due (a restart, an alarm created in the past) are evaluated once the
        # inputs have read what they hold: data that was there in time is not "late".
        self.catching_up = {name for name in self.sources if name != "-"}
        self._catch_up_until = time.monotonic() + CATCH_UP_SECONDS
        for name, source in self.sources.items():
            threading.Thread(target=source, args=(inbox, self.stop_event), name=f"watch {name}", daemon=True).start()
        try:
            while not self._step(inbox, open_sources):
                pass
        finally:
            self.stop_event.set()
            self._flush(force_save=True)

    def _step(self, inbox: queue.Queue[Batch], open_sources: set[str]) -> bool:
        """One turn of the loop; ``True`` when the watch is over."""
        watch, clock = self.watch, self.clock
        due_in = WAIT if clock is None or self.catching_up else (watch.due - clock.now()) / 1000
        wait = min(WAIT, max(0.0, due_in))
        try:
            batch: Batch | None = inbox.get(timeout=wait)
        except queue.Empty:
            batch = None
        while batch is not None:
            self._take(batch, open_sources)
            try:  # whatever else is already waiting, before the clock is looked at
                batch = inbox.get_nowait() if clock is not None else None
            except queue.Empty:
                batch = None
        if self.catching_up and time.monotonic() >= self._catch_up_until:
            print(f"cwfilter: still reading {', '.join(sorted(self.catching_up))}: evaluating", file=self.err)
            self.catching_up.clear()
        if clock is not None and not self.catching_up:
            watch.advance(clock.now())
        self._flush()
        if self.stopping:
            return True
        if watch.until is not None and watch.next_t is not None and watch.next_t > watch.until:
            return True
        if open_sources:
            return False
        end = watch.until if watch.until is not None else watch.settled()
        if clock is None:  # the replay clock: the inputs have ended, so time runs to the end
            if end is not None:
                watch.advance(end + watch.delay)
            self._flush()
            return True
        return end is None or clock.now() >= end + watch.delay

    def _take(self, batch: Batch, open_sources: set[str]) -> None:
        if batch.note:
            print(f"cwfilter: {batch.note}", file=self.err)
        if batch.failed:
            self.failed += 1
        if batch.lines:
            arrival = batch.arrival if self.clock is not None else None
            if batch.items:
                for item in batch.lines:
                    self._item(batch.source, item)
            else:
                self.lines.lines(batch.source, batch.lines, arrival)
        if batch.position is not None:
            self.positions[batch.source] = (
                batch.position.as_list() if hasattr(batch.position, "as_list") else batch.position
            )
        if batch.ended:
            open_sources.discard(batch.source)
        if batch.ended or batch.caught_up:
            self.catching_up.discard(batch.source)
        self._problems()

    def _item(self, source: str, item: Any) -> None:
        if isinstance(item, tuple):  # (ms, message) of a CloudWatch Logs event
            ms, message = item
            self.watch.add(ms, self.watch.mf.observe(message))
        elif isinstance(item, Item):
            self.lines.item(source, item)
        elif isinstance(item, Problem):  # a record rejected, or an object that could not be read (in full)
            if item.index is not None:
                self.watch.counts.reject(f"{source}#{item.index}", item.reason)
            else:
                print(f"cwfilter: {item.source}: {item.reason}", file=self.err)
                self.failed += item.fatal

    def _problems(self) -> None:
        counts = self.watch.counts
        new = min(counts.rejected - self._shown, len(counts.problems))
        if new <= 0 or self._shown >= SHOWN_PROBLEMS:
            self._shown = counts.rejected
            return
        for p in list(counts.problems)[-new:][: SHOWN_PROBLEMS - self._shown]:
            print(f"cwfilter: rejected: {p['source']}: {p['reason']}", file=self.err)
        if counts.rejected >= SHOWN_PROBLEMS > self._shown:
            print("cwfilter: further rejected records are counted, not shown", file=self.err)
        self._shown = counts.rejected

    def _flush(self, force_save: bool = False) -> None:
        events = self.watch.take()
        notes = [n for e in events if isinstance(e, Change) for n in e.notifications]
        if notes:
            self._save(notes)  # before delivery: a crash now delivers them on restart
        self.delivery.emit(events)
        minute_done = self.watch.last_evaluated != self._saved_minute
        if notes or force_save or (minute_done and time.monotonic() - self._saved_at >= SAVE_EVERY):
            self._save([])

    def _save(self, pending: list[Notification]) -> None:
        if self.state_path is None:
            return
        save(self.state_path, snapshot(self.watch, self.positions, pending))
        self._saved_minute = self.watch.last_evaluated
        self._saved_at = time.monotonic()
