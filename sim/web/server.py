"""The ASGI app of `dipsim serve`: the class game's pages (Starlette) and the explore page (Solara).

Nothing from a browser is trusted: a request body is at most `MOST_BODY` bytes, every value is checked
by `sim.classroom` (which says what is wrong in one line), a player acts only through its own token and
the teacher only with the teacher's key, and every page is rendered by Jinja2 with autoescaping under a
Content-Security-Policy that allows no inline script, so a name or a memo can never become markup.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import time
import warnings
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sim.classroom.classroom import Classroom, ClassroomError
from sim.classroom.game import Choice
from sim.classroom.moves import MOST_MOVES
from sim.scenario import Scenario, ScenarioError, load
from sim.scenario.library import bundled
from sim.web.views import (
    GAME_PLOTS,
    Views,
    briefing,
    debrief_markdown,
    effect_text,
    leaning,
    move_label,
)

#: The largest request body accepted (a memo of 2,000 characters and three moves fit many times over).
MOST_BODY = 32 * 1024
#: Every page's security headers: no inline script, no framing, nothing loaded from elsewhere.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_templates = Environment(loader=PackageLoader("sim.web", "templates"), autoescape=select_autoescape(default=True))


class BodyLimit:
    """ASGI middleware: a request to the game with a body says its length (411 for a chunked one), at
    most ``most`` bytes (413 otherwise); the HTTP server then reads no more than that length."""

    def __init__(self, app, most: int = MOST_BODY) -> None:
        self.app, self.most = app, most

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith("/explore"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" in headers:
            return await PlainTextResponse("a request body needs a Content-Length", 411)(scope, receive, send)
        if length is not None and (not length.isdigit() or int(length) > self.most):
            return await PlainTextResponse(f"request too large: at most {self.most} bytes", 413)(scope, receive, send)
        return await self.app(scope, receive, send)


#: What a page watches for (`signature`), and the longest a status request waits for a change (seconds).
WATCHES = ("player", "teacher", "debrief")
LONG_POLL = 25.0


def standing(classroom: Classroom, record) -> dict:
    """Where a game stands, as the status request answers it."""
    state = classroom.round(record)
    players = classroom.store.players(record.code)
    return {"round": state.number, "status": state.status, "days": state.days_played, "sent": list(state.sent),
            "joined": len(players), "playing": sum(p.actor is not None for p in players),
            "debrief": classroom.store.debrief(record.code) is not None}


def signature(standing: dict, watch: str) -> str:
    """What a page of kind ``watch`` shows of a game's standing, in one string: the page reloads when it
    changes (a player's page with the round; the teacher's also with each join and each set of moves)."""
    keys = {"player": ("round", "status", "debrief"), "debrief": ("debrief",),
            "teacher": ("round", "status", "debrief", "sent", "joined", "playing")}[watch]
    return "|".join(str(standing[k]) for k in keys)


class Changes:
    """Wakes the status requests waiting on a game when it changes (`Classroom.listeners`, any thread)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}
        self._versions: dict[str, int] = {}
        self._standings: dict[str, tuple[int, dict]] = {}

    def notify(self, code: str) -> None:
        self._versions[code] = self._versions.get(code, 0) + 1
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._wake, code)

    def standing(self, classroom: Classroom, code: str) -> dict:
        """`standing` of the game, read once after each change (a change wakes every page of the game)."""
        version = self._versions.get(code, 0)
        known = self._standings.get(code)
        if known is None or known[0] != version:
            known = self._standings[code] = (version, standing(classroom, classroom.record(code)))
        return known[1]

    def _wake(self, code: str) -> None:
        event = self._events.pop(code, None)
        if event is not None:
            event.set()

    def listen(self, code: str) -> asyncio.Event:
        """The event the game's next change sets: taken before reading the game, so that a change made
        between the reading and the waiting is not missed."""
        return self._events.setdefault(code, asyncio.Event())

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


def page(template: str, status: int = 200, **values) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(template).render(**values), status, headers=HEADERS)


def problem(message: str, status: int = 400, **values) -> HTMLResponse:
    return page("problem.html", status, message=message, **values)


def make_app(classroom: Classroom, scenario: Scenario, *, explore: bool = True, address: str | None = None,
             pool: Executor | None = None) -> Starlette:
    """The whole app: the game on ``classroom`` (games start from ``scenario`` or a bundled one), and the
    explore page under ``/explore`` unless ``explore`` is False. ``address`` is where the room reaches the
    server (the join address shown to the class); by default, the address the teacher's browser used.
    ``pool`` draws the plots in worker processes (`Views`)."""
    views = Views(classroom, pool)
    changes = Changes()
    classroom.listeners.append(changes.notify)
    classroom.listeners.append(views.anticipate)
    choices = {scenario.name: scenario}
    names = [scenario.name, *(name for name, _, _ in bundled() if name != scenario.name)]

    def offered(name: str) -> Scenario:
        if name in choices:
            return choices[name]
        if name not in names:
            raise ClassroomError(f"no scenario {name[:40]!r}; choose one of the list")
        return choices.setdefault(name, load(name))

    async def form(request: Request) -> dict:
        data = await request.form(max_files=0, max_fields=20)
        return {k: v for k, v in data.items() if isinstance(v, str)}

    # -------------------------------------------------------------------------------- pages anyone sees

    async def home(request: Request):
        return page("home.html", explore=explore, title=scenario.title)

    async def join_page(request: Request):
        return page("join.html", code=request.query_params.get("code", "")[:8])

    async def join(request: Request):
        data = await form(request)
        try:
            player = await run_in_threadpool(classroom.join, data.get("code", "").strip(), data.get("name", ""))
        except ClassroomError as err:
            return page("join.html", 400, code=data.get("code", "")[:8], name=data.get("name", "")[:60],
                        error=str(err))
        return RedirectResponse(f"/play/{player.token}", 303)

    async def status(request: Request):
        """Where a game stands. With ``known`` (the signature a page was drawn with, for what ``watch``
        names), the answer waits until that changes, at most `LONG_POLL` seconds: every page learns of a
        closed round at once, with no request in between."""
        watch, known = request.query_params.get("watch", "player"), request.query_params.get("known")
        if watch not in WATCHES:
            return JSONResponse({"error": f"watch one of {', '.join(WATCHES)}"}, 400)
        try:
            record = await run_in_threadpool(classroom.record, request.path_params["code"])
            until = time.monotonic() + LONG_POLL
            while True:
                change = changes.listen(record.code)
                found = await run_in_threadpool(changes.standing, classroom, record.code)
                left = until - time.monotonic()
                if known is None or signature(found, watch) != known or left <= 0:
                    break
                await changes.wait(change, left)      # a change this page does not show: wait on
        except ClassroomError as err:
            return JSONResponse({"error": str(err)}, 404)
        return JSONResponse({**found, "signature": signature(found, watch)}, headers={"Cache-Control": "no-store"})

    async def plot(request: Request):
        name, days = request.path_params["name"], request.path_params["days"]
        if name not in GAME_PLOTS:
            return PlainTextResponse("no such plot", 404)
        try:
            record = await run_in_threadpool(classroom.record, request.path_params["code"])
            svg = await run_in_threadpool(views.plot, record, name, days)
        except ClassroomError as err:
            return PlainTextResponse(str(err), 404)
        # a game's run to a given day never changes: the browser keeps the picture
        return Response(svg, media_type="image/svg+xml",
                        headers={**HEADERS, "Cache-Control": "private, max-age=86400, immutable"})

    # -------------------------------------------------------------------------------- a player's pages

    def player_page(token: str, error: str = "", status_code: int = 200, memo: str = "") -> HTMLResponse:
        player = classroom.player(token)
        record = classroom.record(player.game)
        state = classroom.round(record)
        game = classroom.game(record)
        now = changes.standing(classroom, record.code)
        values = dict(player=player, record=record, state=state, rounds=game.rounds, error=error, memo=memo,
                      story=views.story(record), plots=views.plots(record, state.days_played), most_moves=MOST_MOVES,
                      watch="player", signature=signature(now, "player"),
                      debrief_ready=now["debrief"])
        if player.actor is None:
            taken = {p.actor for p in classroom.store.players(record.code)}
            values["free"] = [(a, leaning(record.scenario, a.alignment)) for a in record.scenario.actors
                              if a.id not in taken]
            return page("choose.html", status_code, **values)
        values["briefing"] = briefing(record.scenario, player.actor)
        values["sent"] = player.actor in state.sent
        if state.status == "playing" and not values["sent"]:
            values["menu"] = [(move, [(t, record.scenario.actor(t).name) for t in targets])
                              for move, targets in classroom.menu(record, player.actor)]
        return page("play.html", status_code, **values)

    async def play(request: Request):
        try:
            return await run_in_threadpool(player_page, request.path_params["token"])
        except ClassroomError as err:
            return problem(str(err), 404)

    async def take(request: Request):
        token = request.path_params["token"]
        data = await form(request)
        try:
            await run_in_threadpool(classroom.take, token, data.get("actor"))
        except ClassroomError as err:
            try:
                return await run_in_threadpool(player_page, token, str(err), 409)
            except ClassroomError as err2:
                return problem(str(err2), 404)
        return RedirectResponse(f"/play/{token}", 303)

    async def moves(request: Request):
        token = request.path_params["token"]
        data = await form(request)
        try:
            sent = [Choice(data[f"move{k}"], data.get(f"target{k}") or None)
                    for k in range(1, MOST_MOVES + 1) if data.get(f"move{k}")]
            number = int(data.get("round", "0")) if data.get("round", "0").isdigit() else -1
            await run_in_threadpool(classroom.submit, token, number, sent, data.get("memo", ""))
        except ClassroomError as err:
            try:
                return await run_in_threadpool(player_page, token, str(err), 409, data.get("memo", "")[:2000])
            except ClassroomError as err2:
                return problem(str(err2), 404)
        return RedirectResponse(f"/play/{token}", 303)

    # -------------------------------------------------------------------------------- the teacher's pages

    def teacher(request: Request) -> str:
        key = request.path_params["key"]
        classroom.check_key(key)
        return key

    async def teacher_home(request: Request):
        try:
            key = teacher(request)
        except ClassroomError as err:
            return problem(str(err), 403)
        games = await run_in_threadpool(classroom.store.games)
        return page("teacher.html", key=key, games=games, names=names, default=scenario.name)

    async def new_game(request: Request):
        try:
            key = teacher(request)
        except ClassroomError as err:
            return problem(str(err), 403)
        data = await form(request)
        try:
            days = data.get("days", "7")
            if not days.isdigit():
                raise ClassroomError("days per round: a whole number from 1 to 100")
            chosen = await run_in_threadpool(offered, data.get("scenario", ""))
            code = await run_in_threadpool(classroom.new_game, chosen, days=int(days))
        except (ClassroomError, ScenarioError) as err:
            return problem(str(err), 400, back=f"/teacher/{key}")
        return RedirectResponse(f"/teacher/{key}/games/{code}", 303)

    def game_page(key: str, code: str, base: str, error: str = "", status_code: int = 200) -> HTMLResponse:
        record = classroom.record(code)
        state = classroom.round(record)
        players = classroom.store.players(record.code)
        now = changes.standing(classroom, record.code)
        join_url = f"{address or base}/join?code={record.code}"
        return page("game.html", status_code, key=key, record=record, state=state, players=players,
                    rounds=classroom.game(record).rounds, join_url=join_url, qr=qr_svg(join_url),
                    story=views.story(record), plots=views.plots(record, state.days_played), error=error,
                    debrief_ready=now["debrief"], watch="teacher", signature=signature(now, "teacher"))

    async def teacher_game(request: Request):
        try:
            key = teacher(request)
        except ClassroomError as err:
            return problem(str(err), 403)
        try:
            return await run_in_threadpool(game_page, key, request.path_params["code"], base_url(request))
        except ClassroomError as err:
            return problem(str(err), 404)

    async def teacher_action(request: Request):
        try:
            key = teacher(request)
        except ClassroomError as err:
            return problem(str(err), 403)
        code, action = request.path_params["code"], request.path_params["action"]
        data = await form(request)
        try:
            if action == "start":
                await run_in_threadpool(classroom.start, code)
            elif action == "release":
                await run_in_threadpool(classroom.release, code, data.get("token", ""))
            elif action == "close":
                number = data.get("round", "")
                await run_in_threadpool(classroom.close_round, code, int(number) if number.isdigit() else -1,
                                        views.prepare)
            else:
                return problem(f"no action {action[:20]!r}", 404)
        except ClassroomError as err:
            try:
                return await run_in_threadpool(game_page, key, code, base_url(request), str(err), 409)
            except ClassroomError as err2:
                return problem(str(err2), 404)
        return RedirectResponse(f"/teacher/{key}/games/{code}", 303)

    # -------------------------------------------------------------------------------- the debrief

    async def debrief(request: Request):
        code, _, fmt = request.path_params["name"].partition(".")
        if fmt not in ("", "md", "html"):
            return problem("a debrief comes as a page, .html or .md", 404)
        try:
            record = await run_in_threadpool(classroom.record, code)
            body = await run_in_threadpool(classroom.ready_debrief, record.code)
        except ClassroomError as err:
            return problem(str(err), 404)
        if body is None:
            return page("computing.html", 202, record=record, watch="debrief",
                        signature=signature(changes.standing(classroom, record.code), "debrief"))
        if fmt == "md":
            attachment = {"Content-Disposition": f'attachment; filename="debrief-{record.code}.md"'}
            return PlainTextResponse(debrief_markdown(record, body), media_type="text/markdown", headers=attachment)
        scenario = record.scenario
        plots = await run_in_threadpool(views.plots, record, scenario.steps)      # (drawn anew after a restart)
        players = [(p, scenario.actor(p["actor"]).name, effect_text(p["effect"])) for p in body["players"]]
        timeline = [(m, scenario.actor(m["actor"]).name,
                     [move_label(move, target, scenario) for move, target in m["moves"]], effect_text(m["effect"]))
                    for m in body["moves"]]
        template = "report.html" if fmt == "html" else "debrief.html"
        response = page(template, record=record, body=body, players=players, timeline=timeline,
                        ensemble=body["ensemble"], plots=plots, days=scenario.steps, css=_css() if fmt else "")
        if fmt == "html":
            response.headers["Content-Disposition"] = f'attachment; filename="debrief-{record.code}.html"'
        return response

    routes = [
        Route("/", home),
        Route("/join", join_page, methods=["GET"]),
        Route("/join", join, methods=["POST"]),
        Route("/play/{token}", play, methods=["GET"]),
        Route("/play/{token}/take", take, methods=["POST"]),
        Route("/play/{token}/moves", moves, methods=["POST"]),
        Route("/teacher/{key}", teacher_home, methods=["GET"]),
        Route("/teacher/{key}/games", new_game, methods=["POST"]),
        Route("/teacher/{key}/games/{code}", teacher_game, methods=["GET"]),
        Route("/teacher/{key}/games/{code}/{action}", teacher_action, methods=["POST"]),
        Route("/games/{code}/status", status),
        Route("/games/{code}/plots/{days:int}/{name}.svg", plot),
        Route("/debrief/{name}", debrief),
        Mount("/static", StaticFiles(packages=[("sim.web", "static")]), name="static"),
    ]
    solara_lifespan = None
    if explore:
        solara_app, solara_lifespan = _solara()
        routes.append(Mount("/explore", app=solara_app))

    @asynccontextmanager
    async def lifespan(app):
        changes.loop = asyncio.get_running_loop()
        if solara_lifespan is None:
            yield
        else:
            async with solara_lifespan(solara_app):
                yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(BodyLimit)
    return app


def _solara():
    """Solara's ASGI app serving `sim.app` (the explore page) and its lifespan, configured to run offline."""
    os.environ["SOLARA_APP"] = "sim.app"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    # Solara warns, for a reverse proxy's sake, when the address does not end with the path it is mounted
    # at, and when plain http makes it fall back to SameSite=Lax cookies: both are what a classroom server
    # mounted at /explore on the room's network is meant to do.
    warnings.filterwarnings("ignore", message="base url .* does not end with root path", category=UserWarning)
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    import solara.server.starlette as solara_server

    return solara_server.app, solara_server.lifespan


def _css() -> str:
    return (Path(__file__).parent / "static" / "dipsim.css").read_text(encoding="utf-8")


def base_url(request: Request) -> str:
    """The address the request came to (scheme, host and port), for the join address and its QR code."""
    return f"{request.url.scheme}://{request.url.netloc}"


@functools.lru_cache(maxsize=64)
def qr_svg(text: str) -> str:
    """``text`` as a QR code in SVG (markup made by segno from the address alone), with a viewBox and no
    size of its own: the style sheet sizes it for the room."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=6, dark="#111", light="#fff", omitsize=True)

