"""The golden run: the baseline at seed 2020, every data file of its run directory pinned.

    .venv/bin/python tests/golden/regenerate.py            # rewrite them after a deliberate change
    .venv/bin/python tests/golden/regenerate.py --check    # say what changed (exit status 1 if anything did)

Review the diff before committing rewritten files. ``summary.json`` is pinned without its manifest's
``versions`` (they name this machine's Python, numpy and numba, not the model's behaviour).
"""

import difflib
import functools
import json
import sys
from pathlib import Path

from sim.io.runfiles import run_files
from sim.io.tables import RUN_FILES
from sim.model import CrisisModel
from sim.scenario import load

GOLDEN = Path(__file__).resolve().parent / "baseline-seed2020"
PINNED = RUN_FILES


def pinned(name: str, text: str) -> str:
    """What of a file is pinned: all of it, but for ``summary.json``'s versions."""
    if name != "summary.json":
        return text
    summary = json.loads(text)
    summary["manifest"].pop("versions")
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


@functools.cache
def golden_files() -> dict[str, str]:
    """The pinned files of the baseline at seed 2020, as the current code makes them."""
    spec = load("baseline")
    model = CrisisModel(spec, rng=2020)
    model.run_for(spec.steps)
    files = run_files(model.simulation, 2020)
    return {name: pinned(name, files[name]) for name in PINNED}


def changes() -> list[str]:
    """One line per pinned file the current code makes differently: its name and its first changed line."""
    found = []
    for name, text in golden_files().items():
        path = GOLDEN / name
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old != text:
            diff = [line for line in difflib.unified_diff(old.splitlines(), text.splitlines(), lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            found.append(f"{name}: {len(diff)} lines differ, first {diff[0]!r}" if diff else f"{name}: line ends")
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        differ = changes()
        print("\n".join(differ) if differ else f"the golden files in {GOLDEN} are up to date")
        sys.exit(1 if differ else 0)
    GOLDEN.mkdir(exist_ok=True)
    for name, text in golden_files().items():
        (GOLDEN / name).write_text(text, encoding="utf-8", newline="")
    print(f"wrote {', '.join(PINNED)} to {GOLDEN}")
