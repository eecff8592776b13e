"""The plots of a scenario discovery (`sim.experiments.discovery`) for a class: which ranges of which
judgements give an outcome (the chosen PRIM box over each value's range), and the trade-off PRIM walks
along (coverage against density, step by step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.viz.style import OKABE_ITO, SMALL, TEXT, figure_and_axes, literal, style_axes

if TYPE_CHECKING:
    from sim.experiments.discovery import Discovery

#: How a title names the runs with an outcome of 1 ("which ranges give a lasting ceasefire?").
CASE_PHRASES = {"lasting": "a lasting ceasefire", "ceasefire_reached": "a ceasefire", "breakdowns": "a breakdown",
                "under_pressure": "a truce signed under pressure"}
BOX_COLOUR, RANGE_COLOUR, NUMBER_COLOUR = OKABE_ITO["bluish green"], "#E3E3E3", "#333333"


def _what(found: Discovery) -> str:
    cases = found.cases
    phrase = CASE_PHRASES.get(cases.outcome) if cases.condition == f"{cases.outcome} == 1" else None
    return phrase or cases.condition


def _figure(value: float) -> str:
    return f"{value:.3g}"


@literal
def box_limits(found: Discovery, ax: Axes | None = None) -> Figure:
    """For a class: each varied value's whole range as a grey bar (0 = its lowest value, 1 = its highest, the
    numbers at the ends) and the chosen box's limits on it in green, the numbers at the limits; a value the
    box leaves free says so. The title says which outcome, the subtitle the box's coverage and density."""
    fig, ax, _ = figure_and_axes(ax)
    box = found.box()
    width = (box["high"] - box["low"]) / (box["maximum"] - box["minimum"]).where(box["maximum"] > box["minimum"])
    box = box.assign(width=width.fillna(1.0)).sort_values(["restricted", "width"], ascending=[True, False],
                                                             kind="stable")
    for y, row in enumerate(box.itertuples()):
        span = row.maximum - row.minimum
        ax.barh(y, 1.0, left=0.0, height=0.5, color=RANGE_COLOUR)
        ax.text(-0.015, y, _figure(row.minimum), ha="right", va="center", fontsize=SMALL, color="#666666")
        ax.text(1.015, y, _figure(row.maximum), ha="left", va="center", fontsize=SMALL, color="#666666")
        if not row.restricted:
            ax.text(0.5, y, "any value (not restricted)", ha="center", va="center", fontsize=SMALL, color="#666666")
            continue
        low, high = (row.low - row.minimum) / span, (row.high - row.minimum) / span    # restricted: span > 0
        ax.barh(y, high - low, left=low, height=0.5, color=BOX_COLOUR)
        for at, value, moved in ((low, row.low, row.low > row.minimum), (high, row.high, row.high < row.maximum)):
            if moved:       # a limit at the range's end is said by the range's number
                ax.annotate(_figure(value), (at, y + 0.25), xytext=(0, 3), textcoords="offset points", ha="center",
                            va="bottom", fontsize=TEXT, fontweight="bold", color=NUMBER_COLOUR)
    ax.set_yticks(range(len(box)), box["parameter"])
    ax.set_ylim(-0.6, len(box) - 0.2)
    ax.set_xlim(-0.12, 1.12)
    ax.set_xticks([0, 0.5, 1], ["lowest", "middle", "highest"])
    ax.set_xlabel("where in the range varied (grey: the whole range; green: the box)", fontsize=TEXT)
    style_axes(ax)
    ax.grid(False)
    ax.spines[["left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    cases = found.cases
    ax.set_title(f"which ranges give {_what(found)}?", loc="left", fontsize=16, pad=40)
    note = "" if found.dense_enough else f" (below the {found.min_density:.0%} asked for)"
    ax.text(0, 1.02, f"PRIM box {found.chosen} of {len(found.trajectory) - 1}: coverage {found.step('coverage'):.0%} "
            f"(of the {int(cases.y.sum())} {cases.unit} with {_what(found)}, the share inside the box)\n"
            f"density {found.step('density'):.0%}{note} (of the {int(found.step('rows'))} {cases.unit} inside the "
            "box, the share with it)", transform=ax.transAxes, fontsize=SMALL, color="#555555", va="bottom")
    return fig


@literal
def peeling_trajectory(found: Discovery, ax: Axes | None = None) -> Figure:
    """PRIM's trade-off: each step of the peeling as a dot, coverage against density, coloured by how many
    values its box restricts; the chosen box ringed, the density asked for dashed."""
    fig, ax, _ = figure_and_axes(ax)
    steps = found.trajectory
    most = max(int(steps["restricted"].max()), 1)
    colours = matplotlib.colormaps["viridis"].resampled(most + 1)
    ax.plot(steps["coverage"], steps["density"], color="#BBBBBB", lw=1, zorder=1)
    ax.scatter(steps["coverage"], steps["density"], c=[colours(k) for k in steps["restricted"]], s=36, zorder=2)
    coverage, density = found.step("coverage"), found.step("density")
    ax.scatter([coverage], [density], s=260, facecolors="none", edgecolors=OKABE_ITO["vermillion"], lw=2, zorder=3)
    ax.annotate(f"box {found.chosen}: coverage {coverage:.0%}, density {density:.0%}", (coverage, density),
                xytext=(-16, -22), textcoords="offset points", ha="right", va="top", fontsize=TEXT,
                color=OKABE_ITO["vermillion"])
    ax.axhline(found.min_density, color="#777777", lw=1, ls="--")
    ax.text(0.01, found.min_density, f"density asked for: {found.min_density:.0%}", transform=ax.get_yaxis_transform(),
            va="bottom", fontsize=SMALL, color="#555555")
    ax.set_xlim(min(0.0, steps["coverage"].min()) - 0.02, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("coverage: share of all cases inside the box", fontsize=TEXT)
    ax.set_ylabel("density: share of the box that are cases", fontsize=TEXT)
    style_axes(ax)
    handles = [Line2D([], [], ls="", marker="o", color=colours(k), label=f"{k}")
               for k in sorted(steps["restricted"].unique())]
    ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=SMALL, title="values the box restricts",
              title_fontsize=SMALL, ncols=len(handles))
    ax.set_title(f"PRIM's peeling: from all {found.cases.unit} (right) to the densest box (left)", loc="left",
                 fontsize=16, pad=12)
    return fig
