"""A quick ensemble, in memory: a few hundred runs of one scenario simulated as one batch and read back
as an `ExperimentData`, for a page that re-runs them on every change of a judgement (`quick_ensemble`).

The runs are those of ``dipsim ensemble`` with the same scenario and number of runs: the same seeds
(`run_seeds` of the scenario's seed), the same outcomes and quantiles, the same tables; nothing is
written to disk. Results are remembered by the scenario's digest, so that going back to a setting
already seen costs nothing.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import replace

import numpy as np
import pandas as pd

from sim.core.fields import FIELDS
from sim.experiments.chunks import run_seeds, simulate_chunk
from sim.experiments.experiment import outcome_row
from sim.experiments.statistics import Tally, quantiles
from sim.io.rundata import ExperimentData
from sim.io.runfiles import csv_text
from sim.io.tables import QUANTILE_COLUMNS, experiment_columns
from sim.scenario import Scenario

#: How many ensembles `quick_ensemble` remembers (each holds a few hundred rows and the quantiles).
REMEMBERED = 64

_remembered: OrderedDict[tuple[str, int], ExperimentData] = OrderedDict()
_lock = threading.Lock()


def quick_ensemble(scenario: Scenario, runs: int) -> ExperimentData:
    """``runs`` runs of ``scenario`` (seeds derived from its seed), simulated together, as an
    `ExperimentData` with the tables and statistics ``dipsim ensemble`` writes (``runs``, ``quantiles``,
    ``summary["probabilities"]``, ...). Remembered by the scenario's digest and ``runs``."""
    key = (scenario.digest(), int(runs))
    with _lock:
        if key in _remembered:
            _remembered.move_to_end(key)
            return _remembered[key]
    data = _simulate(scenario, int(runs))
    with _lock:
        _remembered[key] = data
        while len(_remembered) > REMEMBERED:
            _remembered.popitem(last=False)
    return data


def _simulate(scenario: Scenario, runs: int) -> ExperimentData:
    seeds = run_seeds(scenario.seed, runs)
    chunk, fields = simulate_chunk(scenario, 0, 0, seeds)
    errors = {run: text for run, _, text in chunk.failures}
    tally = Tally()
    rows = []
    for run, (seed, outcomes) in enumerate(zip(seeds, chunk.outcomes)):
        rows.append([run, seed, *outcome_row(scenario, outcomes, errors.get(run, ""))])
        tally.add(outcomes)
    summary = {"seed": scenario.seed, "runs": runs, "complete": True,
               "failures": [{"run": run, "seed": seed, "error": text} for run, seed, text in chunk.failures],
               **tally.statistics()}
    files = {"runs.csv": csv_text(experiment_columns(scenario.sides, scenario.actor_ids, None), rows),
             "summary.json": json.dumps(summary), "scenario.toml": scenario.to_toml()}
    data = ExperimentData.from_files(files)
    return replace(data, quantiles=quantile_table(scenario, quantiles([fields]))) if tally.ok else data


def quantile_table(scenario: Scenario, values: np.ndarray) -> pd.DataFrame:
    """``quantiles.csv`` as a table (`ExperimentData.quantiles`): a row per step, actor and field, in the
    file's order; ``values`` is ``(len(QUANTILES), steps + 1, n_fields, n_actors)``."""
    levels, steps, n_fields, n_actors = values.shape
    rows = values.transpose(1, 3, 2, 0).reshape(-1, levels)            # (step, actor, field) x level
    table = pd.DataFrame(rows, columns=list(QUANTILE_COLUMNS[3:]))
    table.insert(0, "field", np.tile(np.array(FIELDS, dtype=object), steps * n_actors))
    table.insert(0, "actor", np.tile(np.repeat(np.array(scenario.actor_ids, dtype=object), n_fields), steps))
    table.insert(0, "step", np.repeat(np.arange(steps), n_actors * n_fields))
    return table
