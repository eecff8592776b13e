"""The plots of many runs, each drawn from an `ExperimentData` (`sim.io.rundata.load_experiment`): an
ensemble's fans of alignment (`alignment_fan`), days of the first ceasefire
(`ceasefire_day_distribution`), brokers (`broker_shares`) and coalitions (`coalition_frequency`); a
sweep's outcome against its varied keys (`sweep_outcome`) and, over a grid of two keys, as a heat map
(`sweep_heatmap`)."""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.io.rundata import ExperimentData, RunData
from sim.roles import BACKS, COALITION_CAVEAT, GROUPS, Role, coalition_title, role_label
from sim.viz.style import (
    CEASEFIRE_SHADE,
    GROUP_COLOURS,
    MEDIATION_COLOUR,
    MEDIATOR_MARKER,
    NON_ALIGNED_COLOUR,
    OKABE_ITO,
    OTHER_COLOURS,
    SHAPES,
    SIDE_COLOURS,
    SMALL,
    SUPTITLE,
    TEXT,
    day_axis,
    display,
    figure_and_axes,
    fitting_columns,
    literal,
    slide_figure,
    style_axes,
    wrap_to,
)

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
#: The fan's grey: a median that ends non-aligned (`sim.roles`).
NEUTRAL_COLOUR = NON_ALIGNED_COLOUR


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


def split_coalitions(data: ExperimentData | RunData, split: str) -> list[tuple[str, str, list[str]]]:
    """The landscape coalitions of a split (``ARM NKR RUS | AZE PAK TUR``): ``(colour, title, members)`` each.

    Coalitions are numbered (``coalition 1 (with Armenia)``, naming the side it holds, the side first among
    its members), never a side's camp, and coloured apart from the sides' colours (Okabe-Ito's others).
    """
    found = []
    order = {a: k for k, a in enumerate(data.actor_ids)}
    for text in split.split("|"):
        members = text.split()
        if not members:
            continue
        k = len(found)
        members = sorted(members, key=lambda a: (a not in data.sides, order.get(a, len(order)), a))
        found.append((OTHER_COLOURS[k % len(OTHER_COLOURS)], coalition_title(k, members, data.sides, functools.partial(display, data)),
                      members))
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
    style_axes(ax)


@literal
def alignment_fan(data: ExperimentData, ax: Axes | Sequence[Axes] | None = None, *,
                  actors: Sequence[str] | None = None) -> Figure:
    """Fan charts of alignment over the days of an ensemble: per actor, the median over the runs and
    the bands that hold the middle half (25-75 %) and 90 % (5-95 %) of the runs (``quantiles.csv``).

    Without ``ax``: one small panel per actor (``actors``, default all), on one scale, grouped and
    coloured by what the actor's median does at the end (`sim.roles`: the side it backs, grey non-aligned,
    a mediator's median ending in a purple plus), with a shared legend. ``ax`` one Axes: the fans of
    ``actors`` (default the two sides) drawn together on it; a sequence of Axes: one actor on each (``actors`` in the order given).
    """
    found = data.roles()
    colours = {a: GROUP_COLOURS[r.group] for a, r in found.items()}
    order = {a: k for k, a in enumerate(data.actor_ids)}
    grouped = sorted(data.actor_ids, key=lambda a: (found[a].group, found[a].mediator, a not in data.sides, order[a]))
    side_names = (display(data, data.sides[0]), display(data, data.sides[1]))
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
        ax.set_xlabel(day_axis(data.scenario), fontsize=TEXT)
        ax.legend(handles=[Line2D([], [], color=own_colours[a], lw=2.5, label=display(data, a)) for a in chosen],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL, frameon=False,
                  title="median, and the\nmiddle 50% and 90%\nof the runs", title_fontsize=SMALL, alignment="left")
        ax.set_title(f"alignment; {_short(data)}", fontsize=TEXT, loc="left")
        return ax.figure
    chosen = list(actors) if actors is not None else grouped
    if ax is None:
        fig = slide_figure()
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
        panel.set_title(display(data, actor), fontsize=SMALL + 1, loc="left", color="#222222", pad=3)
        if found[actor].mediator:                    # a mediator: a purple plus at its median's end
            q = data.fan(actor)["q50"]
            panel.plot([q.index[-1]], [float(q.iloc[-1])], ls="", marker=MEDIATOR_MARKER[0], markersize=8,
                       color=MEDIATOR_MARKER[1], markeredgecolor="white", markeredgewidth=0.5, clip_on=False,
                       zorder=4, gid=f"mediator:{actor}")
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
    for group in GROUPS:
        for mediator in (False, True):
            count = sum(r.group == group and r.mediator == mediator for r in found.values())
            if count:
                label = f"{role_label(Role(group, mediator), side_names)} ({count})"
                handles.append(Line2D([], [], color=GROUP_COLOURS[group], lw=6, marker=MEDIATOR_MARKER[0],
                                      markersize=9, markerfacecolor=MEDIATOR_MARKER[1],
                                      markeredgecolor=MEDIATOR_MARKER[1], label=label) if mediator
                               else Patch(color=GROUP_COLOURS[group], label=label))
    title = (f"{_runs_text(data)}; colour: what the median does at the end (|alignment| \u2265 {BACKS:g} "
             f"backs a side)")
    if spare:
        spare[-1].legend(handles=handles, loc="center left", fontsize=SMALL, frameon=False, borderaxespad=0,
                         title=textwrap.fill(title, 36), title_fontsize=SMALL, alignment="left")
    else:
        fig.legend(handles=handles, loc="outside lower center", fontsize=SMALL, frameon=False,
                   ncol=fitting_columns([h.get_label() for h in handles], fig.get_figwidth() - 0.4, SMALL, most=4),
                   title=wrap_to(title, fig.get_figwidth() - 0.4, SMALL), title_fontsize=SMALL)
    fig.supylabel(wrap_to(f"alignment   (\u22121 backs {side_names[0]},  +1 backs {side_names[1]})",
                          fig.get_figheight() - 1.0, TEXT), fontsize=TEXT)
    fig.supxlabel(day_axis(data.scenario), fontsize=TEXT)
    fig.suptitle(f"Who backs whom across {len(data.ok)} runs: each actor's alignment, day by day",
                 fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def ceasefire_day_distribution(data: ExperimentData, ax: Axes | None = None) -> Figure:
    """How many runs reached their first ceasefire on each day (among the runs that reached one), with
    the median and the middle half marked and the share of runs that never reached one written."""
    fig, ax, own = figure_and_axes(ax)
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
    style_axes(ax)
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
    style_axes(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)


@literal
def broker_shares(data: ExperimentData, ax: Axes | None = None) -> Figure:
    """Who brokered the first ceasefire: each actor's share of the runs that reached one (``summary.json``).

    Every actor that is not a side gets a row (those that never brokered one say so), the brokers first;
    a grey bar counts the ceasefires a scenario event declared without a broker.
    """
    fig, ax, own = figure_and_axes(ax)
    brokers = {a: float(v) for a, v in (data.summary.get("brokers") or {}).items()}
    reached = int(data.summary.get("probabilities", {}).get("ceasefire_reached", {}).get("runs") or 0)
    rest = 1.0 - sum(brokers.values())
    entries = [(a, display(data, a), v, MEDIATION_COLOUR) for a, v in brokers.items()]
    if reached and rest > 1e-6:
        entries.append(("", "no broker (declared by a scenario event)", rest, "#999999"))
    if reached:
        entries += [(a, display(data, a), 0.0, MEDIATION_COLOUR) for a in data.actor_ids
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
            title += (f" {display(data, top)}, in all {reached} runs that reached one" if share >= 1 else
                      f" Most often {display(data, top)}, in {_percent(share)} of the {reached} runs that reached one")
        fig.suptitle(title, fontsize=SUPTITLE - 2, x=0.01, ha="left")
        ax.set_title(f"the actor credited with each run's first ceasefire; {_runs_text(data)}",
                     fontsize=SMALL + 1, loc="left", color="#444444")
    else:
        ax.set_title(f"brokers; {_short(data)}", fontsize=TEXT, loc="left")
    return fig


def _split_lines(data: ExperimentData, split: str, width: int, ids: bool) -> list[tuple[str, str, bool]]:
    """A split's coalitions as wrapped lines of text: ``(colour, text, first line of a coalition)``."""
    lines = []
    for colour, title, members in split_coalitions(data, split):
        named = [(a if ids else display(data, a)) for a in members]
        wrapped = textwrap.wrap(f"{title} ({len(members)}): {', '.join(named)}", width, subsequent_indent="    ",
                                break_on_hyphens=False)
        lines += [(colour, line, k == 0) for k, line in enumerate(wrapped)]
    return lines


@literal
def coalition_frequency(data: ExperimentData, ax: Axes | None = None, *, most: int = MOST_SPLITS) -> Figure:
    """How often each coalition split (landscape theory, at the end of a run) came out: one bar per split,
    the ``most`` commonest one by one and the rest together, each labelled with its coalitions (numbered,
    naming the side each holds, the actors by name, or by id where names would not fit).

    Without ``ax`` the labels get a panel of their own left of the bars; on a given Axes they stand
    left of it. The y axis counts lines of label (11 pt), so labels never overlap.
    """
    if ax is None:
        fig = slide_figure()
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
        fig.suptitle(f"Which coalitions form? Landscape theory's split at the end of each run "
                     f"({len(shares)} different)", fontsize=SUPTITLE - 2, x=0.01, ha="left")
        words.set_title(f"{COALITION_CAVEAT}; on the last day; {_runs_text(data)}",
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
        fig, ax, own = figure_and_axes(ax)
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
        style_axes(ax)
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
        fig = slide_figure()
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
        style_axes(panel)
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
    fig, ax, own = figure_and_axes(ax)
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
