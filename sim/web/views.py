"""What the game's pages show, computed from the stored game: the run so far as `RunData`, its plots
(rendered once a round and kept), the story of a round, an actor's briefing, and the debrief report."""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

import matplotlib

from sim.classroom.classroom import Classroom, ClassroomError
from sim.classroom.debrief import MEASURES
from sim.classroom.game import Submission
from sim.classroom.moves import MOVES
from sim.classroom.store import GameRecord
from sim.io.rundata import RunData
from sim.io.runfiles import run_files
from sim.roles import BACKS, stance
from sim.scenario import Scenario
from sim.viz.files import render
from sim.viz.network import alignment_network
from sim.viz.run import (
    alignment_over_time,
    battlefield,
    has_battlefield,
    road_to_ceasefire,
    what_moved_whom,
)

#: The plots a game page shows, by the name in their address (the battlefield only in a game that has one:
#: `game_plots`). The page tells the story day by day, so the alignment plot leaves out its key of events (a
#: class's moves would make it longer than the plot).
GAME_PLOTS = {"alignment": partial(alignment_over_time, key=False), "ceasefire": road_to_ceasefire,
              "battlefield": battlefield, "network": alignment_network, "moves": what_moved_whom}
#: How an alignment reads, for a briefing: beyond this either way an actor backs a side.
LEANING = BACKS
#: How long the class must send nothing before the open round's end is drawn ahead (seconds).
PAUSE = 0.5


def game_plots(run: RunData) -> list[str]:
    """The names of the `GAME_PLOTS` a game's run shows: every one, the battlefield only when the run has one
    (`has_battlefield`)."""
    return [name for name in GAME_PLOTS if name != "battlefield" or has_battlefield(run)]


def render_plot(files: dict[str, str], name: str) -> bytes:
    """One of `GAME_PLOTS` of the run whose files are ``files``, as SVG bytes (run in a worker process).

    SVG with its words as text, not paths: sharp on a projector and on a phone zoomed in, and drawn in
    under half the time of a PNG of the same plot (no pixels to fill and compress)."""
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        return render(GAME_PLOTS[name](RunData.from_files(files)), "svg")


def load_drawing() -> None:
    """Nothing: a worker process that runs it has imported this module, and with it matplotlib and the
    plots (`sim.viz`), which is the work a worker does once, at the start."""


class Views:
    """The pictures and texts of a classroom's games, each computed once a round and kept.

    A round's run and plots are made before the class is told the round closed (`prepare`), the plots in
    ``pool``'s worker processes when there is one (matplotlib holds the interpreter while it draws), so
    that the pages the whole class then asks for are ready. They are also made ahead (`anticipate`): each
    time moves arrive, once the class pauses for `PAUSE` seconds, the open round's end is drawn with the
    moves sent so far, so that a teacher who closes the round when everyone has sent finds it drawn. A
    run is kept by the game, its day and the number of submissions acting by then.
    """

    def __init__(self, classroom: Classroom, pool: Executor | None = None) -> None:
        self.classroom = classroom
        self.pool = pool
        self._runs: dict[tuple[str, int, int], RunData] = {}
        self._plots: dict[tuple[str, int, int, str], bytes] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self._waiting: set[str] = set()
        self._wake = threading.Event()
        self._ahead: threading.Thread | None = None

    def _lock(self, key: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _key(self, record: GameRecord, submissions: Sequence[Submission], day: int) -> tuple[str, int, int]:
        game = self.classroom.game(record)
        return record.code, day, sum(game.first_day(s.round) <= day for s in submissions)

    def prepare(self, record: GameRecord, submissions: Sequence[Submission], day: int) -> None:
        """Make the run to ``day`` with these submissions and its plots, unless they are made already."""
        key = self._key(record, submissions, day)
        with self._lock(key):
            if key in self._runs:
                return
            files = run_files(self.classroom.game(record).play(submissions, day), record.seed)
            run = RunData.from_files(files)
            if self.pool is None:
                plots = {name: render_plot(files, name) for name in game_plots(run)}
            else:
                jobs = {name: self.pool.submit(render_plot, files, name) for name in game_plots(run)}
                plots = {name: job.result() for name, job in jobs.items()}
            self._plots.update({(*key, name): png for name, png in plots.items()})
            self._runs[key] = run

    def run(self, record: GameRecord) -> RunData:
        """The game's run to the end of its last closed round."""
        return self._made(record, self.classroom.round(record).days_played)[0]

    def plots(self, record: GameRecord, day: int) -> list[str]:
        """The names of the plots a page shows of the run to day ``day`` (`game_plots`; none on day 0, before
        any is played)."""
        return game_plots(self._made(record, day)[0]) if day else []

    def plot(self, record: GameRecord, name: str, day: int) -> bytes:
        """One of `GAME_PLOTS` of the run to day ``day`` (the end of a closed round); ClassroomError for a day
        not played, or a plot this game does not show (`game_plots`)."""
        if not 0 <= day <= self.classroom.round(record).days_played:
            raise ClassroomError(f"day {day} of game {record.code} has not been played")
        run, key = self._made(record, day)
        if name not in game_plots(run):
            raise ClassroomError(f"game {record.code} has no {name} plot")
        return self._plots[(*key, name)]

    def _made(self, record: GameRecord, day: int) -> tuple[RunData, tuple]:
        submissions = self.classroom.store.submissions(record.code)
        key = self._key(record, submissions, day)
        if key not in self._runs:                      # after a restart, or the lobby's day 0
            self.prepare(record, submissions, day)
        return self._runs[key], key

    def anticipate(self, code: str) -> None:
        """Draw the open round's end ahead, with the moves sent so far (a `Classroom` listener)."""
        with self._guard:
            self._waiting.add(code)
            if self._ahead is None:
                self._ahead = threading.Thread(target=self._draw_ahead, daemon=True, name="draw-ahead")
                self._ahead.start()
        self._wake.set()

    def _draw_ahead(self) -> None:
        while True:
            self._wake.wait()
            while self._wake.wait(PAUSE):              # until the class pauses
                self._wake.clear()
            with self._guard:
                codes, self._waiting = self._waiting, set()
            for code in codes:
                with contextlib.suppress(ClassroomError):
                    record = self.classroom.record(code)
                    if record.status == "playing" and self.classroom.round(record).sent:
                        game = self.classroom.game(record)
                        self.prepare(record, self.classroom.store.submissions(code), game.last_day(record.round))

    def story(self, record: GameRecord) -> list[tuple[int, str, str]]:
        """What happened in the last closed round, day by day: ``(day, kind, text)``, each move once."""
        state = self.classroom.round(record)
        if state.days_played == 0:
            return []
        game = self.classroom.game(record)
        closed = state.number - 1
        first = game.first_day(closed)
        run = self.run(record)
        # A move's note names its actor and its player already: a player's name is as the player wrote it,
        # even when it is an actor's id ("EU").
        moves = {event["note"] for s in self.classroom.store.submissions(record.code) for event in s.events}
        seen, lines = set(), []
        for happening in run.happenings:
            if happening.step < first or (happening.step, happening.note) in seen:
                continue
            seen.add((happening.step, happening.note))
            text = happening.note if happening.note in moves else run.names(happening.note)
            lines.append((happening.step, happening.kind, text))
        return lines


@dataclass(frozen=True)
class Briefing:
    """An actor's briefing: who it is, where it stands, what the article quotes, its ties and its goals."""

    name: str
    stance: str
    ceasefire: str
    capability: float
    quotations: tuple[str, ...]
    ties: tuple[str, ...]
    goals: tuple[str, ...]


def leaning(scenario: Scenario, alignment: float) -> str:
    """Which side an alignment backs, in words."""
    first, second = (scenario.actor(s).name for s in scenario.sides)
    return stance(alignment, (first, second))


def briefing(scenario: Scenario, actor_id: str) -> Briefing:
    actor = scenario.actor(actor_id)
    ties = []
    for tie in scenario.ties:
        if actor_id in tie.actors:
            other = scenario.actor(tie.target if tie.source == actor_id else tie.source).name
            direction = ("to " if tie.source == actor_id else "from ") if tie.directed else "with "
            ties.append(f"{tie.kind} {direction}{other} ({tie.weight:+.1f})")
    if actor_id in scenario.sides:
        enemy = scenario.actor(next(s for s in scenario.sides if s != actor_id)).name
        goals = (f"Hold what you fight for against {enemy}, at a cost your people will bear.",
                 "Decide when a ceasefire serves you better than the next day of fighting.")
    else:
        goals = (f"Your government {leaning(scenario, actor.alignment)} (alignment {actor.alignment:+.2f}): "
                 "decide whether to stand by that, move, or step back.",
                 f"Your ceasefire stance is {actor.ceasefire:.2f} (0: none wanted, 1: an immediate ceasefire): "
                 "press for one, broker one, or let the fighting decide.")
    return Briefing(
        name=actor.name, stance=leaning(scenario, actor.alignment), ceasefire=f"{actor.ceasefire:.2f}",
        capability=actor.capability, quotations=actor.sources, ties=tuple(ties), goals=goals)


def move_label(move: str, target: str | None, scenario: Scenario) -> str:
    label = MOVES[move].label if move in MOVES else move
    return f"{label} ({scenario.actor(target).name})" if target else label


def effect_text(effect: dict | None) -> str:
    """A measured effect in words, read honestly: a change within two standard errors of nothing is no
    measured change ("a lasting ceasefire 18 points more likely (±4); days of ceasefire: no measured
    change (+0.2 ± 0.5)")."""
    if effect is None:
        return "no move (memo only)"
    parts = []
    for key, label, kind in MEASURES:
        change, margin = effect[key]["change"], 2 * effect[key]["se"]
        scale, unit, digits = (100, " points", 0) if kind == "share" else (1, "", 1)
        shown = f"{scale * change:+.{digits}f}{unit} ± {scale * margin:.{digits}f}"
        if abs(change) <= margin:
            parts.append(f"{label}: no measured change ({shown})")
        elif kind == "share":
            parts.append(f"{label} {abs(scale * change):.0f} points {'more' if change > 0 else 'less'} likely "
                         f"(± {scale * margin:.0f})")
        else:
            parts.append(f"{abs(change):.1f} {'more' if change > 0 else 'fewer'} {label} (± {margin:.1f})")
    return "; ".join(parts)


def debrief_markdown(record: GameRecord, body: dict) -> str:
    """The debrief as Markdown, for grading: each player's counterfactual and every move with its memo.
    Names and memos are quoted as text (``<``, ``>``, ``&`` escaped), never as markup."""
    scenario = record.scenario

    def text(value: str) -> str:
        return html.escape(value, quote=False).replace("\n", " ")

    lines = [f"# Debrief: {text(record.title)} (game {record.code})", "",
             f"Every effect is the change made by the moves against the rules playing that actor instead, on "
             f"{body['runs']} runs with the same seeds (± two standard errors); each round's moves on "
             f"{body['submission_runs']} runs.", "", "## Players", ""]
    for p in body["players"]:
        lines.append(f"- **{text(p['player'])}** ({text(scenario.actor(p['actor']).name)}): "
                     f"{effect_text(p['effect'])}")
    lines += ["", "## Every move", ""]
    for m in body["moves"]:
        moves = "; ".join(move_label(move, target, scenario) for move, target in m["moves"]) or "no move"
        lines += [f"### Round {m['round']}: {text(scenario.actor(m['actor']).name)}, played by {text(m['player'])}",
                  "", f"Moves: {text(moves)}", "", f"> {text(m['memo'])}", "", f"Measured: {effect_text(m['effect'])}",
                  ""]
    return "\n".join(lines)
