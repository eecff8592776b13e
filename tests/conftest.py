"""Shared fixtures: a baseline run directory made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def baseline_run(tmp_path_factory) -> Path:
    """A run directory of the baseline at its own seed (read it, do not change it)."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = CliRunner().invoke(main, ["run", "baseline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out
