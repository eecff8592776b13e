"""The report tells every actor, event and ceasefire of a run, from its data, in a self-contained HTML page."""

from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import read_rows, truce_scenario

from sim.cli import main
from sim.io.rundata import load_run
from sim.report.explain import summary_lines
from sim.report.pages import FIGURES, document, markdown, report_figures, report_files
from sim.roles import COALITION_CAVEAT, channel_holders

TRUCE = truce_scenario("A declared truce <that does not hold> & more", 'Ankara calls for "restraint"')


@pytest.fixture(scope="module")
def rundir(tmp_path_factory) -> Path:
    """A run written with ``--report`` (its report comes from the staged files, before the directory exists)."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "truce.toml").write_text(TRUCE, encoding="utf-8")
    out = folder / "run"
    result = CliRunner().invoke(main, ["run", str(folder / "truce.toml"), "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def md(rundir) -> str:
    return (rundir / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(rundir) -> str:
    return (rundir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(page) -> str:
    """The HTML page's visible text, tags stripped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


pytestmark = pytest.mark.usefixtures("no_pyplot_figures")


def rows(rundir: Path, name: str) -> list[dict[str, str]]:
    return read_rows(rundir / name)


def unmark(md: str) -> str:
    """Markdown with its escapes undone (the report escapes * _ ` < [ ] and \\)."""
    return re.sub(r"\\([\\`*_<\[\]|])", r"\1", md)


def day_items(text: str) -> dict[int, str]:
    """The day-by-day account: each day's sentences."""
    section = text[text.index("What happened, day by day"):text.index("Who moved, and why")]
    parts = re.split(r"\bDay (\d+)(?: \(\d+ \w+ \d{4}\))?:", section)[1:]        # with its date, if the scenario has one
    return {int(day): body.strip("* \n") for day, body in zip(parts[::2], parts[1::2])}


# ------------------------------------------------------------------------------------ content

def test_report_names_every_actor_with_its_quotations(rundir, md, text):
    data = load_run(rundir)
    for actor in data.scenario.actors:
        for where in (unmark(md), text):
            assert f"{actor.name} ({actor.id})" in where
            for quote in actor.sources:
                assert " ".join(quote.split()) in where


def test_report_has_title_description_plots_and_coalitions(rundir, md, text):
    data = load_run(rundir)
    assert unmark(md).startswith(f"# {data.scenario.title}\n")
    assert f"<h1>{html.escape(data.scenario.title)}</h1>" in (rundir / "report.html").read_text(encoding="utf-8")
    first_words = " ".join(data.scenario.description.split()[:12])
    assert first_words in unmark(md) and first_words in text
    summary = json.loads((rundir / "summary.json").read_text(encoding="utf-8"))
    for k, group in enumerate(summary["coalitions"]["end"][0]["coalitions"]):
        coalition = f"coalition {k + 1} {{" + ", ".join(data.scenario.actor(a).name for a in group) + "}"
        assert "Landscape coalitions at the end: " in text and coalition in text and coalition in unmark(md)
    assert "camp" not in text and "a measure of the ties, not what each actor does" in text


def test_report_tells_every_event_note_on_its_day(rundir, md, text):
    events = [r for r in rows(rundir, "events.csv") if r["kind"] == "event"]
    assert len(events) >= 2
    for where in (day_items(unmark(md)), day_items(text)):
        for event in events:
            assert event["note"] in where[int(event["step"])]


def test_report_tells_every_ceasefire_with_its_broker_and_every_breakdown(rundir, md, text):
    data = load_run(rundir)
    model = rows(rundir, "model.csv")
    starts = [int(r["step"]) for prev, r in zip([{"ceasefire_count": "0"}] + model, model)
              if float(r["ceasefire_count"]) > float(prev["ceasefire_count"])]
    ends = [int(r["step"]) for prev, r in zip([{"breakdowns": "0"}] + model, model)
            if float(r["breakdowns"]) > float(prev["breakdowns"])]
    assert starts, "the scenario declares a ceasefire"
    # A ceasefire's log row names the two sides and then its brokers, the leading one first.
    brokers = {int(r["step"]): r["actors"].split()[2:] for r in rows(rundir, "events.csv") if r["kind"] == "ceasefire"}
    assert set(starts) <= set(brokers) and any(len(b) > 1 for b in brokers.values())
    for where in (day_items(unmark(md)), day_items(text)):
        for day in starts:
            assert "comes into force" in where[day]
            names = [data.name(b) for b in brokers[day]]
            told = where[day][where[day].index("comes into force"):]
            assert f"brokered by {names[0]}" in told and all(name in told for name in names[1:])
        for day in ends:
            assert re.search(r"breaks down|ends", where[day])
    for row in rows(rundir, "events.csv"):
        if row["kind"] == "tie":
            a, b = (data.scenario.actor(x).name for x in row["actors"].split())
            assert a in day_items(text)[int(row["step"])] and b in day_items(text)[int(row["step"])]


def ceasefire_items(md: str) -> list[str]:
    """The Markdown report's list of the ceasefires, one item each."""
    section = md[md.index("## The ceasefires"):md.index("## The battlefield")]
    return [line.removeprefix("- ") for line in section.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("which", ["truce", "history"])
def test_report_tells_how_each_ceasefire_came_who_brokered_it_and_how_it_ended(which, rundir, history_run):
    folder = {"truce": rundir, "history": history_run}[which]
    data = load_run(folder)
    items = ceasefire_items(unmark(markdown(document(data), {})))
    table = rows(folder, "ceasefires.csv")
    assert len(items) == len(table)
    came = {"ripe": "a ceasefire both sides wanted", "pressure": "a truce signed under pressure",
            "declared": "a ceasefire declared by a scenario event"}
    for row, item in zip(table, items):
        day = data.scenario.day_label(int(row["start"]))
        assert item.startswith(f"{day[0].upper()}{day[1:]}: {came[row['came']]}")
        names = [data.name(b) for b in row["brokers"].split()]
        assert f"brokered by {names[0]}" + (f" with {names[1]}" if names[1:] else "") in item
        if not row["end"]:
            assert "still in force at the end" in item
        elif row["ended_by"] == "event":
            assert f"a scenario event ended it on day {row['end']}" in item
        elif row["end"] == row["start"]:
            assert item.endswith("it broke down the same day.")
        else:
            assert f"it broke down on day {row['end']}" in item
    # Each way of coming and ending is among these two runs': what the test checks is there to check.
    assert {r["came"] for r in table} == {"truce": {"declared", "ripe"}, "history": {"pressure", "ripe"}}[which]


def test_report_tells_the_battlefield(history_run):
    data = load_run(history_run)
    text = unmark(markdown(document(data), {}))
    section = text[text.index("## The battlefield"):text.index("## The plots")]
    series = {(r["actor"], int(r["step"])): r for r in rows(history_run, "timeseries.csv")}
    last = data.steps
    held = {s: float(series[(s, last)]["territory"]) for s in data.sides}
    lost = {s: float(series[(s, last)]["losses"]) for s in data.sides}
    arm, aze = data.sides
    assert (f"at the end Armenia holds {held[arm]:.0%} and Azerbaijan {held[aze]:.0%} of the contested area"
            in section)
    assert f"Armenia {lost[arm]:,.0f} and Azerbaijan {lost[aze]:,.0f}" in section
    # Azerbaijan took a tenth of the area by the first day its share reached one.
    tenth = min(day for day in range(last + 1) if float(series[(aze, day)]["territory"]) >= 0.1)
    assert f"Azerbaijan took 10% of the contested area by day {tenth}" in section
    ending = text[text.index("## How it ended"):]
    assert f"military deaths: Armenia {lost[arm]:,.0f}" in ending
    pressed = sum(r["came"] == "pressure" for r in rows(history_run, "ceasefires.csv"))
    assert pressed >= 1 and f"({pressed} signed under pressure)" in ending


def test_a_report_without_a_battlefield_tells_none(tmp_path):
    result = CliRunner().invoke(main, ["run", "classic-arms-race-stable", "--steps", "5", "--no-plots",
                                       "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    data = load_run(tmp_path / "c")
    text = markdown(document(data), {})
    assert "## The battlefield" not in text and "contested area" not in text
    assert [stem for stem, _ in report_figures(data)] == [stem for stem, _ in FIGURES if stem != "battlefield"]


def test_explain_and_the_runs_summary_tell_the_battlefield(history_run):
    summary = json.loads((history_run / "summary.json").read_text(encoding="utf-8"))
    outcomes, lines = summary["outcomes"], summary_lines(summary)
    assert lines[0].endswith(f"; {outcomes['under_pressure']} signed under pressure") and outcomes["under_pressure"]
    held, lost = outcomes["final_territory"], outcomes["final_losses"]
    assert (f"battlefield at the end: contested area held ARM {held['ARM']:.0%}, AZE {held['AZE']:.0%}; "
            f"military deaths ARM {lost['ARM']:,.0f}, AZE {lost['AZE']:,.0f}") in lines
    result = CliRunner().invoke(main, ["explain", str(history_run), "ARM"])
    assert result.exit_code == 0, result.output
    changes = [float(r["change"]) for r in rows(history_run, "contributions.csv")
               if r["actor"] == "ARM" and r["field"] == "losses"]
    assert f"losses: +0 -> +{lost['ARM']:,.0f} (change +{lost['ARM']:,.0f})" in result.output      # whole deaths
    assert f"  battlefield  +{sum(changes):,.0f}   on {len(changes)} day(s)" in result.output
    assert re.search(r"territory: \+1\.000 -> \+0\.\d{3}", result.output)


def test_report_says_who_moved_most_and_why(rundir, text):
    data = load_run(rundir)
    top = data.moved_most("alignment", 1)[0]
    series = [float(r["alignment"]) for r in rows(rundir, "timeseries.csv") if r["actor"] == top]
    start, end = (f"{v:+.2f}".replace("-", "\u2212") for v in (series[0], series[-1]))
    assert re.search(rf"Over the run {re.escape(data.name(top))} moved from {re.escape(start)} to "
                     rf"{re.escape(end)}\b[^.]*, mostly by ", text)
    # Turkey was moved by the scenario's event by -0.30: the report says so.
    assert re.search(r"Over the run Turkey moved from [^;]*, mostly by scenario events \(\u22120\.30\)", text)


# ------------------------------------------------------------------------------------ self-contained HTML

class Resources(HTMLParser):
    """Every tag and every attribute that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "action", "background") and value is not None:
                self.references.append((tag, name, value))


def test_html_references_no_external_resource(page):
    parser = Resources()
    parser.feed(page)
    assert "link" not in parser.tags
    assert "script" not in parser.tags
    assert "iframe" not in parser.tags
    for tag, name, value in parser.references:
        assert value.startswith("data:image/png;base64,"), (tag, name, value[:60])
    assert not re.search(r"https?://", page)
    assert "@import" not in page and "url(" not in page


def test_html_embeds_every_plot_as_a_png(page):
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(FIGURES)
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")


def test_html_escapes_the_scenarios_text(page):
    assert "&lt;that does not hold&gt; &amp; more" in page
    assert "<that does not hold>" not in page
    assert "Ankara calls for &quot;restraint&quot;" in page


def test_markdown_shows_the_plots_in_the_run_folder(rundir, md):
    paths = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert paths == [f"plots/{stem}.png" for stem, _ in FIGURES]
    for path in paths:
        assert (rundir / path).read_bytes().startswith(b"\x89PNG")
    assert "\\<that does not hold>" in md


# ------------------------------------------------------------------------------------ the command

def test_report_command_writes_the_same_report_as_run_report(rundir, md, page):
    result = CliRunner().invoke(main, ["report", str(rundir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1  # quick work prints nothing extra
    assert (rundir / "report.md").read_text(encoding="utf-8") == md
    assert (rundir / "report.html").read_text(encoding="utf-8") == page  # same run, same report


def test_report_of_a_run_from_files_matches_the_directory(rundir):
    data = load_run(rundir)
    files = report_files(data)
    assert files["report.md"] == (rundir / "report.md").read_text(encoding="utf-8")
    assert markdown(document(data), {}).startswith("# ")


def test_report_command_fails_clearly_on_a_folder_that_is_not_a_run(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a dipsim run directory" in result.output
    assert not (tmp_path / "report.html").exists()


# The outsiders at alignment 0 in the baseline: landscape theory puts them in a coalition with Armenia.
OUTSIDERS = ("UN", "EU", "USA", "VAT", "IRN")


def test_the_summary_and_the_report_list_the_outsiders_non_aligned_and_coalitions_with_their_caveat(baseline_run):
    summary = json.loads((baseline_run / "summary.json").read_text(encoding="utf-8"))
    data = load_run(baseline_run)
    lines = summary_lines(summary, channel_holders(data.scenario.ties))
    does = next(line for line in lines if line.startswith("what each actor does at the end"))
    groups = dict(re.findall(r"(backs ARM|non-aligned|backs AZE) \{([^}]*)\}", does))
    assert all(a in groups["non-aligned"].split(", ") for a in OUTSIDERS)
    assert not any(a in groups[side] for a in OUTSIDERS for side in ("backs ARM", "backs AZE"))
    assert {"TUR", "PAK"} <= set(groups["backs AZE"].split(", "))
    assert f"(mediators: {groups['non-aligned']})" in does
    assert lines[-1].startswith(f"landscape coalitions at the end ({COALITION_CAVEAT}; energy ")
    assert "coalition 1 {ARM," in lines[-1] and "coalition 2 {AZE," in lines[-1]
    assert not any("camp" in line for line in lines)
    text = markdown(document(data), {})
    said = re.search(r"What each actor does at the end: (.*?)\.\n", text).group(1)
    parts = dict(part.split(": ", 1) for part in said.split("; "))
    assert set(parts) == {"backs Armenia", "non-aligned", "backs Azerbaijan"}
    for actor in OUTSIDERS:
        assert f"{data.name(actor)} (mediator)" in parts["non-aligned"]
        assert data.name(actor) not in parts["backs Armenia"] + parts["backs Azerbaijan"]
    assert "Turkey" in parts["backs Azerbaijan"] and "Pakistan" in parts["backs Azerbaijan"]


def test_with_a_start_date_the_report_and_plots_show_dates_beside_days(history_run):
    data = load_run(history_run)
    assert str(data.scenario.start) == "2020-09-27"
    text = unmark(markdown(document(data), {}))
    first = data.ceasefires[0].start
    assert f"The first ceasefire came on {data.scenario.day_label(first)}" in text
    assert data.scenario.day_label(12) == "day 12 (9 Oct 2020)"
    assert "Day 12 (9 Oct 2020): " in text
    dates = {r["step"]: r["date"] for r in rows(history_run, "events.csv")}
    assert dates["44"] == "2020-11-10"
    from sim import viz
    assert viz.road_to_ceasefire(data).axes[-1].get_xlabel() == "day (day 0 = 27 September 2020)"
