"""Starting the classroom server: the addresses a class joins at, their QR code, and uvicorn."""

from __future__ import annotations

import ipaddress
import socket


def room_address(host: str, port: int) -> str:
    """The address students type: the host itself, or for a server on every interface (``0.0.0.0``,
    ``::``) this machine's address on the room's network (its name when that cannot be found)."""
    if host in ("0.0.0.0", "::", ""):
        name = socket.gethostname()
        try:
            found = {info[4][0] for info in socket.getaddrinfo(name, None, socket.AF_INET)}
        except OSError:
            found = set()
        usable = sorted(a for a in found if not ipaddress.ip_address(a).is_loopback)
        host = usable[0] if usable else name
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def terminal_qr(text: str) -> str:
    """``text`` as a QR code drawn with block characters, for the terminal."""
    import io

    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out, compact=True)
    return out.getvalue()


def warm_up(scenario) -> None:
    """Run the scenario once for a day, so that the compiled kernels are loaded before the first player."""
    import numpy as np

    from sim.core.engine import Simulation

    Simulation(scenario, [np.random.default_rng(0)]).run(1)


def plot_pool(workers: int = 2):
    """Worker processes that draw the game's plots (`sim.web.views.Views`), started and loaded now, so that
    the first round's close does not wait for them to import matplotlib."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from sim.web.views import load_drawing

    workers = max(1, min(workers, os.cpu_count() or 1))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    for job in [pool.submit(load_drawing) for _ in range(workers)]:
        job.result()
    return pool
