"""dipsim never deletes or overwrites what it did not write, whatever flag is given (adversarial cases
and a Hypothesis property over file trees), and leaves no staging or temporary files behind."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.io.files import (
    MANIFEST,
    OutputError,
    kind_of,
    locked,
    manifest_text,
    write_directory,
    write_file,
)

RUN = ("run", "baseline", "--steps", "3", "--no-plots")
ENSEMBLE = ("ensemble", "baseline", "--runs", "2", "--workers", "1", "--set", "scenario.steps=3", "--no-plots")
SWEEP = ("sweep", "baseline", "--vary", "rules.mediation.threshold=0.5,0.6", "--runs", "1", "--workers", "1",
         "--set", "scenario.steps=3", "--no-plots")


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below ``root``."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        found[relative] = None if path.is_dir() and not path.is_symlink() else (
            path.read_bytes() if path.is_file() else b"->" + os.readlink(path).encode())
    return found


def assert_one_line_refusal(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dipsim: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def teacher(tmp_path, monkeypatch):
    """A teacher's folder ``T``: a file, a sibling folder, a home directory, and the working directory
    ``T/inner`` (with a file of its own)."""
    root = tmp_path / "T"
    (root / "sib").mkdir(parents=True)
    (root / "sib" / "notes.txt").write_text("lesson notes")
    (root / "keep.txt").write_text("keep me")
    (root / "inner").mkdir()
    (root / "inner" / "draft.toml").write_text("# a draft")
    (root / "home").mkdir()
    (root / "home" / "thesis.tex").write_text("chapter 1")
    (root / "foreign").mkdir()
    (root / "foreign" / "data.csv").write_text("a,b\n1,2\n")
    (root / "a-file").write_text("not a folder")
    (root / "link").symlink_to(root / "sib")
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))  # matplotlib's own cache, not in HOME
    monkeypatch.chdir(root / "inner")
    return root


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    for seed in ("1", "2"):
        assert invoke(*RUN, "--seed", seed, "--out", root / seed).exit_code == 0
    return root / "1", root / "2"


#: --out targets dipsim must refuse to replace, and the words its one line must hold.
TARGETS = {
    ".": "working directory",
    "..": "holds the working directory",
    "../inner/..": "holds the working directory",
    "CWD": "working directory",
    "HOME": "home directory",
    "/": "",
    "../foreign": "",
    "../a-file": "not a directory",
    "../link": "symbolic link",
}


def target_path(root: Path, name: str) -> str:
    return {"CWD": str(root / "inner"), "HOME": str(root / "home")}.get(name, name)


@pytest.mark.parametrize("command", [RUN, ENSEMBLE, SWEEP], ids=["run", "ensemble", "sweep"])
@pytest.mark.parametrize("target", TARGETS)
def test_force_never_replaces_a_folder_dipsim_did_not_write(teacher, command, target):
    before = snapshot(teacher)
    result = invoke(*command, "--out", target_path(teacher, target), "--force")
    assert_one_line_refusal(result, TARGETS[target])
    assert snapshot(teacher) == before


@pytest.mark.parametrize("target", TARGETS)
def test_compare_and_plot_never_write_into_a_folder_dipsim_did_not_write(teacher, two_runs, target):
    before = snapshot(teacher)
    a, b = two_runs
    assert_one_line_refusal(invoke("compare", a, b, "--out", target_path(teacher, target), "--force"), TARGETS[target])
    assert_one_line_refusal(invoke("plot", a, "--out", target_path(teacher, target)))
    assert snapshot(teacher) == before


def test_force_replaces_only_a_folder_of_the_same_kind_holding_only_dipsims_files(teacher):
    assert invoke(*RUN, "--out", "../r").exit_code == 0
    assert kind_of(teacher / "r") == "run"
    assert invoke(*RUN, "--seed", "5", "--out", "../r", "--force").exit_code == 0
    assert "seed = 5" in (teacher / "r" / "scenario.toml").read_text()
    assert_one_line_refusal(invoke(*ENSEMBLE, "--out", "../r", "--force"), "a dipsim run directory")
    (teacher / "r" / "my-notes.txt").write_text("mine")
    before = snapshot(teacher)
    assert_one_line_refusal(invoke(*RUN, "--out", "../r", "--force"), "my-notes.txt", "did not write")
    assert snapshot(teacher) == before


def test_an_empty_folder_is_written_without_force_and_a_missing_one_is_made(teacher):
    (teacher / "empty").mkdir()
    assert invoke(*RUN, "--out", "../empty").exit_code == 0
    assert (teacher / "empty" / "summary.json").is_file()
    assert invoke(*ENSEMBLE, "--out", "../new/deeper").exit_code == 0
    assert kind_of(teacher / "new" / "deeper") == "ensemble"


def test_plot_out_writes_a_folder_of_plots_of_its_own_and_only_there(teacher, two_runs):
    a, _ = two_runs
    assert invoke("plot", a, "--out", "../slides").exit_code == 0
    assert kind_of(teacher / "slides") == "plots" and any((teacher / "slides").glob("*.png"))
    assert invoke("plot", a, "--out", "../slides").exit_code == 0  # its own folder: redrawn
    (teacher / "slides" / "talk.odp").write_text("slides")
    assert_one_line_refusal(invoke("plot", a, "--out", "../slides"), "talk.odp")


def test_plot_and_report_write_into_a_run_folder_only_when_dipsim_wrote_it(teacher, two_runs):
    copy = teacher / "copied-run"
    shutil.copytree(two_runs[0], copy)
    (copy / MANIFEST).unlink()
    before = snapshot(teacher)
    assert_one_line_refusal(invoke("plot", copy), "no .dipsim manifest")
    assert_one_line_refusal(invoke("report", copy), "no .dipsim manifest")
    assert snapshot(teacher) == before


def test_new_force_replaces_only_an_unedited_what_if(teacher):
    assert invoke("new", "calm").exit_code == 0
    assert invoke("new", "calm", "--force").exit_code == 0  # unedited: dipsim's own
    path = teacher / "inner" / "calm.toml"
    path.write_text(path.read_text().replace('title = "What if ...?"', 'title = "What if calm?"'))
    before = snapshot(teacher)
    assert_one_line_refusal(invoke("new", "calm", "--force"), "edited since")
    assert_one_line_refusal(invoke("new", "draft", "--force"), "not a file dipsim new wrote")
    assert snapshot(teacher) == before


def test_a_failed_write_leaves_no_staging_behind(teacher, monkeypatch):
    def broken(self, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(Path, "rename", broken)
    with pytest.raises(OSError):
        write_directory(teacher / "r", {"summary.json": "{}"}, "run")
    assert sorted(p.name for p in teacher.iterdir()) == sorted(["a-file", "foreign", "home", "inner", "keep.txt",
                                                                "link", "sib"])


def test_run_force_on_the_working_directory_leaves_nothing_behind(teacher):
    before = snapshot(teacher)
    for target in (".", "..", "../inner/.."):
        assert_one_line_refusal(invoke(*RUN, "--out", target, "--force"))
    assert snapshot(teacher) == before


def test_stale_staging_of_a_dead_dipsim_is_swept_and_a_users_lookalike_is_not(teacher):
    stale = teacher / ".r.partial-abc123"
    stale.mkdir()
    (stale / MANIFEST).write_text(manifest_text("run"))
    (stale / "timeseries.csv").write_text("half")
    lookalike = teacher / ".r.old-mine"
    lookalike.mkdir()
    (lookalike / "photo.jpg").write_text("mine")
    assert invoke(*RUN, "--out", "../r").exit_code == 0
    assert not stale.exists()
    assert (lookalike / "photo.jpg").read_text() == "mine"
    assert not [p for p in teacher.rglob("*") if p.name.endswith(".tmp")]


def test_staging_that_a_live_dipsim_holds_is_left_alone(teacher):
    live = teacher / ".r.partial-live"
    live.mkdir()
    (live / MANIFEST).write_text(manifest_text("run"))
    with locked(live):
        assert invoke(*RUN, "--out", "../r").exit_code == 0
        assert live.is_dir()


def test_a_second_dipsim_on_one_experiment_folder_is_refused(teacher):
    assert invoke(*ENSEMBLE, "--out", "../e").exit_code == 0
    in_flight = teacher / "e" / ".runs.csv.abc123.tmp"           # a file the live dipsim is writing
    in_flight.write_text("half")
    with locked(teacher / "e"):
        assert_one_line_refusal(invoke(*ENSEMBLE, "--out", "../e", "--force"), "another dipsim")
        assert_one_line_refusal(invoke(*ENSEMBLE, "--out", "../e", "--resume"), "another dipsim")
    assert in_flight.read_text() == "half"
    assert invoke(*ENSEMBLE, "--out", "../e", "--resume").exit_code == 0     # its own, once nobody holds it
    assert not in_flight.exists()


def test_resume_needs_a_dipsim_experiment_folder(teacher):
    before = snapshot(teacher)
    assert_one_line_refusal(invoke(*ENSEMBLE, "--out", "../foreign", "--resume"), "no .dipsim manifest")
    assert_one_line_refusal(invoke(*ENSEMBLE, "--out", "../missing", "--resume"), "nothing to resume")
    assert snapshot(teacher) == before


NAMES = st.text(alphabet="abcXYZ019._-", min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))
TREES = st.recursive(st.binary(max_size=16), lambda inner: st.dictionaries(NAMES, inner, min_size=1, max_size=3),
                     max_leaves=6)


def plant(path: Path, tree) -> None:
    if isinstance(tree, bytes):
        path.write_bytes(tree)
        return
    path.mkdir()
    for name, child in tree.items():
        plant(path / name, child)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(NAMES, TREES, min_size=1, max_size=4),
       command=st.sampled_from([RUN, ENSEMBLE, SWEEP]), force=st.booleans(), inside=st.booleans())
def test_for_any_out_target_the_files_dipsim_did_not_write_survive(tmp_path_factory, tree, command, force, inside):
    """A folder of any user's files (and any --out in or beside it): after any command, with or without
    --force, every file that was there is there, unchanged."""
    root = tmp_path_factory.mktemp("prop")
    plant(root / "target", tree)
    before = snapshot(root)
    out = root / "target" / next(iter(tree)) if inside else root / "target"
    result = invoke(*command, "--out", out, *(["--force"] if force else []))
    after = snapshot(root)
    for name, content in before.items():
        assert after.get(name, "gone") == content, (name, result.output)
    if result.exit_code != 0:
        assert result.exit_code == 2 and after == before, result.output


def test_the_lock_is_refused_with_one_line_and_released_with_the_process(tmp_path):
    with locked(tmp_path):
        with pytest.raises(OutputError, match="another dipsim"):
            with locked(tmp_path):
                pass
    with locked(tmp_path):  # released
        pass


def test_a_table_written_in_pieces_is_whole_or_absent(tmp_path):
    """A large table is written a chunk's rows at a time: the file appears only when every piece is in,
    and a failure halfway leaves the old file as it was and nothing half-written beside it."""
    target = tmp_path / "experiments.csv"
    write_file(target, (f"row {k}\n" for k in range(3)))
    assert target.read_text() == "row 0\nrow 1\nrow 2\n"

    def broken():
        yield "new row 0\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_file(target, broken())
    assert target.read_text() == "row 0\nrow 1\nrow 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiments.csv"]
