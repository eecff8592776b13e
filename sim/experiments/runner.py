"""Ensembles and sweeps: many seeded runs of a scenario, in batches, on worker processes.

Vocabulary (after the EMA workbench): the *uncertainties* are the seeds; the *levers* are the scenario
values a sweep varies; the *outcomes* are the per-run results in `sim.core.outcomes`. Results are one tidy
table, one row per run, aligned on (point, run).

Each run draws from its own generator, seeded from ``SeedSequence(seed).spawn(runs)``, so a run's
result depends on its seed alone: batches, chunks and the number of workers change the speed, never
the numbers. Runs are simulated in chunks of `CHUNK` runs at once (the engine's leading axis).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim import __version__
from sim.core.engine import Simulation
from sim.core.fields import FIELDS
from sim.io.files import (OutputError, check_target, locked, prepare_directory, sweep_stale, write_file,
                       write_files)
from sim.core.outcomes import coalition_label, run_coalitions, run_outcomes
from sim.io.runfiles import csv_rows, csv_text, versions
from sim.scenario import Scenario, ScenarioError, parse_value
from sim.io.tables import QUANTILE_COLUMNS, QUANTILES, experiment_columns, outcome_columns

#: Runs simulated together as one batch.
CHUNK = 50


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
    (`store_chunk`), so that an experiment's memory does not grow with its runs.
    """

    point: int
    first: int
    seeds: list[int]
    #: One dict of outcomes per run (``None`` for a failed run).
    outcomes: list[dict | None]
    #: ``(run index, seed, error text)`` of each failed run.
    failures: list[tuple[int, int, str]]


def simulate_chunk(scenario: Scenario, point: int, first: int, seeds: Sequence[int]) -> tuple[Chunk, np.ndarray]:
    """Simulate runs with these seeds as one batch: their outcomes, and their ``(steps + 1, runs, n_fields,
    n_actors)`` trajectories (NaN for a failed run). A failing batch is retried run by run."""
    try:
        simulation = Simulation(scenario, _rngs(seeds), record_contributions=False).run()
        return _chunk(point, first, list(seeds), simulation), simulation.history.array("fields")
    except Exception:  # noqa: BLE001 - isolate the failing run(s) below
        if len(seeds) == 1:
            shape = (scenario.steps + 1, 1, len(FIELDS), len(scenario.actors))
            failure = (first, int(seeds[0]), traceback.format_exc(limit=3).strip().splitlines()[-1])
            return Chunk(point, first, list(seeds), [None], [failure]), np.full(shape, np.nan)
    parts = [simulate_chunk(scenario, point, first + k, [s]) for k, s in enumerate(seeds)]
    chunk = Chunk(point, first, list(seeds), [o for p, _ in parts for o in p.outcomes],
                  [f for p, _ in parts for f in p.failures])
    return chunk, np.concatenate([fields for _, fields in parts], axis=1)


def _rngs(seeds: Iterable[int]) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in seeds]


def _chunk(point: int, first: int, seeds: list[int], simulation: Simulation) -> Chunk:
    outcomes = []
    for run in range(len(seeds)):
        found = run_outcomes(simulation, run)
        found["coalitions"] = coalition_label(run_coalitions(simulation, -1, run, most=1)[0])
        outcomes.append(found)
    return Chunk(point, first, seeds, outcomes, [])


@dataclass(frozen=True)
class Task:
    """One chunk of work: runs ``first ..`` of sweep point ``point`` (0 for an ensemble), stored into
    ``store`` with ``made_from`` (what the chunk's results were made from, checked on resuming)."""

    point: int
    scenario: Scenario
    first: int
    seeds: tuple[int, ...]
    store: str
    made_from: dict


def _work(task: Task) -> Chunk:
    chunk, fields = simulate_chunk(task.scenario, task.point, task.first, task.seeds)
    store_chunk(Path(task.store), chunk, fields, task.made_from)
    return chunk


def execute(tasks: Sequence[Task], workers: int, on_done: Callable[[Chunk], None],
            stop: Callable[[], bool] = lambda: False) -> None:
    """Run ``tasks`` on ``workers`` processes (in this process when 1), calling ``on_done`` as each ends.

    About two tasks per worker are in flight at a time. When ``stop()`` turns true, or on
    KeyboardInterrupt, no new task starts, the running ones finish (a task is `CHUNK` runs) and are
    handed to ``on_done``, and `Stopped` is raised. Workers ignore Ctrl-C themselves (stopping one in
    the middle of sending its result could leave the pool waiting for ever), and exit when this
    process dies.
    """
    queue = iter(tasks)
    if workers <= 1 or len(tasks) <= 1:
        for task in queue:
            if stop():
                raise Stopped
            on_done(_work(task))
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                               initializer=_worker_start, initargs=(os.getpid(),))
    pending: set[Future] = set()
    stopping = False
    try:
        while True:
            while not stopping and len(pending) < IN_FLIGHT * workers:
                task = next(queue, None)
                if task is None:
                    break
                pending.add(pool.submit(_work, task))
            if not pending:
                break
            try:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    on_done(future.result())
                stopping = stopping or stop()
            except KeyboardInterrupt:
                stopping = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if stopping:
        raise Stopped


#: Tasks in flight per worker: enough to keep each busy, few enough to stop within a chunk's time.
IN_FLIGHT = 2


class Stopped(Exception):
    """`execute` stopped early, as asked."""


def _worker_start(parent: int) -> None:
    """In each worker: leave Ctrl-C to the main process, and exit when the main process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="dipsim-parent-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def default_workers() -> int:
    """The machine's cores (those this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def wilson_interval(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (works at 0 and at n successes)."""
    if trials == 0:
        return (math.nan, math.nan)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))


#: Values (runs x cells) that `quantiles` holds at once: its memory stays near 100 MB however many runs.
QUANTILE_BLOCK = 1 << 23


def quantiles(parts: Sequence[np.ndarray], levels: Sequence[float] = QUANTILES) -> np.ndarray:
    """Quantiles over runs of trajectories given in parts, each ``(steps + 1, runs, n_fields, n_actors)``
    (arrays, or `Trajectories` read from disk); failed runs (NaN) are left out.

    Returns ``(len(levels), steps + 1, n_fields, n_actors)``, computed a block of steps at a time.
    """
    steps, _, n_fields, n_actors = parts[0].shape
    runs = sum(part.shape[1] for part in parts)
    block = max(1, QUANTILE_BLOCK // max(1, runs * n_fields * n_actors))
    out = np.empty((len(levels), steps, n_fields, n_actors))
    for start in range(0, steps, block):
        values = np.concatenate([np.asarray(part[start:start + block]) for part in parts], axis=1)
        method = np.nanquantile if np.isnan(values).any() else np.quantile  # the same numbers without NaN
        out[:, start:start + block] = method(values, levels, axis=1)
    return out


# ------------------------------------------------------------------------------- experiments

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

    @property
    def kind(self) -> str:
        """``"sweep"`` or ``"ensemble"``."""
        return "sweep" if len(self.scenarios) > 1 or bool(self.levers[0]) else "ensemble"

    def seeds(self) -> list[int]:
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
    execute(todo, workers, on_chunk or (lambda chunk: None), stop)


def outcome_statistics(outcomes: Iterable[dict | None], *, within: int = 30) -> dict:
    """Probabilities (with 95 % Wilson intervals), ceasefire timing, brokers' and coalitions' shares.

    Failed runs (``None``) are counted apart and left out of the probabilities.
    """
    tally = Tally(within)
    for outcome in outcomes:
        tally.add(outcome)
    return tally.statistics()


class Tally:
    """`outcome_statistics` kept as runs come, in memory that does not grow with the runs (but for one
    number per run that reached a ceasefire: its first day)."""

    def __init__(self, within: int = 30) -> None:
        self.within = within
        self.ok = self.failed = self.reached = self.lasting = self.broken = 0
        self.days: list[int] = []
        self.brokers: dict[str, int] = {}
        self.camps: dict[str, int] = {}

    def add(self, outcome: dict | None) -> None:
        if outcome is None:
            self.failed += 1
            return
        self.ok += 1
        self.reached += int(outcome["ceasefire_reached"])
        self.lasting += int(outcome["lasting"])
        self.broken += int(outcome["breakdowns"] > 0)
        if outcome["first_ceasefire_day"] is not None:
            self.days.append(outcome["first_ceasefire_day"])
        if outcome["first_broker"] is not None:
            self.brokers[outcome["first_broker"]] = self.brokers.get(outcome["first_broker"], 0) + 1
        self.camps[outcome["coalitions"]] = self.camps.get(outcome["coalitions"], 0) + 1

    def statistics(self) -> dict:
        n = self.ok
        days = np.array(self.days, dtype=float)

        def probability(hits: int) -> dict:
            low, high = wilson_interval(hits, n)
            return {"p": round(hits / n, 10) if n else None,
                    "ci95": [round(low, 10), round(high, 10)] if n else None, "runs": hits}

        def shares(counts: dict[str, int], total: int) -> dict[str, float]:
            return {k: round(v / total, 10) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}

        return {
            "runs_ok": n,
            "runs_failed": self.failed,
            "probabilities": {
                "ceasefire_reached": probability(self.reached),
                f"ceasefire_within_{self.within}_days": probability(int((days <= self.within).sum())),
                "lasting_ceasefire": probability(self.lasting),
                "breakdown": probability(self.broken),
            },
            "first_ceasefire_day": {
                "median": float(np.median(days)) if len(days) else None,
                "q25": float(np.quantile(days, 0.25)) if len(days) else None,
                "q75": float(np.quantile(days, 0.75)) if len(days) else None,
            },
            "brokers": shares(self.brokers, self.reached),
            "coalitions": shares(self.camps, n),
        }


# ------------------------------------------------------------------------------------- files

def chunk_name(point: int, first: int) -> str:
    return f"point{point:04d}-run{first:07d}"


def store_chunk(folder: Path, chunk: Chunk, fields: np.ndarray, origin: dict) -> None:
    """Store a finished chunk: its trajectories (``NAME.npy``) and then its record (``NAME.json``: what it
    was made from, the trajectories' SHA-256, the outcomes). The record, written last and atomically,
    is what makes a chunk count as done."""
    stream = io.BytesIO()
    np.save(stream, np.ascontiguousarray(fields, dtype=np.float64))
    data = stream.getvalue()
    name = chunk_name(chunk.point, chunk.first)
    write_file(folder / f"{name}.npy", data)
    record = {"made_from": origin, "fields_sha256": hashlib.sha256(data).hexdigest(),
              "outcomes": chunk.outcomes, "failures": chunk.failures}
    write_file(folder / f"{name}.json", json.dumps(record))


def read_chunk(path: Path) -> tuple[Chunk, dict, str]:
    """A stored chunk's outcomes, what it was made from and its trajectories' SHA-256; `OutputError`
    (one line naming the file) if the record is damaged."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        origin = record["made_from"]
        first = origin["runs"][0]
        chunk = Chunk(int(origin["point"]), int(first), [int(s) for s in origin["seeds"]], record["outcomes"],
                      [tuple(f) for f in record["failures"]])
        if len(chunk.outcomes) != len(chunk.seeds):
            raise ValueError("outcomes and seeds differ in number")
        return chunk, origin, str(record["fields_sha256"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as err:
        raise OutputError(f"{path}: damaged chunk record ({type(err).__name__}: {err}); start again with --force") \
            from None


class Trajectories:
    """A stored chunk's trajectories ``(steps + 1, runs, n_fields, n_actors)``, read a block of steps at a
    time by ``[start:stop]`` (explicit reads rather than a memory map, whose pages would stay resident)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with self.path.open("rb") as handle:
                version = np.lib.format.read_magic(handle)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, fortran, dtype = read_header(handle)
                self.offset = handle.tell()
            size = self.path.stat().st_size
        except (OSError, ValueError) as err:
            raise OutputError(f"{path}: damaged chunk ({err}); start again with --force") from None
        if fortran or dtype != np.float64 or len(shape) != 4 or size != self.offset + 8 * math.prod(shape):
            raise OutputError(f"{path}: damaged chunk (not the trajectories dipsim stores); start again with --force")
        self.shape = shape

    def __getitem__(self, steps: slice) -> np.ndarray:
        start, stop, _ = steps.indices(self.shape[0])
        row = math.prod(self.shape[1:])
        with self.path.open("rb") as handle:
            handle.seek(self.offset + 8 * row * start)
            values = np.fromfile(handle, dtype=np.float64, count=row * max(0, stop - start))
        return values.reshape((max(0, stop - start), *self.shape[1:]))


def check_chunks(experiment: Experiment, store: Path) -> set[tuple[int, int]]:
    """The ``(point, first run)`` of the chunks in ``store`` that may be used to resume ``experiment``.

    A chunk made from anything else (another scenario, seed or run range, another dipsim) or damaged
    raises `OutputError` naming it; trajectories whose record was never written (the process died
    between the two) are removed, and their runs are made again.
    """
    expected = {(t.point, t.first): t.made_from for t in experiment.tasks(store)}
    done = set()
    for path in sorted(Path(store).glob("point*-run*.json")):
        chunk, origin, digest = read_chunk(path)
        key = (chunk.point, chunk.first)
        if expected.get(key) != origin:
            raise OutputError(f"{path}: made by {_difference(expected.get(key), origin)}; --resume uses only "
                              "chunks of the same experiment, start again with --force")
        fields = path.with_suffix(".npy")
        if not fields.is_file() or _sha256(fields) != digest:
            raise OutputError(f"{fields}: damaged or missing chunk (its SHA-256 differs from its record); start "
                              "again with --force")
        done.add(key)
    for path in Path(store).glob("point*-run*.npy"):
        if not path.with_suffix(".json").is_file():
            path.unlink()
    return done


def _difference(expected: dict | None, found: dict) -> str:
    """What differs between what a chunk should have been made from and what it was made from."""
    if expected is None:
        return f"another experiment (runs {found.get('runs')} of point {found.get('point')} are not in this one)"
    for key, what in (("dipsim", "dipsim"), ("scenario_sha256", "scenario"), ("seed", "seed"),
                      ("runs", "runs"), ("seeds", "seeds")):
        if expected.get(key) != found.get(key):
            return f"another experiment ({what} {found.get(key)!r}, not {expected.get(key)!r})"
    return "another experiment (another number of runs or chunk size)"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def outcome_row(scenario: Scenario, outcomes: dict | None, error: str = "") -> list:
    """One run's outcomes in the order of `sim.io.tables.outcome_columns` (blank cells for a failed run)."""
    if outcomes is None:
        return ["failed", *[""] * (len(outcome_columns(scenario.sides, scenario.actor_ids)) - 2), error]
    return ["ok", int(outcomes["ceasefire_reached"]), "" if outcomes["first_ceasefire_day"] is None else outcomes["first_ceasefire_day"],
            outcomes["first_broker"] or "", outcomes["ceasefires"], outcomes["breakdowns"], int(outcomes["lasting"]),
            outcomes["days_in_force"], *(float(outcomes["max_intensity"][s]) for s in scenario.sides),
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


def conduct(experiment: Experiment, directory: Path, *, workers: int, force: bool = False, resume: bool = False,
            on_chunk: Callable[[Chunk], None] | None = None, stop: Callable[[], bool] = lambda: False,
            pictures: Callable[[dict[str, str]], dict[str, bytes]] | None = None) -> dict:
    """Run an experiment into ``directory`` and return its summary.

    Finished chunks are stored in ``directory/chunks`` as they come (``on_chunk`` sees each), so that
    ``resume`` completes an interrupted experiment with the same seeds. ``pictures`` draws plots from the
    finished files (``{"name": bytes}``, written into ``plots/``). ``summary.json`` says
    ``"complete": true`` only once everything else is written: when ``stop()`` turns true, or on Ctrl-C,
    at any moment, the files are written from the finished runs, marked ``"complete": false``, and
    `Interrupted` is raised. The directory is locked while this runs: a second dipsim on it is refused.
    """
    directory = Path(directory)
    kind = experiment.kind
    check_target(directory, kind, force=force, resume=resume)
    sweep_stale(directory)
    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "chunks"
    with locked(directory):
        check_target(directory, kind, force=force, resume=resume)
        if resume:
            _check_resumable(experiment, directory)
            done = check_chunks(experiment, store)
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


# ------------------------------------------------------------------------------------ levers

@dataclass(frozen=True)
class Lever:
    """A scenario value a sweep varies: a list of ``values``, or a range ``low``..``high`` in ``count`` steps."""

    key: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    count: int = 0
    #: Whether a range gives whole numbers (None: when its ends and grid steps are whole; see `for_scenario`).
    whole: bool | None = None

    @classmethod
    def parse(cls, text: str) -> Lever:
        """``KEY=A:B:N`` (N evenly spaced values from A to B) or ``KEY=V1,V2,...`` (values may be lists,
        ``[0.1, 0.1],[0.3, 0.3]``); raises ScenarioError."""
        key, sep, spec = text.partition("=")
        where = f"--vary {text}"
        if not sep or not key.strip() or not spec.strip():
            raise ScenarioError(where, key.strip(), "expected KEY=A:B:N or KEY=V1,V2,...")
        parts = spec.split(":") if "[" not in spec else [spec]
        if len(parts) not in (1, 3):
            raise ScenarioError(where, key.strip(), "expected A:B:N (three parts) or a list V1,V2,...")
        if len(parts) == 3:
            try:
                low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            except ValueError:
                raise ScenarioError(where, key.strip(), "A:B:N needs two numbers and a whole number") from None
            if count < 1 or not (math.isfinite(low) and math.isfinite(high)):
                raise ScenarioError(where, key.strip(), "N must be at least 1, and A and B finite")
            return cls(key.strip(), low=low, high=high, count=count)
        values = tuple(v.strip() for v in _top_level_split(spec) if v.strip())
        if not values:
            raise ScenarioError(where, key.strip(), "no values")
        return cls(key.strip(), values=tuple(parse_value(v, where, key.strip()) for v in values))

    def for_scenario(self, scenario: Scenario) -> Lever:
        """This lever with whole numbers exactly when the value it varies is a whole number in ``scenario``
        (days, an event's day, a count), so that ``actors.TUR.alignment=-1:1:3`` samples real numbers."""
        current = scenario_value(scenario, self.key)
        return replace(self, whole=isinstance(current, int) and not isinstance(current, bool))

    def grid(self) -> list:
        """The values of a grid: the list, or N evenly spaced values (whole numbers stay whole)."""
        if self.values:
            return list(self.values)
        points = np.linspace(self.low, self.high, self.count)
        return [int(round(v)) if self._whole() else round(float(v), 12) for v in points]

    def sample(self, u: np.ndarray) -> list:
        """Values at the quantiles ``u`` in [0, 1): uniform over the range, or a pick from the list."""
        if self.values:
            return [self.values[int(x * len(self.values))] for x in u]
        values = self.low + u * (self.high - self.low)
        return [int(round(v)) if self._whole() else round(float(v), 12) for v in values]

    def _whole(self) -> bool:
        """Whether a range gives whole numbers: as the scenario's value, or, for a lever not set by
        `for_scenario`, when its ends and grid steps are whole (e.g. steps=30:90:3)."""
        if self.whole is not None:
            return self.whole
        return all(float(v).is_integer() for v in (self.low, self.high, *np.linspace(self.low, self.high, self.count)))


def scenario_value(scenario: Scenario, key: str):
    """The value ``key`` (as ``--set`` names it: ``scenario.steps``, ``actors.TUR.alignment``) has in
    ``scenario``, or None where it has none."""
    section, *path = key.split(".")
    data = scenario.to_dict()
    node = data.get(section)
    if isinstance(node, list):
        if not path:
            return None
        node = next((entry for entry in node if entry.get("id") == path[0]), None)
        path = path[1:]
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _top_level_split(text: str) -> list[str]:
    """Split at the commas outside brackets and quotes: ``[0.1, 0.2],[0.3, 0.4]`` gives two pairs."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def grid_points(levers: Sequence[Lever]) -> list[dict]:
    """Every combination of the levers' grid values (the last lever varies fastest)."""
    points = [{}]
    for lever in levers:
        points = [{**p, lever.key: v} for p in points for v in lever.grid()]
    return points


def latin_points(levers: Sequence[Lever], count: int, seed: int) -> list[dict]:
    """``count`` points by Latin hypercube sampling: each lever's range cut in ``count`` strata, one draw each."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    columns = [lever.sample((rng.permutation(count) + rng.random(count)) / count) for lever in levers]
    return [{lever.key: column[i] for lever, column in zip(levers, columns)} for i in range(count)]


def override(key: str, value) -> str:
    """The ``--set`` text that gives ``key`` this ``value`` (a number, boolean, string or list)."""
    return f"{key}={_toml_value(value)}"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)
