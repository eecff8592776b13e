"""Runs past this machine's processes: a Dask cluster as a `concurrent.futures.Executor` that `conduct`
and `conduct_study` take (``executor=``). The runs, their seeds and the files are the same as on local
processes; only where the work is done changes.

    with dask_executor(local=2) as (executor, workers):                # a cluster on this machine
        conduct(experiment, "out", executor=executor, workers=workers)
    with dask_executor(scheduler="tcp://10.0.0.5:8786") as (executor, workers):   # a running cluster
        ...

Dask is an optional extra (``pip install 'dipsim[dask]'``): it is imported only here, when asked for.
On a real cluster every worker needs the same dipsim installed; a worker with another version would
make other numbers, so it is refused before any run is sent.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

from sim import __version__
from sim.io.files import OutputError

#: How long to wait for a scheduler, in seconds, before saying it cannot be reached.
CONNECT_SECONDS = 20
#: The most workers of a cluster started on this machine.
MAX_LOCAL_WORKERS = 64
_ADDRESS = re.compile(r"^(tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


@contextlib.contextmanager
def dask_executor(*, scheduler: str | None = None, local: int | None = None) -> Iterator[tuple[Executor, int]]:
    """A Dask cluster's executor and its number of worker threads: the cluster whose scheduler is at
    ``scheduler`` (``tcp://HOST:PORT``), or a new one of ``local`` single-threaded worker processes on this
    machine, listening on the loopback only, closed on leaving. Raises `OutputError` (one line) when Dask is
    not installed, the address is not one, the scheduler cannot be reached or a worker runs another dipsim.
    """
    if (scheduler is None) == (local is None):
        raise OutputError("--scheduler, --dask-local: give one of them")
    if scheduler is not None and not _ADDRESS.match(scheduler):
        raise OutputError(f"--scheduler {scheduler}: expected a scheduler's address, tcp://HOST:PORT")
    if local is not None and not 1 <= local <= MAX_LOCAL_WORKERS:
        raise OutputError(f"--dask-local {local}: expected 1 to {MAX_LOCAL_WORKERS} workers")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise OutputError("running on Dask needs it installed: pip install 'dipsim[dask]'") from None
    with contextlib.ExitStack() as stack:
        if local is not None:
            # The scheduler's health page tries port 8787 first, on the loopback, and takes another when a
            # second cluster has it; that is no news to a user.
            stack.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", message="Port 8787 is already in use")
            cluster = stack.enter_context(LocalCluster(n_workers=local, threads_per_worker=1, processes=True,
                                                       host="127.0.0.1", dashboard_address=None,
                                                       silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout=CONNECT_SECONDS))
            except (OSError, TimeoutError) as err:
                raise OutputError(f"--scheduler {scheduler}: cannot reach it ({type(err).__name__}: {err})") from None
        _check_versions(client)
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise OutputError(f"--scheduler {scheduler}: the cluster has no workers")
        yield client.get_executor(pure=False), threads


def _check_versions(client) -> None:
    """Refuse a cluster whose workers run another dipsim (or none: the runs would fail there)."""
    found = client.run(_version)
    other = {worker: version for worker, version in found.items() if version != __version__}
    if other:
        worker, version = sorted(other.items())[0]
        raise OutputError(f"Dask worker {worker} runs dipsim {version}, not {__version__}: install this dipsim on "
                          "every worker")


def _version() -> str:
    """On a worker: the dipsim it runs (or ``none``)."""
    try:
        from sim import __version__ as version
    except ImportError:
        return "none"
    return version


@dataclass(frozen=True)
class Placement:
    """Where an experiment's runs go: ``workers`` local processes (default: the machine's cores), the Dask
    cluster whose scheduler is at ``scheduler``, or a Dask cluster of ``local`` workers on this machine."""

    workers: int | None = None
    scheduler: str | None = None
    local: int | None = None

    @contextlib.contextmanager
    def opened(self) -> Iterator[tuple[Executor | None, int | None]]:
        """``(executor, workers)`` to give `conduct`: no executor for local processes; a cluster's is open
        while this is (and a cluster on this machine closed after)."""
        if self.scheduler is None and self.local is None:
            yield None, self.workers
            return
        if self.workers is not None:
            raise OutputError("--workers: local processes only; a Dask cluster has its own workers")
        with dask_executor(scheduler=self.scheduler, local=self.local) as (executor, threads):
            yield executor, threads
