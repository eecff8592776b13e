"""The plots of ensembles and sweeps draw what their files say, on given Axes or their own Figure, and
leave no figure open; the commands write them and `dipsim plot` redraws them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import read_rows as rows
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from sim import viz
from sim.cli import main
from sim.experiments import Experiment, Lever, conduct, grid_points, latin_points
from sim.io.files import OutputError
from sim.io.rundata import ExperimentData, is_experiment, load_experiment
from sim.roles import NON_ALIGNED, SECOND, Role, channel_holders, roles
from sim.scenario import load
from sim.viz.experiment import NEUTRAL_COLOUR
from sim.viz.style import NON_ALIGNED_COLOUR, SIDE_COLOURS, SLIDE

RUNS = 30
#: Short runs whose mediation threshold is low enough for most, not all, to reach a ceasefire.
SHORT = ["scenario.steps=20", "rules.mediation.threshold=0.55"]
THRESHOLD, HURTING = "rules.mediation.threshold", "rules.mediation.hurting"


def sweep_experiment(points: list[dict], runs: int, sample: str = "grid") -> Experiment:
    return Experiment.at_points("baseline", points, runs, ["scenario.steps=20"], sample=sample)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """An ensemble, a sweep of one key, a grid of two keys and a Latin hypercube sample of two."""
    root = tmp_path_factory.mktemp("experiments")
    spec = load("baseline", SHORT)
    conduct(Experiment.ensemble(spec, RUNS), root / "ensemble", workers=1)
    conduct(sweep_experiment(grid_points([Lever.parse(f"{THRESHOLD}=0.5:0.7:3")]), 10), root / "line", workers=1)
    grid = grid_points([Lever.parse(f"{THRESHOLD}=0.5:0.7:3"), Lever.parse(f"{HURTING}=0.1,0.5")])
    conduct(sweep_experiment(grid, 10), root / "grid", workers=1)
    latin = latin_points([Lever.parse(f"{THRESHOLD}=0.5:0.7:2"), Lever.parse(f"{HURTING}=0.1:0.5:2")], 6, seed=5)
    conduct(sweep_experiment(latin, 5, "latin"), root / "latin", workers=1)
    return {name: root / name for name in ("ensemble", "line", "grid", "latin")}


@pytest.fixture(scope="module")
def ensemble(folders) -> ExperimentData:
    return load_experiment(folders["ensemble"])


@pytest.fixture(scope="module")
def grid(folders) -> ExperimentData:
    return load_experiment(folders["grid"])


pytestmark = pytest.mark.usefixtures("no_pyplot_figures")


# ------------------------------------------------------------------------------------ the data, read apart


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def by_gid(artists, prefix: str) -> dict[str, object]:
    return {a.get_gid(): a for a in artists if (a.get_gid() or "").startswith(prefix)}


def ys_of(collection) -> set[float]:
    return {round(float(y), 9) for path in collection.get_paths() for y in path.vertices[:, 1]}


def all_artists(fig: Figure, kind: str) -> list:
    return [a for ax in fig.axes for a in getattr(ax, kind)]


# ------------------------------------------------------------------------------------ loading

def test_loader_reads_an_ensemble_and_a_sweep(folders, ensemble, grid):
    assert ensemble.kind == "ensemble" and not ensemble.is_sweep
    assert len(ensemble.runs) == RUNS and ensemble.varied == ()
    assert ensemble.quantiles is not None and set(ensemble.quantiles["field"]) >= {"alignment"}
    assert ensemble.scenario.steps == 20 and ensemble.summary == summary(folders["ensemble"])
    assert grid.kind == "sweep" and grid.quantiles is None
    assert grid.varied == (THRESHOLD, HURTING)          # the order of --vary, not the table's sorted columns
    assert grid.sample == "grid" and load_experiment(folders["latin"]).sample == "latin"
    assert len(grid.runs) == 60 and list(grid.runs["point"].unique()) == list(range(6))
    table = grid.shares("lasting_ceasefire")
    points = summary(folders["grid"])["points"]
    assert list(table["p"]) == [p["probabilities"]["lasting_ceasefire"]["p"] for p in points]
    assert is_experiment(folders["grid"]) and not is_experiment(folders["grid"] / "chunks")


def test_loader_says_in_one_line_when_a_folder_is_not_an_experiment(tmp_path):
    for folder in (tmp_path, tmp_path / "missing"):
        with pytest.raises(OutputError, match="not a dipsim ensemble or sweep directory") as found:
            ExperimentData.load(folder)
        assert "\n" not in str(found.value)
    (tmp_path / "runs.csv").write_text("run,seed\n", encoding="utf-8")
    with pytest.raises(OutputError, match="no summary.json"):
        ExperimentData.load(tmp_path)


# ------------------------------------------------------------------------------------ ensembles

def test_fan_draws_each_actors_quantiles(folders, ensemble):
    fig = viz.alignment_fan(ensemble)
    medians = by_gid(all_artists(fig, "lines"), "median:")
    assert sorted(medians) == sorted(f"median:{a}" for a in ensemble.actor_ids)   # one panel per actor
    table = [r for r in rows(folders["ensemble"] / "quantiles.csv") if r["field"] == "alignment"]
    for actor in ("ARM", "RUS", "USA"):
        mine = [r for r in table if r["actor"] == actor]
        line = medians[f"median:{actor}"]
        assert list(line.get_xdata()) == [int(r["step"]) for r in mine]
        assert np.allclose(line.get_ydata(), [float(r["q50"]) for r in mine])
        bands = by_gid(all_artists(fig, "collections"), "band")
        for low, high in (("q05", "q95"), ("q25", "q75")):
            drawn = ys_of(bands[f"band{low[1:]}-{high[1:]}:{actor}"])
            assert drawn == {round(float(r[q]), 9) for r in mine for q in (low, high)}
    # Coloured by what the median does at the end (sim.roles): the side it backs, or the neutral grey.
    assert medians["median:ARM"].get_color() == SIDE_COLOURS[0]
    assert medians["median:AZE"].get_color() == SIDE_COLOURS[1]
    assert medians["median:USA"].get_color() == NEUTRAL_COLOUR == NON_ALIGNED_COLOUR
    assert tuple(fig.get_size_inches()) == SLIDE


def test_fan_groups_actors_by_what_they_do_with_the_rule_every_plot_uses(ensemble):
    found = ensemble.roles()
    medians = {a: float(ensemble.fan(a)["q50"].iloc[-1]) for a in ensemble.actor_ids}
    assert found == roles(ensemble.sides, medians,
                          {a: float(ensemble.fan(a, "ceasefire")["q50"].iloc[-1]) for a in ensemble.actor_ids},
                          channel_holders(ensemble.scenario.ties))
    outsiders = ("UN", "EU", "USA", "VAT", "IRN")
    assert all(found[a] == Role(NON_ALIGNED, True) for a in outsiders)          # non-aligned mediators
    assert found["TUR"].group == found["PAK"].group == SECOND
    fig = viz.alignment_fan(ensemble)
    lines = by_gid(all_artists(fig, "lines"), "median:")
    for actor in outsiders:
        assert lines[f"median:{actor}"].get_color() == NON_ALIGNED_COLOUR
    for actor in ("TUR", "PAK"):
        assert lines[f"median:{actor}"].get_color() == SIDE_COLOURS[1]
    assert set(by_gid(all_artists(fig, "lines"), "mediator:")) == {f"mediator:{a}" for a, r in found.items()
                                                                    if r.mediator}
    # The panels run group by group: backs Armenia, non-aligned, backs Azerbaijan.
    by_name = {ensemble.name(a): a for a in ensemble.actor_ids}
    panels = [by_name[ax.get_title(loc="left")] for ax in fig.axes if ax.get_title(loc="left") in by_name]
    assert [found[a].group for a in panels] == sorted(found[a].group for a in panels)
    legend = [t.get_text() for leg in fig.findobj(Legend) for t in leg.get_texts()]
    assert "backs Azerbaijan (3)" in legend and any(t.startswith("non-aligned (mediator)") for t in legend)


def test_ceasefire_days_histogram_counts_the_runs_and_says_how_many_never_did(folders, ensemble):
    table = rows(folders["ensemble"] / "runs.csv")
    days = [int(r["first_ceasefire_day"]) for r in table if r["ceasefire_reached"] == "1"]
    never = RUNS - len(days)
    assert 0 < never < RUNS                         # the fixture has both
    ax = viz.ceasefire_day_distribution(ensemble).axes[0]
    bars = by_gid(ax.patches, "days:")
    assert sum(bar.get_height() for bar in bars.values()) == len(days)
    for bar in bars.values():
        left, right = bar.get_x(), bar.get_x() + bar.get_width()
        assert bar.get_height() == sum(left <= d < right for d in days)
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert f"never reached one in 20 days: {never} of {RUNS} runs" in legend
    median = by_gid(ax.lines, "median")["median"]
    assert median.get_xdata()[0] == np.median(days)


def test_broker_bars_are_the_summarys_shares(folders, ensemble):
    brokers = summary(folders["ensemble"])["brokers"]
    ax = viz.broker_shares(ensemble).axes[0]
    bars = by_gid(ax.patches, "broker:")
    for actor, share in brokers.items():
        assert bars[f"broker:{actor}"].get_width() == pytest.approx(share)
    # Every actor that is not a side has a row, named; those that never brokered one have none.
    mediators = [a for a in ensemble.actor_ids if a not in ensemble.sides]
    assert set(bars) == {f"broker:{a}" for a in mediators}
    assert {t.get_text() for t in ax.get_yticklabels()} == {ensemble.name(a) for a in mediators}
    assert all(bars[f"broker:{a}"].get_width() == 0 for a in mediators if a not in brokers)


def test_broker_bars_count_ceasefires_declared_without_a_broker(ensemble):
    changed = dataclasses.replace(ensemble, summary={**ensemble.summary, "brokers": {"RUS": 0.6, "USA": 0.3}})
    bars = by_gid(viz.broker_shares(changed).axes[0].patches, "broker:")
    assert bars["broker:RUS"].get_width() == 0.6 and bars["broker:USA"].get_width() == 0.3
    assert bars["broker:"].get_width() == pytest.approx(0.1)


def test_coalition_bars_are_the_summarys_shares_labelled_as_coalitions(folders, ensemble):
    shares = summary(folders["ensemble"])["coalitions"]
    fig = viz.coalition_frequency(ensemble)
    bars = by_gid(all_artists(fig, "patches"), "split:")
    widths = {k: bar.get_width() for k, bar in bars.items()}
    assert widths == pytest.approx({f"split:{k}": v for k, v in shares.items()})
    for split in shares:
        label = " ".join(" ".join(t.get_text() for t in all_artists(fig, "texts")
                                  if t.get_gid() == f"split-label:{split}").split())     # the lines, unwrapped
        assert "coalition 1 (with Armenia)" in label and "coalition 2 (with Azerbaijan)" in label
        assert "camp" not in label
        for actor in split.replace("|", " ").split():
            assert ensemble.name(actor) in label or actor in label


def test_coalition_frequency_sums_the_rarest_splits(ensemble):
    many = {f"ARM X{k} | AZE": 0.1 for k in range(10)}
    changed = dataclasses.replace(ensemble, summary={**ensemble.summary, "coalitions": many})
    bars = by_gid(viz.coalition_frequency(changed, most=4).axes[-1].patches, "split:")
    assert bars["split:others"].get_width() == pytest.approx(0.6) and len(bars) == 5


# ------------------------------------------------------------------------------------ sweeps

def test_sweep_line_and_band_are_each_points_share_and_interval(folders):
    data = load_experiment(folders["line"])
    points = summary(folders["line"])["points"]
    ax = viz.sweep_outcome(data).axes[0]
    line = by_gid(ax.lines, "share:")["share:all"]
    assert list(line.get_xdata()) == [p["levers"][THRESHOLD] for p in points]
    assert list(line.get_ydata()) == [p["probabilities"]["ceasefire_reached"]["p"] for p in points]
    band = by_gid(ax.collections, "band:")["band:all"]
    assert ys_of(band) == {round(v, 9) for p in points for v in p["probabilities"]["ceasefire_reached"]["ci95"]}
    assert ax.get_xlabel() == THRESHOLD


def test_sweep_of_two_keys_draws_a_line_per_value_of_the_second(folders, grid):
    points = summary(folders["grid"])["points"]
    ax = viz.sweep_outcome(grid, "lasting_ceasefire").axes[0]
    lines = by_gid(ax.lines, "share:")
    assert sorted(lines) == ["share:0.1", "share:0.5"]
    for value in (0.1, 0.5):
        mine = [p for p in points if p["levers"][HURTING] == value]
        assert list(lines[f"share:{value:g}"].get_ydata()) == [p["probabilities"]["lasting_ceasefire"]["p"]
                                                               for p in mine]
        segments = [s for c in by_gid(ax.collections, f"interval:{value:g}").values() for s in c.get_segments()]
        assert np.allclose(sorted(tuple(s[:, 1]) for s in segments),
                           sorted(tuple(p["probabilities"]["lasting_ceasefire"]["ci95"]) for p in mine))
    assert ax.get_legend().get_title().get_text() == HURTING


def test_heatmap_is_the_grid_of_shares(folders, grid):
    points = summary(folders["grid"])["points"]
    ax = viz.sweep_heatmap(grid).axes[0]
    image = next(i for i in ax.images if i.get_gid() == "heatmap")
    expected = np.array([[next(p["probabilities"]["ceasefire_reached"]["p"] for p in points
                               if p["levers"] == {THRESHOLD: t, HURTING: h}) for t in (0.5, 0.6, 0.7)]
                         for h in (0.1, 0.5)])
    assert np.array_equal(np.asarray(image.get_array()), expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "0.6", "0.7"]
    assert image.get_cmap().name == "viridis"
    cells = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("cell:")}
    assert cells["cell:1:0"] == f"{expected[1, 0] * 100:.0f}%"


def test_latin_sample_is_scattered_with_error_bars_and_has_no_heatmap(folders):
    data = load_experiment(folders["latin"])
    points = summary(folders["latin"])["points"]
    fig = viz.sweep_outcome(data)
    for key in (THRESHOLD, HURTING):
        found = by_gid(all_artists(fig, "lines"), f"points:{key}")[f"points:{key}"]
        assert list(found.get_xdata()) == [p["levers"][key] for p in points]
        assert list(found.get_ydata()) == [p["probabilities"]["ceasefire_reached"]["p"] for p in points]
    assert viz.experiment_plot_names(data) == ["sweep_outcome"]
    with pytest.raises(ValueError, match="grid of two"):
        viz.sweep_heatmap(data)


# ------------------------------------------------------------------------------------ given Axes, files

def test_every_plot_draws_on_given_axes(ensemble, grid):
    for draw, data in ((viz.alignment_fan, ensemble), (viz.ceasefire_day_distribution, ensemble),
                       (viz.broker_shares, ensemble), (viz.coalition_frequency, ensemble),
                       (viz.sweep_outcome, grid), (viz.sweep_heatmap, grid)):
        fig = Figure()
        ax = fig.add_subplot()
        assert draw(data, ax=ax) is fig
        assert ax.has_data(), draw.__name__
    fig = Figure()
    panels = fig.subplots(1, 3)
    viz.alignment_fan(ensemble, list(panels), actors=["ARM", "RUS", "AZE"])
    assert [by_gid(p.lines, "median:").popitem()[0] for p in panels] == ["median:ARM", "median:RUS", "median:AZE"]


def test_experiment_plot_files_are_the_right_set(ensemble, grid):
    files = viz.experiment_plot_files(ensemble)
    assert list(files) == [f"plots/{name}.png" for name in viz.ENSEMBLE_PLOTS]
    assert all(content.startswith(b"\x89PNG") for content in files.values())
    assert list(viz.experiment_plot_files(grid, "svg", folder="")) == ["sweep_outcome.svg", "sweep_heatmap.svg"]


def test_a_sweeps_plots_show_the_outcome_asked_for(folders, grid):
    data = load_experiment(folders["line"])
    points = summary(folders["line"])["points"]
    line = by_gid(viz.sweep_outcome(data, "lasting_ceasefire").axes[0].lines, "share:")["share:all"]
    assert list(line.get_ydata()) == [p["probabilities"]["lasting_ceasefire"]["p"] for p in points]
    drawn = viz.experiment_plot_files(grid, "svg", folder="", outcome="lasting_ceasefire")
    assert all(b"ended with a ceasefire in force" in svg for svg in drawn.values())
    assert not any(b"reached a ceasefire" in svg for svg in drawn.values())


# ------------------------------------------------------------------------------------ the commands

def test_ensemble_and_sweep_commands_write_their_plots(tmp_path):
    short = ["--workers", "1", "--set", "scenario.steps=10"]
    result = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "4", *short, "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "e" / "plots").iterdir()) == sorted(
        f"{name}.png" for name in viz.ENSEMBLE_PLOTS)
    result = CliRunner().invoke(main, ["ensemble", "baseline", "--runs", "4", *short, "--no-plots",
                                       "--out", str(tmp_path / "quiet")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "quiet" / "plots").exists()
    result = CliRunner().invoke(main, ["sweep", "baseline", "--vary", f"{THRESHOLD}=0.5,0.7", "--vary",
                                       f"{HURTING}=0.1,0.5", "--runs", "2", *short, "--format", "svg",
                                       "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s" / "plots").iterdir()) == ["sweep_heatmap.svg", "sweep_outcome.svg"]
    assert b"reached a ceasefire" in (tmp_path / "s" / "plots" / "sweep_outcome.svg").read_bytes()
    result = CliRunner().invoke(main, ["sweep", "baseline", "--vary", f"{THRESHOLD}=0.5,0.7", "--runs", "2", *short,
                                       "--format", "svg", "--outcome", "lasting_ceasefire", "--out", str(tmp_path / "l")])
    assert result.exit_code == 0, result.output
    assert b"ended with a ceasefire in force" in (tmp_path / "l" / "plots" / "sweep_outcome.svg").read_bytes()


def test_plot_command_draws_a_sweeps_plots_for_the_outcome_asked(folders, tmp_path):
    out = tmp_path / "breakdown"
    result = CliRunner().invoke(main, ["plot", str(folders["line"]), "--format", "svg", "--outcome", "breakdown",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert b"saw a ceasefire break down" in (out / "sweep_outcome.svg").read_bytes()


def test_plot_command_draws_an_ensemble_and_a_sweep(folders, tmp_path):
    for name, expected in (("ensemble", viz.ENSEMBLE_PLOTS), ("line", ["sweep_outcome"])):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["plot", str(folders[name]), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.glob("*.png")) == sorted(f"{n}.png" for n in expected)
        assert (out / f"{expected[0]}.png").read_bytes().startswith(b"\x89PNG")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "experiments.csv").write_text("point\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["plot", str(tmp_path / "broken")])
    assert result.exit_code == 2 and "not a complete dipsim ensemble or sweep directory" in result.output
    assert "Traceback" not in result.output


def test_fan_and_ensemble_plots_hold_long_names(tmp_path):
    """Long actor names (issue 14): the fan's panel titles, legend and axis, the brokers and coalitions stay
    inside the figure, without constrained layout's warnings, each actor under its short display name."""

    from test_plots import assert_clean_with_short_names, crowded_scenario

    scenario = tmp_path / "long.toml"
    scenario.write_text(crowded_scenario(), encoding="utf-8")
    out = tmp_path / "ensemble"
    result = CliRunner().invoke(main, ["ensemble", str(scenario), "--runs", "4", "--workers", "1", "--out", str(out),
                                       "--no-plots"])
    assert result.exit_code == 0, result.output
    data = load_experiment(out)
    for name in viz.experiment_plot_names(data):
        assert_clean_with_short_names(getattr(viz, name)(data), name)
    titles = {ax.get_title(loc="left") for ax in viz.alignment_fan(data).axes}
    assert {"WEST", "European Union", "Eastern Federation", "MED"} <= titles
