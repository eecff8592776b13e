"""The menu of the class game: every move keeps one contract (in the manner of the rules' contract
suite), and each does to the model what its summary says."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.classroom.game import Choice, Game
from sim.classroom.moves import MOVES, Move, MoveError, menu
from sim.scenario import load

BASELINE = load("baseline")
HISTORY = load("history-2020")


def game(scenario=BASELINE, days=10) -> Game:
    return Game(scenario, scenario.seed, days)


def cases():
    """Every move, by every actor that may make it on day 0 of the baseline, at every target."""
    g = game()
    for actor in BASELINE.actor_ids:
        situation = g.situation([], actor, 1)
        for move, targets in menu(situation):
            for target in targets or (None,):
                yield pytest.param(move.name, actor, target, id=f"{move.name}-{actor}-{target}")


@pytest.mark.parametrize("name", MOVES)
def test_each_move_declares_its_name_label_summary_and_whom_it_is_for(name):
    move = MOVES[name]
    assert isinstance(move, Move) and move.name == name
    assert move.label and move.summary.endswith(".") and move.who in ("side", "outsider", "any")
    assert move.target in (None, "side", "actor")


@pytest.mark.parametrize(("name", "actor", "target"), list(cases()))
def test_every_allowed_choice_makes_a_valid_scenario_that_runs(name, actor, target):
    g = game()
    submission = g.submit([], round_=1, actor=actor, player="P", choices=[Choice(name, target)], memo="m")
    assert submission.events and all(e["step"] == 1 for e in submission.events)
    scenario = g.with_moves([submission])
    assert len(scenario.events) == len(submission.events)
    run = g.play([submission], 3)
    notes = [h.note for h in run.history.happenings if h.step == 1 and h.kind == "event"]
    assert len(notes) == len(submission.events) and all("played by P" in n for n in notes)


@pytest.mark.parametrize("name", MOVES)
def test_a_move_is_refused_for_an_actor_it_is_not_for_and_at_a_wrong_target(name):
    move, g = MOVES[name], game()
    wrong = {"side": "TUR", "outsider": "ARM", "any": None}[move.who]
    if wrong is not None:
        with pytest.raises(MoveError):
            g.submit([], round_=1, actor=wrong, player="P", choices=[Choice(name, "AZE")], memo="m")
    actor = "ARM" if move.who == "side" else "OSCE"
    bad_target = "NOBODY" if move.target else "AZE"
    with pytest.raises(MoveError):
        g.submit([], round_=1, actor=actor, player="P", choices=[Choice(name, bad_target)], memo="m")


def fields_after(g, submissions, day):
    run = g.play(submissions, day)
    return {f: run.world.fields[f][0].copy() for f in ("alignment", "ceasefire", "capability", "intensity")}


def moved(name, actor, target=None, field="alignment", who=None):
    """The change of ``who``'s ``field`` on day 1 made by the move (against the same day without it)."""
    g = game()
    sub = g.submit([], round_=1, actor=actor, player="P", choices=[Choice(name, target)], memo="m")
    i = BASELINE.actor_ids.index(who or actor)
    event_change = [e for e in sub.events if e.get("field") == field and e.get("actor") == (who or actor)]
    return sum(e["by"] for e in event_change), fields_after(g, [sub], 1)[field][i] - fields_after(g, [], 1)[field][i]


def test_backing_a_side_in_words_moves_the_alignment_toward_it():
    by, change = moved("back-in-words", "IRN", "ARM")
    assert by == -0.15 and change < 0
    by, _ = moved("back-in-words", "IRN", "AZE")
    assert by == 0.15


def test_arming_a_side_makes_a_supplier_and_raises_the_sides_capability():
    g = game()
    sub = g.submit([], round_=1, actor="FRA", player="P", choices=[Choice("back-with-arms", "ARM")], memo="m")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    # France's mediation channel to Armenia (one tie per pair) becomes the supply line: a supplier is no broker
    assert tie == {"from": "FRA", "to": "ARM", "kind": "support", "weight": 0.8}
    assert moved("back-with-arms", "FRA", "ARM", "capability", "ARM")[0] == 0.05


def test_arming_an_ally_keeps_the_alliance_and_its_strength():
    sub = game().submit([], round_=1, actor="TUR", player="P", choices=[Choice("back-with-arms", "AZE")], memo="m")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    assert tie["kind"] == "alliance" and tie["weight"] == 0.9


def test_distancing_halves_an_alliance_and_steps_back_toward_neutral():
    sub = game().submit([], round_=1, actor="RUS", player="P", choices=[Choice("distance", "ARM")], memo="m")
    shift = next(e for e in sub.events if e["action"] == "shift")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    assert shift["by"] == pytest.approx(0.2) and sorted(tie["actors"]) == ["ARM", "RUS"]
    assert (tie["kind"], tie["weight"]) == ("alliance", 0.4)


def test_a_neutral_with_nothing_to_loosen_cannot_distance_itself():
    assert MOVES["distance"].targets(game().situation([], "VAT", 1)) == ()
    assert MOVES["distance"].targets(game().situation([], "RUS", 1)) == ("ARM",)
    assert "distance" not in [m.name for m, _ in menu(game().situation([], "VAT", 1))]
    with pytest.raises(MoveError, match="no one to aim"):
        game().submit([], round_=1, actor="VAT", player="P", choices=[Choice("distance", "ARM")], memo="m")


def test_brokering_a_truce_declares_a_ceasefire_with_the_broker():
    g = game()
    sub = g.submit([], round_=1, actor="UN", player="P", choices=[Choice("broker-truce")], memo="m")
    run = g.play([sub], 1)
    spans = run.history.spans[0]
    assert spans and spans[0].start == 1 and spans[0].broker == "UN" and spans[0].declared


def test_a_broker_needs_a_tie_with_both_sides_and_a_side_needs_a_truce_to_break():
    with pytest.raises(MoveError, match="no tie with"):
        game().submit([], round_=1, actor="PAK", player="P", choices=[Choice("broker-truce")], memo="m")
    with pytest.raises(MoveError, match="no ceasefire is in force"):
        game().submit([], round_=1, actor="ARM", player="P", choices=[Choice("break-truce")], memo="m")


def test_breaking_a_truce_ends_the_ceasefire_the_same_day():
    g = game(days=5)
    truce = g.submit([], round_=1, actor="UN", player="P", choices=[Choice("broker-truce")], memo="m")
    in_force = g.play([truce], 5).world.in_force[0]
    assert in_force, "the truce must still hold on day 5 of this run for the test to mean anything"
    broken = g.submit([truce], round_=2, actor="AZE", player="Q", choices=[Choice("break-truce")], memo="m")
    spans = g.play([truce, broken], 6).history.spans[0]
    assert spans[-1].end == 6 and spans[-1].ended_by == "event"


def test_closing_a_channel_cuts_the_tie_and_opening_it_again_restores_it():
    g = game(days=2)
    cut = g.submit([], round_=1, actor="OSCE", player="P", choices=[Choice("close-channel", "AZE")], memo="m")
    world = g.play([cut], 2).world
    slot = world.topology.tie_ids.index("OSCE>AZE")
    assert not world.active[0, slot]
    again = g.submit([cut], round_=2, actor="OSCE", player="P", choices=[Choice("open-channel", "AZE")], memo="m")
    assert again.events[0]["tie"]["from"] == "OSCE" and again.events[0]["tie"]["to"] == "AZE"
    world = g.play([cut, again], 3).world
    assert world.active[0, slot] and world.weight[0, slot] == pytest.approx(0.4)


def test_sanctions_turn_the_tie_hostile_and_cost_capability():
    sub = game().submit([], round_=1, actor="USA", player="P", choices=[Choice("sanction", "TUR")], memo="m")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    assert tie["kind"] == "rivalry" and tie["weight"] == -0.5
    assert moved("sanction", "USA", "TUR", "capability", "TUR")[0] == -0.05


def test_two_players_on_one_pair_in_one_round_agree_on_its_tie():
    g = game()
    first = g.submit([], round_=1, actor="IRN", player="P", choices=[Choice("open-channel", "PAK")], memo="m")
    second = g.submit([first], round_=1, actor="PAK", player="Q", choices=[Choice("sanction", "IRN")], memo="m")
    ties = [e["tie"] for e in (*first.events, *second.events) if e["action"] == "add_tie"]
    assert ties[0]["from"] == ties[1]["from"] == "IRN" and ties[1]["kind"] == "rivalry"
    assert g.play([first, second], 2).world.weight[0, -1] == pytest.approx(-0.5)


def test_escalating_and_holding_back_change_the_fighting_effort():
    assert moved("escalate", "AZE", field="intensity")[0] == 0.5
    assert moved("hold-back", "ARM", field="intensity")[0] == -0.5


@pytest.mark.parametrize("actor", HISTORY.actor_ids)
def test_the_menu_works_on_a_scenario_with_events_of_its_own(actor):
    g = game(HISTORY, days=15)
    situation = g.situation([], actor, 2)
    choices = [Choice(m.name, t[0] if t else None) for m, t in menu(situation)[:3]]
    sub = g.submit([], round_=2, actor=actor, player="P", choices=choices, memo="m")
    assert np.isfinite(g.play([sub], 30).world.state).all()


def test_the_teachers_guide_lists_every_move_with_who_may_make_it():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "classroom.md").read_text(encoding="utf-8")
    rows = {m.group(2): (m.group(1), m.group(3)) for m in
            re.finditer(r"^\| (.+?) \(`([a-z-]+)`\) \| ([a-z]+)", guide, re.MULTILINE)}
    assert set(rows) == set(MOVES)
    for name, (label, who) in rows.items():
        assert (label, who) == (MOVES[name].label, MOVES[name].who), name
