"""A run's files: what they hold, and how they are read back.

A run directory holds ``timeseries.csv``, ``model.csv``, ``contributions.csv``, ``events.csv``,
``ties.csv``, ``summary.json`` and ``scenario.toml``; `sim.io.files` writes it (whole or not at all, and
only where dipsim may).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import platform
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from sim import __version__
from sim.core.engine import Simulation
from sim.core.fields import FIELDS, TIE_KINDS
from sim.core.outcomes import run_coalitions, run_outcomes
from sim.io.tables import run_tables
from sim.scenario import Scenario


def default_dir(scenario: Scenario, seed: int) -> Path:
    return Path("runs") / f"{scenario.name}-seed{seed}"


def _number(x: float) -> str:
    return "" if x != x else format(float(x), ".10g")


def _iso(date) -> str:
    """A date as events.csv writes it (year-month-day), or nothing when the scenario gives no start date."""
    return "" if date is None else date.isoformat()


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """CSV with floats written to 10 significant digits (NaN as an empty cell), lines ending in \\n."""
    return csv_rows(itertools.chain([header], rows))


def csv_rows(rows: Iterable[Sequence]) -> str:
    """Rows of CSV as `csv_text` writes them, without a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_number(v) if isinstance(v, (float, np.floating)) else v for v in row])
    return out.getvalue()


def versions() -> dict[str, str]:
    """Versions of what made the results."""
    found = {"dipsim": __version__, "python": platform.python_version()}
    for package in ("mesa", "numpy", "numba"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


def run_summary(simulation: Simulation, run: int, seed: int) -> dict:
    """Outcomes and manifest of one run of a simulation, as written to ``summary.json``."""
    scenario = simulation.scenario
    return {
        "scenario": {"name": scenario.name, "title": scenario.title, "sides": list(scenario.sides)},
        "seed": seed,
        "steps": simulation.steps,
        "outcomes": run_outcomes(simulation, run),
        "coalitions": {"start": run_coalitions(simulation, 0, run), "end": run_coalitions(simulation, -1, run)},
        "manifest": {"scenario_sha256": scenario.digest(), "seed": seed, "versions": versions()},
    }


def run_files(simulation: Simulation, seed: int, run: int = 0) -> dict[str, str]:
    """The text of every file of one run's directory."""
    scenario, history = simulation.scenario, simulation.history
    ids, top = scenario.actor_ids, simulation.world.topology
    fields = history.array("fields")[:, run]
    pressure = history.array("pressure")[:, run]
    steps = range(fields.shape[0])
    columns = run_tables(scenario.sides)
    files = {
        "timeseries.csv": csv_text(columns["timeseries.csv"], (
            (t, a, *fields[t, :, i], pressure[t, i]) for t in steps for i, a in enumerate(ids))),
        "model.csv": csv_text(columns["model.csv"],
                              ((t, *row) for t, row in enumerate(history.array("measures")[:, run]))),
        "events.csv": csv_text(columns["events.csv"], (
            (h.step, _iso(scenario.date_of(h.step)), h.kind, " ".join(h.actors), h.note)
            for h in history.happenings if h.run == run)),
        "ties.csv": csv_text(columns["ties.csv"], (
            (t, tie, ids[top.tie_source[k]], ids[top.tie_target[k]], int(top.tie_directed[k]),
             TIE_KINDS[history.kind[t][run, k]], float(history.weight[t][run, k]), int(history.active[t][run, k]))
            for t in steps for k, tie in enumerate(top.tie_ids))),
        "ceasefires.csv": csv_text(columns["ceasefires.csv"], (c.row() for c in history.spans[run])),
        "summary.json": json.dumps(run_summary(simulation, run, seed), indent=2, ensure_ascii=False) + "\n",
        "scenario.toml": scenario.with_changes(seed=seed).to_toml(),
    }
    if history.contributions is not None:
        data = history.array("contributions")[:, :, :, run]              # (steps, sources, fields, n)
        nonzero = zip(*np.nonzero(data))
        files["contributions.csv"] = csv_text(columns["contributions.csv"], (
            (t, ids[i], FIELDS[f], history.sources[s], float(data[t, s, f, i])) for t, s, f, i in nonzero))
    return files
