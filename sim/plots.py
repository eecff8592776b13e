"""Pictures of a run for a slide: alignment over time, the road to a ceasefire, the network, what moved whom.

Every plot function takes a `RunData` (see `sim.rundata`) and optionally the Axes to draw on, and returns
the `Figure` it drew on. Without Axes it makes its own slide-sized figure (12 x 6.75 in at 150 dpi) with
`matplotlib.figure.Figure`, never pyplot, so nothing is left open and no global state is touched. From
a notebook::

    from sim.rundata import load_run
    from sim import plots
    run = load_run("runs/baseline-seed2020")
    plots.alignment_over_time(run)          # a Figure; Jupyter shows it

Colours are colour-blind safe: alignment on ColorBrewer's diverging "RdBu" (the first side red, the
second blue), coalitions and rules from the Okabe-Ito palette.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.rundata import RunData

#: Slide size: 16:9 at 12 inches wide, rendered at 150 dpi (1800 x 1012 pixels).
SLIDE = (12.0, 6.75)
DPI = 150
FORMATS = ("png", "svg", "pdf")

#: Font sizes in points (nothing on a slide smaller than 11).
TEXT, SMALL, TITLE, SUPTITLE = 13, 11, 15, 17

#: The Okabe-Ito palette (Okabe & Ito 2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000",
}
#: The diverging scale of alignment: -1 (backs the first side) red, +1 (backs the second side) blue.
ALIGNMENT_CMAP = "RdBu"
#: Coalition colours: the first side's camp vermillion and the second side's blue, as on the alignment
#: scale; any other camp takes the next colour.
SIDE_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])
OTHER_COLOURS = (OKABE_ITO["bluish green"], OKABE_ITO["reddish purple"], OKABE_ITO["orange"],
                 OKABE_ITO["sky blue"], OKABE_ITO["black"])
#: The colour of each kind of rule (and of events and limits) in "what moved whom".
RULE_COLOURS = {
    "events": "#882255", "influence": OKABE_ITO["blue"], "alliance": OKABE_ITO["vermillion"],
    "balance": OKABE_ITO["bluish green"], "mediation": OKABE_ITO["reddish purple"],
    "escalation": OKABE_ITO["orange"], "noise": "#BBBBBB", "limits": "#777777",
}
SOURCE_LABELS = {"events": "scenario events", "limits": "limits of the scale"}
SPARE_COLOURS = (OKABE_ITO["sky blue"], OKABE_ITO["yellow"], "#44AA99", "#999933", "#332288")
SHAPES = ("o", "s", "D", "^")
FRIENDLY, HOSTILE = OKABE_ITO["bluish green"], OKABE_ITO["reddish purple"]
CEASEFIRE_SHADE = OKABE_ITO["bluish green"]
CEASEFIRE_TEXT = "#00573F"
BREAKDOWN = "#000000"
MARKER_GREY = "#555555"

#: The plots a run directory gets, as ``plots/NAME.FORMAT``, in the order the report shows them.
PLOTS: dict[str, str] = {
    "alignment": "alignment_over_time",
    "ceasefire": "road_to_ceasefire",
    "network": "alignment_network",
    "moves": "what_moved_whom",
}


# ------------------------------------------------------------------------------------------- helpers

def _figure(**kwargs) -> Figure:
    """A new slide-sized figure, not known to pyplot."""
    return Figure(figsize=SLIDE, dpi=DPI, layout="constrained", **kwargs)


def _axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    if ax is None:
        fig = _figure()
        return fig, fig.add_subplot(), True
    return ax.figure, ax, False


def _style(ax: Axes) -> None:
    ax.tick_params(labelsize=SMALL + 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def coalition_colours(run: RunData, when: str = "end") -> dict[str, str]:
    """The colour of each actor's coalition at the start or the end of the run."""
    groups = run.coalitions(when)
    colour_of: dict[int, str] = {}
    spare = iter(OTHER_COLOURS)
    for k, group in enumerate(groups):
        held = [i for i, side in enumerate(run.sides) if side in group]
        colour_of[k] = SIDE_COLOURS[held[0]] if held else next(spare, "#777777")
    membership = run.coalition_of(when)
    return {a: colour_of.get(membership[a], "#777777") for a in run.actor_ids}


def coalition_titles(run: RunData, when: str = "end", counts: bool = True) -> list[tuple[str, str]]:
    """Each coalition's colour and a short description (``Armenia's camp (11)``) for legends."""
    colours = coalition_colours(run, when)
    found = []
    for group in run.coalitions(when):
        held = [run.name(s) for s in run.sides if s in group]
        owner = " and ".join(held)
        title = (f"{owner}' camp" if owner.endswith("s") else f"{owner}'s camp") if held else "a third camp"
        found.append((colours[group[0]], f"{title} ({len(group)})" if counts else title))
    return found


def side_label(run: RunData, k: int) -> str:
    """``backs Armenia`` for k = 0 (alignment -1), ``backs Azerbaijan`` for k = 1 (alignment +1)."""
    return f"backs {run.name(run.sides[k])}"


def spread(values: Sequence[float], gap: float, low: float = -math.inf, high: float = math.inf) -> list[float]:
    """Positions as close to ``values`` as possible, at least ``gap`` apart, within [low, high].

    Labels at the end of lines that end close together are moved apart this way (order is kept).
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    want = [float(values[i]) for i in order]
    if not want:
        return []
    if high - low < gap * (len(want) - 1):
        gap = (high - low) / max(len(want) - 1, 1)
    # Clusters of labels that would overlap are placed as blocks centred on their mean, merged until none overlap.
    blocks: list[list] = []  # [first index, count, centre]
    for i, y in enumerate(want):
        blocks.append([i, 1, y])
        while len(blocks) > 1:
            a, b = blocks[-2], blocks[-1]
            top_a = a[2] + gap * (a[1] - 1) / 2
            bottom_b = b[2] - gap * (b[1] - 1) / 2
            if bottom_b - top_a >= gap:
                break
            count = a[1] + b[1]
            mean = sum(want[a[0]:a[0] + count]) / count
            blocks[-2:] = [[a[0], count, mean]]
    placed = []
    for first, count, centre in blocks:
        placed += [centre + gap * (k - (count - 1) / 2) for k in range(count)]
    # Keep within bounds, pushing from each end.
    for k in range(len(placed)):
        placed[k] = max(placed[k], low + gap * k)
    for k in range(len(placed) - 1, -1, -1):
        placed[k] = min(placed[k], high - gap * (len(placed) - 1 - k))
    out = [0.0] * len(values)
    for rank, i in enumerate(order):
        out[i] = placed[rank]
    return out


def _label_gap(ax: Axes, fontsize: float, span: float) -> float:
    """The distance in data units (y) of one line of text of ``fontsize`` on ``ax``."""
    fig = ax.figure
    height_in = ax.get_position().height * fig.get_figheight()
    if height_in <= 0:
        return span / 20
    return (fontsize * 1.3 / 72) / height_in * span


def _end_labels(ax: Axes, x: float, ends: dict[str, float], labels: dict[str, str], colours: dict[str, str],
                fontsize: float, low: float, high: float, span: float) -> None:
    """Label each line at its end, spreading labels that would overlap (with a thin leader line)."""
    keys = list(ends)
    gap = _label_gap(ax, fontsize, span)
    where = spread([ends[k] for k in keys], gap, low, high)
    dx = 0.015 * (ax.get_xlim()[1] - ax.get_xlim()[0])
    for key, y in zip(keys, where):
        ax.annotate(labels[key], xy=(x, ends[key]), xytext=(x + 3 * dx, y), textcoords="data",
                    color=colours[key], fontsize=fontsize, va="center", ha="left", annotation_clip=False,
                    fontweight="bold", gid=f"label:{key}",
                    arrowprops=dict(arrowstyle="-", color=colours[key], lw=0.8, shrinkA=1, shrinkB=2,
                                    relpos=(0, 0.5), patchA=None))


def _ceasefire_spans(run: RunData, ax: Axes, labelled: bool = False) -> None:
    """Shade each ceasefire's days and mark each end with a black dash-dot line; ``labelled`` writes
    who brokered each ceasefire and how it ended, in rows near the bottom of ``ax`` that do not overlap."""
    last = run.steps
    tags: list[tuple[float, str, str | None]] = []
    for c in run.ceasefires:
        end = c.end if c.end is not None else last
        ax.axvspan(c.start, max(end, c.start + 0.4), color=CEASEFIRE_SHADE, alpha=0.18, lw=0,
                   gid=f"ceasefire:{c.start}")
        if c.ended_by is not None:
            ax.axvline(c.end, color=BREAKDOWN, lw=1.6, ls="-.", gid=f"breakdown:{c.end}", zorder=2)
        tags.append((c.start, "start", c.broker and run.name(c.broker)))
        if c.ended_by is not None:
            tags.append((c.end, "end", "breaks down" if c.ended_by == "breakdown" else "ended"))
    if labelled:
        _tag_rows(ax, tags, last)


def _tag_rows(ax: Axes, tags: Sequence[tuple[float, str, str | None]], last: float,
              rows: Sequence[float] = (0.2, 0.07)) -> None:
    """Write each (day, kind, text) next to its day, at the first row where it overlaps no other text.

    ``kind`` is ``start`` (``text``: the broker's name, or None) or ``end`` (``text``: how it ended).
    """
    fig = ax.figure
    width_in = 0.8 * ax.get_position().width * fig.get_figwidth()  # the labels at the line ends take room
    per_day = width_in / max(last, 1)                       # inches per day
    char = SMALL * 0.62 / 72                                # inches per character, roughly
    ends = [-math.inf] * len(rows)
    for day, kind, text in sorted(tags, key=lambda tag: tag[0]):
        colour = CEASEFIRE_TEXT if kind == "start" else BREAKDOWN
        if kind == "start":                                 # the broker, said in short where cramped
            long = f"ceasefire, brokered by {text}" if text else "ceasefire declared"
            text = long if len(long) * char / per_day < 0.3 * last else f"ceasefire ({text or 'declared'})"
        span = (len(text) * char + 0.1) / per_day           # in days
        right = day + 0.4 + span > last
        lo, hi = (day - 0.4 - span, day) if right else (day, day + 0.4 + span)
        row = next((k for k, end in enumerate(ends) if lo > end), None)
        if row is None:
            continue
        ends[row] = hi
        ax.text(day - 0.4 if right else day + 0.4, rows[row], text, transform=ax.get_xaxis_transform(),
                fontsize=SMALL, ha="right" if right else "left", va="center", color=colour, zorder=5,
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")], gid=f"tag:{day}")


def _event_key(run: RunData) -> list[tuple[int, int, str]]:
    return run.event_marks()


# ------------------------------------------------------------------------------- alignment over time

def alignment_over_time(run: RunData, ax: Axes | None = None, *, labels: str = "names",
                        key: bool = True, legend: bool = True) -> Figure:
    """Each actor's alignment day by day: one line per actor, coloured by the coalition it ends in.

    Lines are labelled at their end (``labels="ids"`` where space is short); the axis names the sides;
    dashed grey lines numbered at the top mark the days of events and tie changes (``key`` lists them
    under the plot); green shading marks the days a ceasefire is in force, a black dash-dot line its end.
    ``legend=False`` leaves out the legend (and the key), e.g. to draw one legend for several panels.
    """
    fig, ax, own = _axes(ax)
    wide = run.field("alignment")
    colours = coalition_colours(run, "end")
    days = wide.index.to_numpy()
    last = int(days[-1])
    for actor in run.actor_ids:
        ax.plot(days, wide[actor].to_numpy(), color=colours[actor], lw=2.2 if actor in run.sides else 1.6,
                label=run.name(actor), gid=f"actor:{actor}", solid_capstyle="round", zorder=3)
    ax.set_xlim(0, max(last, 1))
    ax.set_ylim(-1.08, 1.08)
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax.set_yticklabels([f"{side_label(run, 0)}  \u22121", "\u22120.5", "neutral  0", "+0.5",
                        f"{side_label(run, 1)}  +1"])
    ax.set_xlabel("day", fontsize=TEXT)
    _style(ax)
    ax.axhline(0, color="#BBBBBB", lw=1, zorder=1)
    _ceasefire_spans(run, ax)
    marks = _event_key(run)
    # Numbers of events on close days are spread apart; the Axes ends up narrower than it starts (the
    # labels at the line ends take room), hence the 0.8.
    per_day = 0.8 * ax.get_position().width * fig.get_figwidth() / max(last, 1)
    digits = len(str(len(marks)))
    at = spread([day for _, day, _ in marks], (digits * SMALL * 0.65 + 6) / 72 / per_day, 0, max(last, 1))
    for (number, day, _), x in zip(marks, at):
        ax.axvline(day, color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), zorder=2, gid=f"event:{day}")
        ax.text(x, 1.01, str(number), transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=SMALL, color=MARKER_GREY, fontweight="bold", gid=f"event-number:{day}")
    names = {a: (run.name(a) if labels == "names" else a) for a in run.actor_ids}
    ends = {a: float(wide[a].iloc[-1]) for a in run.actor_ids}
    _end_labels(ax, last, ends, names, colours, SMALL, -1.08, 1.08, 2.16)
    if not legend:
        key = False
    else:
        handles = alignment_legend(run, bool(marks))
        _alignment_legends(ax, handles, marks if key else [])
    title = "Who backs whom, day by day"
    if own:
        fig.suptitle(f"{title}: {run.scenario.title}", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"alignment of each actor; {run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left",
                     color="#444444", pad=18)
    else:
        ax.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", pad=18)
    return fig


def alignment_legend(run: RunData, events: bool = True, counts: bool = True) -> list:
    """Legend entries of `alignment_over_time`: the camps' colours, ceasefire shading and ends, events."""
    handles = [Line2D([], [], color=c, lw=3, label=f"{t} at the end")
               for c, t in coalition_titles(run, "end", counts)]
    if run.ceasefires:
        handles.append(Patch(color=CEASEFIRE_SHADE, alpha=0.25, label="ceasefire in force"))
    if any(c.ended_by for c in run.ceasefires):
        handles.append(Line2D([], [], color=BREAKDOWN, lw=1.6, ls="-.", label="ceasefire ends"))
    if events:
        handles.append(Line2D([], [], color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), label="event"))
    return handles


def _alignment_legends(ax: Axes, handles: list, marks: Sequence[tuple[int, int, str]]) -> None:
    """The legend under the plot and, under it, the key to the numbered events."""
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.125),
                       ncol=len(handles) if len(handles) <= 4 else math.ceil(len(handles) / 2),
                       fontsize=SMALL, frameon=False, borderaxespad=0, columnspacing=1.5)
    if marks:
        lines = [f"{n}  day {day}: {what}" for n, day, what in marks]
        if len(lines) > 6:
            lines = lines[:5] + [f"... and {len(lines) - 5} more (see the report)"]
        entries = [Line2D([], [], ls="", label=textwrap.shorten(line, 110, placeholder=" ...")) for line in lines]
        ax.add_artist(legend)
        below = -0.195 if len(handles) <= 4 else -0.255
        ax.legend(handles=entries, loc="upper left", bbox_to_anchor=(0, below), fontsize=SMALL, frameon=False,
                  handlelength=0, handletextpad=0, borderaxespad=0, labelspacing=0.25, alignment="left",
                  ncol=1 if len(entries) <= 3 else 2, columnspacing=2).set_gid("event-key")


# ------------------------------------------------------------------------------- road to a ceasefire

def road_to_ceasefire(run: RunData, axes: Sequence[Axes] | None = None, *, mediators: int = 5) -> Figure:
    """Three panels over the days: each side's willingness against the mediation threshold; the pressure
    of the ``mediators`` who press hardest (the rest summed); each side's intensity of fighting.

    Ceasefires are shaded with their broker written in; breakdowns are red dashed lines.
    ``axes``: three Axes to draw on (top to bottom), or None for a figure of its own.
    """
    if axes is None:
        fig = _figure()
        axes = fig.subplots(3, 1, sharex=True, height_ratios=[1.5, 1, 1])
        own = True
    else:
        axes = list(axes)
        if len(axes) != 3:
            raise ValueError(f"road_to_ceasefire draws three panels; got {len(axes)} Axes")
        fig, own = axes[0].figure, False
    top, middle, bottom = axes
    last = run.steps
    willing = run.field("ceasefire")
    days = willing.index.to_numpy()
    side_colours = dict(zip(run.sides, SIDE_COLOURS))

    # Willingness of each side, and the threshold both must reach.
    for side in run.sides:
        top.plot(days, willing[side].to_numpy(), color=side_colours[side], lw=2.4, gid=f"willingness:{side}",
                 label=run.name(side))
    if run.threshold is not None:
        top.axhline(run.threshold, color="#000000", lw=1.4, ls=(0, (6, 3)), gid="threshold", zorder=2)
        top.annotate(f"threshold {run.threshold:.2f}", xy=(0, run.threshold), xytext=(4, 3),
                     textcoords="offset points", fontsize=SMALL, va="bottom")
    top.set_ylim(0, 1.05)
    top.set_ylabel("willingness\nto stop", fontsize=TEXT)
    ends = {s: float(willing[s].iloc[-1]) for s in run.sides}
    # Pressure of the mediators who press hardest.
    pressure = run.field("pressure")[list(run.mediators)]
    ranked = pressure.mean().sort_values(ascending=False)
    ranked = ranked[ranked > 0]
    shown = list(ranked.index[:mediators])
    rest = list(ranked.index[mediators:])
    palette = [OKABE_ITO[c] for c in ("reddish purple", "orange", "sky blue", "bluish green", "black")]
    palette += list(SPARE_COLOURS)
    mediator_colours = {a: palette[k % len(palette)] for k, a in enumerate(shown)}
    for actor in shown:
        middle.plot(days, pressure[actor].to_numpy(), color=mediator_colours[actor], lw=1.8, gid=f"pressure:{actor}")
    if rest:
        mediator_colours["others"] = "#999999"
        middle.plot(days, pressure[rest].sum(axis=1).to_numpy(), color="#999999", lw=1.5, ls=(0, (3, 2)),
                    gid="pressure:others")
    middle.set_ylabel("mediators'\npressure", fontsize=TEXT)
    high = float(np.nanmax(pressure.to_numpy())) if pressure.size else 1.0
    rest_high = float(pressure[rest].sum(axis=1).max()) if rest else 0.0
    middle.set_ylim(0, max(high, rest_high, 0.05) * 1.1)
    # Intensity of each side.
    for side in run.sides:
        bottom.plot(days, run.intensity(side).to_numpy(), color=side_colours[side], lw=2.2, gid=f"intensity:{side}")
    bottom.set_ylabel("intensity\nof fighting", fontsize=TEXT)
    peak = max(float(run.intensity(s).max()) for s in run.sides)
    bottom.set_ylim(0, max(peak, 0.1) * 1.12)
    bottom.set_xlabel("day", fontsize=TEXT)
    for k, ax in enumerate(axes):
        ax.set_xlim(0, max(last, 1))
        _style(ax)
        _ceasefire_spans(run, ax, labelled=k == 0)
    names = {s: run.name(s) for s in run.sides}
    _end_labels(top, last, ends, names, side_colours, SMALL, 0, 1.05, 1.05)
    middle_ends = {a: float(pressure[a].iloc[-1]) for a in shown}
    middle_names = {a: run.name(a) for a in shown}
    if rest:
        middle_ends["others"] = float(pressure[rest].sum(axis=1).iloc[-1])
        middle_names["others"] = f"{len(rest)} others, together"
    low, high = middle.get_ylim()
    _end_labels(middle, last, middle_ends, middle_names, mediator_colours, SMALL, low, high, high - low)
    low, high = bottom.get_ylim()
    _end_labels(bottom, last, {s: float(run.intensity(s).iloc[-1]) for s in run.sides}, names, side_colours,
                SMALL, low, high, high - low)
    if own:
        fig.suptitle("The road to a ceasefire: willingness, pressure and fighting", fontsize=SUPTITLE - 2,
                     x=0.01, ha="left")
        top.set_title(f"a ceasefire comes when both sides' willingness reaches the threshold; "
                      f"{run.scenario.name}, seed {run.seed}", fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        top.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left")
    return fig


# ------------------------------------------------------------------------------- the network

def network_layout(run: RunData, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Node positions, the same for every day of the run: a seeded spring layout over every tie ever in place.

    Friendly ties pull their ends together by their weight; hostile ties and mediation channels barely
    pull (they join actors that are not close). The layout starts with each actor placed left to right
    by its starting alignment, so the first side tends to the left and the second to the right.
    """
    import networkx as nx

    ties = run.ties[run.ties["active"] == 1]
    pull: dict[tuple[str, str], float] = {}
    for tie in ties.itertuples(index=False):
        if tie.kind == "mediation":
            w = 0.1 * abs(tie.weight)
        elif tie.weight < 0:
            w = 0.02
        else:
            w = float(tie.weight)
        pair = (min(tie.source, tie.target), max(tie.source, tie.target))
        pull[pair] = max(pull.get(pair, 0.0), w, 0.01)
    # A faint pull between every two actors keeps actors without ties (and separate groups) in the picture.
    ids = sorted(run.actor_ids)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            pull.setdefault((a, b), 0.005)
    graph = nx.Graph()
    graph.add_nodes_from(run.actor_ids)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(pull.items()))
    rng = np.random.default_rng(seed)
    start = run.field("alignment").iloc[0]
    initial = {a: (float(start[a]), float(rng.uniform(-1, 1))) for a in run.actor_ids}
    pos = nx.spring_layout(graph, pos=initial, seed=seed, weight="weight",
                           k=1.2 / math.sqrt(max(len(run.actor_ids), 1)), iterations=300)
    return {a: (float(pos[a][0]), float(pos[a][1])) for a in run.actor_ids}


def _draw_network(ax: Axes, run: RunData, day: int, when: str, pos: dict[str, tuple[float, float]]) -> None:
    """The network of ``run`` on ``day`` at positions ``pos``; coalitions of ``when`` (start or end)."""
    norm = Normalize(-1, 1)
    cmap = matplotlib.colormaps[ALIGNMENT_CMAP]
    alignment = run.field("alignment")
    capability = run.field("capability")
    ties = run.ties[(run.ties["step"] == day) & (run.ties["active"] == 1)]
    for tie in ties.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[tie.source], pos[tie.target]
        colour = FRIENDLY if tie.weight >= 0 else HOSTILE
        style = ":" if tie.kind == "mediation" else ("-" if tie.weight >= 0 else "--")
        ax.plot([x0, x1], [y0, y1], color=colour, lw=0.6 + 4.0 * abs(tie.weight), ls=style, alpha=0.8,
                zorder=1, gid=f"tie:{tie.tie}", solid_capstyle="round")
    ring = coalition_colours(run, when)
    member = run.coalition_of(when)
    for actor in run.actor_ids:
        x, y = pos[actor]
        size = 120 + 1400 * float(capability.loc[day, actor])
        ax.scatter([x], [y], s=size, c=[cmap(norm(float(alignment.loc[day, actor])))],
                   marker=SHAPES[member[actor] % len(SHAPES)], edgecolors=ring[actor], linewidths=3,
                   zorder=3, gid=f"node:{actor}")
        radius_pt = math.sqrt(size) / 2
        ax.annotate(actor, xy=(x, y), xytext=(0, -radius_pt - 3), textcoords="offset points", ha="center",
                    va="top", fontsize=SMALL, fontweight="bold", zorder=4, gid=f"node-label:{actor}",
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    pad = 0.18
    ax.set_xlim(xs.min() - pad, xs.max() + pad)
    ax.set_ylim(ys.min() - pad - 0.08, ys.max() + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#CCCCCC")


def _network_keys(fig: Figure, axes: Sequence[Axes], run: RunData, counts: bool = True) -> None:
    """The alignment colour bar under ``axes`` and the legend of rings, shapes and ties beside the last."""
    norm = Normalize(-1, 1)
    cmap = matplotlib.colormaps[ALIGNMENT_CMAP]
    colourbar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=list(axes),
                             orientation="horizontal", fraction=0.05, pad=0.02, aspect=50, shrink=0.6)
    colourbar.set_ticks([-1, 0, 1])
    colourbar.set_ticklabels([side_label(run, 0), "neutral", side_label(run, 1)])
    colourbar.ax.tick_params(labelsize=SMALL + 1)
    colourbar.set_label("node colour: alignment", fontsize=SMALL + 1)
    handles = [Line2D([], [], marker=SHAPES[k % len(SHAPES)], ls="", markersize=12, markerfacecolor="white",
                      markeredgecolor=c, markeredgewidth=3, label=t)
               for k, (c, t) in enumerate(coalition_titles(run, "end", counts))]
    handles += [Line2D([], [], color=FRIENDLY, lw=3, label="friendly tie"),
                Line2D([], [], color=HOSTILE, lw=3, ls="--", label="hostile tie"),
                Line2D([], [], color=FRIENDLY, lw=2, ls=":", label="mediation channel")]
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL, frameon=False,
                    title="ring and shape: coalition\nnode size: capability\nline width: tie weight",
                    title_fontsize=SMALL, alignment="left")


def alignment_network(run: RunData, axes: Sequence[Axes] | None = None, *, layout_seed: int = 7) -> Figure:
    """The network at the start and at the end, side by side, each node in the same place on both.

    Node colour: alignment (RdBu, the first side red); node size: capability; ring colour and shape:
    coalition (landscape theory) on that day; edge colour: sign (green friendly, red dashed hostile),
    edge width: |weight|; mediation channels dotted. ``axes``: two Axes (start, end) or None.
    """
    if axes is None:
        fig = _figure()
        axes = fig.subplots(1, 2)
        own = True
    else:
        axes = list(axes)
        if len(axes) != 2:
            raise ValueError(f"alignment_network draws two panels (start, end); got {len(axes)} Axes")
        fig, own = axes[0].figure, False
    pos = network_layout(run, layout_seed)
    days = run.field("alignment").index
    for ax, when, day in ((axes[0], "start", int(days[0])), (axes[1], "end", int(days[-1]))):
        _draw_network(ax, run, day, when, pos)
        ax.set_title(f"{when} (day {day})", fontsize=TITLE, loc="left")
    _network_keys(fig, axes, run)
    if own:
        fig.suptitle(f"The alignment network at the start and at the end: {run.scenario.name}, seed {run.seed}",
                     fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


# ------------------------------------------------------------------------------- what moved whom

def moved_most(run: RunData, field: str = "alignment", most: int = 8) -> list[str]:
    """The ``most`` actors that moved most in ``field`` (see `RunData.moved_most`)."""
    return run.moved_most(field, most)


def rule_colours(run: RunData) -> dict[str, str]:
    """A colour for each source (scenario events, each rule, limits): by the kind of rule, stable across runs."""
    colours: dict[str, str] = {}
    used: set[str] = set()
    spare = iter(SPARE_COLOURS)
    for source in run.sources:
        colour = RULE_COLOURS.get(run.rule_of(source))
        if colour is None or colour in used:
            colour = next(spare, "#999999")
        colours[source] = colour
        used.add(colour)
    return colours


def what_moved_whom(run: RunData, ax: Axes | None = None, *, field: str = "alignment", most: int = 8) -> Figure:
    """For the actors that moved most, each rule's total contribution to ``field`` as a stacked bar.

    Bars right of zero pushed toward the second side (for alignment), left toward the first; a black
    diamond marks the net change. Drawn from ``contributions.csv``.
    """
    fig, ax, own = _axes(ax)
    actors = moved_most(run, field, most)
    totals = run.totals(field)
    colours = rule_colours(run)
    used = [s for s in run.sources if actors and (totals.loc[actors, s].abs() > 1e-9).any()]
    rows = {a: k for k, a in enumerate(reversed(actors))}
    right = {a: 0.0 for a in actors}
    left = {a: 0.0 for a in actors}
    for source in used:
        first = True
        for actor in actors:
            value = float(totals.loc[actor, source])
            if abs(value) <= 1e-9:
                continue
            start = right[actor] if value > 0 else left[actor]
            ax.barh(rows[actor], value, left=start, color=colours[source], height=0.62, edgecolor="white",
                    linewidth=0.8, label=SOURCE_LABELS.get(source, source) if first else "_", gid=f"bar:{actor}:{source}", zorder=3)
            first = False
            if value > 0:
                right[actor] += value
            else:
                left[actor] += value
    for actor in actors:
        net = float(totals.loc[actor].sum())
        ax.plot([net], [rows[actor]], marker="D", color="black", markersize=9, ls="", zorder=4,
                markeredgecolor="white", markeredgewidth=1.5, gid=f"net:{actor}")
    ax.axvline(0, color="#333333", lw=1)
    ax.set_yticks(list(rows.values()))
    ax.set_yticklabels([run.name(a) for a in rows])
    ax.set_ylim(-0.6, max(len(actors), 1) - 0.4)
    reach = max([abs(v) for v in (*right.values(), *left.values())] + [0.01]) * 1.1
    ax.set_xlim(-reach, reach)
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    if field == "alignment":
        ax.set_xlabel(f"total change in alignment over the run   "
                      f"(\u2190 toward {run.name(run.sides[0])}  |  toward {run.name(run.sides[1])} \u2192)",
                      fontsize=TEXT)
    else:
        ax.set_xlabel(f"total change in {field} over the run", fontsize=TEXT)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="D", color="black", ls="", markersize=8, label="net change"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL + 1, frameon=False,
              title="moved by", title_fontsize=SMALL + 1, alignment="left")
    if not actors:
        ax.text(0.5, 0.5, "no recorded moves", transform=ax.transAxes, ha="center", fontsize=TEXT)
    if own:
        title = (f"What moved whom: each rule's part in the {field} of the {len(actors)} actors that moved most"
                 if actors else f"What moved whom: no rule or event moved any actor's {field}")
        fig.suptitle(title, fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"{run.scenario.name}, seed {run.seed}; summed over {run.steps} days from the recorded "
                     f"contributions", fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        ax.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left")
    return fig


# ------------------------------------------------------------------------------- comparing two runs

def _titled(run: RunData, label: str) -> str:
    return f"{label}: {run.scenario.name}, seed {run.seed}"


def compare_alignment(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """Alignment over time of two runs side by side (same scale, ids at line ends, one legend)."""
    fig = _figure()
    axes = fig.subplots(1, 2, sharey=True)
    handles: dict[str, object] = {}
    for ax, run, label in zip(axes, (a, b), labels):
        alignment_over_time(run, ax, labels="ids", legend=False)
        ax.set_title(_titled(run, label), fontsize=TEXT, loc="left", pad=18)
        for handle in alignment_legend(run, bool(_event_key(run)), counts=False):
            handles.setdefault(handle.get_label(), handle)
    axes[1].tick_params(labelleft=False)
    fig.legend(handles=list(handles.values()), loc="outside lower center", ncol=min(len(handles), 5),
               fontsize=SMALL, frameon=False)
    fig.suptitle("Who backs whom, day by day: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


def compare_ceasefire(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """The road to a ceasefire of two runs side by side (same scales)."""
    fig = _figure()
    grid = fig.subplots(3, 2, sharex="col", sharey="row", height_ratios=[1.5, 1, 1])
    for column, run, label in zip(range(2), (a, b), labels):
        road_to_ceasefire(run, grid[:, column], mediators=3)
        grid[0, column].set_title(_titled(run, label), fontsize=TEXT, loc="left")
    for ax in grid[:, 1]:
        ax.set_ylabel("")
    fig.suptitle("The road to a ceasefire: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


def compare_network(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B"), *, layout_seed: int = 7) -> Figure:
    """The network at the end of each run, side by side; one layout for both when they have the same actors."""
    fig = _figure()
    axes = fig.subplots(1, 2)
    shared = network_layout(a, layout_seed) if set(a.actor_ids) == set(b.actor_ids) else None
    for ax, run, label in zip(axes, (a, b), labels):
        _draw_network(ax, run, run.steps, "end", shared or network_layout(run, layout_seed))
        ax.set_title(f"{_titled(run, label)} (day {run.steps})", fontsize=TEXT, loc="left")
    _network_keys(fig, axes, a, counts=False)
    fig.suptitle("The alignment network at the end: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


def compare_moves(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """What moved whom in two runs side by side, on the same scale, with one legend."""
    fig = _figure()
    axes = fig.subplots(1, 2, sharex=True)
    handles: dict[str, object] = {}
    for ax, run, label in zip(axes, (a, b), labels):
        what_moved_whom(run, ax, most=6)
        ax.set_title(_titled(run, label), fontsize=TEXT, loc="left")
        ax.set_xlabel("")
        legend = ax.get_legend()
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            handles.setdefault(text.get_text(), handle)
        legend.remove()
    fig.legend(list(handles.values()), list(handles), loc="outside right upper", fontsize=SMALL + 1,
               frameon=False, title="moved by", title_fontsize=SMALL + 1, alignment="left")
    fig.supxlabel(f"total change in alignment over the run   (\u2190 toward {a.name(a.sides[0])}  |  "
                  f"toward {a.name(a.sides[1])} \u2192)", fontsize=TEXT)
    fig.suptitle("What moved whom: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


# ------------------------------------------------------------------------------- files

def _maker(key: str) -> Callable[[RunData], Figure]:
    return globals()[PLOTS[key]]


def figures(run: RunData) -> dict[str, Figure]:
    """Every plot of a run, by file name (see `PLOTS`)."""
    return {PLOTS[key]: _maker(key)(run) for key in PLOTS}


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The figure as a file's bytes, without the date or software stamps that would make runs differ."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "dipsim", "pdf.compression": 6}):
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def plot_files(run: RunData, fmt: str = "png", folder: str = "plots",
               progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every plot of a run rendered as ``{"plots/NAME.FORMAT": bytes}``, ready for `write_directory`."""
    files = {}
    for key, name in PLOTS.items():
        if progress:
            progress(name)
        files[f"{folder}/{name}.{fmt}" if folder else f"{name}.{fmt}"] = render(_maker(key)(run), fmt)
    return files


def save(fig: Figure, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix unless ``fmt`` is given)."""
    path = Path(path)
    path.write_bytes(render(fig, fmt or path.suffix.lstrip(".") or "png"))
    return path
