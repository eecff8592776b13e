"""Running tasks on worker processes: a few in flight per worker, stopping cleanly when asked (Ctrl-C,
SIGTERM), and workers that leave Ctrl-C to the main process and exit when it dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

#: Tasks in flight per worker: enough to keep each busy, few enough to stop within a task's time.
IN_FLIGHT = 2


class Stopped(Exception):
    """`execute` stopped early, as asked."""


def execute(work: Callable[[Any], Any], tasks: Sequence, workers: int, on_done: Callable[[Any], None],
            stop: Callable[[], bool] = lambda: False) -> None:
    """Run ``work(task)`` for each of ``tasks`` on ``workers`` processes (in this process when 1), calling
    ``on_done`` with each result as it comes. ``work`` must be a module's function (workers import it).

    About two tasks per worker are in flight at a time. When ``stop()`` turns true, or on
    KeyboardInterrupt, no new task starts, the running ones finish and their results are handed to
    ``on_done``, and `Stopped` is raised. Workers ignore Ctrl-C themselves (stopping one in the middle of
    sending its result could leave the pool waiting for ever), and exit when this process dies.
    """
    queue = iter(tasks)
    if workers <= 1 or len(tasks) <= 1:
        for task in queue:
            if stop():
                raise Stopped
            on_done(work(task))
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                               initializer=_worker_start, initargs=(os.getpid(),))
    pending: set[Future] = set()
    stopping = False
    try:
        while True:
            while not stopping and len(pending) < IN_FLIGHT * workers:
                task = next(queue, None)
                if task is None:
                    break
                pending.add(pool.submit(work, task))
            if not pending:
                break
            try:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    on_done(future.result())
                stopping = stopping or stop()
            except KeyboardInterrupt:
                stopping = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
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
