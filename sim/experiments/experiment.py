"""An experiment: what to run (`Experiment`: one scenario per point, the same seeds at each), run into a
directory (`conduct`: chunks stored as they finish, resumed after an interruption), and its files
(``runs.csv`` or ``experiments.csv``, ``quantiles.csv``, ``scenario.toml``, ``summary.json``)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from sim import __version__
from sim.core.fields import FIELDS
from sim.experiments.chunks import Chunk, run_seeds
from sim.experiments.levers import Lever, grid_points, latin_points, override
from sim.experiments.pool import Stopped, default_workers, execute
from sim.experiments.statistics import Tally, quantiles
from sim.experiments.store import (
    Task,
    Trajectories,
    check_chunks,
    chunk_name,
    make_chunk,
    read_chunk,
)
from sim.io.files import (
    OutputError,
    check_target,
    locked,
    prepare_directory,
    sweep_temporary,
    write_file,
    write_files,
)
from sim.io.runfiles import csv_rows, csv_text, versions
from sim.io.tables import QUANTILE_COLUMNS, experiment_columns, outcome_columns
from sim.scenario import Scenario, ScenarioError, load

#: Runs simulated together as one batch.
CHUNK = 50


@dataclass(frozen=True)
class Experiment:
    """What to run: one scenario per point (one point for an ensemble), each with the same seeds.

    ``levers`` holds the values a sweep varies at each point (``{}`` for an ensemble). Every point uses
    the same run seeds (common random numbers), so differences between points come from the levers,
    not from luck.
    """

    scenarios: tuple[Scenario, ...]
    levers: tuple[dict, ...]
    seed: int
    runs: int
    #: How a sweep's points were chosen: ``grid`` (every combination) or ``latin`` (a sample).
    sample: str = "grid"

    @classmethod
    def ensemble(cls, scenario: str | Path, runs: int, overrides: Iterable[str] = ()) -> Experiment:
        """``runs`` runs of ``scenario`` (a bundled name or a file, with ``--set`` ``overrides`` such as
        ``scenario.seed=7``), their seeds derived from the scenario's seed."""
        spec = load(scenario, overrides)
        return cls((spec,), ({},), spec.seed, runs)

    @classmethod
    def sweep(cls, scenario: str | Path, levers: Iterable[str], runs: int, overrides: Iterable[str] = (), *,
              sample: str = "grid", points: int | None = None) -> Experiment:
        """``runs`` runs of ``scenario`` (with ``overrides``, as `ensemble`) at every point of a sweep over
        ``levers`` (``--vary`` texts: ``KEY=A:B:N`` or ``KEY=V1,V2,...``): every combination (``sample="grid"``)
        or ``points`` points of a Latin hypercube (``sample="latin"``). Raises `ScenarioError`."""
        base = list(overrides)
        spec = load(scenario, base)
        parsed = [Lever.parse(text).for_scenario(spec) for text in levers]
        if sample == "latin":
            if points is None:
                raise ScenarioError("--sample latin", "", "needs --points N")
            chosen = latin_points(parsed, points, spec.seed)
        else:
            chosen = grid_points(parsed)
        scenarios = tuple(load(scenario, [*base, *(override(k, v) for k, v in p.items())]) for p in chosen)
        return cls(scenarios, tuple(chosen), spec.seed, runs, sample)

    @property
    def kind(self) -> str:
        """``"sweep"`` or ``"ensemble"``."""
        return "sweep" if len(self.scenarios) > 1 or bool(self.levers[0]) else "ensemble"

    def seeds(self) -> list[int]:
        """Each run's seed (`run_seeds`), worked out once."""
        return self._seeds

    @cached_property
    def _seeds(self) -> list[int]:
        return run_seeds(self.seed, self.runs)

    def tasks(self, store: Path) -> list[Task]:
        """Every point's runs cut into chunks of `CHUNK` runs (the same seeds at every point), to be
        stored in the folder ``store``."""
        seeds, digest = self.seeds(), experiment_digest(self)
        return [Task(p, scenario, first, tuple(seeds[first:first + CHUNK]), str(Path(store).resolve()),
                     made_from(self, digest, p, first, seeds[first:first + CHUNK]))
                for p, scenario in enumerate(self.scenarios) for first in range(0, len(seeds), CHUNK)]


def made_from(experiment: Experiment, digest: str, point: int, first: int, seeds: Sequence[int]) -> dict:
    """What a chunk's results are made from: stored with the chunk, and checked before it is used again."""
    return {"experiment_sha256": digest, "scenario_sha256": experiment.scenarios[point].digest(),
            "seed": experiment.seed, "point": point, "runs": [first, first + len(seeds) - 1],
            "seeds": [int(s) for s in seeds], "dipsim": __version__}


class Interrupted(Exception):
    """The experiment was stopped (Ctrl-C, SIGTERM); ``runs_done`` runs are stored, marked incomplete."""

    def __init__(self, runs_done: int) -> None:
        super().__init__("interrupted")
        self.runs_done = runs_done


def perform(experiment: Experiment, store: Path, workers: int, *, done: Iterable[tuple[int, int]] = (),
            on_chunk: Callable[[Chunk], None] | None = None, stop: Callable[[], bool] = lambda: False) -> None:
    """Run and store (in the folder ``store``) every chunk of ``experiment`` whose ``(point, first run)``
    is not already ``done``.

    ``on_chunk`` is called as each chunk finishes (to advance a progress bar, say). Raises `Stopped`
    when ``stop()`` turns true or on KeyboardInterrupt, once the running chunks are stored.
    """
    finished = set(done)
    Path(store).mkdir(parents=True, exist_ok=True)
    todo = [t for t in experiment.tasks(store) if (t.point, t.first) not in finished]
    execute(make_chunk, todo, workers, on_chunk or (lambda chunk: None), stop)


def outcome_row(scenario: Scenario, outcomes: dict | None, error: str = "") -> list:
    """One run's outcomes in the order of `sim.io.tables.outcome_columns` (blank cells for a failed run)."""
    if outcomes is None:
        return ["failed", *[""] * (len(outcome_columns(scenario.sides, scenario.actor_ids)) - 2), error]
    first = outcomes["first_ceasefire_day"]
    return ["ok", int(outcomes["ceasefire_reached"]), "" if first is None else first,
            outcomes["first_broker"] or "", outcomes["ceasefires"], outcomes["breakdowns"], int(outcomes["lasting"]),
            outcomes["days_in_force"], outcomes["under_pressure"],
            *(float(outcomes[k][s]) for k in ("max_intensity", "final_territory", "final_losses")
              for s in scenario.sides),
            outcomes["coalitions"], *(float(outcomes["final_alignment"][a]) for a in scenario.actor_ids), ""]


def quantiles_csv(scenario: Scenario, values: np.ndarray) -> str:
    """Tidy quantiles: one row per step, actor and field; ``values`` is (`QUANTILES`, steps+1, fields, actors)."""
    rows = ((t, a, f, *values[:, t, k, i]) for t in range(values.shape[1])
            for i, a in enumerate(scenario.actor_ids) for k, f in enumerate(FIELDS))
    return csv_text(QUANTILE_COLUMNS, rows)


def experiment_digest(experiment: Experiment) -> str:
    """SHA-256 of what an experiment runs: each point's scenario, its levers, the seed and the runs."""
    text = json.dumps([[s.digest() for s in experiment.scenarios], list(experiment.levers),
                       experiment.seed, experiment.runs, CHUNK], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def experiment_files(experiment: Experiment, store: Path, *, complete: bool) -> dict[str, str]:
    """``runs.csv`` (ensemble) or ``experiments.csv`` (sweep), ``quantiles.csv``, ``scenario.toml`` and
    ``summary.json`` (saying whether the experiment is ``complete``) from the chunks stored in ``store``,
    read one at a time, their trajectories a block of steps at a time."""
    base = experiment.scenarios[0]
    sweep = experiment.kind == "sweep"
    names = sorted({k for levers in experiment.levers for k in levers})
    header = experiment_columns(base.sides, base.actor_ids, names if sweep else None)
    tallies = [Tally() for _ in experiment.scenarios]
    failures, parts, runs_done = [], [], 0
    table = io.StringIO()
    table.write(csv_text(header, ()))
    for task in experiment.tasks(store):
        path = Path(store) / f"{chunk_name(task.point, task.first)}.json"
        if not path.is_file():
            continue
        chunk, _, _ = read_chunk(path)
        errors = {run: text for run, _, text in chunk.failures}
        levers = [experiment.levers[chunk.point].get(name, "") for name in names]
        rows = []
        for k, (seed, outcomes) in enumerate(zip(chunk.seeds, chunk.outcomes)):
            run = chunk.first + k
            head = [chunk.point, *levers, run, seed] if sweep else [run, seed]
            rows.append(head + outcome_row(base, outcomes, errors.get(run, "")))
            tallies[chunk.point].add(outcomes)
        table.write(csv_rows(rows))
        failures += [{"point": chunk.point, "run": run, "seed": seed, "error": text}
                     for run, seed, text in chunk.failures]
        runs_done += len(chunk.seeds)
        if not sweep:
            parts.append(Trajectories(path.with_suffix(".npy")))
    summary = {
        "scenario": {"name": base.name, "title": base.title, "sides": list(base.sides)},
        "seed": experiment.seed,
        "runs": experiment.runs,
        "complete": complete,
        "runs_done": runs_done,
        "runs_requested": experiment.runs * len(experiment.scenarios),
        "failures": failures,
    }
    if sweep:
        summary["sample"] = experiment.sample
        summary["points"] = [{"point": p, "levers": experiment.levers[p], **tally.statistics()}
                             for p, tally in enumerate(tallies)]
    else:
        summary.update(tallies[0].statistics())
    summary["manifest"] = {"kind": experiment.kind, "experiment_sha256": experiment_digest(experiment),
                           "scenario_sha256": base.digest(), "seed": experiment.seed, "runs": experiment.runs,
                           "chunk": CHUNK, "versions": versions()}
    files = {("experiments.csv" if sweep else "runs.csv"): table.getvalue(),
             "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "scenario.toml": base.to_toml()}
    if parts:
        files["quantiles.csv"] = quantiles_csv(base, quantiles(parts))
    return files


def conduct(experiment: Experiment, directory: Path, *, workers: int | None = None, force: bool = False,
            resume: bool = False,
            on_chunk: Callable[[Chunk], None] | None = None, stop: Callable[[], bool] = lambda: False,
            pictures: Callable[[dict[str, str]], dict[str, bytes]] | None = None) -> dict:
    """Run an experiment into ``directory`` on ``workers`` processes (default: the machine's cores) and
    return its summary.

    Finished chunks are stored in ``directory/chunks`` as they come (``on_chunk`` sees each), so that
    ``resume`` completes an interrupted experiment with the same seeds. ``pictures`` draws plots from the
    finished files (``{"name": bytes}``, written into ``plots/``). ``summary.json`` says
    ``"complete": true`` only once everything else is written: when ``stop()`` turns true, or on Ctrl-C,
    at any moment, the files are written from the finished runs, marked ``"complete": false``, and
    `Interrupted` is raised. The directory is locked while this runs: a second dipsim on it is refused.
    """
    directory = Path(directory)
    workers = default_workers() if workers is None else workers
    kind = experiment.kind
    check_target(directory, kind, force=force, resume=resume)
    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "chunks"
    with locked(directory):
        check_target(directory, kind, force=force, resume=resume)
        sweep_temporary(directory)
        if resume:
            _check_resumable(experiment, directory)
            done = check_chunks(experiment.tasks(store), store)
        else:
            prepare_directory(directory, kind)
            write_files(directory, experiment_files(experiment, store, complete=False))
            done = set()
        try:
            try:
                perform(experiment, store, workers, done=done, on_chunk=on_chunk, stop=stop)
            except Stopped:
                raise KeyboardInterrupt from None
            files = experiment_files(experiment, store, complete=True)
            final = files.pop("summary.json")
            write_files(directory, files)
            if pictures is not None:
                write_files(directory / "plots", pictures({**files, "summary.json": final}))
            if stop():
                raise KeyboardInterrupt
            write_file(directory / "summary.json", final)  # last: only now is the directory complete
        except KeyboardInterrupt:
            files = experiment_files(experiment, store, complete=False)
            write_files(directory, files)
            raise Interrupted(json.loads(files["summary.json"])["runs_done"]) from None
    return json.loads(final)


def _check_resumable(experiment: Experiment, directory: Path) -> None:
    path = directory / "summary.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))["manifest"]
        digest = manifest["experiment_sha256"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise OutputError(f"{path}: damaged or missing ({type(err).__name__}); cannot resume, start again with "
                          "--force") from None
    if digest != experiment_digest(experiment):
        raise OutputError(f"{directory}: made by a different scenario, seed or number of runs; cannot resume")
