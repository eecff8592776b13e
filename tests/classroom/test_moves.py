"""The menu of the class game: every move keeps one contract (in the manner of the rules' contract
suite), and each does to the model what its summary says."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.classroom.game import Choice, Game
from sim.classroom.moves import MOVES, Move, MoveError, menu
from sim.core.fields import TIE_KINDS
from sim.core.outcomes import run_outcomes
from sim.experiments.chunks import run_seeds
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
    assert submission.events and all(e["step"] in (1, 11) for e in submission.events)   # a round, or after it
    scenario = g.with_moves([submission])
    assert len(scenario.events) == len(submission.events)
    run = g.play([submission], 3)
    notes = [h.note for h in run.history.happenings if h.step == 1 and h.kind == "event"]
    now = [e for e in submission.events if e["step"] == 1 and "when" not in e]   # no ceasefire on day 1 to wait for
    assert len(notes) == len(now) and all("played by P" in n for n in notes)


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
    return {f: run.world.fields[f][0].copy() for f in ("alignment", "ceasefire", "capability", "intensity", "losses")}


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


def test_arming_a_side_strengthens_its_fire_on_the_battlefield():
    battlefield = next(r for r in BASELINE.rules if r.rule == "battlefield")
    for supplier, side in (("FRA", "ARM"), ("IRN", "AZE")):
        sub = game().submit([], round_=1, actor=supplier, player="P", choices=[Choice("back-with-arms", side)],
                            memo="m")
        tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
        lean = next(e["by"] for e in sub.events if e.get("field") == "alignment")
        # a tie the battlefield counts as military support, from a supplier that now leans toward the side
        assert tie["kind"] in battlefield.params["kinds"] and tie["weight"] > 0
        assert lean * (1 if side == "AZE" else -1) > 0
        # the other side loses more soldiers on the first day of battle than without the arms
        other = BASELINE.actor_ids.index("AZE" if side == "ARM" else "ARM")
        assert fields_after(game(), [sub], 1)["losses"][other] > fields_after(game(), [], 1)["losses"][other]


def test_arming_an_ally_keeps_the_alliance_and_its_strength():
    sub = game().submit([], round_=1, actor="TUR", player="P", choices=[Choice("back-with-arms", "AZE")], memo="m")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    assert tie["kind"] == "alliance" and tie["weight"] == 0.9


def test_distancing_halves_an_alliance_and_steps_back_toward_neutral():
    sub = game().submit([], round_=1, actor="RUS", player="P", choices=[Choice("distance", "ARM")], memo="m")
    shift = next(e for e in sub.events if e["action"] == "shift")
    tie = next(e for e in sub.events if e["action"] == "add_tie")["tie"]
    assert shift["by"] == pytest.approx(0.2) and sorted(tie["actors"]) == ["ARM", "RUS"]
    before = next(t for t in BASELINE.ties if sorted(t.actors) == ["ARM", "RUS"])
    assert (tie["kind"], tie["weight"]) == ("alliance", before.weight / 2)


def test_a_neutral_with_nothing_to_loosen_cannot_distance_itself():
    assert MOVES["distance"].targets(game().situation([], "VAT", 1)) == ()
    assert MOVES["distance"].targets(game().situation([], "RUS", 1)) == ("ARM",)
    assert "distance" not in [m.name for m, _ in menu(game().situation([], "VAT", 1))]
    with pytest.raises(MoveError, match="no one to aim"):
        game().submit([], round_=1, actor="VAT", player="P", choices=[Choice("distance", "ARM")], memo="m")


def test_a_side_needs_a_truce_to_break_and_a_guarantor_both_sides_consent():
    with pytest.raises(MoveError, match="no ceasefire is in force"):
        game().submit([], round_=1, actor="ARM", player="P", choices=[Choice("break-truce")], memo="m")
    # Turkey's hostility with Armenia: Yerevan would not have Turkish troops on the line, whichever side they join
    with pytest.raises(MoveError, match="ARM would not accept TUR's troops"):
        game().submit([], round_=1, actor="TUR", player="P", choices=[Choice("peacekeepers", "AZE")], memo="m")
    assert "peacekeepers" not in [m.name for m, _ in menu(game().situation([], "TUR", 1))]
    # Russia, Armenia's ally, may post peacekeepers on Azerbaijan's side of the line only (on Armenia's its troops
    # would be a party's, and its alliance would be lost)
    assert {m.name: targets for m, targets in menu(game().situation([], "RUS", 1))}["peacekeepers"] == ("AZE",)


def test_breaking_a_truce_ends_the_ceasefire_the_same_day():
    g = game(days=5)
    start = g.play([], BASELINE.steps).history.spans[0][0].start    # the game's own first ceasefire (a ripe one)
    round_ = start // g.days + 2                                    # the first round that opens after it came
    situation = g.situation([], "AZE", round_)
    assert situation.in_force, "the ceasefire must still hold when the round opens for the test to mean anything"
    broken = g.submit([], round_=round_, actor="AZE", player="Q", choices=[Choice("break-truce")], memo="m",
                      situation=situation)
    truce = next(s for s in g.play([broken], g.first_day(round_)).history.spans[0] if s.start == start)
    assert truce.end == g.first_day(round_) and truce.ended_by == "event"


def test_pressing_for_a_truce_pushes_and_opens_strong_channels_for_the_round_only():
    g = game()
    sub = g.submit([], round_=1, actor="PAK", player="P", choices=[Choice("press-truce")], memo="m")
    push, pressed, over = sub.events
    assert (push["field"], push["by"], push["anchor"]) == ("ceasefire", 0.2, False)     # a push that fades
    # Pakistan backs Baku (a support tie, left as it is) and has no tie with Yerevan: talks open one for the round
    assert pressed["tie"] == {"from": "PAK", "to": "ARM", "kind": "mediation", "weight": 0.8}
    assert (over["step"], over["action"], over["tie"]) == (11, "remove_tie", "PAK>ARM")
    usa = g.submit([], round_=1, actor="USA", player="P", choices=[Choice("press-truce")], memo="m")
    raised = [(e["step"], e["tie"]["to"], e["tie"]["weight"]) for e in usa.events if e["action"] == "add_tie"]
    assert raised == [(1, "ARM", 0.8), (1, "AZE", 0.8), (11, "ARM", 0.2), (11, "AZE", 0.2)]  # the offers of 27 Sep
    last = g.submit([], round_=g.rounds, actor="USA", player="P", choices=[Choice("press-truce")], memo="m")
    assert {e["step"] for e in last.events} == {g.first_day(g.rounds)}     # nothing after the last day to undo


def test_a_press_in_the_next_round_starts_from_the_channel_as_the_talks_left_it():
    g = game()
    first = g.submit([], round_=1, actor="USA", player="P", choices=[Choice("press-truce")], memo="m")
    again = g.submit([first], round_=2, actor="USA", player="P", choices=[Choice("press-truce")], memo="m")
    assert [e["tie"]["weight"] for e in again.events if e["action"] == "add_tie"] == [0.8, 0.8, 0.2, 0.2]
    slot = g.play([first], 1).world.topology.tie_ids.index("USA>ARM")
    weights = g.play([first, again], 21).history.weight
    assert [float(weights[day][0][slot]) for day in (10, 11, 20, 21)] == pytest.approx([0.8, 0.8, 0.8, 0.2])


def test_pressing_for_a_truce_gets_one_signed_under_pressure_in_that_round():
    g, seeds = game(), run_seeds(BASELINE.seed, 40)
    press = g.submit([], round_=2, actor="USA", player="P", choices=[Choice("press-truce")], memo="m")

    def share(submissions):
        spans = g.play(submissions, g.last_day(2), seeds=seeds).history.spans
        return np.mean([any(c.came == "pressure" and c.start >= g.first_day(2) for c in s) for s in spans])

    assert share([press]) >= share([]) + 0.5


def test_peacekeepers_wait_for_a_ceasefire_then_guard_the_line():
    g = game()
    sub = g.submit([], round_=1, actor="USA", player="P", choices=[Choice("peacekeepers", "ARM")], memo="m")
    (event,) = sub.events
    assert event["tie"] == {"from": "USA", "to": "ARM", "kind": "peacekeeping", "weight": 1.0}
    assert event["when"] == {"measure": "ceasefire_in_force", "op": "==", "value": 1}
    run = g.play([sub], BASELINE.steps)
    start = run.history.spans[0][0].start
    slot = run.world.topology.tie_ids.index("USA>ARM")
    kinds = [TIE_KINDS[run.history.kind[day][0][slot]] for day in (1, start, start + 1)]
    assert kinds == ["mediation", "mediation", "peacekeeping"]     # deployed the day after the ceasefire came


def test_peacekeepers_cut_the_breakdowns_of_the_ceasefires():
    g, seeds = game(), run_seeds(BASELINE.seed, 60)
    sub = g.submit([], round_=1, actor="USA", player="P", choices=[Choice("peacekeepers", "ARM")], memo="m")

    def breakdowns(submissions):
        simulation = g.play(submissions, BASELINE.steps, seeds=seeds)
        return np.array([run_outcomes(simulation, run)["breakdowns"] for run in range(len(seeds))])

    fewer = breakdowns([]) - breakdowns([sub])
    assert fewer.mean() > 2 * fewer.std(ddof=1) / np.sqrt(len(fewer))


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
