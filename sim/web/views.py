"""What the game's pages show, computed from the stored game: the run so far as `RunData`, its plots
(rendered once a round and kept), the story of a round, an actor's briefing, and the debrief report."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

from sim.classroom.classroom import Classroom
from sim.classroom.debrief import MEASURES
from sim.classroom.game import Submission
from sim.classroom.moves import MOVES
from sim.classroom.store import GameRecord
from sim.core.engine import Simulation
from sim.io.rundata import RunData
from sim.io.runfiles import run_files
from sim.scenario import Scenario
from sim.viz.files import render
from sim.viz.network import alignment_network
from sim.viz.run import alignment_over_time, road_to_ceasefire, what_moved_whom

#: The plots a game page shows, by the name in their address. The page tells the story day by day, so the
#: alignment plot leaves out its key of events (a class's moves would make it longer than the plot).
GAME_PLOTS = {"alignment": partial(alignment_over_time, key=False), "ceasefire": road_to_ceasefire,
              "network": alignment_network, "moves": what_moved_whom}
#: How an alignment reads, for a briefing: beyond this either way an actor backs a side.
LEANING = 0.2


def render_plot(files: dict[str, str], name: str) -> bytes:
    """One of `GAME_PLOTS` of the run whose files are ``files``, as PNG bytes (run in a worker process)."""
    return render(GAME_PLOTS[name](RunData.from_files(files)))


def load_drawing() -> None:
    """Load what drawing needs (a worker process runs this once, at the start)."""
    import matplotlib.pyplot  # noqa: F401 - the import is the work


class Views:
    """The pictures and texts of a classroom's games, each computed once a round and kept.

    A round's run and plots are made when the round closes (`prepare`, before the class is told), the
    plots in ``pool``'s worker processes when there is one (matplotlib holds the interpreter while it
    draws), so that the pages the whole class then asks for are ready.
    """

    def __init__(self, classroom: Classroom, pool: Executor | None = None) -> None:
        self.classroom = classroom
        self.pool = pool
        self._runs: dict[tuple[str, int], RunData] = {}
        self._plots: dict[tuple[str, int, str], bytes] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def prepare(self, record: GameRecord, simulation: Simulation) -> None:
        """Make the run and the plots of ``simulation``, the game's run to the end of a round."""
        key = (record.code, simulation.steps)
        with self._lock(key):
            if key in self._runs:
                return
            files = run_files(simulation, record.seed)
            if self.pool is None:
                plots = {name: render_plot(files, name) for name in GAME_PLOTS}
            else:
                jobs = {name: self.pool.submit(render_plot, files, name) for name in GAME_PLOTS}
                plots = {name: job.result() for name, job in jobs.items()}
            self._plots.update({(*key, name): png for name, png in plots.items()})
            self._runs[key] = RunData.from_files(files)

    def run(self, record: GameRecord) -> RunData:
        """The game's run to the end of its last closed round."""
        key = (record.code, self.classroom.round(record).days_played)
        if key not in self._runs:                      # after a restart, or the lobby's day 0
            self.prepare(record, self.classroom.run(record))
        return self._runs[key]

    def plot(self, record: GameRecord, name: str, days: int) -> bytes:
        """One of `GAME_PLOTS` of the run to day ``days`` (the last closed round's end, or an earlier one's)."""
        key = (record.code, days, name)
        if key not in self._plots:
            self.prepare(record, self.classroom.run(record, until=days))
        return self._plots[key]

    def story(self, record: GameRecord) -> list[tuple[int, str, str]]:
        """What happened in the last closed round, day by day: ``(day, kind, text)``, each move once."""
        state = self.classroom.round(record)
        if state.days_played == 0:
            return []
        game = self.classroom.game(record)
        closed = state.number - 1
        first = game.first_day(closed)
        run = self.run(record)
        # A move's note names its actor and the player already: actor ids in it (the OSCE's name holds
        # its id, a player may be called "EU") are not to be replaced by names again.
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
    if alignment <= -LEANING:
        return f"backs {first}"
    if alignment >= LEANING:
        return f"backs {second}"
    return "non-aligned"


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


def debrief_markdown(record: GameRecord, body: dict, submissions: Sequence[Submission]) -> str:
    """The debrief as Markdown, for grading: each player's counterfactual and every move with its memo.
    Names and memos are quoted as text (``<``, ``>``, ``&`` escaped), never as markup."""
    scenario = record.scenario

    def text(value: str) -> str:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")

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
