"""The command line: results, reproducibility, and one clear line (exit 2) for a user's mistake."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import assert_user_error, read_rows

from sim.cli import main
from sim.io import runfiles as output
from sim.io.tables import RUN_FILES
from sim.scenario import load


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))





def test_run_writes_every_file_and_records_seed_and_scenario(baseline_run):
    for name in RUN_FILES:
        assert (baseline_run / name).is_file(), name
    summary = json.loads((baseline_run / "summary.json").read_text())
    spec = load("baseline")
    assert summary["seed"] == spec.seed == summary["manifest"]["seed"]
    assert summary["manifest"]["scenario_sha256"] == load(baseline_run / "scenario.toml").digest()
    assert set(summary["manifest"]["versions"]) >= {"dipsim", "mesa", "numpy", "numba"}
    rows = read_rows(baseline_run / "timeseries.csv")
    assert len(rows) == (spec.steps + 1) * len(spec.actors)
    assert {r["actor"] for r in rows} == set(spec.actor_ids)


def test_same_scenario_and_seed_give_the_same_bytes(tmp_path):
    for name in ("a", "b"):
        assert invoke("run", "baseline", "--steps", "20", "--seed", "11", "--out", str(tmp_path / name)).exit_code == 0
    for name in RUN_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_different_seed_gives_a_different_run(tmp_path):
    for seed in ("1", "2"):
        assert invoke("run", "baseline", "--steps", "20", "--seed", seed, "--out", str(tmp_path / seed)).exit_code == 0
    assert (tmp_path / "1" / "timeseries.csv").read_bytes() != (tmp_path / "2" / "timeseries.csv").read_bytes()


def test_default_directory_is_named_after_scenario_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "baseline", "--steps", "3", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs" / "baseline-seed7" / "summary.json").is_file()
    assert "runs/baseline-seed7" in result.stdout


def test_steps_and_set_overrides_reach_the_run(tmp_path):
    out = tmp_path / "r"
    result = invoke("run", "baseline", "--steps", "5", "--set", "actors.TUR.alignment=0.2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(read_rows(out / "model.csv")) == 6
    first_turkey = next(r for r in read_rows(out / "timeseries.csv") if r["actor"] == "TUR")
    assert float(first_turkey["alignment"]) == 0.2
    assert load(out / "scenario.toml").actor("TUR").alignment == 0.2


def test_existing_run_is_kept_without_force_and_replaced_with_it(tmp_path):
    out = tmp_path / "r"
    assert invoke("run", "baseline", "--steps", "3", "--out", str(out)).exit_code == 0
    before = (out / "model.csv").read_bytes()
    result = invoke("run", "baseline", "--steps", "4", "--out", str(out))
    assert_user_error(result, str(out), "--force")
    assert (out / "model.csv").read_bytes() == before
    assert invoke("run", "baseline", "--steps", "4", "--out", str(out), "--force").exit_code == 0
    assert len(read_rows(out / "model.csv")) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging or retired directory left behind


def test_interrupted_write_leaves_no_directory_that_looks_complete(tmp_path, monkeypatch):
    out = tmp_path / "r"

    def failing_files(*args, **kwargs):
        return {"model.csv": "step\n0\n", "summary.json": object()}  # the second file cannot be written

    monkeypatch.setattr(output, "run_files", failing_files)
    result = invoke("run", "baseline", "--steps", "2", "--out", str(out))
    assert result.exit_code != 0
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_value_in_set_is_one_line_naming_the_field(tmp_path):
    result = invoke("run", "baseline", "--set", "actors.TUR.alignment=7", "--out", str(tmp_path / "r"))
    assert_user_error(result, "--set actors.TUR.alignment=7", "actors.TUR.alignment", "[-1, 1]")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("text, field", [
    ('[scenario]\nname = "x"\nsides = ["A", "B"]\nsteps = 3\n[[actors]]\nid = "A"\nalignment = 0\n'
     'ceasefire = 0\ncapability = 1\nstubbornness = 0\n[[actors]]\nid = "B"\nalignment = 0\nceasefire = 0\n'
     'capability = 1\nstubbornness = 0\n[[ties]]\nactors = ["A", "TUX"]\nkind = "alliance"\nweight = 1\n',
     "ties.A-TUX.actors"),
    ('[scenario]\nname = "x"\nsides = ["A", "B"]\nsteps = 3\n[[actors]]\nid = "A"\nalignment = 7\nceasefire = 0\n'
     'capability = 1\nstubbornness = 0\n', "actors.A.alignment"),
    ('[scenario]\nname = "x"\nsides = ["A", "B"\n', ""),
])
def test_mistake_in_a_file_is_one_line_naming_file_and_field(tmp_path, text, field):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    result = invoke("run", str(path), "--out", str(tmp_path / "r"))
    assert_user_error(result, str(path), field)
    assert_user_error(invoke("validate", str(path)), str(path), field)


def test_unknown_scenario_lists_the_bundled_ones():
    assert_user_error(invoke("run", "baselin"), "baselin", "baseline")


def test_validate_list_and_actors():
    result = invoke("validate", "baseline")
    assert result.exit_code == 0 and result.stdout.startswith("ok: baseline: 14 actors")
    listing = invoke("list").stdout
    assert "baseline" in listing and load("baseline").title in listing
    table = invoke("actors", "baseline").stdout
    spec = load("baseline")
    for actor in spec.actors:
        assert actor.id in table and actor.name in table
    assert "Ankara and Islamabad have vowed full support to Baku" in table
    header, armenia = table.splitlines()[0], next(line for line in table.splitlines() if line.startswith("ARM"))
    assert header.split()[-1] == "holds" and armenia.split()[-1] == "1.00"     # the contested area, at the start


def test_explain_accounts_for_an_actors_whole_move(baseline_run):
    result = invoke("explain", str(baseline_run), "TUR")
    assert result.exit_code == 0, result.output
    assert "Turkey (TUR)" in result.stdout
    rows = [r for r in read_rows(baseline_run / "contributions.csv") if r["actor"] == "TUR"]
    rules = {r["rule"] for r in rows}
    assert "alliance" in rules
    for rule in rules:
        assert f"  {rule}" in result.stdout
    series = [r for r in read_rows(baseline_run / "timeseries.csv") if r["actor"] == "TUR"]
    moved = float(series[-1]["alignment"]) - float(series[0]["alignment"])
    parts = sum(float(r["change"]) for r in rows if r["field"] == "alignment")
    assert parts == pytest.approx(moved, abs=1e-8)


def test_explain_unknown_actor_or_directory_is_a_user_error(baseline_run, tmp_path):
    assert_user_error(invoke("explain", str(baseline_run), "XXX"), "XXX")
    assert_user_error(invoke("explain", str(tmp_path), "TUR"), "not a dipsim run directory")


def test_python_dash_m_sim_is_the_same_command_line():
    result = subprocess.run([sys.executable, "-m", "sim", "list"], capture_output=True, text=True, check=True)
    assert "baseline" in result.stdout


def test_list_groups_the_library():
    lines = invoke("list").stdout.splitlines()
    assert lines[0] == "the article:"
    assert any(line.split()[0] == "baseline" for line in lines[1:])


def uncomment_block(text: str, first_line: str) -> str:
    """The template with the commented block that starts at ``first_line`` switched on."""
    lines = text.splitlines()
    start = lines.index(first_line)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("# ")), len(lines))
    return "\n".join(lines[:start] + [line[2:] for line in lines[start:end]] + lines[end:])


def test_new_writes_a_what_if_that_runs_and_whose_blocks_are_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("new", "calm", "--from", "baseline")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "calm.toml").read_text()
    spec, baseline = load(tmp_path / "calm.toml"), load("baseline")
    assert spec.name == "calm"
    assert (spec.actors, spec.ties, spec.rules, spec.steps) == (baseline.actors, baseline.ties, baseline.rules,
                                                                baseline.steps)
    edited = uncomment_block(text, "# [[actors]]").replace("alignment = -1 ", "alignment = -0.5 ", 1)
    edited = uncomment_block(edited, "# [[rules]]")
    edited = uncomment_block(edited, "# [[events]]")
    (tmp_path / "edited.toml").write_text(edited)
    changed = load(tmp_path / "edited.toml")
    assert changed.actor("ARM").alignment == -0.5
    assert changed.rules == baseline.rules
    assert [e.id for e in changed.events] == ["my-event"]
    assert_user_error(invoke("new", "calm"), "calm.toml", "--force")
    assert invoke("new", "calm", "--force").exit_code == 0


def test_new_from_a_file_extends_it_by_a_relative_path(tmp_path):
    assert invoke("new", "first", "--out", str(tmp_path / "first.toml")).exit_code == 0
    result = invoke("new", "second", "--from", str(tmp_path / "first.toml"), "--out", str(tmp_path / "sub" / "second.toml"))
    assert result.exit_code == 0, result.output
    assert 'extends = "../first.toml"' in (tmp_path / "sub" / "second.toml").read_text()
    assert load(tmp_path / "sub" / "second.toml").name == "second"
