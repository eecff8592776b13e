"""Speed of dipsim: prints medians of several repetitions (no assertions; see the README's figures).

    .venv/bin/python benchmarks/bench_run.py            # everything
    .venv/bin/python benchmarks/bench_run.py run naive  # some parts: run, naive, ensemble, scaling, help
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from naive import NaiveModel  # noqa: E402

from sim.core.engine import Simulation  # noqa: E402
from sim.model import CrisisModel  # noqa: E402
from sim.scenario import load, validate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DIPSIM = [sys.executable, "-m", "sim"]


def timed(action) -> float:
    """Wall time of one call of ``action()``."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_time(action, repeat: int) -> float:
    """Median wall time of ``action()`` over ``repeat`` calls, after one warm-up call."""
    action()
    return statistics.median(timed(action) for _ in range(repeat))


def bench_run() -> float:
    spec = load("baseline")
    seconds = median_time(lambda: CrisisModel(spec, rng=1).run_for(spec.steps), 100)
    engine = median_time(lambda: Simulation(spec, [np.random.default_rng(1)]).run(), 100)
    print(f"baseline run, {len(spec.actors)} actors, {spec.steps} steps, all rules, recording: "
          f"{seconds * 1e3:.1f} ms as a Mesa model (CrisisModel.run_for), {engine * 1e3:.1f} ms by the engine "
          f"alone (target <= 5 ms)")
    return seconds


def bench_batch() -> float:
    spec = load("baseline")
    runs = 1000
    seconds = median_time(lambda: Simulation(spec, [np.random.default_rng(s) for s in range(runs)],
                                             record_contributions=False).run(), 3)
    print(f"baseline, {runs} runs simulated as one batch: {seconds:.2f} s, {seconds / runs * 1e3:.2f} ms per run")
    return seconds / runs


def bench_naive(batch_seconds: float) -> None:
    """The naive model against dipsim's, timed in alternating blocks so that both see the machine alike."""
    spec = load("baseline")
    dipsim, naive = [], []
    for _ in range(6):
        dipsim += [timed(lambda: CrisisModel(spec, rng=1).run_for(spec.steps)) for _ in range(20)]
        naive += [timed(lambda: NaiveModel(spec, rng=1).run_for(spec.steps)) for _ in range(4)]
    ours, theirs = statistics.median(dipsim), statistics.median(naive)
    print(f"naive Mesa agent loops, same model: {theirs * 1e3:.1f} ms per run against dipsim's {ours * 1e3:.1f} ms "
          f"in the same blocks: dipsim is {theirs / ours:.1f}x faster alone, {theirs / batch_seconds:.0f}x in a "
          f"batch (target >= 10x)")


def bench_ensemble() -> None:
    with tempfile.TemporaryDirectory() as folder:
        def ensemble():
            subprocess.run([*DIPSIM, "ensemble", "baseline", "--runs", "1000", "--out", f"{folder}/e", "--force"],
                           check=True, capture_output=True, cwd=ROOT)

        seconds = median_time(ensemble, 3)
    print(f"dipsim ensemble baseline --runs 1000, end to end: {seconds:.2f} s wall (target <= 10 s)")


def synthetic(n: int, ties_per_actor: int = 10, seed: int = 0):
    """A scenario of ``n`` made-up actors with about ``ties_per_actor`` random ties each, every rule on."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i}" for i in range(n)]
    actors = [{"id": a, "alignment": float(rng.uniform(-1, 1)), "ceasefire": float(rng.uniform()),
               "capability": float(rng.uniform(0.05, 1)), "stubbornness": float(rng.uniform()),
               "intensity": 1.0 if i < 2 else 0.0} for i, a in enumerate(ids)]
    pairs = set()
    while len(pairs) < n * ties_per_actor // 2:
        a, b = sorted(rng.choice(n, 2, replace=False).tolist())
        pairs.add((a, b))
    kinds = ["alliance", "support", "partnership", "rivalry", "hostility", "mediation"]
    ties = [{"actors": [ids[a], ids[b]], "kind": kinds[k % len(kinds)],
             "weight": float(np.round(rng.uniform(-1, 1), 3))} for k, (a, b) in enumerate(sorted(pairs))]
    rules = [{"rule": name} for name in ("influence", "escalation", "alliance", "mediation", "balance", "noise")]
    raw = {"scenario": {"name": f"synthetic-{n}", "sides": ids[:2], "steps": 100, "seed": seed},
           "actors": actors, "ties": ties, "rules": rules, "events": []}
    return validate(raw, {}, f"<synthetic {n}>")


def bench_scaling() -> None:
    for n in (14, 200, 1000):
        spec = synthetic(n)
        seconds = median_time(lambda: Simulation(spec, [np.random.default_rng(1)]).run(), 3)
        print(f"synthetic {n:>4} actors, {len(spec.ties):>5} ties, 100 steps, every rule: {seconds:.3f} s "
              f"({seconds * 10:.2f} ms per step){' (target <= 0.5 s)' if n == 1000 else ''}")


def bench_help() -> None:
    seconds = median_time(lambda: subprocess.run([*DIPSIM, "--help"], check=True, capture_output=True), 5)
    print(f"dipsim --help: {seconds:.3f} s (target <= 0.3 s)")


if __name__ == "__main__":
    wanted = set(sys.argv[1:]) or {"run", "naive", "ensemble", "scaling", "help"}
    if "run" in wanted:
        bench_run()
    if "naive" in wanted:
        bench_naive(bench_batch())
    if "ensemble" in wanted:
        bench_ensemble()
    if "scaling" in wanted:
        bench_scaling()
    if "help" in wanted:
        bench_help()
