"""Many runs: ensembles and sweeps (levers, designs, seeds), run in chunks on worker processes, stored
as they finish and resumed; the command line only calls this.

Vocabulary (after the EMA workbench): the *uncertainties* are the seeds (`run_seeds`); the *levers* are
the scenario values a sweep varies (`Lever`, `grid_points`, `latin_points`); the *outcomes* are the
per-run results in `sim.core.outcomes`. Results are one tidy table, one row per run, aligned on
(point, run)::

    from sim.experiments import Experiment, conduct
    summary = conduct(Experiment.sweep("baseline", ["rules.mediation.threshold=0.3:0.7:5"], runs=100), "out")

Where what is:

- `sim.experiments.experiment`: `Experiment` (what to run; `Experiment.ensemble`, `Experiment.sweep`),
  `conduct` (run it into a directory, resumably) and the files it writes.
- `sim.experiments.levers`: levers and designs (every combination, or a Latin hypercube sample).
- `sim.experiments.chunks`: each run's seed, and a chunk of runs simulated as one batch.
- `sim.experiments.pool`: running tasks on worker processes, stopping cleanly when asked.
- `sim.experiments.store`: chunks on disk, what each was made from, checked and read back.
- `sim.experiments.statistics`: Wilson intervals, outcome statistics (`Tally`), quantiles over runs.
- `sim.experiments.sensitivity`: which judgements decide an outcome: a `Problem`, its Sobol' or Morris
  `design`, the model run at each point (`Study`, `conduct_study`) and the `indices` in one tidy table.
- `sim.experiments.discovery`: which ranges of the varied values give an outcome (PRIM, with the EMA
  workbench): read from a finished sweep or sensitivity directory, without the simulator.
"""

import importlib

#: Where each name lives: its module is imported when the name is first used, so that reading a finished
#: directory (`sim.experiments.discovery`) never loads the simulator, and `sensitivity` (pandas, SALib)
#: only when asked for.
_HOMES = {"run_seeds": "chunks", "Experiment": "experiment", "Interrupted": "experiment", "conduct": "experiment",
          "Lever": "levers", "grid_points": "levers", "latin_points": "levers", "Problem": "sensitivity",
          "Study": "sensitivity", "conduct_study": "sensitivity", "design": "sensitivity", "indices": "sensitivity"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f"sim.experiments.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")


__all__ = ["Experiment", "Interrupted", "Lever", "Problem", "Study", "conduct", "conduct_study", "design",
           "grid_points", "indices", "latin_points", "run_seeds"]
