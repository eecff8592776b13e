"""A game of a class: rounds, what a player may send and when, replay, the classroom file, the debrief."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from sim.classroom.classroom import Classroom, ClassroomError, clean_name
from sim.classroom.debrief import debrief, difference
from sim.classroom.game import Choice, Game
from sim.classroom.moves import MEMO_LENGTH, MoveError
from sim.classroom.store import Store, StoreError
from sim.scenario import load

BASELINE = load("baseline")


@pytest.fixture
def room(tmp_path):
    return Classroom(Store(tmp_path / "class.sqlite"))


def started(room, actors=("TUR", "RUS", "OSCE"), days=20):
    code = room.new_game(BASELINE, days=days)
    players = [room.join(code, f"player {a}") for a in actors]
    for player, actor in zip(players, actors):
        room.take(player.token, actor)
    room.start(code)
    return code, [p.token for p in players]


def test_rounds_cover_the_scenarios_days():
    game = Game(BASELINE, 1, 7)
    assert game.rounds == 9 and game.first_day(1) == 1 and game.last_day(9) == 60 and game.first_day(9) == 57
    with pytest.raises(ValueError, match="1 to 100 days"):
        Game(BASELINE, 1, 0)
    with pytest.raises(ValueError, match="at most 60"):
        Game(BASELINE.with_changes(steps=200), 1, 1)


def test_later_moves_never_change_what_was_shown_of_earlier_days():
    game = Game(BASELINE, 2020, 10)
    first = game.submit([], round_=1, actor="TUR", player="A", choices=[Choice("back-with-arms", "AZE")], memo="m")
    shown = game.play([first], 10).history.array("fields")
    later = game.submit([first], round_=2, actor="IRN", player="B", choices=[Choice("sanction", "PAK")], memo="m")
    replay = game.play([first, later], 20).history.array("fields")
    np.testing.assert_array_equal(replay[:11], shown)
    assert not np.array_equal(replay[11:], game.play([first], 20).history.array("fields")[11:])


def test_the_same_moves_give_the_same_bytes():
    game = Game(BASELINE, 5, 10)
    sub = game.submit([], round_=1, actor="USA", player="A", choices=[Choice("press-truce")], memo="m")
    a, b = game.play([sub], 60), game.play([sub], 60)
    assert a.history.array("fields").tobytes() == b.history.array("fields").tobytes()


@pytest.mark.parametrize(("choices", "memo", "message"), [
    ([Choice("press-ceasefire")], "   ", "write a memo"),
    ([Choice("press-ceasefire")], "x" * (MEMO_LENGTH + 1), "at most 2000"),
    ([Choice("press-ceasefire"), Choice("offer-talks"), Choice("open-channel", "ARM"), Choice("sanction", "AZE")],
     "m", "at most 3 moves"),
    ([Choice("press-ceasefire"), Choice("press-ceasefire")], "m", "the same move twice"),
    ([Choice("launch-missiles")], "m", "no move 'launch-missiles'"),
    ([Choice("open-channel", "OSCE")], "m", "needs another actor"),
])
def test_a_submission_that_breaks_a_rule_is_refused_with_one_line(choices, memo, message):
    with pytest.raises(MoveError, match=message) as found:
        Game(BASELINE, 1, 10).submit([], round_=1, actor="OSCE", player="A", choices=choices, memo=memo)
    assert "\n" not in str(found.value)


def test_a_memo_alone_is_a_submission_without_events():
    sub = Game(BASELINE, 1, 10).submit([], round_=1, actor="OSCE", player="A", choices=[], memo="We wait.")
    assert sub.events == () and sub.memo == "We wait."


# ------------------------------------------------------------------------------------------ the classroom


def test_a_player_sends_once_a_round_while_it_is_open_and_only_for_its_actor(room):
    code, (tur, rus, osce) = started(room)
    room.submit(tur, 1, [Choice("back-in-words", "AZE")], "Ankara")
    with pytest.raises(ClassroomError, match="already sent"):
        room.submit(tur, 1, [Choice("press-ceasefire")], "again")
    with pytest.raises(ClassroomError, match="round 2 is closed"):
        room.submit(rus, 2, [Choice("press-ceasefire")], "early")
    room.close_round(code, 1)
    with pytest.raises(ClassroomError, match="round 1 is closed"):
        room.submit(rus, 1, [Choice("press-ceasefire")], "late")
    with pytest.raises(ClassroomError, match="not open"):
        room.close_round(code, 1)
    sent = room.store.submissions(code)
    assert [(s.round, s.actor) for s in sent] == [(1, "TUR")]
    # a token acts for its own actor alone: the submission is TUR's whatever the form says
    room.submit(rus, 2, [Choice("offer-talks")], "Moscow hosts")
    assert room.store.submissions(code)[-1].actor == "RUS"


def test_an_actor_is_taken_once_and_a_player_takes_one(room):
    code = room.new_game(BASELINE)
    a, b = room.join(code, "A"), room.join(code, "B")
    room.take(a.token, "TUR")
    with pytest.raises(ClassroomError, match="taken"):
        room.take(b.token, "TUR")
    with pytest.raises(ClassroomError, match="already play"):
        room.take(a.token, "RUS")
    with pytest.raises(ClassroomError, match="no actor"):
        room.take(b.token, "<script>")
    with pytest.raises(ClassroomError, match="not known"):
        room.take("guessed-token", "RUS")


def test_nothing_is_sent_before_the_start_or_after_the_end(room):
    code = room.new_game(BASELINE, days=60)
    player = room.join(code, "A")
    room.take(player.token, "UN")
    with pytest.raises(ClassroomError, match="not started"):
        room.submit(player.token, 1, [], "m")
    room.start(code)
    room.close_round(code, 1)
    with pytest.raises(ClassroomError, match="is over"):
        room.submit(player.token, 1, [], "m")
    with pytest.raises(ClassroomError, match="is over"):
        room.join(code, "late")


@pytest.mark.parametrize(("name", "cleaned"), [("  Ana  ", "Ana"), ("Team\nAnkara\x00", "Team Ankara"),
                                               ("<b>Bo</b>", "<b>Bo</b>")])
def test_names_are_one_line_of_printable_text(name, cleaned):
    assert clean_name(name) == cleaned


@pytest.mark.parametrize("name", ["", "   ", "\x07", "x" * 61, None])
def test_an_empty_or_overlong_name_is_refused(name):
    with pytest.raises(ClassroomError):
        clean_name(name)


def test_the_teachers_key_is_checked_and_kept_across_a_restart(tmp_path):
    room = Classroom(Store(tmp_path / "c.sqlite"))
    room.check_key(room.teacher_key)
    for wrong in ("", "x", room.teacher_key + "x", None):
        with pytest.raises(ClassroomError, match="teacher's key"):
            room.check_key(wrong)
    assert Classroom(Store(tmp_path / "c.sqlite")).teacher_key == room.teacher_key


def test_a_game_survives_a_restart_mid_round_with_nothing_lost(tmp_path):
    room = Classroom(Store(tmp_path / "c.sqlite"))
    code, (tur, rus, osce) = started(room)
    room.submit(tur, 1, [Choice("back-in-words", "AZE")], "Ankara")
    room.close_round(code, 1)
    room.submit(rus, 2, [Choice("offer-talks")], "Moscow hosts")
    before = room.run(room.record(code)).history.array("fields")
    again = Classroom(Store(tmp_path / "c.sqlite"))             # a new server on the same file
    record = again.record(code)
    assert (record.round, record.status) == (2, "playing")
    assert [(s.round, s.actor, s.memo) for s in again.store.submissions(code)] == \
        [(1, "TUR", "Ankara"), (2, "RUS", "Moscow hosts")]
    np.testing.assert_array_equal(again.run(record).history.array("fields"), before)
    again.submit(osce, 2, [Choice("press-ceasefire")], "still here")
    assert again.round(again.record(code)).sent == ("RUS", "OSCE")


def test_forty_players_sending_at_once_are_all_stored(tmp_path):
    room = Classroom(Store(tmp_path / "c.sqlite"))
    tokens = []
    for _ in range(3):
        code, game_tokens = started(room, actors=BASELINE.actor_ids)
        tokens += zip(game_tokens, BASELINE.actor_ids)
    tokens = tokens[:40]
    barrier, errors = threading.Barrier(len(tokens)), []

    def send(token, actor):
        barrier.wait()
        try:
            room.submit(token, 1, [Choice("open-channel", "VAT" if actor != "VAT" else "UN")], "now")
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=send, args=pair) for pair in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(len(room.store.submissions(g.code)) for g in room.store.games()) == 40


def test_a_file_that_is_not_a_classroom_is_refused_and_left_as_it_was(tmp_path):
    notes = tmp_path / "notes.sqlite"
    with sqlite3.connect(notes) as db:
        db.execute("CREATE TABLE mine (x)")
    before = notes.read_bytes()
    with pytest.raises(StoreError, match="not a dipsim classroom file"):
        Store(notes)
    text = tmp_path / "essay.txt"
    text.write_text("my essay " * 200)
    with pytest.raises(StoreError, match="not a dipsim classroom file"):
        Store(text)
    assert notes.read_bytes() == before and text.read_text() == "my essay " * 200
    with pytest.raises(StoreError, match="not a file"):
        Store(tmp_path)


# ------------------------------------------------------------------------------------------ the debrief


def test_the_paired_difference_and_its_standard_error():
    found = difference({"x": np.array([1.0, 1.0, 0.0, 1.0])}, {"x": np.array([0.0, 1.0, 0.0, 0.0])})["x"]
    assert found["change"] == 0.5 and found["with"] == 0.75 and found["without"] == 0.25
    assert found["se"] == pytest.approx(np.std([1, 0, 0, 1], ddof=1) / 2)


def test_the_debrief_measures_each_player_against_the_rules_playing_instead():
    game = Game(BASELINE, 2020, 20)
    subs = []
    subs.append(game.submit(subs, round_=1, actor="USA", player="Sam", choices=[Choice("press-truce")], memo="now"))
    subs.append(game.submit(subs, round_=1, actor="VAT", player="Val", choices=[], memo="We pray."))
    subs.append(game.submit(subs, round_=2, actor="AZE", player="Az", choices=[Choice("escalate")], memo="on"))
    body = debrief(game, subs, player_runs=60, submission_runs=30)
    effects = {p["actor"]: p["effect"] for p in body["players"]}
    assert set(effects) == {"USA", "VAT", "AZE"}
    pressed = effects["USA"]["under_pressure"]                       # Washington's press gets truces signed
    assert pressed["change"] > 2 * pressed["se"] > 0
    assert all(e["change"] == 0 and e["se"] == 0 for e in effects["VAT"].values())   # a memo moves nothing
    escalated, taken = effects["AZE"]["intensity_AZE"], effects["AZE"]["territory_AZE"]
    assert escalated["change"] > 2 * escalated["se"] and taken["change"] > 2 * taken["se"]   # and it takes ground
    assert [m["effect"] is None for m in body["moves"]] == [False, True, False]
    assert body["runs"] == 60 and body["submission_runs"] == 30


def test_leaving_a_player_out_drops_a_channel_closed_that_only_its_moves_had_opened():
    game = Game(BASELINE, 2020, 20)
    subs = [game.submit([], round_=1, actor="IRN", player="I", choices=[Choice("sanction", "RUS")], memo="m")]
    subs.append(game.submit(subs, round_=2, actor="RUS", player="R", choices=[Choice("close-channel", "IRN")],
                            memo="m"))
    without_iran = game.leaving_out(subs, lambda s: s.actor == "IRN")
    assert [s.actor for s in without_iran] == ["RUS"] and without_iran[0].events == ()
    game.with_moves(without_iran)                                    # validates: no tie named that never exists
    kept = game.leaving_out(subs, lambda s: s.actor == "VAT")
    assert [len(s.events) for s in kept] == [len(s.events) for s in subs]
    body = debrief(game, subs, player_runs=20, submission_runs=10)
    assert {p["actor"] for p in body["players"]} == {"IRN", "RUS"}
