"""Scenario discovery: which ranges of which varied values give an outcome? (issue 15)

From a finished sweep (``experiments.csv``: one row per run) or sensitivity study (``design.csv``: one row
per design point, each outcome's mean over its runs), the cases of interest are the rows where an outcome
is 1 (a run whose ceasefire lasted) or at least a threshold (a point where at least half the runs' did).
PRIM (the patient rule induction method, Friedman & Fisher 1999, as the EMA workbench implements it for
scenario discovery, Bryant & Lempert 2010) peels the space of the varied values a slice of 5 % at a time,
each time the slice whose removal raises the share of cases most, then pastes back what raises it again.
Each step is a box: its *coverage* (the share of all cases inside it), *density* (the share of its rows that
are cases) and the parameters it restricts. The chosen box is the one with the most coverage among those at
least ``min_density`` dense, or the step the user names.

Reading a directory loads pandas, never the simulator; the analysis needs the ``discovery`` extra
(``pip install 'dipsim[discovery]'``: the EMA workbench). Example::

    from sim.experiments.discovery import discover, read_cases
    found = discover(read_cases("runs/baseline-sweep-seed2020", "lasting"))
    found.box()                 # the chosen box: a row per varied value, its limits and range
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.io.files import OutputError
from sim.io.rundata import ExperimentData
from sim.io.tables import (
    BOXES_COLUMNS,
    TEXT_OUTCOMES,
    TRAJECTORY_COLUMNS,
    outcome_columns,
)
from sim.scenario import ScenarioError

#: PRIM's peeling and pasting step: the share of a box's rows a peel removes (or a paste adds back).
ALPHA = 0.05
#: The smallest box PRIM keeps, as a share of all rows.
MASS_MIN = 0.05
#: The density the chosen box must reach unless the user says otherwise.
MIN_DENSITY = 0.8


@dataclass(frozen=True)
class Cases:
    """What PRIM reads: ``x``, the varied values (a float column each, one row per run or design point),
    ``y``, whether each row is a case of interest, and what they are (``condition``, e.g. ``lasting == 1``;
    ``unit``, ``runs`` or ``points``; ``source``, the table read)."""

    x: pd.DataFrame
    y: np.ndarray
    outcome: str
    condition: str
    unit: str
    source: str


def read_cases(directory: str | Path, outcome: str, threshold: float | None = None) -> Cases:
    """The cases of a finished sweep or sensitivity ``directory``: the rows where ``outcome`` is at least
    ``threshold`` (for a sweep's runs, by default 1: an outcome that is 0 or 1). Failed runs are left out; a
    run without a ceasefire has its ``first_ceasefire_day`` the day after the last. Raises `OutputError`
    for a directory that is neither, `ScenarioError` (one line) for an outcome it lacks, an outcome that
    needs a threshold, and no case of interest or nothing else."""
    directory = Path(directory)
    if (directory / "design.csv").is_file():
        return _study_cases(directory, outcome, threshold)
    if (directory / "experiments.csv").is_file():
        return _sweep_cases(directory, outcome, threshold)
    if (directory / "runs.csv").is_file():
        raise OutputError(f"{directory}: an ensemble varies nothing; discover reads a sweep or a sensitivity "
                          "directory")
    raise OutputError(f"{directory}: not a dipsim sweep or sensitivity directory (no experiments.csv or design.csv)")


def _sweep_cases(directory: Path, outcome: str, threshold: float | None) -> Cases:
    data = ExperimentData.load(directory)
    source = str(directory / "experiments.csv")
    if not data.complete:
        raise OutputError(f"{directory}: an incomplete sweep; finish it with --resume first")
    table = data.ok
    numbers = [c for c in outcome_columns(data.sides, data.actor_ids) if c not in TEXT_OUTCOMES]
    values = _outcome(table, outcome, numbers, source)
    if outcome == "first_ceasefire_day":
        values = values.fillna(data.steps + 1)
    if threshold is None:
        if not values.isin((0, 1)).all():
            raise ScenarioError(source, outcome, "is not 0 or 1 in every run; give --threshold X (the cases: "
                                f"{outcome} >= X)")
        threshold = 1.0
    condition = f"{outcome} == 1" if threshold == 1 and values.isin((0, 1)).all() else f"{outcome} >= {threshold:g}"
    return _cases(_levers(table, data.varied, source), values >= threshold, outcome, condition, "runs", source)


def _study_cases(directory: Path, outcome: str, threshold: float | None) -> Cases:
    source = str(directory / "design.csv")
    try:
        summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
        varied, outcomes = list(summary["varied"]), list(summary["outcomes"])
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(f"{directory}: not a complete sensitivity directory (no readable summary.json); finish "
                          "it with --resume first") from None
    try:
        table = pd.read_csv(source)
    except (OSError, ValueError) as err:
        raise OutputError(f"{source}: cannot be read ({err})") from None
    missing = next((c for c in ("point", *varied) if c not in table.columns), None)
    if missing:
        raise OutputError(f"{source}: damaged (no column {missing!r})")
    values = _outcome(table, outcome, outcomes, source)
    if threshold is None:
        raise ScenarioError(source, outcome, f"holds each point's mean over its runs; give --threshold X (the cases: "
                            f"points with {outcome} >= X, e.g. 0.5)")
    return _cases(_levers(table, varied, source), values >= threshold, outcome, f"{outcome} >= {threshold:g}",
                  "points", source)


def _outcome(table: pd.DataFrame, outcome: str, known: list[str], source: str) -> pd.Series:
    if outcome not in known or outcome not in table.columns:
        raise ScenarioError(source, outcome, "no such outcome; one of " + ", ".join(known))
    return pd.to_numeric(table[outcome], errors="coerce").astype(float)


def _levers(table: pd.DataFrame, varied: list[str], source: str) -> pd.DataFrame:
    """The varied values as float columns (PRIM of the EMA workbench fails on integers with pandas 3: its
    issue #448)."""
    x = pd.DataFrame({k: pd.to_numeric(table[k], errors="coerce").astype(float) for k in varied},
                     index=table.index)
    for key in varied:
        if x[key].isna().any():
            raise ScenarioError(source, key, "holds values that are not numbers; PRIM reads ranges of numbers")
    return x.reset_index(drop=True)


def _cases(x: pd.DataFrame, y: pd.Series, outcome: str, condition: str, unit: str, source: str) -> Cases:
    y = y.to_numpy(dtype=bool)
    if not y.any():
        raise ScenarioError(source, outcome, f"no case of interest: none of the {len(y)} {unit} has {condition}")
    if y.all():
        raise ScenarioError(source, outcome, f"every one of the {len(y)} {unit} has {condition}: nothing to tell "
                            "apart; choose a higher --threshold")
    return Cases(x, y, outcome, condition, unit, source)


# ------------------------------------------------------------------------------------------- PRIM

def prim_module():
    """The EMA workbench's PRIM (its import warns about optional parts dipsim does not use: silenced).
    Raises `OutputError` (one line, how to install it) without the ``discovery`` extra."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from ema_workbench.analysis import prim
        except ModuleNotFoundError as err:
            if (err.name or "").partition(".")[0] != "ema_workbench":
                raise
            raise OutputError("discover needs the discovery extra (the EMA workbench): pip install "
                              "'dipsim[discovery]'") from None
    return prim


def peel(x: pd.DataFrame, y: np.ndarray, alpha: float = ALPHA, mass_min: float = MASS_MIN) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM's peeling trajectory over ``x`` (float columns) for the cases ``y``: the steps
    (`TRAJECTORY_COLUMNS`) and each step's box (`BOXES_COLUMNS`, a row per parameter)."""
    prim = prim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # pandas 3 deprecations inside the workbench
        box = prim.Prim(x, np.asarray(y, dtype=bool), peel_alpha=alpha, paste_alpha=alpha,
                        mass_min=mass_min).find_box()
    steps = box.peeling_trajectory
    trajectory = pd.DataFrame({"step": steps["id"], "coverage": steps["coverage"], "density": steps["density"],
                               "mass": steps["mass"], "restricted": steps["res_dim"], "rows": steps["n"],
                               "cases": steps["k"]}).astype({"step": int, "restricted": int, "rows": int, "cases": int})
    low, high = x.min(), x.max()
    rows = []
    for step, (limits, quasi_p) in enumerate(zip(box.box_lims, box.p_values, strict=True)):
        for name in x.columns:
            lo, hi = float(limits.loc[0, name]), float(limits.loc[1, name])
            q_low, q_high = quasi_p.get(name, (-1, -1))
            rows.append((step, name, lo, hi, float(low[name]), float(high[name]),
                         bool(lo > low[name] or hi < high[name]), _quasi_p(q_low), _quasi_p(q_high)))
    return trajectory[list(TRAJECTORY_COLUMNS)], pd.DataFrame(rows, columns=list(BOXES_COLUMNS))


def _quasi_p(value: float) -> float:
    """The workbench's quasi-p-value of a limit; NaN where it gives -1 (the limit is the range's end)."""
    return math.nan if value is None or value < 0 else float(value)


def choose(trajectory: pd.DataFrame, min_density: float = MIN_DENSITY) -> int:
    """The step with the most coverage among those at least ``min_density`` dense (of those, the densest); when
    none is, the densest step."""
    dense = trajectory[trajectory["density"] >= min_density]
    if dense.empty:
        return int(trajectory.loc[trajectory["density"].idxmax(), "step"])
    return int(dense.sort_values(["coverage", "density"], kind="stable").iloc[-1]["step"])


@dataclass(frozen=True)
class Discovery:
    """PRIM's answer: the `Cases` it read, the peeling ``trajectory``, every step's ``boxes`` and the
    ``chosen`` step (by ``min_density``, or named)."""

    cases: Cases
    trajectory: pd.DataFrame
    boxes: pd.DataFrame
    chosen: int
    min_density: float

    def step(self, name: str) -> float:
        """The chosen box's ``coverage``, ``density``, ``mass``, ... (a column of the trajectory)."""
        return float(self.trajectory.set_index("step").loc[self.chosen, name])

    def box(self) -> pd.DataFrame:
        """The chosen box: a row per varied value (`BOXES_COLUMNS`)."""
        return self.boxes[self.boxes["step"] == self.chosen].reset_index(drop=True)

    @property
    def dense_enough(self) -> bool:
        return self.step("density") >= self.min_density


def discover(cases: Cases, min_density: float = MIN_DENSITY, box: int | None = None) -> Discovery:
    """PRIM on ``cases``, the box chosen by ``min_density`` or the step ``box`` of the trajectory."""
    if not 0 < min_density <= 1:
        raise ScenarioError("--min-density", f"{min_density:g}", "must be a share above 0, at most 1")
    trajectory, boxes = peel(cases.x, cases.y)
    last = len(trajectory) - 1
    if box is not None and not 0 <= box <= last:
        raise ScenarioError("--box", str(box), f"the peeling trajectory has the steps 0 to {last}")
    return Discovery(cases, trajectory, boxes, choose(trajectory, min_density) if box is None else box, min_density)


def discovery_files(found: Discovery) -> dict[str, str]:
    """The files of a discovery: ``trajectory.csv`` (`TRAJECTORY_COLUMNS`), ``boxes.csv`` (`BOXES_COLUMNS`)
    and ``summary.json`` (what was read, the chosen box and its restrictions)."""
    box = found.box()
    cases = found.cases
    summary = {
        "source": cases.source, "outcome": cases.outcome, "condition": cases.condition, "unit": cases.unit,
        "rows": len(cases.y), "cases": int(cases.y.sum()), "min_density": found.min_density,
        "chosen": found.chosen, **{k: round(found.step(k), 6) for k in ("coverage", "density", "mass")},
        "dense_enough": found.dense_enough,
        "ranges": {r.parameter: [r.minimum, r.maximum] for r in box.itertuples()},
        "restricted": {r.parameter: [r.low, r.high] for r in box.itertuples() if r.restricted},
    }
    return {"trajectory.csv": found.trajectory.to_csv(index=False, float_format="%.10g", lineterminator="\n"),
            "boxes.csv": found.boxes.to_csv(index=False, float_format="%.10g", lineterminator="\n"),
            "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n"}


def box_lines(cases: Cases, found: Discovery, min_density: float, asked: bool) -> list[str]:
    """The chosen box in words: which cases, the box's step, coverage and density, each restricted value's
    limits (of its whole range, with the quasi-p of its limit) and the values left free. ``asked``: the
    box was chosen by its step (``--box``)."""
    unit = cases.unit
    why = ("as asked" if asked else f"the most coverage at density >= {min_density:.0%}"
           if found.dense_enough else f"no box reaches density {min_density:.0%}: the densest")
    lines = [f"box {found.chosen} of {len(found.trajectory) - 1} ({why}): coverage {found.step('coverage'):.0%}, "
             f"density {found.step('density'):.0%}, {int(found.step('rows'))} {unit} inside"]
    box = found.box()
    for row in box[box["restricted"]].itertuples():
        low, high = row.low > row.minimum, row.high < row.maximum
        limits = (f"from {row.low:.3g} to {row.high:.3g}" if low and high else
                  f"at least {row.low:.3g}" if low else f"at most {row.high:.3g}")
        quasi_p = max((q for q in (row.qp_low, row.qp_high) if not math.isnan(q)), default=math.nan)
        lines.append(f"  {row.parameter} {limits} (of {row.minimum:.3g} to {row.maximum:.3g}; quasi-p {quasi_p:.2g})")
    free = box.loc[~box["restricted"], "parameter"].tolist()
    if free:
        lines.append(f"  not restricted: {', '.join(free)}")
    return lines
