"""The baseline at seed 2020 is pinned, every data file of its run: any change of behaviour shows up here,
on purpose or not.

After a deliberate change, rewrite the files with tests/golden/regenerate.py and review the diff
(``--check`` says what changed without writing).
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


def test_the_check_mode_names_a_changed_file_and_its_first_changed_line(tmp_path, monkeypatch):
    for name, text in regenerate.golden_files().items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    monkeypatch.setattr(regenerate, "GOLDEN", tmp_path)
    assert regenerate.changes() == []
    lines = (tmp_path / "events.csv").read_text().splitlines(keepends=True)
    (tmp_path / "events.csv").write_text("".join(lines[:1] + ["0,event,TUR,an edited line\n"] + lines[1:]))
    assert regenerate.changes() == ["events.csv: 1 lines differ, first '-0,event,TUR,an edited line'"]


def test_summary_is_pinned_without_the_machines_versions():
    assert "versions" not in regenerate.golden_files()["summary.json"]
    assert '"scenario_sha256"' in regenerate.golden_files()["summary.json"]
