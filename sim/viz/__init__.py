"""Pictures of a run, an ensemble or a sweep for a slide.

Every plot function takes the data of a run (`RunData`), an ensemble or a sweep (`ExperimentData`),
both read by `sim.io.rundata`, and optionally the Axes to draw on, and returns the `Figure` it drew on.
Without Axes it makes its own slide-sized figure (12 x 6.75 in at 150 dpi) with
`matplotlib.figure.Figure`, never pyplot, so nothing is left open and no global state is touched. From
a notebook::

    from sim import viz
    from sim.io.rundata import load_experiment, load_run
    run = load_run("runs/baseline-seed2020")
    viz.alignment_over_time(run)            # a Figure; Jupyter shows it
    ensemble = load_experiment("runs/baseline-ensemble-seed2020-runs300")
    viz.alignment_fan(ensemble)

Text is shown as written: a ``$`` in a scenario's title, an actor's name or an event's note is a dollar
sign, never the start of matplotlib's math text (`style.literal`).

Where is what: `style` (size, fonts, colours, text as written, new figures and panels, the colours and
names of what actors do, by `sim.roles`, and of the landscape coalitions), `run` (alignment over time,
the road to a ceasefire, the battlefield, what moved whom), `network` (the alignment network), `compare`
(two runs side by side), `experiment` (ensembles and sweeps), `sensitivity` and `discovery` (which judgements decide, which ranges give an
outcome) and `files` (which plots a directory gets, and their files' bytes).
"""

from sim.viz.compare import (
    compare_alignment,
    compare_ceasefire,
    compare_moves,
    compare_network,
)
from sim.viz.discovery import box_limits, peeling_trajectory
from sim.viz.experiment import (
    alignment_fan,
    broker_shares,
    ceasefire_day_distribution,
    coalition_frequency,
    sweep_heatmap,
    sweep_outcome,
)
from sim.viz.files import (
    ENSEMBLE_PLOTS,
    PLOTS,
    SWEEP_PLOTS,
    discovery_plot_files,
    experiment_plot_files,
    experiment_plot_names,
    plot_files,
    plot_names,
    render,
    study_plot_files,
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

__all__ = [
    "ENSEMBLE_PLOTS", "PLOTS", "SWEEP_PLOTS", "alignment_fan", "alignment_network", "alignment_over_time",
    "battlefield", "box_limits", "broker_shares", "ceasefire_day_distribution", "coalition_frequency", "compare_alignment",
    "compare_ceasefire", "compare_moves", "compare_network", "discovery_plot_files", "experiment_plot_files", "experiment_plot_names",
    "has_battlefield", "judgements_plot", "peeling_trajectory", "plot_files", "plot_names", "render", "road_to_ceasefire", "study_plot_files",
    "sweep_heatmap", "sweep_outcome", "what_moved_whom",
]
