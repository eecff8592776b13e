"""A damaged run directory (a file cut short, missing, empty, or with text where a number belongs) gets one
line naming the directory and what is wrong, and exit status 2, from every command that reads it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import truce_scenario

from sim.cli import main
from sim.io.files import OutputError
from sim.io.rundata import RunData
from sim.io.tables import RUN_FILES, run_tables


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sound")
    (folder / "truce.toml").write_text(truce_scenario(), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(folder / "truce.toml"), "--out", str(folder / "run"), "--no-plots"])
    assert result.exit_code == 0, result.output
    return folder / "run"


def a_word_for_a_number(text: str, name: str) -> str:
    """``text`` with its first number (after any header) replaced by a word."""
    if name == "summary.json":
        return re.sub(r'"steps": \d+', '"steps": "thirty"', text, count=1)
    if name == "scenario.toml":
        return re.sub(r"(\nalignment = )[-0-9.]+", r'\1"lots"', text, count=1)
    header, rest = text.split("\n", 1)
    return header + "\n" + re.sub(r"(?<![\w.])-?\d+(\.\d+)?(e[-+]?\d+)?(?![\w.])", "lots", rest, count=1)


DAMAGES = {
    "cut in half": lambda path: path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2]),
    "deleted": lambda path: path.unlink(),
    "empty": lambda path: path.write_bytes(b""),
    "a word for a number": lambda path: path.write_text(a_word_for_a_number(path.read_text("utf-8"), path.name),
                                                        encoding="utf-8"),
    "not UTF-8": lambda path: path.write_bytes(b"\xff\xfe" + path.read_bytes()),
}
#: The files of a run that its readers (`RunData`, so every command) read.
READ = (*run_tables(("ARM", "AZE")), "summary.json", "scenario.toml")
# A run need not have recorded contributions: without contributions.csv it is whole (`explain` says so).
CASES = [(name, damage) for name in READ for damage in DAMAGES if (name, damage) != ("contributions.csv", "deleted")]


def one_line_naming(result, directory: Path) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert str(directory) in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name, damage", CASES)
def test_every_command_says_in_one_line_what_is_damaged(sound, tmp_path, name, damage):
    broken = tmp_path / "broken"
    shutil.copytree(sound, broken)
    DAMAGES[damage](broken / name)
    commands = {"plot": ["plot", str(broken), "--out", str(tmp_path / "plots")],
                "report": ["report", str(broken)],
                "compare": ["compare", str(broken), str(sound), "--out", str(tmp_path / "compared")],
                "explain": ["explain", str(broken), "TUR"]}
    for command, args in commands.items():
        line = one_line_naming(CliRunner().invoke(main, args), broken)
        assert name in line or "dipsim run directory" in line, (command, line)
    assert not (tmp_path / "plots").exists() and not (tmp_path / "compared").exists()
    assert not (broken / "report.html").exists()


def files_of(directory: Path) -> dict[str, str]:
    return {name: (directory / name).read_text(encoding="utf-8") for name in RUN_FILES}


def edited(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    assert old in files[name]
    return {**files, name: files[name].replace(old, new, 1)}


def test_absurd_numbers_and_missing_rows_are_damage(sound):
    files = files_of(sound)
    RunData.from_files(files)                                       # sound as written
    line = files["timeseries.csv"].splitlines()[1]                  # day 0 of the first actor
    cells = line.split(",")
    huge = ",".join([*cells[:6], "1.7e308", *cells[7:]])            # its intensity past any plot's reach
    beyond = ",".join([*cells[:2], "1.5", *cells[3:]])              # its alignment beyond +1
    damaged = {
        "1.7e+308": edited(files, "timeseries.csv", line, huge),
        "outside [-1, 1]": edited(files, "timeseries.csv", line, beyond),
        "a row for each of the 14 actors": edited(files, "timeseries.csv", line + "\n", ""),
        "a row for each day": edited(files, "model.csv", "\n3,", "\n2,"),
        "each tie": edited(files, "ties.csv", "\n0,", "\n1,"),
        "do not add up": {**files, "contributions.csv": "".join(files["contributions.csv"].splitlines(True)[:-40])},
        "steps and seed": {**files, "summary.json": json.dumps({**json.loads(files["summary.json"]), "seed": -1})},
        "coalitions": {**files, "summary.json": json.dumps({**json.loads(files["summary.json"]), "coalitions": []})},
    }
    for expected, broken in damaged.items():
        with pytest.raises(OutputError, match=re.escape(expected)):
            RunData.from_files(broken)

