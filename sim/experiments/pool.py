"""Running tasks on local worker processes or on any `concurrent.futures.Executor` (a Dask cluster's): a
few in flight per worker, stopping cleanly when asked (Ctrl-C, SIGTERM), and local workers that leave
Ctrl-C to the main process and exit when it dies."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from typing import Any

#: Tasks in flight per worker: enough to keep each busy, few enough to stop within a task's time.
IN_FLIGHT = 2


class Stopped(Exception):
    """`execute` stopped early, as asked."""


def execute(work: Callable[[Any], Any], tasks: Iterable, on_done: Callable[[Any], None], *, workers: int = 1,
            executor: Executor | None = None, stop: Callable[[], bool] = lambda: False) -> None:
    """Run ``work(task)`` for each of ``tasks`` (made one at a time, as they are sent), calling ``on_done``
    with each result as it comes, in this process: on ``executor`` (any `concurrent.futures.Executor`, such
    as a Dask client's) with about two tasks for each of its ``workers`` in flight, or else on ``workers``
    local processes (in this process when 1). ``work`` must be a module's function (workers import it).

    When ``stop()`` turns true, or on KeyboardInterrupt, no new task starts, the running ones finish and
    their results are handed to ``on_done`` (those a stopped worker lost are dropped), and `Stopped` is
    raised. Local workers ignore Ctrl-C themselves (stopping one in the middle of sending its result could
    leave the pool waiting for ever), and exit when this process dies.
    """
    queue = iter(tasks)
    if executor is not None:
        _send(executor, work, queue, on_done, IN_FLIGHT * max(1, workers), stop)
    elif workers <= 1:
        for task in queue:
            if stop():
                raise Stopped
            on_done(work(task))
    else:
        context = multiprocessing.get_context("spawn")
        with _worker_environment(), ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                     initializer=_worker_start, initargs=(os.getpid(),)) as pool:
            _send(pool, work, queue, on_done, IN_FLIGHT * workers, stop)


#: What a worker process starts with (unless the user set otherwise): one thread for each numerical
#: library (OpenBLAS under numpy above all): the workers already fill the cores, and OpenBLAS's threads,
#: which spin while they wait, made every worker about twice as slow (Dask's workers start so too); and
#: glibc's allocator keeping freed memory rather than handing each run's arrays back to the system and
#: faulting them in again (a quarter of a worker's time, most of it in the kernel, went on that).
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                      "VECLIB_MAXIMUM_THREADS": "1", "NUMBA_NUM_THREADS": "1",
                      "MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """Worker processes started meanwhile get `WORKER_ENVIRONMENT` (a variable the user set is kept)."""
    added = [name for name in WORKER_ENVIRONMENT if name not in os.environ]
    os.environ.update({name: WORKER_ENVIRONMENT[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _send(executor: Executor, work: Callable[[Any], Any], queue: Iterator, on_done: Callable[[Any], None],
          in_flight: int, stop: Callable[[], bool]) -> None:
    """Keep ``in_flight`` tasks of ``queue`` submitted to ``executor`` until all are done or it is asked to
    stop (then `Stopped`, once the running ones are in)."""
    pending: set[Future] = set()
    stopping = False
    try:
        while True:
            while not stopping and len(pending) < in_flight:
                task = next(queue, None)
                if task is None:
                    break
                pending.add(executor.submit(work, task))
            if not pending:
                break
            try:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    if not (stopping and future.exception() is not None):
                        on_done(future.result())
                stopping = stopping or stop()
            except KeyboardInterrupt:
                stopping = True
    finally:
        for future in pending:
            future.cancel()
    if stopping:
        raise Stopped


def _worker_start(parent: int) -> None:
    """In each worker: leave Ctrl-C to the main process, and exit when the main process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="dipsim-parent-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def default_workers() -> int:
    """The machine's cores (those this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
