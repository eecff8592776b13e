"""What the game's pages say and show: measured effects read honestly, briefings from the scenario, the plots of
a round (the battlefield where the game has one)."""

from __future__ import annotations

import pytest

from sim.classroom.classroom import Classroom, ClassroomError
from sim.classroom.store import Store
from sim.scenario import load
from sim.web.views import GAME_PLOTS, Views, briefing, effect_text, leaning

BASELINE = load("baseline")


def effect(lasting, lasting_se, days=0.0, days_se=0.0):
    return {"lasting": {"change": lasting, "se": lasting_se}, "ceasefire_reached": {"change": 0.0, "se": 0.0},
            "days_in_force": {"change": days, "se": days_se}}


def test_an_effect_beyond_two_standard_errors_is_reported_with_its_sign_and_margin():
    text = effect_text(effect(0.23, 0.02, -3.0, 0.5))
    assert "a lasting ceasefire 23 points more likely (± 4)" in text and "3.0 fewer days of ceasefire (± 1.0)" in text


@pytest.mark.parametrize(("change", "se"), [(0.03, 0.02), (-0.04, 0.02), (0.0, 0.0)])
def test_an_effect_within_two_standard_errors_is_no_measured_change(change, se):
    assert effect_text(effect(change, se)).startswith("a lasting ceasefire: no measured change")


def test_a_memo_without_moves_has_no_effect_to_report():
    assert effect_text(None) == "no move (memo only)"


def test_a_briefing_quotes_the_article_and_lists_the_actors_ties():
    turkey = briefing(BASELINE, "TUR")
    assert turkey.stance == "backs Azerbaijan" and turkey.quotations == BASELINE.actor("TUR").sources
    assert "alliance with Azerbaijan (+0.9)" in turkey.ties and "rivalry with Russia (-0.3)" in turkey.ties
    assert briefing(BASELINE, "OSCE").stance == "non-aligned"
    assert any("mediation to Armenia" in t for t in briefing(BASELINE, "OSCE").ties)
    assert "Azerbaijan" in briefing(BASELINE, "ARM").goals[0]


@pytest.mark.parametrize(("alignment", "words"), [(-1.0, "backs Armenia"), (-0.2, "backs Armenia"),
                                                  (0.19, "non-aligned"), (0.5, "backs Azerbaijan")])
def test_leanings_in_words(alignment, words):
    assert leaning(BASELINE, alignment) == words


def test_a_name_already_written_out_is_not_named_again(tmp_path):
    import numpy as np

    from sim.core.engine import Simulation
    from sim.io.rundata import RunData
    from sim.io.runfiles import run_files

    named = tmp_path / "named.toml"         # an actor whose name holds its id
    named.write_text('[scenario]\nextends = "baseline"\nname = "named"\n'
                     '[[actors]]\nid = "OSCE"\nname = "OSCE (Minsk Group)"\n', encoding="utf-8")
    run = RunData.from_files(run_files(Simulation(load(named), [np.random.default_rng(1)]).run(1), 1))
    assert run.names("OSCE (Minsk Group) and OSCE; TUR, not TURKEY") == \
        "OSCE (Minsk Group) and OSCE (Minsk Group); Turkey, not TURKEY"


@pytest.mark.parametrize(("scenario", "fights"), [("baseline", True), ("classic-arms-race-stable", False)])
def test_a_game_shows_the_battlefield_beside_the_other_plots_only_when_it_has_one(tmp_path, scenario, fights):
    classroom = Classroom(Store(tmp_path / "class.sqlite"))
    views = Views(classroom)
    code = classroom.new_game(load(scenario), days=4)
    classroom.start(code)
    classroom.close_round(code, 1, views.prepare)
    record = classroom.record(code)
    day = classroom.round(record).days_played
    assert views.plots(record, 0) == []                                        # nothing played: nothing shown
    shown = views.plots(record, day)
    assert shown == [name for name in GAME_PLOTS if name != "battlefield" or fights]
    for name in shown:
        assert views.plot(record, name, day).lstrip().startswith(b"<?xml")
    if fights:
        svg = views.plot(record, "battlefield", day).decode()
        assert "contested area" in svg and "military deaths" in svg            # the panel's words, as text
    else:
        with pytest.raises(ClassroomError, match="no battlefield plot"):
            views.plot(record, "battlefield", day)
