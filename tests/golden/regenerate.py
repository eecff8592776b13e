"""Rewrite the golden baseline files after a deliberate change of the model's behaviour.

Run: .venv/bin/python tests/golden/regenerate.py  (then review the diff before committing it).
"""

import functools
from pathlib import Path

from sim.model import CrisisModel
from sim.output import run_files
from sim.scenario import load

GOLDEN = Path(__file__).resolve().parent / "baseline-seed2020"
PINNED = ("model.csv", "events.csv", "timeseries.csv")


@functools.cache
def golden_files() -> dict[str, str]:
    """The pinned files of the baseline at seed 2020, as the current code makes them."""
    spec = load("baseline")
    model = CrisisModel(spec, rng=2020)
    model.run_for(spec.steps)
    files = run_files(model.simulation, 2020)
    return {name: files[name] for name in PINNED}


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, text in golden_files().items():
        (GOLDEN / name).write_text(text, encoding="utf-8", newline="")
    print(f"wrote {', '.join(PINNED)} to {GOLDEN}")
