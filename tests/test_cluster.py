"""Experiments past this machine's processes: any `concurrent.futures.Executor`, and a Dask cluster
(a `LocalCluster` on the loopback here), give the same seeds and the same bytes as local processes,
stop and resume like them, and a mistake in where to run is one line."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.experiments import Experiment, Interrupted, conduct
from sim.experiments.cluster import Placement, dask_executor
from sim.experiments.sensitivity import Study, conduct_study
from sim.io.files import OutputError

SHORT = ["scenario.steps=12"]
#: The files of an ensemble or a sweep that hold results (the plots are drawn from them).
RESULTS = ("runs.csv", "experiments.csv", "quantiles.csv", "summary.json", "scenario.toml")


@pytest.fixture(scope="module")
def cluster():
    """A Dask cluster of two worker processes on this machine, for the whole module."""
    with dask_executor(local=2) as (executor, workers):
        yield executor, workers


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr("sim.experiments.experiment.CHUNK", 4)


def results(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in RESULTS if (directory / name).exists()}


def experiments() -> dict[str, Experiment]:
    return {"ensemble": Experiment.ensemble("baseline", 10, SHORT),
            "sweep": Experiment.sweep("baseline", ["rules.mediation.threshold=0.5:0.7:3"], 6, SHORT)}


@pytest.mark.parametrize("kind", ["ensemble", "sweep"])
def test_a_dask_cluster_gives_the_bytes_of_local_processes(kind, cluster, small_chunks, tmp_path):
    executor, workers = cluster
    experiment = experiments()[kind]
    conduct(experiment, tmp_path / "local", workers=2)
    conduct(experiment, tmp_path / "dask", workers=workers, executor=executor)
    local = results(tmp_path / "local")
    assert set(local) >= {"summary.json", "scenario.toml"} and len(local) >= 3
    assert results(tmp_path / "dask") == local


def test_any_executor_gives_the_same_bytes(small_chunks, tmp_path):
    experiment = experiments()["sweep"]
    conduct(experiment, tmp_path / "serial", workers=1)
    with ThreadPoolExecutor(2) as threads:
        conduct(experiment, tmp_path / "threads", workers=2, executor=threads)
    assert results(tmp_path / "threads") == results(tmp_path / "serial")


def test_a_study_on_dask_has_the_indices_of_a_local_one(cluster, tmp_path):
    executor, workers = cluster
    study = Study.build("baseline", ["rules.mediation.threshold=0.4:0.8", "actors.TUR.alignment=-1:1"], "sobol", 4, 2,
                        ["lasting", "days_in_force"], SHORT)
    local = conduct_study(study, tmp_path / "local", workers=1)
    remote = conduct_study(study, tmp_path / "dask", workers=workers, executor=executor)
    assert remote == local and local["points"] == 16
    for name in ("design.csv", "indices.csv", "runs/experiments.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_stopped_on_dask_and_resumed_locally_it_is_the_whole_run(cluster, small_chunks, tmp_path):
    executor, workers = cluster
    experiment = Experiment.ensemble("baseline", 40, SHORT)
    conduct(experiment, tmp_path / "whole", workers=1)
    seen = []
    with pytest.raises(Interrupted) as stop:
        conduct(experiment, tmp_path / "cut", workers=workers, executor=executor, on_chunk=seen.append,
                stop=lambda: len(seen) >= 1)
    summary = json.loads((tmp_path / "cut" / "summary.json").read_text())
    assert summary["complete"] is False and 0 < stop.value.runs_done < 40 == summary["runs_requested"]
    conduct(experiment, tmp_path / "cut", workers=1, resume=True)
    assert results(tmp_path / "cut") == results(tmp_path / "whole")


def test_the_command_line_runs_a_sweep_on_a_local_cluster(tmp_path):
    args = ["sweep", "baseline", "--vary", "rules.mediation.threshold=0.5,0.7", "--runs", "3", "--no-plots",
            *(f"--set={s}" for s in SHORT)]
    local = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "local")])
    dask = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "dask"), "--dask-local", "2"])
    assert local.exit_code == dask.exit_code == 0, dask.output
    assert dask.output.replace("dask", "local") == local.output
    assert results(tmp_path / "dask") == results(tmp_path / "local")


@pytest.mark.parametrize(("args", "message"), [
    (["--scheduler", "localhost"], "--scheduler localhost: expected a scheduler's address, tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler tcp://127.0.0.1:1: cannot reach it"),
    (["--dask-local", "2", "--workers", "2"], "--workers: local processes only"),
    (["--dask-local", "65"], "--dask-local 65: expected 1 to 64 workers"),
    (["--dask-local", "2", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler, --dask-local: give one of them"),
])
def test_a_mistake_in_where_to_run_is_one_line(args, message, monkeypatch, tmp_path):
    monkeypatch.setattr("sim.experiments.cluster.CONNECT_SECONDS", 1)
    result = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "2", "--out", str(tmp_path / "e"), *args])
    assert result.exit_code == 2
    assert result.output.startswith(f"dipsim: {message}") and result.output.count("\n") == 1, result.output
    assert not (tmp_path / "e").exists()


def test_without_dask_installed_it_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(OutputError, match=r"pip install 'dipsim\[dask\]'"), Placement(local=2).opened():
        pass


def test_a_cluster_running_another_dipsim_is_refused(monkeypatch):
    monkeypatch.setattr("sim.experiments.cluster.__version__", "0.0.0-elsewhere")
    with pytest.raises(OutputError, match=r"runs dipsim 0\.1\.0, not 0\.0\.0-elsewhere: install this dipsim on every"):
        with dask_executor(local=1):
            pass


def test_local_processes_need_no_executor():
    with Placement(workers=3).opened() as (executor, workers):
        assert executor is None and workers == 3
