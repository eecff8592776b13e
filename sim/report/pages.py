"""A class-ready report of a run, written from its recorded data alone: ``report.md`` and ``report.html``.

The report holds the scenario's title and description, the actors and their starting stances with the
article's quotations, a day-by-day account of what happened (events, ceasefires and their brokers,
breakdowns, the largest moves and what caused them), each ceasefire (how it came, who brokered it, how it
ended), the battlefield (who took what share of the contested area by which day, each side's losses), the
plots and the final coalitions. Every sentence is generated from ``events.csv``, ``model.csv``,
``timeseries.csv``, ``contributions.csv``, ``ceasefires.csv`` and ``summary.json``; nothing is written by
hand for a scenario. The same run gives the same text.

``report.html`` is self-contained (inline CSS, images as data URIs, no scripts, no links out);
``report.md`` shows the PNGs in ``plots/`` by relative path.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sim import __version__
from sim.core.records import Ceasefire, credit_line
from sim.io.rundata import RunData
from sim.report.explain import WHOLE_FIELDS
from sim.roles import BACKS, COALITION_CAVEAT, GROUPS, PRESSING, group_label, role_label
from sim.viz.files import plot_names
from sim.viz.run import has_battlefield

#: The plots of the report, in order: file stem and caption.
FIGURES = (
    ("alignment_over_time", "Who backs whom, day by day. Each line is an actor, coloured by what it does at the "
                            "end: the side it backs (alignment at least 0.2 towards it), grey when non-aligned, a "
                            "purple plus at the end of a mediator's line; numbered dashed lines mark events, "
                            "green shading the days a ceasefire is in force."),
    ("road_to_ceasefire", "The road to a ceasefire: each side's willingness to stop against the threshold both "
                          "must reach, the pressure of the mediators who press hardest, and the fighting. A disc "
                          "marks a ceasefire both sides wanted, a triangle a truce signed under pressure, a square "
                          "one a scenario event declared."),
    ("battlefield", "The battlefield: the share of the contested area each side's forces hold, and the military "
                    "deaths each side has suffered so far. The front stands still while a ceasefire is in force."),
    ("alignment_network", "The network at the start and at the end. Node colour: alignment; size: capability; "
                          "ring: what the actor does (the side it backs, grey when non-aligned; a purple plus marks "
                          "a mediator); shape: landscape coalition (the lowest-energy split of the ties, not what "
                          "each actor does); green lines: friendly ties, purple dashed: hostile ties, "
                          "dotted: mediation channels, dash-dotted: peacekeepers."),
    ("what_moved_whom", "What moved whom: each rule's total part in the alignment of the actors that moved most; "
                        "the diamond is the net change."),
)
SOURCE_WORDS = {"events": "scenario events", "limits": "the limits of the scale", "war_aims": "war aims"}
#: How each way a ceasefire comes (`sim.core.records.ARRIVALS`) is told: "a ceasefire both sides wanted".
CAME_WORDS = {"ripe": "both sides wanted", "pressure": "signed under pressure before both sides wanted one",
              "declared": "declared by a scenario event"}
#: Sources that are not a mechanism: ranked on, they would make the largest moves a matter of chance.
NOT_CAUSES = ("noise", "limits")
MINUS = "\u2212"
#: What a landscape coalition is, for a class.
COALITION_NOTE = ("Coalitions follow landscape theory (Axelrod and Bennett 1993): the split of the actors with the "
                  f"lowest energy given their ties and capabilities, {COALITION_CAVEAT.split(': ', 1)[1]}.")


# ------------------------------------------------------------------------------------- the document

@dataclass(frozen=True)
class Block:
    """One block of the report: ``kind`` is h1, h2, h3, p, note, items, quotes, table or figure."""

    kind: str
    text: str = ""
    items: tuple = ()
    header: tuple[str, ...] = ()


def signed(x: float, digits: int = 2) -> str:
    """``+0.10`` or ``−0.05`` (a true minus sign)."""
    text = f"{x:+.{digits}f}"
    return text.replace("-", MINUS)


def plain(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace("-", MINUS)


def sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\u201d\"'" else text + "."


def possessive(name: str) -> str:
    """``Turkey's``, ``United States'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _first_up(text: str) -> str:
    """``text`` with its first letter a capital (and the rest as it is: "Day 12 (9 Oct 2020)")."""
    return text[:1].upper() + text[1:]


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def join(words: Sequence[str], last: str = "and") -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def share(x: float) -> str:
    """A share (of the contested area, of the runs) as a whole percentage: ``38%``."""
    return f"{x:.0%}"


def deaths(x: float) -> str:
    """A number of deaths: ``3,833``."""
    return f"{x:,.0f}"


def truce(c: Ceasefire) -> str:
    """What a ceasefire is called: a truce when signed under pressure, else a ceasefire."""
    return "truce" if c.came == "pressure" else "ceasefire"


class Narrator:
    """Plain sentences about one run, from its data."""

    def __init__(self, run: RunData) -> None:
        self.run = run
        self.first, self.second = (run.name(s) for s in run.sides)

    def source(self, source: str) -> str:
        return SOURCE_WORDS.get(self.run.rule_of(source), SOURCE_WORDS.get(source, source))

    def toward(self, change: float) -> str:
        return f"toward {self.second}" if change > 0 else f"toward {self.first}"

    def stance(self, alignment: float) -> str:
        """What an alignment means in words."""
        if alignment <= -0.6:
            return f"backs {self.first} firmly"
        if alignment <= -0.2:
            return f"leans toward {self.first}"
        if alignment < 0.2:
            return f"stands between {self.first} and {self.second}"
        if alignment < 0.6:
            return f"leans toward {self.second}"
        return f"backs {self.second} firmly"

    def pressing(self, ceasefire: float) -> str:
        if ceasefire >= 0.7:
            return "presses hard for a ceasefire"
        if ceasefire >= 0.4:
            return "favours a ceasefire"
        if ceasefire >= 0.2:
            return "does little to press for a ceasefire"
        return "does not press for a ceasefire"

    def causes(self, totals: Mapping[str, float], least: float = 0.005, digits: int = 2) -> tuple[str, str]:
        """The main cause and the others of a move, as ``("alliance (+0.10)", "influence (−0.05)")``."""
        ranked = sorted(((s, v) for s, v in totals.items() if abs(v) >= least), key=lambda sv: -abs(sv[1]))
        words = [f"{self.source(s)} ({signed(v, digits)})" for s, v in ranked]
        return (words[0] if words else "", join(words[1:]))

    # -------------------------------------------------------------------------------- actors

    def actor_lines(self, actor: str) -> str:
        run = self.run
        a = run.scenario.actor(actor)
        if actor in run.sides:
            role = (f"{a.name} is one of the two sides of the fighting (alignment {signed(a.alignment)}); its "
                    f"willingness to accept a ceasefire starts at {plain(a.ceasefire)}")
            if a.intensity:
                role += f" and the intensity of its fighting at {plain(a.intensity)}"
            if a.territory:
                role += f"; its forces hold {share(a.territory)} of the contested area"
        else:
            role = (f"{a.name} {self.stance(a.alignment)} (alignment {signed(a.alignment)}) and "
                    f"{self.pressing(a.ceasefire)} ({plain(a.ceasefire)})")
        return sentence(f"{role}; capability {plain(a.capability)}, stubbornness {plain(a.stubbornness)}")

    # -------------------------------------------------------------------------------- day by day

    def days(self, moves: int = 3, least: float = 0.01) -> list[tuple[int, list[str]]]:
        """What happened on each day something did: events, ceasefires, breakdowns, tie changes, the first day
        each side is willing enough, and the ``moves`` largest one-day moves in alignment (at least ``least``)."""
        run = self.run
        found: dict[int, list[str]] = {}
        said: set[tuple[int, str]] = set()
        coming = iter(run.ceasefires)                                # the k-th ceasefire row is the k-th ceasefire,
        ending = iter(c for c in run.ceasefires if c.end is not None)  # the k-th breakdown row the k-th that ended
        told: dict[tuple[int, str], tuple[int, list[str]]] = {}   # an event's note, told once a day: where, effects
        for h in run.happenings:
            lines = found.setdefault(h.step, [])
            if h.kind == "event":
                if (h.step, h.note) not in told:
                    told[(h.step, h.note)] = (len(lines), [])
                    lines.append("")
                at, effects = told[(h.step, h.note)]
                effects += [e for e in [self.event_effects(h.step, h.actors, said)] if e]
                lines[at] = sentence(h.note) + (f" ({join(effects)}.)" if effects else "")
            elif h.kind == "ceasefire":
                lines.append(self.ceasefire_comes(next(coming)))
            elif h.kind == "breakdown":
                lines.append(self.ceasefire_ends(next(ending), h.note))
            else:
                lines.append(sentence(run.names(h.note)))
        for day, text in self.thresholds():
            found.setdefault(day, []).append(text)
        for day, text in self.largest_moves(moves, least, said):
            found.setdefault(day, []).append(text)
        last = run.steps
        in_force = bool(run.measure("ceasefire_in_force").iloc[-1])
        found.setdefault(last, []).append(
            "The run ends with a ceasefire in force." if in_force else "The run ends with no ceasefire in force.")
        return [(day, lines) for day, lines in sorted(found.items()) if lines]

    def brokered(self, c: Ceasefire) -> str:
        """``, brokered by Russia with France and the United States`` ("" when nobody brokered ``c``)."""
        return f", brokered by {credit_line([self.run.name(b) for b in c.brokers])}" if c.brokers else ""

    def ceasefire_comes(self, c: Ceasefire) -> str:
        """The day a ceasefire comes: how it came (`CAME_WORDS`) and who brokered it."""
        return (f"A {truce(c)} {CAME_WORDS[c.came]} comes into force between {self.first} and {self.second}"
                f"{self.brokered(c)}.")

    def ceasefire_ends(self, c: Ceasefire, note: str) -> str:
        """The day a ceasefire ends: by a scenario event, or breaking down (the same day it came, or later), with
        the daily hazard the breakdown's ``note`` gives in brackets."""
        what = f"The {truce(c)} between {self.first} and {self.second}"
        if c.ended_by == "event":
            return f"{what} ends."
        detail = re.search(r"\(([^)]*)\)", note)
        when = " the day it came" if c.end == c.start else ""
        return f"{what} breaks down{when}" + (f" ({detail.group(1)})." if detail else ".")

    def event_effects(self, step: int, actors: Sequence[str], said: set[tuple[int, str]]) -> str:
        """What scenario events changed on ``step`` for ``actors``: ``Turkey's alignment −0.30``."""
        rows = self.run.contributions
        rows = rows[(rows["step"] == step) & (rows["rule"] == "events") & rows["actor"].isin(list(actors))]
        parts = []
        for (actor, field), change in rows.groupby(["actor", "field"], sort=False)["change"].sum().items():
            if abs(change) < 1e-9 or (step, actor) in said:
                continue
            parts.append(f"{possessive(self.run.name(actor))} {field} "
                         f"{signed(change, 0 if field in WHOLE_FIELDS else 2)}")
        for actor in actors:
            said.add((step, actor))
        return join(parts)

    def thresholds(self) -> list[tuple[int, str]]:
        """The first day each side's willingness reaches the mediation threshold."""
        run = self.run
        if run.threshold is None:
            return []
        willing = run.field("ceasefire")
        found = []
        for side in run.sides:
            reached = willing.index[willing[side] >= run.threshold]
            if len(reached) and reached[0] > 0:
                day = int(reached[0])
                found.append((day, f"{possessive(run.name(side))} willingness to accept a ceasefire reaches the "
                                   f"threshold of {plain(run.threshold)} for the first time."))
        return found

    def largest_moves(self, most: int, least: float, said: set[tuple[int, str]]) -> list[tuple[int, str]]:
        """The ``most`` largest one-day moves in alignment that a rule made (not noise, not a scenario event
        already told, not the limits of the scale), at least ``least``, with their causes."""
        run = self.run
        rows = run.contributions
        rows = rows[(rows["field"] == "alignment") & (rows["rule"] != "events")]
        causes = rows[~rows["rule"].isin([s for s in run.sources if run.rule_of(s) in NOT_CAUSES])]
        if causes.empty:
            return []
        daily = causes.groupby(["step", "actor"])["change"].sum().rename("push").reset_index()
        daily = daily[daily["push"].abs() >= least].assign(size=lambda d: -d["push"].abs())
        ranked = daily.sort_values(["size", "step", "actor"], kind="stable")
        found = []
        told: set[str] = set()
        for step, actor, push in ranked[["step", "actor", "push"]].itertuples(index=False):
            if (int(step), actor) in said or actor in told:
                continue
            told.add(actor)
            parts = causes[(causes["step"] == step) & (causes["actor"] == actor)].groupby("rule")["change"].sum()
            main, others = self.causes(parts.to_dict(), least=0.0005, digits=3)
            text = (f"{possessive(run.name(actor))} alignment gets one of the largest one-day pushes of the run: "
                    f"{signed(push, 3)} ({self.toward(push)}), mostly by {main}"
                    + (f"; also {others}" if others else "") + ".")
            found.append((int(step), text))
            said.add((int(step), actor))
            if len(found) >= most:
                break
        return found

    # -------------------------------------------------------------------------------- over the run

    def why(self, totals: Mapping[str, float], net: float, least: float = 0.005) -> str:
        """What made a net move of ``net``: ``, mostly by alliance (+0.10); also ...; held back by ...``."""
        parts = sorted(((s, v) for s, v in totals.items() if abs(v) >= least), key=lambda sv: -abs(sv[1]))
        words = lambda items: join([f"{self.source(s)} ({signed(v)})" for s, v in items])  # noqa: E731
        if abs(net) < 0.01:
            if not parts:
                return ""
            return f", pulled both ways: by {words(parts)}"
        along = [(s, v) for s, v in parts if v * net > 0]
        against = [(s, v) for s, v in parts if v * net < 0]
        text = f", mostly by {words(along[:1])}" if along else ""
        text += f"; also {words(along[1:])}" if along[1:] else ""
        text += f"; held back by {words(against)}" if against else ""
        return text

    def overall(self, most: int = 6) -> list[str]:
        """Who moved most over the run and by what; then each side's willingness to stop."""
        run = self.run
        lines = []
        alignment = run.field("alignment")
        totals = run.totals("alignment")
        for actor in run.moved_most("alignment", most):
            start, end = float(alignment[actor].iloc[0]), float(alignment[actor].iloc[-1])
            where = f" ({self.toward(end - start)})" if abs(end - start) >= 0.01 else " (about where it began)"
            lines.append(f"Over the run {run.name(actor)} moved from {signed(start)} to {signed(end)}{where}"
                         f"{self.why(totals.loc[actor].to_dict(), end - start)}.")
        willing = run.field("ceasefire")
        wtotals = run.totals("ceasefire")
        for side in run.sides:
            start, end = float(willing[side].iloc[0]), float(willing[side].iloc[-1])
            verb = "rose" if end >= start + 0.01 else "fell" if end <= start - 0.01 else "stayed about the same,"
            lines.append(f"{possessive(run.name(side))} willingness to accept a ceasefire {verb} from {plain(start)} "
                         f"to {plain(end)}{self.why(wtotals.loc[side].to_dict(), end - start)}.")
        return lines

    def pressure(self, most: int = 5) -> str:
        run = self.run
        if not run.mediators:
            return ""
        mean = run.field("pressure")[list(run.mediators)].iloc[1:].mean().sort_values(ascending=False)
        mean = mean[mean > 1e-9][:most]
        if mean.empty:
            return "No one pressed the sides for a ceasefire."
        names = [f"{run.name(a)} ({plain(v)})" for a, v in mean.items()]
        return f"Those who pressed hardest for a ceasefire (mean daily pressure on the two sides): {join(names)}."

    # -------------------------------------------------------------------------------- ceasefires, battlefield

    def ceasefires(self) -> list[str]:
        """Each ceasefire in turn: its day, how it came, who brokered it, and how and when it ended."""
        run = self.run
        lines = []
        for c in run.ceasefires:
            if c.end is None:
                end = f"still in force at the end of the run, {count(run.steps - c.start, 'day')} later"
            elif c.ended_by == "event":
                end = f"a scenario event ended it on {run.scenario.day_label(c.end)}"
            elif c.end == c.start:
                end = "it broke down the same day"
            else:
                end = f"it broke down on {run.scenario.day_label(c.end)}, {count(c.end - c.start, 'day')} later"
            lines.append(f"{_first_up(run.scenario.day_label(c.start))}: a {truce(c)} {CAME_WORDS[c.came]}"
                         f"{self.brokered(c)}; {end}.")
        return lines

    def battlefield(self) -> list[str]:
        """Who held the contested area on day 0, who took what share of it by which day, how often the front
        moved, and each side's military deaths (the heaviest day's too)."""
        run = self.run
        sides = list(run.sides)
        held, lost = run.field("territory")[sides], run.field("losses")[sides]
        lines = [f"On day 0 {self.holding(held, 0)} of the contested area."]
        first = held.iloc[0]
        gain = held.iloc[-1] - first
        taker = max(sides, key=lambda s: gain[s])
        if gain[taker] >= 0.005:
            lines.append(self.taken(run.name(taker), held[taker] - first[taker]))
        moved = int((held.diff().abs().sum(axis=1) > 1e-9).sum())
        lines.append(f"The front moved on {moved} of the {run.steps} days; at the end {self.holding(held)} of the "
                     f"contested area." if moved else "The front did not move.")
        total = lost.iloc[-1]
        if total.sum() > 0:
            daily = lost.diff().fillna(0.0)
            worst = int(daily.sum(axis=1).idxmax())
            lines.append(f"Military deaths over the {run.steps} days: "
                         f"{join([f'{run.name(s)} {deaths(total[s])}' for s in sides])}; the heaviest day, day "
                         f"{worst}, cost {join([f'{run.name(s)} {deaths(daily.loc[worst, s])}' for s in sides])}.")
        return lines

    def holding(self, held, row: int = -1) -> str:
        """``Armenia holds 62% and Azerbaijan 38%`` (``none`` for nothing): the sides' shares in ``row`` of
        ``held`` (a side's share by day; by default the last)."""
        run = self.run
        first, second = (share(x) if x else "none" for x in held.iloc[row][list(run.sides)])
        return f"{self.first} holds {first} and {self.second} {second}"

    @staticmethod
    def taken(name: str, gained) -> str:
        """``Azerbaijan took 10% of the contested area by day 4, 20% by day 11 and 38% by day 33`` from
        ``gained``, the share a side has taken by each day: the first day it had taken each tenth of the area,
        and the day it came to hold what it holds at the end (and its most, if it held more on the way)."""
        end, top = float(gained.iloc[-1]), float(gained.max())
        marks = [(k / 10, gained.index[gained >= k / 10][0]) for k in range(1, 10) if k / 10 < end - 0.005]
        marks.append((end, gained.index[(gained - end).abs() < 0.005][0]))
        steps = [f"{share(m)}{' of the contested area' if k == 0 else ''} by day {int(day)}"
                 for k, (m, day) in enumerate(marks)]
        most = f" (at most {share(top)}, on day {int(gained.idxmax())})" if top > end + 0.005 else ""
        return f"{name} took {join(steps)}{most}."

    def outcome(self) -> list[str]:
        run = self.run
        lines = []
        cease = run.ceasefires
        if not cease:
            lines.append(f"No ceasefire came in {run.steps} days.")
        else:
            first = cease[0]
            who = f", brokered by {run.name(first.broker)}" if first.broker else ""
            ended = sum(c.ended_by is not None for c in cease)
            held = ("A ceasefire is in force at the end" if cease[-1].end is None
                    else "No ceasefire is in force at the end")
            days = int(run.measure("ceasefire_in_force").iloc[1:].sum())
            pressed = sum(c.came == "pressure" for c in cease)
            signed_so = f" ({pressed} signed under pressure)" if pressed else ""
            lines.append(f"The first ceasefire came on {run.scenario.day_label(first.start)}{who}; "
                         f"{count(len(cease), 'ceasefire')} in all{signed_so}, {'none' if not ended else ended} of them ended. {held}; a ceasefire was "
                         f"in force on {count(days, 'day')} in all.")
        peaks = [f"{run.name(s)} {plain(float(run.intensity(s).max()))}" for s in run.sides]
        lines.append(f"Peak intensity of the fighting: {join(peaks)}.")
        if has_battlefield(run):
            sides = list(run.sides)
            lost = run.field("losses")[sides].iloc[-1]
            lines.append(f"At the end {self.holding(run.field('territory')[sides])} of the contested area; "
                         f"military deaths: {join([f'{run.name(s)} {deaths(lost[s])}' for s in sides])}.")
        return lines

    def coalitions(self, when: str) -> str:
        groups = self.run.coalitions(when)
        names = [f"coalition {k + 1} {{{', '.join(self.run.name(a) for a in g)}}}" for k, g in enumerate(groups)]
        return " against ".join(names)

    def role_of(self, when: str) -> dict[str, str]:
        """What each actor does (`sim.roles`) on the first or the last day, in words."""
        run = self.run
        names = (run.name(run.sides[0]), run.name(run.sides[1]))
        return {a: role_label(r, names) for a, r in run.roles(when).items()}

    def roles(self, when: str) -> str:
        run = self.run
        names = (run.name(run.sides[0]), run.name(run.sides[1]))
        found = run.roles(when)
        parts = []
        for group in GROUPS:
            members = [run.name(a) + (" (mediator)" if r.mediator else "")
                       for a, r in found.items() if r.group == group]
            if members:
                parts.append(f"{group_label(group, names)}: {', '.join(members)}")
        return "; ".join(parts)

    def switches(self) -> list[str]:
        start, end = self.role_of("start"), self.role_of("end")
        return [f"{self.run.name(a)} went from {start[a]} to {end[a]}."
                for a in self.run.actor_ids if a in start and a in end and start[a] != end[a]]


def report_figures(run: RunData) -> list[tuple[str, str]]:
    """The plots of ``run``'s report, each with its caption: those of `FIGURES` its run directory gets
    (`plot_names`: the battlefield only when the run has one)."""
    names = plot_names(run)
    return [(stem, caption) for stem, caption in FIGURES if stem in names]


def document(run: RunData) -> list[Block]:
    """The report of ``run`` as blocks (rendered by `markdown` and `to_html`)."""
    n = Narrator(run)
    scenario = run.scenario
    blocks = [Block("h1", scenario.title),
              Block("note", f"Scenario {scenario.name}, seed {run.seed}, {run.steps} days; sides: {n.first} "
                            f"(alignment {MINUS}1) and {n.second} (+1). dipsim is a teaching model, not a "
                            f"forecast: its numbers are judgements made to teach with.")]
    blocks += paragraphs(scenario.description)
    blocks.append(Block("h2", "The actors on day 0"))
    rows = []
    for a in scenario.actors:
        rows.append((f"{a.name} ({a.id})", a.kind, signed(a.alignment), plain(a.ceasefire), plain(a.capability)))
    blocks.append(Block("table", header=("actor", "kind", "alignment", "ceasefire", "capability"), items=tuple(rows)))
    blocks.append(Block("note", f"Alignment runs from {MINUS}1 (backs {n.first}) to +1 (backs {n.second}). "
                                f"Ceasefire is a side's willingness to accept one, or how hard anyone else "
                                f"presses for one (0 to 1)."))
    for a in scenario.actors:
        blocks.append(Block("h3", f"{a.name} ({a.id})"))
        blocks.append(Block("p", n.actor_lines(a.id)))
        if a.sources:
            blocks.append(Block("quotes", items=tuple(_quoted(q) for q in a.sources)))
    blocks.append(Block("h2", "What happened, day by day"))
    blocks.append(Block("days", items=tuple((_first_up(scenario.day_label(day)), " ".join(lines))
                                            for day, lines in n.days())))
    blocks.append(Block("h2", "Who moved, and why"))
    blocks.append(Block("items", items=tuple(n.overall())))
    pressure = n.pressure()
    if pressure:
        blocks.append(Block("p", pressure))
    if run.ceasefires:
        blocks.append(Block("h2", "The ceasefires"))
        blocks.append(Block("items", items=tuple(n.ceasefires())))
    if has_battlefield(run):
        blocks.append(Block("h2", "The battlefield"))
        blocks.append(Block("items", items=tuple(n.battlefield())))
        blocks.append(Block("note", "Shares are of the area the two sides fight over; deaths are the model's, at "
                                    "the scale its judgements of the forces and their lethality set."))
    blocks.append(Block("h2", "The plots"))
    for stem, caption in report_figures(run):
        blocks.append(Block("figure", text=caption, items=(stem,)))
    blocks.append(Block("h2", "How it ended"))
    blocks.append(Block("items", items=tuple(n.outcome())))
    blocks.append(Block("p", f"What each actor does at the end: {n.roles('end')}."))
    switched = n.switches()
    blocks.append(Block("p", " ".join(switched) if switched
                        else "No actor changed what it does between the first day and the last."))
    blocks.append(Block("note", f"An actor backs a side when its alignment is at least {BACKS:g} towards it (a "
                                f"side is always in its own group); a non-aligned actor with a mediation channel "
                                f"or pressing for a ceasefire (at least {PRESSING:g}) is a mediator."))
    blocks.append(Block("p", f"Landscape coalitions at the start: {n.coalitions('start')}."))
    blocks.append(Block("p", f"Landscape coalitions at the end: {n.coalitions('end')}."))
    blocks.append(Block("note", COALITION_NOTE))
    digest = run.summary.get("manifest", {}).get("scenario_sha256", "")[:12]
    blocks.append(Block("note", f"Written by dipsim {__version__} from the run's recorded data "
                                f"(scenario digest {digest})."))
    return blocks


def paragraphs(text: str) -> list[Block]:
    """``text`` (a scenario's description) as paragraphs: split at blank lines, each on one line."""
    return [Block("p", " ".join(part.split())) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


def _quoted(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------- rendering

#: Characters Markdown could read as markup; ``$`` starts math text in GitHub's and pandoc's Markdown.
_MD_SPECIAL = re.compile(r"([\\`*_<\[\]$])")


def _md(text: str) -> str:
    """``text`` as written, in Markdown: every character that could be markup escaped with a backslash."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown(blocks: Sequence[Block], images: Mapping[str, str]) -> str:
    """The report as Markdown; ``images`` maps a figure's stem to its relative path."""
    out: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(b.kind[1])} {_md(b.text)}")
        elif b.kind == "p":
            out.append(_md(b.text))
        elif b.kind == "note":
            out.append(f"*{_md(b.text)}*")
        elif b.kind == "items":
            out.append("\n".join(f"- {_md(item)}" for item in b.items))
        elif b.kind == "days":
            out.append("\n".join(f"- **{_md(lead)}:** {_md(text)}" for lead, text in b.items))
        elif b.kind == "quotes":
            out.append("\n>\n".join(f"> {_md(q)}" for q in b.items))
        elif b.kind == "table":
            cell = lambda v: _md(str(v)).replace("|", "\\|")  # noqa: E731
            lines = ["| " + " | ".join(b.header) + " |", "|" + "|".join("---" for _ in b.header) + "|"]
            lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in b.items]
            out.append("\n".join(lines))
        elif b.kind == "figure":
            stem = b.items[0]
            if stem in images:
                out.append(f"![{_md(b.text)}]({images[stem]})\n\n*{_md(b.text)}*")
    return "\n\n".join(out) + "\n"


CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto; padding: 0 1.2rem;
       line-height: 1.5; color: #1a1a1a; background: #ffffff; font-size: 1.05rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin-bottom: 0.3rem; }
h2 { font-size: 1.45rem; border-bottom: 2px solid #dddddd; padding-bottom: 0.2rem; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin: 1.3rem 0 0.2rem; }
p.note { color: #555555; font-size: 0.95rem; font-style: italic; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #dddddd; padding: 0.3rem 0.8rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
blockquote { margin: 0.3rem 0 0.3rem 1rem; padding-left: 0.8rem; border-left: 3px solid #cccccc; color: #333333; }
ul.days { list-style: none; padding-left: 0; }
ul.days li { margin: 0.35rem 0; }
figure { margin: 1.5rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #eeeeee; }
figcaption { color: #444444; font-size: 0.95rem; }
"""


def to_html(blocks: Sequence[Block], images: Mapping[str, bytes], title: str) -> str:
    """The report as one self-contained HTML page; ``images`` maps a figure's stem to its PNG bytes."""
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    body: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            body.append(f"<{b.kind}>{e(b.text)}</{b.kind}>")
        elif b.kind == "p":
            body.append(f"<p>{e(b.text)}</p>")
        elif b.kind == "note":
            body.append(f'<p class="note">{e(b.text)}</p>')
        elif b.kind == "items":
            body.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in b.items) + "</ul>")
        elif b.kind == "days":
            body.append('<ul class="days">' + "".join(f"<li><strong>{e(lead)}:</strong> {e(text)}</li>"
                                                     for lead, text in b.items) + "</ul>")
        elif b.kind == "quotes":
            body.append("".join(f"<blockquote>{e(q)}</blockquote>" for q in b.items))
        elif b.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(
                f'<td class="num">{e(v)}</td>' if _numeric(v) else f"<td>{e(v)}</td>" for v in row) + "</tr>"
                for row in b.items)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif b.kind == "figure":
            stem = b.items[0]
            if stem in images:
                data = base64.b64encode(images[stem]).decode("ascii")
                body.append(f'<figure><img alt="{e(b.text)}" src="data:image/png;base64,{data}">'
                            f"<figcaption>{e(b.text)}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _numeric(value) -> bool:
    return bool(re.fullmatch(rf"[+{MINUS}-]?\d+(\.\d+)?", str(value)))


# ------------------------------------------------------------------------------------- files

def report_files(run: RunData, pngs: Mapping[str, bytes] | None = None, folder: str = "plots",
                 progress: Callable[[str], None] | None = None) -> dict[str, str | bytes]:
    """``report.md``, ``report.html`` and the PNGs they show (``plots/NAME.png``), ready to write.

    ``pngs``: already rendered plots by file name (``plots/NAME.png``); the missing ones are drawn.
    """
    from sim import viz

    return report_pages(document(run), report_figures(run), run.scenario.title,
                        lambda stem: viz.render(getattr(viz, stem)(run), "png"), pngs, folder, progress)


def report_pages(blocks: Sequence[Block], figures: Sequence[tuple[str, str]], title: str, draw: Callable[[str], bytes],
                 pngs: Mapping[str, bytes] | None = None, folder: str = "plots",
                 progress: Callable[[str], None] | None = None) -> dict[str, str | bytes]:
    """``report.md`` and ``report.html`` of ``blocks`` and the PNGs of the ``figures`` they show
    (``FOLDER/STEM.png``), ready to write: each PNG taken from ``pngs`` (by file name) or made by
    ``draw(stem)`` (``progress`` told its stem first)."""
    files: dict[str, str | bytes] = {}
    images: dict[str, bytes] = {}
    for stem, _ in figures:
        name = f"{folder}/{stem}.png"
        data = (pngs or {}).get(name)
        if data is None:
            if progress:
                progress(stem)
            data = draw(stem)
        files[name] = data
        images[stem] = data
    files["report.md"] = markdown(blocks, {stem: f"{folder}/{stem}.png" for stem, _ in figures})
    files["report.html"] = to_html(blocks, images, title)
    return files


# ------------------------------------------------------------------------------------- comparing

def outcome_table(a: RunData, b: RunData) -> tuple[tuple[str, ...], list[tuple[str, str, str, str]]]:
    """The outcomes of two runs side by side with their difference: ``(header, rows)``."""
    na, nb = Narrator(a), Narrator(b)
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, x, y, numeric: bool = False) -> None:
        if numeric and x is not None and y is not None:
            digits = 0 if isinstance(x, int) and isinstance(y, int) else 2
            diff = signed(float(y) - float(x), digits) if float(y) != float(x) else "same"
            rows.append((what, _show(x), _show(y), diff))
        else:
            rows.append((what, _show(x), _show(y), "same" if _show(x) == _show(y) else "differs"))

    row("scenario", a.scenario.name, b.scenario.name)
    row("seed", a.seed, b.seed)
    row("days", a.steps, b.steps, numeric=True)
    ca, cb = a.ceasefires, b.ceasefires
    row("ceasefire reached", "yes" if ca else "no", "yes" if cb else "no")
    row("first ceasefire day", ca[0].start if ca else None, cb[0].start if cb else None, numeric=True)
    row("first broker", a.name(ca[0].broker) if ca and ca[0].broker else None,
        b.name(cb[0].broker) if cb and cb[0].broker else None)
    row("ceasefires", len(ca), len(cb), numeric=True)
    row("ceasefires ended", sum(c.ended_by is not None for c in ca), sum(c.ended_by is not None for c in cb),
        numeric=True)
    row("signed under pressure", sum(c.came == "pressure" for c in ca), sum(c.came == "pressure" for c in cb),
        numeric=True)
    row("in force at the end", "yes" if ca and ca[-1].end is None else "no",
        "yes" if cb and cb[-1].end is None else "no")
    row("days in force", int(a.measure("ceasefire_in_force").iloc[1:].sum()),
        int(b.measure("ceasefire_in_force").iloc[1:].sum()), numeric=True)
    for side in a.sides:
        if side in b.sides:
            row(f"peak intensity, {a.name(side)}", round(float(a.intensity(side).max()), 2),
                round(float(b.intensity(side).max()), 2), numeric=True)
    if has_battlefield(a) or has_battlefield(b):
        sides = [s for s in a.sides if s in b.sides]
        for side in sides:
            row(f"contested area held at the end, {a.name(side)}",
                *(round(float(r.field("territory")[side].iloc[-1]), 2) for r in (a, b)), numeric=True)
        for side in sides:
            row(f"military deaths, {a.name(side)}", *(round(float(r.field("losses")[side].iloc[-1])) for r in (a, b)),
                numeric=True)
    for measure in ("polarization", "mean_alignment"):
        if measure in a.model.columns and measure in b.model.columns:
            row(f"{measure.replace('_', ' ')} at the end", round(float(a.measure(measure).iloc[-1]), 2),
                round(float(b.measure(measure).iloc[-1]), 2), numeric=True)
    role_a, role_b = na.role_of("end"), nb.role_of("end")
    fa, fb = a.field("alignment"), b.field("alignment")
    for actor in a.actor_ids:
        if actor in b.actor_ids:
            row(f"final alignment, {a.name(actor)}", round(float(fa[actor].iloc[-1]), 2),
                round(float(fb[actor].iloc[-1]), 2), numeric=True)
    for actor in a.actor_ids:
        if actor in b.actor_ids:
            row(f"what it does at the end, {a.name(actor)}", role_a.get(actor), role_b.get(actor))
    return ("outcome", "A", "B", "B \u2212 A"), rows


def _show(value) -> str:
    if value is None:
        return "\u2014"
    if isinstance(value, float):
        return plain(value)
    return str(value)


def compare_document(a: RunData, b: RunData, stems: Sequence[tuple[str, str]]) -> list[Block]:
    header, rows = outcome_table(a, b)
    blocks = [Block("h1", "Two runs compared"),
              Block("items", items=(f"A: {a.scenario.title} ({a.scenario.name}, seed {a.seed}, {a.steps} days)",
                                    f"B: {b.scenario.title} ({b.scenario.name}, seed {b.seed}, {b.steps} days)")),
              Block("h2", "Outcomes"),
              Block("table", header=header, items=tuple(rows))]
    differ = [r for r in rows if r[3] not in ("same",)]
    blocks.append(Block("p", f"{len(differ)} of {len(rows)} outcomes differ."))
    blocks.append(Block("h2", "The plots, side by side"))
    for stem, caption in stems:
        blocks.append(Block("figure", text=caption, items=(stem,)))
    for label, run in (("A", a), ("B", b)):
        marks = run.event_marks()
        blocks.append(Block("h3", f"The numbered events of {label}"))
        blocks.append(Block("items", items=tuple(f"{n}: {run.scenario.day_label(day)}: {what}" for n, day, what in marks)
                            or ("none",)))
    return blocks


COMPARE_FIGURES = (
    ("compare_alignment", "Alignment over time, A left and B right."),
    ("compare_ceasefire", "The road to a ceasefire, A left and B right."),
    ("compare_network", "The network at the end, A left and B right (one layout where the actors are the same)."),
    ("compare_moves", "What moved whom, A left and B right."),
)


def compare_files(a: RunData, b: RunData, fmt: str = "png",
                  progress: Callable[[str], None] | None = None) -> dict[str, str | bytes]:
    """The files of a comparison: the side-by-side plots, ``compare.md`` and ``compare.html``."""
    from sim import viz

    files: dict[str, str | bytes] = {}
    pngs: dict[str, bytes] = {}
    for stem, _ in COMPARE_FIGURES:
        if progress:
            progress(stem)
        fig = getattr(viz, stem)(a, b)
        pngs[stem] = viz.render(fig, "png")
        files[f"{stem}.png"] = pngs[stem]
        if fmt != "png":
            files[f"{stem}.{fmt}"] = viz.render(fig, fmt)
    blocks = compare_document(a, b, COMPARE_FIGURES)
    files["compare.md"] = markdown(blocks, {stem: f"{stem}.png" for stem, _ in COMPARE_FIGURES})
    files["compare.html"] = to_html(blocks, pngs, "Two runs compared")
    return files
