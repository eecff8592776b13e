"""Simulating runs in chunks: each run's seed, and a chunk of runs simulated together as one batch.

Each run draws from its own generator, seeded from ``SeedSequence(seed).spawn(runs)``, so a run's
result depends on its seed alone: batches, chunks and the number of workers change the speed, never
the numbers. Runs are simulated in chunks (`sim.experiments.experiment.CHUNK` runs at once, the
engine's leading axis).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.engine import Simulation
from sim.core.fields import FIELDS
from sim.core.outcomes import coalition_label, run_coalitions, run_outcomes
from sim.scenario import Scenario


def run_seeds(seed: int, runs: int) -> list[int]:
    """The seed of each run: a 63-bit integer drawn from ``SeedSequence(seed).spawn(runs)``.

    ``dipsim run SCENARIO --seed <that integer>`` repeats the run alone.
    """
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(seed).spawn(runs)]


@dataclass
class Chunk:
    """The outcomes of consecutive runs ``first .. first + len(seeds) - 1`` of one point.

    Their trajectories are not held here: they are stored beside the chunk's record on disk
    (`sim.experiments.store.store_chunk`), so that an experiment's memory does not grow with its runs.
    """

    point: int
    first: int
    seeds: list[int]
    #: One dict of outcomes per run (``None`` for a failed run).
    outcomes: list[dict | None]
    #: ``(run index, seed, error text)`` of each failed run.
    failures: list[tuple[int, int, str]]


@dataclass(frozen=True)
class Task:
    """One chunk of work, as it is sent to a worker (a local process or a cluster's): runs ``first ..`` of
    sweep point ``point`` (0 for an ensemble) of ``scenario``, with their ``seeds``; ``trajectories``:
    whether their fields day by day come back too (an ensemble's quantiles need them, a sweep's tables not)."""

    scenario: Scenario
    point: int
    first: int
    seeds: tuple[int, ...]
    trajectories: bool


def simulate_task(task: Task) -> tuple[Chunk, np.ndarray | None]:
    """What a worker does: `simulate_chunk` for a task. Nothing is written on the worker, whose disk may
    be another machine's: the process that sent the task stores what comes back."""
    return simulate_chunk(task.scenario, task.point, task.first, task.seeds, trajectories=task.trajectories)


def simulate_chunk(scenario: Scenario, point: int, first: int, seeds: Sequence[int], *,
                   trajectories: bool = True) -> tuple[Chunk, np.ndarray | None]:
    """Simulate runs with these seeds as one batch: their outcomes, and (with ``trajectories``) their
    ``(steps + 1, runs, n_fields, n_actors)`` fields day by day (NaN for a failed run). A failing batch is
    retried run by run."""
    try:
        simulation = Simulation(scenario, _rngs(seeds), record_contributions=False).run()
        return (_chunk(point, first, list(seeds), simulation),
                simulation.history.array("fields") if trajectories else None)
    except Exception:  # noqa: BLE001 - isolate the failing run(s) below
        if len(seeds) == 1:
            shape = (scenario.steps + 1, 1, len(FIELDS), len(scenario.actors))
            failure = (first, int(seeds[0]), traceback.format_exc(limit=3).strip().splitlines()[-1])
            return Chunk(point, first, list(seeds), [None], [failure]), np.full(shape, np.nan) if trajectories else None
    parts = [simulate_chunk(scenario, point, first + k, [s], trajectories=trajectories) for k, s in enumerate(seeds)]
    chunk = Chunk(point, first, list(seeds), [o for p, _ in parts for o in p.outcomes],
                  [f for p, _ in parts for f in p.failures])
    return chunk, np.concatenate([fields for _, fields in parts], axis=1) if trajectories else None


def _rngs(seeds: Iterable[int]) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in seeds]


def _chunk(point: int, first: int, seeds: list[int], simulation: Simulation) -> Chunk:
    outcomes = []
    for run in range(len(seeds)):
        found = run_outcomes(simulation, run)
        found["coalitions"] = coalition_label(run_coalitions(simulation, -1, run, most=1)[0])
        outcomes.append(found)
    return Chunk(point, first, seeds, outcomes, [])
