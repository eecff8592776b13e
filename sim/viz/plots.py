"""Pictures of a run for a slide: alignment over time, the road to a ceasefire, the network, what moved whom.

Every plot function takes a `RunData` (see `sim.io.rundata`) and optionally the Axes to draw on, and returns
the `Figure` it drew on. Without Axes it makes its own slide-sized figure (12 x 6.75 in at 150 dpi) with
`matplotlib.figure.Figure`, never pyplot, so nothing is left open and no global state is touched. From
a notebook::

    from sim.io.rundata import load_run
    from sim.viz import plots
    run = load_run("runs/baseline-seed2020")
    plots.alignment_over_time(run)          # a Figure; Jupyter shows it

Text is shown as written: a ``$`` in a scenario's title, an actor's name or an event's note is a dollar
sign, never the start of matplotlib's math text (`literal`).

Colours are colour-blind safe: alignment on ColorBrewer's diverging "RdBu" (the first side red, the
second blue), coalitions and rules from the Okabe-Ito palette, shares over a sweep's grid on viridis.

The plots of an ensemble or a sweep (`alignment_fan`, `ceasefire_day_distribution`, `broker_shares`,
`coalition_frequency`, `sweep_outcome`, `sweep_heatmap`) take an `ExperimentData` the same way::

    from sim.io.rundata import load_experiment
    ensemble = load_experiment("runs/baseline-ensemble-seed2020-runs300")
    plots.alignment_fan(ensemble)
"""

from __future__ import annotations

import functools
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
from matplotlib.text import Text

from sim.io.rundata import ExperimentData, RunData

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
#: Beyond this many days with events, event lines are drawn unnumbered and the key is left out.
MOST_NUMBERED_EVENT_DAYS = 12
#: The most actors the network draws: with more, the two sides and the most capable (`prominent`).
MOST_NODES = 40
MEDIATION_COLOUR = RULE_COLOURS["mediation"]

#: The plots a run directory gets, as ``plots/NAME.FORMAT``, in the order the report shows them.
PLOTS: dict[str, str] = {
    "alignment": "alignment_over_time",
    "ceasefire": "road_to_ceasefire",
    "network": "alignment_network",
    "moves": "what_moved_whom",
}


# ------------------------------------------------------------------------------------------- helpers

#: Matplotlib's settings under which every plot is drawn and rendered: no text is read as math.
LITERAL = {"text.parse_math": False}


def literal(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """``draw``, a plot function, with every text it writes shown as written (no math text).

    Texts read ``text.parse_math`` when they are made, so the drawing runs under `LITERAL`; the titles,
    axis labels and tick labels of Axes it is given were made before, so they are made literal first.
    """
    @functools.wraps(draw)
    def drawn(*args, **kwargs) -> Figure:
        with matplotlib.rc_context(LITERAL):
            for ax in _given_axes([*args, *kwargs.values()]):
                for text in ax.findobj(Text):
                    if text not in ax.texts:        # the Axes' own texts; others' annotations are left alone
                        text.set_parse_math(False)
            return draw(*args, **kwargs)

    return drawn


def _given_axes(values: Sequence) -> list[Axes]:
    """The Axes among ``values``, alone or in sequences."""
    found = []
    for value in values:
        if isinstance(value, Axes):
            found.append(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            found += [v for v in np.ravel(np.array(value, dtype=object)) if isinstance(v, Axes)]
    return found


def _figure(**kwargs) -> Figure:
    """A new slide-sized figure, not known to pyplot."""
    return Figure(figsize=SLIDE, dpi=DPI, layout="constrained", **kwargs)


def _axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    if ax is None:
        fig = _figure()
        return fig, fig.add_subplot(), True
    return ax.figure, ax, False


def _panels(axes: Sequence[Axes] | None, count: int, what: str, **layout) -> tuple[Figure, list[Axes], bool]:
    """The figure, ``count`` Axes and whether the figure is ours: the given Axes, or a new figure's."""
    if axes is None:
        fig = _figure()
        grid = fig.subplots(*layout.pop("shape"), **layout)
        return fig, list(np.ravel(grid)), True
    axes = list(axes)
    if len(axes) != count:
        raise ValueError(f"{what}; got {len(axes)} Axes")
    return axes[0].figure, axes, False


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


def prominent(run: RunData, most: int) -> list[str]:
    """Every actor, in the scenario's order, or with more than ``most`` the two sides and the most capable
    (on day 0): the actors a crowded plot names (or, in the network, draws)."""
    if len(run.actor_ids) <= most:
        return list(run.actor_ids)
    capability = run.field("capability").iloc[0]
    ranked = sorted(run.mediators, key=lambda a: -float(capability[a]))      # stable: ties in scenario order
    chosen = {*run.sides, *ranked[:max(most - 2, 0)]}
    return [a for a in run.actor_ids if a in chosen]


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

@literal
def alignment_over_time(run: RunData, ax: Axes | None = None, *, labels: str = "names",
                        key: bool = True, legend: bool = True) -> Figure:
    """Each actor's alignment day by day: one line per actor, coloured by the coalition it ends in.

    Lines are labelled at their end (``labels="ids"`` where space is short; with more actors than labels
    fit, only the sides and the most capable are named, their lines drawn bolder); the axis names the sides;
    dashed grey lines numbered at the top mark the days of events and tie changes (``key`` lists them
    under the plot); green shading marks the days a ceasefire is in force, a black dash-dot line its end.
    ``legend=False`` leaves out the legend (and the key), e.g. to draw one legend for several panels.
    """
    fig, ax, own = _axes(ax)
    wide = run.field("alignment")
    colours = coalition_colours(run, "end")
    days = wide.index.to_numpy()
    last = int(days[-1])
    named = prominent(run, int(2.16 / _label_gap(ax, SMALL, 2.16)))      # as many as fit one above another
    for actor in run.actor_ids:
        ax.plot(days, wide[actor].to_numpy(), color=colours[actor],
                lw=2.2 if actor in run.sides else 1.6 if actor in named else 0.6,
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
    crowded = len({day for _, day, _ in marks}) > MOST_NUMBERED_EVENT_DAYS
    if crowded:  # a dated record: one thin line a day, the events themselves are in the report
        for day in sorted({day for _, day, _ in marks}):
            ax.axvline(day, color=MARKER_GREY, lw=0.8, ls=(0, (3, 3)), zorder=2, gid=f"event:{day}")
    # Numbers of events on close days are spread apart; the Axes ends up narrower than it starts (the
    # labels at the line ends take room), hence the 0.8.
    per_day = 0.8 * ax.get_position().width * fig.get_figwidth() / max(last, 1)
    digits = len(str(len(marks)))
    at = spread([day for _, day, _ in marks], (digits * SMALL * 0.65 + 6) / 72 / per_day, 0, max(last, 1))
    for (number, day, _), x in zip([] if crowded else marks, at):
        ax.axvline(day, color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), zorder=2, gid=f"event:{day}")
        ax.text(x, 1.01, str(number), transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=SMALL, color=MARKER_GREY, fontweight="bold", gid=f"event-number:{day}")
    names = {a: (run.name(a) if labels == "names" else a) for a in named}
    ends = {a: float(wide[a].iloc[-1]) for a in named}
    _end_labels(ax, last, ends, names, colours, SMALL, -1.08, 1.08, 2.16)
    if not legend:
        key = False
    else:
        handles = alignment_legend(run, bool(marks), events_listed=len({d for _, d, _ in marks}) if crowded else 0)
        _alignment_legends(ax, handles, marks if key and not crowded else [])
    title = "Who backs whom, day by day"
    if own:
        fig.suptitle(f"{title}: {run.scenario.title}", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        some = f" (named: the sides and the {len(named) - 2} most capable)" if len(named) < len(run.actor_ids) else ""
        ax.set_title(f"alignment of each actor{some}; {run.scenario.name}, seed {run.seed}", fontsize=TEXT,
                     loc="left", color="#444444", pad=18)
    else:
        ax.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", pad=18)
    return fig


def alignment_legend(run: RunData, events: bool = True, counts: bool = True, events_listed: int = 0) -> list:
    """Legend entries of `alignment_over_time`: the camps' colours, ceasefire shading and ends, events
    (``events_listed``: on how many days, when the plot does not number the events)."""
    handles = [Line2D([], [], color=c, lw=3, label=f"{t} at the end")
               for c, t in coalition_titles(run, "end", counts)]
    if run.ceasefires:
        handles.append(Patch(color=CEASEFIRE_SHADE, alpha=0.25, label="ceasefire in force"))
    if any(c.ended_by for c in run.ceasefires):
        handles.append(Line2D([], [], color=BREAKDOWN, lw=1.6, ls="-.", label="ceasefire ends"))
    if events:
        label = f"a day with events ({events_listed} days; the report lists them)" if events_listed else "event"
        handles.append(Line2D([], [], color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), label=label))
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

@literal
def road_to_ceasefire(run: RunData, axes: Sequence[Axes] | None = None, *, mediators: int = 5) -> Figure:
    """Three panels over the days: each side's willingness against the mediation threshold; the pressure
    of the ``mediators`` who press hardest (the rest summed); each side's intensity of fighting.

    Ceasefires are shaded with their broker written in; breakdowns are red dashed lines.
    ``axes``: three Axes to draw on (top to bottom), or None for a figure of its own.
    """
    fig, axes, own = _panels(axes, 3, "road_to_ceasefire draws three panels", shape=(3, 1), sharex=True,
                             height_ratios=[1.5, 1, 1])
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
    """Node positions of the actors the network shows (`prominent`, at most `MOST_NODES`), the same for
    every day of the run: a seeded spring layout over every tie between them ever in place.

    Friendly ties pull their ends together by their weight; hostile ties and mediation channels barely
    pull (they join actors that are not close). The layout starts with each actor placed left to right
    by its starting alignment, so the first side tends to the left and the second to the right.
    """
    import networkx as nx

    shown = prominent(run, MOST_NODES)
    ties = run.ties[(run.ties["active"] == 1) & run.ties["source"].isin(shown) & run.ties["target"].isin(shown)]
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
    ids = sorted(shown)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            pull.setdefault((a, b), 0.005)
    graph = nx.Graph()
    graph.add_nodes_from(shown)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(pull.items()))
    rng = np.random.default_rng(seed)
    start = run.field("alignment").iloc[0]
    # A little seeded jitter keeps actors of the same starting alignment from staying on one vertical line.
    initial = {a: (float(start[a]) + float(rng.uniform(-0.3, 0.3)), float(rng.uniform(-1, 1))) for a in shown}
    pos = nx.spring_layout(graph, pos=initial, seed=seed, weight="weight",
                           k=1.2 / math.sqrt(max(len(shown), 1)), iterations=300)
    return {a: (float(pos[a][0]), float(pos[a][1])) for a in shown}


def _draw_network(ax: Axes, run: RunData, day: int, when: str, pos: dict[str, tuple[float, float]]) -> None:
    """The network of ``run`` on ``day``, the actors at positions ``pos`` and the ties between them; coalitions
    of ``when`` (start or end)."""
    norm = Normalize(-1, 1)
    cmap = matplotlib.colormaps[ALIGNMENT_CMAP]
    alignment = run.field("alignment")
    capability = run.field("capability")
    ties = run.ties[run.ties["step"] == day]
    ties = ties[(ties["active"] == 1) & ties["source"].isin(list(pos)) & ties["target"].isin(list(pos))]
    for tie in ties.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[tie.source], pos[tie.target]
        colour = FRIENDLY if tie.weight >= 0 else HOSTILE
        style = ":" if tie.kind == "mediation" else ("-" if tie.weight >= 0 else "--")
        ax.plot([x0, x1], [y0, y1], color=colour, lw=0.6 + 4.0 * abs(tie.weight), ls=style, alpha=0.8,
                zorder=1, gid=f"tie:{tie.tie}", solid_capstyle="round")
    ring = coalition_colours(run, when)
    member = run.coalition_of(when)
    for actor in pos:
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


def _network_keys(fig: Figure, axes: Sequence[Axes], run: RunData, counts: bool = True, crowded: bool = False) -> None:
    """The alignment colour bar under ``axes`` and the legend of rings, shapes and ties beside the last
    (``crowded``: saying that only the sides and the most capable are drawn)."""
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
                    title="ring and shape: coalition\nnode size: capability\nline width: tie weight"
                    + (f"\n\ndrawn: the two sides and\nthe {MOST_NODES - 2} most capable actors" if crowded else ""),
                    title_fontsize=SMALL, alignment="left")


@literal
def alignment_network(run: RunData, axes: Sequence[Axes] | None = None, *, layout_seed: int = 7) -> Figure:
    """The network at the start and at the end, side by side, each node in the same place on both.

    Node colour: alignment (RdBu, the first side red); node size: capability; ring colour and shape:
    coalition (landscape theory) on that day; edge colour: sign (green friendly, red dashed hostile),
    edge width: |weight|; mediation channels dotted. ``axes``: two Axes (start, end) or None. With more
    than `MOST_NODES` actors, only the sides and the most capable are drawn (the title says so).
    """
    fig, axes, own = _panels(axes, 2, "alignment_network draws two panels (start, end)", shape=(1, 2))
    pos = network_layout(run, layout_seed)
    days = run.field("alignment").index
    for ax, when, day in ((axes[0], "start", int(days[0])), (axes[1], "end", int(days[-1]))):
        _draw_network(ax, run, day, when, pos)
        ax.set_title(f"{when} (day {day})", fontsize=TITLE, loc="left")
    _network_keys(fig, axes, run, crowded=len(run.actor_ids) > MOST_NODES)
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


@literal
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


@literal
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


@literal
def compare_ceasefire(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """The road to a ceasefire of two runs side by side (same scales)."""
    fig = _figure()
    grid = fig.subplots(3, 2, sharex="col", sharey="row", height_ratios=[1.5, 1, 1])
    tops = np.zeros(3)
    for column, run, label in zip(range(2), (a, b), labels):
        road_to_ceasefire(run, grid[:, column], mediators=3)
        grid[0, column].set_title(_titled(run, label), fontsize=TEXT, loc="left")
        tops = np.maximum(tops, [ax.get_ylim()[1] for ax in grid[:, column]])  # each run sets its own scale
    for row, top in enumerate(tops):
        grid[row, 0].set_ylim(0, top)  # shared by the row: room for the larger of the two
    for ax in grid[:, 1]:
        ax.set_ylabel("")
    fig.suptitle("The road to a ceasefire: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def compare_network(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B"), *, layout_seed: int = 7) -> Figure:
    """The network at the end of each run, side by side; one layout for both when they have the same actors."""
    fig = _figure()
    axes = fig.subplots(1, 2)
    shared = network_layout(a, layout_seed) if set(a.actor_ids) == set(b.actor_ids) else None
    for ax, run, label in zip(axes, (a, b), labels):
        _draw_network(ax, run, run.steps, "end", shared or network_layout(run, layout_seed))
        ax.set_title(f"{_titled(run, label)} (day {run.steps})", fontsize=TEXT, loc="left")
    _network_keys(fig, axes, a, counts=False, crowded=max(len(a.actor_ids), len(b.actor_ids)) > MOST_NODES)
    fig.suptitle("The alignment network at the end: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
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


# ------------------------------------------------------------------------------- ensembles and sweeps

#: The plots an ensemble directory gets, as ``plots/NAME.FORMAT`` (the fan only when it has quantiles.csv).
ENSEMBLE_PLOTS = ("alignment_fan", "ceasefire_day_distribution", "broker_shares", "coalition_frequency")
#: The plots a sweep directory gets (the heat map only for a grid of two varied keys).
SWEEP_PLOTS = ("sweep_outcome", "sweep_heatmap")
#: What each outcome of ``summary.json``'s probabilities means, for titles and axes.
OUTCOME_LABELS = {
    "ceasefire_reached": "reached a ceasefire",
    "ceasefire_within_30_days": "reached a ceasefire within 30 days",
    "lasting_ceasefire": "ended with a ceasefire in force",
    "breakdown": "saw a ceasefire break down",
}
#: The most lines `sweep_outcome` draws for a grid (one per combination of the keys after the first).
MOST_LINES = 8
#: How many coalition splits `coalition_frequency` shows one by one (the rest are summed).
MOST_SPLITS = 8
#: The fan's bands: (low, high, opacity).
FAN_BANDS = (("q05", "q95", 0.17), ("q25", "q75", 0.38))
#: A median alignment this close to 0 at the end backs neither side (the fan's grey).
NEUTRAL_BAND = 0.15
NEUTRAL_COLOUR = "#666666"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _runs_text(data: ExperimentData) -> str:
    runs = f"{len(data.ok)} runs" if not data.is_sweep else f"{data.summary.get('runs', '?')} runs at each point"
    failed = len(data.runs) - len(data.ok)
    text = f"{data.scenario.name}, {runs} from seed {data.seed}"
    if failed:
        text += f" ({failed} failed, left out)"
    if not data.complete:
        text += "; INCOMPLETE (interrupted)"
    return text


def _short(data: ExperimentData) -> str:
    """``baseline, 300 runs`` (``30 runs a point`` for a sweep): the title of a plot drawn on given Axes."""
    runs = f"{data.summary.get('runs', '?')} runs a point" if data.is_sweep else f"{len(data.ok)} runs"
    return f"{data.scenario.name}, {runs}" + ("" if data.complete else " (incomplete)")


def split_camps(data: ExperimentData | RunData, split: str) -> list[tuple[str, str, list[str]]]:
    """The camps of a coalition split (``ARM NKR RUS | AZE PAK TUR``): ``(colour, title, members)`` each.

    A camp that holds a side is that side's (``Armenia's camp``, in the side's colour, the side first
    among its members); a camp that holds neither is a third camp (the next Okabe-Ito colour).
    """
    camps = []
    spare = iter(OTHER_COLOURS)
    order = {a: k for k, a in enumerate(data.actor_ids)}
    for text in split.split("|"):
        members = text.split()
        if not members:
            continue
        held = [k for k, side in enumerate(data.sides) if side in members]
        owner = " and ".join(data.name(data.sides[k]) for k in held)
        if held:
            colour = SIDE_COLOURS[held[0]]
            title = f"{owner}' camp" if owner.endswith("s") else f"{owner}'s camp"
        else:
            colour, title = next(spare, "#777777"), "a third camp"
        members = sorted(members, key=lambda a: (a not in data.sides, order.get(a, len(order)), a))
        camps.append((colour, title, members))
    return camps


def leanings(data: ExperimentData, neutral: float = NEUTRAL_BAND) -> dict[str, int]:
    """Which side each actor's median alignment on the last day backs: 0 (the first side, below
    ``-neutral``), 1 (the second, above ``+neutral``) or -1 (neither: within ``neutral`` of 0)."""
    found = {}
    for actor in data.actor_ids:
        end = float(data.fan(actor)["q50"].iloc[-1])
        found[actor] = 0 if end < -neutral else (1 if end > neutral else -1)
    return found


def _fan(ax: Axes, data: ExperimentData, actor: str, colour: str, lw: float = 2.0) -> None:
    """One actor's median alignment and its 5-95 % and 25-75 % bands over the runs."""
    q = data.fan(actor)
    days = q.index.to_numpy()
    for low, high, alpha in FAN_BANDS:
        ax.fill_between(days, q[low].to_numpy(), q[high].to_numpy(), color=colour, alpha=alpha, lw=0,
                        gid=f"band{low[1:]}-{high[1:]}:{actor}", zorder=2)
    ax.plot(days, q["q50"].to_numpy(), color=colour, lw=lw, gid=f"median:{actor}", zorder=3,
            solid_capstyle="round")


def _fan_axes(ax: Axes, data: ExperimentData) -> None:
    ax.set_xlim(0, max(data.steps, 1))
    ax.set_ylim(-1.08, 1.08)
    ax.axhline(0, color="#BBBBBB", lw=1, zorder=1)
    _style(ax)


@literal
def alignment_fan(data: ExperimentData, ax: Axes | Sequence[Axes] | None = None, *,
                  actors: Sequence[str] | None = None) -> Figure:
    """Fan charts of alignment over the days of an ensemble: per actor, the median over the runs and
    the bands that hold the middle half (25-75 %) and 90 % (5-95 %) of the runs (``quantiles.csv``).

    Without ``ax``: one small panel per actor (``actors``, default all), on one scale, grouped and
    coloured by the side the actor's median ends up backing (the first side's colour, the second's, grey
    near neutral), with a shared legend. ``ax`` one Axes: the fans of ``actors`` (default the two sides)
    drawn together on it; a sequence of Axes: one actor on each (``actors`` in the order given).
    """
    leaning = leanings(data)
    colours = {a: SIDE_COLOURS[k] if k >= 0 else NEUTRAL_COLOUR for a, k in leaning.items()}
    order = {a: k for k, a in enumerate(data.actor_ids)}
    group = {0: 0, -1: 1, 1: 2}
    grouped = sorted(data.actor_ids, key=lambda a: (group[leaning[a]], a not in data.sides, order[a]))
    side_names = (data.name(data.sides[0]), data.name(data.sides[1]))
    if isinstance(ax, Axes):
        chosen = list(actors) if actors is not None else list(data.sides)
        palette = [OKABE_ITO[c] for c in ("vermillion", "blue", "bluish green", "reddish purple", "orange")]
        own_colours = {a: SIDE_COLOURS[data.sides.index(a)] if chosen == list(data.sides) else
                       palette[k % len(palette)] for k, a in enumerate(chosen)}
        for actor in chosen:
            _fan(ax, data, actor, own_colours[actor])
        _fan_axes(ax, data)
        ax.set_yticks([-1, -0.5, 0, 0.5, 1])
        ax.set_yticklabels([f"backs {side_names[0]}  \u22121", "\u22120.5", "neutral  0", "+0.5",
                            f"backs {side_names[1]}  +1"])
        ax.set_xlabel("day", fontsize=TEXT)
        ax.legend(handles=[Line2D([], [], color=own_colours[a], lw=2.5, label=data.name(a)) for a in chosen],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL, frameon=False,
                  title="median, and the\nmiddle 50% and 90%\nof the runs", title_fontsize=SMALL, alignment="left")
        ax.set_title(f"alignment; {_short(data)}", fontsize=TEXT, loc="left")
        return ax.figure
    chosen = list(actors) if actors is not None else grouped
    if ax is None:
        fig = _figure()
        count = len(chosen) + 1                                   # one panel for the legend
        cols = math.ceil(math.sqrt(count * 1.42))
        rows = math.ceil(count / cols)
        grid = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
        panels = list(grid.flat)
        own = True
    else:
        panels = list(ax)
        if len(panels) != len(chosen):
            raise ValueError(f"alignment_fan draws {len(chosen)} panels (one per actor); got {len(panels)} Axes")
        fig, own = panels[0].figure, False
    for panel, actor in zip(panels, chosen):
        _fan(panel, data, actor, colours[actor])
        _fan_axes(panel, data)
        panel.set_title(data.name(actor), fontsize=SMALL + 1, loc="left", color="#222222", pad=3)
        panel.set_yticks([-1, 0, 1])
        panel.set_yticklabels(["\u22121", "0", "+1"])
        panel.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    if not own:
        return fig
    spare = panels[len(chosen):]
    for panel in spare:
        panel.set_axis_off()
    for column in range(grid.shape[1]):                  # day numbers under the lowest panel of each column
        shown = [p for p in grid[:, column] if p.axison]
        if shown:
            shown[-1].tick_params(labelbottom=True)
    grey = "#555555"
    handles = [Line2D([], [], color=grey, lw=2, label="median of the runs"),
               Patch(color=grey, alpha=FAN_BANDS[1][2], lw=0, label="middle half of the runs (25-75%)"),
               Patch(color=grey, alpha=FAN_BANDS[0][2], lw=0, label="90% of the runs (5-95%)")]
    for k in (0, -1, 1):
        if k in leaning.values():
            what = f"ends backing {side_names[k]}" if k >= 0 else \
                f"ends near neutral (within \u00b1{NEUTRAL_BAND:g})"
            handles.append(Patch(color=SIDE_COLOURS[k] if k >= 0 else NEUTRAL_COLOUR, label=what))
    title = f"{_runs_text(data)}; colour: where the median ends"
    if spare:
        spare[-1].legend(handles=handles, loc="center left", fontsize=SMALL, frameon=False, borderaxespad=0,
                         title=textwrap.fill(title, 36), title_fontsize=SMALL, alignment="left")
    else:
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4), fontsize=SMALL,
                   frameon=False, title=title, title_fontsize=SMALL)
    fig.supylabel(f"alignment   (\u22121 backs {side_names[0]},  +1 backs {side_names[1]})", fontsize=TEXT)
    fig.supxlabel("day", fontsize=TEXT)
    fig.suptitle(f"Who backs whom across {len(data.ok)} runs: each actor's alignment, day by day",
                 fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def ceasefire_day_distribution(data: ExperimentData, ax: Axes | None = None) -> Figure:
    """How many runs reached their first ceasefire on each day (among the runs that reached one), with
    the median and the middle half marked and the share of runs that never reached one written."""
    fig, ax, own = _axes(ax)
    days = data.first_ceasefire_days().to_numpy()
    total, reached = len(data.ok), len(days)
    never = total - reached
    last = max(data.steps, 1)
    width = max(1, math.ceil((last + 1) / 90))
    edges = np.arange(0, last + 1 + width, width) - 0.5
    counts, _ = np.histogram(days, edges)
    for k, count in enumerate(counts):
        if count:
            ax.bar(edges[k], count, width=width, align="edge", color=CEASEFIRE_SHADE, edgecolor="white",
                   linewidth=0.6, gid=f"days:{edges[k] + 0.5:g}", zorder=3)
    ax.set_xlim(edges[0], last + 0.5)
    ax.set_ylim(0, max(int(counts.max()) if len(counts) else 0, 1) * 1.4)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    days_text = f"{last} day" + ("s" if last != 1 else "")
    _style(ax)
    ax.set_xlabel("day of the first ceasefire" + (f"  (bars of {width} days)" if width > 1 else ""), fontsize=TEXT)
    ax.set_ylabel("runs", fontsize=TEXT)
    handles = []
    if reached:
        q25, median, q75 = (float(v) for v in np.quantile(days, [0.25, 0.5, 0.75]))
        ax.axvspan(q25, q75, color="#999999", alpha=0.18, lw=0, zorder=1, gid="middle-half")
        ax.axvline(median, color="#000000", lw=1.8, ls=(0, (6, 3)), zorder=4, gid="median")
        handles = [Patch(color=CEASEFIRE_SHADE, label="runs whose first ceasefire came " +
                         ("that day" if width == 1 else "in those days"))] if own else []
        handles += [Line2D([], [], color="#000000", lw=1.8, ls=(0, (6, 3)), label=f"median: day {median:g}"),
                    Patch(color="#999999", alpha=0.3, lw=0, label=f"middle half of them: days {q25:g}-{q75:g}")]
    else:
        ax.text(0.5, 0.5, f"no run reached a ceasefire in {days_text}" if total else "no finished run",
                transform=ax.transAxes, ha="center", fontsize=TEXT, gid="never")
    if reached:
        handles.append(Patch(facecolor="white", edgecolor="#777777", lw=1,
                             label=(f"never reached one in {days_text}: " if own else "never: ") +
                             f"{never} of {total} runs ({_percent(never / total)})"))
        ax.legend(handles=handles, loc="best", fontsize=SMALL + 1 if own else SMALL, frameon=True, facecolor="white",
                  edgecolor="none", framealpha=0.9).set_gid("day-legend")
    if own:
        if not total:
            headline = "(no finished run)"
        elif reached == total:
            headline = f"All {total} runs reached one"
        else:
            headline = f"{reached} of {total} runs reached one ({_percent(reached / total)})"
        fig.suptitle(f"When does the first ceasefire come? {headline}", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"day of the first ceasefire in each run that reached one; {_runs_text(data)}",
                     fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        ax.set_title(f"first ceasefire day; {_short(data)}", fontsize=TEXT, loc="left")
    return fig


def _percent_axis(ax: Axes, right: float = 1.2, narrow: bool | None = None) -> None:
    """An x axis of shares, 0 to 100 %, with room on the right for the bars' numbers (fewer ticks when narrow:
    by default, when the Axes is under 3.5 in wide before the layout)."""
    ax.set_xlim(0, right)
    if narrow is None:
        narrow = ax.get_position().width * ax.figure.get_figwidth() < 3.5
    ticks = [0, 0.5, 1] if narrow else [0, 0.25, 0.5, 0.75, 1]
    ax.set_xticks(ticks, [_percent(t) for t in ticks])
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)


@literal
def broker_shares(data: ExperimentData, ax: Axes | None = None) -> Figure:
    """Who brokered the first ceasefire: each actor's share of the runs that reached one (``summary.json``).

    Every actor that is not a side gets a row (those that never brokered one say so), the brokers first;
    a grey bar counts the ceasefires a scenario event declared without a broker.
    """
    fig, ax, own = _axes(ax)
    brokers = {a: float(v) for a, v in (data.summary.get("brokers") or {}).items()}
    reached = int(data.summary.get("probabilities", {}).get("ceasefire_reached", {}).get("runs") or 0)
    rest = 1.0 - sum(brokers.values())
    entries = [(a, data.name(a), v, MEDIATION_COLOUR) for a, v in brokers.items()]
    if reached and rest > 1e-6:
        entries.append(("", "no broker (declared by a scenario event)", rest, "#999999"))
    if reached:
        entries += [(a, data.name(a), 0.0, MEDIATION_COLOUR) for a in data.actor_ids
                    if a not in data.sides and a not in brokers]
    rows = list(range(len(entries)))
    for y, (actor, _, share, colour) in zip(rows, entries):
        ax.barh(y, share, height=0.62, color=colour, gid=f"broker:{actor}", zorder=3)
        text = f"{_percent(share)}  ({round(share * reached)} runs)" if share > 0 else "never"
        ax.text(share + 0.01, y, text, va="center", fontsize=TEXT if share > 0 else SMALL,
                color="#222222" if share > 0 else "#777777")
    ax.set_ylim(max(len(entries), 4) - 0.4, -0.6)
    ax.set_yticks(rows)
    ax.set_yticklabels([label for _, label, _, _ in entries], fontsize=TEXT)
    _percent_axis(ax)
    ax.set_xlabel(f"share of the {reached} runs that reached a ceasefire" if reached else "share of runs",
                  fontsize=TEXT)
    if not reached:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no run reached a ceasefire", transform=ax.transAxes, ha="center", fontsize=TEXT)
    if own:
        title = "Who brokers the first ceasefire?"
        if brokers:
            top, share = next(iter(brokers.items()))
            title += (f" {data.name(top)}, in all {reached} runs that reached one" if share >= 1 else
                      f" Most often {data.name(top)}, in {_percent(share)} of the {reached} runs that reached one")
        fig.suptitle(title, fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"the actor credited with each run's first ceasefire; {_runs_text(data)}",
                     fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        ax.set_title(f"brokers; {_short(data)}", fontsize=TEXT, loc="left")
    return fig


def _split_lines(data: ExperimentData, split: str, width: int, ids: bool) -> list[tuple[str, str, bool]]:
    """A split's camps as wrapped lines of text: ``(colour, text, first line of a camp)``."""
    lines = []
    for colour, title, members in split_camps(data, split):
        named = [(a if ids else data.name(a)) for a in members]
        wrapped = textwrap.wrap(f"{title} ({len(members)}): {', '.join(named)}", width, subsequent_indent="    ",
                                break_on_hyphens=False)
        lines += [(colour, line, k == 0) for k, line in enumerate(wrapped)]
    return lines


@literal
def coalition_frequency(data: ExperimentData, ax: Axes | None = None, *, most: int = MOST_SPLITS) -> Figure:
    """How often each coalition split (landscape theory, at the end of a run) came out: one bar per split,
    the ``most`` commonest one by one and the rest together, each labelled with its camps (named by the
    side each holds, in that side's colour, the actors by name, or by id where names would not fit).

    Without ``ax`` the labels get a panel of their own left of the bars; on a given Axes they stand
    left of it. The y axis counts lines of label (11 pt), so labels never overlap.
    """
    if ax is None:
        fig = _figure()
        words, ax = fig.subplots(1, 2, sharey=True, width_ratios=[1.3, 1])
        words.set_axis_off()
        own, where, x, align = True, words.get_yaxis_transform(), 0.0, "left"
    else:
        fig, own = ax.figure, False
        words, where, x, align = ax, ax.get_yaxis_transform(), -0.012, "right"
    shares = dict(data.summary.get("coalitions") or {})
    total = len(data.ok)
    _percent_axis(ax, 1.22, narrow=not own)          # beside given Axes, the labels leave the bars little room
    ax.spines["left"].set_visible(False)
    ax.set_yticks([])
    ax.set_xlabel(f"share of the {total} runs", fontsize=TEXT)
    if own:
        fig.suptitle(f"Which coalitions form? The split into camps at the end of each run "
                     f"({len(shares)} different)", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        words.set_title(f"lowest-energy configuration (landscape theory) on the last day; {_runs_text(data)}",
                        fontsize=SMALL + 1, loc="left", color="#444444")
        fig.draw_without_rendering()                    # the layout, to know how many lines of label fit
    else:
        ax.set_title("coalitions at the end", fontsize=TEXT, loc="left")
    line = SMALL * 1.3 / 72                             # inches per line of label
    room = max(ax.get_position().height * fig.get_figheight() / line, 6.0)
    width = max(int(words.get_position().width * fig.get_figwidth() * 72 / (SMALL * 0.62)) - 2, 30) \
        if own else 40
    while True:
        shown, others = list(shares.items())[:most], list(shares.items())[most:]
        for ids in ((False, True) if own else (True,)):          # beside given Axes, ids: room is short
            labels = {s: _split_lines(data, s, width, ids) for s, _ in shown}
            needed = sum(len(v) + 1 for v in labels.values()) + (2 if others else 0)
            if needed <= room:
                break
        if needed <= room or most <= 2:
            break
        most -= 1
    # Between splits a gap of one line or more (up to four, where there is room); the whole centred.
    count = len(shown) + bool(others)
    gap = min(max((room - needed) / max(count, 1) + 1, 1.0), 4.0)
    y = max((room - (needed - count + count * gap)) / 2, 0.0) + gap / 2
    rows = []
    for k, (split, share) in enumerate(shown):
        lines = labels[split]
        rows.append((y + (len(lines) - 1) / 2, split, share, "#333333" if k == 0 else "#777777", lines))
        y += len(lines) + gap
    if others:
        rest = sum(v for _, v in others)
        rows.append((y, "others", rest, "#BBBBBB",
                     [("#555555", f"{len(others)} other splits, together", True)]))
        y += 1 + gap
    for centre, split, share, colour, lines in rows:
        ax.barh(centre, share, height=min(0.8 * len(lines) + 0.2, 2.6), color=colour, gid=f"split:{split}",
                zorder=3)
        value = f"{_percent(share)}  ({round(share * total)} runs)" if own else _percent(share)
        ax.text(share + 0.01, centre, value, va="center", fontsize=TEXT, color="#222222")
        top = centre - (len(lines) - 1) / 2
        for j, (line_colour, text, first) in enumerate(lines):
            words.text(x, top + j, text, transform=where, ha=align, va="center", fontsize=SMALL,
                       color=line_colour, fontweight="bold" if first else "normal", gid=f"split-label:{split}")
    ax.set_ylim(max(room, y - gap / 2), 0)
    if not rows:
        ax.text(0.5, 0.5, "no finished run", transform=ax.transAxes, ha="center", fontsize=TEXT)
    return fig


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _values(column: Sequence) -> list:
    """A varied key's distinct values: numbers in increasing order, anything else in the order met."""
    found = list(dict.fromkeys(v for v in column))
    return sorted(found) if all(_is_number(v) for v in found) else found


def _positions(column: Sequence, values: Sequence) -> np.ndarray:
    """Where each value of ``column`` goes on an axis: itself when the key is numeric, else its index."""
    if all(_is_number(v) for v in values):
        return np.array([float(v) for v in column])
    return np.array([float(values.index(v)) for v in column])


def _key_axis(ax: Axes, key: str, values: Sequence, grid: bool = True) -> None:
    """Label a varied key's x axis: a tick at each value of a grid's few numbers or at every value that is
    not a number; matplotlib's ticks for a sample's scattered numbers."""
    ax.set_xlabel(key, fontsize=TEXT)
    if not all(_is_number(v) for v in values):
        ax.set_xticks(range(len(values)), [str(v) for v in values])
    elif grid and len(values) <= 12:
        ax.set_xticks([float(v) for v in values], [f"{v:g}" for v in values])


def _share_axis(ax: Axes, label: str, ticks: bool = True) -> None:
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_yticklabels(["0%", "25%", "50%", "75%", "100%"] if ticks else [])
    if label:
        ax.set_ylabel(label, fontsize=TEXT)


def _outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def _line_colours(values: Sequence) -> list[str]:
    """Colours of one line per value: an ordered ramp (viridis, its pale end left out) for numbers, else Okabe-Ito."""
    if len(values) > 1 and all(_is_number(v) for v in values):
        cmap = matplotlib.colormaps["viridis"]
        return [matplotlib.colors.to_hex(cmap(0.85 * k / (len(values) - 1))) for k in range(len(values))]
    palette = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish green", "reddish purple", "orange",
                                      "sky blue", "black")]
    return [palette[k % len(palette)] for k in range(len(values))]


def _lines_of(data: ExperimentData, table) -> list[tuple[str, object]] | None:
    """A grid's points as lines over its first key: one per combination of the other keys' values
    (``[("all", table)]`` for one key); None when the points are scattered or would make over `MOST_LINES` lines."""
    keys = data.varied
    if data.sample != "grid":
        return None
    if len(keys) == 1:
        return [("all", table)]
    others = list(keys[1:])
    combos = list(dict.fromkeys(zip(*(table[k] for k in others))))
    if len(combos) > MOST_LINES:
        return None
    if len(others) == 1:
        combos = [(v,) for v in _values([c[0] for c in combos])]
    lines = []
    for combo in combos:
        rows = table[np.logical_and.reduce([table[k] == v for k, v in zip(others, combo)])]
        text = [f"{v:g}" if _is_number(v) else str(v) for v in combo]
        label = ", ".join(text)
        lines.append((label, rows))
    return lines


@literal
def sweep_outcome(data: ExperimentData, outcome: str = "ceasefire_reached", ax: Axes | Sequence[Axes] | None = None,
                  *, parameter: str | None = None) -> Figure:
    """The share of runs with ``outcome`` (a probability of ``summary.json``) against a varied key, with its
    95 % Wilson interval.

    A grid of one key: a line with the interval shaded. A grid of two keys (or more, up to `MOST_LINES`
    combinations of the others): one line per value of the second key, each point's interval an error
    bar. Scattered points (``--sample latin``, or larger grids): each point's share against each key
    (``parameter``: only that one) with its interval as an error bar, one panel per key; ``ax`` may then
    be one Axes (the first key, or ``parameter``) or one Axes per key.
    """
    table = data.shares(outcome)
    keys = data.varied
    what = _outcome_label(outcome)
    if not keys:
        raise ValueError("sweep_outcome draws a sweep; this is an ensemble")
    if parameter is not None and parameter not in keys:
        raise ValueError(f"{parameter!r} is not a varied key; the sweep varies {', '.join(keys)}")
    groups = _lines_of(data, table)
    if groups is not None and parameter in (None, keys[0]) and (ax is None or isinstance(ax, Axes)):
        fig, ax, own = _axes(ax)
        first = _values(table[keys[0]])
        if len(groups) == 1:
            colours = [OKABE_ITO["blue"]]
        else:       # an ordered ramp over the second key's values; distinct colours for combinations of several
            colours = _line_colours(_values(table[keys[1]]) if len(keys) == 2 else [str(v) for v, _ in groups])
        xs_all = np.unique(_positions(list(table[keys[0]]), first))
        step = float(np.min(np.diff(xs_all))) if len(xs_all) > 1 else 1.0
        for k, ((label, rows), colour) in enumerate(zip(groups, colours)):
            xs = _positions(list(rows[keys[0]]), first)
            order = np.argsort(xs, kind="stable")
            xs = xs[order]
            p, low, high = (rows[c].to_numpy()[order] for c in ("p", "low", "high"))
            if len(groups) == 1:
                ax.fill_between(xs, low, high, color=colour, alpha=0.22, lw=0, gid="band:all", zorder=2)
                ax.plot(xs, p, color=colour, lw=2.4, marker="o", markersize=7, gid="share:all", zorder=3)
                continue
            # Several lines: each interval an error bar, set a little apart from the others' so that they do
            # not hide one another (the points stay at their true value).
            nudge = (k - (len(groups) - 1) / 2) * step * 0.14 / max(len(groups) - 1, 1)
            ax.plot(xs, p, color=colour, lw=2.2, marker=SHAPES[k % len(SHAPES)], markersize=7,
                    gid=f"share:{label}", label=label, zorder=3)
            bars = ax.errorbar(xs + nudge, p, yerr=[p - low, high - p], fmt="none", ecolor=colour, elinewidth=1.4,
                               capsize=3, alpha=0.8, zorder=2)
            for segment in bars.lines[2]:
                segment.set_gid(f"interval:{label}")
        _key_axis(ax, keys[0], first)
        _share_axis(ax, f"share of runs that {what}")
        _style(ax)
        pad = 0.05 * (xs_all[-1] - xs_all[0]) if len(xs_all) > 1 else 0.5
        ax.set_xlim(xs_all[0] - pad, xs_all[-1] + pad)
        if table["p"].isna().all():
            ax.text(0.5, 0.5, "no finished run", transform=ax.transAxes, ha="center", fontsize=TEXT)
        if len(groups) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL + 1, frameon=False,
                      title="\n".join(keys[1:]) if len(keys) > 2 else keys[1], title_fontsize=SMALL + 1,
                      alignment="left")
            band = "bars: 95% confidence interval of each point (Wilson), set a little apart"
        else:
            band = "shaded: 95% confidence interval (Wilson)"
        if own:
            fig.suptitle(f"Share of runs that {what}, by {keys[0]}", fontsize=SUPTITLE - 2, x=0.01, ha="left")
            ax.set_title(f"{band}; {_runs_text(data)}", fontsize=SMALL + 1, loc="left", color="#444444")
        else:
            ax.set_title(f"{what}; {_short(data)}", fontsize=TEXT, loc="left")
        return fig
    chosen = [parameter] if parameter is not None else list(keys)
    if ax is None:
        fig = _figure()
        cols = min(len(chosen), 3)
        panels = list(fig.subplots(math.ceil(len(chosen) / cols), cols, sharey=True, squeeze=False).flat)
        for panel in panels[len(chosen):]:
            panel.set_axis_off()
        own = True
    elif isinstance(ax, Axes):
        chosen, panels, fig, own = chosen[:1], [ax], ax.figure, False
    else:
        panels = list(ax)
        if len(panels) != len(chosen):
            raise ValueError(f"sweep_outcome draws {len(chosen)} panels (one per key); got {len(panels)} Axes")
        fig, own = panels[0].figure, False
    colour = OKABE_ITO["blue"]
    for k, (panel, key) in enumerate(zip(panels, chosen)):
        values = _values(table[key])
        xs = _positions(list(table[key]), values)
        if data.sample == "grid" and len(values) < len(xs):     # a grid's points share x: set them apart
            step = float(np.min(np.diff(np.unique(xs)))) if len(values) > 1 else 1.0
            rank = table.groupby(key, sort=False).cumcount().to_numpy()
            size = table.groupby(key, sort=False)[key].transform("size").to_numpy()
            xs = xs + (rank - (size - 1) / 2) * step * 0.4 / np.maximum(size - 1, 1)
        p, low, high = (table[c].to_numpy() for c in ("p", "low", "high"))
        found = panel.errorbar(xs, p, yerr=[p - low, high - p], fmt="o", color=colour, ecolor=colour,
                               elinewidth=1.2, capsize=3, markersize=6, alpha=0.85, zorder=3)
        found.lines[0].set_gid(f"points:{key}")
        for bars in found.lines[2]:
            bars.set_gid(f"interval:{key}")
        _key_axis(panel, key, values, grid=data.sample == "grid")
        _share_axis(panel, f"share of runs that {what}" if k % 3 == 0 else "", ticks=True)
        _style(panel)
    if own:
        how = "a Latin hypercube sample" if data.sample == "latin" else "a grid"
        fig.suptitle(f"Share of runs that {what}, at each point of {how}", fontsize=SUPTITLE - 2, x=0.01,
                     ha="left")
        apart = ", points of one value set a little apart" if data.sample == "grid" else ""
        # The subtitle may be wider than its panel: written over the panels' (blank) titles, out of the layout.
        for panel in panels:
            panel.set_title(" \n ", fontsize=SMALL + 1)
        panels[0].annotate(f"{_runs_text(data)}; {len(table)} points\nbars: 95% confidence interval (Wilson){apart}",
                           xy=(0, 1), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                           fontsize=SMALL + 1, color="#444444", va="baseline", gid="subtitle").set_in_layout(False)
    else:
        panels[0].set_title(f"{what}; {_short(data)}", fontsize=TEXT, loc="left")
    return fig


def heatmap_grid(data: ExperimentData, outcome: str = "ceasefire_reached") -> tuple[list, list, np.ndarray]:
    """A two-key grid's shares: the first key's values (columns), the second's (rows) and ``p[row, column]``."""
    if len(data.varied) != 2 or data.sample != "grid":
        raise ValueError("a heat map needs a grid of two varied keys; this sweep varies "
                         f"{len(data.varied)} ({data.sample})")
    table = data.shares(outcome)
    columns, rows = _values(table[data.varied[0]]), _values(table[data.varied[1]])
    grid = np.full((len(rows), len(columns)), np.nan)
    for x, y, p in zip(table[data.varied[0]], table[data.varied[1]], table["p"]):
        grid[rows.index(y), columns.index(x)] = p
    return columns, rows, grid


@literal
def sweep_heatmap(data: ExperimentData, outcome: str = "ceasefire_reached", ax: Axes | None = None) -> Figure:
    """The share of runs with ``outcome`` over a grid of two varied keys, as a heat map (viridis, safe for
    colour-blind readers and in grey) with each cell's share, and its 95 % interval where cells are large."""
    columns, rows, grid = heatmap_grid(data, outcome)
    table = data.shares(outcome)
    fig, ax, own = _axes(ax)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#DDDDDD")
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap, vmin=0, vmax=1, aspect="auto",
                      interpolation="nearest")
    image.set_gid("heatmap")
    intervals = {(r[data.varied[0]], r[data.varied[1]]): (r["low"], r["high"]) for _, r in table.iterrows()}
    # Each cell's interval under its share where cells are large enough for two lines (the Axes' size
    # before the layout, a little more than after).
    cell_w = ax.get_position().width * fig.get_figwidth() / len(columns)
    cell_h = ax.get_position().height * fig.get_figheight() / len(rows)
    big = cell_w >= 0.95 and cell_h >= 0.6
    for i, y in enumerate(rows):
        for j, x in enumerate(columns):
            p = grid[i, j]
            if np.isnan(p):
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=SMALL, color="#333333")
                continue
            r, g, b, _ = cmap(p)
            ink = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.45 else "black"
            low, high = intervals[(x, y)]
            ax.text(j, i, _percent(p), ha="center", va="bottom" if big else "center",
                    fontsize=TEXT + 1 if big else SMALL, color=ink, gid=f"cell:{i}:{j}", fontweight="bold")
            if big:
                ax.text(j, i, f"{low * 100:.0f}-{high * 100:.0f}%", ha="center", va="top", fontsize=SMALL,
                        color=ink, gid=f"cell-interval:{i}:{j}")
    ax.set_xticks(range(len(columns)), [f"{v:g}" if _is_number(v) else str(v) for v in columns])
    ax.set_yticks(range(len(rows)), [f"{v:g}" if _is_number(v) else str(v) for v in rows])
    ax.set_xlabel(data.varied[0], fontsize=TEXT)
    ax.set_ylabel(data.varied[1], fontsize=TEXT)
    ax.tick_params(labelsize=SMALL + 1, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    what = _outcome_label(outcome)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_ticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    bar.ax.tick_params(labelsize=SMALL + 1)
    bar.set_label(f"share of runs that {what}", fontsize=TEXT)
    if own:
        fig.suptitle(f"Share of runs that {what}, by {data.varied[0]} and {data.varied[1]}",
                     fontsize=SUPTITLE - 2, x=0.01, ha="left")
        small = "; under each share its 95% confidence interval (Wilson)" if big else ""
        ax.set_title(f"{_runs_text(data)}{small}", fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        ax.set_title(f"{what}; {_short(data)}", fontsize=TEXT, loc="left")
    return fig


def experiment_plot_names(data: ExperimentData) -> list[str]:
    """The plots an ensemble or a sweep directory gets (file names without the format)."""
    if not data.is_sweep:
        return [name for name in ENSEMBLE_PLOTS if name != "alignment_fan" or data.quantiles is not None]
    if data.sample == "grid" and len(data.varied) == 2:
        return list(SWEEP_PLOTS)
    return ["sweep_outcome"]


def experiment_plot_files(data: ExperimentData, fmt: str = "png", folder: str = "plots",
                          progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every plot of an ensemble or a sweep, rendered as ``{"plots/NAME.FORMAT": bytes}`` (see
    `experiment_plot_names`)."""
    files = {}
    for name in experiment_plot_names(data):
        if progress:
            progress(name)
        files[f"{folder}/{name}.{fmt}" if folder else f"{name}.{fmt}"] = render(globals()[name](data), fmt)
    return files


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
    with matplotlib.rc_context({**LITERAL, "svg.hashsalt": "dipsim", "pdf.compression": 6}):
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
