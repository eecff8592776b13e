"""The menu of the class game: what a player can do for its actor, each move one small class.

A move is what the model can enact, written as the scenario events a scenario file could hold (a shift
of a stance, a tie made, changed or cut, a ceasefire broken): a move adds nothing to the model that a
scenario author could not write. Each class has a readable ``name`` (its id in forms), a
``label`` and a ``summary`` (what it does to the model, shown on the menu), ``who`` may make it (a
``side`` of the war, an ``outsider``, or ``any`` actor) and what it is aimed at (``target``: nothing, a
``side``, or another ``actor``). `Move.events` turns one choice into raw event entries, from the state
of the world on the day it takes effect, so that the same choice always means the same events.

A move acts on the first day of its round, except an event it dates itself (``step``: the day after the
round, when what it did for the round ends) or makes wait for a condition (``when``: peacekeepers for a
ceasefire).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sim.classroom import ClassroomError
from sim.scenario import Scenario

#: How far the words of an outsider move its own stance (alignment toward a side, or ceasefire).
WORDS = 0.15
#: How far arming a side moves the supplier's alignment, and the backed side's capability.
ARMS_ALIGNMENT, ARMS_CAPABILITY = 0.25, 0.05
#: The weight of a supply tie made by arming a side (the bundled scenarios give support ties 0.5-0.7).
ARMS_TIE = 0.8
#: The weight of a mediation channel opened by offering talks (the bundled OSCE's is 0.5).
TALKS_TIE = 0.5
#: The change of a belligerent's fighting effort by escalating or holding back.
EFFORT = 0.5
#: Sanctions: the tie's weight, and the loss of the target's capability.
SANCTION_TIE, SANCTION_CAPABILITY = -0.5, 0.05
#: Pressing for a humanitarian truce: the push to the presser's ceasefire stance (not anchored, so it fades),
#: and the weight of its mediation channels to both sides for the round (history-2020's talks are 0.5-0.8).
PRESS_PUSH, PRESS_TIE = 0.2, 0.8
#: The weight of a peacekeeping tie: a full deployment (history-2020's Russian peacekeepers, about 2,000 troops).
PEACEKEEPERS = 1.0
#: The condition a peacekeeping deployment waits for (as in history-2020).
IN_FORCE = {"measure": "ceasefire_in_force", "op": "==", "value": 1}


class MoveError(ClassroomError):
    """A choice the player may not make; the message says why, in one line."""


@dataclass(frozen=True)
class Situation:
    """What a move is made in: the scenario, the actor making it, and the world on the day it acts.

    ``fields`` maps each actor to its fields that day, ``ties`` each pair of actors (a frozenset) to the
    tie between them as a raw tie entry (``None`` once cut), ``in_force`` says whether a ceasefire holds, and
    ``last_day`` is the last day of the round the moves are made for.
    """

    scenario: Scenario
    actor: str
    fields: Mapping[str, Mapping[str, float]]
    ties: Mapping[frozenset, dict | None]
    in_force: bool
    last_day: int

    @property
    def is_side(self) -> bool:
        return self.actor in self.scenario.sides

    def sign(self, side: str) -> float:
        """-1 toward the first side, +1 toward the second (the sign of alignment)."""
        return -1.0 if side == self.scenario.sides[0] else 1.0

    def tie(self, other: str) -> dict | None:
        return self.ties.get(frozenset((self.actor, other)))


def shift(actor: str, field: str, by: float, *, anchor: bool = True) -> dict:
    """A ``shift`` event; ``anchor=False`` leaves the actor's anchor where it is (a push that fades)."""
    event = {"action": "shift", "actor": actor, "field": field, "by": round(by, 10)}
    return event if anchor else {**event, "anchor": False}


def set_tie(situation: Situation, other: str, kind: str, weight: float, *, directed: bool = False) -> dict:
    """An ``add_tie`` event that puts a tie of ``kind`` and ``weight`` between the actor and ``other``: the
    tie the pair has (or had) keeps its id and direction, a new one is directed only if asked."""
    old = situation.tie(other) or _any_tie(situation.scenario, situation.actor, other)
    if old is not None:
        ends = {k: old[k] for k in ("from", "to", "actors") if k in old}
    elif directed:
        ends = {"from": situation.actor, "to": other}
    else:
        ends = {"actors": [situation.actor, other]}
    return {"action": "add_tie", "tie": {**ends, "kind": kind, "weight": round(weight, 10)}}


def _any_tie(scenario: Scenario, a: str, b: str) -> dict | None:
    """The raw entry of the tie the scenario ever gives the pair (in its ties or added by an event)."""
    pair = {a, b}
    for tie in (*scenario.ties, *(e.new_tie for e in scenario.events if e.new_tie is not None)):
        if set(tie.actors) == pair:
            return tie_entry(tie)
    return None


def tie_entry(tie) -> dict:
    """A `Tie` as the raw entry an ``add_tie`` event takes."""
    ends = {"from": tie.source, "to": tie.target} if tie.directed else {"actors": [tie.source, tie.target]}
    return {**ends, "kind": tie.kind, "weight": tie.weight}


def weak_channels(situation: Situation, weight: float) -> list[str]:
    """The sides the actor has no tie with, or only a mediation channel weaker than ``weight``: those to which a
    channel of ``weight`` would open or rise (any other tie, friendly or hostile, is left as it is)."""
    return [side for side in situation.scenario.sides
            if (tie := situation.tie(side)) is None or (tie["kind"] == "mediation" and tie["weight"] < weight)]


def hostile_tie(situation: Situation, other: str, weight: float) -> dict:
    """An ``add_tie`` event that turns the tie with ``other`` to rivalry at ``weight``: a hostility stays
    hostility, and a tie more hostile than ``weight`` keeps its weight."""
    tie = situation.tie(other)
    kind = "hostility" if tie and tie["kind"] == "hostility" else "rivalry"
    return set_tie(situation, other, kind, min(weight, tie["weight"]) if tie else weight)


class Move:
    """One thing a player can do. Subclasses set the class attributes and `_events`."""

    name: ClassVar[str]
    label: ClassVar[str]
    summary: ClassVar[str]
    who: ClassVar[str] = "any"            # "side", "outsider" or "any"
    target: ClassVar[str | None] = None   # None, "side" or "actor"

    def allowed(self, situation: Situation) -> str | None:
        """Why this actor may not make this move now (None: it may)."""
        if self.who == "side" and not situation.is_side:
            return f"only {' and '.join(situation.scenario.sides)} can {self.label.lower()}"
        if self.who == "outsider" and situation.is_side:
            return f"a side of the war cannot {self.label.lower()}"
        return None

    def targets(self, situation: Situation) -> tuple[str, ...]:
        """Whom the move may be aimed at (empty when it takes no target)."""
        ids = situation.scenario.actor_ids
        if self.target == "side":
            return situation.scenario.sides
        if self.target == "actor":
            return tuple(a for a in ids if a != situation.actor)
        return ()

    def events(self, situation: Situation, target: str | None) -> list[dict]:
        """The raw event entries (without id, step and note) that this choice enacts; MoveError if the
        actor may not make it, or not at ``target``."""
        why = self.allowed(situation)
        if why:
            raise MoveError(why)
        if self.target is None:
            if target:
                raise MoveError(f"{self.label} takes no target, got {target!r}")
        elif target not in self.targets(situation):
            aimed = "a side" if self.target == "side" else "another actor"
            possible = self.targets(situation)
            raise MoveError(f"{self.label} needs {aimed}: one of {', '.join(possible)}" if possible else
                            f"{situation.actor} has no one to aim '{self.label}' at now")
        return self._events(situation, target)

    def _events(self, situation: Situation, target: str | None) -> list[dict]:
        raise NotImplementedError


class BackInWords(Move):
    name = "back-in-words"
    label = "Back a side in words"
    summary = f"Your alignment moves {WORDS} toward the side you back, and stays there as your stated stance."
    who, target = "outsider", "side"

    def _events(self, s, target):
        return [shift(s.actor, "alignment", WORDS * s.sign(target))]


class BackWithArms(Move):
    name = "back-with-arms"
    label = "Back a side with arms"
    summary = (f"Your alignment moves {ARMS_ALIGNMENT} toward the side, you become its supplier (a support tie of "
               f"{ARMS_TIE} replaces the tie you had with it, a channel or a rivalry; an alliance stays, at least "
               f"that strong) and its capability grows by {ARMS_CAPABILITY}. Both strengthen the side's fire on the "
               "battlefield: its own, and your support, which grows with your capability and counts while you lean "
               "toward it.")
    who, target = "outsider", "side"

    def _events(self, s, target):
        tie = s.tie(target)
        kind = "alliance" if tie and tie["kind"] == "alliance" else "support"
        weight = max(ARMS_TIE, tie["weight"]) if tie and tie["kind"] == kind else ARMS_TIE
        return [shift(s.actor, "alignment", ARMS_ALIGNMENT * s.sign(target)),
                set_tie(s, target, kind, weight),
                shift(target, "capability", ARMS_CAPABILITY)]


class DistanceFrom(Move):
    name = "distance"
    label = "Distance yourself from a side"
    summary = ("Your alignment moves up to 0.2 back toward neutral, and a tie of alliance or support with the side "
               "is halved: what abandonment looks like.")
    who, target = "outsider", "side"

    def targets(self, situation):
        """The sides the actor leans toward or backs through an alliance or support tie."""
        return tuple(side for side in super().targets(situation) if any(self._loosened(situation, side)))

    @staticmethod
    def _loosened(s: Situation, side: str) -> tuple[float, dict | None]:
        """How far the alignment steps back, and the tie to halve (None: none), for distancing from ``side``."""
        alignment = s.fields[s.actor]["alignment"]
        step = -max(-0.2, min(0.2, alignment)) if alignment * s.sign(side) > 0 else 0.0
        tie = s.tie(side)
        return step, tie if tie and tie["kind"] in ("alliance", "support") and tie["weight"] > 0 else None

    def _events(self, s, target):
        step, tie = self._loosened(s, target)
        return ([shift(s.actor, "alignment", step)] if step else []) + \
            ([set_tie(s, target, tie["kind"], tie["weight"] / 2)] if tie else [])


class PressForCeasefire(Move):
    name = "press-ceasefire"
    label = "Press for a ceasefire"
    summary = (f"Your ceasefire stance rises by {WORDS + 0.05:g}: you call publicly for the guns to fall silent, and "
               "your ties carry the call to others.")
    who = "outsider"   # a side that wants talks signals it (SignalTalks)

    def _events(self, s, target):
        return [shift(s.actor, "ceasefire", WORDS + 0.05)]


class OfferTalks(Move):
    name = "offer-talks"
    label = "Offer or host talks"
    summary = (f"You open a mediation channel of {TALKS_TIE} to each side you have no other tie with (or raise the one "
               f"you have to it), and your ceasefire stance rises by 0.1.")
    who = "outsider"

    def _events(self, s, target):
        return [shift(s.actor, "ceasefire", 0.1),
                *(set_tie(s, side, "mediation", TALKS_TIE, directed=True) for side in weak_channels(s, TALKS_TIE))]


class OpenChannel(Move):
    name = "open-channel"
    label = "Open a channel"
    summary = ("A new mediation channel (0.4) to the actor, or the tie you have with it warmed by 0.3: talks, an "
               "envoy, a hotline.")
    target = "actor"

    def _events(self, s, target):
        tie = s.tie(target)
        if tie is None:
            return [set_tie(s, target, "mediation", 0.4, directed=True)]
        return [set_tie(s, target, tie["kind"], min(1.0, tie["weight"] + 0.3))]


class CloseChannel(Move):
    name = "close-channel"
    label = "Close a channel"
    summary = "The tie you have with the actor is cut: an envoy recalled, talks refused, relations broken off."
    target = "actor"

    def targets(self, situation):
        return tuple(a for a in super().targets(situation) if situation.tie(a) is not None)

    def _events(self, s, target):
        tie = s.tie(target)
        if tie is None:
            raise MoveError(f"{s.actor} has no tie with {target} to close")
        return [{"action": "remove_tie", "tie": tie_id(tie)}]


class Sanction(Move):
    name = "sanction"
    label = "Sanction"
    summary = (f"Your tie with the actor turns to rivalry ({SANCTION_TIE}, or stays as hostile as it is) and its "
               f"capability falls by {SANCTION_CAPABILITY}.")
    target = "actor"

    def _events(self, s, target):
        return [hostile_tie(s, target, SANCTION_TIE), shift(target, "capability", -SANCTION_CAPABILITY)]


class Recognise(Move):
    name = "recognise"
    label = "Recognise a side's claim"
    summary = ("Your alignment moves 0.3 toward the side whose claim you recognise, and your tie with the other side "
               "turns to rivalry (-0.4, or stays as hostile as it is).")
    who, target = "outsider", "side"

    def _events(self, s, target):
        other = next(x for x in s.scenario.sides if x != target)
        return [shift(s.actor, "alignment", 0.3 * s.sign(target)), hostile_tie(s, other, -0.4)]


class PressForTruce(Move):
    name = "press-truce"
    label = "Press both sides into a humanitarian truce"
    summary = (f"For this round you press both sides hard: your ceasefire stance rises by {PRESS_PUSH} (a push that "
               f"fades), and the talks you host make a mediation channel of {PRESS_TIE} to each side you have no other "
               "tie with, or raise a weaker channel to it, until the round ends (an ally's tie carries your pressure "
               "as it is; a hostile one barely any). If the mediators' joint hold on both sides reaches the "
               "scenario's leverage, a humanitarian truce is signed before the sides want one. A truce they do not "
               "want may break the same day, and a failed truce spends its brokers' push.")
    who = "outsider"

    def _events(self, s, target):
        push = shift(s.actor, "ceasefire", PRESS_PUSH, anchor=False)
        sides = weak_channels(s, PRESS_TIE)
        pressed = [set_tie(s, side, "mediation", PRESS_TIE, directed=True) for side in sides]
        if s.last_day >= s.scenario.steps:                # the last round: no day after it
            return [push, *pressed]
        # the talks over, on the next round's first day each channel is what it was (a new one is cut)
        over = [set_tie(s, side, "mediation", s.tie(side)["weight"]) if s.tie(side) else
                {"action": "remove_tie", "tie": tie_id(event["tie"])} for side, event in zip(sides, pressed)]
        return [push, *pressed, *({"step": s.last_day + 1, **event} for event in over)]


class SendPeacekeepers(Move):
    name = "peacekeepers"
    label = "Send peacekeepers to guard a ceasefire"
    summary = (f"Once a ceasefire is in force (now, or on the first day one is: the move waits for it), your troops "
               f"stand between the sides: your tie with the side becomes a peacekeeping tie of {PEACEKEEPERS} (it "
               "replaces the channel you had; not on the line of a side you are allied with or arming, where your "
               "troops would be a party's, not a guarantor's), and the ceasefire's daily breakdown "
               "hazard shrinks by a share: the mediation rule's guarantee (0.9 in the baseline) times your capability "
               "(the strongest guarantor's counts), for that ceasefire and any later one. It does not bring a "
               "ceasefire: it makes one hold. Both sides must accept your troops: not while you have a hostile tie "
               "with either.")
    who, target = "outsider", "side"

    def allowed(self, situation):
        why = super().allowed(situation)
        if why:
            return why
        hostile = [side for side in situation.scenario.sides if (tie := situation.tie(side)) and tie["weight"] < 0]
        if hostile:
            return f"{' and '.join(hostile)} would not accept {situation.actor}'s troops (a hostile tie)"
        return None

    def targets(self, situation):
        """The sides whose tie with the actor is neither peacekeeping already nor an alliance or a supply line (a
        guarantor's troops stand on the line of a side it does not fight for)."""
        return tuple(side for side in super().targets(situation)
                     if (tie := situation.tie(side)) is None
                     or tie["kind"] not in ("peacekeeping", "alliance", "support"))

    def _events(self, s, target):
        return [{**set_tie(s, target, "peacekeeping", PEACEKEEPERS), "when": dict(IN_FORCE)}]


class Escalate(Move):
    name = "escalate"
    label = "Escalate the fighting"
    summary = f"Your fighting effort (intensity) rises by {EFFORT}."
    who = "side"

    def _events(self, s, target):
        return [shift(s.actor, "intensity", EFFORT)]


class HoldBack(Move):
    name = "hold-back"
    label = "Hold back"
    summary = f"Your fighting effort (intensity) falls by {EFFORT}."
    who = "side"

    def _events(self, s, target):
        return [shift(s.actor, "intensity", -EFFORT)]


class SignalTalks(Move):
    name = "signal-talks"
    label = "Signal readiness for talks"
    summary = "Your ceasefire stance rises by 0.2: you say you would accept a ceasefire on terms."
    who = "side"

    def _events(self, s, target):
        return [shift(s.actor, "ceasefire", 0.2)]


class Harden(Move):
    name = "harden"
    label = "Refuse talks"
    summary = "Your ceasefire stance falls by 0.2: you vow to fight on until your aims are met."
    who = "side"

    def _events(self, s, target):
        return [shift(s.actor, "ceasefire", -0.2)]


class BreakTruce(Move):
    name = "break-truce"
    label = "Break the ceasefire"
    summary = ("The ceasefire in force ends today, by your decision: unlike a breakdown under the fighting, it "
               "costs neither side's willingness for a ceasefire.")
    who = "side"

    def allowed(self, situation):
        return super().allowed(situation) or (None if situation.in_force else "no ceasefire is in force")

    def _events(self, s, target):
        return [{"action": "end_ceasefire"}]


def tie_id(tie: Mapping[str, Any]) -> str:
    """The id a raw tie entry has in a scenario: ``A-B`` (sorted) for a symmetric tie, ``A>B`` for a directed one."""
    if "actors" in tie:
        return "-".join(sorted(tie["actors"]))
    return f"{tie['from']}>{tie['to']}"


#: Every move by name, in the order the menu lists them.
MOVES: dict[str, Move] = {move.name: move for move in (
    BackInWords(), BackWithArms(), DistanceFrom(), Recognise(), PressForCeasefire(), OfferTalks(), PressForTruce(),
    SendPeacekeepers(), OpenChannel(), CloseChannel(), Sanction(), Escalate(), HoldBack(), SignalTalks(), Harden(),
    BreakTruce(),
)}

#: The most moves in one submission, and the longest memo (characters).
MOST_MOVES, MEMO_LENGTH = 3, 2000


def menu(situation: Situation) -> list[tuple[Move, tuple[str, ...]]]:
    """The moves this actor may make now, each with its possible targets (a move that needs a target
    is left out while it has none)."""
    found = [(move, move.targets(situation)) for move in MOVES.values() if move.allowed(situation) is None]
    return [(move, targets) for move, targets in found if targets or move.target is None]
