"""Shared fixtures: a baseline and a history-2020 run directory made once per test session."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def assert_user_error(result, *fragments: str) -> None:
    """Exit 2, one line on stderr naming what is wrong, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts of strings."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def no_pyplot_figures():
    """The test starts and ends with pyplot knowing no figure: the plots never use pyplot."""
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []
    yield
    assert plt.get_fignums() == []


@pytest.fixture(scope="session")
def baseline_run(tmp_path_factory) -> Path:
    """A run directory of the baseline at its own seed (read it, do not change it)."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = CliRunner().invoke(main, ["run", "baseline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def history_run(tmp_path_factory) -> Path:
    """A run directory of history-2020 at its own seed, without plots (read it, do not change it): a battlefield,
    truces signed under pressure that break the day they come, and a ripe ceasefire that lasts."""
    out = tmp_path_factory.mktemp("runs") / "history-2020"
    result = CliRunner().invoke(main, ["run", "history-2020", "--out", str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    return out


def truce_scenario(title: str = "A declared truce", restraint: str = "Ankara calls for restraint") -> str:
    """A crisis with a declared ceasefire brokered by Russia (day 8), a scenario event that moves Turkey
    (day 15) and one that ends the ceasefire (day 22): whatever the rules do, a run of it has events, a
    ceasefire and its broker to draw and to tell. The title and a note can be set (e.g. to test escaping).
    """
    return f"""
[scenario]
extends = "baseline"
name = "truce"
title = {json.dumps(title)}
steps = 30

[[events]]
id = "truce"
step = 8
action = "declare_ceasefire"
broker = "RUS"
note = "Moscow announces a humanitarian truce"

[[events]]
id = "restraint"
step = 15
action = "shift"
actor = "TUR"
field = "alignment"
by = -0.3
note = {json.dumps(restraint)}

[[events]]
id = "shelling"
step = 22
action = "end_ceasefire"
note = "Shelling resumes across the line"
"""


def random_landscape(seed: int, n: int, configs: int = 0, biggest: float = 2.0):
    """Random sizes (0.2 to ``biggest``), symmetric propensities (zero diagonal), their affinity and splits."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.2, biggest, n)
    p = rng.uniform(-1, 1, (n, n))
    p = (p + p.T) / 2
    np.fill_diagonal(p, 0.0)
    return size, p, np.outer(size, size) * p, rng.random((configs, n)) < 0.5
