"""A run's plots: who backs whom day by day (`alignment_over_time`), the road to a ceasefire
(`road_to_ceasefire`), the battlefield (`battlefield`) and what moved whom (`what_moved_whom`), with what
they share: labels at the lines' ends kept apart (`spread`), the ceasefires shaded and marked by how
each came."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter
from matplotlib.transforms import ScaledTranslation

from sim.core.records import ARRIVALS, Ceasefire
from sim.io.rundata import RunData
from sim.viz.style import (
    ARRIVAL_MARKERS,
    BREAKDOWN,
    CEASEFIRE_SHADE,
    CEASEFIRE_TEXT,
    MARKER_GREY,
    MEDIATOR_MARKER,
    OKABE_ITO,
    RULE_COLOURS,
    SIDE_COLOURS,
    SLIDE,
    SMALL,
    SOURCE_LABELS,
    SPARE_COLOURS,
    SUPTITLE,
    TEXT,
    day_axis,
    display,
    figure_and_axes,
    figure_and_panels,
    fitting_columns,
    literal,
    prominent,
    role_colours,
    role_titles,
    side_label,
    style_axes,
    text_width,
    wrap_to,
)

#: Beyond this many days with events, event lines are drawn unnumbered and the key is left out.
MOST_NUMBERED_EVENT_DAYS = 12


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
                    arrowprops={"arrowstyle": "-", "color": colours[key], "lw": 0.8, "shrinkA": 1, "shrinkB": 2,
                                "relpos": (0, 0.5), "patchA": None})


#: How each way a ceasefire comes is said: in a legend, and in the tag beside its first day.
ARRIVAL_WORDS = {"ripe": ("ceasefire both sides wanted", "ceasefire"),
                 "pressure": ("truce signed under pressure", "truce"),
                 "declared": ("ceasefire declared by an event", "declared")}


def has_battlefield(run: RunData) -> bool:
    """Whether ``run`` has a battlefield to draw, read from its data: its scenario has the battlefield rule, or
    the sides' territory or losses change over the run."""
    if any(spec.rule == "battlefield" for spec in run.scenario.rules):
        return True
    sides = list(run.sides)
    return any(bool((table != table.iloc[0]).to_numpy().any())
               for table in (run.field(name)[sides] for name in ("territory", "losses")))


def brokers_text(run: RunData, ceasefire: Ceasefire) -> str:
    """Who brokered ``ceasefire``, the leading one first: ``Russia``, ``Russia with France``, or beyond two
    ``Russia with 3 others`` ("" when nobody did)."""
    names = [display(run, b) for b in ceasefire.brokers]
    if len(names) > 2:
        return f"{names[0]} with {len(names) - 1} others"
    return " with ".join(names)


def _ceasefire_spans(run: RunData, ax: Axes, labelled: bool = False) -> None:
    """Shade each ceasefire's days and mark each end with a black dash-dot line; ``labelled`` writes
    how each ceasefire came, who brokered it and how it ended, in rows near the bottom of ``ax`` that do
    not overlap."""
    last = run.steps
    tags: list[tuple[float, str, str, str]] = []
    for c in run.ceasefires:
        end = c.end if c.end is not None else last
        ax.axvspan(c.start, max(end, c.start + 0.4), color=CEASEFIRE_SHADE, alpha=0.18, lw=0,
                   gid=f"ceasefire:{c.start}")
        if c.ended_by is not None:
            ax.axvline(c.end, color=BREAKDOWN, lw=1.6, ls="-.", gid=f"breakdown:{c.end}", zorder=2)
        if labelled:
            tags += _tags(run, c)
    if labelled:
        _tag_rows(ax, tags, last)


def _tags(run: RunData, c: Ceasefire) -> list[tuple[float, str, str, str]]:
    """What is written beside a ceasefire's days, as ``(day, kind, long, short)``: at its start (``kind``
    ``start``) how it came and who brokered it, at its end (``end``) how it ended; one tag for a truce that
    ended the day it came. ``short`` is said where ``long`` is cramped."""
    word = ARRIVAL_WORDS[c.came][1]
    who = brokers_text(run, c)
    long = f"{word}, brokered by {who}" if who else word
    more = f" +{len(c.brokers) - 1}" if len(c.brokers) > 1 else ""
    short = f"{word} ({display(run, c.brokers[0])}{more})" if c.brokers else word
    if c.ended_by is None:
        return [(c.start, "start", long, short)]
    ending = "breaks down" if c.ended_by == "breakdown" else "ended"
    if c.end == c.start:                # said in short, its end is the line on its day
        return [(c.start, "start", f"{long}; {ending} that day", short)]
    return [(c.start, "start", long, short), (c.end, "end", ending, ending)]


def _tag_rows(ax: Axes, tags: Sequence[tuple[float, str, str, str]], last: float,
              rows: Sequence[float] = (0.2, 0.07)) -> None:
    """Write each (day, kind, long, short) next to its day, at the first row where it overlaps no other
    text: ``long`` where it fits, else ``short``. ``kind`` is ``start`` (green) or ``end`` (black)."""
    fig = ax.figure
    width_in = 0.8 * ax.get_position().width * fig.get_figwidth()  # the labels at the line ends take room
    per_day = width_in / max(last, 1)                       # inches per day
    char = SMALL * 0.62 / 72                                # inches per character, roughly
    ends = [-math.inf] * len(rows)
    for day, kind, long, short in sorted(tags, key=lambda tag: tag[0]):
        colour = CEASEFIRE_TEXT if kind == "start" else BREAKDOWN
        text = long if len(long) * char / per_day < 0.3 * last else short
        span = (len(text) * char + 0.1) / per_day           # in days
        right = day + 0.4 + span > last
        lo, hi = (day - 0.4 - span, day) if right else (day, day + 0.4 + span)
        row = next((k for k, end in enumerate(ends) if lo > end), None)
        if row is None:
            continue
        ends[row] = hi
        ax.text(day - 0.4 if right else day + 0.4, rows[row], text, transform=ax.get_xaxis_transform(),
                fontsize=SMALL, ha="right" if right else "left", va="center", color=colour, zorder=5,
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")], gid=f"tag:{kind}:{day}")


def _arrivals(run: RunData, ax: Axes) -> None:
    """Mark each ceasefire's first day on the top edge of ``ax`` by how it came (`ARRIVAL_MARKERS`)."""
    for c in run.ceasefires:
        marker, colour = ARRIVAL_MARKERS[c.came]
        ax.plot([c.start], [1.0], marker=marker, color=colour, markersize=10, markeredgecolor="white",
                markeredgewidth=1, ls="", transform=ax.get_xaxis_transform(), clip_on=False, zorder=6,
                gid=f"came:{c.start}:{c.came}")


def ceasefire_legend(run: RunData, arrivals: bool = True) -> list:
    """Legend entries of the ceasefires' marks: how they came (``arrivals``: the ways this run's came, as
    `_arrivals` marks them), the shading of the days in force, the line at an end."""
    came = {c.came for c in run.ceasefires} if arrivals else set()
    handles = [Line2D([], [], marker=ARRIVAL_MARKERS[k][0], color=ARRIVAL_MARKERS[k][1], ls="", markersize=10,
                      label=ARRIVAL_WORDS[k][0]) for k in ARRIVALS if k in came]
    if run.ceasefires:
        handles.append(Patch(color=CEASEFIRE_SHADE, alpha=0.25, label="ceasefire in force"))
    if any(c.ended_by for c in run.ceasefires):
        handles.append(Line2D([], [], color=BREAKDOWN, lw=1.6, ls="-.", label="ceasefire ends"))
    return handles


def figure_legend(fig: Figure, handles: list) -> None:
    """``handles`` in a legend under the figure, in as many columns as its width holds."""
    if handles:
        fig.legend(handles=handles, loc="outside lower center", fontsize=SMALL, frameon=False,
                   ncol=fitting_columns([h.get_label() for h in handles], fig.get_figwidth() - 0.4, SMALL),
                   columnspacing=1.5)


# ------------------------------------------------------------------------------- alignment over time

@literal
def alignment_over_time(run: RunData, ax: Axes | None = None, *, labels: str = "names",
                        key: bool = True, legend: bool = True) -> Figure:
    """Each actor's alignment day by day: one line per actor, coloured by what it does at the end (`sim.roles`:
    the side it backs, grey when non-aligned; a mediator's line ends in a purple plus).

    Lines are labelled at their end by display name (`style.display`; ``labels="ids"`` where space is short;
    with more actors than labels fit, only the sides and the most capable are named, their lines drawn
    bolder); the axis names the sides; dashed grey lines numbered at the top mark the days of events and tie
    changes (numbers of days too close to write apart are written as one, ``3-5``), and ``key`` lists them,
    wrapped, under the plot (a figure of its own grows taller to hold them); green shading marks the days a
    ceasefire is in force, a black dash-dot line its end. ``legend=False`` leaves out the legend (and the
    key), e.g. to draw one legend for several panels.
    """
    fig, ax, own = figure_and_axes(ax)
    wide = run.field("alignment")
    colours = role_colours(run, "end")
    roles = run.roles("end")
    days = wide.index.to_numpy()
    last = int(days[-1])
    ax.set_xlim(0, max(last, 1))
    ax.set_ylim(-1.08, 1.08)
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax.set_yticklabels([f"{side_label(run, 0)}  \u22121", "\u22120.5", "neutral  0", "+0.5",
                        f"{side_label(run, 1)}  +1"])
    ax.set_xlabel(day_axis(run.scenario), fontsize=TEXT)
    style_axes(ax)
    ax.axhline(0, color="#BBBBBB", lw=1, zorder=1)
    _ceasefire_spans(run, ax)
    marks = run.event_marks()
    crowded = len({day for _, day, _ in marks}) > MOST_NUMBERED_EVENT_DAYS
    if not legend:
        key = False
    else:
        handles = alignment_legend(run, bool(marks), events_listed=len({d for _, d, _ in marks}) if crowded else 0)
        _alignment_legends(ax, handles, marks if key and not crowded else [], grow=own)
    title = "Who backs whom, day by day"
    if own:
        fig.suptitle(f"{title}: {run.scenario.title}", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"alignment of each actor; {run.scenario.name}, seed {run.seed}", fontsize=TEXT,
                     loc="left", color="#444444", pad=18)
        fig.draw_without_rendering()                # the layout: how tall and wide the Axes will be
    else:
        ax.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", pad=18)
    named = prominent(run, int(2.16 / _label_gap(ax, SMALL, 2.16)))      # as many as fit one above another
    if own and len(named) < len(run.actor_ids):
        ax.set_title(f"alignment of each actor (named: the sides and the {len(named) - 2} most capable); "
                     f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", color="#444444", pad=18)
    for actor in run.actor_ids:
        ax.plot(days, wide[actor].to_numpy(), color=colours[actor],
                lw=2.2 if actor in run.sides else 1.6 if actor in named else 0.6,
                label=display(run, actor), gid=f"actor:{actor}", solid_capstyle="round", zorder=3)
        if roles[actor].mediator:                                    # a mediator: a purple plus at its line's end
            ax.plot([days[-1]], [float(wide[actor].iloc[-1])], ls="", marker=MEDIATOR_MARKER[0], markersize=7,
                    color=MEDIATOR_MARKER[1], markeredgecolor="white", markeredgewidth=0.5, clip_on=False,
                    gid=f"mediator:{actor}", zorder=4)
    names = {a: (display(run, a) if labels == "names" else a) for a in named}
    if crowded:  # a dated record: one thin line a day, the events themselves are in the report
        for day in sorted({day for _, day, _ in marks}):
            ax.axvline(day, color=MARKER_GREY, lw=0.8, ls=(0, (3, 3)), zorder=2, gid=f"event:{day}")
    elif marks:
        # The Axes' width once the labels at the line ends take their room (laid out when the figure is ours;
        # on given Axes, estimated from where it stands now).
        width = ax.get_position().width * fig.get_figwidth()
        room = max((text_width(n, SMALL, bold=True) for n in names.values()), default=0) + 0.4
        width = width - room if own else 0.8 * width
        _event_numbers(ax, marks, last, max(width, 0.5))
    ends = {a: float(wide[a].iloc[-1]) for a in named}
    _end_labels(ax, last, ends, names, colours, SMALL, -1.08, 1.08, 2.16)
    return fig


def event_groups(days: Sequence[int], width_in: float, last: int, digits: Callable[[int, int], str] | None = None,
                 fontsize: float = SMALL) -> list[tuple[int, int]]:
    """The numbered events (their ``days``, in order, numbered 1, 2, ...) grouped so that their numbers can be
    written apart over an Axes ``width_in`` inches wide spanning days 0 to ``last``: ``(first, last)`` indices
    of each group, written ``3`` alone or ``3-5`` over its days' middle. Neighbours whose numbers would touch
    are merged, the closest first, until none do."""
    label = digits or (lambda a, b: f"{a + 1}" if a == b else f"{a + 1}-{b + 1}")
    per_day = width_in / max(last, 1)
    groups = [[k, k] for k in range(len(days))]

    def centre(g):
        return (days[g[0]] + days[g[1]]) / 2 * per_day

    def width(g):
        return text_width(label(*g), fontsize, bold=True) + 6 / 72

    while len(groups) > 1:
        slack = [centre(b) - centre(a) - (width(a) + width(b)) / 2 for a, b in zip(groups, groups[1:])]
        worst = min(range(len(slack)), key=lambda k: slack[k])
        if slack[worst] >= 0:
            break
        groups[worst:worst + 2] = [[groups[worst][0], groups[worst + 1][1]]]
    return [(a, b) for a, b in groups]


def _event_numbers(ax: Axes, marks: Sequence[tuple[int, int, str]], last: int, width_in: float) -> None:
    """A dashed line on each day with events, and its number (or the numbers of close days, ``3-5``) on top."""
    days = [day for _, day, _ in marks]
    top = ax.get_xaxis_transform()
    for day in sorted(set(days)):
        ax.axvline(day, color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), zorder=2, gid=f"event:{day}")
    for first, final in event_groups(days, width_in, last):
        a, b = marks[first], marks[final]
        text = str(a[0]) if first == final else f"{a[0]}-{b[0]}"
        gid = f"event-number:{a[1]}" if first == final else f"event-number:{a[1]}-{b[1]}"
        ax.text((a[1] + b[1]) / 2, 1.012, text, transform=top, ha="center", va="bottom", fontsize=SMALL,
                color=MARKER_GREY, fontweight="bold", gid=gid, clip_on=False)
        if first != final:                          # a bracket over the days the numbers stand for
            ax.plot([a[1], b[1]], [1.006, 1.006], transform=top, color=MARKER_GREY, lw=1.2, clip_on=False,
                    solid_capstyle="butt", gid=f"event-span:{a[1]}-{b[1]}")


def alignment_legend(run: RunData, events: bool = True, counts: bool = True, events_listed: int = 0) -> list:
    """Legend entries of `alignment_over_time`: the colours of what actors do at the end (mediators marked),
    ceasefire shading and ends, events (``events_listed``: on how many days, when the plot does not number
    the events)."""
    handles = [role_handle(c, f"{t} at the end", mediators) for c, t, mediators in role_titles(run, "end", counts)]
    handles += ceasefire_legend(run, arrivals=False)
    if events:
        label = f"a day with events ({events_listed} days; the report lists them)" if events_listed else "event"
        handles.append(Line2D([], [], color=MARKER_GREY, lw=1.2, ls=(0, (5, 3)), label=label))
    return handles


def role_handle(colour: str, label: str, mediators: bool, **line) -> Line2D:
    """A legend entry of a group of what actors do: a line of its colour, with the mediators' plus."""
    marker = dict(marker=MEDIATOR_MARKER[0], markersize=9, markerfacecolor=MEDIATOR_MARKER[1],
                  markeredgecolor=MEDIATOR_MARKER[1]) if mediators else {}
    return Line2D([], [], color=colour, lw=3, label=label, **marker, **line)


#: How far under the Axes the legend of `alignment_over_time` starts: below the day numbers and "day".
UNDER_AXES = 0.56
#: The room (inches) a slide-sized figure of `alignment_over_time` already gives its legend and key; the
#: figure grows by what they need beyond it.
LEGEND_ROOM = 1.3


def _under(ax: Axes, inches: float):
    """A transform that puts (0, 0) ``inches`` under the lower left corner of ``ax``, however tall it is."""
    return ax.transAxes + ScaledTranslation(0, -inches, ax.figure.dpi_scale_trans)


def event_key_lines(marks: Sequence[tuple[int, int, str]], width_in: float, fontsize: float = SMALL) -> list[str]:
    """Each numbered event as the key writes it, ``3  day 12: what happened``, wrapped to ``width_in`` inches."""
    lines = []
    for n, day, what in marks:
        what = what.replace(".; ", "; ")
        lines.append(wrap_to(what, width_in, fontsize, indent=" " * (len(str(n)) + 4), first=f"{n}  day {day}: "))
    return lines


def _alignment_legends(ax: Axes, handles: list, marks: Sequence[tuple[int, int, str]], grow: bool = False) -> None:
    """The legend under the plot and, under it, the key to the numbered events, every note written whole and
    wrapped to the width there is; ``grow``: the figure (ours) grows taller by what they need beyond the
    room a slide gives them."""
    fig = ax.figure
    if grow:                                         # the y tick labels take the left of the figure
        ticks = max(text_width(t.get_text(), SMALL + 1) for t in ax.get_yticklabels())
        width = fig.get_figwidth() - ticks - 0.5
    else:
        width = max(ax.get_position().width * fig.get_figwidth(), 2.0)
    labels = [h.get_label() for h in handles]
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=_under(ax, UNDER_AXES),
                       ncol=fitting_columns(labels, width, SMALL, most=4), fontsize=SMALL, frameon=False,
                       borderaxespad=0, columnspacing=1.5)
    tall = legend.get_window_extent().height / fig.dpi
    needed = tall
    if marks:
        lines = event_key_lines(marks, width, SMALL)
        half = (width - 0.4) / 2
        two = len(lines) > 3 and max(text_width(t, SMALL) for t in lines) <= half
        entries = [Line2D([], [], ls="", label=line) for line in lines]
        ax.add_artist(legend)
        key = ax.legend(handles=entries, loc="upper left", bbox_to_anchor=(0, 0),
                        bbox_transform=_under(ax, UNDER_AXES + tall + 0.1), fontsize=SMALL, frameon=False,
                        handlelength=0, handletextpad=0, borderaxespad=0, labelspacing=0.25, alignment="left",
                        ncol=2 if two else 1, columnspacing=2)
        key.set_gid("event-key")
        needed += 0.1 + key.get_window_extent().height / fig.dpi
    if grow and needed > LEGEND_ROOM:
        fig.set_size_inches(fig.get_figwidth(), SLIDE[1] + needed - LEGEND_ROOM)


# ------------------------------------------------------------------------------- road to a ceasefire

@literal
def road_to_ceasefire(run: RunData, axes: Sequence[Axes] | None = None, *, mediators: int = 5,
                      legend: bool = True) -> Figure:
    """Three panels over the days: each side's willingness against the mediation threshold; the pressure
    of the ``mediators`` who press hardest (the rest summed); each side's intensity of fighting.

    Ceasefires are shaded, each marked on the top edge by how it came (`ARRIVAL_MARKERS`: both sides
    wanted it, mediators pressed it on them, an event declared it) with its brokers written in; their
    ends are black dash-dot lines. ``axes``: three Axes to draw on (top to bottom), or None for a figure of
    its own; ``legend=False`` leaves out the legend of the marks (e.g. to draw one for several runs).
    """
    fig, axes, own = figure_and_panels(axes, 3, "road_to_ceasefire draws three panels", shape=(3, 1), sharex=True,
                             height_ratios=[1.5, 1, 1])
    top, middle, bottom = axes
    last = run.steps
    willing = run.field("ceasefire")
    days = willing.index.to_numpy()
    side_colours = dict(zip(run.sides, SIDE_COLOURS))

    # Willingness of each side, and the threshold both must reach.
    for side in run.sides:
        top.plot(days, willing[side].to_numpy(), color=side_colours[side], lw=2.4, gid=f"willingness:{side}",
                 label=display(run, side))
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
    bottom.set_xlabel(day_axis(run.scenario), fontsize=TEXT)
    for k, ax in enumerate(axes):
        ax.set_xlim(0, max(last, 1))
        style_axes(ax)
        _ceasefire_spans(run, ax, labelled=k == 0)
    _arrivals(run, top)
    names = {s: display(run, s) for s in run.sides}
    _end_labels(top, last, ends, names, side_colours, SMALL, 0, 1.05, 1.05)
    middle_ends = {a: float(pressure[a].iloc[-1]) for a in shown}
    middle_names = {a: display(run, a) for a in shown}
    if rest:
        middle_ends["others"] = float(pressure[rest].sum(axis=1).iloc[-1])
        middle_names["others"] = f"{len(rest)} others, together"
    low, high = middle.get_ylim()
    _end_labels(middle, last, middle_ends, middle_names, mediator_colours, SMALL, low, high, high - low)
    low, high = bottom.get_ylim()
    _end_labels(bottom, last, {s: float(run.intensity(s).iloc[-1]) for s in run.sides}, names, side_colours,
                SMALL, low, high, high - low)
    if legend:
        figure_legend(fig, ceasefire_legend(run))
    if own:
        fig.suptitle("The road to a ceasefire: willingness, pressure and fighting", fontsize=SUPTITLE - 2,
                     x=0.01, ha="left")
        pressed = any(c.came == "pressure" for c in run.ceasefires)
        top.set_title(f"a ceasefire comes when both sides reach the threshold"
                      f"{', or mediators press one on them' if pressed else ''}; "
                      f"{run.scenario.name}, seed {run.seed}", fontsize=SMALL + 1, loc="left", color="#444444",
                      pad=12)
    else:
        top.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", pad=12)
    return fig


# ------------------------------------------------------------------------------- the battlefield

@literal
def battlefield(run: RunData, axes: Sequence[Axes] | None = None) -> Figure:
    """Two panels over the days: the share of the contested area each side's forces hold, and the military
    deaths each side has suffered so far.

    Ceasefires are shaded (the front stands still while one is in force), each marked on the top edge by how
    it came (`ARRIVAL_MARKERS`), with a legend of the marks under the figure; their ends are black dash-dot
    lines. ``axes``: two Axes to draw on (top, bottom), or None for a figure of its own.
    """
    fig, axes, own = figure_and_panels(axes, 2, "battlefield draws two panels", shape=(2, 1), sharex=True,
                                       height_ratios=[1.3, 1])
    top, bottom = axes
    last = run.steps
    sides = list(run.sides)
    held, lost = run.field("territory")[sides], run.field("losses")[sides]
    days = held.index.to_numpy()
    side_colours = dict(zip(sides, SIDE_COLOURS))
    for side in sides:
        top.plot(days, held[side].to_numpy(), color=side_colours[side], lw=2.4, gid=f"territory:{side}")
        bottom.plot(days, lost[side].to_numpy(), color=side_colours[side], lw=2.2, gid=f"losses:{side}")
    top.set_ylim(0, 1.05)
    top.set_yticks([0, 0.25, 0.5, 0.75, 1])
    top.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top.set_ylabel("share of the\ncontested area", fontsize=TEXT)
    bottom.set_ylim(0, max(float(lost.to_numpy().max()), 1.0) * 1.12)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    bottom.set_ylabel("military deaths\nso far", fontsize=TEXT)
    bottom.set_xlabel(day_axis(run.scenario), fontsize=TEXT)
    for ax in axes:
        ax.set_xlim(0, max(last, 1))
        style_axes(ax)
        _ceasefire_spans(run, ax)
    _arrivals(run, top)
    _end_labels(top, last, {s: float(held[s].iloc[-1]) for s in sides},
                {s: f"{display(run, s)} {held[s].iloc[-1]:.0%}" for s in sides}, side_colours, SMALL, 0, 1.05, 1.05)
    low, high = bottom.get_ylim()
    _end_labels(bottom, last, {s: float(lost[s].iloc[-1]) for s in sides},
                {s: f"{display(run, s)} {lost[s].iloc[-1]:,.0f}" for s in sides}, side_colours, SMALL, low, high,
                high - low)
    figure_legend(fig, ceasefire_legend(run))
    if own:
        fig.suptitle("The battlefield: who holds the contested area, and the losses", fontsize=SUPTITLE - 2,
                     x=0.01, ha="left")
        top.set_title(f"the share of the contested area each side's forces hold, and their military deaths; "
                      f"{run.scenario.name}, seed {run.seed}", fontsize=SMALL + 1, loc="left", color="#444444",
                      pad=12)
    else:
        top.set_title(f"{run.scenario.name}, seed {run.seed}", fontsize=TEXT, loc="left", pad=12)
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
    fig, ax, own = figure_and_axes(ax)
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
                    linewidth=0.8, label=SOURCE_LABELS.get(source, source) if first else "_",
                    gid=f"bar:{actor}:{source}", zorder=3)
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
    ax.set_yticklabels([display(run, a) for a in rows])
    ax.set_ylim(-0.6, max(len(actors), 1) - 0.4)
    reach = max([abs(v) for v in (*right.values(), *left.values())] + [0.01]) * 1.1
    ax.set_xlim(-reach, reach)
    style_axes(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    if field == "alignment":
        ax.set_xlabel(f"total change in alignment over the run   "
                      f"(\u2190 toward {display(run, run.sides[0])}  |  toward {display(run, run.sides[1])} \u2192)",
                      fontsize=TEXT)
    else:
        ax.set_xlabel(f"total change in {field} over the run", fontsize=TEXT)
    handles, _ = ax.get_legend_handles_labels()
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
