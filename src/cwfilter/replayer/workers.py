"""The worker processes of a replay: a process pool that survives a worker killed by the
system (the batch is run again, alone, once) and ends its processes at once when the replay
is interrupted, so that no worker is left running or prints a traceback."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .allocator import keep_freed_memory
from .counting import Partial
from .results import ReplayError
from .spec import ReplayOptions

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future, ProcessPoolExecutor

    from ..metric import MetricFilter

Batch = list[tuple[str, int]]


def broken_pool(exc: BaseException) -> bool:
    """Whether ``exc`` says a worker process died (``BrokenProcessPool``). Its module is only
    loaded where a process pool was made: a one-process replay never imports multiprocessing."""
    process = sys.modules.get("concurrent.futures.process")
    return process is not None and isinstance(exc, process.BrokenProcessPool)


class Workers:
    """The worker processes of one replay (or the caller's executor): submits batches, replaces
    a pool broken by a dead worker, and stops its processes at once when the replay is
    interrupted, so that none is left running (or prints a traceback)."""

    def __init__(self, workers: int, executor: Executor | None) -> None:
        self.workers, self.own = workers, executor is None
        self.executor = executor or self._new()

    def _new(self) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor  # here: a one-process replay never loads multiprocessing

        return ProcessPoolExecutor(max_workers=self.workers, initializer=_worker_start)

    def submit(self, *args: Any) -> Future[Partial]:
        return self.executor.submit(*args)

    def run_alone(self, run: Callable[..., Partial], batch: Batch, mf: MetricFilter, options: ReplayOptions) -> Partial:
        """``run(batch, mf, options)`` once more, alone, in a new pool (if this one is ours);
        a failed batch when its worker dies again (or the caller's executor is broken)."""
        if self.own:
            self.stop()
            self.executor = self._new()
        try:
            return self.executor.submit(run, batch, mf, options).result()
        except Exception as exc:
            if not broken_pool(exc):
                raise
            if self.own:
                self.stop()
                self.executor = self._new()
            return _failed_batch(batch, mf, options, WORKER_DIED)

    def close(self) -> None:
        if self.own:
            self.executor.shutdown()

    def stop(self) -> None:
        """Our worker processes ended now, running batches and all (the caller's executor is
        only asked to cancel what has not started)."""
        if not self.own:
            return
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


WORKER_DIED = "a worker process died reading this file's batch, twice (killed by the system: out of memory?)"


def _failed_batch(batch: Batch, mf: MetricFilter, options: ReplayOptions, reason: str) -> Partial:
    """The result of a batch none of whose files could be read: each failed, with ``reason``."""
    part = Partial.empty(mf, options.dedupe)
    for name, _ in batch:
        part.accounting.files_failed += 1
        part.accounting.problem(name, None, reason)
    if options.strict and batch:
        raise ReplayError(f"{batch[0][0]}: {reason}")
    return part


def _worker_start() -> None:
    """In each worker: Ctrl-C is the parent's to handle (it ends the workers itself, so none
    prints a ``KeyboardInterrupt`` traceback), SIGTERM and SIGHUP end the worker quietly
    (whatever handler the parent had when it forked), and on Linux a worker ends with its
    parent even when the parent is killed outright. Freed memory is kept for the next file
    (``allocator.py``)."""
    keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
