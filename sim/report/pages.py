"""A class-ready report of a run, written from its recorded data alone: ``report.md`` and ``report.html``.

The report holds the scenario's title and description, the actors and their starting stances with the
article's quotations, a day-by-day account of what happened (events, ceasefires and their brokers,
breakdowns, the largest moves and what caused them), the plots and the final coalitions. Every sentence
is generated from ``events.csv``, ``model.csv``, ``timeseries.csv``, ``contributions.csv`` and
``summary.json``; nothing is written by hand for a scenario. The same run gives the same text.

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
from sim.io.rundata import RunData

#: The plots of the report, in order: file stem and caption.
FIGURES = (
    ("alignment_over_time", "Who backs whom, day by day. Each line is an actor, coloured by the camp it is in "
                            "at the end; numbered dashed lines mark events, green shading the days a ceasefire "
                            "is in force."),
    ("road_to_ceasefire", "The road to a ceasefire: each side's willingness to stop against the threshold both "
                          "must reach, the pressure of the mediators who press hardest, and the fighting."),
    ("alignment_network", "The network at the start and at the end. Node colour: alignment; size: capability; "
                          "ring and shape: coalition; green lines: friendly ties, purple dashed: hostile ties, "
                          "dotted: mediation channels."),
    ("what_moved_whom", "What moved whom: each rule's total part in the alignment of the actors that moved most; "
                        "the diamond is the net change."),
)
SOURCE_WORDS = {"events": "scenario events", "limits": "the limits of the scale"}
#: Sources that are not a mechanism: ranked on, they would make the largest moves a matter of chance.
NOT_CAUSES = ("noise", "limits")
MINUS = "\u2212"


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


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def join(words: Sequence[str], last: str = "and") -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


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
        starts = {c.start: c for c in run.ceasefires}
        ends = {c.end: c for c in run.ceasefires if c.end is not None}
        for h in run.happenings:
            lines = found.setdefault(h.step, [])
            if h.kind == "event":
                effects = self.event_effects(h.step, h.actors, said)
                lines.append(sentence(h.note) + (f" ({effects}.)" if effects else ""))
            elif h.kind == "ceasefire":
                lines.append(self.ceasefire_comes(starts[h.step].broker if h.step in starts else None))
            elif h.kind == "breakdown" and h.step in ends and ends[h.step].ended_by == "event":
                lines.append(f"The ceasefire between {self.first} and {self.second} ends.")
            elif h.kind == "breakdown":
                detail = re.search(r"\(([^)]*)\)", h.note)
                lines.append(f"The ceasefire between {self.first} and {self.second} breaks down"
                             + (f" ({detail.group(1)})." if detail else "."))
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

    def ceasefire_comes(self, broker: str | None) -> str:
        who = f", brokered by {self.run.name(broker)}" if broker else ""
        return f"A ceasefire between {self.first} and {self.second} comes into force{who}."

    def event_effects(self, step: int, actors: Sequence[str], said: set[tuple[int, str]]) -> str:
        """What scenario events changed on ``step`` for ``actors``: ``Turkey's alignment −0.30``."""
        rows = self.run.contributions
        rows = rows[(rows["step"] == step) & (rows["rule"] == "events") & rows["actor"].isin(list(actors))]
        parts = []
        for (actor, field), change in rows.groupby(["actor", "field"], sort=False)["change"].sum().items():
            if abs(change) < 1e-9 or (step, actor) in said:
                continue
            parts.append(f"{possessive(self.run.name(actor))} {field} {signed(change)}")
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
                    f"{signed(push, 3)} ({self.toward(push)}), mostly by {main}" + (f"; also {others}" if others else "")
                    + ".")
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
            lines.append(f"The first ceasefire came on day {first.start}{who}; {count(len(cease), 'ceasefire')} in "
                         f"all, {'none' if not ended else ended} of them ended. {held}; a ceasefire was in force on "
                         f"{count(days, 'day')} in all.")
        peaks = [f"{run.name(s)} {plain(float(run.intensity(s).max()))}" for s in run.sides]
        lines.append(f"Peak intensity of the fighting: {join(peaks)}.")
        return lines

    def camps(self, when: str) -> str:
        groups = self.run.coalitions(when)
        names = [f"{{{', '.join(self.run.name(a) for a in g)}}}" for g in groups]
        return " against ".join(names)

    def camp_of(self, when: str) -> dict[str, str]:
        run = self.run
        found = {}
        for group in run.coalitions(when):
            held = [run.name(s) for s in run.sides if s in group]
            label = f"{possessive(' and '.join(held))} camp" if held else "a third camp"
            found.update({a: label for a in group})
        return found

    def switches(self) -> list[str]:
        start, end = self.camp_of("start"), self.camp_of("end")
        return [f"{self.run.name(a)} moved from {start[a]} to {end[a]}."
                for a in self.run.actor_ids if a in start and a in end and start[a] != end[a]]


def document(run: RunData, figures: Sequence[tuple[str, str]] = FIGURES) -> list[Block]:
    """The report of ``run`` as blocks (rendered by `markdown` and `to_html`)."""
    n = Narrator(run)
    scenario = run.scenario
    blocks = [Block("h1", scenario.title),
              Block("note", f"Scenario {scenario.name}, seed {run.seed}, {run.steps} days; sides: {n.first} "
                            f"(alignment {MINUS}1) and {n.second} (+1). dipsim is a teaching model, not a "
                            f"forecast: its numbers are judgements made to teach with.")]
    for paragraph in re.split(r"\n\s*\n", scenario.description.strip()):
        if paragraph.strip():
            blocks.append(Block("p", " ".join(paragraph.split())))
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
    blocks.append(Block("days", items=tuple((f"Day {day}", " ".join(lines)) for day, lines in n.days())))
    blocks.append(Block("h2", "Who moved, and why"))
    blocks.append(Block("items", items=tuple(n.overall())))
    pressure = n.pressure()
    if pressure:
        blocks.append(Block("p", pressure))
    blocks.append(Block("h2", "The plots"))
    for stem, caption in figures:
        blocks.append(Block("figure", text=caption, items=(stem,)))
    blocks.append(Block("h2", "How it ended"))
    blocks.append(Block("items", items=tuple(n.outcome())))
    blocks.append(Block("p", f"Coalitions at the start: {n.camps('start')}."))
    blocks.append(Block("p", f"Coalitions at the end: {n.camps('end')}."))
    switched = n.switches()
    blocks.append(Block("p", " ".join(switched) if switched else "No actor changed camp."))
    blocks.append(Block("note", "Coalitions follow landscape theory (Axelrod and Bennett 1993): the split of the "
                                "actors with the lowest energy given their ties and capabilities."))
    blocks.append(Block("note", f"Written by dipsim {__version__} from the run's recorded data "
                                f"(scenario digest {run.summary.get('manifest', {}).get('scenario_sha256', '')[:12]})."))
    return blocks


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

    files: dict[str, str | bytes] = {}
    images: dict[str, bytes] = {}
    for stem, _ in FIGURES:
        name = f"{folder}/{stem}.png"
        data = (pngs or {}).get(name)
        if data is None:
            if progress:
                progress(stem)
            data = viz.render(getattr(viz, stem)(run), "png")
        files[name] = data
        images[stem] = data
    blocks = document(run)
    files["report.md"] = markdown(blocks, {stem: f"{folder}/{stem}.png" for stem, _ in FIGURES})
    files["report.html"] = to_html(blocks, images, run.scenario.title)
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
    row("in force at the end", "yes" if ca and ca[-1].end is None else "no",
        "yes" if cb and cb[-1].end is None else "no")
    row("days in force", int(a.measure("ceasefire_in_force").iloc[1:].sum()),
        int(b.measure("ceasefire_in_force").iloc[1:].sum()), numeric=True)
    for side in a.sides:
        if side in b.sides:
            row(f"peak intensity, {a.name(side)}", round(float(a.intensity(side).max()), 2),
                round(float(b.intensity(side).max()), 2), numeric=True)
    for measure in ("polarization", "mean_alignment"):
        if measure in a.model.columns and measure in b.model.columns:
            row(f"{measure.replace('_', ' ')} at the end", round(float(a.measure(measure).iloc[-1]), 2),
                round(float(b.measure(measure).iloc[-1]), 2), numeric=True)
    camp_a, camp_b = na.camp_of("end"), nb.camp_of("end")
    fa, fb = a.field("alignment"), b.field("alignment")
    for actor in a.actor_ids:
        if actor in b.actor_ids:
            row(f"final alignment, {a.name(actor)}", round(float(fa[actor].iloc[-1]), 2),
                round(float(fb[actor].iloc[-1]), 2), numeric=True)
    for actor in a.actor_ids:
        if actor in b.actor_ids:
            row(f"camp at the end, {a.name(actor)}", camp_a.get(actor), camp_b.get(actor))
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
        blocks.append(Block("items", items=tuple(f"{n}: day {day}: {what}" for n, day, what in marks)
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
