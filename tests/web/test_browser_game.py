"""The class game played in a real browser (Debian's headless Chromium) against the real server.

A teacher on a projector-sized screen and three students (one on a phone) in separate browser contexts,
so with separate cookies: the students join with the code the teacher's page shows, take Turkey, Russia
and the OSCE, send moves and memos for two rounds, and every page follows the rounds by itself. One
student's name and memos try to become markup. Then the rules around it over plain HTTP: a player acts
only for its own actor, the teacher's pages need the key, and a restarted server resumes an open round.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import Page, expect

import sim.classroom.classroom as classroom_module
from sim.classroom.debrief import debrief as real_debrief

#: A classroom projector and a phone.
PROJECTOR, PHONE = {"width": 1920, "height": 1080}, {"width": 390, "height": 844}
#: A name and a memo that would run a script and draw bold text if a page took them for markup.
XSS = "<script>window.hacked=1</script><b>bold</b>"
#: Milliseconds a page that polls every 1.5 s may take to reload by itself and show the next round.
RELOAD = 15_000
#: Milliseconds the plots of a round may take (the first rendering of a test process loads matplotlib).
PLOTS = 60_000
#: Milliseconds a page that makes the server compute (a round's run, the debrief) may take, on a busy machine.
SERVER = 30_000
#: The bundled baseline's 60 days in rounds of 30.
DAYS, ROUNDS = 30, 2

#: The students: name, actor id, actor name, the context's options.
STUDENTS = [
    ("Ayla", "TUR", "Turkey", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
    ("Boris", "RUS", "Russia", {"viewport": {"width": 1280, "height": 800}}),
    (XSS, "OSCE", "OSCE", {"viewport": {"width": 1366, "height": 768}}),
]
#: Each round's moves ((move, target) and how the story tells it) and memo, by actor.
PLAN = {
    1: {"TUR": ([("back-in-words", "AZE", "Back a side in words (Azerbaijan)")], "Ankara stands by Baku in words."),
        "RUS": ([("press-ceasefire", None, "Press for a ceasefire")], "Moscow wants the fighting stopped first."),
        "OSCE": ([("offer-talks", None, "Offer or host talks")], XSS)},
    2: {"TUR": ([("press-ceasefire", None, "Press for a ceasefire")], "Ankara now wants a pause."),
        "RUS": ([("press-truce", None, "Press both sides into a humanitarian truce"),
                 ("open-channel", "TUR", "Open a channel (Turkey)")],
                "Moscow brokers, and talks to Ankara."),
        "OSCE": ([("press-ceasefire", None, "Press for a ceasefire")], "The co-chairs press again. " + XSS)},
}
#: A measured effect, whatever its words: the three measures, each with its margin (± two standard errors).
EFFECT = re.compile(r"^(?=.*lasting ceasefire)(?=.*ceasefire reached)(?=.*days of ceasefire)"
                    r"(?:[^±]*± ?\d+(?:\.\d+)?\b){3}")


# ------------------------------------------------------------------------------------------------ helpers

def headline(page: Page):
    """The line that says where the game stands: under a student's title, in the teacher's second card."""
    return page.locator("main > p.big, main > .card:not(.split) > p.big").first


def mark(page: Page) -> None:
    """Mark the page's window: a reload (and only a reload) clears the mark."""
    page.evaluate("window.dipsimMark = 'before'")


def expect_reloaded(page: Page, text: str) -> None:
    """The page reloaded by itself (its mark is gone) and now says ``text``."""
    expect(headline(page)).to_contain_text(text, timeout=RELOAD)
    assert page.evaluate("typeof window.dipsimMark") == "undefined", f"{page.url} changed without a reload"


def expect_plots(page: Page) -> None:
    """The page shows the five plots (the baseline has a battlefield), each an image the browser loaded."""
    expect(page.locator("img.plot")).to_have_count(5)
    page.wait_for_function("() => [...document.querySelectorAll('img.plot')].every(i => i.complete)", timeout=PLOTS)
    widths = page.eval_on_selector_all("img.plot", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 5 and all(w > 0 for w in widths), widths


def expect_story(page: Page, number: int) -> None:
    """"What happened in the last round" tells every move of round ``number``, with who played it."""
    card = page.locator(".card", has=page.get_by_role("heading", name="What happened in the last round"))
    for (name, actor, actor_name, _) in STUDENTS:
        for _, _, told in PLAN[number][actor][0]:
            line = re.compile(rf"^day \d+\s*{re.escape(f'{actor_name}, played by {name}: {told}')}$")
            expect(card.locator("ul.story li", has_text=line)).to_have_count(1)


def expect_inert(page: Page) -> None:
    """What the hostile name and memos say is shown as text: it ran no script and drew no bold."""
    assert page.evaluate("typeof window.hacked") == "undefined"
    expect(page.locator("b", has_text=re.compile(r"^bold$"))).to_have_count(0)
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('hacked'))")


def send(page: Page, number: int, actor: str) -> None:
    """Choose the actor's moves of round ``number`` on its page, write the memo and send them."""
    moves, memo = PLAN[number][actor]
    for k, (move, target, _) in enumerate(moves, start=1):
        page.select_option(f"#move{k}", move)
        if target:
            page.select_option(f"#target{k}", target)
    page.fill("#memo", memo)
    page.get_by_role("button", name="Send the moves").click()


# ------------------------------------------------------------------------------------------------ the game

def test_a_class_plays_a_whole_game_in_the_browser(server, browser_context, shoot, monkeypatch, request):
    base, key = server.base_url, server.teacher_key
    teacher = browser_context(viewport=PROJECTOR).new_page()
    teacher.goto(f"{base}/teacher/{key}")
    shoot(teacher, "teacher-home")
    teacher.select_option("#scenario", "baseline")
    teacher.fill("#days", str(DAYS))
    teacher.get_by_role("button", name="Create the game").click()
    expect(teacher).to_have_url(re.compile(rf"/teacher/{re.escape(key)}/games/[A-Z2-9]{{6}}$"))

    # The code, the join address and its QR code, as the projector shows them.
    code = teacher.locator(".code").inner_text().strip()
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code), code
    join_url = teacher.locator(".split p.big b").inner_text().strip()
    assert join_url == f"{base}/join?code={code}"
    qr = teacher.locator(".qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 400, "the QR code is too small to scan from the back of a room"
    expect(headline(teacher)).to_have_text(f"0 joined. Rounds of {DAYS} days, {ROUNDS} rounds.")
    mark(teacher)

    # Three students join: the phone scans the QR code (the join address), the others type the code.
    students: dict[str, Page] = {}
    for k, (name, actor, actor_name, options) in enumerate(STUDENTS):
        page = browser_context(**options).new_page()
        if k == 0:
            page.goto(join_url)
            expect(page.locator("#code")).to_have_value(code)
            shoot(page, "join")
        else:
            page.goto(f"{base}/join")
            expect(page.locator("#code")).to_have_value("")
            page.fill("#code", code.lower() if k == 1 else code)     # as typed on a phone, in lower case
        page.fill("#name", name)
        page.get_by_role("button", name="Join").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/play/[\w-]+$"))
        expect(page.locator("main > p.big")).to_have_text(f"Welcome, {name}. Choose the actor you will play.")
        for taken in STUDENTS[:k]:                                   # an actor taken is offered no more
            expect(page.get_by_role("button", name=f"Play {taken[2]}")).to_have_count(0)
        if k == 0:
            shoot(page, "choose")
        page.get_by_role("button", name=f"Play {actor_name}", exact=True).click()
        expect(page.locator("h1")).to_have_text(actor_name)
        expect(headline(page)).to_have_text("Waiting for your teacher to open round 1.")
        expect(page.locator("form")).to_have_count(0)
        students[actor] = page
    shoot(students["TUR"], "play-lobby")

    # The teacher's page follows the lobby by itself; starting round 1 reloads every student's page.
    expect(teacher.locator("table td:nth-child(2)")).to_have_text([s[2] for s in STUDENTS], timeout=RELOAD)
    expect_reloaded(teacher, f"3 joined. Rounds of {DAYS} days, {ROUNDS} rounds.")
    expect(teacher.locator("table td:nth-child(1)")).to_have_text([s[0] for s in STUDENTS])
    expect_inert(teacher)
    shoot(teacher, "teacher-lobby")
    for page in students.values():
        mark(page)
    teacher.get_by_role("button", name="Start round 1").click()
    expect(headline(teacher)).to_have_text(f"Round 1 of {ROUNDS} · day 0 · moves from 0 of 3 players")
    for page in students.values():
        expect_reloaded(page, f"Round 1 of {ROUNDS} · day 0 of 60")
        expect(page.get_by_role("heading", name="Your moves for round 1")).to_be_visible()
    shoot(students["TUR"], "play-form")

    # Round 1: Russia has its page open twice; both send, the second is refused with a message.
    second = students["RUS"].context.new_page()
    second.goto(students["RUS"].url)
    expect(second.get_by_role("button", name="Send the moves")).to_be_visible()
    mark(teacher)
    for actor, page in students.items():
        send(page, 1, actor)
        expect(page.locator(".notice")).to_have_text(
            "Your moves for round 1 are in. The round closes when your teacher says so.")
        expect(page.locator("form")).to_have_count(0)
    shoot(students["TUR"], "play-sent")
    send(second, 1, "RUS")
    expect(second.get_by_role("alert")).to_have_text(
        re.compile(r"moves for round 1 were already sent; a round takes one set of moves"))
    shoot(second, "play-error")
    second.close()
    expect_reloaded(teacher, f"Round 1 of {ROUNDS} · day 0 · moves from 3 of 3 players")

    # The teacher closes round 1: every page shows round 2, the plots, and the story of the moves.
    for page in students.values():
        mark(page)
    teacher.get_by_role("button", name=f"Close round 1 and advance {DAYS} days").click()
    expect(headline(teacher)).to_have_text(f"Round 2 of {ROUNDS} · day {DAYS} · moves from 0 of 3 players",
                                           timeout=SERVER)
    expect_story(teacher, 1)
    expect_plots(teacher)
    expect_inert(teacher)
    shoot(teacher, "teacher-round")
    for page in students.values():
        expect_reloaded(page, f"Round 2 of {ROUNDS} · day {DAYS} of 60")
        expect_story(page, 1)
        expect_plots(page)
        expect_inert(page)
    shoot(students["TUR"], "play-after-round")

    # Round 2, the last: the game ends, on every page. The debrief (computed in the background from the
    # moment the last round closes) waits for the test's word, so that the pages waiting for it are seen.
    gate = threading.Event()
    request.addfinalizer(gate.set)
    monkeypatch.setattr(classroom_module, "debrief", lambda *args, **kwargs: (gate.wait(SERVER / 1000),
                                                                             real_debrief(*args, **kwargs))[1])
    mark(teacher)
    for actor, page in students.items():
        send(page, 2, actor)
        expect(page.locator(".notice")).to_contain_text("Your moves for round 2 are in.")
    expect_reloaded(teacher, f"Round 2 of {ROUNDS} · day {DAYS} · moves from 3 of 3 players")
    for page in students.values():
        mark(page)
    teacher.get_by_role("button", name=f"Close round 2 and advance {DAYS} days").click()
    expect(headline(teacher)).to_have_text("The game is over after 60 days.", timeout=SERVER)
    expect(teacher.locator(".qr")).to_have_count(0)                # a game that is over takes no one in
    expect_story(teacher, 2)
    for page in students.values():
        expect_reloaded(page, "The game is over after 60 days.")
        expect(page.locator(".notice")).to_contain_text("The debrief is being computed")
        expect_story(page, 2)
        mark(page)
    shoot(teacher, "teacher-over")
    shoot(students["TUR"], "play-over")

    # The debrief: the teacher's page waits for it, and opens it by itself when it is ready; so do the
    # students' pages, with its link. It shows each player's measured effect, every memo as text, the plots.
    teacher.get_by_role("link", name="Compute and open the debrief").click()
    expect(teacher).to_have_url(f"{base}/debrief/{code}")
    expect(teacher.locator(".notice")).to_contain_text("The debrief is being computed")
    shoot(teacher, "debrief-computing")
    mark(teacher)
    gate.set()
    rows = teacher.locator("table tr")
    expect(rows).to_have_count(1 + len(STUDENTS), timeout=SERVER)
    assert teacher.evaluate("typeof window.dipsimMark") == "undefined"
    for page in students.values():
        expect(page.get_by_role("link", name="Read the debrief")).to_be_visible(timeout=RELOAD)
        assert page.evaluate("typeof window.dipsimMark") == "undefined"
    for name, _, actor_name, _ in STUDENTS:
        cells = rows.filter(has=teacher.get_by_role("cell", name=actor_name, exact=True)).locator("td")
        expect(cells).to_have_text([name, actor_name, EFFECT])
    memos = [memo for number in PLAN for _, memo in PLAN[number].values()]
    expect(teacher.locator("blockquote")).to_have_text(memos)
    expect_inert(teacher)
    expect_plots(teacher)
    shoot(teacher, "debrief")

    with teacher.expect_download() as downloading:
        teacher.get_by_role("link", name="Report (Markdown)").click()
    download = downloading.value
    assert download.suggested_filename == f"debrief-{code}.md"
    markdown = Path(download.path()).read_text(encoding="utf-8")
    quoted = XSS.replace("<", "&lt;").replace(">", "&gt;")
    for memo in memos:
        assert f"> {memo.replace(XSS, quoted)}\n" in markdown
    for name, _, actor_name, _ in STUDENTS:
        line = re.search(rf"^- \*\*{re.escape(name.replace(XSS, quoted))}\*\* \({re.escape(actor_name)}\): (.*)$",
                         markdown, re.MULTILINE)
        assert line and EFFECT.search(line[1]), name
    assert "<script>" not in markdown and "<b>" not in markdown
    report = teacher.request.get(f"{base}/debrief/{code}.html")
    assert report.status == 200 and quoted in report.text() and XSS not in report.text()

    # A student's link leads to the debrief.
    students["TUR"].get_by_role("link", name="Read the debrief").click()
    expect(students["TUR"].locator("h1")).to_have_text(re.compile(r"^Debrief: "))
    expect_inert(students["TUR"])
    # No page broke a rule of its Content-Security-Policy or logged an error, but for the refused moves.
    refused = (f"{students['RUS'].url}/moves: Failed to load resource: "
               "the server responded with a status of 409 (Conflict)")
    for page in (teacher, *students.values()):
        assert page.context.errors == ([refused] if page is students["RUS"] else []), page.context.errors


# ------------------------------------------------------------------------------------------------ the rules

def http_game(base: str, key: str, http: httpx.Client, actors: list[str]) -> tuple[str, dict[str, str]]:
    """A game of baseline in rounds of 30 days, made over HTTP as the browser would, with one player per
    actor (its token by actor id): its code and the tokens."""
    made = http.post(f"{base}/teacher/{key}/games", data={"scenario": "baseline", "days": str(DAYS)})
    assert made.status_code == 303
    code = made.headers["location"].rsplit("/", 1)[1]
    tokens = {}
    for actor in actors:
        joined = http.post(f"{base}/join", data={"code": code, "name": f"team {actor.lower()}"})
        assert joined.status_code == 303, joined.text
        token = joined.headers["location"].rsplit("/", 1)[1]
        assert http.post(f"{base}/play/{token}/take", data={"actor": actor}).status_code == 303
        tokens[actor] = token
    return code, tokens


def test_a_player_acts_only_for_its_own_actor_and_the_teacher_only_with_the_key(server):
    base, key = server.base_url, server.teacher_key
    with httpx.Client(timeout=30) as http:
        code, tokens = http_game(base, key, http, ["TUR", "RUS"])
        assert http.post(f"{base}/teacher/{key}/games/{code}/start").status_code == 303

        # Turkey's link cannot take, or move for, Russia: the actor comes from the token alone.
        taken = http.post(f"{base}/play/{tokens['TUR']}/take", data={"actor": "RUS"})
        assert taken.status_code == 409 and "you already play an actor" in taken.text
        late = http.post(f"{base}/join", data={"code": code, "name": "late"}).headers["location"]
        refused = http.post(f"{base}{late}/take", data={"actor": "RUS"})
        assert refused.status_code == 409 and "has been taken by another player" in refused.text
        sent = http.post(f"{base}/play/{tokens['TUR']}/moves",
                         data={"round": "1", "actor": "RUS", "token": tokens["RUS"], "move1": "press-ceasefire",
                               "memo": "as Russia?"})
        assert sent.status_code == 303
        assert http.get(f"{base}/games/{code}/status").json()["sent"] == ["TUR"]
        again = http.post(f"{base}/play/{tokens['TUR']}/moves",
                          data={"round": "1", "actor": "RUS", "move1": "press-ceasefire", "memo": "again"})
        assert again.status_code == 409 and "moves for round 1 were already sent" in again.text
        page = http.get(f"{base}/play/{tokens['RUS']}")
        assert page.status_code == 200 and 'name="move1"' in page.text
        assert http.post(f"{base}/play/not-a-token/moves", data={"round": "1", "memo": "x"}).status_code == 404
        assert http.get(f"{base}/play/not-a-token").status_code == 404

        # The teacher's pages refuse any other key (and a key's prefix, or the key in another case).
        for wrong in ("wrong", key[:-1], key.swapcase(), f"{key}x"):
            for method, path, data in (("GET", f"/teacher/{wrong}", None),
                                       ("GET", f"/teacher/{wrong}/games/{code}", None),
                                       ("POST", f"/teacher/{wrong}/games", {"scenario": "baseline", "days": "7"}),
                                       ("POST", f"/teacher/{wrong}/games/{code}/close", {"round": "1"}),
                                       ("POST", f"/teacher/{wrong}/games/{code}/start", None)):
                answer = http.request(method, f"{base}{path}", data=data)
                assert answer.status_code == 403, (method, path, answer.status_code)
                assert "this page needs the teacher&#39;s key" in answer.text
                assert key not in answer.text
        state = http.get(f"{base}/games/{code}/status").json()
        assert (state["round"], state["status"]) == (1, "playing")
        assert [g.code for g in server.classroom.store.games()] == [code]
        # With the key, a game that is not there is a 404 whatever its name says.
        for missing in ("NOSUCH", "key", "teacherkey"):
            assert http.get(f"{base}/teacher/{key}/games/{missing}").status_code == 404, missing


def test_a_restarted_server_resumes_the_open_round(server, browser_context):
    base, key = server.base_url, server.teacher_key
    with httpx.Client(timeout=30) as http:
        code, tokens = http_game(base, key, http, ["TUR", "RUS", "OSCE"])
        assert http.post(f"{base}/teacher/{key}/games/{code}/start").status_code == 303
        student = browser_context(viewport=PHONE, is_mobile=True).new_page()
        student.goto(f"{base}/play/{tokens['OSCE']}")
        expect(headline(student)).to_have_text(f"Round 1 of {ROUNDS} · day 0 of 60")
        for actor in ("TUR", "RUS"):
            moves, memo = PLAN[1][actor]
            data = {"round": "1", "memo": memo, "move1": moves[0][0], "target1": moves[0][1] or ""}
            assert http.post(f"{base}/play/{tokens[actor]}/moves", data=data).status_code == 303

    before = server.classroom
    server.restart()
    assert server.running and server.base_url == base and server.classroom is not before

    teacher = browser_context(viewport=PROJECTOR).new_page()
    teacher.goto(f"{base}/teacher/{key}/games/{code}")
    expect(headline(teacher)).to_have_text(f"Round 1 of {ROUNDS} · day 0 · moves from 2 of 3 players")
    expect(teacher.locator("table tr", has_text="team tur").locator("td").nth(2)).to_have_text("sent")
    expect(teacher.locator("table tr", has_text="team osce").locator("td").nth(2)).to_have_text("")
    mark(teacher)
    # The OSCE's page, open through the restart, still sends (the form says round 1, still the open one).
    send(student, 1, "OSCE")
    expect(student.locator(".notice")).to_contain_text("Your moves for round 1 are in.")
    expect_reloaded(teacher, f"Round 1 of {ROUNDS} · day 0 · moves from 3 of 3 players")
    # The moves sent before the restart are part of the game: closing the round tells all three.
    mark(student)
    teacher.get_by_role("button", name=f"Close round 1 and advance {DAYS} days").click()
    expect(headline(teacher)).to_have_text(f"Round 2 of {ROUNDS} · day {DAYS} · moves from 0 of 3 players",
                                           timeout=SERVER)
    card = teacher.locator(".card", has=teacher.get_by_role("heading", name="What happened in the last round"))
    for actor, name in (("TUR", "Turkey"), ("RUS", "Russia"), ("OSCE", "OSCE")):
        told = PLAN[1][actor][0][0][2]
        line = re.compile(rf"^day 1\s*{re.escape(f'{name}, played by team {actor.lower()}: {told}')}$")
        expect(card.locator("li", has_text=line)).to_have_count(1)
    expect_reloaded(student, f"Round 2 of {ROUNDS} · day {DAYS} of 60")
