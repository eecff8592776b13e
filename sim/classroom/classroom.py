"""`Classroom`: the games of one classroom file, and every rule of who may do what, when.

The web server only translates requests into these calls and their answers into pages: a player acts
through its token (only for its own actor, once a round, while the round is open), the teacher through
the teacher's key. Each game has a lock, so that a round is closed once and the moves of a round are
checked against one another in the order they are stored.
"""

from __future__ import annotations

import hmac
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sim.classroom import ClassroomError
from sim.classroom.debrief import debrief
from sim.classroom.game import NAME_LENGTH, Choice, Game, Submission
from sim.classroom.moves import Situation, menu
from sim.classroom.store import GameRecord, Player, Store
from sim.core.engine import Simulation
from sim.scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class Round:
    """Where a game stands: the open round (0 in the lobby), the days played, and who has sent moves."""

    number: int
    days_played: int
    status: str
    sent: tuple[str, ...]


def clean_name(name: object) -> str:
    """A player's name: printable text, one line, 1 to `NAME_LENGTH` characters."""
    if not isinstance(name, str):
        raise ClassroomError("a name is text")
    text = " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name).split())
    if not text:
        raise ClassroomError("write a name (or your team's)")
    if len(text) > NAME_LENGTH:
        raise ClassroomError(f"a name has at most {NAME_LENGTH} characters")
    return text


class Classroom:
    """The games kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.teacher_key = store.teacher_key()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._openings: dict[tuple[str, int], Situation] = {}
        self._scenarios: dict[tuple[str, int], Scenario] = {}
        #: Called with a game's code, from any thread, whenever what its pages show may have changed.
        self.listeners: list[Callable[[str], None]] = []

    def changed(self, code: str) -> None:
        for listener in self.listeners:
            listener(code)

    def lock(self, code: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(code, threading.Lock())

    # ------------------------------------------------------------------------------------ reading

    def record(self, code: str) -> GameRecord:
        return self.store.game(code)

    def game(self, record: GameRecord) -> Game:
        return Game(record.scenario, record.seed, record.days)

    def player(self, token: str) -> Player:
        return self.store.player(token)

    def round(self, record: GameRecord) -> Round:
        game = self.game(record)
        played = 0 if record.round <= 1 else game.last_day(record.round - 1)
        sent = tuple(s.actor for s in self.store.submissions(record.code) if s.round == record.round)
        return Round(record.round, played, record.status, sent)

    def run(self, record: GameRecord) -> Simulation:
        """The game's run so far (to the last day of the last closed round)."""
        return self.game(record).play(self.store.submissions(record.code), self.round(record).days_played)

    def situation(self, record: GameRecord, actor: str) -> Situation:
        """The world the actor's moves of the open round are made in."""
        key = (record.code, record.round)
        opening = self._openings.get(key)
        submissions = self.store.submissions(record.code)
        if opening is None:
            opening = self._openings[key] = self.game(record).situation(submissions, actor, record.round)
        return replace(opening, actor=actor, scenario=self.scenario(record, submissions))

    def scenario(self, record: GameRecord, submissions: Sequence[Submission]) -> Scenario:
        """The game's scenario with these submissions' events (the first ones of the game: a game's
        submissions are only ever added to), validated once for each count."""
        key = (record.code, len(submissions))
        found = self._scenarios.get(key)
        if found is None:
            found = self._scenarios[key] = self.game(record).with_moves(submissions)
        return found

    def menu(self, record: GameRecord, actor: str):
        return menu(self.situation(record, actor))

    # ------------------------------------------------------------------------------------ the teacher

    def check_key(self, key: object) -> None:
        if not isinstance(key, str) or not hmac.compare_digest(key.encode(), self.teacher_key.encode()):
            raise ClassroomError("this page needs the teacher's key (the address `dipsim serve` printed)")

    def new_game(self, scenario: Scenario, *, seed: int | None = None, days: int = 7) -> str:
        seed = scenario.seed if seed is None else seed
        try:
            Game(scenario, seed, days)
        except ValueError as err:
            raise ClassroomError(str(err)) from None
        return self.store.create_game(scenario, seed, days)

    def start(self, code: str) -> None:
        record = self.record(code)
        if record.status != "lobby":
            raise ClassroomError(f"game {record.code} has already started")
        self.store.set_round(record.code, record.round, 1, "playing")
        self.changed(record.code)

    def close_round(self, code: str, number: int, prepare=None) -> Round:
        """Close the open round ``number`` (the number guards against a second click): the model
        advances over the round's days, and the next round opens (or the game ends after the last).
        ``prepare(record, submissions, day)``, if given, is called with the game's submissions and the
        round's last day before anyone can see that the round closed (and while no move can be sent)."""
        with self.lock(code):
            record = self.record(code)
            if record.status != "playing" or record.round != number:
                raise ClassroomError(f"round {number} of game {record.code} is not open")
            game = self.game(record)
            if prepare is not None:
                prepare(record, self.store.submissions(record.code), game.last_day(number))
            last = number == game.rounds
            self.store.set_round(record.code, record.round, number + 1, "over" if last else "playing")
        self.changed(record.code)
        if last:
            self.ready_debrief(code)
        return self.round(self.record(code))

    def debrief(self, code: str) -> dict:
        """The game's debrief (computed once the game is over, then kept in the file)."""
        record = self._over(code)
        found = self.store.debrief(record.code)
        if found is None:
            with self._debriefing(record.code):
                found = self.store.debrief(record.code)
                if found is None:
                    found = debrief(self.game(record), self.store.submissions(record.code))
                    self.store.save_debrief(record.code, found)
                    self.changed(record.code)
        return found

    def ready_debrief(self, code: str) -> dict | None:
        """The debrief if it is ready; else None, and it is being computed in the background (a game of a
        class takes tens of seconds: hundreds of ensembles)."""
        record = self._over(code)
        found = self.store.debrief(record.code)
        if found is None and not self._debriefing(record.code).locked():
            threading.Thread(target=self.debrief, args=(record.code,), daemon=True,
                             name=f"debrief-{record.code}").start()
        return found

    def _over(self, code: str) -> GameRecord:
        """The game, which must be over: its debrief comes after the last round."""
        record = self.record(code)
        if record.status != "over":
            raise ClassroomError(f"game {record.code} is not over yet: the debrief comes after the last round")
        return record

    def _debriefing(self, code: str) -> threading.Lock:
        return self.lock(f"debrief {code}")

    # ------------------------------------------------------------------------------------ players

    def join(self, code: str, name: object) -> Player:
        player = self.store.join(code, clean_name(name))
        self.changed(player.game)
        return player

    def release(self, code: str, token: object) -> None:
        """Free the actor of a player who lost its page, so that it can join again and take it."""
        code = self.record(code).code
        self.store.release(code, str(token))
        self.changed(code)

    def take(self, token: str, actor: object) -> Player:
        player = self.player(token)
        record = self.record(player.game)
        if not isinstance(actor, str) or actor not in record.scenario.actor_ids:
            raise ClassroomError(f"no actor {str(actor)[:20]!r} in this game; choose one of the list")
        player = self.store.take_actor(token, actor)
        self.changed(player.game)
        return player

    def submit(self, token: str, number: object, choices: Sequence[Choice], memo: object) -> Submission:
        """Check and store the player's moves for round ``number`` (the round its page showed)."""
        player = self.player(token)
        if player.actor is None:
            raise ClassroomError("choose your actor first")
        with self.lock(player.game):
            record = self.record(player.game)
            self._check_open(record, number)
            if player.actor in self.round(record).sent:
                raise ClassroomError(f"{record.scenario.actor(player.actor).name}'s moves for round {record.round} "
                                     "were already sent; a round takes one set of moves")
            game = self.game(record)
            submissions = self.store.submissions(record.code)
            try:
                submission = game.submit(submissions, round_=record.round, actor=player.actor, player=player.name,
                                         choices=choices, memo=memo, situation=self.situation(record, player.actor),
                                         check=False)
                checked = game.with_moves([*submissions, submission])   # valid with the others' moves
            except ScenarioError as err:
                raise ClassroomError(f"these moves cannot be played with the others sent: {err}") from None

            def still_open(round_: int, status: str) -> None:
                if status != "playing" or round_ != record.round:
                    raise ClassroomError(f"round {record.round} closed before your moves arrived")

            self.store.add_submission(token, submission, still_open)
            self._scenarios[(record.code, len(submissions) + 1)] = checked
        self.changed(player.game)
        return submission

    def _check_open(self, record: GameRecord, number: object) -> None:
        if record.status == "lobby":
            raise ClassroomError("the game has not started: wait for your teacher to open round 1")
        if record.status == "over":
            raise ClassroomError(f"game {record.code} is over")
        if number != record.round:
            raise ClassroomError(f"round {number} is closed; round {record.round} is open now (reload the page)")
