"""Experiments at scale: prints figures, asserts nothing (the README and docs/experiments.md quote them).

    .venv/bin/python benchmarks/bench_experiments.py                 # everything below but the study
    .venv/bin/python benchmarks/bench_experiments.py where growth    # some parts: where, growth, study
    .venv/bin/python benchmarks/bench_experiments.py study [--n 1024 --runs 9] [--interrupt-after 60]

- ``where``: runs per second of the same ensemble and the same sensitivity study on local processes and on
  a Dask ``LocalCluster`` of as many workers, side by side, and whether their files are the same bytes.
- ``growth``: how the cost grows with the number of runs (studies of more points) and of actors (ensembles
  of made-up scenarios, `bench_run.synthetic`).
- ``study``: the issue's scale target, a Sobol' study of ten of the baseline's judgements (N = 1024, so
  12,288 points, 9 runs each: 110,592 runs) by the command line, as a user starts it: wall time, the peak
  memory of the command and its workers together, what it wrote; with ``--interrupt-after S`` it is
  interrupted (SIGINT) after S seconds, then finished with ``--resume``, and the result is compared with
  an uninterrupted study's indices (pass ``--compare DIR``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import family, resident  # noqa: E402
from bench_run import synthetic  # noqa: E402

from sim.experiments import Experiment, conduct  # noqa: E402
from sim.experiments.cluster import dask_executor  # noqa: E402
from sim.experiments.sensitivity import Study, conduct_study  # noqa: E402

#: The ten judgements of the scale study, with ranges a class might argue over.
JUDGEMENTS = ("rules.mediation.threshold=0.4:0.8", "rules.mediation.leverage=0.9:1.4", "actors.TUR.alignment=-1:1",
              "actors.RUS.alignment=-1:1", "actors.USA.capability=0.4:1", "actors.TUR.capability=0.4:1",
              "rules.battlefield.support=0.3:1", "rules.war_aims.price=0.02:0.08", "actors.EU.capability=0.2:0.8",
              "actors.RUS.capability=0.6:1")
WORKERS = 2


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def same_bytes(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*.csv"))
    return bool(names) and all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def bench_where() -> None:
    """The same work on local processes and on a Dask LocalCluster: each started for it (the start-up
    counted, as a user meets it) and, for Dask, also once started (as on a cluster that is already up)."""
    ensemble = Experiment.ensemble("baseline", 2000)
    study = Study.build("baseline", JUDGEMENTS[:4], "sobol", 64, 8, ["lasting"])
    work = {"ensemble, 2,000 runs": (ensemble.runs, lambda out, **where: conduct(ensemble, out, **where)),
            f"sensitivity, {len(study.points)} points x 8 runs": (
                len(study.points) * 8, lambda out, **where: conduct_study(study, out, **where))}
    print(f"where the runs go ({WORKERS} workers each), runs per second: local processes (started for the work) | "
          "Dask LocalCluster (started for the work) | the same cluster once up")
    with tempfile.TemporaryDirectory() as folder:
        for name, (runs, run) in work.items():
            local, dask = Path(folder) / f"{name}-local", Path(folder) / f"{name}-dask"
            on_local = timed(lambda: run(local, workers=WORKERS))
            started = time.perf_counter()
            with dask_executor(local=WORKERS) as (executor, threads):
                start_up = time.perf_counter() - started
                on_dask = timed(lambda: run(dask, workers=threads, executor=executor))
            print(f"  {name:<34} {runs / on_local:5.0f} | {runs / (on_dask + start_up):5.0f} | {runs / on_dask:5.0f}   "
                  f"(cluster start-up {start_up:.1f} s; same bytes: {'yes' if same_bytes(local, dask) else 'NO'})")


def bench_growth() -> None:
    """Time against the number of runs, and against the number of actors."""
    print(f"cost against the number of runs (sensitivity studies of 4 judgements, 8 runs a point, {WORKERS} workers)")
    with tempfile.TemporaryDirectory() as folder:
        for n in (32, 128, 512):
            study = Study.build("baseline", JUDGEMENTS[:4], "sobol", n, 8, ["lasting"])
            runs = len(study.points) * 8
            seconds = timed(lambda: conduct_study(study, Path(folder) / f"s{n}", workers=WORKERS))
            print(f"  {runs:>7,} runs: {seconds:6.1f} s, {runs / seconds:5.0f} runs/s, "
                  f"{seconds / runs * 1e3:.2f} ms per run")
        print(f"cost against the number of actors (ensembles of 400 runs of 100 days, {WORKERS} workers)")
        for actors in (14, 50, 200, 800):
            spec = synthetic(actors)
            seconds = timed(lambda: conduct(Experiment.ensemble(spec, 400), Path(folder) / f"a{actors}",
                                            workers=WORKERS))
            print(f"  {actors:>4} actors, {len(spec.ties):>5} ties: {seconds:6.1f} s, {400 / seconds:5.0f} runs/s")


def bench_study(n: int, runs: int, interrupt_after: float | None, compare: Path | None, keep: Path | None) -> None:
    """The scale study by the command line: time, peak memory of all its processes, what it wrote."""
    folder = keep or Path(tempfile.mkdtemp())
    out = folder / "study"
    command = [sys.executable, "-m", "sim", "sensitivity", "baseline", *(f"--vary={j}" for j in JUDGEMENTS),
               "--outcome", "lasting", "--outcome", "first_ceasefire_day", "--n", str(n), "--runs", str(runs),
               "--workers", str(WORKERS), "--out", str(out), "--force"]
    points = n * (len(JUDGEMENTS) + 2)
    print(f"sensitivity study: {len(JUDGEMENTS)} judgements, Sobol' N={n}: {points:,} points x {runs} runs = "
          f"{points * runs:,} runs, {WORKERS} workers")
    took, peak = _watched(command, interrupt_after)
    if interrupt_after is not None:
        done = len(list((out / "runs" / "chunks").glob("*.json")))
        print(f"  interrupted after {took:.1f} s with {done:,} of {points:,} points stored; peak memory "
              f"{peak / 2**20:.0f} MiB")
        resumed, peak2 = _watched([*command[:-1], "--resume"], None)
        print(f"  resumed: {resumed:.1f} s more ({took + resumed:.1f} s in all); peak memory {peak2 / 2**20:.0f} MiB")
    else:
        print(f"  wall time {took:.1f} s ({points * runs / took:.0f} runs/s); peak memory, the command and its "
              f"workers together: {peak / 2**20:.0f} MiB")
    stored = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"  written: {stored / 2**20:.0f} MiB in {sum(1 for _ in out.rglob('*')):,} files -> {out}")
    if compare is not None:
        same = (compare / "indices.csv").read_bytes() == (out / "indices.csv").read_bytes()
        print(f"  indices.csv the same bytes as {compare}'s: {'yes' if same else 'NO'}")


def _watched(command: list[str], interrupt_after: float | None) -> tuple[float, int]:
    """Run ``command``, sampling the resident memory of it and its workers; SIGINT after ``interrupt_after``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(resident(pid) for pid in family(process.pid)))
        if interrupt_after is not None and time.perf_counter() - start > interrupt_after:
            os.kill(process.pid, signal.SIGINT)
            interrupt_after = None
        time.sleep(0.2)
    if process.returncode not in (0, 130):
        sys.exit(f"the study failed (exit {process.returncode}): {process.stderr.read()}")
    return time.perf_counter() - start, peak


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", choices=["where", "growth", "study"], default=["where", "growth"])
    parser.add_argument("--n", type=int, default=1024, help="the study's Sobol' N (a power of two)")
    parser.add_argument("--runs", type=int, default=9, help="the study's runs a point")
    parser.add_argument("--interrupt-after", type=float, help="interrupt the study after this many seconds")
    parser.add_argument("--compare", type=Path, help="a finished study whose indices.csv the study must equal")
    parser.add_argument("--keep", type=Path, help="write the study into this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    for part in args.parts:
        if part == "where":
            bench_where()
        elif part == "growth":
            bench_growth()
        else:
            bench_study(args.n, args.runs, args.interrupt_after, args.compare, args.keep)
