"""Ensembles and sweeps: derived seeds, worker-independence, resume, failures, levers, statistics."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import read_rows as rows

from sim.cli import main
from sim.experiments import (
    Experiment,
    Interrupted,
    Lever,
    chunks,
    conduct,
    grid_points,
    latin_points,
    run_seeds,
)
from sim.experiments.levers import override
from sim.experiments.statistics import outcome_statistics, wilson_interval
from sim.model import CrisisModel
from sim.scenario import ScenarioError, load

RUNS = 12


@pytest.fixture(scope="module")
def short_baseline():
    return load("baseline", ["scenario.steps=15"])



def files_of(directory):
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_run_seeds_come_from_spawned_seed_sequences():
    children = np.random.SeedSequence(5).spawn(3)
    expected = [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]
    assert run_seeds(5, 3) == expected
    assert len(set(run_seeds(5, 200))) == 200
    assert run_seeds(5, 3) != run_seeds(6, 3)


def test_an_ensemble_run_is_the_single_run_with_its_seed(short_baseline, tmp_path, monkeypatch):
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 5)
    summary = conduct(Experiment.ensemble(short_baseline, RUNS, ["scenario.seed=3"]), tmp_path / "e", workers=1)
    assert summary["complete"] and summary["runs_done"] == RUNS
    table = rows(tmp_path / "e" / "runs.csv")
    for row in table[:: RUNS // 3]:
        model = CrisisModel(short_baseline, rng=int(row["seed"]))
        model.run_for(short_baseline.steps)
        for actor in short_baseline.actor_ids:
            assert float(row[f"final_alignment_{actor}"]) == pytest.approx(model.agent(actor).alignment, abs=1e-9)


def test_results_do_not_depend_on_workers_or_chunks(short_baseline, tmp_path, monkeypatch):
    experiment = Experiment.ensemble(short_baseline, RUNS, ["scenario.seed=9"])
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 4)
    conduct(experiment, tmp_path / "one", workers=1)
    conduct(experiment, tmp_path / "two", workers=2)
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 5)  # chunking changes the experiment's digest, not the numbers
    conduct(experiment, tmp_path / "five", workers=1)
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")
    for name in ("runs.csv", "quantiles.csv", "scenario.toml"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "five" / name).read_bytes()


def test_interrupted_ensemble_keeps_finished_runs_and_resumes_to_the_same_files(short_baseline, tmp_path,
                                                                                monkeypatch):
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 3)
    experiment = Experiment.ensemble(short_baseline, RUNS, ["scenario.seed=4"])
    conduct(experiment, tmp_path / "whole", workers=1)
    seen = []

    def stop_after_two(chunk):
        seen.append(chunk)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as stop:
        conduct(experiment, tmp_path / "cut", workers=1, on_chunk=stop_after_two)
    assert stop.value.runs_done == 6
    partial = json.loads((tmp_path / "cut" / "summary.json").read_text())
    assert partial["complete"] is False and partial["runs_done"] == 6
    assert len(rows(tmp_path / "cut" / "runs.csv")) == 6
    with pytest.raises(Exception, match="already exists"):
        conduct(experiment, tmp_path / "cut", workers=1)
    conduct(experiment, tmp_path / "cut", workers=1, resume=True)
    whole, cut = files_of(tmp_path / "whole"), files_of(tmp_path / "cut")
    assert whole == cut


def test_resume_refuses_a_different_experiment(short_baseline, tmp_path):
    conduct(Experiment.ensemble(short_baseline, 2, ["scenario.seed=1"]), tmp_path / "e", workers=1)
    with pytest.raises(Exception, match="different scenario"):
        conduct(Experiment.ensemble(short_baseline, 2, ["scenario.seed=2"]), tmp_path / "e", workers=1, resume=True)


def test_a_failing_run_is_reported_with_its_seed_and_counted(short_baseline, tmp_path, monkeypatch):
    bad_seed = run_seeds(8, RUNS)[5]
    real = chunks.Simulation

    def fragile(scenario, rngs, **kwargs):
        if any(rng.bit_generator.seed_seq.entropy == bad_seed for rng in rngs):
            raise FloatingPointError("a run that fails")
        return real(scenario, rngs, **kwargs)

    monkeypatch.setattr(chunks, "Simulation", fragile)
    summary = conduct(Experiment.ensemble(short_baseline, RUNS, ["scenario.seed=8"]), tmp_path / "e", workers=1)
    assert summary["runs_failed"] == 1 and summary["runs_ok"] == RUNS - 1
    assert summary["failures"] == [{"point": 0, "run": 5, "seed": bad_seed,
                                    "error": "FloatingPointError: a run that fails"}]
    table = rows(tmp_path / "e" / "runs.csv")
    assert [r["status"] for r in table].count("failed") == 1
    assert table[5]["status"] == "failed" and int(table[5]["seed"]) == bad_seed


def test_quantiles_are_those_of_the_runs(short_baseline, tmp_path):
    conduct(Experiment.ensemble(short_baseline, RUNS, ["scenario.seed=2"]), tmp_path / "e", workers=1)
    table = rows(tmp_path / "e" / "runs.csv")
    last = [r for r in rows(tmp_path / "e" / "quantiles.csv")
            if r["step"] == str(short_baseline.steps) and r["field"] == "alignment" and r["actor"] == "TUR"]
    finals = [float(r["final_alignment_TUR"]) for r in table]
    assert float(last[0]["q50"]) == pytest.approx(np.median(finals), abs=1e-9)
    assert float(last[0]["q05"]) <= float(last[0]["q25"]) <= float(last[0]["q75"]) <= float(last[0]["q95"])


def test_wilson_interval_matches_its_closed_form():
    low, high = wilson_interval(7, 10)
    assert low == pytest.approx(0.3968, abs=1e-4) and high == pytest.approx(0.8922, abs=1e-4)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_outcome_statistics_count_what_the_runs_say():
    base = {"first_ceasefire_day": None, "first_broker": None, "lasting": False, "breakdowns": 0,
            "coalitions": "A | B", "ceasefire_reached": False}
    runs = [dict(base), {**base, "ceasefire_reached": True, "first_ceasefire_day": 10, "first_broker": "RUS",
                         "lasting": True}, {**base, "ceasefire_reached": True, "first_ceasefire_day": 40,
                                            "first_broker": "USA", "breakdowns": 2, "coalitions": "A B"}, None]
    stats = outcome_statistics(runs)
    assert stats["runs_ok"] == 3 and stats["runs_failed"] == 1
    assert stats["probabilities"]["ceasefire_reached"]["runs"] == 2
    assert stats["probabilities"]["ceasefire_within_30_days"]["runs"] == 1
    assert stats["probabilities"]["lasting_ceasefire"]["p"] == pytest.approx(1 / 3)
    assert stats["brokers"] == {"RUS": 0.5, "USA": 0.5}
    assert stats["coalitions"] == {"A | B": pytest.approx(2 / 3), "A B": pytest.approx(1 / 3)}
    assert stats["first_ceasefire_day"]["median"] == 25.0


def test_levers_parse_ranges_and_lists():
    assert Lever.parse("rules.mediation.threshold=0.4:0.8:5").grid() == [0.4, 0.5, 0.6, 0.7, 0.8]
    assert Lever.parse("scenario.steps=30:90:3").grid() == [30, 60, 90]
    assert Lever.parse("actors.TUR.alignment=0.2, 0.9").grid() == [0.2, 0.9]
    for bad in ("threshold", "x=1:2", "x=a:b:3", "x=1:2:0", "x="):
        with pytest.raises(ScenarioError, match="--vary"):
            Lever.parse(bad)


def test_grid_is_every_combination_and_latin_covers_each_stratum():
    levers = [Lever.parse("a=0:1:3"), Lever.parse("b=x,y")]
    assert grid_points(levers) == [{"a": 0, "b": "x"}, {"a": 0, "b": "y"}, {"a": 0.5, "b": "x"},
                                   {"a": 0.5, "b": "y"}, {"a": 1, "b": "x"}, {"a": 1, "b": "y"}]
    points = latin_points([Lever.parse("a=0:0.99999:2")], 10, seed=3)
    assert sorted(int(p["a"] * 10) for p in points) == list(range(10))  # one draw in each tenth
    assert latin_points([Lever.parse("a=0:1:2")], 5, seed=3) == latin_points([Lever.parse("a=0:1:2")], 5, seed=3)


def test_ensemble_and_sweep_commands(tmp_path):
    result = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "4", "--workers", "1", "--set",
                                       "scenario.steps=10", "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    assert "4 runs" in result.stdout and "ceasefire:" in result.stdout
    assert len(rows(tmp_path / "e" / "runs.csv")) == 4
    again = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "4", "--out", str(tmp_path / "e")])
    assert again.exit_code == 2 and "--force" in again.stderr
    result = CliRunner().invoke(main, ["sweep", "baseline", "--vary", "rules.mediation.threshold=0.5,0.9",
                                       "--runs", "3", "--workers", "1", "--set", "scenario.steps=10",
                                       "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "s" / "experiments.csv")
    assert len(table) == 6
    assert [r["rules.mediation.threshold"] for r in table] == ["0.5"] * 3 + ["0.9"] * 3
    assert [r["seed"] for r in table[:3]] == [r["seed"] for r in table[3:]]  # common random numbers
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert [p["levers"] for p in summary["points"]] == [{"rules.mediation.threshold": 0.5},
                                                         {"rules.mediation.threshold": 0.9}]
    bad = CliRunner().invoke(main, ["sweep", "baseline", "--vary", "rules.mediation.threshold=2", "--runs", "1",
                                    "--out", str(tmp_path / "b")])
    assert bad.exit_code == 2 and "rules.mediation.threshold" in bad.stderr
    assert "Traceback" not in bad.output


def test_levers_may_vary_a_pair_parameter(tmp_path):
    lever = Lever.parse("rules.escalation.defense=[0.1, 0.1],[0.3, 0.2]")
    assert lever.grid() == [[0.1, 0.1], [0.3, 0.2]]
    spec = load("baseline", [override(lever.key, lever.grid()[1])])
    assert next(r for r in spec.rules if r.rule == "escalation").params["defense"] == (0.3, 0.2)
    assert Lever.parse('actors.TUR.name="A, B",C').grid() == ["A, B", "C"]


def test_experiment_files_get_ordinary_permissions(short_baseline, tmp_path):
    conduct(Experiment.ensemble(short_baseline, 2, ["scenario.seed=1"]), tmp_path / "e", workers=1)
    (tmp_path / "ordinary").write_text("x")
    ordinary = (tmp_path / "ordinary").stat().st_mode & 0o777
    for name in ("runs.csv", "summary.json", "quantiles.csv"):
        assert (tmp_path / "e" / name).stat().st_mode & 0o777 == ordinary


def test_latin_sampling_of_a_real_valued_range_gives_real_numbers():
    """``actors.TUR.alignment=-1:1:3`` once sampled only -1, 0 and 1; a day count stays whole."""
    spec = load("baseline")
    alignment = Lever.parse("actors.TUR.alignment=-1:1:3").for_scenario(spec)
    values = [p["actors.TUR.alignment"] for p in latin_points([alignment], 20, seed=3)]
    assert len(set(values)) == 20 and all(-1 <= v <= 1 for v in values)
    assert sorted(int((v + 1) * 10) for v in values) == list(range(20))  # one draw in each twentieth
    steps = Lever.parse("scenario.steps=30:90:3").for_scenario(spec)
    assert all(isinstance(p["scenario.steps"], int) for p in latin_points([steps], 10, seed=3))
    assert alignment.grid() == [-1.0, 0.0, 1.0] and steps.grid() == [30, 60, 90]


def test_without_a_terminal_a_long_experiment_logs_its_progress_and_time_left(monkeypatch, tmp_path):
    """A study run as a job (its stderr a log file, no progress bar) says every LOG_EVERY seconds how far
    it is and how long is left."""
    monkeypatch.setattr("sim.cli.LOG_EVERY", 0.0)
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 4)
    result = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "12", "--workers", "1", "--no-plots",
                                       "--set", "scenario.steps=5", "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if " so far, about " in line]
    assert [line.split(" runs (")[0] for line in lines] == ["dipsim: 4 of 12", "dipsim: 8 of 12"]
    assert lines[0].startswith("dipsim: 4 of 12 runs (33%), ") and lines[0].endswith(" s left")
