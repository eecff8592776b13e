"""The baseline at seed 2020 is pinned: any change of behaviour shows up here, on purpose or not.

After a deliberate change, rewrite the files with tests/golden/regenerate.py and review the diff.
"""

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("regenerate", HERE / "regenerate.py")
regenerate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("name", regenerate.PINNED)
def test_baseline_matches_golden_output(name):
    expected = (regenerate.GOLDEN / name).read_text(encoding="utf-8")
    assert regenerate.golden_files()[name] == expected
