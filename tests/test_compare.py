"""`dipsim compare`: two runs' plots side by side and a table of the outcomes that differ."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim import viz
from sim.cli import main
from sim.io.rundata import load_run
from sim.report.pages import COMPARE_FIGURES, outcome_table

# Two what-ifs of one crisis: one where a truce is declared on day 5, one where it never is.
TRUCE = """
[scenario]
extends = "baseline"
name = "{name}"
title = "{title}"
steps = 20
{events}
"""
DECLARED = """
[[events]]
id = "truce"
step = 5
action = "declare_ceasefire"
broker = "UN"
note = "The Secretary-General announces a truce"
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("compare")
    out = []
    for name, title, events in (("quiet", "No truce", ""), ("truce", "A truce on day 5", DECLARED)):
        path = folder / f"{name}.toml"
        path.write_text(TRUCE.format(name=name, title=title, events=events), encoding="utf-8")
        result = CliRunner().invoke(main, ["run", str(path), "--out", str(folder / name), "--no-plots"])
        assert result.exit_code == 0, result.output
        out.append(folder / name)
    return out[0], out[1]


pytestmark = pytest.mark.usefixtures("no_pyplot_figures")


def test_outcome_table_says_what_differs(runs):
    a, b = (load_run(r) for r in runs)
    header, rows = outcome_table(a, b)
    assert header[:3] == ("outcome", "A", "B")
    table = {row[0]: row[1:] for row in rows}
    assert table["scenario"] == ("quiet", "truce", "differs")
    summaries = [json.loads((r / "summary.json").read_text(encoding="utf-8")) for r in runs]
    reached = ["yes" if s["outcomes"]["ceasefire_reached"] else "no" for s in summaries]
    assert table["ceasefire reached"][:2] == tuple(reached)
    assert reached[1] == "yes"
    assert table["first broker"][1] == b.name(summaries[1]["outcomes"]["first_broker"])
    assert table["signed under pressure"][:2] == tuple(str(s["outcomes"]["under_pressure"]) for s in summaries)
    for side in a.sides:                       # both what-ifs extend the baseline: they have a battlefield
        held = [s["outcomes"]["final_territory"][side] for s in summaries]
        lost = [s["outcomes"]["final_losses"][side] for s in summaries]
        assert table[f"contested area held at the end, {a.name(side)}"][:2] == tuple(f"{x:.2f}" for x in held)
        assert table[f"military deaths, {a.name(side)}"][:2] == tuple(str(round(x)) for x in lost)
    assert max(summaries[0]["outcomes"]["final_losses"].values()) > 0
    for actor in a.actor_ids:
        x, y, change = table[f"final alignment, {a.name(actor)}"]
        ends = [s["outcomes"]["final_alignment"][actor] for s in summaries]
        assert x.replace("\u2212", "-") == f"{ends[0]:.2f}" and y.replace("\u2212", "-") == f"{ends[1]:.2f}"
        assert change == "same" or float(change.replace("\u2212", "-")) == pytest.approx(
            round(ends[1], 2) - round(ends[0], 2), abs=1e-9)


def test_compare_figures_put_the_two_runs_side_by_side(runs):
    a, b = (load_run(r) for r in runs)
    fig = viz.compare_alignment(a, b)
    left, right = fig.axes[:2]
    for ax, run in ((left, a), (right, b)):
        lines = [line for line in ax.lines if (line.get_gid() or "").startswith("actor:")]
        assert len(lines) == len(run.actor_ids)
    assert [p.get_gid() for p in left.patches if (p.get_gid() or "").startswith("ceasefire:")] == [
        f"ceasefire:{c.start}" for c in a.ceasefires]
    assert [p.get_gid() for p in right.patches if (p.get_gid() or "").startswith("ceasefire:")] == [
        f"ceasefire:{c.start}" for c in b.ceasefires]
    assert "A:" in left.get_title(loc="left") and "B:" in right.get_title(loc="left")
    network = viz.compare_network(a, b)
    offsets = [{c.get_gid(): tuple(c.get_offsets()[0]) for c in ax.collections
                if (c.get_gid() or "").startswith("node:")} for ax in network.axes[:2]]
    assert offsets[0] == offsets[1]  # same actors: one layout
    assert len(viz.compare_ceasefire(a, b).axes) >= 6
    assert len(viz.compare_moves(a, b).axes) == 2


def test_compare_command_writes_plots_and_a_self_contained_page(runs, tmp_path):
    out = tmp_path / "what-if"
    result = CliRunner().invoke(main, ["compare", str(runs[0]), str(runs[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "outcomes differ" in result.output
    assert re.search(r"scenario\s+A quiet\s+B truce", result.output)
    for stem, _ in COMPARE_FIGURES:
        assert (out / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://|<link|<script", page)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == len(COMPARE_FIGURES)
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| ceasefire reached |" in md
    assert "The Secretary-General announces a truce" in md
    again = CliRunner().invoke(main, ["compare", str(runs[0]), str(runs[1]), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_compare_command_writes_other_formats_too(runs, tmp_path):
    out = tmp_path / "svg"
    result = CliRunner().invoke(main, ["compare", str(runs[0]), str(runs[1]), "--out", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.output
    for stem, _ in COMPARE_FIGURES:
        assert (out / f"{stem}.svg").read_bytes().lstrip().startswith(b"<?xml")
        assert (out / f"{stem}.png").is_file()  # compare.html shows the PNGs


def test_compare_command_rejects_a_folder_that_is_not_a_run(runs, tmp_path):
    result = CliRunner().invoke(main, ["compare", str(runs[0]), str(tmp_path), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "not a dipsim run directory" in result.output


def test_compared_roads_share_scales_that_hold_both_runs(tmp_path):
    quiet = CliRunner().invoke(main, ["run", "baseline", "--steps", "20", "--no-plots", "--out", str(tmp_path / "a"),
                                      "--set", "rules.escalation.grievance=[0.0, 0.0]"])
    loud = CliRunner().invoke(main, ["run", "baseline", "--steps", "20", "--no-plots", "--out", str(tmp_path / "b")])
    assert quiet.exit_code == 0 and loud.exit_code == 0
    a, b = load_run(tmp_path / "a"), load_run(tmp_path / "b")
    peak = max(float(r.field("intensity")[list(r.sides)].to_numpy().max()) for r in (a, b))
    for first, second in ((a, b), (b, a)):  # whichever run is drawn last
        fig = viz.compare_ceasefire(first, second)
        intensity_row = fig.axes[4:6]  # the 3 x 2 grid, row by row: the bottom row is intensity
        assert all(ax.get_ylim()[1] >= peak for ax in intensity_row), [ax.get_ylim() for ax in intensity_row]


def test_compare_plots_hold_long_names_and_many_events(tmp_path):
    """Long actor names and eleven event days on a month (issue 14): every side-by-side plot stays inside
    its figure, without constrained layout's warnings, the names shortened."""

    from test_plots import assert_clean_with_short_names, crowded_scenario

    scenario = tmp_path / "long.toml"
    scenario.write_text(crowded_scenario(), encoding="utf-8")
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        result = CliRunner().invoke(main, ["run", str(scenario), "--seed", seed, "--out", str(out), "--no-plots"])
        assert result.exit_code == 0, result.output
        runs.append(load_run(out))
    for plot in (viz.compare_alignment, viz.compare_ceasefire, viz.compare_moves, viz.compare_network):
        assert_clean_with_short_names(plot(*runs), plot.__name__)
