"""Dask as the distributed engine: a ``distributed.Client`` (or its executor) runs replay's
batches on a cluster's workers. Workers need ``cwfilter`` installed, the local files at the
same absolute paths (a shared file system) or S3 credentials for ``s3://`` inputs.

``distributed`` is an optional dependency (``pip install 'cwfilter[dask]'``), imported only
when a cluster is asked for."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import CwfilterError

if TYPE_CHECKING:
    from concurrent.futures import Executor


class ClusterError(CwfilterError, RuntimeError):
    """A Dask cluster that cannot be started or reached."""

    code = "E_CLUSTER"


def absolute(name: str) -> str:
    """A local path made absolute (a worker's working directory need not be ours); ``-`` and
    ``s3://`` inputs as they are."""
    if name == "-" or name.startswith("s3://"):
        return name
    return os.path.abspath(name)


def as_executor(executor: Any) -> tuple[Executor | None, int | None]:
    """The ``concurrent.futures.Executor`` to submit batches to, and how many batches a
    ``distributed.Client`` runs at once (its worker threads; ``None`` if not a client)."""
    if executor is None:
        return None, None
    from concurrent.futures import Executor  # here: a one-process replay does not load it

    if isinstance(executor, Executor):
        return executor, None
    if hasattr(executor, "get_executor") and hasattr(executor, "nthreads"):  # a distributed.Client
        threads = sum(executor.nthreads().values()) or None
        return executor.get_executor(pure=False), threads  # batches are not tokenised
    raise TypeError(
        f"executor: expected a concurrent.futures.Executor or a distributed.Client, not {type(executor).__name__}"
    )


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address``: ``tcp://host:8786`` (a running scheduler) or
    ``local:N`` (a LocalCluster of N single-threaded worker processes on this machine, closed
    on exit)."""
    try:
        import distributed
    except ImportError:
        raise ClusterError("--dask needs dask.distributed: pip install 'cwfilter[dask]'") from None
    dist: Any = distributed  # its constructors carry no type information
    if address.startswith("local:"):
        count = address[len("local:") :]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--dask {address!r}: expected local:N with N worker processes, e.g. local:4")
        try:
            cluster = dist.LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                   dashboard_address=":0")  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - anything that keeps the cluster from starting
            raise ClusterError(f"--dask {address}: cannot start a local cluster: {exc}") from None
        with cluster, dist.Client(cluster) as client:
            yield client
        return
    if "://" not in address:
        raise ClusterError(f"--dask {address!r}: expected a scheduler address (tcp://host:8786) or local:N")
    try:
        client = dist.Client(address, timeout="10s")
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError ...
        raise ClusterError(f"--dask {address}: cannot reach the scheduler: {exc}") from None
    with client:
        yield client
