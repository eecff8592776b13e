"""Do the kernels mean the same compiled and as plain Python? Runs every bundled scenario for a few seeds
twice, in subprocesses with and without ``NUMBA_DISABLE_JIT=1`` (numba reads it when first imported), and
compares what the runs recorded: the events, and every recorded array at every step.

    .venv/bin/python benchmarks/jit_compare.py              # every bundled scenario, seeds 1..3
    .venv/bin/python benchmarks/jit_compare.py --seeds 5 baseline history-2020

Prints one line per scenario and seed that differs (the first difference, or for floats that differ only
by rounding, the largest difference in units in the last place) and a summary; exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ("fields", "pressure", "weight", "active", "kind", "in_force", "ceasefires", "breakdowns", "broker")


def record(names: list[str], seeds: int) -> dict:
    """What each run recorded, by ``(name, seed)``: its happenings and its part of every stacked array.

    The seeds of a scenario run as one batch, so the kernels' loops over runs are compared too.
    """
    from sim.core.engine import Simulation
    from sim.scenario import load

    out = {}
    for name in names:
        history = Simulation(load(name), [np.random.default_rng(seed) for seed in range(1, seeds + 1)]).run().history
        arrays = {key: history.array(key) for key in RECORDED}
        contributions = np.stack(history.contributions)             # (steps, n_sources, n_fields, runs, n)
        for run in range(seeds):
            out[name, run + 1] = {
                "happenings": [(h.step, h.kind, h.actors, h.note) for h in history.happenings if h.run == run],
                "arrays": {**{key: array[:, run] for key, array in arrays.items()},
                           "contributions": contributions[:, :, :, run]}}
    return out


def recorded_in_subprocess(names: list[str], seeds: int, jit: bool) -> dict:
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    done = subprocess.run([sys.executable, __file__, "--record", "--seeds", str(seeds), *names], env=env,
                          cwd=ROOT, check=True, capture_output=True)
    return pickle.loads(done.stdout)


def ulps(a: np.ndarray, b: np.ndarray) -> int:
    """The largest distance between ``a`` and ``b`` in units in the last place (floats of equal sign)."""
    ia, ib = a.view(np.int64), b.view(np.int64)
    return int(np.abs(ia - ib).max()) if a.size else 0


#: How `difference` begins when the floats differ only in their last bits and nothing else differs.
ROUNDING = "rounding only: "


def difference(compiled: dict, plain: dict) -> str | None:
    """How the two records of one run differ (beginning with `ROUNDING` if only by rounding), or None if they are
    identical."""
    if compiled["happenings"] != plain["happenings"]:
        first = next((i for i, (x, y) in enumerate(zip(compiled["happenings"], plain["happenings"])) if x != y),
                     min(len(compiled["happenings"]), len(plain["happenings"])))
        return (f"events differ from event {first + 1} on ({len(compiled['happenings'])} compiled, "
                f"{len(plain['happenings'])} plain)")
    rounding = []
    for key, a in compiled["arrays"].items():
        b = plain["arrays"][key]
        if a.dtype != b.dtype or a.shape != b.shape:
            return f"{key}: {a.dtype}{a.shape} compiled, {b.dtype}{b.shape} plain"
        if np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            continue
        if a.dtype.kind != "f":
            return f"{key} differs in {np.count_nonzero(a != b)} of {a.size} entries"
        if not np.allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True):
            return f"{key} differs by up to {np.nanmax(np.abs(a - b)):g}"
        rounding.append(f"{key} by {ulps(a, b)} ulp")
    return ROUNDING + ", ".join(rounding) if rounding else None


def differences(names: list[str], seeds: int) -> dict[tuple[str, int], str]:
    """How each run of the scenarios ``names`` at seeds 1..``seeds`` differs with and without the compiler, by
    ``(name, seed)`` (the runs that do not differ are left out)."""
    compiled = recorded_in_subprocess(names, seeds, jit=True)
    plain = recorded_in_subprocess(names, seeds, jit=False)
    found = {key: difference(compiled[key], plain[key]) for key in compiled}
    return {key: text for key, text in found.items() if text is not None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bundled scenarios (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..SEEDS of each scenario")
    parser.add_argument("--record", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from sim.scenario import bundled

    names = args.names or [name for name, _, _ in bundled()]
    if args.record:
        sys.stdout.buffer.write(pickle.dumps(record(names, args.seeds)))
        return 0
    found = differences(names, args.seeds)
    for (name, seed), text in found.items():
        print(f"{name} seed {seed}: {text}")
    differing = sum(not text.startswith(ROUNDING) for text in found.values())
    print(f"{differing} of {len(names) * args.seeds} runs ({len(names)} scenarios x {args.seeds} seeds) differ "
          f"with and without NUMBA_DISABLE_JIT beyond rounding, {len(found) - differing} by rounding only")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
