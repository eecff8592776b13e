"""Ensembles and sweeps: many seeded runs of a scenario, in batches, on worker processes.

Vocabulary (after the EMA workbench): the *uncertainties* are the seeds; the *levers* are the scenario
values a sweep varies; the *outcomes* are the per-run results in `sim.outcomes`. Results are one tidy
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
import shutil
import signal
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.engine import Simulation
from sim.fields import FIELDS
from sim.outcomes import coalition_label, run_coalitions, run_outcomes
from sim.output import OutputError, csv_text, versions, write_file
from sim.scenario import Scenario, ScenarioError

#: Runs simulated together as one batch.
CHUNK = 50
#: Quantiles reported for every step, actor and field.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def run_seeds(seed: int, runs: int) -> list[int]:
    """The seed of each run: a 63-bit integer drawn from ``SeedSequence(seed).spawn(runs)``.

    ``dipsim run SCENARIO --seed <that integer>`` repeats the run alone.
    """
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(seed).spawn(runs)]


@dataclass
class Chunk:
    """The results of consecutive runs ``first .. first + len(seeds) - 1`` of one point."""

    point: int
    first: int
    seeds: list[int]
    #: One dict of outcomes per run (``None`` for a failed run).
    outcomes: list[dict | None]
    #: ``(steps + 1, runs, n_fields, n_actors)`` trajectories (NaN for a failed run).
    fields: np.ndarray
    #: ``(run index, seed, error text)`` of each failed run.
    failures: list[tuple[int, int, str]]


def simulate_chunk(scenario: Scenario, point: int, first: int, seeds: Sequence[int]) -> Chunk:
    """Simulate runs with these seeds as one batch; a failing batch is retried run by run."""
    try:
        return _chunk(scenario, point, first, list(seeds), Simulation(scenario, _rngs(seeds),
                                                                     record_contributions=False).run())
    except Exception:  # noqa: BLE001 - isolate the failing run(s) below
        if len(seeds) == 1:
            shape = (scenario.steps + 1, 1, 5, len(scenario.actors))
            return Chunk(point, first, list(seeds), [None], np.full(shape, np.nan),
                         [(first, int(seeds[0]), traceback.format_exc(limit=3).strip().splitlines()[-1])])
    parts = [simulate_chunk(scenario, point, first + k, [s]) for k, s in enumerate(seeds)]
    return Chunk(point, first, list(seeds), [o for p in parts for o in p.outcomes],
                 np.concatenate([p.fields for p in parts], axis=1), [f for p in parts for f in p.failures])


def _rngs(seeds: Iterable[int]) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in seeds]


def _chunk(scenario: Scenario, point: int, first: int, seeds: list[int], simulation: Simulation) -> Chunk:
    outcomes = []
    for run in range(len(seeds)):
        found = run_outcomes(simulation, run)
        found["coalitions"] = coalition_label(run_coalitions(simulation, -1, run, most=1)[0])
        outcomes.append(found)
    return Chunk(point, first, seeds, outcomes, simulation.history.array("fields"), [])


@dataclass(frozen=True)
class Task:
    """One chunk of work: runs ``first ..`` of sweep point ``point`` (0 for an ensemble)."""

    point: int
    scenario: Scenario
    first: int
    seeds: tuple[int, ...]


def tasks_for(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[Task]:
    """Every point's runs cut into chunks of `CHUNK` runs (the same seeds at every point)."""
    chunk = CHUNK
    return [Task(p, scenario, first, tuple(seeds[first:first + chunk]))
            for p, scenario in enumerate(scenarios) for first in range(0, len(seeds), chunk)]


def _work(task: Task) -> Chunk:
    return simulate_chunk(task.scenario, task.point, task.first, task.seeds)


def execute(tasks: Sequence[Task], workers: int, on_done: Callable[[Chunk], None]) -> None:
    """Run ``tasks`` on ``workers`` processes (in this process when 1), calling ``on_done`` as each ends.

    On KeyboardInterrupt the tasks not started are cancelled, the chunks running finish (a chunk is
    `CHUNK` runs), every finished chunk is handed to ``on_done``, and the interrupt is re-raised.
    Workers ignore Ctrl-C themselves: stopping one in the middle of sending its result could leave
    the pool waiting for the rest of the message for ever.
    """
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            on_done(_work(task))
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                               initializer=_leave_interrupts_to_the_main_process)
    pending: set[Future] = {pool.submit(_work, task) for task in tasks}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in pending:
            if future.done() and not future.cancelled() and future.exception() is None:
                on_done(future.result())
        raise
    pool.shutdown(wait=True)


def _leave_interrupts_to_the_main_process() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def quantiles(fields: np.ndarray) -> np.ndarray:
    """Quantiles over runs of trajectories ``(steps + 1, runs, n_fields, n_actors)``, failed runs (NaN) left out.

    Returns ``(len(QUANTILES), steps + 1, n_fields, n_actors)``.
    """
    return np.nanquantile(fields, QUANTILES, axis=1)


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

    def seeds(self) -> list[int]:
        return run_seeds(self.seed, self.runs)

    def tasks(self) -> list[Task]:
        return tasks_for(self.scenarios, self.seeds())


class Interrupted(Exception):
    """The experiment was stopped (Ctrl-C); ``chunks`` holds every chunk finished so far."""

    def __init__(self, chunks: list[Chunk]) -> None:
        super().__init__("interrupted")
        self.chunks = chunks


def perform(experiment: Experiment, workers: int, *, done: Sequence[Chunk] = (),
            on_chunk: Callable[[Chunk], None] | None = None) -> list[Chunk]:
    """Run every chunk of ``experiment`` not already ``done``; return all chunks in (point, run) order.

    ``on_chunk`` is called as each chunk finishes (to store it, or to advance a progress bar). On
    KeyboardInterrupt, raises `Interrupted` with the chunks finished so far.
    """
    finished = {(c.point, c.first): c for c in done}
    todo = [t for t in experiment.tasks() if (t.point, t.first) not in finished]

    def keep(chunk: Chunk) -> None:
        finished[(chunk.point, chunk.first)] = chunk
        if on_chunk is not None:
            on_chunk(chunk)

    try:
        execute(todo, workers, keep)
    except KeyboardInterrupt:
        raise Interrupted(sorted(finished.values(), key=lambda c: (c.point, c.first))) from None
    return sorted(finished.values(), key=lambda c: (c.point, c.first))


def outcome_statistics(outcomes: Sequence[dict | None], *, within: int = 30) -> dict:
    """Probabilities (with 95 % Wilson intervals), ceasefire timing, brokers' and coalitions' shares.

    Failed runs (``None``) are counted apart and left out of the probabilities.
    """
    ok = [o for o in outcomes if o is not None]
    n = len(ok)

    def probability(hits: int) -> dict:
        low, high = wilson_interval(hits, n)
        return {"p": round(hits / n, 10) if n else None, "ci95": [round(low, 10), round(high, 10)] if n else None,
                "runs": hits}

    days = np.array([o["first_ceasefire_day"] for o in ok if o["first_ceasefire_day"] is not None], dtype=float)
    brokers: dict[str, int] = {}
    camps: dict[str, int] = {}
    for o in ok:
        if o["first_broker"] is not None:
            brokers[o["first_broker"]] = brokers.get(o["first_broker"], 0) + 1
        camps[o["coalitions"]] = camps.get(o["coalitions"], 0) + 1
    reached = int(sum(o["ceasefire_reached"] for o in ok))
    return {
        "runs_ok": n,
        "runs_failed": len(outcomes) - n,
        "probabilities": {
            "ceasefire_reached": probability(reached),
            f"ceasefire_within_{within}_days": probability(int((days <= within).sum())),
            "lasting_ceasefire": probability(int(sum(o["lasting"] for o in ok))),
            "breakdown": probability(int(sum(o["breakdowns"] > 0 for o in ok))),
        },
        "first_ceasefire_day": {
            "median": float(np.median(days)) if len(days) else None,
            "q25": float(np.quantile(days, 0.25)) if len(days) else None,
            "q75": float(np.quantile(days, 0.75)) if len(days) else None,
        },
        "brokers": {k: round(v / reached, 10) for k, v in sorted(brokers.items(), key=lambda kv: (-kv[1], kv[0]))},
        "coalitions": {k: round(v / n, 10) for k, v in sorted(camps.items(), key=lambda kv: (-kv[1], kv[0]))},
    }


# ------------------------------------------------------------------------------------- files

def save_chunk(folder: Path, chunk: Chunk) -> None:
    """Store a finished chunk of runs (atomically), so an interrupted experiment can be resumed."""
    folder.mkdir(parents=True, exist_ok=True)
    stream = io.BytesIO()
    np.savez(stream, point=chunk.point, first=chunk.first, seeds=np.array(chunk.seeds, dtype=np.uint64),
             fields=chunk.fields, outcomes=json.dumps(chunk.outcomes), failures=json.dumps(chunk.failures))
    write_file(folder / f"point{chunk.point:04d}-run{chunk.first:07d}.npz", stream.getvalue())


def load_chunks(folder: Path) -> list[Chunk]:
    """Every chunk stored in ``folder``, in (point, first run) order."""
    chunks = []
    for path in sorted(folder.glob("point*-run*.npz")):
        with np.load(path) as data:
            chunks.append(Chunk(int(data["point"]), int(data["first"]), [int(s) for s in data["seeds"]],
                                json.loads(str(data["outcomes"])), data["fields"],
                                [tuple(f) for f in json.loads(str(data["failures"]))]))
    return chunks


def outcome_columns(scenario: Scenario) -> tuple[str, ...]:
    """The outcome columns of ``runs.csv`` and ``experiments.csv``."""
    return ("status", "ceasefire_reached", "first_ceasefire_day", "first_broker", "ceasefires", "breakdowns",
            "lasting", "days_in_force", *(f"max_intensity_{s}" for s in scenario.sides), "coalitions",
            *(f"final_alignment_{a}" for a in scenario.actor_ids), "error")


def outcome_row(scenario: Scenario, outcomes: dict | None, error: str = "") -> list:
    """One run's outcomes in the order of `outcome_columns` (blank cells for a failed run)."""
    if outcomes is None:
        return ["failed", *[""] * (len(outcome_columns(scenario)) - 2), error]
    return ["ok", int(outcomes["ceasefire_reached"]), "" if outcomes["first_ceasefire_day"] is None else outcomes["first_ceasefire_day"],
            outcomes["first_broker"] or "", outcomes["ceasefires"], outcomes["breakdowns"], int(outcomes["lasting"]),
            outcomes["days_in_force"], *(float(outcomes["max_intensity"][s]) for s in scenario.sides),
            outcomes["coalitions"], *(float(outcomes["final_alignment"][a]) for a in scenario.actor_ids), ""]


def quantiles_csv(scenario: Scenario, values: np.ndarray, levels: Sequence[float]) -> str:
    """Tidy quantiles: one row per step, actor and field; ``values`` is (levels, steps+1, fields, actors)."""
    header = ("step", "actor", "field", *(f"q{round(q * 100):02d}" for q in levels))
    rows = ((t, a, f, *values[:, t, k, i]) for t in range(values.shape[1])
            for i, a in enumerate(scenario.actor_ids) for k, f in enumerate(FIELDS))
    return csv_text(header, rows)


def experiment_digest(experiment: Experiment) -> str:
    """SHA-256 of what an experiment runs: each point's scenario, its levers, the seed and the runs."""
    text = json.dumps([[s.digest() for s in experiment.scenarios], list(experiment.levers),
                       experiment.seed, experiment.runs, CHUNK], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def experiment_files(experiment: Experiment, chunks: Sequence[Chunk], *, complete: bool) -> dict[str, str]:
    """``runs.csv`` (ensemble) or ``experiments.csv`` (sweep), ``quantiles.csv`` and ``summary.json``."""
    base = experiment.scenarios[0]
    sweep = len(experiment.scenarios) > 1 or bool(experiment.levers[0])
    names = sorted({k for levers in experiment.levers for k in levers})
    errors = {(c.point, run): text for c in chunks for run, _, text in c.failures}
    rows = []
    for c in chunks:
        for k, (seed, outcomes) in enumerate(zip(c.seeds, c.outcomes)):
            run = c.first + k
            levers = [experiment.levers[c.point].get(name, "") for name in names]
            head = [c.point, *levers, run, seed] if sweep else [run, seed]
            rows.append(head + outcome_row(base, outcomes, errors.get((c.point, run), "")))
    header = (("point", *names, "run", "seed") if sweep else ("run", "seed")) + outcome_columns(base)
    table = "experiments.csv" if sweep else "runs.csv"
    by_point = [[o for c in chunks if c.point == p for o in c.outcomes] for p in range(len(experiment.scenarios))]
    summary = {
        "scenario": {"name": base.name, "title": base.title, "sides": list(base.sides)},
        "seed": experiment.seed,
        "runs": experiment.runs,
        "complete": complete,
        "runs_done": sum(len(c.seeds) for c in chunks),
        "runs_requested": experiment.runs * len(experiment.scenarios),
        "failures": [{"point": c.point, "run": run, "seed": seed, "error": text}
                     for c in chunks for run, seed, text in c.failures],
    }
    if sweep:
        summary["sample"] = experiment.sample
        summary["points"] = [{"point": p, "levers": experiment.levers[p], **outcome_statistics(outcomes)}
                             for p, outcomes in enumerate(by_point)]
    else:
        summary.update(outcome_statistics(by_point[0]))
    summary["manifest"] = {"experiment_sha256": experiment_digest(experiment),
                           "scenario_sha256": base.digest(), "seed": experiment.seed, "runs": experiment.runs,
                           "chunk": CHUNK, "versions": versions()}
    files = {table: csv_text(header, rows), "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
             "scenario.toml": base.to_toml()}
    if not sweep and chunks:
        fields = np.concatenate([c.fields for c in chunks], axis=1)
        files["quantiles.csv"] = quantiles_csv(base, quantiles(fields), QUANTILES)
    return files


def conduct(experiment: Experiment, directory: Path, *, workers: int, force: bool = False, resume: bool = False,
            on_chunk: Callable[[Chunk], None] | None = None) -> dict:
    """Run an experiment into ``directory`` and return its summary.

    Finished chunks are stored in ``directory/chunks`` as they come, so that ``resume`` completes an
    interrupted experiment with the same seeds; ``on_chunk`` sees every chunk, resumed ones first. On Ctrl-C the files are written from the finished runs,
    marked ``"complete": false``, and `Interrupted` is raised.
    """
    done = _prepare(experiment, directory, force, resume)
    store = directory / "chunks"
    for chunk in done:
        if on_chunk is not None:
            on_chunk(chunk)

    def keep(chunk: Chunk) -> None:
        save_chunk(store, chunk)
        if on_chunk is not None:
            on_chunk(chunk)

    try:
        chunks = perform(experiment, workers, done=done, on_chunk=keep)
    except Interrupted as stop:
        _write(directory, experiment_files(experiment, stop.chunks, complete=False))
        raise
    files = experiment_files(experiment, chunks, complete=True)
    _write(directory, files)
    return json.loads(files["summary.json"])


def _prepare(experiment: Experiment, directory: Path, force: bool, resume: bool) -> list[Chunk]:
    if resume:
        summary_path = directory / "summary.json"
        if not summary_path.is_file():
            raise OutputError(f"{directory}: nothing to resume (no summary.json)")
        manifest = json.loads(summary_path.read_text(encoding="utf-8")).get("manifest", {})
        if manifest.get("experiment_sha256") != experiment_digest(experiment):
            raise OutputError(f"{directory}: made by a different scenario, seed or number of runs; cannot resume")
        return load_chunks(directory / "chunks")
    if directory.exists():
        if not force:
            raise OutputError(f"{directory}: already exists; use --force to replace it, --resume to complete it")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    _write(directory, experiment_files(experiment, [], complete=False))
    return []


def _write(directory: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        write_file(directory / name, content)


# ------------------------------------------------------------------------------------ levers

@dataclass(frozen=True)
class Lever:
    """A scenario value a sweep varies: a list of ``values``, or a range ``low``..``high`` in ``count`` steps."""

    key: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    count: int = 0

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
        return cls(key.strip(), values=tuple(_value(v) for v in values))

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
        """A range between whole numbers whose grid steps are whole stays whole (e.g. steps=30:90:3)."""
        return all(float(v).is_integer() for v in (self.low, self.high, *np.linspace(self.low, self.high, self.count)))


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


def _value(text: str):
    """A lever value as TOML would read it (number, boolean), else the bare string."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


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
