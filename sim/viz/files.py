"""Which plots a run, an ensemble or a sweep directory gets (`PLOTS`, `plot_names`, `experiment_plot_names`),
and the plots as the bytes of files (`render`, `plot_files`, `experiment_plot_files`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from sim.io.rundata import ExperimentData, RunData
from sim.viz.discovery import box_limits, peeling_trajectory
from sim.viz.experiment import (
    alignment_fan,
    broker_shares,
    ceasefire_day_distribution,
    coalition_frequency,
    sweep_heatmap,
    sweep_outcome,
)
from sim.viz.network import alignment_network
from sim.viz.run import (
    alignment_over_time,
    battlefield,
    has_battlefield,
    road_to_ceasefire,
    what_moved_whom,
)
from sim.viz.sensitivity import judgements_plot
from sim.viz.style import DPI, LITERAL

FORMATS = ("png", "svg", "pdf")

#: The plots a run directory gets, as ``plots/NAME.FORMAT``, in the order the report shows them (the
#: battlefield only when the run has one: `plot_names`).
PLOTS: dict[str, str] = {
    "alignment": "alignment_over_time",
    "ceasefire": "road_to_ceasefire",
    "battlefield": "battlefield",
    "network": "alignment_network",
    "moves": "what_moved_whom",
}
#: The plots an ensemble directory gets, as ``plots/NAME.FORMAT`` (the fan only when it has quantiles.csv).
ENSEMBLE_PLOTS = ("alignment_fan", "ceasefire_day_distribution", "broker_shares", "coalition_frequency")
#: The plots a sweep directory gets (the heat map only for a grid of two varied keys).
SWEEP_PLOTS = ("sweep_outcome", "sweep_heatmap")
#: The function that draws each plot of `PLOTS`, `ENSEMBLE_PLOTS` and `SWEEP_PLOTS`, by name.
_DRAW: dict[str, Callable[..., Figure]] = {draw.__name__: draw for draw in (
    alignment_over_time, road_to_ceasefire, battlefield, alignment_network, what_moved_whom, alignment_fan,
    ceasefire_day_distribution, broker_shares, coalition_frequency, sweep_outcome, sweep_heatmap)}


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
    """Every plot of a run (`plot_names`) rendered as ``{"plots/NAME.FORMAT": bytes}``, ready for
    `write_directory`."""
    return _rendered(run, plot_names(run), fmt, folder, progress)


def plot_names(run: RunData) -> list[str]:
    """The plots a run directory gets (file names without the format): every one of `PLOTS`, the battlefield
    only when the run has one (`has_battlefield`)."""
    return [name for name in PLOTS.values() if name != "battlefield" or has_battlefield(run)]


def experiment_plot_names(data: ExperimentData) -> list[str]:
    """The plots an ensemble or a sweep directory gets (file names without the format)."""
    if not data.is_sweep:
        return [name for name in ENSEMBLE_PLOTS if name != "alignment_fan" or data.quantiles is not None]
    if data.sample == "grid" and len(data.varied) == 2:
        return list(SWEEP_PLOTS)
    return ["sweep_outcome"]


def experiment_plot_files(data: ExperimentData, fmt: str = "png", folder: str = "plots",
                          progress: Callable[[str], None] | None = None,
                          outcome: str = "ceasefire_reached") -> dict[str, bytes]:
    """Every plot of an ensemble or a sweep, rendered as ``{"plots/NAME.FORMAT": bytes}`` (see
    `experiment_plot_names`); a sweep's plots show the share of runs with ``outcome``."""
    return _rendered(data, experiment_plot_names(data), fmt, folder, progress, outcome)


def study_plot_files(indices: pd.DataFrame, outcomes: Sequence[str], subtitle: str, fmt: str = "png",
                     folder: str = "plots") -> dict[str, bytes]:
    """The plot of a sensitivity study for each outcome (`judgements_plot`), as
    ``{"plots/which_judgements_OUTCOME.FORMAT": bytes}``."""
    return {f"{folder}/which_judgements_{o}.{fmt}" if folder else f"which_judgements_{o}.{fmt}":
            render(judgements_plot(indices, o, subtitle=subtitle), fmt) for o in outcomes}


def discovery_plot_files(found, fmt: str = "png") -> dict[str, bytes]:
    """The plots of a scenario discovery (a `sim.experiments.discovery.Discovery`): ``which_ranges.FORMAT``
    (`box_limits`) and ``peeling_trajectory.FORMAT``."""
    return {f"which_ranges.{fmt}": render(box_limits(found), fmt),
            f"peeling_trajectory.{fmt}": render(peeling_trajectory(found), fmt)}


def _rendered(data: RunData | ExperimentData, names: list[str], fmt: str, folder: str,
              progress: Callable[[str], None] | None, outcome: str = "ceasefire_reached") -> dict[str, bytes]:
    """The plots ``names`` of ``data``, each drawn and rendered in turn (``progress`` told its name first);
    a sweep's plots show the share of runs with ``outcome``."""
    files = {}
    for name in names:
        if progress:
            progress(name)
        files[f"{folder}/{name}.{fmt}" if folder else f"{name}.{fmt}"] = render(drawn(data, name, outcome), fmt)
    return files


def drawn(data: RunData | ExperimentData, name: str, outcome: str = "ceasefire_reached") -> Figure:
    """The plot ``name`` of a run, an ensemble or a sweep (a sweep's showing the share of runs with ``outcome``)."""
    return _DRAW[name](data, outcome) if name in SWEEP_PLOTS else _DRAW[name](data)
