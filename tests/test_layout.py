"""The rooms of the package keep to their places: the core never imports what sits on top of it, and
reading or drawing a run directory never loads the simulator or its compiler."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: What the core and the rules stand on, never the other way round.
ABOVE_THE_CORE = ("sim.cli", "sim.model", "sim.agents", "sim.viz", "sim.report", "sim.experiments", "sim.io",
                  "sim.classroom", "sim.web", "sim.app")
#: The web stack: the class game's rules (sim.classroom) are kept free of it, so they run without a server.
WEB = ("starlette", "uvicorn", "jinja2", "solara", "segno", "sim.web", "sim.app", "sim.cli")
#: What reading, drawing and reporting must not load.
SIMULATOR = ("numba", "sim.core.engine", "sim.core.world", "sim.experiments", "sim.model", "mesa")


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports (at any depth in it, e.g. inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "sim" / "core").glob("*.py")) + sorted((ROOT / "sim" / "rules").glob("*.py")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_core_and_the_rules_import_nothing_above_them(path):
    above = [m for m in imported_modules(path) if m.startswith(ABOVE_THE_CORE)]
    assert not above, f"{path.name} imports {above}"


@pytest.mark.parametrize("path", sorted((ROOT / "sim" / "classroom").glob("*.py")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_class_games_rules_import_no_web_code(path):
    web = [m for m in imported_modules(path) if m.startswith(WEB)]
    assert not web, f"{path.name} imports {web}"


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from sim.viz import render\n", encoding="utf-8")
    assert "sim.viz" in imported_modules(source)


def loaded_after(code: str) -> set[str]:
    """The modules of `SIMULATOR` a fresh interpreter has loaded when ``code`` has run (and exited)."""
    probe = ("import atexit, sys\n"
             f"atexit.register(lambda: print(sorted(m for m in {SIMULATOR!r} if m in sys.modules)))\n{code}")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return set(ast.literal_eval(result.stdout.strip().splitlines()[-1]))


def test_reading_drawing_and_reporting_load_no_simulator():
    assert loaded_after("import sim.io.rundata, sim.viz, sim.report.pages, sim.report.explain, sim.scenario") == set()


def test_dipsim_plot_and_report_load_no_simulator(tmp_path):
    run = tmp_path / "run"
    assert CliRunner().invoke(main, ["run", "baseline", "--steps", "5", "--no-plots", "--out", str(run)]).exit_code == 0
    commands = (["plot", str(run)], ["report", str(run)], ["explain", str(run), "TUR"])
    calls = "".join(f"main({command!r}, standalone_mode=False)\n" for command in commands)
    assert loaded_after(f"from sim.cli import main\n{calls}") == set()
    assert (run / "report.html").is_file() and any((run / "plots").glob("*.png"))


def test_the_probe_sees_the_simulator_when_it_is_loaded():
    assert {"numba", "sim.core.engine"} <= loaded_after(
        "import numpy as np\nfrom sim.core.engine import Simulation\nfrom sim.scenario import load\n"
        "Simulation(load('baseline'), [np.random.default_rng(1)]).run(2)")
