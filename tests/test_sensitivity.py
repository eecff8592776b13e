"""Sensitivity analysis (issue 15): the analysis against published indices (Ishigami), the model's side
against an analytic answer (Richardson's equilibrium), the files, the noise, and a user's mistakes."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import assert_user_error

from sim.cli import main
from sim.experiments.sensitivity import (
    Problem,
    Study,
    conduct_study,
    design,
    indices,
    interactions,
    point_overrides,
)
from sim.io.files import OutputError
from sim.io.tables import INDICES_COLUMNS as COLUMNS
from sim.io.tables import INTERACTION_COLUMNS
from sim.report.pages import plain
from sim.scenario import ScenarioError, load
from sim.viz import judgements_plot, study_plot_files

PI = math.pi
#: Published indices of the Ishigami function (a = 7, b = 0.1): Ishigami & Homma 1990; Saltelli et al. 2008.
ISHIGAMI_S1 = (0.314, 0.442, 0.0)
ISHIGAMI_ST = (0.558, 0.442, 0.244)
#: Its only interaction is x1 with x3 (b x3^4 sin x1): S13 = ST3 - S13's partner terms = 0.244; S12 = S23 = 0.
ISHIGAMI_S2 = {("x1", "x2"): 0.0, ("x1", "x3"): 0.244, ("x2", "x3"): 0.0}
RICHARDSON = "classic-arms-race-stable"
#: g_y (Borduria's grievance) enters the equilibrium; Arcadia's alignment does not (only `escalation` runs).
RELEVANT, IRRELEVANT = "rules.escalation.grievance[1]", "actors.ARC.alignment"


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


ISHIGAMI = Problem(("x1", "x2", "x3"), ((-PI, PI),) * 3)


def test_sobol_reproduces_the_published_ishigami_indices_within_its_confidence_intervals():
    points = design(ISHIGAMI, "sobol", 2 ** 12, seed=1)
    assert points.shape == (2 ** 12 * 5, 3)
    table = indices(ISHIGAMI, "sobol", points, {"y": ishigami(points)}, seed=1)
    assert tuple(table.columns) == COLUMNS
    for index, published in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        rows = table[table["index"] == index].set_index("parameter")
        for name, expected in zip(ISHIGAMI.names, published):
            row = rows.loc[name]
            assert row["conf_low"] <= expected <= row["conf_high"], (index, name, row.to_dict())
            assert row["conf_high"] - row["conf_low"] < 0.1  # a moderate N gives a useful interval


def test_second_order_finds_the_one_ishigami_interaction_and_keeps_the_first_order_indices():
    points = design(ISHIGAMI, "sobol", 2 ** 12, seed=1, second_order=True)
    assert points.shape == (2 ** 12 * 8, 3)
    y = ishigami(points)
    pairs = interactions(ISHIGAMI, points, {"y": y}, seed=1)
    assert tuple(pairs.columns) == INTERACTION_COLUMNS
    for row in pairs.itertuples():
        expected = ISHIGAMI_S2[(row.first, row.second)]
        assert row.conf_low <= expected <= row.conf_high, row
        assert abs(row.S2 - expected) < 0.05
    table = indices(ISHIGAMI, "sobol", points, {"y": y}, seed=1, second_order=True)
    for index, published in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        found = table[table["index"] == index].set_index("parameter")["value"]
        assert np.allclose([found[n] for n in ISHIGAMI.names], published, atol=0.03), (index, found)


def test_second_order_is_sobol_only():
    with pytest.raises(ScenarioError, match="second-order indices are Sobol'"):
        design(ISHIGAMI, "morris", 8, seed=1, second_order=True)


def test_morris_ranks_the_ishigami_inputs_and_sees_x3_only_through_interactions():
    points = design(ISHIGAMI, "morris", 100, seed=1)
    assert points.shape == (100 * 4, 3)
    table = indices(ISHIGAMI, "morris", points, ishigami(points), seed=1)
    wide = table.pivot(index="parameter", columns="index", values="value")
    assert wide.loc["x3", "mu_star"] < min(wide.loc["x1", "mu_star"], wide.loc["x2", "mu_star"])
    assert wide.loc["x3", "sigma"] > wide.loc["x3", "mu_star"]  # x3 acts through x1 (x3^4 sin x1)
    assert table.loc[table["index"] == "sigma", "conf_low"].isna().all()


def test_the_design_and_the_indices_are_seeded():
    a, b = design(ISHIGAMI, "sobol", 64, seed=3), design(ISHIGAMI, "sobol", 64, seed=3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, design(ISHIGAMI, "sobol", 64, seed=4))
    pd.testing.assert_frame_equal(indices(ISHIGAMI, "sobol", a, ishigami(a), seed=3),
                                  indices(ISHIGAMI, "sobol", b, ishigami(b), seed=3))


@pytest.mark.parametrize("texts, fragment", [
    (["x=1"], "KEY=LO:HI"), (["x=2:1"], "LO < HI"), (["x=a:b"], "numbers"), ([], "nothing to vary"),
    (["x=0:1", "x=0:2"], "twice"),
])
def test_a_problem_with_a_mistake_is_refused(texts, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        Problem.parse(texts)


def test_sobol_needs_n_a_power_of_two():
    with pytest.raises(ScenarioError, match="power of two"):
        design(ISHIGAMI, "sobol", 100, seed=1)


def test_a_point_becomes_set_overrides_whole_numbers_and_list_elements_kept():
    spec = load("history-2020")
    problem = Problem.parse(["events.mercenaries-russia.step=0:10", "actors.TUR.alignment=-1:1",
                             "rules.mediation.threshold=0.3:0.7"])
    found = point_overrides(spec, problem, [[3.6, 0.25, 0.5], [0.2, -1, 0.7]])
    assert found == [{"events.mercenaries-russia.step": 4, "actors.TUR.alignment": 0.25,
                      "rules.mediation.threshold": 0.5},
                     {"events.mercenaries-russia.step": 0, "actors.TUR.alignment": -1.0,
                      "rules.mediation.threshold": 0.7}]
    richardson = load(RICHARDSON)
    both = Problem.parse([f"{RELEVANT}=0:1", "rules.escalation.grievance[0]=0:1"])
    assert point_overrides(richardson, both, [[0.4, 0.3], [0.5, 0.6]]) == \
        [{"rules.escalation.grievance": [0.3, 0.4]}, {"rules.escalation.grievance": [0.6, 0.5]}]
    with pytest.raises(ScenarioError, match="no such value"):
        point_overrides(richardson, Problem.parse(["rules.mediation.threshold=0:1"]), [[0.5]])


def richardson_study(n: int = 16, runs: int = 1) -> Study:
    return Study.build(RICHARDSON, [f"{RELEVANT}=0.3:0.7", f"{IRRELEVANT}=-1:1"], "sobol", n, runs,
                       ["max_intensity_BOR", "max_intensity_ARC"])


def test_richardson_depends_only_on_the_parameters_of_its_equilibrium(tmp_path):
    study = richardson_study()
    summary = conduct_study(study, tmp_path / "study", workers=1,
                            pictures=lambda done, table: study_plot_files(table, done.outcomes, "a note"))
    design_table = pd.read_csv(tmp_path / "study" / "design.csv")
    # Each point settles at Richardson's equilibrium, worked by hand in the scenario's comments.
    g_y = design_table[RELEVANT]
    y_star = (0.5 * g_y + 0.3 * 0.1) / (0.5 * 0.4 - 0.2 * 0.3)
    x_star = (0.4 * 0.1 + 0.2 * g_y) / (0.5 * 0.4 - 0.2 * 0.3)
    assert np.allclose(design_table["max_intensity_BOR"], y_star, atol=1e-4)
    assert np.allclose(design_table["max_intensity_ARC"], x_star, atol=1e-4)
    table = pd.read_csv(tmp_path / "study" / "indices.csv")
    for outcome in study.outcomes:
        rows = table[(table["outcome"] == outcome)].set_index(["parameter", "index"])["value"]
        assert rows[(IRRELEVANT, "ST")] == pytest.approx(0.0, abs=1e-9)
        assert rows[(IRRELEVANT, "S1")] == pytest.approx(0.0, abs=1e-9)
        assert rows[(RELEVANT, "ST")] > 0.9
        assert summary["noise"][outcome]["mean_standard_error"] == 0.0  # a deterministic model
    assert summary["complete"] and summary["points"] == 16 * 4
    assert (tmp_path / "study" / "plots" / "which_judgements_max_intensity_BOR.png").stat().st_size > 10_000


def test_a_stochastic_study_averages_its_runs_shows_the_noise_and_gives_the_same_bytes(tmp_path):
    def study() -> Study:
        return Study.build("baseline", ["rules.mediation.threshold=0.4:0.8", "actors.TUR.alignment=-1:1"],
                           "morris", 2, 3, ["lasting", "first_ceasefire_day"])

    for name in ("a", "b"):
        conduct_study(study(), tmp_path / name, workers=1)
    for name in ("design.csv", "indices.csv", "summary.json", "runs/experiments.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    table = pd.read_csv(tmp_path / "a" / "design.csv")
    assert len(table) == 2 * 3 and (table["runs_ok"] == 3).all()
    runs = pd.read_csv(tmp_path / "a" / "runs" / "experiments.csv")
    assert np.allclose(table["lasting"], runs.groupby("point")["lasting"].mean())
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["noise"]["lasting"]["mean_standard_error"] > 0
    assert set(summary["indices"]["lasting"]["actors.TUR.alignment"]) == {"mu_star", "sigma"}


def test_the_plot_takes_an_axes_and_returns_its_figure(no_pyplot_figures):
    from matplotlib.figure import Figure

    points = design(ISHIGAMI, "sobol", 64, seed=1)
    table = indices(ISHIGAMI, "sobol", points, {"y": ishigami(points)}, seed=1)
    fig = Figure()
    ax = fig.add_subplot()
    assert judgements_plot(table, "y", ax) is fig
    assert ax.get_title(loc="left") == "which judgements decide y?"


def test_the_command_writes_the_study_prints_the_indices_and_never_overwrites(tmp_path):
    out = tmp_path / "study"
    args = ["sensitivity", RICHARDSON, "--vary", f"{RELEVANT}=0.3:0.7", "--vary", f"{IRRELEVANT}=-1:1",
            "--outcome", "max_intensity_BOR", "--n", "8", "--runs", "1", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{RICHARDSON}: sobol, 32 points x 1 run from seed 1960" in result.stdout
    assert result.stderr.startswith("dipsim: warning: with 1 run a point the model's noise cannot be measured")
    assert f"{RELEVANT}" in result.output and "ST" in result.output
    for name in ("design.csv", "indices.csv", "summary.json", "plots/which_judgements_max_intensity_BOR.png",
                 "runs/experiments.csv"):
        assert (out / name).is_file(), name
    assert_user_error(CliRunner().invoke(main, args), "already exists")
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert_user_error(CliRunner().invoke(main, [*args[:-1], str(mine), "--force"]), "not a directory dipsim wrote")
    assert (mine / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("change, fragment", [
    (["--outcome", "coalitions"], "not a numeric run outcome"),
    (["--outcome", "nope"], "not a numeric run outcome"),
    (["--vary", "actors.NOPE.alignment=0:1"], "no such value"),
    (["--vary", "scenario.name=0:1"], "not a number"),
    (["--vary", "actors.ARC.alignment=1:0"], "LO < HI"),
    (["--n", "12"], "power of two"),
])
def test_a_users_mistake_is_one_line_and_exit_2(tmp_path, change, fragment):
    args = ["sensitivity", RICHARDSON, "--vary", f"{RELEVANT}=0.3:0.7", "--outcome", "max_intensity_BOR",
            "--n", "8", "--runs", "1", "--out", str(tmp_path / "x")]
    if change[0] == "--vary":
        args[2:4] = change
    elif change[0] == "--outcome":
        args[4:6] = change
    else:
        args[6:8] = change
    assert_user_error(CliRunner().invoke(main, args), fragment)
    assert not (tmp_path / "x").exists()


def test_an_interrupted_study_resumes_to_the_same_bytes(tmp_path):
    from sim.experiments import Interrupted

    conduct_study(richardson_study(8), tmp_path / "whole", workers=1)
    done = []
    with pytest.raises(Interrupted):
        conduct_study(richardson_study(8), tmp_path / "cut", workers=1,
                      on_chunk=done.append, stop=lambda: len(done) >= 5)
    assert not (tmp_path / "cut" / "summary.json").exists()
    with pytest.raises(OutputError, match="already exists"):
        conduct_study(richardson_study(8), tmp_path / "cut", workers=1)
    conduct_study(richardson_study(8), tmp_path / "cut", workers=1, resume=True)
    for name in ("design.csv", "indices.csv", "summary.json", "runs/experiments.csv"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


def test_second_order_on_the_command_line_writes_each_pairs_interaction(tmp_path):
    out = tmp_path / "study"
    args = ["sensitivity", RICHARDSON, "--vary", f"{RELEVANT}=0.3:0.7", "--vary", f"{IRRELEVANT}=-1:1",
            "--outcome", "max_intensity_BOR", "--n", "8", "--runs", "1", "--workers", "1", "--second-order"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{RICHARDSON}: sobol, 48 points x 1 run" in result.stdout          # N x (2 x 2 + 2)
    assert f"    {RELEVANT} x {IRRELEVANT}  S2 " in result.stdout
    pairs = pd.read_csv(out / "interactions.csv")
    assert tuple(pairs.columns) == INTERACTION_COLUMNS and len(pairs) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["second_order"] is True
    assert summary["interactions"]["max_intensity_BOR"][0]["S2"][0] == pytest.approx(pairs["S2"][0], abs=1e-6)
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    page = (out / "report.md").read_text()
    assert f"with actors.ARC.alignment | {plain(pairs['S2'][0])} |" in page and "second-order S2" in page
    morris = CliRunner().invoke(main, [*args, "--method", "morris", "--out", str(tmp_path / "m")])
    assert_user_error(morris, "second-order indices are Sobol'")
