"""Peak memory of a large ensemble: `dipsim ensemble baseline --runs N`, all its processes together.

Samples the resident memory of the command and every process under it (its workers) from /proc every
0.2 s and prints the peak of the sum, and of the largest single process. Linux only (reads /proc).

    .venv/bin/python benchmarks/bench_memory.py [--runs 100000] [--workers 2] [--plots]

Target (issue 9): at most 1 GiB for 100,000 baseline runs, flat in the number of runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def resident(pid: int) -> int:
    """Resident memory of one process in bytes (0 when it is gone)."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def family(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(parents.get(pid, []))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plots", action="store_true", help="draw the plots too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "sim", "ensemble", "baseline", "--runs", str(args.runs), "--workers",
                   str(args.workers), "--out", str(Path(folder) / "e"), *([] if args.plots else ["--no-plots"])]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        peak_total = peak_one = 0
        while process.poll() is None:
            sizes = [resident(pid) for pid in family(process.pid)]
            peak_total, peak_one = max(peak_total, sum(sizes)), max(peak_one, max(sizes, default=0))
            time.sleep(0.2)
        took = time.perf_counter() - start
        if process.returncode:
            sys.exit(f"the ensemble failed (exit {process.returncode})")
        stored = sum(p.stat().st_size for p in (Path(folder) / "e").rglob("*") if p.is_file())
    print(f"dipsim ensemble baseline --runs {args.runs} --workers {args.workers}"
          f"{'' if args.plots else ' --no-plots'}")
    print(f"  wall time            {took:8.1f} s")
    print(f"  peak memory, all     {peak_total / 2**20:8.0f} MiB (the command and its workers together)")
    print(f"  peak memory, largest {peak_one / 2**20:8.0f} MiB (one process)")
    print(f"  written to disk      {stored / 2**30:8.2f} GiB (chunks/ holds every run's trajectories)")


if __name__ == "__main__":
    main()
