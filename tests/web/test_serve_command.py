"""`dipsim serve`: what it prints, the classroom file it keeps, and a user's mistakes (one line, exit 2).
The server itself is replaced by a stand-in that records the app it was given (the browser tests run
the real one)."""

from __future__ import annotations

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette

from sim.classroom.store import Store
from sim.cli import main
from sim.web import launch
from sim.web.launch import room_address


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setattr(launch, "plot_pool", lambda: None)        # the worker processes are tested apart
    return calls


def test_serve_prints_the_join_and_teacher_addresses_and_keeps_the_games_file(served, tmp_path):
    db = tmp_path / "room.sqlite"
    result = CliRunner().invoke(main, ["serve", "history-2020", "--db", str(db), "--port", "8123", "--no-explore"])
    assert result.exit_code == 0, result.output
    key = Store(db).teacher_key()
    assert "Students join at   http://127.0.0.1:8123/join" in result.output
    assert f"Teacher            http://127.0.0.1:8123/teacher/{key}" in result.output
    assert "▀" in result.output or "█" in result.output                      # the QR code
    (app, options), = served
    assert isinstance(app, Starlette) and options["host"] == "127.0.0.1" and options["port"] == 8123
    again = CliRunner().invoke(main, ["serve", "--db", str(db), "--no-explore"])
    assert f"/teacher/{key}" in again.output                                 # the same key after a restart


def test_serve_on_every_interface_prints_an_address_the_room_can_reach(served, tmp_path):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "c.sqlite"),
                                       "--no-explore"])
    assert result.exit_code == 0 and "http://0.0.0.0" not in result.output
    assert room_address("0.0.0.0", 80).startswith("http://") and room_address("::1", 80) == "http://[::1]:80"


def test_serve_refuses_a_file_that_is_not_its_own_and_leaves_it_alone(served, tmp_path):
    essay = tmp_path / "essay.sqlite"
    essay.write_text("my essay\n" * 100)
    result = CliRunner().invoke(main, ["serve", "--db", str(essay), "--no-explore"])
    assert result.exit_code == 2 and not served
    line, = result.output.strip().splitlines()
    assert line.startswith(f"dipsim: {essay}: not a dipsim classroom file")
    assert essay.read_text() == "my essay\n" * 100


@pytest.mark.parametrize("args", [["serve", "no-such-scenario"], ["serve", "--port", "70000"]])
def test_serve_with_a_mistake_is_one_line_and_exit_2(served, tmp_path, args):
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "c.sqlite"), "--no-explore"])
    assert result.exit_code == 2 and not served


def test_the_plot_workers_draw_a_game_plot_as_the_server_itself_would():
    import numpy as np

    from sim.core.engine import Simulation
    from sim.io.runfiles import run_files
    from sim.scenario import load
    from sim.web.views import render_plot

    files = run_files(Simulation(load("baseline"), [np.random.default_rng(3)]).run(5), 3)
    pool = launch.plot_pool(1)
    try:
        assert pool.submit(render_plot, files, "ceasefire").result(60) == render_plot(files, "ceasefire")
    finally:
        pool.shutdown()
