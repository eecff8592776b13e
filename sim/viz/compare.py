"""Two runs side by side (two scenarios, or two seeds), on the same scales: alignment over time, the
road to a ceasefire, the network at the end and what moved whom."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.io.rundata import RunData
from sim.viz.network import MOST_NODES, draw_network, network_keys, network_layout
from sim.viz.run import (
    alignment_legend,
    alignment_over_time,
    ceasefire_legend,
    figure_legend,
    road_to_ceasefire,
    what_moved_whom,
)
from sim.viz.style import (
    SMALL,
    SUPTITLE,
    TEXT,
    display,
    fitting_columns,
    literal,
    slide_figure,
)


def _titled(run: RunData, label: str) -> str:
    return f"{label}: {run.scenario.name}, seed {run.seed}"


@literal
def compare_alignment(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """Alignment over time of two runs side by side (same scale, ids at line ends, one legend)."""
    fig = slide_figure()
    axes = fig.subplots(1, 2, sharey=True)
    handles: dict[str, object] = {}
    for ax, run, label in zip(axes, (a, b), labels):
        alignment_over_time(run, ax, labels="ids", legend=False)
        ax.set_title(_titled(run, label), fontsize=TEXT, loc="left", pad=18)
        for handle in alignment_legend(run, bool(run.event_marks()), counts=False):
            handles.setdefault(handle.get_label(), handle)
    axes[1].tick_params(labelleft=False)
    fig.legend(handles=list(handles.values()), loc="outside lower center", fontsize=SMALL, frameon=False,
               ncol=fitting_columns(list(handles), fig.get_figwidth() - 0.4, SMALL, most=5))
    fig.suptitle("Who backs whom, day by day: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def compare_ceasefire(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """The road to a ceasefire of two runs side by side (same scales), with one legend of the ceasefires' marks."""
    fig = slide_figure()
    grid = fig.subplots(3, 2, sharex="col", sharey="row", height_ratios=[1.5, 1, 1])
    tops = np.zeros(3)
    handles: dict[str, object] = {}
    for column, run, label in zip(range(2), (a, b), labels):
        road_to_ceasefire(run, grid[:, column], mediators=3, legend=False)
        for handle in ceasefire_legend(run):
            handles.setdefault(handle.get_label(), handle)
        grid[0, column].set_title(_titled(run, label), fontsize=TEXT, loc="left")
        tops = np.maximum(tops, [ax.get_ylim()[1] for ax in grid[:, column]])  # each run sets its own scale
    for row, top in enumerate(tops):
        grid[row, 0].set_ylim(0, top)  # shared by the row: room for the larger of the two
    for ax in grid[:, 1]:
        ax.set_ylabel("")
    figure_legend(fig, list(handles.values()))
    fig.suptitle("The road to a ceasefire: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def compare_network(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B"), *, layout_seed: int = 7) -> Figure:
    """The network at the end of each run, side by side; one layout for both when they have the same actors."""
    fig = slide_figure()
    axes = fig.subplots(1, 2)
    shared = network_layout(a, layout_seed) if set(a.actor_ids) == set(b.actor_ids) else None
    for ax, run, label in zip(axes, (a, b), labels):
        draw_network(ax, run, run.steps, "end", shared or network_layout(run, layout_seed))
        ax.set_title(f"{_titled(run, label)} (day {run.steps})", fontsize=TEXT, loc="left")
    network_keys(fig, axes, a, counts=False, crowded=max(len(a.actor_ids), len(b.actor_ids)) > MOST_NODES)
    fig.suptitle("The alignment network at the end: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig


@literal
def compare_moves(a: RunData, b: RunData, labels: Sequence[str] = ("A", "B")) -> Figure:
    """What moved whom in two runs side by side, on the same scale, with one legend."""
    fig = slide_figure()
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
    fig.supxlabel(f"total change in alignment over the run   (\u2190 toward {display(a, a.sides[0])}  |  "
                  f"toward {display(a, a.sides[1])} \u2192)", fontsize=TEXT)
    fig.suptitle("What moved whom: two runs side by side", fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig
