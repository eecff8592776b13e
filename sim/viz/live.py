"""The plots of the Explore page (`sim.app`): a run as far as it has gone, drawn against the whole of its
days so that its lines grow from left to right (`run_alignment`, `run_road`, `run_battlefield`), its
network on the day it has reached (`run_network`), and who usually backs whom over an ensemble
(`usual_alignment`), each on a figure of the page's size (`page_figure`).

They draw with the plots of a run directory and of an ensemble (`sim.viz.run`, `sim.viz.network`,
`sim.viz.experiment`), from the same data (`RunData`, `ExperimentData`), on figures sized so that the
slide's fonts read on a projector: a figure `WIDTH` inches wide fills half of a 1920-pixel screen
beside the page's controls (some 760 pixels), which puts the slide's 11-point text 17 pixels high and
its 13-point text 20.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.io.rundata import ExperimentData, RunData
from sim.viz.experiment import alignment_fan
from sim.viz.network import draw_network, network_keys
from sim.viz.run import (
    alignment_legend,
    alignment_over_time,
    battlefield,
    road_to_ceasefire,
    role_handle,
)
from sim.viz.style import SMALL, TITLE, literal, role_titles

#: The width of the page's figures, in inches (see the module's docstring), and their resolution.
WIDTH = 6.8
DPI = 100
#: The height of each of the page's figures, in inches.
HEIGHTS = {"alignment": 4.4, "road": 5.4, "battlefield": 4.6, "network": 4.4, "fan": 4.4}


def page_figure(kind: str) -> Figure:
    """A new figure of the page's width and the height of ``kind`` (a key of `HEIGHTS`), not known to pyplot."""
    return Figure(figsize=(WIDTH, HEIGHTS[kind]), dpi=DPI, layout="constrained")


def _whole_run(axes: Sequence[Axes], steps: int) -> None:
    """Every Axes spanning the days 0 to ``steps``, however far the run has gone."""
    for ax in axes:
        ax.set_xlim(0, max(steps, 1))


@literal
def run_alignment(run: RunData, steps: int, ax: Axes | None = None) -> Figure:
    """Each actor's alignment so far (`alignment_over_time`, actors named by id), on the axis of the run's
    ``steps`` days, with what each actor does on the day it has reached (and the ceasefires) in a legend under it."""
    if ax is None:
        ax = page_figure("alignment").add_subplot()
    alignment_over_time(run, ax, labels="ids", legend=False)
    _whole_run([ax], steps)
    groups = role_titles(run, "end")
    handles = [role_handle(colour, f"{title} on day {run.steps}", mediators) for colour, title, mediators in groups]
    handles += alignment_legend(run, bool(run.event_marks()))[len(groups):]        # ceasefires and events
    ax.figure.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=SMALL, frameon=False,
                     columnspacing=1.2)
    ax.set_title("Who backs whom, day by day", fontsize=TITLE, loc="left", pad=18)
    return ax.figure


@literal
def run_road(run: RunData, steps: int, axes: Sequence[Axes] | None = None) -> Figure:
    """The road to a ceasefire so far (`road_to_ceasefire`), on the axis of the run's ``steps`` days."""
    if axes is None:
        axes = page_figure("road").subplots(3, 1, sharex=True, height_ratios=[1.5, 1, 1])
    road_to_ceasefire(run, axes)
    _whole_run(axes, steps)
    axes[0].set_title("The road to a ceasefire", fontsize=TITLE, loc="left", pad=12)
    return axes[0].figure


@literal
def run_battlefield(run: RunData, steps: int, axes: Sequence[Axes] | None = None) -> Figure:
    """The battlefield so far (`battlefield`: the share of the contested area each side holds, its losses), on
    the axis of the run's ``steps`` days."""
    if axes is None:
        axes = page_figure("battlefield").subplots(2, 1, sharex=True, height_ratios=[1.3, 1])
    battlefield(run, axes)
    _whole_run(axes, steps)
    axes[0].set_title("The battlefield", fontsize=TITLE, loc="left", pad=12)
    return axes[0].figure


@literal
def run_network(run: RunData, positions: dict[str, tuple[float, float]], ax: Axes | None = None) -> Figure:
    """The alignment network on the last day the run has reached (`draw_network`, coalitions of that
    day), the actors at ``positions`` (`network_layout`, the same every day), with its key."""
    if ax is None:
        ax = page_figure("network").add_subplot()
    day = run.steps
    draw_network(ax, run, day, "end", positions)
    network_keys(ax.figure, [ax], run)
    ax.set_title(f"The network on day {day}", fontsize=TITLE, loc="left")
    return ax.figure


@literal
def usual_alignment(data: ExperimentData, actors: Sequence[str], ax: Axes | None = None) -> Figure:
    """The alignment of ``actors`` over the runs (`alignment_fan`): median, middle half and 90 %."""
    if ax is None:
        ax = page_figure("fan").add_subplot()
    alignment_fan(data, ax, actors=list(actors))
    ax.set_title(f"Who backs whom: {len(data.ok)} runs", fontsize=TITLE, loc="left")
    return ax.figure

