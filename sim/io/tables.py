"""Every table dipsim writes, its columns defined once: the writers of a run's files and of an
ensemble's or a sweep's, and `sim.io.rundata`, which reads them back, all take them from here.

Light (no numpy, no numba): reading a run directory never loads the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.core.fields import FIELDS, measure_names
from sim.core.records import CEASEFIRE_COLUMNS

#: Quantiles of an ensemble's trajectories, over runs, for every day, actor and field (``quantiles.csv``).
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_COLUMNS = ("step", "actor", "field", *(f"q{round(q * 100):02d}" for q in QUANTILES))
#: The table of an ensemble (one row per run) and of a sweep (one row per point and run).
EXPERIMENT_TABLES = ("runs.csv", "experiments.csv")


def run_tables(sides: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The tables of a run directory, each with its columns, for a scenario with these ``sides``."""
    return {
        "timeseries.csv": ("step", "actor", *FIELDS, "pressure"),
        "model.csv": ("step", *measure_names(sides)),
        "contributions.csv": ("step", "actor", "field", "rule", "change"),
        "events.csv": ("step", "date", "kind", "actors", "note"),
        "ceasefires.csv": CEASEFIRE_COLUMNS,
        "ties.csv": ("step", "tie", "source", "target", "directed", "kind", "weight", "active"),
    }


#: The columns of a sensitivity study's indices table (indices.csv), one row per parameter, outcome and index.
INDICES_COLUMNS = ("parameter", "method", "outcome", "index", "value", "conf_low", "conf_high")
#: Second-order Sobol' indices (interactions.csv): the share of an outcome's variance the interaction of a
#: pair of varied values explains alone (S2), with its 95 % bootstrap interval.
INTERACTION_COLUMNS = ("first", "second", "outcome", "S2", "conf_low", "conf_high")
#: The indices each sensitivity method gives (in the order of the table's rows).
METHOD_INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}

#: Scenario discovery (PRIM): the peeling trajectory (trajectory.csv), one row per step from the whole space
#: (step 0): the share of all cases of interest inside the box (coverage), the share of the box's rows that
#: are cases (density), the share of all rows inside it (mass), how many parameters it restricts, its rows
#: and its cases.
TRAJECTORY_COLUMNS = ("step", "coverage", "density", "mass", "restricted", "rows", "cases")
#: The boxes of the trajectory (boxes.csv), one row per step and parameter: the box's limits, the parameter's
#: whole range in the table, whether the box restricts it, and the quasi-p-value of each restricted limit
#: (the chance of a box as dense without that limit; blank where the limit is the range's end).
BOXES_COLUMNS = ("step", "parameter", "low", "high", "minimum", "maximum", "restricted", "qp_low", "qp_high")

#: The files of a run directory (its plots and report aside).
RUN_FILES = (*run_tables(("first", "second")), "summary.json", "scenario.toml")


#: The outcome columns of ``runs.csv`` and ``experiments.csv`` that hold text (every other one a number).
TEXT_OUTCOMES = ("status", "first_broker", "coalitions", "error")


def outcome_columns(sides: Sequence[str], actor_ids: Sequence[str]) -> tuple[str, ...]:
    """The outcome columns of ``runs.csv`` and ``experiments.csv``, one row per run."""
    return ("status", "ceasefire_reached", "first_ceasefire_day", "first_broker", "ceasefires", "breakdowns",
            "lasting", "days_in_force", "under_pressure", *(f"max_intensity_{s}" for s in sides),
            *(f"final_territory_{s}" for s in sides), *(f"final_losses_{s}" for s in sides), "coalitions",
            *(f"final_alignment_{a}" for a in actor_ids), "error")


def experiment_columns(sides: Sequence[str], actor_ids: Sequence[str], varied: Sequence[str] | None) -> tuple[str, ...]:
    """The columns of ``runs.csv`` (``varied`` None: an ensemble) or of ``experiments.csv`` (a sweep
    varying the keys ``varied``, one column each, sorted)."""
    head = ("run", "seed") if varied is None else ("point", *sorted(varied), "run", "seed")
    return head + outcome_columns(sides, actor_ids)
