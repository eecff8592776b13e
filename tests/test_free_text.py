"""Free text (a scenario's title, actors' names, events' notes) is shown as written everywhere: in the plots
of a run, of a comparison, of an ensemble and of a sweep (a ``$`` is a dollar sign, not matplotlib's math
text), in report.html (escaped as HTML) and in report.md (escaped as Markdown)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import truce_scenario
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim import viz
from sim.cli import main
from sim.experiments import Experiment, Lever, conduct, grid_points
from sim.io.rundata import load_experiment, load_run
from sim.report.pages import COMPARE_FIGURES, compare_files
from sim.scenario import load

TITLE = r"A $2bn loan and $\bad$"
TURKEY, ARMENIA, RUSSIA = r"Turkey $\bad$", r"Armenia $x$", r"Russia $\alpha"
NOTE = "a $2bn loan and a $1bn grant <script>alert(1)</script>"

# The truce (a ceasefire brokered by Russia, an event that moves Turkey) with dollars in its texts.
DOLLARS = truce_scenario(TITLE, NOTE) + f"""
[[actors]]
id = "TUR"
name = {json.dumps(TURKEY)}

[[actors]]
id = "ARM"
name = {json.dumps(ARMENIA)}

[[actors]]
id = "RUS"
name = {json.dumps(RUSSIA)}
"""

pytestmark = pytest.mark.usefixtures("no_pyplot_figures")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dollars") / "dollars.toml"
    path.write_text(DOLLARS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rundir(scenario) -> Path:
    out = scenario.parent / "run"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    return out


def assert_literal(fig: Figure, *expected: str) -> None:
    """``fig`` draws (as a notebook would, outside any settings of ours) and renders; every text with a
    ``$`` is shown as written; each of ``expected`` is in some text."""
    fig.draw_without_rendering()
    texts = [t.get_text() for t in fig.findobj(Text)]
    dollars = [t for t in fig.findobj(Text) if "$" in t.get_text()]
    assert all(not t.get_parse_math() for t in dollars), [t.get_text() for t in dollars if t.get_parse_math()]
    for wanted in expected:
        assert any(wanted in text for text in texts), (wanted, texts)
    assert viz.render(fig, "png").startswith(b"\x89PNG")


def test_run_with_dollars_writes_plots_and_report(rundir):
    for name in viz.PLOTS.values():
        assert (rundir / "plots" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    page = (rundir / "report.html").read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in page and f"<h1>{TITLE}</h1>" in page
    assert "A $2bn loan and a $1bn grant &lt;script&gt;alert(1)&lt;/script&gt;." in page  # a sentence
    assert "<script" not in page
    md = (rundir / "report.md").read_text(encoding="utf-8")
    assert md.startswith(r"# A \$2bn loan and \$\\bad\$" + "\n")
    assert r"A \$2bn loan and a \$1bn grant \<script>alert(1)\</script>" in md  # no HTML


@pytest.mark.parametrize("name, expected", [
    ("alignment_over_time", [TITLE, TURKEY, NOTE[:20], f"backs {ARMENIA}"]),
    ("road_to_ceasefire", [ARMENIA, RUSSIA]),
    ("battlefield", [ARMENIA]),
    ("alignment_network", [f"coalition 1 (with {ARMENIA})", f"backs {ARMENIA}"]),
    ("what_moved_whom", [TURKEY, f"toward {ARMENIA}"]),
])
def test_run_plots_show_free_text_as_written(rundir, name, expected):
    assert_literal(getattr(viz, name)(load_run(rundir)), *expected)


def test_plots_on_given_axes_show_free_text_as_written(rundir):
    fig = Figure()
    ax = fig.add_subplot()                         # made before, with its own tick labels
    ax.yaxis.get_major_ticks(3)
    assert viz.what_moved_whom(load_run(rundir), ax) is fig
    assert_literal(fig, TURKEY)


def test_compare_shows_free_text_as_written(rundir, baseline_run):
    a, b = load_run(rundir), load_run(baseline_run)
    for stem, _ in COMPARE_FIGURES:
        assert_literal(getattr(viz, stem)(a, b), ARMENIA)
    page = compare_files(a, b)["compare.html"]
    assert f"A: {TITLE} (truce" in page and "&lt;script&gt;" in page and "<script" not in page


def test_ensemble_and_sweep_plots_show_free_text_as_written(scenario, tmp_path):
    spec = load(scenario)
    conduct(Experiment.ensemble(spec, 6), tmp_path / "ensemble", workers=1)
    ensemble = load_experiment(tmp_path / "ensemble")
    expected = {"alignment_fan": [ARMENIA, f"backs {ARMENIA}"], "ceasefire_day_distribution": [],
                "broker_shares": [RUSSIA], "coalition_frequency": [f"coalition 1 (with {ARMENIA})"]}
    assert viz.experiment_plot_names(ensemble) == list(expected)
    for name, wanted in expected.items():
        assert_literal(getattr(viz, name)(ensemble), *wanted)
    points = grid_points([Lever.parse(r"actors.TUR.name=Turkey $\bad$,Türkiye $1")])
    conduct(Experiment.at_points(scenario, points, 2), tmp_path / "sweep", workers=1)
    assert_literal(viz.sweep_outcome(load_experiment(tmp_path / "sweep")), TURKEY, "Türkiye $1")
