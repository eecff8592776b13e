"""The plots draw what the run's data say, on given Axes or their own Figure, and leave no figure open."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import read_rows, truce_scenario
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from sim import viz
from sim.cli import main
from sim.io.rundata import load_run
from sim.roles import COALITION_CAVEAT, NON_ALIGNED, SECOND, Role, roles
from sim.viz.network import MOST_NODES, network_layout
from sim.viz.run import spread
from sim.viz.style import (
    ALIGNMENT_CMAP,
    DPI,
    FRIENDLY,
    GROUP_COLOURS,
    HOSTILE,
    NON_ALIGNED_COLOUR,
    SIDE_COLOURS,
    SLIDE,
    prominent,
)

# A crisis with a declared ceasefire (and a broker), a scenario event that moves an actor and one that
# ends the ceasefire: whatever the rules do, the run has events, a ceasefire and its broker to draw.
TRUCE = truce_scenario()

# The same without a mediation rule: no threshold to draw.
NO_MEDIATION = TRUCE.replace('name = "truce"', 'name = "truce-no-mediation"') + """
[[rules]]
rule = "mediation"
remove = true
"""


def make_run(folder: Path, text: str, *extra: str) -> Path:
    scenario = folder / "scenario-under-test.toml"
    scenario.write_text(text, encoding="utf-8")
    out = folder / "run"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def rundir(tmp_path_factory) -> Path:
    return make_run(tmp_path_factory.mktemp("truce"), TRUCE)


@pytest.fixture(scope="module")
def run(rundir):
    return load_run(rundir)


pytestmark = pytest.mark.usefixtures("no_pyplot_figures")


# ------------------------------------------------------------------------------------ the data, read apart

def rows(rundir: Path, name: str) -> list[dict[str, str]]:
    return read_rows(rundir / name)


def summary(rundir: Path) -> dict:
    return json.loads((rundir / "summary.json").read_text(encoding="utf-8"))


def ceasefire_periods(rundir: Path) -> tuple[list[int], list[int]]:
    """The days ceasefires start and end, from model.csv's counters alone."""
    model = rows(rundir, "model.csv")
    starts, ends = [], []
    before = {"ceasefire_count": 0.0, "breakdowns": 0.0}
    for row in model:
        if float(row["ceasefire_count"]) > before["ceasefire_count"]:
            starts.append(int(row["step"]))
        if float(row["breakdowns"]) > before["breakdowns"]:
            ends.append(int(row["step"]))
        before = {k: float(row[k]) for k in before}
    return starts, ends


def by_gid(artists, prefix: str) -> dict[str, object]:
    return {a.get_gid(): a for a in artists if (a.get_gid() or "").startswith(prefix)}


def draw(fig: Figure) -> FigureCanvasAgg:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas


# ------------------------------------------------------------------------------------ alignment over time

def test_alignment_draws_one_line_per_actor_coloured_by_what_it_does_at_the_end(run, rundir):
    fig = viz.alignment_over_time(run)
    ax = fig.axes[0]
    lines = by_gid(ax.lines, "actor:")
    actors = [a.id for a in run.scenario.actors]
    assert sorted(lines) == sorted(f"actor:{a}" for a in actors)
    series = defaultdict(list)
    for row in rows(rundir, "timeseries.csv"):
        series[row["actor"]].append(float(row["alignment"]))
    for actor in actors:
        np.testing.assert_allclose(lines[f"actor:{actor}"].get_ydata(), series[actor])
    # Coloured by what each does on the last day (sim.roles), never by its landscape coalition.
    last = [r for r in rows(rundir, "ties.csv") if int(r["step"]) == run.steps and r["active"] == "1"]
    ceasefire = {r["actor"]: float(r["ceasefire"]) for r in rows(rundir, "timeseries.csv")
                 if int(r["step"]) == run.steps}
    found = roles(run.sides, {a: series[a][-1] for a in actors}, ceasefire,
                  {r["source"] for r in last if r["kind"] in ("mediation", "peacekeeping")})
    assert found == run.roles("end")
    colour = {a: to_hex(lines[f"actor:{a}"].get_color()) for a in actors}
    for a in actors:
        assert colour[a] == GROUP_COLOURS[found[a].group].lower(), a
    first, second = run.sides
    assert colour[first] == SIDE_COLOURS[0].lower() and colour[second] == SIDE_COLOURS[1].lower()


# The outsiders at alignment 0 in the baseline: landscape theory puts them in a coalition with Armenia.
OUTSIDERS = ("UN", "EU", "USA", "VAT", "IRN")


def test_the_baselines_outsiders_are_drawn_and_listed_non_aligned_never_under_a_side(baseline_run):
    data = load_run(baseline_run)
    found = data.roles("end")
    assert all(found[a] == Role(NON_ALIGNED, True) for a in OUTSIDERS)           # non-aligned mediators
    assert found["TUR"].group == found["PAK"].group == SECOND
    assert any(set(OUTSIDERS) <= set(group) and "ARM" in group for group in data.coalitions("end"))
    fig = viz.alignment_over_time(data)
    ax = fig.axes[0]
    lines = by_gid(ax.lines, "actor:")
    for actor in OUTSIDERS:
        assert to_hex(lines[f"actor:{actor}"].get_color()) == NON_ALIGNED_COLOUR.lower()
    for actor in ("TUR", "PAK"):
        assert to_hex(lines[f"actor:{actor}"].get_color()) == SIDE_COLOURS[1].lower()
    assert set(by_gid(ax.lines, "mediator:")) == {f"mediator:{a}" for a, r in found.items() if r.mediator}
    legend = [t.get_text() for leg in fig.findobj(Legend) for t in leg.get_texts()]
    assert "non-aligned (mediator) (8) at the end" in legend and "backs Azerbaijan (3) at the end" in legend
    assert not any("camp" in t for t in legend)
    network = viz.alignment_network(data)
    end = network.axes[1]
    rings = {gid.split(":")[1]: to_hex(n.get_edgecolor()[0]) for gid, n in by_gid(end.collections, "node:").items()}
    assert all(rings[a] == NON_ALIGNED_COLOUR.lower() for a in OUTSIDERS)
    assert rings["TUR"] == rings["PAK"] == SIDE_COLOURS[1].lower()
    assert set(by_gid(end.lines, "mediator:")) == {f"mediator:{a}" for a, r in found.items() if r.mediator}
    entries = [t.get_text() for t in end.get_legend().get_texts()]
    assert "coalition 1 (with Armenia) (11)" in entries and "mediator (non-aligned)" in entries
    assert not any("camp" in t for t in entries)
    caveat = " ".join(t.get_text() for t in by_gid(end.texts, "coalition-caveat").values()).replace("\n", " ")
    assert COALITION_CAVEAT in caveat


def test_alignment_labels_every_line_at_its_end_without_overlap(run):
    fig = viz.alignment_over_time(run)
    ax = fig.axes[0]
    labels = by_gid(ax.texts, "label:")
    assert {t.get_text() for t in labels.values()} == {a.name for a in run.scenario.actors}
    for gid, text in labels.items():
        line = ax.lines[[drawn.get_gid() for drawn in ax.lines].index(gid.replace("label:", "actor:"))]
        assert text.get_color() == line.get_color()
        assert text.xy == pytest.approx((line.get_xdata()[-1], line.get_ydata()[-1]))
    renderer = draw(fig).get_renderer()
    boxes = sorted((Text.get_window_extent(t, renderer) for t in labels.values()), key=lambda b: b.y0)  # no leader
    for lower, upper in zip(boxes, boxes[1:]):
        assert upper.y0 >= lower.y1 - 0.5, "end labels overlap"
    assert all(t.get_fontsize() >= 11 for t in labels.values())


def test_alignment_names_the_sides_on_the_axis(run):
    ax = viz.alignment_over_time(run).axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    first, second = (run.scenario.actor(s).name for s in run.sides)
    assert any(f"backs {first}" in t for t in ticks)
    assert any(f"backs {second}" in t for t in ticks)
    assert ax.get_ylim()[0] < -1 and ax.get_ylim()[1] > 1


def test_alignment_marks_events_and_shades_ceasefires(run, rundir):
    ax = viz.alignment_over_time(run).axes[0]
    events = rows(rundir, "events.csv")
    marked_days = {int(r["step"]) for r in events if r["kind"] in ("event", "tie")}
    assert marked_days, "the test scenario has events"
    markers = by_gid(ax.lines, "event:")
    assert {int(m.get_xdata()[0]) for m in markers.values()} == marked_days
    assert all(m.get_xdata()[0] == m.get_xdata()[1] for m in markers.values())  # vertical lines
    assert len(by_gid(ax.texts, "event-number:")) == len(marked_days)
    starts, ends = ceasefire_periods(rundir)
    assert starts, "the test scenario declares a ceasefire"
    spans = by_gid(ax.patches, "ceasefire:")
    assert sorted(int(gid.split(":")[1]) for gid in spans) == starts
    last = max(int(r["step"]) for r in rows(rundir, "model.csv"))
    for k, start in enumerate(starts):            # each ends before the next comes: the k-th end is the k-th's
        span, end = spans[f"ceasefire:{start}"], ends[k] if k < len(ends) else last
        assert span.get_x() == pytest.approx(start)
        assert span.get_x() + span.get_width() == pytest.approx(max(end, start + 0.4))
    assert sorted(int(gid.split(":")[1]) for gid in by_gid(ax.lines, "breakdown:")) == ends
    key = by_gid(ax.get_children(), "event-key")
    assert key, "the numbered events are listed under the plot"
    key_text = " ".join(t.get_text() for legend in key.values() for t in legend.get_texts())
    for row in events:
        if row["kind"] == "event":
            assert row["note"] in key_text


def test_alignment_draws_on_a_given_axes(run):
    fig = Figure()
    ax = fig.add_subplot()
    assert viz.alignment_over_time(run, ax) is ax.figure
    assert len(by_gid(ax.lines, "actor:")) == len(run.scenario.actors)
    assert fig.axes == [ax]


def test_alignment_figure_is_slide_sized(run):
    fig = viz.alignment_over_time(run)
    assert tuple(fig.get_size_inches()) == SLIDE
    assert fig.dpi == DPI
    assert fig.get_suptitle()
    assert fig.axes[0].get_xlabel() == ("day" if run.scenario.start is None else
                                        f"day (day 0 = {run.scenario.start:%-d %B %Y})")


# ------------------------------------------------------------------------------------ the road to a ceasefire

def test_road_to_ceasefire_shows_willingness_threshold_pressure_and_intensity(run, rundir):
    fig = viz.road_to_ceasefire(run)
    top, middle, bottom = fig.axes[:3]
    series = defaultdict(lambda: defaultdict(list))
    for row in rows(rundir, "timeseries.csv"):
        for field in ("ceasefire", "pressure", "intensity"):
            series[field][row["actor"]].append(float(row[field]))
    for side in run.sides:
        np.testing.assert_allclose(by_gid(top.lines, f"willingness:{side}")[f"willingness:{side}"].get_ydata(),
                                   series["ceasefire"][side])
        np.testing.assert_allclose(by_gid(bottom.lines, f"intensity:{side}")[f"intensity:{side}"].get_ydata(),
                                   series["intensity"][side])
    threshold = next(r.params["threshold"] for r in run.scenario.rules if r.rule == "mediation")
    line = by_gid(top.lines, "threshold")["threshold"]
    assert set(line.get_ydata()) == {threshold}
    pressing = by_gid(middle.lines, "pressure:")
    means = {a: np.mean(v) for a, v in series["pressure"].items() if a not in run.sides}
    hardest = max(means, key=means.get)
    np.testing.assert_allclose(pressing[f"pressure:{hardest}"].get_ydata(), series["pressure"][hardest])
    assert len(pressing) <= 6
    # Ceasefires shaded on every panel, their brokers written on the top one.
    starts, ends = ceasefire_periods(rundir)
    for ax in (top, middle, bottom):
        assert sorted(int(g.split(":")[1]) for g in by_gid(ax.patches, "ceasefire:")) == starts
        assert sorted(int(g.split(":")[1]) for g in by_gid(ax.lines, "breakdown:")) == ends
    tags = " ".join(t.get_text() for t in by_gid(top.texts, "tag:").values())
    broker = run.scenario.actor("RUS").name
    assert broker in tags


@pytest.mark.parametrize("which", ["truce", "history"])
def test_road_to_ceasefire_marks_how_each_ceasefire_came_and_names_its_brokers(which, rundir, history_run):
    folder = {"truce": rundir, "history": history_run}[which]
    data = load_run(folder)
    fig = viz.road_to_ceasefire(data)
    top = fig.axes[0]
    table = rows(folder, "ceasefires.csv")
    marks = by_gid(top.lines, "came:")
    assert sorted(marks) == sorted(f"came:{r['start']}:{r['came']}" for r in table)
    shape = {gid.split(":")[2]: mark.get_marker() for gid, mark in marks.items()}
    assert len(shape) >= 2 and len(set(shape.values())) == len(shape)   # each way a ceasefire comes its own mark
    assert {"truce": {"declared", "ripe"}, "history": {"pressure", "ripe"}}[which] <= set(shape)
    legend = " | ".join(t.get_text() for t in fig.legends[0].get_texts())
    words = {"ripe": "both sides wanted", "pressure": "signed under pressure", "declared": "declared"}
    assert all(words[came] in legend for came in shape)
    # Each ceasefire's tag (where there is room for it) names its leading broker; one is written at least.
    leading = {int(r["start"]): data.name(r["brokers"].split()[0]) for r in table if r["brokers"]}
    tags = by_gid(top.texts, "tag:start:")
    assert tags
    for gid, text in tags.items():
        assert leading[int(gid.split(":")[2])] in text.get_text()


def test_road_to_ceasefire_without_mediation_has_no_threshold(tmp_path):
    data = load_run(make_run(tmp_path, NO_MEDIATION, "--no-plots"))
    assert data.threshold is None
    fig = viz.road_to_ceasefire(data)
    assert not by_gid(fig.axes[0].lines, "threshold")
    assert not (tmp_path / "run" / "plots").exists()


def test_road_to_ceasefire_draws_on_given_axes(run):
    fig = Figure()
    axes = fig.subplots(3, 1)
    assert viz.road_to_ceasefire(run, axes) is fig
    assert all(ax.lines for ax in axes)
    with pytest.raises(ValueError, match="three panels"):
        viz.road_to_ceasefire(run, axes[:2])


# ------------------------------------------------------------------------------------ the battlefield

def test_battlefield_draws_each_sides_share_of_the_area_and_its_losses(history_run):
    data = load_run(history_run)
    fig = viz.battlefield(data)
    top, bottom = fig.axes[:2]
    series = defaultdict(lambda: defaultdict(list))
    for row in rows(history_run, "timeseries.csv"):
        for field in ("territory", "losses"):
            series[field][row["actor"]].append(float(row[field]))
    first, second = data.sides
    held = {s: by_gid(top.lines, f"territory:{s}")[f"territory:{s}"].get_ydata() for s in data.sides}
    lost = {s: by_gid(bottom.lines, f"losses:{s}")[f"losses:{s}"].get_ydata() for s in data.sides}
    for side in data.sides:
        np.testing.assert_allclose(held[side], series["territory"][side])
        np.testing.assert_allclose(lost[side], series["losses"][side])
        assert (np.diff(lost[side]) >= 0).all() and lost[side][-1] > 0       # deaths only add up
    # The two sides' shares add up to what they held on day 0 (here all of it): what one takes the other loses.
    at_first = series["territory"][first][0] + series["territory"][second][0]
    np.testing.assert_allclose(held[first] + held[second], at_first)
    assert held[first][0] == 1.0 and held[second][-1] > 0.1                  # Azerbaijan takes ground
    # Ceasefires shaded on both panels; each marked by how it came on the top one.
    starts, ends = ceasefire_periods(history_run)
    for ax in (top, bottom):
        assert sorted(int(g.split(":")[1]) for g in by_gid(ax.patches, "ceasefire:")) == starts
        assert sorted(int(g.split(":")[1]) for g in by_gid(ax.lines, "breakdown:")) == ends
    assert sorted(by_gid(top.lines, "came:")) == sorted(f"came:{r['start']}:{r['came']}"
                                                        for r in rows(history_run, "ceasefires.csv"))
    # Each line is labelled at its end with what it shows there.
    armenia = data.name(first)
    for ax, said in ((top, f"{series['territory'][first][-1]:.0%}"), (bottom, f"{series['losses'][first][-1]:,.0f}")):
        assert by_gid(ax.texts, "label:")[f"label:{first}"].get_text() == f"{armenia} {said}"


def test_battlefield_labels_do_not_overlap_and_the_legend_is_under_the_plot(history_run):
    fig = viz.battlefield(load_run(history_run))
    renderer = draw(fig).get_renderer()
    for ax in fig.axes[:2]:
        boxes = sorted((Text.get_window_extent(t, renderer) for t in by_gid(ax.texts, "label:").values()),
                       key=lambda b: b.y0)
        assert len(boxes) == 2 and boxes[1].y0 >= boxes[0].y1 - 0.5, "end labels overlap"
    legend = fig.legends[0].get_window_extent(renderer)
    assert legend.y1 <= fig.axes[1].get_window_extent(renderer).y0             # below the panels


def test_battlefield_draws_on_given_axes(run):
    fig = Figure()
    axes = fig.subplots(2, 1)
    assert viz.battlefield(run, axes) is fig
    assert all(len(by_gid(ax.lines, "territory:" if k == 0 else "losses:")) == 2 for k, ax in enumerate(axes))
    with pytest.raises(ValueError, match="two panels"):
        viz.battlefield(run, axes[:1])


def test_a_classic_without_a_battlefield_gets_no_battlefield_plot(tmp_path):
    result = CliRunner().invoke(main, ["run", "classic-arms-race-stable", "--steps", "5", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    data = load_run(tmp_path / "c")
    assert not viz.has_battlefield(data)
    expected = [name for name in viz.PLOTS.values() if name != "battlefield"]
    assert sorted(p.stem for p in (tmp_path / "c" / "plots").glob("*.png")) == sorted(expected)
    assert viz.plot_names(data) == expected


# ------------------------------------------------------------------------------------ the network

def test_network_start_and_end_share_positions_and_show_alignment_and_capability(run, rundir):
    fig = viz.alignment_network(run)
    start, end = fig.axes[:2]
    timeseries = rows(rundir, "timeseries.csv")
    last = max(int(r["step"]) for r in timeseries)
    cmap, norm = matplotlib.colormaps[ALIGNMENT_CMAP], Normalize(-1, 1)
    sizes = {}
    for ax, day in ((start, 0), (end, last)):
        nodes = by_gid(ax.collections, "node:")
        assert len(nodes) == len(run.scenario.actors)
        values = {r["actor"]: r for r in timeseries if int(r["step"]) == day}
        for gid, node in nodes.items():
            actor = gid.split(":")[1]
            np.testing.assert_allclose(node.get_facecolor()[0], cmap(norm(float(values[actor]["alignment"]))))
            sizes[(day, actor)] = (node.get_sizes()[0], float(values[actor]["capability"]))
        ties = [r for r in rows(rundir, "ties.csv") if int(r["step"]) == day and r["active"] == "1"]
        edges = by_gid(ax.lines, "tie:")
        assert len(edges) == len(ties)
        for tie in ties:
            edge = edges[f"tie:{tie['tie']}"]
            expected = FRIENDLY if float(tie["weight"]) >= 0 else HOSTILE
            assert to_hex(edge.get_color()) == expected.lower()
    positions = [{g: tuple(n.get_offsets()[0]) for g, n in by_gid(ax.collections, "node:").items()}
                 for ax in (start, end)]
    assert positions[0] == positions[1]
    by_capability = sorted(sizes.values(), key=lambda sc: sc[1])
    assert [s for s, _ in by_capability] == sorted(s for s, _ in by_capability)  # bigger = more capable


def test_network_draws_a_guarantors_peacekeepers_apart_and_names_them(run, history_run):
    data = load_run(history_run)
    fig = viz.alignment_network(data)
    end = fig.axes[1]
    kinds = {r["tie"]: r["kind"] for r in rows(history_run, "ties.csv")
             if int(r["step"]) == data.steps and r["active"] == "1"}
    edges = {gid.split(":", 1)[1]: edge.get_linestyle() for gid, edge in by_gid(end.lines, "tie:").items()}
    assert "peacekeeping" in kinds.values()                    # Russia's peacekeepers on the line from day 44
    for tie, kind in kinds.items():
        assert edges[tie] == {"peacekeeping": "-.", "mediation": ":"}.get(kind, edges[tie])
        assert kind in ("peacekeeping", "mediation") or edges[tie] in ("-", "--")
    assert "peacekeepers" in [t.get_text() for t in end.get_legend().get_texts()]
    plain = viz.alignment_network(run)                        # the truce has none: no such line, no such entry
    assert "peacekeepers" not in [t.get_text() for t in plain.axes[1].get_legend().get_texts()]


def test_network_layout_is_seeded(run):
    assert network_layout(run) == network_layout(run)


def test_network_draws_on_given_axes(run):
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert viz.alignment_network(run, axes) is fig
    assert all(by_gid(ax.collections, "node:") for ax in axes)


# ------------------------------------------------------------------------------------ what moved whom

def test_what_moved_whom_stacks_each_rules_recorded_total(run, rundir):
    fig = viz.what_moved_whom(run)
    ax = fig.axes[0]
    totals = defaultdict(float)
    for row in rows(rundir, "contributions.csv"):
        if row["field"] == "alignment":
            totals[(row["actor"], row["rule"])] += float(row["change"])
    bars = by_gid(ax.patches, "bar:")
    assert bars
    shown = {gid.split(":")[1] for gid in bars}
    assert 0 < len(shown) <= 8
    for gid, bar in bars.items():
        _, actor, rule = gid.split(":")
        assert bar.get_width() == pytest.approx(totals[(actor, rule)])
    # The actor an event moved by 0.3 is among those shown, with the events' part.
    assert "TUR" in shown and totals[("TUR", "events")] == pytest.approx(-0.3, abs=1e-6)
    assert bars["bar:TUR:events"].get_width() == pytest.approx(-0.3, abs=1e-6)
    # The diamond is the net change, which is the change in the time series.
    series = defaultdict(list)
    for row in rows(rundir, "timeseries.csv"):
        series[row["actor"]].append(float(row["alignment"]))
    for gid, marker in by_gid(ax.lines, "net:").items():
        actor = gid.split(":")[1]
        assert marker.get_xdata()[0] == pytest.approx(series[actor][-1] - series[actor][0], abs=1e-6)
    names = {t.get_text() for t in ax.get_yticklabels()}
    assert names == {run.scenario.actor(a).name for a in shown}


def test_what_moved_whom_draws_on_a_given_axes(run):
    fig = Figure()
    ax = fig.add_subplot()
    assert viz.what_moved_whom(run, ax) is ax.figure
    assert by_gid(ax.patches, "bar:")


# ------------------------------------------------------------------------------------ helpers and files

def test_spread_keeps_order_gap_and_bounds():
    values = [0.0, 0.01, 0.02, 0.5, 0.51, 0.98]
    placed = spread(values, 0.1, -1, 1)
    order = sorted(range(len(values)), key=values.__getitem__)
    ranked = [placed[i] for i in order]
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(ranked, ranked[1:]))
    assert min(placed) >= -1 and max(placed) <= 1
    assert spread([0.0, 0.5], 0.1) == [0.0, 0.5]  # far apart: left alone


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_render_formats(run, fmt, magic):
    data = viz.render(viz.what_moved_whom(run), fmt)
    assert data.startswith(magic)


def test_plot_files_name_every_plot(run):
    files = viz.plot_files(run, "png")
    assert sorted(files) == sorted(f"plots/{name}.png" for name in viz.PLOTS.values())


def test_run_writes_plots_and_plot_command_redraws_them(rundir, tmp_path):
    written = sorted(p.name for p in (rundir / "plots").iterdir())
    assert written == sorted(f"{name}.png" for name in viz.PLOTS.values())
    result = CliRunner().invoke(main, ["plot", str(rundir), "--format", "svg", "--out", str(tmp_path / "svg")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "svg").glob("*.svg")) == sorted(
        f"{name}.svg" for name in viz.PLOTS.values())
    assert result.output.count("\n") == 1  # quick work prints nothing extra


def test_plot_command_says_when_the_folder_is_not_a_run(tmp_path):
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a dipsim run directory" in result.output


def test_plots_of_a_run_without_recorded_contributions(rundir):
    """A run written without contributions.csv still gets every plot; "what moved whom" says nothing moved."""
    from sim.io.rundata import RunData
    from sim.io.tables import RUN_FILES

    files = {name: (rundir / name).read_text(encoding="utf-8") for name in RUN_FILES if name != "contributions.csv"}
    data = RunData.from_files(files)
    ax = viz.what_moved_whom(data).axes[0]
    assert not by_gid(ax.patches, "bar:")
    assert any("no recorded moves" in t.get_text() for t in ax.texts)
    assert sorted(viz.plot_files(data)) == sorted(f"plots/{name}.png" for name in viz.PLOTS.values())


# ------------------------------------------------------------------------------------ many actors

def crowd_scenario(n: int) -> str:
    """A made-up crisis of ``n`` actors (A0 and A1 fight) with a few random ties each, every rule on."""
    from sim.scenario import validate

    rng = np.random.default_rng(n)
    ids = [f"A{i}" for i in range(n)]
    actors = [{"id": a, "alignment": float(rng.uniform(-1, 1)), "ceasefire": float(rng.uniform()),
               "capability": float(rng.uniform(0.05, 1)), "stubbornness": float(rng.uniform()),
               "intensity": 1.0 if i < 2 else 0.0} for i, a in enumerate(ids)]
    pairs = sorted({tuple(sorted(rng.choice(n, 2, replace=False).tolist())) for _ in range(3 * n)})
    ties = [{"actors": [ids[a], ids[b]], "kind": "alliance" if k % 2 else "rivalry",
             "weight": 0.5 if k % 2 else -0.5} for k, (a, b) in enumerate(pairs)]
    rules = [{"rule": name} for name in ("influence", "escalation", "alliance", "mediation", "balance", "noise")]
    raw = {"scenario": {"name": f"crowd-{n}", "sides": ids[:2], "steps": 15, "seed": 1},
           "actors": actors, "ties": ties, "rules": rules, "events": []}
    return validate(raw, {}, "<crowd>").to_toml()


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    return load_run(make_run(tmp_path_factory.mktemp("crowd"), crowd_scenario(120), "--no-plots"))


def test_alignment_of_many_actors_names_the_sides_and_the_most_capable_as_fit(crowd):
    ax = viz.alignment_over_time(crowd).axes[0]
    assert len(by_gid(ax.lines, "actor:")) == 120                      # every actor's line is drawn
    labels = by_gid(ax.texts, "label:")
    named = [gid.split(":")[1] for gid in labels]
    assert 10 <= len(named) < 120 and set(crowd.sides) <= set(named)
    capability = crowd.field("capability").iloc[0]
    weakest_named = min(capability[a] for a in named if a not in crowd.sides)
    assert all(capability[a] <= weakest_named for a in crowd.mediators if a not in named)
    renderer = draw(ax.figure).get_renderer()
    boxes = sorted((Text.get_window_extent(t, renderer) for t in labels.values()), key=lambda b: b.y0)
    assert all(upper.y0 >= lower.y1 - 0.5 for lower, upper in zip(boxes, boxes[1:])), "end labels overlap"
    assert "the sides and the" in ax.get_title(loc="left")


def test_network_of_many_actors_draws_the_sides_and_the_most_capable(crowd):
    fig = viz.alignment_network(crowd)
    drawn = prominent(crowd, MOST_NODES)
    assert len(drawn) == MOST_NODES and set(crowd.sides) <= set(drawn)
    for ax in fig.axes[:2]:
        assert sorted(by_gid(ax.collections, "node:")) == sorted(f"node:{a}" for a in drawn)
        assert len(by_gid(ax.texts, "node-label:")) == MOST_NODES
        tie_ids = {gid.split(":", 1)[1] for gid in by_gid(ax.lines, "tie:")}
        ties = crowd.ties.set_index("tie").loc[sorted(tie_ids)]
        assert ties["source"].isin(drawn).all() and ties["target"].isin(drawn).all()
    assert "most capable" in fig.axes[1].get_legend().get_title().get_text()
    assert viz.render(fig).startswith(b"\x89PNG")


# ------------------------------------------------------------------------------------ long names, many events

LONG_NAMES = {
    "WEST": "Western Republic of the Lowland Provinces",
    "EAST": "Eastern Federation (provisional government)",
    "PAT": "Western patron and guarantor of the 1994 accords",
    "EU": "European Union (French presidency)",
    "MED": "Organization for Security and Co-operation in Europe (Minsk Group)",
}
# Eleven event days, two events on one day, one-sentence notes: what collapsed the timeline (issue 14).
CROWDED_DAYS = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]


def crowded_scenario() -> str:
    actors = {"WEST": (-1.0, 0.4), "EAST": (1.0, 0.4), "PAT": (-0.6, 0.8), "EU": (0.0, 0.5), "MED": (0.0, 0.5)}
    text = ('[scenario]\nname = "long-names"\ntitle = "A summit crisis with long names and many events"\n'
            'sides = ["WEST", "EAST"]\nsteps = 30\nseed = 1\n')
    for actor, (alignment, capability) in actors.items():
        kind = 'kind = "organization"\n' if actor in ("EU", "MED") else ""
        fight = "intensity = 1.0\n" if actor in ("WEST", "EAST") else ""
        text += (f'\n[[actors]]\nid = "{actor}"\nname = "{LONG_NAMES[actor]}"\n{kind}alignment = {alignment}\n'
                 f"ceasefire = 0.2\ncapability = {capability}\nstubbornness = 0.7\n{fight}")
    text += ('\n[[ties]]\nactors = ["WEST", "EAST"]\nkind = "hostility"\nweight = -1.0\n'
             '\n[[ties]]\nactors = ["PAT", "WEST"]\nkind = "alliance"\nweight = 0.8\n'
             '\n[[ties]]\nfrom = "MED"\nto = "WEST"\nkind = "mediation"\nweight = 0.5\n'
             '\n[[ties]]\nfrom = "EU"\nto = "EAST"\nkind = "mediation"\nweight = 0.5\n'
             '\n[[rules]]\nrule = "influence"\nrate = 0.1\n'
             '\n[[rules]]\nrule = "mediation"\nthreshold = 0.42\nhurting = 0.2\n')
    for k, day in enumerate(CROWDED_DAYS):
        note = (f"On this day number {k} the European Union (French presidency) calls an emergency meeting of "
                f"foreign ministers and demands that both armies stop shelling the border towns at once")
        text += (f'\n[[events]]\nid = "e{k}"\nstep = {day}\naction = "shift"\nactor = "{list(actors)[k % 5]}"\n'
                 f'field = "ceasefire"\nby = 0.05\nnote = "{note}"\n')
    return text


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    return load_run(make_run(tmp_path_factory.mktemp("crowded"), crowded_scenario()))


def drawn_without_warnings(fig: Figure):
    """The figure drawn with every warning an error (constrained layout's "axes sizes collapsed" among them)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw(fig).get_renderer()


def assert_inside(fig: Figure, renderer) -> None:
    """Everything drawn lies in the figure: each Axes with its labels, legends and texts, and the figure's own."""
    box = fig.bbox
    extents = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    extents += [a.get_window_extent(renderer) for a in (*fig.texts, *fig.legends) if a.get_visible()]
    for sub in (fig._suptitle, fig._supxlabel, fig._supylabel):
        if sub is not None and sub.get_text():
            extents.append(sub.get_window_extent(renderer))
    for extent in extents:
        assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, f"{extent} overflows {box} sideways"
        assert extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1, f"{extent} overflows {box} up or down"


def all_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible()]


def assert_clean_with_short_names(fig: Figure, what: str) -> None:
    """``fig`` draws without a warning, lies inside itself, and writes no long name out in full."""
    assert_inside(fig, drawn_without_warnings(fig))
    assert not any(LONG_NAMES["WEST"] in t or LONG_NAMES["MED"] in t for t in all_texts(fig)), what


def test_short_names_drop_what_is_in_brackets_or_fall_back_on_the_id():
    from sim.viz.style import short_name
    assert short_name("European Union (French presidency)", "EU") == "European Union"
    assert short_name("Western Republic of the Lowland Provinces", "WEST") == "WEST"
    assert short_name("Armenia", "ARM") == "Armenia"
    assert short_name("OSCE (Minsk Group)", "OSCE") == "OSCE (Minsk Group)"       # short enough as it is


def test_display_names_are_distinct(run):
    from dataclasses import dataclass

    from sim.viz.style import display_names

    @dataclass
    class Two:
        actor_ids = ("EUF", "EUC", "EU")
        names = {"EUF": "European Union (French presidency)", "EUC": "European Union (the Council of ministers)",
                 "EU": "Europe"}

        def name(self, actor):
            return self.names[actor]

    assert display_names(Two()) == {"EUF": "EUF", "EUC": "EUC", "EU": "Europe"}


def test_event_groups_merge_numbers_that_would_touch():
    from sim.viz.run import event_groups
    assert event_groups([10, 20, 30], 6.0, 40) == [(0, 0), (1, 1), (2, 2)]       # far apart: one number each
    groups = event_groups([1, 2, 3, 4, 30], 2.0, 30)                               # 0.07 in a day: too close
    assert groups[-1] == (4, 4)
    assert [k for a, b in groups for k in range(a, b + 1)] == [0, 1, 2, 3, 4]     # each once, in order
    assert len(groups) < 5


def test_timeline_holds_many_events_and_long_names(crowded):
    fig = viz.alignment_over_time(crowded)
    renderer = drawn_without_warnings(fig)
    assert_inside(fig, renderer)
    ax = fig.axes[0]
    assert ax.get_position().width * fig.get_figwidth() > 0.5 * fig.get_figwidth(), "the plot collapsed"
    # The event numbers: each day's number written once, none overlapping another.
    numbers = list(by_gid(ax.texts, "event-number:").values())
    written = []
    for text in numbers:
        first, _, final = text.get_text().partition("-")
        written += list(range(int(first), int(final or first) + 1))
    assert written == list(range(1, len(set(CROWDED_DAYS)) + 1))
    boxes = [t.get_window_extent(renderer) for t in numbers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x1 <= b.x0 or b.x1 <= a.x0, "event numbers overprint"
    # Every note whole in the key, which grows the figure rather than running off it.
    key = by_gid(ax.get_children(), "event-key")["event-key"]
    key_text = " ".join(" ".join(t.get_text().split()) for t in key.get_texts())
    for k in range(len(CROWDED_DAYS)):
        assert f"On this day number {k} the European Union" in key_text
        assert "stop shelling the border towns at once" in key_text
    assert key_text.count("day 2:") == 1                                            # one entry for the day
    assert fig.get_figwidth() == SLIDE[0] and fig.get_figheight() > SLIDE[1]
    # Long names shortened, the same way on the axis and at the lines' ends.
    texts = all_texts(fig)
    assert not any(long in t for t in texts for long in LONG_NAMES.values() if "(" not in long)
    assert "European Union" in {t.get_text() for t in by_gid(ax.texts, "label:").values()}
    assert any(t.get_text().startswith("backs Eastern Federation ") for t in ax.get_yticklabels())


@pytest.mark.parametrize("plot", ["road_to_ceasefire", "what_moved_whom", "alignment_network"])
def test_other_run_plots_hold_long_names(crowded, plot):
    fig = getattr(viz, plot)(crowded)
    assert_inside(fig, drawn_without_warnings(fig))
    assert not any(LONG_NAMES["MED"] in t or LONG_NAMES["WEST"] in t for t in all_texts(fig))


def test_bundled_timelines_stay_slide_sized_and_inside(tmp_path):
    for name in ("baseline", "history-2020"):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["run", name, "--out", str(out), "--no-plots", "--steps", "50"])
        assert result.exit_code == 0, result.output
        fig = viz.alignment_over_time(load_run(out))
        assert_inside(fig, drawn_without_warnings(fig))
        assert tuple(fig.get_size_inches()) == SLIDE
