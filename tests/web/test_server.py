"""The game's pages over HTTP (Starlette's TestClient, no network): who may do what, and that nothing a
browser sends is trusted."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from sim.classroom.classroom import Classroom
from sim.classroom.store import Store
from sim.scenario import load
from sim.web.server import HEADERS, MOST_BODY, make_app

SCRIPT = "<script>window.hacked=1</script>"


@pytest.fixture
def site(tmp_path):
    classroom = Classroom(Store(tmp_path / "class.sqlite"))
    with TestClient(make_app(classroom, load("baseline"), explore=False), follow_redirects=False) as client:
        client.classroom = classroom
        client.key = classroom.teacher_key
        yield client


def new_game(site, days="30") -> str:
    answer = site.post(f"/teacher/{site.key}/games", data={"scenario": "baseline", "days": days})
    assert answer.status_code == 303
    return answer.headers["location"].rsplit("/", 1)[1]


def joined(site, code, name, actor) -> str:
    answer = site.post("/join", data={"code": code, "name": name})
    assert answer.status_code == 303
    token = answer.headers["location"].rsplit("/", 1)[1]
    assert site.post(f"/play/{token}/take", data={"actor": actor}).status_code == 303
    return token


def test_a_game_over_http_from_the_lobby_to_the_debrief(site):
    code = new_game(site)
    tur, osce = joined(site, code, "Ana", "TUR"), joined(site, code, "Bo", "OSCE")
    assert site.post(f"/teacher/{site.key}/games/{code}/start").status_code == 303
    page = site.get(f"/play/{tur}").text
    assert "Round 1 of 2" in page and 'value="back-with-arms"' in page and 'value="escalate"' not in page
    sent = site.post(f"/play/{tur}/moves", data={"round": "1", "move1": "back-with-arms", "target1": "AZE",
                                                 "memo": "Ankara stands by Baku"})
    assert sent.status_code == 303 and "moves for round 1 are in" in site.get(f"/play/{tur}").text
    status = site.get(f"/games/{code}/status").json()
    assert (status["round"], status["status"], status["days"], status["sent"]) == (1, "playing", 0, ["TUR"])
    assert site.post(f"/teacher/{site.key}/games/{code}/close", data={"round": "1"}).status_code == 303
    page = site.get(f"/play/{osce}").text
    assert "Round 2 of 2" in page and "Ankara stands by Baku" not in page
    assert "Turkey, played by Ana: Back a side with arms (Azerbaijan)" in page
    svg = site.get(f"/games/{code}/plots/30/alignment.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.content[:400] and "immutable" in svg.headers["cache-control"]
    assert b"<script" not in svg.content and b"Azerbaijan</text>" in svg.content   # words as text
    assert site.get(f"/games/{code}/plots/31/alignment.svg").status_code == 404     # not played yet
    site.post(f"/play/{osce}/moves", data={"round": "2", "move1": "press-truce", "memo": "A truce, now."})
    site.post(f"/teacher/{site.key}/games/{code}/close", data={"round": "2"})
    site.classroom.debrief(code)                     # the last close started it in the background; wait for it
    assert site.get(f"/games/{code}/status").json()["debrief"] is True
    debrief = site.get(f"/debrief/{code}")
    assert debrief.status_code == 200 and "Ankara stands by Baku" in debrief.text and "points" in debrief.text
    md = site.get(f"/debrief/{code}.md")
    assert md.headers["content-disposition"].endswith(f'debrief-{code}.md"') and "> A truce, now." in md.text
    html = site.get(f"/debrief/{code}.html")
    assert "<style>" in html.text and "font-size" in html.text and "Bo" in html.text


def test_names_and_memos_arrive_as_text_never_as_markup(site):
    code = new_game(site)
    token = joined(site, code, f"Eve{SCRIPT}", "UN")
    site.post(f"/teacher/{site.key}/games/{code}/start")
    site.post(f"/play/{token}/moves", data={"round": "1", "memo": f"{SCRIPT}<b>bold</b>"})
    site.post(f"/teacher/{site.key}/games/{code}/close", data={"round": "1"})
    site.post(f"/teacher/{site.key}/games/{code}/close", data={"round": "2"})
    site.classroom.debrief(code)
    pages = [site.get(f"/teacher/{site.key}/games/{code}").text, site.get(f"/debrief/{code}").text,
             site.get(f"/debrief/{code}.html").text, site.get(f"/play/{token}").text]
    for page in pages:
        assert SCRIPT not in page and "<b>bold" not in page
    assert "&lt;script&gt;window.hacked=1&lt;/script&gt;" in pages[1]
    md = site.get(f"/debrief/{code}.md").text
    assert SCRIPT not in md and "&lt;b&gt;bold&lt;/b&gt;" in md


def test_every_game_page_forbids_inline_scripts(site):
    code = new_game(site)
    for path in ("/", "/join", f"/teacher/{site.key}", f"/teacher/{site.key}/games/{code}", "/play/unknown"):
        answer = site.get(path)
        assert answer.headers["content-security-policy"] == HEADERS["Content-Security-Policy"], path
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert not re.search(r"<script>(?!</script>)", answer.text), path


@pytest.mark.parametrize("path", ["/teacher/wrong", "/teacher/wrong/games/ABCDEF"])
def test_the_teachers_pages_need_the_key(site, path):
    assert site.get(path).status_code == 403


def test_the_teachers_actions_need_the_key(site):
    code = new_game(site)
    assert site.post(f"/teacher/nope/games/{code}/start").status_code == 403
    assert site.post("/teacher/nope/games", data={"scenario": "baseline"}).status_code == 403
    assert site.classroom.record(code).status == "lobby"


@pytest.mark.parametrize(("data", "message"), [
    ({"scenario": "../../etc/passwd", "days": "7"}, "no scenario"),
    ({"scenario": "baseline", "days": "-3"}, "whole number"),
    ({"scenario": "baseline", "days": "1000"}, "1 to 100 days"),
])
def test_a_teachers_bad_form_gets_one_line_and_changes_nothing(site, data, message):
    answer = site.post(f"/teacher/{site.key}/games", data=data)
    assert answer.status_code == 400 and message in answer.text
    assert site.classroom.store.games() == []


@pytest.mark.parametrize(("data", "message"), [
    ({"round": "1", "move1": "escalate", "memo": "m"}, "only ARM and AZE"),
    ({"round": "1", "move1": "open-channel", "target1": "NOBODY", "memo": "m"}, "needs another actor"),
    ({"round": "7", "move1": "press-ceasefire", "memo": "m"}, "round 7 is closed"),
    ({"round": "x", "move1": "press-ceasefire", "memo": "m"}, "is closed"),
    ({"round": "1", "move1": "press-ceasefire", "memo": ""}, "write a memo"),
    ({"round": "1", "move1": "press-ceasefire", "memo": "x" * 2001}, "at most 2000"),
])
def test_a_players_bad_submission_gets_one_line_and_stores_nothing(site, data, message):
    code = new_game(site)
    token = joined(site, code, "Ana", "EU")
    site.post(f"/teacher/{site.key}/games/{code}/start")
    answer = site.post(f"/play/{token}/moves", data=data)
    assert answer.status_code == 409 and message in answer.text
    assert site.classroom.store.submissions(code) == []


def test_a_body_too_large_or_without_a_length_is_refused(site):
    code = new_game(site)
    token = joined(site, code, "Ana", "EU")
    assert site.post(f"/play/{token}/moves", content=b"a" * (MOST_BODY + 1),
                     headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 413

    def chunks():
        yield b"memo=x"

    assert site.post(f"/play/{token}/moves", content=chunks()).status_code == 411


def test_unknown_codes_tokens_and_plots_are_not_found(site):
    assert site.get("/play/not-a-token").status_code == 404
    assert site.get("/games/NOPE99/status").status_code == 404
    assert site.get("/debrief/NOPE99").status_code == 404
    code = new_game(site)
    assert site.get(f"/games/{code}/plots/0/secrets.svg").status_code == 404
    answer = site.post("/join", data={"code": "NOPE99", "name": "Ana"})
    assert answer.status_code == 400 and "check the join code" in answer.text


def test_the_debrief_waits_for_the_end_of_the_game(site):
    code = new_game(site)
    answer = site.get(f"/debrief/{code}")
    assert answer.status_code == 404 and "not over yet" in answer.text


def test_the_debrief_is_computed_in_the_background_and_the_page_waits_for_it(site, monkeypatch):
    import threading

    from sim.classroom import classroom as module

    release = threading.Event()
    real = module.debrief

    def slow(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "debrief", slow)
    code = new_game(site, days="60")
    site.post(f"/teacher/{site.key}/games/{code}/start")
    site.post(f"/teacher/{site.key}/games/{code}/close", data={"round": "1"})
    waiting = site.get(f"/debrief/{code}")
    assert waiting.status_code == 202 and 'data-watch="debrief"' in waiting.text
    assert site.get(f"/games/{code}/status").json()["debrief"] is False
    release.set()
    site.classroom.debrief(code)
    assert site.get(f"/debrief/{code}").status_code == 200


def test_the_teacher_frees_the_actor_of_a_player_who_lost_the_page(site):
    code = new_game(site)
    lost = joined(site, code, "Ana", "TUR")
    site.post(f"/teacher/{site.key}/games/{code}/start")
    site.post(f"/play/{lost}/moves", data={"round": "1", "move1": "press-ceasefire", "memo": "Ankara calls"})
    assert site.post(f"/teacher/nope/games/{code}/release", data={"token": lost}).status_code == 403
    assert site.post(f"/teacher/{site.key}/games/{code}/release", data={"token": lost}).status_code == 303
    again = joined(site, code, "Ana again", "TUR")
    assert "Turkey" in site.get(f"/play/{again}").text and "moves for round 1 are in" in site.get(f"/play/{again}").text
    assert [s.actor for s in site.classroom.store.submissions(code)] == ["TUR"]
    answer = site.post(f"/teacher/{site.key}/games/{code}/release", data={"token": "guess"})
    assert answer.status_code == 409 and "no such player" in answer.text


def test_a_status_request_waits_for_the_change_its_page_watches_and_no_longer(site, monkeypatch):
    import threading
    import time

    from sim.web import server

    code = new_game(site)
    known = site.get(f"/games/{code}/status?watch=teacher").json()["signature"]
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(
        (site.get(f"/games/{code}/status?watch=teacher&known={known}").json(), time.monotonic())))
    waiting.start()
    time.sleep(0.5)
    joined_at = time.monotonic()
    site.post("/join", data={"code": code, "name": "Ana"})
    waiting.join(10)
    (found, answered_at), = answers
    assert found["joined"] == 1 and found["signature"] != known and answered_at - joined_at < 2
    # a player's page does not watch joins: its request waits, and returns unchanged after LONG_POLL
    monkeypatch.setattr(server, "LONG_POLL", 0.3)
    player = site.get(f"/games/{code}/status?watch=player").json()["signature"]
    again = site.get(f"/games/{code}/status?watch=player&known={player}").json()
    assert again["signature"] == player
    assert site.get(f"/games/{code}/status?watch=everything").status_code == 400
