"""Sensitivity analysis: which of a scenario's judgements does an outcome hang on? (issue 15)

Three layers, each usable from a notebook without the command line:

- pure functions over arrays, with SALib: a `Problem` (the varied names and their ranges, declared once),
  `design` (the points: Sobol' or Morris, drawn from one seed) and `indices` (one tidy table, `COLUMNS`:
  first-order and total Sobol' indices, or Morris's mu* and sigma, with 95 % confidence intervals);
- the model at those points: `Study` (each point a set of ``--set`` overrides, run ``runs`` times with the
  seeds `run_seeds` derives, the same at every point), run by the ensemble machinery (`conduct`: chunks
  streamed to disk, resumable) and averaged per point (`point_outcomes`: the mean over the runs and its
  standard error, which is the size of the noise left in the analysed outcome);
- `conduct_study`, which does both into a directory: ``design.csv``, ``indices.csv``, ``summary.json``,
  ``plots/which_judgements_OUTCOME.png`` and ``runs/`` (the runs, a sweep directory).

Example::

    from sim.experiments.sensitivity import Problem, design, indices
    problem = Problem.parse(["x1=-3.14159:3.14159", "x2=-3.14159:3.14159"])
    X = design(problem, "sobol", 1024, seed=1)
    table = indices(problem, "sobol", X, {"y": f(X)}, seed=1)
"""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.experiment import Experiment, conduct
from sim.experiments.levers import override, scenario_value
from sim.io.files import (
    OutputError,
    check_target,
    locked,
    prepare_directory,
    write_file,
    write_files,
)
from sim.io.tables import INDICES_COLUMNS as COLUMNS
from sim.io.tables import INTERACTION_COLUMNS, METHOD_INDICES, outcome_columns
from sim.scenario import Scenario, ScenarioError
from sim.scenario.loading import Template

#: The methods: Sobol' (variance-based: S1 and ST) and Morris (elementary effects: mu* and sigma).
METHODS = ("sobol", "morris")
#: Morris's grid: each range cut into this many levels.
MORRIS_LEVELS = 4
#: Bootstrap resamples behind the confidence intervals.
RESAMPLES = 200
#: The outcomes of a run that can be analysed (numbers; the rest of ``runs.csv`` is text).
NUMERIC_TEXT = ("status", "first_broker", "coalitions", "error")

_ELEMENT = re.compile(r"^(?P<key>[^\[\]]+)\[(?P<index>\d+)\]$")


# ------------------------------------------------------------------------------------------ the problem

@dataclass(frozen=True)
class Problem:
    """The varied values: their names (``--set`` keys, or ``KEY[i]`` for the i-th number of a list such as
    ``rules.escalation.grievance[1]``) and ranges ``(low, high)``."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.names:
            raise ScenarioError("--vary", "", "nothing to vary; give at least one --vary KEY=LO:HI")
        if len(set(self.names)) != len(self.names):
            raise ScenarioError("--vary", "", "a key is varied twice")
        for name, (low, high) in zip(self.names, self.bounds, strict=True):
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ScenarioError(f"--vary {name}={low}:{high}", name, "needs LO < HI, both finite")

    @classmethod
    def parse(cls, texts: Iterable[str]) -> Problem:
        """From ``--vary`` texts ``KEY=LO:HI``; raises `ScenarioError` (one line) on a mistake."""
        names, bounds = [], []
        for text in texts:
            key, sep, spec = text.partition("=")
            parts = spec.split(":")
            if not sep or not key.strip() or len(parts) != 2:
                raise ScenarioError(f"--vary {text}", key.strip(), "expected KEY=LO:HI (a range of numbers)")
            try:
                low, high = float(parts[0]), float(parts[1])
            except ValueError:
                raise ScenarioError(f"--vary {text}", key.strip(), "LO and HI must be numbers") from None
            names.append(key.strip())
            bounds.append((low, high))
        return cls(tuple(names), tuple(bounds))

    def salib(self) -> dict:
        """The problem as SALib takes it."""
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": [list(b) for b in self.bounds]}


def design(problem: Problem, method: str, n: int, seed: int, *, second_order: bool = False) -> np.ndarray:
    """The points to evaluate, ``(points, len(problem.names))``: Sobol' (Saltelli's scheme, ``n`` a power of
    two: ``n * (D + 2)`` points for first-order and total indices, ``n * (2D + 2)`` with ``second_order``
    for the pairs' interactions too) or Morris (``n`` trajectories of ``D + 1`` points on a grid of
    `MORRIS_LEVELS` levels), drawn from ``seed``."""
    if second_order and method != "sobol":
        raise ScenarioError("--second-order", method, "second-order indices are Sobol'; use --method sobol")
    if method == "sobol":
        from SALib.sample import sobol

        if n < 2 or n & (n - 1):
            raise ScenarioError("--n", str(n), "Sobol' needs N a power of two (64, 128, 256, ...)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sobol.sample(problem.salib(), n, calc_second_order=second_order, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        if n < 2:
            raise ScenarioError("--n", str(n), "Morris needs at least 2 trajectories")
        return morris.sample(problem.salib(), n, num_levels=MORRIS_LEVELS, seed=seed)
    raise ScenarioError("--method", method, f"expected one of {', '.join(METHODS)}")


def indices(problem: Problem, method: str, points: np.ndarray, outcome_values: Mapping[str, Sequence[float]] | np.ndarray,
            seed: int, *, second_order: bool = False) -> pd.DataFrame:
    """One tidy table (`COLUMNS`) of the indices of every outcome: ``outcome_values`` maps an outcome's name
    to its value at each of ``points`` (an array alone is named ``y``; ``second_order``: the points are a
    `design` with ``second_order``). Sobol': ``S1`` and ``ST``; Morris: ``mu_star`` and ``sigma`` (SALib's
    elementary effects: a step's change of the outcome over the step as a share of the range, 2/3 of it on
    a 4-level grid, so mu* of a 0-1 share may exceed 1). ``conf_low``/``conf_high`` are the 95 % bootstrap
    interval SALib gives (value +- its half-width; none for sigma). An outcome that does not vary at all
    has indices 0: nothing in it to explain."""
    return _index_table(problem, method, _analysed(problem, method, points, outcome_values, seed, second_order))


def interactions(problem: Problem, points: np.ndarray, outcome_values: Mapping[str, Sequence[float]] | np.ndarray,
                 seed: int) -> pd.DataFrame:
    """One tidy table (`INTERACTION_COLUMNS`) of the second-order Sobol' indices of every outcome, from a
    `design` with ``second_order``: for each pair of varied values (``first``, ``second``, in the order
    they were given), the share of the outcome's variance that their interaction alone explains
    (``S2``), with SALib's 95 % bootstrap interval."""
    return _interaction_table(problem, _analysed(problem, "sobol", points, outcome_values, seed, True))


def _index_table(problem: Problem, method: str, analysed: Iterable[tuple[str, dict]]) -> pd.DataFrame:
    """`indices` from each outcome's analysis."""
    rows = []
    for outcome, found in analysed:
        for i, name in enumerate(problem.names):
            for index in METHOD_INDICES[method]:
                value, half = found[index][i], found.get(f"{index}_conf", [math.nan] * len(problem.names))[i]
                rows.append((name, method, outcome, index, float(value), float(value - half), float(value + half)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _interaction_table(problem: Problem, analysed: Iterable[tuple[str, dict]]) -> pd.DataFrame:
    """`interactions` from each outcome's analysis (of a design with ``second_order``)."""
    rows = []
    for outcome, found in analysed:
        for i, j in itertools.combinations(range(len(problem.names)), 2):
            value, half = found["S2"][i, j], found["S2_conf"][i, j]
            rows.append((problem.names[i], problem.names[j], outcome, float(value), float(value - half),
                         float(value + half)))
    return pd.DataFrame(rows, columns=list(INTERACTION_COLUMNS))


def _analysed(problem: Problem, method: str, points: np.ndarray, outcome_values, seed: int,
              second_order: bool) -> Iterator[tuple[str, dict]]:
    """Each outcome's name and SALib's analysis of it (its values checked against the points)."""
    if not isinstance(outcome_values, Mapping):
        outcome_values = {"y": outcome_values}
    for outcome, values in outcome_values.items():
        y = np.asarray(values, dtype=float)
        if y.shape != (len(points),):
            raise ValueError(f"{outcome}: {y.shape[0] if y.ndim else 0} values for {len(points)} points")
        if not np.isfinite(y).all():
            raise ValueError(f"{outcome}: values that are not finite numbers")
        yield outcome, _analyse(problem, method, np.asarray(points, dtype=float), y, seed, second_order)


def _analyse(problem: Problem, method: str, points: np.ndarray, y: np.ndarray, seed: int, second_order: bool) -> dict:
    d = len(problem.names)
    if np.ptp(y) == 0:
        zero, pairs = np.zeros(d), np.zeros((d, d))
        return {**{k: zero for k in (*METHOD_INDICES[method], *(f"{k}_conf" for k in METHOD_INDICES[method]))},
                "S2": pairs, "S2_conf": pairs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(problem.salib(), y, calc_second_order=second_order, num_resamples=RESAMPLES,
                                  seed=seed)
        else:
            from SALib.analyze import morris

            found = morris.analyze(problem.salib(), points, y, num_resamples=RESAMPLES, num_levels=MORRIS_LEVELS,
                                   seed=seed)
    return {k: np.asarray(v, dtype=float) for k, v in found.items() if k != "names"}


# ------------------------------------------------------------------------------------- the model's side

def point_overrides(scenario: Scenario, problem: Problem, rows: Sequence[Sequence[float]]) -> list[dict]:
    """The scenario values of each design point (a row of ``rows``), as ``{--set key: value}``: a value that
    is a whole number in the scenario (an event's ``step``, ``scenario.steps``) rounded to one; ``KEY[i]``
    elements put into the scenario's list. Raises `ScenarioError` for a key the scenario lacks."""
    keys = {name: (element["key"], int(element["index"])) if (element := _ELEMENT.match(name)) else (name, None)
            for name in problem.names}
    base = {key: scenario_value(scenario, key) for key, _ in keys.values()}     # looked up once, not per point
    for name, (key, index) in keys.items():
        current = base[key]
        if current is None:
            raise ScenarioError(f"--vary {name}", key, f"{scenario.name} has no such value to vary")
        if index is not None and (not isinstance(current, list) or index >= len(current)):
            raise ScenarioError(f"--vary {name}", key, f"is not a list with an element {index}")
        if index is None and isinstance(current, (bool, str, list, dict)):
            raise ScenarioError(f"--vary {name}", key, "is not a number; vary a number (KEY[i] for a list's)")
    found = []
    for row in rows:
        values: dict = {}
        for (name, (key, index)), x in zip(keys.items(), row, strict=True):
            if index is None:
                values[key] = _like(base[key], x)
            else:
                values[key] = list(values.get(key, base[key]))
                values[key][index] = _like(base[key][index], x)
        found.append(values)
    return found


def _applied(values: dict, name: str):
    """The value a point gave ``name`` (an element for ``KEY[i]``)."""
    element = _ELEMENT.match(name)
    return values[element["key"]][int(element["index"])] if element else values[name]


def _like(current, x: float):
    return int(round(x)) if isinstance(current, int) and not isinstance(current, bool) else round(float(x), 12)


def analysable_outcomes(scenario: Scenario) -> list[str]:
    """The run outcomes (columns of ``runs.csv``) that are numbers, for ``--outcome``."""
    return [c for c in outcome_columns(scenario.sides, scenario.actor_ids) if c not in NUMERIC_TEXT]


@dataclass(frozen=True)
class Study:
    """A sensitivity study: the `Problem`, the method, its design ``points`` and the `Experiment` that runs
    each point ``runs`` times (the same derived seeds at every point), with the ``outcomes`` to analyse."""

    problem: Problem
    method: str
    n: int
    points: np.ndarray
    experiment: Experiment
    outcomes: tuple[str, ...]
    #: Whether the design gives the pairs' interactions too (Sobol' second-order indices).
    second_order: bool = False

    @classmethod
    def build(cls, scenario: str | Path, vary: Iterable[str], method: str, n: int, runs: int,
              outcomes: Iterable[str], overrides: Iterable[str] = (), *, second_order: bool = False) -> Study:
        """The study of ``scenario`` (with ``--set`` ``overrides``; ``scenario.seed=S`` sets the seed the
        design and the runs derive from; ``second_order``: the pairs' interactions too, Sobol' only).
        Raises `ScenarioError` (one line) for a user's mistake."""
        template = Template.read(scenario, overrides)
        spec = template.scenario()
        problem = Problem.parse(vary)
        if method not in METHODS:
            raise ScenarioError("--method", method, f"expected one of {', '.join(METHODS)}")
        known = analysable_outcomes(spec)
        outcomes = tuple(dict.fromkeys(outcomes))
        if not outcomes:
            raise ScenarioError("--outcome", "", "give at least one --outcome NAME: " + ", ".join(known))
        for outcome in outcomes:
            if outcome not in known:
                raise ScenarioError(f"--outcome {outcome}", outcome, "not a numeric run outcome; one of "
                                    + ", ".join(known))
        points = design(problem, method, n, spec.seed, second_order=second_order)
        levers = point_overrides(spec, problem, points)
        labels = [{name: _applied(p, name) for name in problem.names} for p in levers]
        experiment = Experiment(template, tuple(tuple(override(k, v) for k, v in p.items()) for p in levers),
                                tuple(labels), spec.seed, runs, method)
        experiment.check()
        return cls(problem, method, n, points, experiment, outcomes, second_order)

    @property
    def scenario(self) -> Scenario:
        """The scenario without the varied values (the one the study's files describe)."""
        return self.experiment.scenario()



def point_outcomes(study: Study, runs_table: pd.DataFrame) -> pd.DataFrame:
    """From the runs' table (``experiments.csv``: one row per run): one row per design point with the
    varied values, and for each outcome its mean over the point's runs (``OUTCOME``) and that mean's
    standard error (``OUTCOME_se``: the replication noise left in what is analysed; 0 with one run or a
    deterministic model). Failed runs are left out; a blank ``first_ceasefire_day`` (no ceasefire) counts as
    the day after the last. Raises `OutputError` when a point has no finished run."""
    table = runs_table[runs_table["status"] == "ok"].copy()
    if "first_ceasefire_day" in table:
        day = pd.to_numeric(table["first_ceasefire_day"], errors="coerce")
        table["first_ceasefire_day"] = day.fillna(study.scenario.steps + 1)
    out = pd.DataFrame({"point": np.arange(len(study.points))})
    for k, name in enumerate(study.problem.names):
        out[name] = study.points[:, k]
    grouped = table.groupby("point")
    counts = grouped.size().reindex(out["point"], fill_value=0).to_numpy()
    if (counts == 0).any():
        raise OutputError(f"point {int(np.flatnonzero(counts == 0)[0])}: every run failed (see runs/summary.json)")
    out["runs_ok"] = counts
    for outcome in study.outcomes:
        values = pd.to_numeric(table[outcome], errors="coerce").astype(float)
        stats = values.groupby(table["point"]).agg(["mean", "std"]).reindex(out["point"])
        out[outcome] = stats["mean"].to_numpy()
        out[f"{outcome}_se"] = (stats["std"].fillna(0.0) / np.sqrt(counts)).to_numpy()
    return out


def noise(study: Study, table: pd.DataFrame) -> dict:
    """For each outcome: the mean within-point standard error of its averaged value, the spread of the
    averaged values over the points (standard deviation), and the share of that spread's variance that is
    replication noise (mean squared standard error / variance of the point means)."""
    found = {}
    for outcome in study.outcomes:
        spread = float(table[outcome].std()) if len(table) > 1 else 0.0
        se = table[f"{outcome}_se"].to_numpy()
        share = float(np.mean(se ** 2) / spread ** 2) if spread > 0 else (0.0 if not se.any() else math.inf)
        found[outcome] = {"mean_standard_error": round(float(se.mean()), 10), "spread": round(spread, 10),
                          "noise_share_of_variance": round(min(share, 1e9), 10)}
    return found


# --------------------------------------------------------------------------------------- the directory

def study_files(study: Study, runs_table: pd.DataFrame,
                pictures: Callable[[Study, pd.DataFrame], dict[str, bytes]] | None = None) -> dict[str, str | bytes]:
    """The analysis files of a finished study from its runs' table: ``design.csv`` (one row per point: the
    varied values, each outcome's mean and standard error), ``indices.csv`` (`COLUMNS`), ``summary.json``,
    and what ``pictures`` draws from the study and its indices (the plots: the caller's, this module
    draws none)."""
    table = point_outcomes(study, runs_table)
    seed = study.experiment.seed
    analysed = list(_analysed(study.problem, study.method, study.points, {o: table[o] for o in study.outcomes}, seed,
                              study.second_order))          # SALib's analysis once, for both tables
    found = _index_table(study.problem, study.method, analysed)
    files: dict[str, str | bytes] = {"design.csv": table.to_csv(index=False, float_format="%.12g", lineterminator="\n"),
                                     "indices.csv": found.to_csv(index=False, float_format="%.10g",
                                                                 lineterminator="\n")}
    pairs = _interaction_table(study.problem, analysed) if study.second_order else None
    if pairs is not None:
        files["interactions.csv"] = pairs.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    if pictures is not None:
        files.update(pictures(study, found))
    summary = {
        "scenario": {"name": study.scenario.name, "title": study.scenario.title},
        "method": study.method, "n": study.n, "seed": seed, "runs_per_point": study.experiment.runs,
        "points": len(study.points), "runs": len(study.points) * study.experiment.runs,
        "varied": {name: list(b) for name, b in zip(study.problem.names, study.problem.bounds)},
        "outcomes": list(study.outcomes),
        "noise": noise(study, table),
        "indices": {o: {name: {r["index"]: [_number(r["value"]), _number(r["conf_low"]), _number(r["conf_high"])]
                               for _, r in found[(found["outcome"] == o) & (found["parameter"] == name)].iterrows()}
                        for name in study.problem.names} for o in study.outcomes},
        "complete": True,
    }
    if pairs is not None:
        summary["second_order"] = True
        summary["interactions"] = {o: [{"first": r.first, "second": r.second,
                                        "S2": [_number(r.S2), _number(r.conf_low), _number(r.conf_high)]}
                                       for r in pairs[pairs["outcome"] == o].itertuples()] for o in study.outcomes}
    files["summary.json"] = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return files


def _number(x: float) -> float | None:
    """A value for JSON: rounded, None where there is none (sigma's interval)."""
    return None if not math.isfinite(x) else round(float(x), 6)


def conduct_study(study: Study, directory: Path, *, workers: int | None = None, executor: Executor | None = None,
                  force: bool = False, resume: bool = False, pictures: Callable[[Study, pd.DataFrame], dict[str, bytes]] | None = None,
                  on_chunk: Callable | None = None, stop: Callable[[], bool] = lambda: False,
                  report: Callable[[dict[str, str | bytes]], dict[str, str | bytes]] | None = None) -> dict:
    """Run a study into ``directory`` and return its summary. The runs go into ``directory/runs`` (a sweep
    directory written by `conduct`: chunks stored as they finish; ``resume`` completes an interrupted
    study with the same seeds; `Interrupted` when stopped), then the analysis files beside it, the
    ``summary.json`` last; ``report`` makes more files from all of those (a report, `sim.report.studies`),
    written before the summary. An existing directory is replaced (``force``) or completed (``resume``) only
    when it is a sensitivity directory dipsim wrote."""
    directory = Path(directory)
    check_target(directory, "sensitivity", force=force, resume=resume)
    directory.mkdir(parents=True, exist_ok=True)
    with locked(directory):
        check_target(directory, "sensitivity", force=force, resume=resume)
        if not resume:
            prepare_directory(directory, "sensitivity")
        elif (directory / "summary.json").exists():
            (directory / "summary.json").unlink()  # complete only once the analysis is written again
        conduct(study.experiment, directory / "runs", workers=workers, executor=executor, resume=resume and (directory / "runs").exists(),
                on_chunk=on_chunk, stop=stop)
        runs_table = pd.read_csv(directory / "runs" / "experiments.csv", keep_default_na=False, na_values=[""],
                                 low_memory=False)
        made = study_files(study, runs_table, pictures)
        final = made.pop("summary.json")
        if report is not None:
            made.update(report({**made, "summary.json": final}))
        write_files(directory, made)
        write_file(directory / "summary.json", final)
    return json.loads(final)
