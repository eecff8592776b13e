"""An experiment: what to run (`Experiment`: one scenario per point, the same seeds at each), run into a
directory (`conduct`: chunks stored as they finish, resumed after an interruption), and its files
(``runs.csv`` or ``experiments.csv``, ``quantiles.csv``, ``scenario.toml``, ``summary.json``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from sim import __version__
from sim.core.fields import FIELDS
from sim.experiments.chunks import Chunk, Task, run_seeds, simulate_task
from sim.experiments.levers import Lever, grid_points, latin_points, override
from sim.experiments.pool import Stopped, default_workers, execute
from sim.experiments.statistics import Tally, quantiles
from sim.experiments.store import (
    Trajectories,
    check_chunks,
    chunk_name,
    read_chunk,
    store_chunk,
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
from sim.scenario import Scenario, ScenarioError
from sim.scenario.loading import Template

#: Runs simulated together as one batch.
CHUNK = 50
#: The table of runs an experiment writes, one row per run.
TABLE = {"ensemble": "runs.csv", "sweep": "experiments.csv"}


@dataclass(frozen=True)
class Experiment:
    """What to run: the scenario at each point (one point for an ensemble), each with the same seeds.

    ``points`` holds each point's ``--set`` overrides (``((),)`` for an ensemble) and ``levers`` the values
    a sweep varies there, as its tables show them (``{}`` for an ensemble). A point's scenario is built
    from the ``template`` when its runs are sent, so that the experiment holds one scenario, however many
    points it has. Every point uses the same run seeds (common random numbers), so differences between
    points come from the levers, not from luck.
    """

    template: Template
    points: tuple[tuple[str, ...], ...]
    levers: tuple[dict, ...]
    seed: int
    runs: int
    #: How a sweep's points were chosen: ``grid`` (every combination), ``latin`` (a sample), or a
    #: sensitivity study's design (``sobol``, ``morris``).
    sample: str = "grid"

    @classmethod
    def ensemble(cls, scenario: str | Path | Scenario, runs: int, overrides: Iterable[str] = ()) -> Experiment:
        """``runs`` runs of ``scenario`` (a bundled name, a file or a `Scenario`, with ``--set`` ``overrides``
        such as ``scenario.seed=7``), their seeds derived from the scenario's seed."""
        template = _template(scenario, overrides)
        return cls(template, ((),), ({},), template.scenario().seed, runs)

    @classmethod
    def sweep(cls, scenario: str | Path | Scenario, levers: Iterable[str], runs: int, overrides: Iterable[str] = (),
              *, sample: str = "grid", points: int | None = None) -> Experiment:
        """``runs`` runs of ``scenario`` (with ``overrides``, as `ensemble`) at every point of a sweep over
        ``levers`` (``--vary`` texts: ``KEY=A:B:N`` or ``KEY=V1,V2,...``): every combination (``sample="grid"``)
        or ``points`` points of a Latin hypercube (``sample="latin"``). Raises `ScenarioError`."""
        template = _template(scenario, overrides)
        spec = template.scenario()
        parsed = [Lever.parse(text).for_scenario(spec) for text in levers]
        if sample == "latin":
            if points is None:
                raise ScenarioError("--sample latin", "", "needs --points N")
            chosen = latin_points(parsed, points, spec.seed)
        else:
            chosen = grid_points(parsed)
        return cls.at_points(template, chosen, runs, sample=sample)

    @classmethod
    def at_points(cls, scenario: str | Path | Scenario | Template, points: Iterable[dict], runs: int,
                  overrides: Iterable[str] = (), *, sample: str = "grid") -> Experiment:
        """``runs`` runs of ``scenario`` (with ``overrides``, as `ensemble`) at each of ``points``, a design
        of one's own: each point ``{--set key: value}``. Raises `ScenarioError` for a point's mistake."""
        template = scenario if isinstance(scenario, Template) else _template(scenario, overrides)
        chosen = tuple(points)
        experiment = cls(template, tuple(tuple(override(k, v) for k, v in p.items()) for p in chosen), chosen,
                         template.scenario().seed, runs, sample)
        experiment.check()
        return experiment

    @property
    def kind(self) -> str:
        """``"sweep"`` or ``"ensemble"``."""
        return "sweep" if len(self.points) > 1 or bool(self.levers[0]) else "ensemble"

    def check(self) -> None:
        """Validate every point's scenario, one at a time (`ScenarioError` for the first mistake): a value
        out of its bounds is found before any run, not by a worker halfway through."""
        for point in range(len(self.points)):
            self.scenario(point)

    def scenario(self, point: int | None = None) -> Scenario:
        """The scenario at ``point``, or without any point's values (``None``: the one the files describe)."""
        return self.template.scenario(() if point is None else self.points[point])

    def seeds(self) -> list[int]:
        """Each run's seed (`run_seeds`), worked out once."""
        return self._seeds

    @cached_property
    def _seeds(self) -> list[int]:
        return run_seeds(self.seed, self.runs)

    @cached_property
    def digest(self) -> str:
        """SHA-256 of what the experiment runs: the scenario, each point's values, the seed and the runs."""
        text = json.dumps([self.scenario().digest(), [list(p) for p in self.points], list(self.levers), self.seed,
                           self.runs, CHUNK], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def chunks(self) -> list[tuple[int, int]]:
        """Every point's runs cut into chunks of `CHUNK` runs (the same seeds at every point), each named by
        its ``(point, first run)``."""
        return [(p, first) for p in range(len(self.points)) for first in range(0, self.runs, CHUNK)]

    def made_from(self, point: int, first: int) -> dict:
        """What a chunk's results are made from: stored with the chunk, and checked before it is used again."""
        seeds = self.seeds()[first:first + CHUNK]
        return {"experiment_sha256": self.digest, "scenario_sha256": self.scenario().digest(),
                "overrides": list(self.points[point]), "seed": self.seed, "point": point,
                "runs": [first, first + len(seeds) - 1], "seeds": [int(s) for s in seeds], "dipsim": __version__}

    def task(self, point: int, first: int) -> Task:
        """A chunk's runs as they are sent to a worker, its point's scenario built now."""
        return Task(self.scenario(point), point, first, tuple(self.seeds()[first:first + CHUNK]),
                    trajectories=self.kind == "ensemble")


def _template(scenario: str | Path | Scenario, overrides: Iterable[str]) -> Template:
    """The template of a scenario given by name, file or object, with the ``overrides`` every point shares."""
    if isinstance(scenario, Scenario):
        scenario = scenario if not list(overrides) else Template.of(scenario).scenario(overrides)
        return Template.of(scenario)
    return Template.read(scenario, overrides)


class Interrupted(Exception):
    """The experiment was stopped (Ctrl-C, SIGTERM); ``runs_done`` runs are stored, marked incomplete."""

    def __init__(self, runs_done: int) -> None:
        super().__init__("interrupted")
        self.runs_done = runs_done


def perform(experiment: Experiment, store: Path, *, workers: int = 1, executor: Executor | None = None,
            done: Iterable[tuple[int, int]] = (), on_chunk: Callable[[Chunk], None] | None = None,
            stop: Callable[[], bool] = lambda: False) -> None:
    """Run and store (in the folder ``store``) every chunk of ``experiment`` whose ``(point, first run)``
    is not already ``done``, on ``executor`` or ``workers`` local processes (`execute`).

    The workers only simulate; each chunk is stored here as it comes back, and ``on_chunk`` is called
    (to advance a progress bar, say). Raises `Stopped` when ``stop()`` turns true or on
    KeyboardInterrupt, once the running chunks are stored.
    """
    finished = set(done)
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    todo = [key for key in experiment.chunks() if key not in finished]

    def stored(result: tuple[Chunk, np.ndarray | None]) -> None:
        chunk, fields = result
        store_chunk(store, chunk, fields, experiment.made_from(chunk.point, chunk.first))
        if on_chunk is not None:
            on_chunk(chunk)

    execute(simulate_task, (experiment.task(*key) for key in todo), stored,
            workers=workers if executor is not None else min(workers, len(todo)), executor=executor, stop=stop)


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


def gather(experiment: Experiment, store: Path, directory: Path, *, complete: bool) -> dict[str, str]:
    """Gather the chunks stored in ``store``, read one at a time: write the table of runs into
    ``directory`` (``runs.csv`` for an ensemble, ``experiments.csv`` for a sweep; streamed, a chunk's rows
    at a time, and renamed into place whole) and return the other files: ``summary.json`` (saying whether
    the experiment is ``complete``), ``scenario.toml`` and an ensemble's ``quantiles.csv`` (its
    trajectories read a block of steps at a time)."""
    base = experiment.scenario()
    sweep = experiment.kind == "sweep"
    names = sorted({k for levers in experiment.levers for k in levers})
    tallies = [Tally() for _ in experiment.points]
    failures: list[dict] = []
    parts: list[Trajectories] = []

    def rows() -> Iterator[str]:
        yield csv_text(experiment_columns(base.sides, base.actor_ids, names if sweep else None), ())
        for point, first in experiment.chunks():
            path = Path(store) / f"{chunk_name(point, first)}.json"
            if not path.is_file():
                continue
            chunk, _, _ = read_chunk(path)
            errors = {run: text for run, _, text in chunk.failures}
            levers = [experiment.levers[point].get(name, "") for name in names]
            lines = []
            for run, seed, outcomes in zip(range(first, first + len(chunk.seeds)), chunk.seeds, chunk.outcomes):
                head = [point, *levers, run, seed] if sweep else [run, seed]
                lines.append(head + outcome_row(base, outcomes, errors.get(run, "")))
                tallies[point].add(outcomes)
            yield csv_rows(lines)
            failures.extend({"point": point, "run": run, "seed": seed, "error": text}
                            for run, seed, text in chunk.failures)
            if not sweep:
                parts.append(Trajectories(path.with_suffix(".npy")))

    write_file(Path(directory) / TABLE[experiment.kind], rows())
    summary = {
        "scenario": {"name": base.name, "title": base.title, "sides": list(base.sides)},
        "seed": experiment.seed,
        "runs": experiment.runs,
        "complete": complete,
        "runs_done": sum(t.ok + t.failed for t in tallies),
        "runs_requested": experiment.runs * len(experiment.points),
        "failures": failures,
    }
    if sweep:
        summary["sample"] = experiment.sample
        summary["points"] = [{"point": p, "levers": experiment.levers[p], **tally.statistics()}
                             for p, tally in enumerate(tallies)]
    else:
        summary.update(tallies[0].statistics())
    summary["manifest"] = {"kind": experiment.kind, "experiment_sha256": experiment.digest,
                           "scenario_sha256": base.digest(), "seed": experiment.seed, "runs": experiment.runs,
                           "chunk": CHUNK, "versions": versions()}
    files = {"summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "scenario.toml": base.to_toml()}
    if parts:
        files["quantiles.csv"] = quantiles_csv(base, quantiles(parts))
    return files


def conduct(experiment: Experiment, directory: Path, *, workers: int | None = None, executor: Executor | None = None,
            force: bool = False, resume: bool = False, on_chunk: Callable[[Chunk], None] | None = None,
            stop: Callable[[], bool] = lambda: False,
            pictures: Callable[[dict[str, str]], dict[str, bytes]] | None = None) -> dict:
    """Run an experiment into ``directory`` and return its summary: on ``executor`` (any
    `concurrent.futures.Executor`, such as a Dask cluster's, whose ``workers`` say how many tasks to keep
    in flight) or else on ``workers`` local processes (default: the machine's cores). Where the runs go
    changes the speed, never the numbers: each run's seed is derived the same way.

    Finished chunks are stored in ``directory/chunks`` as they come back (``on_chunk`` sees each), so that
    ``resume`` completes an interrupted experiment with the same seeds. ``pictures`` draws plots from the
    finished files (``{"name": text}`` in, ``{"name": bytes}`` out, written into ``plots/``).
    ``summary.json`` says ``"complete": true`` only once everything else is written: when ``stop()`` turns
    true, or on Ctrl-C, at any moment, the files are written from the finished runs, marked
    ``"complete": false``, and `Interrupted` is raised. The directory is locked while this runs: a second
    dipsim on it is refused.
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
            done = check_chunks({key: experiment.made_from(*key) for key in experiment.chunks()}, store)
        else:
            prepare_directory(directory, kind)
            write_files(directory, gather(experiment, store, directory, complete=False))
            done = set()
        try:
            try:
                perform(experiment, store, workers=workers, executor=executor, done=done, on_chunk=on_chunk,
                        stop=stop)
            except Stopped:
                raise KeyboardInterrupt from None
            files = gather(experiment, store, directory, complete=True)
            final = files.pop("summary.json")
            write_files(directory, files)
            if pictures is not None:
                table = TABLE[kind]
                done_files = {**files, table: (directory / table).read_text(encoding="utf-8"), "summary.json": final}
                write_files(directory / "plots", pictures(done_files))
            if stop():
                raise KeyboardInterrupt
            write_file(directory / "summary.json", final)  # last: only now is the directory complete
        except KeyboardInterrupt:
            files = gather(experiment, store, directory, complete=False)
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
    if digest != experiment.digest:
        raise OutputError(f"{directory}: made by a different scenario, seed or number of runs; cannot resume")
