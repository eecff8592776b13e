"""The browser tests' fixtures: the real `dipsim serve` app on a loopback port, and Debian's headless Chromium.

Everything is per test or per xdist worker: each server listens on a port the kernel chose (bound here,
so no two workers can pick the same) and keeps its classroom file in the test's own ``tmp_path``; each
worker starts its own browser. Screenshots are taken only when ``DIPSIM_SHOTS=DIR`` is set.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn

from sim.classroom.classroom import Classroom
from sim.classroom.store import Store
from sim.scenario import Scenario, load
from sim.web.server import make_app

#: How long a server may take to start or to stop (seconds).
SERVER_WAIT = 30
#: The two screens every page is looked at on: a classroom projector and a phone.
PROJECTOR, PHONE = {"width": 1920, "height": 1080}, {"width": 390, "height": 844}


class Served:
    """`dipsim serve`'s app on ``127.0.0.1`` with the classroom file ``db``.

    The listening socket is made once and kept: `stop` ends the server (its requests, connections, event
    loop and `Classroom`) while the port stays reserved, and `start` serves again on the same address with
    a new `Classroom` read from the file, as a restarted ``dipsim serve`` would. Until a server accepts
    them, connections wait in the socket's queue, as they would for a server being restarted.
    """

    def __init__(self, db: Path, scenario: Scenario, *, explore: bool = False) -> None:
        self.db, self.scenario, self.explore = db, scenario, explore
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.classroom: Classroom | None = None

    @property
    def teacher_key(self) -> str:
        return self.classroom.teacher_key

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        assert not self.running, "the server is already running"
        self.classroom = Classroom(Store(self.db))
        app = make_app(self.classroom, self.scenario, explore=self.explore)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
        server = self._server = uvicorn.Server(config)
        # uvicorn closes the sockets it is given when it stops: give it a duplicate, keep the port.
        listening = self._socket.dup()
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]},
                                        name=f"dipsim-serve {self.base_url}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + SERVER_WAIT
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the server at {self.base_url} stopped while starting (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.base_url} did not start in {SERVER_WAIT} s")
            time.sleep(0.01)
        answer = httpx.get(f"{self.base_url}/", timeout=SERVER_WAIT)
        if answer.status_code != 200:
            raise RuntimeError(f"the server at {self.base_url} answers / with {answer.status_code}")

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        self._thread.join(SERVER_WAIT)
        if self._thread.is_alive():
            raise RuntimeError(f"the server at {self.base_url} did not stop in {SERVER_WAIT} s")
        self._server = None

    def restart(self) -> None:
        """Stop the server and serve the same classroom file again, from a new `Classroom`."""
        self.stop()
        self.start()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self._socket.close()


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    return load("baseline")


@pytest.fixture
def start_server(tmp_path, baseline) -> Iterator[Callable[..., Served]]:
    """Start servers: ``start_server(explore=False)`` serves the game (and the explore page if asked) from
    ``baseline`` with a fresh classroom file in the test's ``tmp_path``; every one is stopped after the test."""
    started: list[Served] = []

    def start(*, explore: bool = False, scenario: Scenario | None = None) -> Served:
        served = Served(tmp_path / f"classroom-{len(started)}.sqlite", scenario or baseline, explore=explore)
        started.append(served)
        served.start()
        return served

    yield start
    for served in started:
        served.close()


@pytest.fixture
def server(start_server) -> Served:
    """The class game on a fresh classroom file (no explore page): ``base_url``, ``teacher_key``, ``classroom``."""
    return start_server(explore=False)


@pytest.fixture
def explore_server(start_server) -> Served:
    """The whole app of `dipsim serve`, explore page (``/explore/``) included."""
    return start_server(explore=True)


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by Playwright, one per test process (xdist worker)."""
    from playwright.sync_api import sync_playwright

    path = shutil.which("chromium-headless-shell")
    if path is None:
        pytest.fail("the browser tests need Debian's headless Chromium (chromium-headless-shell on PATH): "
                    "run tools/install-browser (make test does)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_context(chromium, start_server) -> Iterator[Callable]:
    """``browser_context(**options)``: a new browser context (its own cookies and storage), closed after the
    test and before its servers stop. What its pages log as errors is kept in its ``errors`` list."""
    contexts = []

    def new(**options):
        context = chromium.new_context(**options)
        context.errors = []
        context.on("console", lambda message, into=context.errors: message.type == "error" and into.append(
            f"{message.location.get('url', '')}: {message.text}"))
        context.on("weberror", lambda error, into=context.errors: into.append(str(error.error)))
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def shoot() -> Callable:
    """``shoot(page, name)`` saves ``name-1920x1080.png`` and ``name-390x844.png`` (whole pages) of what
    ``page`` shows to ``$DIPSIM_SHOTS`` when that is set, and does nothing otherwise."""
    folder = os.environ.get("DIPSIM_SHOTS")
    if not folder:
        return lambda page, name: None
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        before = page.viewport_size
        for size in (PROJECTOR, PHONE):
            page.set_viewport_size(size)
            page.wait_for_load_state("load")
            page.screenshot(path=out / f"{name}-{size['width']}x{size['height']}.png", full_page=True)
        page.set_viewport_size(before)

    return shoot
