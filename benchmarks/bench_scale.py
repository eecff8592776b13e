"""How large a crisis `dipsim run` handles: times ``dipsim run FILE --out DIR`` end to end (with its plots,
and with the report too) on synthetic scenarios of growing size, and prints a table (no assertions).

    .venv/bin/python benchmarks/bench_scale.py                    # 100 to 2000 actors, 100 days
    .venv/bin/python benchmarks/bench_scale.py 400 1000 --days 200
    .venv/bin/python benchmarks/bench_scale.py 1000 --profile     # where the time of one run goes

The scenarios are `bench_run.synthetic`'s: n made-up actors with about 5n random ties, every rule on.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run import DIPSIM, ROOT, synthetic  # noqa: E402

from sim.cli import main  # noqa: E402

SIZES = (100, 200, 400, 700, 1000, 1500, 2000)
LIMIT = 60.0


def scenario_file(folder: Path, n: int) -> Path:
    path = folder / f"synthetic-{n}.toml"
    path.write_text(synthetic(n).to_toml(), encoding="utf-8")
    return path


def timed_run(path: Path, out: Path, days: int, *extra: str) -> str:
    """Wall time of one ``dipsim run`` in a new process, as a user would start it, and (in brackets) the
    processor time it took: on a busy machine the wall time grows, the processor time much less."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*DIPSIM, "run", str(path), "--out", str(out), "--steps", str(days), *extra], check=True,
                   capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    wall = time.perf_counter() - start
    return f"{wall:.1f} ({cpu:.1f}){' !' if wall > LIMIT else ''}"


def table(sizes: list[int], days: int) -> None:
    print("seconds: wall (processor); ! over 60 s")
    print(f"{'actors':>6} {'ties':>6} {'days':>5} {'no plots':>14} {'plots':>14} {'plots, report':>14}")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = scenario_file(Path(folder), n)
            times = [timed_run(path, Path(folder) / f"{k}-{n}", days, *extra)
                     for k, extra in enumerate((["--no-plots"], [], ["--report"]))]
            print(f"{n:>6} {len(synthetic(n).ties):>6} {days:>5} " + " ".join(f"{t:>14}" for t in times), flush=True)


def profile(n: int, days: int) -> None:
    """The functions that take longest in one ``dipsim run --report``, in this process."""
    with tempfile.TemporaryDirectory() as folder:
        path = scenario_file(Path(folder), n)
        profiler = cProfile.Profile()
        profiler.enable()
        main.main(["run", str(path), "--out", f"{folder}/run", "--steps", str(days), "--report"],
                  standalone_mode=False)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"sim/|matplotlib/(figure|backend_agg)|networkx", 30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES), help="numbers of actors")
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="profile one run of the first size instead")
    args = parser.parse_args()
    if args.profile:
        profile(args.sizes[0], args.days)
    else:
        table(args.sizes, args.days)
