"""A game of a class: the scenario played in rounds of days, the players' moves turned into events.

A game is its scenario, its seed, the days a round covers and the submissions made so far; everything
else (the run, what happened, the plots) is replayed from them, so a stored game can always be shown
again exactly. The moves sent in round ``r`` take effect together on the round's first day, before the
rules act, in the order they were sent (what a move does for the round alone ends on the next round's
first day, before that round's moves; peacekeepers wait for a ceasefire); between moves every actor,
played or not, follows the rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from sim.classroom.moves import (
    MEMO_LENGTH,
    MOST_MOVES,
    MOVES,
    MoveError,
    Situation,
    tie_id,
)
from sim.core.engine import Simulation
from sim.core.fields import FIELDS, TIE_KINDS
from sim.scenario import Scenario
from sim.scenario.validation import validate

#: The most days a round may cover, and the most rounds a game may have.
MOST_DAYS, MOST_ROUNDS = 100, 60
#: The longest player name.
NAME_LENGTH = 60


@dataclass(frozen=True)
class Choice:
    """One move a player chose, and whom it is aimed at (None for a move without a target)."""

    move: str
    target: str | None = None


@dataclass(frozen=True)
class Submission:
    """What one player sent for its actor in one round: its moves, its memo, and the events they make."""

    round: int
    actor: str
    player: str
    choices: tuple[Choice, ...]
    memo: str
    events: tuple[dict, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Game:
    """A scenario played in rounds of ``days`` days from ``seed``."""

    scenario: Scenario
    seed: int
    days: int

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MOST_DAYS:
            raise ValueError(f"a round covers 1 to {MOST_DAYS} days, not {self.days}")
        if self.rounds > MOST_ROUNDS:
            raise ValueError(f"{self.scenario.steps} days in rounds of {self.days} make {self.rounds} rounds; "
                             f"at most {MOST_ROUNDS}: make the rounds longer")

    @property
    def rounds(self) -> int:
        return math.ceil(self.scenario.steps / self.days)

    def first_day(self, round_: int) -> int:
        """The day on which the moves of ``round_`` (1, 2, ...) take effect."""
        return (round_ - 1) * self.days + 1

    def last_day(self, round_: int) -> int:
        return min(round_ * self.days, self.scenario.steps)

    def with_moves(self, submissions: Sequence[Submission]) -> Scenario:
        """The scenario with every submission's events added after its own (validated)."""
        raw = self.scenario.to_dict()
        raw["events"] = [*raw.get("events", []), *(e for s in submissions for e in s.events)]
        return validate(raw, {}, self.scenario.origin)

    def leaving_out(self, submissions: Sequence[Submission], left_out) -> list[Submission]:
        """The submissions for which ``left_out(submission)`` is false, as they would have acted without the
        others: a channel closed (``remove_tie``) that only a left-out move had opened is a move that does
        nothing, so its event goes too (kept, it would name a tie that never exists)."""
        kept = [s for s in submissions if not left_out(s)]
        ties = {t.id for t in self.scenario.ties} | {e.new_tie.id for e in self.scenario.events if e.new_tie}
        ties |= {tie_id(e["tie"]) for s in kept for e in s.events if e["action"] == "add_tie"}
        return [replace(s, events=tuple(e for e in s.events if e["action"] != "remove_tie" or e["tie"] in ties))
                for s in kept]

    def play(self, submissions: Sequence[Submission], until: int, *, seeds: Sequence[int] | None = None) -> Simulation:
        """The run (or, given ``seeds``, one run per seed) of the scenario with these moves, to day ``until``."""
        scenario = self.with_moves(submissions)
        rngs = [np.random.default_rng(s) for s in ([self.seed] if seeds is None else seeds)]
        return Simulation(scenario, rngs, record_contributions=seeds is None).run(until)

    def situation(self, submissions: Sequence[Submission], actor: str, round_: int) -> Situation:
        """The world ``actor`` makes its moves of ``round_`` in: as the previous round left it, with what
        earlier moves undo on the round's first day (a round of talks over: it acts before this round's
        moves), and with the ties the moves sent this round have made known (so that two moves on one pair
        agree on its tie)."""
        before = [s for s in submissions if s.round < round_]
        world = self.play(before, self.first_day(round_) - 1).world
        top = world.topology
        fields = {a: {f: float(world.fields[f][0, i]) for f in FIELDS} for i, a in enumerate(top.actor_ids)}
        ties = {}
        for slot in range(len(top.tie_ids)):
            a, b = top.actor_ids[top.tie_source[slot]], top.actor_ids[top.tie_target[slot]]
            ends = {"from": a, "to": b} if top.tie_directed[slot] else {"actors": [a, b]}
            ties[frozenset((a, b))] = ({**ends, "kind": TIE_KINDS[world.kind[0, slot]],
                                        "weight": float(world.weight[0, slot])} if world.active[0, slot] else None)
        for event in (e for s in before for e in s.events if e["step"] == self.first_day(round_)):
            if event["action"] in ("add_tie", "remove_tie"):
                slot = top.tie_ids.index(tie_id(event["tie"]) if event["action"] == "add_tie" else event["tie"])
                pair = frozenset((top.actor_ids[top.tie_source[slot]], top.actor_ids[top.tie_target[slot]]))
                ties[pair] = event["tie"] if event["action"] == "add_tie" else None
        return Situation(self.with_moves(submissions), actor, fields, ties, bool(world.in_force[0]),
                         self.last_day(round_))

    def submit(self, submissions: Sequence[Submission], *, round_: int, actor: str, player: str,
               choices: Sequence[Choice], memo: str, situation: Situation | None = None,
               check: bool = True) -> Submission:
        """A checked submission with its events; MoveError (one line) for anything the player may not send.
        ``situation`` is `situation` for this actor and round, when the caller has it already; ``check=False``
        leaves to the caller the check that the moves make a valid scenario with the others (`with_moves`)."""
        if actor not in self.scenario.actor_ids:
            raise MoveError(f"no actor {actor!r} in {self.scenario.name}")
        if not 1 <= round_ <= self.rounds:
            raise MoveError(f"round {round_} is not one of this game's rounds (1 to {self.rounds})")
        if not isinstance(memo, str) or not memo.strip():
            raise MoveError("write a memo: a sentence or two on why you chose these moves")
        if len(memo) > MEMO_LENGTH:
            raise MoveError(f"the memo has {len(memo)} characters; at most {MEMO_LENGTH}")
        if len(choices) > MOST_MOVES:
            raise MoveError(f"at most {MOST_MOVES} moves a round, got {len(choices)}")
        if len(set(choices)) != len(choices):
            raise MoveError("the same move twice at the same target")
        situation = situation or self.situation(submissions, actor, round_)
        events = []
        for k, choice in enumerate(choices, start=1):
            move = MOVES.get(choice.move)
            if move is None:
                raise MoveError(f"no move {choice.move!r}; expected one of {', '.join(MOVES)}")
            enacted = move.events(situation, choice.target)
            target = f" ({self.scenario.actor(choice.target).name})" if choice.target else ""
            note = f"{self.scenario.actor(actor).name}, played by {player}: {move.label}{target}"
            for j, event in enumerate(enacted, start=1):   # on the round's first day, unless dated by the move
                events.append({"id": f"r{round_}-{actor}-{k}-{j}", "step": self.first_day(round_), "note": note,
                               **event})
        submission = Submission(round_, actor, player, tuple(choices), memo.strip(), tuple(events))
        if check:
            self.with_moves([*submissions, submission])   # the moves must make a valid scenario with the others
        return submission

