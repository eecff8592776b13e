"""The alignment network of a run: where each actor stands (`network_layout`, the same on every day),
the actors and ties of one day (`draw_network`), the key to them (`network_keys`), and the start and
the end side by side (`alignment_network`)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.core.fields import CHANNELS
from sim.io.rundata import RunData
from sim.roles import COALITION_CAVEAT, GROUPS, group_label
from sim.viz.style import (
    ALIGNMENT_CMAP,
    FRIENDLY,
    GROUP_COLOURS,
    HOSTILE,
    MEDIATOR_MARKER,
    NON_ALIGNED_COLOUR,
    SHAPES,
    SMALL,
    SUPTITLE,
    TITLE,
    coalition_shapes,
    coalition_titles,
    display,
    figure_and_panels,
    literal,
    prominent,
    role_colours,
    side_label,
)

#: The most actors the network draws: with more, the two sides and the most capable (`prominent`).
MOST_NODES = 40
#: The line of a tie that is a channel to a side (`CHANNELS`) rather than a stance: a mediator's dotted, a
#: guarantor's peacekeepers dash-dotted; every other tie is solid (friendly) or dashed (hostile).
TIE_STYLES = {"mediation": ":", "peacekeeping": "-."}


def network_layout(run: RunData, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Node positions of the actors the network shows (`prominent`, at most `MOST_NODES`), the same for
    every day of the run: a seeded spring layout over every tie between them ever in place.

    Friendly ties pull their ends together by their weight; hostile ties, mediation channels and
    peacekeepers (`CHANNELS`) barely pull (they join actors that are not close). The layout starts with
    each actor placed left to right by its starting alignment, so the first side tends to the left and the
    second to the right.
    """
    import networkx as nx

    shown = prominent(run, MOST_NODES)
    ties = run.ties[(run.ties["active"] == 1) & run.ties["source"].isin(shown) & run.ties["target"].isin(shown)]
    pull: dict[tuple[str, str], float] = {}
    for tie in ties.itertuples(index=False):
        if tie.kind in CHANNELS:
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


def draw_network(ax: Axes, run: RunData, day: int, when: str, pos: dict[str, tuple[float, float]]) -> None:
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
        style = TIE_STYLES.get(tie.kind, "-" if tie.weight >= 0 else "--")
        ax.plot([x0, x1], [y0, y1], color=colour, lw=0.6 + 4.0 * abs(tie.weight), ls=style, alpha=0.8,
                zorder=1, gid=f"tie:{tie.tie}", solid_capstyle="round")
    ring = role_colours(run, when)
    roles = run.roles(when)
    shape = coalition_shapes(run, when)
    for actor, (x, y) in pos.items():
        size = 120 + 1400 * float(capability.loc[day, actor])
        ax.scatter([x], [y], s=size, c=[cmap(norm(float(alignment.loc[day, actor])))],
                   marker=shape[actor], edgecolors=ring[actor], linewidths=3,
                   zorder=3, gid=f"node:{actor}")
        radius_pt = math.sqrt(size) / 2
        if roles[actor].mediator:                       # a mediator: a purple plus on its (pale, non-aligned) node
            ax.plot([x], [y], ls="", marker=MEDIATOR_MARKER[0], markersize=min(9.0, radius_pt * 1.2),
                    color=MEDIATOR_MARKER[1], markeredgecolor="white", markeredgewidth=0.5, zorder=4,
                    gid=f"mediator:{actor}")
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


def network_keys(fig: Figure, axes: Sequence[Axes], run: RunData, counts: bool = True, crowded: bool = False) -> None:
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
    found = run.roles("end")
    names = (display(run, run.sides[0]), display(run, run.sides[1]))
    handles = []
    for group in GROUPS:
        members = sum(r.group == group for r in found.values())
        if members:
            label = group_label(group, names) + (f" ({members} at the end)" if counts else "")
            handles.append(Line2D([], [], marker="o", ls="", markersize=12, markerfacecolor="white",
                                  markeredgecolor=GROUP_COLOURS[group], markeredgewidth=3, label=label))
    if any(r.mediator for r in found.values()):
        handles.append(Line2D([], [], marker=MEDIATOR_MARKER[0], ls="", markersize=10, color=MEDIATOR_MARKER[1],
                              label="mediator (non-aligned)"))
    handles += [Line2D([], [], marker=SHAPES[k % len(SHAPES)], ls="", markersize=11, markerfacecolor="white",
                       markeredgecolor=NON_ALIGNED_COLOUR, markeredgewidth=2, label=t)
                for k, t in enumerate(coalition_titles(run, "end", counts))]
    handles += [Line2D([], [], color=FRIENDLY, lw=3, label="friendly tie"),
                Line2D([], [], color=HOSTILE, lw=3, ls="--", label="hostile tie"),
                Line2D([], [], color=FRIENDLY, lw=2, ls=":", label="mediation channel")]
    drawn = {line.get_linestyle() for ax in axes for line in ax.lines if (line.get_gid() or "").startswith("tie:")}
    if TIE_STYLES["peacekeeping"] in drawn:                     # a guarantor's peacekeepers drawn on a panel
        handles.append(Line2D([], [], color=FRIENDLY, lw=2, ls=TIE_STYLES["peacekeeping"], label="peacekeepers"))
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL, frameon=False,
                    title="ring: what it does that day\nshape: landscape coalition\nnode size: capability\n"
                          "line width: tie weight"
                    + (f"\n\ndrawn: the two sides and\nthe {MOST_NODES - 2} most capable actors" if crowded else ""),
                    title_fontsize=SMALL, alignment="left")
    caveat = "Coalitions: " + COALITION_CAVEAT + "."
    axes[-1].text(1.02, -0.02, textwrap.fill(caveat, 34), transform=axes[-1].transAxes, ha="left", va="top",
                  fontsize=SMALL - 1, color="#444444", gid="coalition-caveat")


@literal
def alignment_network(run: RunData, axes: Sequence[Axes] | None = None, *, layout_seed: int = 7) -> Figure:
    """The network at the start and at the end, side by side, each node in the same place on both.

    Node colour: alignment (RdBu, the first side red); node size: capability; ring colour: what the actor
    does on that day (`sim.roles`: the side it backs, grey when non-aligned; a mediator gets a purple plus);
    shape: its landscape coalition on that day (coalition 1, 2, ..., with the caveat on the plot); edge
    colour: sign (green friendly, red dashed hostile),
    edge width: |weight|; mediation channels dotted, peacekeepers dash-dotted. ``axes``: two Axes (start,
    end) or None. With more than `MOST_NODES` actors, only the sides and the most capable are drawn (the
    title says so).
    """
    fig, axes, own = figure_and_panels(axes, 2, "alignment_network draws two panels (start, end)", shape=(1, 2))
    pos = network_layout(run, layout_seed)
    days = run.field("alignment").index
    for ax, when, day in ((axes[0], "start", int(days[0])), (axes[1], "end", int(days[-1]))):
        draw_network(ax, run, day, when, pos)
        ax.set_title(f"{when} (day {day})", fontsize=TITLE, loc="left")
    network_keys(fig, axes, run, crowded=len(run.actor_ids) > MOST_NODES)
    if own:
        fig.suptitle(f"The alignment network at the start and at the end: {run.scenario.name}, seed {run.seed}",
                     fontsize=SUPTITLE - 2, x=0.01, ha="left")
    return fig
