"""Games, players, rounds, moves and memos in one SQLite file (Python's standard library).

Every write is one transaction, committed (and synced: WAL with ``synchronous=FULL``) before the caller
acknowledges it, so a server stopped at any moment loses nothing it confirmed, and a game resumes where
it was. The file is marked as dipsim's (``PRAGMA application_id``): a file that is not is never opened
for writing. Secrets (the teacher's key, the players' tokens) come from `secrets`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sim.classroom import ClassroomError
from sim.classroom.game import Choice, Submission
from sim.scenario import Scenario, loads

#: "DIPS": what marks a classroom file as dipsim's.
APPLICATION_ID = 0x44495053
#: Join codes: six characters without look-alikes (no 0/O, 1/I/L), read aloud or typed on a phone.
CODE_ALPHABET, CODE_LENGTH = "ABCDEFGHJKMNPQRSTUVWXYZ23456789", 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS games (
    code TEXT PRIMARY KEY, title TEXT NOT NULL, scenario TEXT NOT NULL, seed INTEGER NOT NULL,
    days INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'lobby',
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS players (
    token TEXT PRIMARY KEY, game TEXT NOT NULL REFERENCES games(code), name TEXT NOT NULL, actor TEXT,
    joined REAL NOT NULL, UNIQUE (game, actor));
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, game TEXT NOT NULL REFERENCES games(code), round INTEGER NOT NULL,
    token TEXT NOT NULL REFERENCES players(token), actor TEXT NOT NULL, player TEXT NOT NULL,
    choices TEXT NOT NULL, memo TEXT NOT NULL, events TEXT NOT NULL, sent REAL NOT NULL,
    UNIQUE (game, round, actor));
CREATE TABLE IF NOT EXISTS debriefs (game TEXT PRIMARY KEY REFERENCES games(code), body TEXT NOT NULL);
"""

#: The states of a game: players join in the lobby, play rounds, and the game is over after the last.
STATUSES = ("lobby", "playing", "over")


class StoreError(ClassroomError):
    """A file that is not dipsim's classroom file, or a request the stored game refuses; one line."""


@dataclass(frozen=True)
class GameRecord:
    code: str
    title: str
    scenario: Scenario
    seed: int
    days: int
    round: int
    status: str
    created: float


@dataclass(frozen=True)
class Player:
    token: str
    game: str
    name: str
    actor: str | None


class Store:
    """The classroom file at ``path`` (created when missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise StoreError(f"{self.path}: not a file; expected a dipsim classroom file (.sqlite)")
        self._local = threading.local()
        self._scenarios: dict[str, Scenario] = {}       # a game's scenario never changes: parsed once
        self._submitted: dict[str, tuple[Submission, ...]] = {}
        if self.path.is_file() and self.path.stat().st_size:
            found = self._read("PRAGMA application_id")[0][0]
            if found != APPLICATION_ID:
                raise StoreError(f"{self.path}: not a dipsim classroom file; dipsim writes only its own "
                                 "(give --db a new file name)")
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        """This thread's connection to the file (SQLite connections are not shared between threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
            except sqlite3.DatabaseError as err:
                raise StoreError(f"{self.path}: not a dipsim classroom file ({err})") from None
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the file's write lock from its start (BEGIN IMMEDIATE)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db().execute(sql, args).fetchall()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a dipsim classroom file ({err})") from None

    # ------------------------------------------------------------------------------------ the teacher

    def teacher_key(self) -> str:
        """The teacher's key: made once, kept in the file, so the teacher's address survives a restart."""
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'teacher_key'").fetchone()
            if row:
                return row[0]
            key = secrets.token_urlsafe(18)
            db.execute("INSERT INTO meta VALUES ('teacher_key', ?)", (key,))
            return key

    def create_game(self, scenario: Scenario, seed: int, days: int) -> str:
        """A new game in the lobby; returns its join code."""
        with self._write() as db:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if not db.execute("SELECT 1 FROM games WHERE code = ?", (code,)).fetchone():
                    break
            db.execute("INSERT INTO games (code, title, scenario, seed, days, created) VALUES (?, ?, ?, ?, ?, ?)",
                       (code, scenario.title, scenario.to_toml(), seed, days, time.time()))
        return code

    def games(self) -> list[GameRecord]:
        rows = self._read("SELECT code FROM games ORDER BY created DESC")
        return [self.game(code) for (code,) in rows]

    def game(self, code: str) -> GameRecord:
        rows = self._read("SELECT code, title, seed, days, round, status, created FROM games WHERE code = ?",
                          (str(code).upper(),))
        if not rows:
            raise StoreError(f"no game {str(code)[:CODE_LENGTH + 4]!r}: check the join code")
        code, title, seed, days, round_, status, created = rows[0]
        scenario = self._scenarios.get(code)
        if scenario is None:
            toml = self._read("SELECT scenario FROM games WHERE code = ?", (code,))[0][0]
            scenario = self._scenarios[code] = loads(toml, f"game {code}")
        return GameRecord(code, title, scenario, seed, days, round_, status, created)

    def set_round(self, code: str, expected: int, round_: int, status: str) -> None:
        """Move the game from round ``expected`` to ``round_`` with ``status``; StoreError if another
        request moved it first (a round is closed once)."""
        with self._write() as db:
            changed = db.execute("UPDATE games SET round = ?, status = ? WHERE code = ? AND round = ?",
                                 (round_, status, code, expected)).rowcount
        if not changed:
            raise StoreError(f"round {expected} of game {code} was already closed")

    # ------------------------------------------------------------------------------------ players

    def join(self, code: str, name: str) -> Player:
        game = self.game(code)
        if game.status == "over":
            raise StoreError(f"game {game.code} is over")
        token = secrets.token_urlsafe(18)
        with self._write() as db:
            db.execute("INSERT INTO players (token, game, name, joined) VALUES (?, ?, ?, ?)",
                       (token, game.code, name, time.time()))
        return Player(token, game.code, name, None)

    def player(self, token: str) -> Player:
        rows = self._read("SELECT token, game, name, actor FROM players WHERE token = ?", (str(token),))
        if not rows:
            raise StoreError("this player link is not known here: join again with the game's code")
        return Player(*rows[0])

    def players(self, code: str) -> list[Player]:
        return [Player(*row) for row in self._read("SELECT token, game, name, actor FROM players WHERE game = ? "
                                                   "ORDER BY joined", (code,))]

    def take_actor(self, token: str, actor: str) -> Player:
        """Give the player ``actor``; StoreError if it has one, or another player has taken it."""
        try:
            with self._write() as db:
                changed = db.execute("UPDATE players SET actor = ? WHERE token = ? AND actor IS NULL",
                                     (actor, token)).rowcount
        except sqlite3.IntegrityError:
            raise StoreError(f"{actor} has been taken by another player; choose another") from None
        if not changed:
            raise StoreError("you already play an actor in this game")
        return self.player(token)

    def release(self, code: str, token: str) -> None:
        """Free the actor of a player of game ``code`` (one who lost its page): another may take it. What
        the player sent stays, under the actor's name."""
        with self._write() as db:
            if not db.execute("UPDATE players SET actor = NULL WHERE token = ? AND game = ?", (token, code)).rowcount:
                raise StoreError(f"no such player in game {code}")

    # ------------------------------------------------------------------------------------ moves

    def add_submission(self, token: str, submission: Submission, check) -> None:
        """Store ``submission`` if ``check(round, status)`` (called inside the transaction with the game's
        round and status as stored) raises nothing and the actor has not sent moves this round; committed
        before this returns."""
        with self._write() as db:
            code = db.execute("SELECT game FROM players WHERE token = ?", (token,)).fetchone()[0]
            round_, status = db.execute("SELECT round, status FROM games WHERE code = ?", (code,)).fetchone()
            check(round_, status)
            try:
                db.execute("INSERT INTO submissions (game, round, token, actor, player, choices, memo, events, sent) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (code, submission.round, token, submission.actor, submission.player,
                            json.dumps([[c.move, c.target] for c in submission.choices]), submission.memo,
                            json.dumps(submission.events), time.time()))
            except sqlite3.IntegrityError:
                raise StoreError(f"{submission.actor}'s moves for round {submission.round} were already sent; "
                                 "a round takes one set of moves") from None

    def submissions(self, code: str) -> list[Submission]:
        """Every submission of the game, in the order they were stored (read anew only when there are more:
        a submission is never changed)."""
        count = self._read("SELECT COUNT(*) FROM submissions WHERE game = ?", (code,))[0][0]
        known = self._submitted.get(code, ())
        if len(known) != count:
            rows = self._read("SELECT round, actor, player, choices, memo, events FROM submissions WHERE game = ? "
                              "ORDER BY id", (code,))
            known = self._submitted[code] = tuple(
                Submission(r, actor, player, tuple(Choice(m, t) for m, t in json.loads(choices)), memo,
                           tuple(json.loads(events))) for r, actor, player, choices, memo, events in rows)
        return list(known)

    # ------------------------------------------------------------------------------------ debriefs

    def save_debrief(self, code: str, body: dict) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO debriefs VALUES (?, ?)", (code, json.dumps(body)))

    def debrief(self, code: str) -> dict | None:
        rows = self._read("SELECT body FROM debriefs WHERE game = ?", (code,))
        return json.loads(rows[0][0]) if rows else None
