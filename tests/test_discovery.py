"""Scenario discovery (issue 15): PRIM finds a box whose answer is known, the chosen box and the tables'
columns, the plots, `dipsim discover` on a real sweep and a real sensitivity study, the file rules, and
a user's mistakes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, assert_user_error, read_rows
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.cli import main
from sim.experiments.discovery import (
    Cases,
    choose,
    discover,
    discovery_files,
    read_cases,
)
from sim.io.files import MANIFEST, OutputError, check_target, kind_of
from sim.io.tables import BOXES_COLUMNS, TRAJECTORY_COLUMNS
from sim.scenario import ScenarioError
from sim.viz import box_limits, discovery_plot_files, peeling_trajectory


def known_cases(n: int = 4000, seed: int = 1) -> Cases:
    """Uniform samples where the case is exactly x1 in [0.2, 0.5] and x2 > 0.6; x3 plays no part."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 3)), columns=["x1", "x2", "x3"])
    y = (x["x1"].between(0.2, 0.5) & (x["x2"] > 0.6)).to_numpy()
    return Cases(x, y, "y", "y == 1", "runs", "<synthetic>")


@pytest.fixture(scope="module")
def known():
    return discover(known_cases(), min_density=0.9)


def test_prim_finds_the_box_that_makes_the_cases_and_leaves_the_irrelevant_value_free(known):
    box = known.box().set_index("parameter")
    assert box.loc["x1", "restricted"] and box.loc["x2", "restricted"] and not box.loc["x3", "restricted"]
    assert box.loc["x1", "low"] == pytest.approx(0.2, abs=0.03) and box.loc["x1", "high"] == pytest.approx(0.5, abs=0.03)
    assert box.loc["x2", "low"] == pytest.approx(0.6, abs=0.03)
    assert box.loc["x2", "high"] == box.loc["x2", "maximum"]          # no upper limit: x2 > 0.6 is all it takes
    assert known.step("coverage") >= 0.95 and known.step("density") >= 0.9 and known.dense_enough
    assert box.loc[["x1", "x2"], ["qp_low", "qp_high"]].min().min() < 1e-6   # limits no luck would give


def test_the_trajectory_and_the_boxes_have_their_columns_and_start_from_the_whole_space(known):
    trajectory, boxes = known.trajectory, known.boxes
    assert tuple(trajectory.columns) == TRAJECTORY_COLUMNS and tuple(boxes.columns) == BOXES_COLUMNS
    first = trajectory.iloc[0]
    assert (first["step"], first["coverage"], first["mass"], first["restricted"]) == (0, 1.0, 1.0, 0)
    assert first["density"] == pytest.approx(known.cases.y.mean())
    assert (trajectory["mass"].diff().dropna() < 0).all()               # each peel leaves a smaller box
    assert (trajectory["cases"] == (trajectory["coverage"] * known.cases.y.sum()).round()).all()
    assert len(boxes) == 3 * len(trajectory)
    assert not boxes[boxes["step"] == 0]["restricted"].any()
    restricted = boxes.groupby("step")["restricted"].sum()
    assert (restricted.to_numpy() == trajectory["restricted"].to_numpy()).all()


def test_the_box_chosen_has_the_most_coverage_among_the_dense_enough_and_else_the_most_density():
    trajectory = pd.DataFrame({"step": [0, 1, 2, 3, 4], "coverage": [1.0, 1.0, 1.0, 0.9, 0.5],
                               "density": [0.3, 0.6, 0.82, 0.9, 0.95]})
    assert choose(trajectory, 0.8) == 2
    assert choose(trajectory, 0.85) == 3
    assert choose(trajectory, 0.99) == 4            # none is as dense: the densest
    ties = trajectory.assign(coverage=[1.0, 1.0, 1.0, 1.0, 0.5])
    assert choose(ties, 0.8) == 3                   # the same coverage: the denser


def test_discover_takes_a_step_of_the_trajectory_when_asked_and_refuses_one_it_lacks(known):
    chosen = discover(known.cases, box=3)
    assert chosen.chosen == 3 and chosen.step("coverage") == known.trajectory.loc[3, "coverage"]
    with pytest.raises(ScenarioError, match="steps 0 to"):
        discover(known.cases, box=len(known.trajectory))
    with pytest.raises(ScenarioError, match="min-density"):
        discover(known.cases, min_density=0)


def test_the_files_of_a_discovery_say_the_chosen_box(known):
    files = discovery_files(known)
    summary = json.loads(files["summary.json"])
    assert summary["chosen"] == known.chosen and summary["cases"] == int(known.cases.y.sum())
    assert set(summary["restricted"]) == {"x1", "x2"} and set(summary["ranges"]) == {"x1", "x2", "x3"}
    assert files["trajectory.csv"].splitlines()[0] == ",".join(TRAJECTORY_COLUMNS)
    assert files["boxes.csv"].splitlines()[0] == ",".join(BOXES_COLUMNS)


# --------------------------------------------------------------------------------------------- plots

def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_the_box_plot_shows_the_limits_over_each_range_with_coverage_and_density(known, no_pyplot_figures):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = box_limits(known)
        shown = texts(fig)
    box = known.box().set_index("parameter")
    assert isinstance(fig, Figure)
    assert "which ranges give y == 1?" in shown
    assert f"coverage {known.step('coverage'):.0%}" in shown and f"density {known.step('density'):.0%}" in shown
    assert f"{box.loc['x1', 'low']:.3g}" in shown and f"{box.loc['x1', 'high']:.3g}" in shown
    assert f"{box.loc['x3', 'maximum']:.3g}" in shown and "any value (not restricted)" in shown
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "x3" and set(labels[1:]) == {"x1", "x2"}           # the restricted values on top
    assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] > 1


def test_the_trajectory_plot_marks_the_chosen_box_and_draws_on_a_given_axes(known, no_pyplot_figures):
    fig = Figure()
    ax = fig.add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert peeling_trajectory(known, ax) is fig
    shown = texts(fig)
    assert f"box {known.chosen}: coverage" in shown and "density asked for: 90%" in shown
    assert len(ax.collections[0].get_offsets()) == len(known.trajectory)


def test_a_case_phrase_names_the_outcome_in_the_title(known, no_pyplot_figures):
    cases = known.cases
    lasting = discover(Cases(cases.x, cases.y, "lasting", "lasting == 1", "runs", "<synthetic>"), 0.9)
    assert "which ranges give a lasting ceasefire?" in texts(box_limits(lasting))
    files = discovery_plot_files(lasting, "svg")
    assert set(files) == {"which_ranges.svg", "peeling_trajectory.svg"} and all(b.startswith(b"<?xml") for b in files.values())


# ----------------------------------------------------------------------------- dipsim discover, for real

@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A small real sweep: the baseline's mediation threshold on a grid, and its length (a whole number, which
    PRIM reads as a float: EMA workbench issue #448)."""
    out = tmp_path_factory.mktemp("discovery") / "sweep"
    result = CliRunner().invoke(main, ["sweep", "baseline", "--vary", "rules.mediation.threshold=0.4:0.8:5", "--vary",
                                       "scenario.steps=40,60", "--runs", "6", "--workers", "1", "--no-plots",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A small real sensitivity study of the baseline (32 points x 3 runs)."""
    out = tmp_path_factory.mktemp("discovery") / "study"
    result = CliRunner().invoke(main, ["sensitivity", "baseline", "--vary", "rules.mediation.threshold=0.4:0.8",
                                       "--vary", "actors.TUR.alignment=-1:1", "--outcome", "lasting", "--n", "8",
                                       "--runs", "3", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_discover_on_a_sweep_finds_the_mediation_threshold_and_writes_its_directory(sweep):
    result = CliRunner().invoke(main, ["discover", str(sweep), "--outcome", "lasting"])
    assert result.exit_code == 0, result.output
    target = sweep / "discovery-lasting"
    lines = result.output.splitlines()
    assert lines[0] == f"{sweep / 'experiments.csv'}: 60 runs, {_count(sweep, 'lasting')} with lasting == 1 -> {target}"
    assert "(the most coverage at density >= 80%)" in lines[1]
    assert any(line.strip().startswith("rules.mediation.threshold at most ") and "(of 0.4 to 0.8; quasi-p" in line
               for line in lines)
    assert lines[-1].strip() == "not restricted: scenario.steps"
    assert kind_of(target) == "discovery"
    assert {p.name for p in target.iterdir()} == {MANIFEST, "boxes.csv", "trajectory.csv", "summary.json",
                                                 "which_ranges.png", "peeling_trajectory.png"}
    assert tuple(read_rows(target / "boxes.csv")[0]) == BOXES_COLUMNS
    summary = json.loads((target / "summary.json").read_text())
    assert list(summary["restricted"]) == ["rules.mediation.threshold"] and summary["dense_enough"]
    check_target(sweep, "sweep", force=True)        # the sweep stays dipsim's own, discovery and all


def _count(directory, outcome: str) -> int:
    return int((pd.read_csv(directory / "experiments.csv")[outcome] == 1).sum())


def test_discover_again_replaces_its_own_directory_but_never_a_users_file(sweep, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["discover", str(sweep), "--outcome", "lasting", "--format", "svg"]).exit_code == 0
    target = sweep / "discovery-lasting"
    assert (target / "which_ranges.svg").is_file() and not (target / "which_ranges.png").exists()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    try:
        assert_user_error(runner.invoke(main, ["discover", str(sweep), "--outcome", "lasting"]), "notes.txt")
        assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    finally:
        (target / "notes.txt").unlink()
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy, ignore=shutil.ignore_patterns(MANIFEST, "chunks", "discovery-*"))
    assert_user_error(runner.invoke(main, ["discover", str(copy), "--outcome", "lasting"]), "--out")
    assert not (copy / "discovery-lasting").exists()
    out = tmp_path / "mine"
    result = runner.invoke(main, ["discover", str(copy), "--outcome", "ceasefires", "--threshold", "2", "--box", "1",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ceasefires >= 2" in result.output and "box 1 of" in result.output and "(as asked)" in result.output
    assert kind_of(out) == "discovery"


def test_discover_on_a_sensitivity_study_reads_each_points_mean(study):
    result = CliRunner().invoke(main, ["discover", str(study), "--outcome", "lasting", "--threshold", "0.5"])
    assert result.exit_code == 0, result.output
    design = pd.read_csv(study / "design.csv")
    assert result.output.splitlines()[0].startswith(
        f"{study / 'design.csv'}: 32 points, {int((design['lasting'] >= 0.5).sum())} with lasting >= 0.5 ->")
    assert "rules.mediation.threshold at most " in result.output
    summary = json.loads((study / "discovery-lasting" / "summary.json").read_text())
    assert summary["unit"] == "points" and summary["rows"] == 32
    check_target(study, "sensitivity", force=True)


@pytest.mark.parametrize(("args", "fragments"), [
    (["--outcome", "lastin"], ("experiments.csv: lastin: no such outcome; one of", "lasting")),
    (["--outcome", "first_ceasefire_day"], ("first_ceasefire_day: is not 0 or 1", "--threshold")),
    (["--outcome", "lasting", "--threshold", "2"], ("no case of interest: none of the 60 runs has lasting >= 2",)),
    (["--outcome", "lasting", "--threshold", "0"], ("every one of the 60 runs has lasting >= 0: nothing to tell apart",)),
    (["--outcome", "lasting", "--box", "99"], ("--box: 99: the peeling trajectory has the steps 0 to",)),
])
def test_a_mistake_on_a_sweep_is_one_line(sweep, args, fragments):
    assert_user_error(CliRunner().invoke(main, ["discover", str(sweep), *args]), *fragments)


def test_a_study_needs_a_threshold_and_a_folder_must_be_a_sweep_or_a_study(study, sweep, tmp_path):
    runner = CliRunner()
    assert_user_error(runner.invoke(main, ["discover", str(study), "--outcome", "lasting"]),
                      "design.csv: lasting: holds each point's mean", "--threshold")
    assert_user_error(runner.invoke(main, ["discover", str(tmp_path), "--outcome", "lasting"]),
                      "not a dipsim sweep or sensitivity directory")
    ensemble = tmp_path / "ensemble"
    ensemble.mkdir()
    (ensemble / "runs.csv").write_text("run\n", encoding="utf-8")
    with pytest.raises(OutputError, match="an ensemble varies nothing"):
        read_cases(ensemble, "lasting")


def test_without_the_extra_discover_says_how_to_install_it(sweep, monkeypatch):
    for name in ("ema_workbench", "ema_workbench.analysis", "ema_workbench.analysis.prim"):
        monkeypatch.setitem(sys.modules, name, None)
    result = CliRunner().invoke(main, ["discover", str(sweep), "--outcome", "lasting", "--out", str(sweep.parent / "x")])
    assert_user_error(result, "pip install 'dipsim[discovery]'")


def test_reading_a_directory_loads_no_simulator(sweep):
    probe = (f"import sys\nfrom sim.experiments.discovery import read_cases\nread_cases({str(sweep)!r}, 'lasting')\n"
             "print(sorted(m for m in ('numba', 'sim.core.engine', 'sim.core.world', 'sim.model', 'mesa', "
             "'ema_workbench') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_a_users_file_named_like_a_discovery_stays_a_users_file(sweep, tmp_path):
    """Only a ``discovery-*`` folder with dipsim's discovery manifest is dipsim's: a user's file or folder
    of that name in a sweep keeps --force from replacing the sweep."""
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    (copy / "discovery-notes.txt").write_text("mine", encoding="utf-8")
    (copy / "discovery-mine").mkdir()
    with pytest.raises(OutputError, match=r"holds discovery-mine and 1 more, which dipsim did not write"):
        check_target(copy, "sweep", force=True)
    (copy / "discovery-notes.txt").unlink()
    (copy / "discovery-mine").rmdir()
    check_target(copy, "sweep", force=True)
