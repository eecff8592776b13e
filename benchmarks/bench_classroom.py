"""Load on one `dipsim serve`: a class of 40 sending their moves at once, then a round closed and shown to
all of them, timed over HTTP on loopback; prints the figures and one verdict per target (no assertions).

    .venv/bin/python benchmarks/bench_classroom.py                  # 40 players, 3 games, 2 rounds
    .venv/bin/python benchmarks/bench_classroom.py --rounds 3 --games 1 --players 14
    .venv/bin/python benchmarks/bench_classroom.py --profile        # and where the server's time goes
    .venv/bin/python benchmarks/bench_classroom.py --server patched.py   # time a change before making it

The class: 40 students in 3 games of the bundled baseline scenario (14 actors; 14 + 13 + 13 players, one
actor each, so EU follows the rules in two games), rounds of 10 days, one teacher, one server. That is
how a class of 40 plays it: one game of 40 would need a scenario of 40 actors, and teams of three on
one actor would send 14 sets of moves, not 40. The server is ``python -m sim serve baseline --no-explore``
itself (one process, uvicorn, as `dipsim serve` runs it) on 127.0.0.1 and a free port, with a new
classroom file in a temporary folder; nothing leaves the machine. Each student is its own HTTP client
(httpx, at most 6 connections, as a browser; an image is fetched again unless its last answer allowed
keeping it) whose page asks ``/games/{code}/status`` with the signature it was drawn with, which the server
answers when that changes (a long poll), and reloads then (what ``game.js`` does; a failed request is
asked again two seconds later); the teacher has each game's page open, which also reloads when a
student's moves arrive.

Each round: (1) every student, its play page loaded, waits at a barrier and then all send their moves at
once: two moves of the menu its page offers (pressing for a ceasefire, or for a side signalling talks,
and opening a channel to another actor) with a memo of about 250 characters; each POST is timed to its
answer (the 303; the page it redirects to is timed apart), and the round's submissions are then read
back from the classroom file; (2) 2 to 3.5 s later the teacher closes the round of the three games at
once (the worst case of one teacher's three games); a student's "shown" time runs from its game's close
request to the moment its browser has reloaded the play page and received the four plots that page
shows: the time after its status request answered, the page alone and the close request's own time are
printed apart.

Targets (the classroom issue): every submission stored, p95 response of the move submissions <= 200 ms,
a round of 40 players advanced and shown to all within 2 s (the worst round counts). The machine's load
average and the CPU time of the server and of this client are printed: other work on the 2 cores makes
every figure worse. With ``--profile`` the server runs as `dipsim serve` does plus a thread that reads
every thread's CPU clock and Python stack every 5 ms, and the CPU time of each phase is printed by the
functions it was spent in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
SCENARIO, DAYS = "baseline", 10
BROWSER_CONNECTIONS = 6    # connections a browser opens to one host
PAUSE = (2.0, 3.5)         # seconds from the last moves to the teacher's close
MEMO = ("We press for a ceasefire because every day of fighting costs both sides more than it could win, "
        "and we open a channel so that the talks have somewhere to start; our government will stand by "
        "this in public and answer for it at home.")
TARGET_P95, TARGET_SHOWN = 0.200, 2.0
#: The first move a student makes, the first of these its menu offers.
FIRST_MOVES = ("press-ceasefire", "signal-talks", "offer-talks", "hold-back")
#: Outside dipsim, the functions --profile names (the rest of the libraries only under these).
SHOWN = ("jinja2/environment.py:Template.render", "starlette/routing.py:Route.handle", "matplotlib/figure.py:Figure.",
         "PIL/ImageFile.py:_save", "uvicorn/protocols/http/h11_impl.py:H11Protocol.", "segno/__init__.py:make",
         "starlette/formparsers.py", "httptools", "h11/_connection.py:Connection.send", "tomllib/_parser.py:loads",
         "anyio/_backends/_asyncio.py:WorkerThread.run", "asyncio/base_events.py:BaseEventLoop._run_once")

# `dipsim serve` as sim/cli.py runs it (Classroom, warm-up, make_app without the explore page, uvicorn), with a
# thread that samples the stacks of the other threads and writes the counts as JSON every second.
SAMPLED_SERVER = r"""
import collections, json, os, signal, sys, threading, time
import uvicorn
from sim.classroom.classroom import Classroom
from sim.classroom.store import Store
from sim.scenario import load
from sim.web import launch
from sim.web.server import make_app

db, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# per phase of the benchmark (SIGUSR1 begins the next): CPU ns by function on the stack, and innermost
phases, last, stop = [], {}, threading.Event()
signal.signal(signal.SIGUSR1, lambda *_: phases.append((collections.Counter(), collections.Counter(), [0])))
phases.append((collections.Counter(), collections.Counter(), [0]))

def where(frame):
    name = frame.f_code.co_filename
    for prefix in ("site-packages/", os.getcwd() + "/", sys.prefix + "/", sys.base_prefix + "/"):
        name = name.split(prefix)[-1]
    return f"{name}:{frame.f_code.co_qualname}"

def dump(began):
    found = [{"cpu": total[0] / 1e9, "inclusive": inclusive.most_common(300), "leaf": leaf.most_common(25)}
             for inclusive, leaf, total in list(phases)]
    with open(out + ".part", "w") as f:
        json.dump({"wall": time.perf_counter() - began, "sampler": time.thread_time(), "phases": found}, f)
    os.replace(out + ".part", out)

def sample():
    # every 5 ms, each thread's CPU time since the last sample is put on the stack it is in now; the
    # counts are written to the file every second
    me, began, written = threading.get_ident(), time.perf_counter(), time.perf_counter()
    while not stop.wait(0.005):
        inclusive, leaf, total = phases[-1]
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            try:
                cpu = time.clock_gettime_ns(time.pthread_getcpuclockid(ident))
            except OSError:
                continue
            spent, last[ident] = cpu - last.get(ident, cpu), cpu
            if not spent:
                continue
            total[0] += spent
            leaf[where(frame)] += spent
            seen = set()
            while frame is not None:
                seen.add(where(frame))
                frame = frame.f_back
            for name in seen:
                inclusive[name] += spent
        if time.perf_counter() - written > 1:
            dump(began)
            written = time.perf_counter()
    dump(began)

classroom = Classroom(Store(db))
spec = load("baseline")
launch.warm_up(spec)
print(f"Teacher            http://127.0.0.1:{port}/teacher/{classroom.teacher_key}", flush=True)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
try:
    uvicorn.run(make_app(classroom, spec, explore=False), host="127.0.0.1", port=port, log_level="warning")
finally:
    stop.set()
    sampler.join()
"""


# ---------------------------------------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, samples: Path | None, server: Path | None) -> tuple[subprocess.Popen, str, str, Path]:
    """``dipsim serve`` on loopback with a new classroom file: the process, its address, the teacher's key
    and the file."""
    db, port = folder / "classroom.sqlite", free_port()
    if samples is None:
        serve = [str(server.resolve())] if server else ["-m", "sim"]
        command = [sys.executable, *serve, "serve", SCENARIO, "--host", "127.0.0.1", "--port", str(port),
                   "--db", str(db), "--no-explore"]
    else:
        command = [sys.executable, "-c", SAMPLED_SERVER, str(db), str(port), str(samples)]
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log_path.read_text(errors='replace')[-2000:]}")
        found = re.search(r"/teacher/(\S+)", log_path.read_text(errors="replace"))
        if found:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    return process, base, found.group(1), db
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    stop_server(process)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)       # as Ctrl-C: uvicorn shuts down (and the samples are written)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def code_state() -> str:
    """The commit the server's code is at, and whether sim/ has changes not committed."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "sim"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code of unknown commit"
    return f"code at {head}{' with changes not committed in sim/' if dirty else ''}"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a running process (Linux: /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------- the class

class Browser(httpx.AsyncClient):
    """One student's (or the teacher's) browser: at most 6 connections to the server, and a request that
    fails on a kept-alive connection the server has just closed (uvicorn closes one idle for 5 s) is sent
    once more, as browsers do; its time counts from the first try."""

    retried = 0

    def __init__(self, base: str) -> None:
        super().__init__(base_url=base, timeout=httpx.Timeout(30.0), follow_redirects=False,
                         limits=httpx.Limits(max_connections=BROWSER_CONNECTIONS,
                                             max_keepalive_connections=BROWSER_CONNECTIONS))
        self.cache: dict[str, tuple[float, httpx.Response]] = {}

    async def image(self, url: str) -> httpx.Response:
        """GET an image as a browser's cache would: again only if the last answer may not be kept
        (the plots say ``Cache-Control: no-store`` now: every reload fetches them again)."""
        kept = self.cache.get(url)
        if kept and kept[0] > time.monotonic():
            return kept[1]
        answer = await self.get(url)
        control = answer.headers.get("cache-control", "")
        age = re.search(r"max-age=(\d+)", control)
        if answer.status_code == 200 and age and not re.search(r"no-store|no-cache", control):
            self.cache[url] = (time.monotonic() + int(age.group(1)), answer)
        return answer

    async def request(self, *args, **kwargs) -> httpx.Response:
        try:
            return await super().request(*args, **kwargs)
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            Browser.retried += 1
            return await super().request(*args, **kwargs)


@dataclass
class Page:
    """A browser tab on a game page: what it shows, and its status request (game.js's long poll)."""

    client: Browser
    url: str
    code: str
    round: str = ""
    watch_kind: str = ""
    signature: str = ""
    menu: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    loaded: float = 0.0
    poller: asyncio.Task | None = None
    page_in: float = 0.0
    reloads: list[tuple[float, float, float, str]] = field(default_factory=list)  # saw it, page in, all in, round
    errors: list[str] = field(default_factory=list)

    async def load(self) -> bool:
        """Load the page and the plots it shows (in parallel, as a browser does); False if anything failed."""
        try:
            answer = await self.client.get(self.url)
            if answer.status_code != 200:
                self.errors.append(f"GET {self.url}: {answer.status_code}")
                return False
            html, self.page_in = answer.text, time.perf_counter()
            self.watch_kind = re.search(r'data-watch="(\w+)"', html).group(1)
            self.signature = re.search(r'data-signature="([^"]*)"', html).group(1)
            self.round = self.signature.split("|", 1)[0]
            menu = re.search(r'<select id="move1"[^>]*>(.*?)</select>', html, re.DOTALL)
            self.menu = [m for m in re.findall(r'<option value="([^"]*)"', menu.group(1)) if m] if menu else []
            self.plots = [src.replace("&amp;", "&")
                          for src in re.findall(r'<img class="plot"[^>]* src="([^"]+)"', html)]
            images = await asyncio.gather(*(self.client.image(src) for src in self.plots))
        except httpx.TransportError as err:
            self.errors.append(f"GET {self.url} or its plots: {err!r}")
            return False
        for src, image in zip(self.plots, images):
            if image.status_code != 200 or b"<svg" not in image.content[:1000]:
                self.errors.append(f"GET {src}: {image.status_code}")
                return False
        self.loaded = time.perf_counter()
        return True

    async def poll(self) -> None:
        """game.js: ask the status with the page's signature (the server answers when it changes, or
        after its long-poll time); reload the page when the signature differs, else ask again."""
        while True:
            try:
                answer = await self.client.get(f"/games/{self.code}/status",
                                               params={"watch": self.watch_kind, "known": self.signature})
            except httpx.TransportError as err:   # game.js asks again two seconds later
                self.errors.append(f"status request (asked again): {err!r}")
                await asyncio.sleep(2)
                continue
            seen = time.perf_counter()
            if answer.status_code != 200:
                await asyncio.sleep(2)
                continue
            if answer.json()["signature"] != self.signature:
                if await self.load():
                    self.reloads.append((seen, self.page_in, self.loaded, self.round))
                    if self.watch_kind == "teacher":
                        await asyncio.sleep(2.0)
            else:
                await asyncio.sleep(0.05)

    async def settled_poll(self) -> None:
        """game.js: the teacher's page waits two seconds after it loaded before it asks."""
        if self.watch_kind == "teacher":
            await asyncio.sleep(max(0.0, self.loaded + 2.0 - time.perf_counter()))
        await self.poll()

    def watch(self) -> None:
        self.poller = asyncio.create_task(self.settled_poll())

    async def reload(self) -> bool:
        """The browser left the page (a form was sent) and loads it again: a new page, a new poller."""
        self.poller.cancel()
        done = await self.load()
        self.watch()
        return done


@dataclass
class Student:
    name: str
    code: str
    actor: str
    client: Browser
    token: str = ""
    page: Page | None = None


def quantile(seconds: list[float], q: float) -> float:
    """The ``q`` quantile by the nearest-rank method (p95 of 40: the 38th smallest)."""
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("inf")


def figures(seconds: list[float]) -> str:
    if not seconds:
        return "none"
    return (f"median {statistics.median(seconds) * 1e3:.0f} ms, p95 {quantile(seconds, 0.95) * 1e3:.0f} ms, "
            f"max {max(seconds) * 1e3:.0f} ms")


def location(answer: httpx.Response, what: str) -> str:
    if answer.status_code != 303:
        raise SystemExit(f"{what}: {answer.status_code} {re.sub(r'<[^>]+>', ' ', answer.text)[:300]}")
    return answer.headers["location"]


async def send_moves(s: Student, number: int, actors: list[str], barrier: asyncio.Event,
                     ready: list[int]) -> tuple[float, float, int]:
    """One student's moves of round ``number``, sent once ``barrier`` is set: the time to the answer, the
    time to the page it redirects to, and the answer's status. The moves are two of the menu its page
    offers: a move without a target (pressing for a ceasefire, or for a side signalling talks), and opening
    a channel to another actor."""
    from sim.classroom.moves import MOVES

    first = next((m for m in FIRST_MOVES if m in s.page.menu), None) or next(
        (m for m in s.page.menu if m in MOVES and MOVES[m].target is None), "")
    data = {"round": str(number), "move1": first, "memo": MEMO}
    if "open-channel" in s.page.menu:
        data |= {"move2": "open-channel", "target2": actors[(actors.index(s.actor) + number) % len(actors)]}
    ready[0] += 1
    await barrier.wait()
    start = time.perf_counter()
    try:
        answer = await s.client.post(f"/play/{s.token}/moves", data=data)
    except httpx.TransportError as err:
        s.page.errors.append(f"moves, round {number}: {err!r}")
        return float("inf"), float("inf"), -1
    answered = time.perf_counter()
    if answer.status_code != 303:
        s.page.errors.append(f"moves, round {number}: {answer.status_code} "
                             f"{re.sub(r'<[^>]+>', ' ', answer.text)[:200]!r}")
    await s.page.reload()                        # the redirect, or the page with the error
    return answered - start, time.perf_counter() - start, answer.status_code


async def close_round(teacher: Browser, key: str, code: str, number: int) -> tuple[str, float, float]:
    """The teacher closes round ``number`` of game ``code``: when the request left, and its own time."""
    start = time.perf_counter()
    answer = await teacher.post(f"/teacher/{key}/games/{code}/close", data={"round": str(number)})
    own = time.perf_counter() - start
    location(answer, f"close round {number} of {code}")
    return code, start, own


class Phases:
    """Under --profile, tells the sampled server (SIGUSR1) that the next phase of the benchmark begins."""

    def __init__(self, pid: int, sampled: bool) -> None:
        self.pid, self.sampled, self.names = pid, sampled, ["setting up"]

    def begin(self, name: str) -> None:
        if self.sampled:
            os.kill(self.pid, signal.SIGUSR1)
            self.names.append(name)


async def play(base: str, key: str, db: Path, phases: Phases, players: int, games: int, rounds: int) -> dict:
    from sim.classroom.store import Store
    from sim.scenario import load

    actors = [a.id for a in load(SCENARIO).actors]
    if not 1 <= players <= games * len(actors):
        raise SystemExit(f"{players} players do not fit in {games} games of {len(actors)} actors")

    def browser() -> Browser:
        return Browser(base)

    # the teacher makes the games, the students join and take an actor, the teacher starts the games
    teacher = browser()
    codes = []
    for _ in range(games):
        answer = await teacher.post(f"/teacher/{key}/games", data={"scenario": SCENARIO, "days": str(DAYS)})
        codes.append(location(answer, "new game").rsplit("/", 1)[1])
    students = [Student(f"Student {k + 1}", codes[k % games], actors[k // games], browser()) for k in range(players)]
    for s in students:
        joined = await s.client.post("/join", data={"code": s.code, "name": s.name})
        s.token = location(joined, "join").rsplit("/", 1)[1]
        location(await s.client.post(f"/play/{s.token}/take", data={"actor": s.actor}), "take")
    tabs = []
    for code in codes:
        location(await teacher.post(f"/teacher/{key}/games/{code}/start"), "start")
        tabs.append(Page(browser(), f"/teacher/{key}/games/{code}", code))
    for s in students:
        s.page = Page(s.client, f"/play/{s.token}", s.code)
    for page in tabs + [s.page for s in students]:
        if not await page.load():
            raise SystemExit(f"the page {page.url} did not load: {page.errors}")
        page.watch()
    store = Store(db)
    print(f"{players} students in {games} games of {SCENARIO} "
          f"({' + '.join(str(sum(s.code == c for s in students)) for c in codes)} players), rounds of {DAYS} days, "
          f"the teacher's page of each game open; {code_state()}; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")

    results = []
    for number in range(1, rounds + 1):
        # (1) every student sends its moves at once
        barrier, ready = asyncio.Event(), [0]

        tasks = [asyncio.create_task(send_moves(s, number, actors, barrier, ready)) for s in students]
        while ready[0] < len(students):
            await asyncio.sleep(0.005)
        phases.begin("the moves sent at once")
        cpu = cpu_seconds(phases.pid), time.process_time(), time.perf_counter()
        barrier.set()
        sent = await asyncio.gather(*tasks)
        cpu_sent = cpu_seconds(phases.pid) - cpu[0], time.process_time() - cpu[1], time.perf_counter() - cpu[2]
        responses = [r for r, _, _ in sent]
        answered = sum(1 for _, _, status in sent if status == 303)
        stored = sum(1 for code in codes for sub in store.submissions(code) if sub.round == number)
        print(f"round {number}: moves sent at once by {len(students)}: {answered} answered 303, {stored} stored; "
              f"response {figures(responses)}; with the page it redirects to {figures([p for _, p, _ in sent])} "
              f"[{cpu_sent[2]:.1f} s: server CPU {cpu_sent[0]:.1f} s, this client's {cpu_sent[1]:.1f} s]")

        # (2) the teacher closes the round of every game at once; each page notices and reloads
        phases.begin("between")
        await asyncio.sleep(random.uniform(*PAUSE))
        for s in students:
            s.page.reloads.clear()

        phases.begin("a round closed and shown")
        cpu = cpu_seconds(phases.pid), time.process_time(), time.perf_counter()
        closed = {code: (start, own) for code, start, own in await asyncio.gather(
            *(close_round(teacher, key, c, number) for c in codes))}
        after = str(number + 1)
        deadline = time.perf_counter() + 60
        while (any(all(r[3] != after for r in s.page.reloads) for s in students)
               and time.perf_counter() < deadline):
            await asyncio.sleep(0.02)
        cpu_close = cpu_seconds(phases.pid) - cpu[0], time.process_time() - cpu[1], time.perf_counter() - cpu[2]
        shown, page_only, after_seen = [], [], []
        for s in students:
            done = [r for r in s.page.reloads if r[3] == after]
            if done:
                seen, page_in, complete, _ = done[0]
                shown.append(complete - closed[s.code][0])
                page_only.append(page_in - closed[s.code][0])
                after_seen.append(complete - seen)
        own = [o for _, o in closed.values()]
        print(f"round {number} closed: close request {figures(own)}; shown to {len(shown)} of {len(students)} "
              f"(page and {len(students[0].page.plots)} plots) {figures(shown)}; of which after the poll that saw "
              f"it {figures(after_seen)}; the page alone {figures(page_only)} [{cpu_close[2]:.1f} s: server CPU "
              f"{cpu_close[0]:.1f} s, this client's {cpu_close[1]:.1f} s]")
        phases.begin("between")
        results.append({"answered": answered, "stored": stored, "expected": len(students), "responses": responses,
                        "shown": shown, "close": own})

    errors = [e for s in students for e in s.page.errors] + [e for t in tabs for e in t.errors]
    if Browser.retried:
        errors.insert(0, f"{Browser.retried} requests sent again after the server closed an idle connection")
    for e in errors[:10]:
        print(f"  note: {e}")
    if len(errors) > 10:
        print(f"  ... and {len(errors) - 10} more")
    for page in [s.page for s in students] + tabs:
        page.poller.cancel()
    for client in {id(c): c for c in [teacher] + [s.client for s in students] + [t.client for t in tabs]}.values():
        await client.aclose()
    return {"rounds": results}


def verdicts(outcome: dict) -> None:
    rounds = outcome["rounds"]
    every = all(r["stored"] == r["expected"] == r["answered"] for r in rounds)
    print(f"target every submission stored: {'met' if every else 'NOT MET'} "
          f"({', '.join(f'{r['stored']} of {r['expected']}' for r in rounds)}, by round)")
    worst = max(quantile(r["responses"], 0.95) for r in rounds)
    print(f"target p95 response <= {TARGET_P95 * 1e3:.0f} ms: {'met' if worst <= TARGET_P95 else 'NOT MET'} "
          f"(worst round's p95 {worst * 1e3:.0f} ms)")
    slowest = max(max(r["shown"]) if len(r["shown"]) == r["expected"] else float("inf") for r in rounds)
    figure = "not shown to every player within 60 s" if slowest == float("inf") else f"the last player {slowest:.2f} s"
    print(f"target round advanced and shown to all within {TARGET_SHOWN:.0f} s: "
          f"{'met' if slowest <= TARGET_SHOWN else 'NOT MET'} ({figure}, worst round)")


def print_samples(path: Path, names: list[str]) -> None:
    """The sampled CPU time of the server by phase of the benchmark (the rounds' phases added up)."""
    found = json.loads(path.read_text())
    print(f"\nwhere the server's CPU time went ({found['wall']:.0f} s from start to stop; thread CPU clocks sampled "
          f"every 5 ms, the time of each 5 ms put on the stack the thread is in at its end, so the work of a "
          f"request shorter than that may show as the wait after it; the sampler took {found['sampler']:.1f} s):")
    for name in dict.fromkeys(names):
        if name == "between":
            continue
        parts = [p for p, n in zip(found["phases"], names) if n == name]
        cpu = sum(p["cpu"] for p in parts) * 1e9 or 1
        inclusive, leaf = {}, {}
        for p in parts:
            for table, rows in ((inclusive, p["inclusive"]), (leaf, p["leaf"])):
                for function, spent in rows:
                    table[function] = table.get(function, 0) + spent
        print(f"  {name} ({len(parts)} times): {cpu / 1e9:.1f} s of CPU; functions on the stack (inclusive):")
        for function, spent in sorted(inclusive.items(), key=lambda kv: -kv[1]):
            if spent >= 0.01 * cpu and ("sim/" in function or any(part in function for part in SHOWN)):
                print(f"    {100 * spent / cpu:5.1f} %  {spent / 1e9:5.2f} s  {function}")
        print("    innermost Python function:")
        for function, spent in sorted(leaf.items(), key=lambda kv: -kv[1])[:8]:
            print(f"    {100 * spent / cpu:5.1f} %  {spent / 1e9:5.2f} s  {function}")


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--games", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="rounds played (1 to 6: baseline has 60 days)")
    parser.add_argument("--timeout", type=float, default=300, help="the whole benchmark stops after this (s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the pages' poll phases and the pauses")
    parser.add_argument("--profile", action="store_true",
                        help="sample the server's stacks and print where its time goes")
    parser.add_argument("--server", type=Path, metavar="FILE.py",
                        help="run this Python file instead of `python -m sim`, with the same `serve` arguments (to "
                             "time a change before making it: the file may patch sim, then call sim.cli.main())")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 60 // DAYS:
        parser.error(f"--rounds: 1 to {60 // DAYS}")
    if args.server and args.profile:
        parser.error("--server and --profile: one or the other")
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="dipsim-bench-") as folder:
        samples = Path(folder) / "samples.json" if args.profile else None
        process, base, key, db = start_server(Path(folder), samples, args.server)
        outcome = None
        try:
            phases = Phases(process.pid, samples is not None)
            outcome = asyncio.run(asyncio.wait_for(
                play(base, key, db, phases, args.players, args.games, args.rounds), args.timeout))
        except TimeoutError:
            print(f"stopped after {args.timeout:.0f} s (--timeout): no verdict")
        finally:
            if samples is not None:
                time.sleep(1.5)                  # the sampler writes its counts every second
            stop_server(process)
        if outcome:
            verdicts(outcome)
        if samples is not None:
            if samples.exists():
                print_samples(samples, phases.names)
            else:
                print("no samples were written; the server said:\n"
                      + (Path(folder) / "server.log").read_text(errors="replace")[-3000:])


if __name__ == "__main__":
    main()
