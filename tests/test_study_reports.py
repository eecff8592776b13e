"""The report of an ensemble, a sweep and a sensitivity study: every number is the directory's, the page is
self-contained, the same directory gives the same bytes, and an interrupted one says so (or has none)."""

from __future__ import annotations

import base64
import csv
import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_user_error
from test_layout import loaded_after
from test_report import Resources

from sim.cli import main
from sim.io.rundata import load_experiment
from sim.report import studies
from sim.report.pages import MINUS, markdown
from sim.viz.experiment import OUTCOME_LABELS

SHORT = ["--workers", "1"]
#: Richardson's race: Borduria's grievance is in its equilibrium, Arcadia's alignment is not (test_sensitivity.py).
RELEVANT, IRRELEVANT = "rules.escalation.grievance[1]", "actors.ARC.alignment"


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """An ensemble, a sweep (reporting lasting ceasefires) and a sensitivity study, each written with --report."""
    root = tmp_path_factory.mktemp("studies")
    invoke("ensemble", "baseline", "--runs", "6", *SHORT, "--report", "--out", root / "ensemble")
    invoke("sweep", "baseline", "--vary", "rules.mediation.threshold=0.5,0.9", "--runs", "4", *SHORT, "--report",
           "--no-plots", "--outcome", "lasting_ceasefire", "--out", root / "sweep")
    invoke("sensitivity", "classic-arms-race-stable", "--vary", f"{RELEVANT}=0.3:0.7", "--vary", f"{IRRELEVANT}=-1:1",
           "--outcome", "max_intensity_BOR", "--n", "4", "--runs", "1", "--workers", "1", "--report", "--out",
           root / "sensitivity")
    return {name: root / name for name in ("ensemble", "sweep", "sensitivity")}


def md(folder: Path) -> str:
    """The Markdown report with its escapes undone."""
    return re.sub(r"\\(.)", r"\1", (folder / "report.md").read_text(encoding="utf-8"))


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def percent(x: float) -> str:
    return f"{x * 100:.0f}%"


def test_the_ensembles_report_gives_the_summarys_shares_intervals_days_and_brokers(folders):
    found, text = summary(folders["ensemble"]), md(folders["ensemble"])
    assert found["complete"] and "Incomplete" not in text
    for name, p in found["probabilities"].items():
        low, high = p["ci95"]
        row = f"| {OUTCOME_LABELS[name]} | {percent(p['p'])} | {percent(low)} to {percent(high)} | " \
              f"{p['runs']} of {found['runs_ok']} |"
        assert row in text, row
    day = found["first_ceasefire_day"]
    assert f"the first came on day {day['median']:g} at the median; half of them between day {day['q25']:g} and " \
           f"day {day['q75']:g}" in text
    for broker, share in found["brokers"].items():
        assert f"{load_experiment(folders['ensemble']).name(broker)} {percent(share)}" in text
    low, high = found["probabilities"]["lasting_ceasefire"]["ci95"]
    assert "With 6 runs a share is known only to within its 95 % interval" in text
    assert f"lies between {percent(low)} and {percent(high)}, about \u00b1{(high - low) * 50:.0f} percentage points" in text


def test_the_sweeps_report_tables_each_point_and_names_the_highest_and_lowest(folders):
    found, text = summary(folders["sweep"]), md(folders["sweep"])
    assert "- rules.mediation.threshold: 0.5 and 0.9" in text
    assert "How often the runs ended with a ceasefire in force, point by point" in text
    shares = {}
    for point in found["points"]:
        p = point["probabilities"]["lasting_ceasefire"]
        low, high = p["ci95"]
        value = point["levers"]["rules.mediation.threshold"]
        assert f"| {point['point']} | {value:g} | {percent(p['p'])} | {percent(low)} to {percent(high)} | " \
               f"{p['runs']} of {point['runs_ok']} |" in text
        shares[value] = p["p"]
    assert shares[0.5] != shares[0.9], "the test needs two different shares"
    high, low = max(shares, key=shares.get), min(shares, key=shares.get)
    assert f"{percent(shares[high])}, at rules.mediation.threshold = {high:g}" in text
    assert f"the lowest, {percent(shares[low])}, at rules.mediation.threshold = {low:g}" in text
    assert "![The share of runs that ended with a ceasefire in force against rules.mediation.threshold" in text
    assert (folders["sweep"] / "plots" / "sweep_outcome.png").read_bytes().startswith(b"\x89PNG")


def indices(folder: Path) -> list[dict[str, str]]:
    with (folder / "indices.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_studys_report_ranks_the_indices_and_names_the_judgement_with_the_largest_st(folders):
    folder = folders["sensitivity"]
    text, rows, found = md(folder), indices(folder), summary(folder)
    total = {r["parameter"]: float(r["value"]) for r in rows if r["index"] == "ST"}
    top, bottom = max(total, key=total.get), min(total, key=total.get)
    assert (top, bottom) == (RELEVANT, IRRELEVANT)
    assert f"What decides max_intensity_BOR most is {top}: ST {total[top]:.2f}" in text
    assert f"Barely matters: {bottom}, ST {total[bottom]:.2f}" in text
    lines = [line for line in text.splitlines() if line.startswith(f"| {RELEVANT} ") or line.startswith(f"| {IRRELEVANT} ")]
    assert [line.split(" | ")[0][2:] for line in lines[-2:]] == [top, bottom]      # ranked, largest ST first
    for line in lines[-2:]:
        key = line.split(" | ")[0][2:]
        for index in ("S1", "ST"):
            row = next(r for r in rows if r["parameter"] == key and r["index"] == index)
            cell = f"{float(row['value']):.2f} | {float(row['conf_low']):.2f} to {float(row['conf_high']):.2f}"
            assert cell.replace("-", MINUS) in line, (cell, line)
    noise = found["noise"]["max_intensity_BOR"]
    assert f"spreads by {noise['spread']:.3g}" in text and f"{noise['noise_share_of_variance']:.1%} of the variance" in text
    assert "16 points x 1 run = 16 runs" in text and "With one run a point the model's noise cannot be measured" in text
    assert f"| {RELEVANT} | 0.3 | 0.7 |" in text and f"| {IRRELEVANT} | {MINUS}1 | 1 |" in text


@pytest.mark.parametrize("kind, figures", [("ensemble", 4), ("sweep", 1), ("sensitivity", 1)])
def test_the_page_is_self_contained_with_every_plot_embedded(folders, kind, figures):
    page = (folders[kind] / "report.html").read_text(encoding="utf-8")
    parser = Resources()
    parser.feed(page)
    assert not {"link", "script", "iframe"} & set(parser.tags)
    assert all(value.startswith("data:image/png;base64,") for _, _, value in parser.references)
    assert not re.search(r"https?://", page) and "url(" not in page
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == figures
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for data in images)
    shown = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (folders[kind] / "report.md").read_text(encoding="utf-8"))
    assert len(shown) == figures and all((folders[kind] / path).is_file() for path in shown)


@pytest.mark.parametrize("kind, extra", [("ensemble", []), ("sweep", ["--outcome", "lasting_ceasefire"]),
                                         ("sensitivity", [])])
def test_dipsim_report_gives_the_same_bytes_as_the_report_written_with_the_study(folders, kind, extra):
    before = {name: (folders[kind] / name).read_bytes() for name in ("report.md", "report.html")}
    result = invoke("report", folders[kind], *extra)
    assert result.output == f"{folders[kind] / 'report.html'}, {folders[kind] / 'report.md'}\n"
    assert {name: (folders[kind] / name).read_bytes() for name in before} == before


def test_a_sweeps_report_tells_the_outcome_asked_for(folders, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(folders["sweep"], folder)
    invoke("report", folder)
    assert "How often the runs reached a ceasefire, point by point" in md(folder)
    assert "ended with a ceasefire in force" not in md(folder).split("## How to read this")[0]


def test_an_interrupted_ensembles_report_says_it_is_incomplete(folders):
    data = load_experiment(folders["ensemble"])
    interrupted = {**data.summary, "complete": False, "runs_done": 4, "runs_requested": 6}
    text = markdown(studies.ensemble_document(dataclasses.replace(data, summary=interrupted)), {})
    assert "Incomplete: this ensemble was interrupted after 4 of 6 runs" in text
    assert "Incomplete" not in md(folders["ensemble"])


def test_an_interrupted_study_gets_no_report_and_is_told_how_to_finish(folders, tmp_path):
    folder = tmp_path / "sensitivity"
    shutil.copytree(folders["sensitivity"], folder)
    (folder / "summary.json").unlink()
    (folder / "report.html").unlink()
    assert_user_error(CliRunner().invoke(main, ["report", str(folder)]), "interrupted study", "--resume")
    assert not (folder / "report.html").exists()


def test_a_directory_dipsim_did_not_write_gets_no_report(folders, tmp_path):
    folder = tmp_path / "copied"
    shutil.copytree(folders["sweep"], folder)
    (folder / ".dipsim").unlink()
    (folder / "report.md").unlink()
    assert_user_error(CliRunner().invoke(main, ["report", str(folder)]), "not a dipsim sweep directory")
    assert not (folder / "report.md").exists()


def test_failed_runs_are_named_with_their_seed_and_error(folders):
    data = load_experiment(folders["ensemble"])
    failed = {**data.summary, "failures": [{"point": 0, "run": 2, "seed": 77, "error": "ValueError: boom"}]}
    text = markdown(studies.ensemble_document(dataclasses.replace(data, summary=failed)), {})
    assert "1 run failed and is left out of every share: run 2 (seed 77): ValueError: boom." in text


@pytest.mark.parametrize("command", [
    ["ensemble", "baseline", "--runs", "3", *SHORT],
    ["sensitivity", "classic-arms-race-stable", "--vary", f"{RELEVANT}=0.3:0.7", "--outcome", "max_intensity_BOR",
     "--n", "2", "--runs", "1", "--workers", "1"],
])
def test_a_report_that_fails_leaves_the_directory_incomplete(tmp_path, monkeypatch, command):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(studies, "page_files", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [*command, "--report", "--out", str(out)])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert not (out / "report.html").exists()
    assert not (out / "summary.json").exists() or summary(out)["complete"] is False


def test_reporting_a_study_loads_no_simulator(folders):
    calls = "".join(f"main({['report', str(folders[kind])]!r}, standalone_mode=False)\n" for kind in folders)
    assert loaded_after(f"from sim.cli import main\n{calls}") == set()
