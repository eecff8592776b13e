"""Ensembles and sweeps stopped at any moment: a complete result or one marked incomplete that --resume
finishes; resumed only from chunks of the same experiment; workers that never outlive their parent."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import read_rows

from sim.cli import main
from sim.experiments import Experiment, Interrupted, conduct, run_seeds
from sim.experiments.pool import IN_FLIGHT
from sim.io.files import OutputError
from sim.scenario import load

RUNS = 12


@pytest.fixture(scope="module")
def short():
    return load("baseline", ["scenario.steps=10"])


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 3)


def summary_of(directory: Path) -> dict:
    return json.loads((directory / "summary.json").read_text())


def data_files(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in ("runs.csv", "quantiles.csv", "summary.json")}


def test_a_stop_in_the_final_phase_leaves_it_incomplete_and_resume_finishes_it(short, small_chunks, tmp_path):
    """Asked to stop while the plots are drawn: every run is stored, yet summary.json says incomplete
    (no plots), and --resume draws them and only then says complete."""
    experiment = Experiment.ensemble(short, RUNS, ["scenario.seed=3"])
    reference = conduct(experiment, tmp_path / "whole", workers=1)
    asked = []

    def pictures(files):
        asked.append(json.loads(files["summary.json"])["complete"])
        return {"fan.png": b"picture"}

    with pytest.raises(Interrupted) as stop:
        conduct(experiment, tmp_path / "cut", workers=1, pictures=pictures, stop=lambda: bool(asked))
    assert stop.value.runs_done == RUNS
    assert summary_of(tmp_path / "cut")["complete"] is False
    summary = conduct(experiment, tmp_path / "cut", workers=1, resume=True, pictures=pictures)
    assert summary["complete"] is True and asked == [True, True]
    assert (tmp_path / "cut" / "plots" / "fan.png").read_bytes() == b"picture"
    assert summary == reference
    assert data_files(tmp_path / "cut") == data_files(tmp_path / "whole")


def test_a_stop_between_chunks_keeps_the_finished_ones(short, small_chunks, tmp_path):
    seen = []
    with pytest.raises(Interrupted) as stop:
        conduct(Experiment.ensemble(short, RUNS, ["scenario.seed=3"]), tmp_path / "e", workers=1, on_chunk=seen.append,
                stop=lambda: len(seen) >= 2)
    assert stop.value.runs_done == 6 == summary_of(tmp_path / "e")["runs_done"]
    assert len(read_rows(tmp_path / "e" / "runs.csv")) == 6


def test_no_more_than_two_chunks_per_worker_are_in_flight(short, small_chunks, tmp_path):
    """Stopped after the first chunk, the pool has started only those it keeps in flight."""
    seen = []
    with pytest.raises(Interrupted) as stop:
        conduct(Experiment.ensemble(short, 300, ["scenario.seed=3"]), tmp_path / "e", workers=2, on_chunk=seen.append,
                stop=lambda: bool(seen))
    assert 1 <= len(seen) <= 1 + IN_FLIGHT * 2
    assert stop.value.runs_done == 3 * len(seen)


def test_resume_uses_only_chunks_of_the_same_experiment(short, small_chunks, tmp_path):
    """A chunk of another experiment (here: another seed) in the folder is refused, naming it."""
    first, other = Experiment.ensemble(short, RUNS, ["scenario.seed=3"]), Experiment.ensemble(short, RUNS, ["scenario.seed=4"])
    seen = []
    with pytest.raises(Interrupted):
        conduct(first, tmp_path / "a", workers=1, on_chunk=seen.append, stop=lambda: len(seen) >= 2)
    conduct(other, tmp_path / "b", workers=1)
    for suffix in (".json", ".npy"):
        name = f"point0000-run0000006{suffix}"
        shutil.copy(tmp_path / "b" / "chunks" / name, tmp_path / "a" / "chunks" / name)
    with pytest.raises(OutputError, match=r"point0000-run0000006.json: made by another experiment \(seed 4, not 3\)"):
        conduct(first, tmp_path / "a", workers=1, resume=True)


def test_two_ensembles_on_one_folder_never_mix(tmp_path):
    """The case that once reported a mixed result complete: a second ensemble with --force replaces the
    first one's chunks; resuming the first is then refused."""
    out = str(tmp_path / "e")
    common = ["--runs", "6", "--workers", "1", "--set", "scenario.steps=5", "--no-plots", "--out", out]
    assert CliRunner().invoke(main, ["ensemble", "baseline", "--seed", "1", *common]).exit_code == 0
    assert CliRunner().invoke(main, ["ensemble", "baseline", "--seed", "2", *common, "--force"]).exit_code == 0
    again = CliRunner().invoke(main, ["ensemble", "baseline", "--seed", "1", *common, "--resume"])
    assert again.exit_code == 2 and "different scenario, seed" in again.stderr
    assert {r["seed"] for r in read_rows(tmp_path / "e" / "runs.csv")} == \
        {str(s) for s in run_seeds(2, 6)}


@pytest.mark.parametrize("damage", ["truncate-npy", "tamper-npy", "truncate-json", "garbage-json",
                                    "summary-garbage", "summary-missing"])
def test_a_damaged_chunk_or_summary_is_one_line(short, small_chunks, tmp_path, damage):
    conduct(Experiment.ensemble(short, RUNS, ["scenario.seed=3"]), tmp_path / "e", workers=1)
    chunk = tmp_path / "e" / "chunks" / "point0000-run0000003"
    summary = tmp_path / "e" / "summary.json"
    if damage == "truncate-npy":
        chunk.with_suffix(".npy").write_bytes(chunk.with_suffix(".npy").read_bytes()[:200])
    elif damage == "tamper-npy":
        data = bytearray(chunk.with_suffix(".npy").read_bytes())
        data[-1] ^= 0xFF
        chunk.with_suffix(".npy").write_bytes(bytes(data))
    elif damage == "truncate-json":
        chunk.with_suffix(".json").write_text(chunk.with_suffix(".json").read_text()[:50])
    elif damage == "garbage-json":
        chunk.with_suffix(".json").write_text('{"made_from": 3}')
    elif damage == "summary-garbage":
        summary.write_text("{ not json")
    else:
        summary.unlink()
    with pytest.raises(OutputError) as err:
        conduct(Experiment.ensemble(short, RUNS, ["scenario.seed=3"]), tmp_path / "e", workers=1, resume=True)
    assert "\n" not in str(err.value) and str(tmp_path / "e") in str(err.value)


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_ensemble(out: Path, runs: int = 100_000) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "sim", "ensemble", "baseline", "--runs", str(runs),
                                "--workers", "2", "--set", "scenario.steps=20", "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any((out / "chunks").glob("*.json")) if (out / "chunks").is_dir() else True:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_ensemble_ends_within_seconds_and_resumes(tmp_path, signum):
    out = tmp_path / "e"
    process = start_ensemble(out)
    try:
        process.send_signal(signum)
        sent = time.monotonic()
        _, err = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        process.kill()
    assert process.returncode == 130 and took < 15, (process.returncode, took, err)
    assert err.strip().splitlines()[-1].startswith("dipsim: interrupted after")
    summary = summary_of(out)
    assert summary["complete"] is False and 0 < summary["runs_done"] < 100_000
    assert len(read_rows(out / "runs.csv")) == summary["runs_done"]


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    process = start_ensemble(tmp_path / "e")
    workers = children(process.pid)
    assert workers
    process.kill()
    process.wait()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # never leave a process behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_a_sweep_stores_records_only_and_resumes_to_the_same_bytes(small_chunks, tmp_path):
    """A sweep's tables need no trajectories: its chunks are records alone (a study of ten thousand points
    stays small on disk), and an interrupted sweep resumes from them to the bytes of a whole one."""
    experiment = Experiment.sweep("baseline", ["rules.mediation.threshold=0.5,0.6"], 7, ["scenario.steps=10"])
    conduct(experiment, tmp_path / "whole", workers=1)
    assert sorted({p.suffix for p in (tmp_path / "whole" / "chunks").iterdir()}) == [".json"]
    seen = []
    with pytest.raises(Interrupted):
        conduct(experiment, tmp_path / "cut", workers=1, on_chunk=seen.append, stop=lambda: len(seen) >= 2)
    assert summary_of(tmp_path / "cut")["runs_done"] == 6
    conduct(experiment, tmp_path / "cut", workers=1, resume=True)
    for name in ("experiments.csv", "summary.json"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
