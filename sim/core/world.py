"""The state of a batch of runs of one scenario, as the numpy arrays the rules read and update.

Arrays have a leading axis of runs: actor fields are ``(runs, n_actors)``, tie arrays
``(runs, n_ties)``. The tie slots are fixed for a scenario (its ties plus those events may add), so
runs whose events fire at different steps still share one layout; ``active`` says which are in place.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.core.fields import ANCHORED, FIELDS, TIE_KINDS
from sim.scenario import Scenario, Tie


@dataclass(frozen=True)
class Topology:
    """What does not change during a run: actors, sides, tie slots and the triads they form."""

    actor_ids: tuple[str, ...]
    sides: tuple[int, int]
    tie_ids: tuple[str, ...]
    tie_source: np.ndarray
    tie_target: np.ndarray
    tie_directed: np.ndarray
    #: ``(n_triads, 3)`` tie indices of every three actors whose three pairs all have a tie slot.
    triads: np.ndarray
    #: For influence: one row per (tie, direction of influence): receiver, influencer, tie index.
    receiver: np.ndarray
    influencer: np.ndarray
    channel: np.ndarray
    #: Whether each actor is one of the two sides (the belligerents), and its negation.
    belligerent: np.ndarray
    outsiders: np.ndarray

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @classmethod
    def build(cls, actor_ids: tuple[str, ...], sides: tuple[str, str], ties: Sequence[Tie]) -> Topology:
        """The topology of these actors and tie slots; runs of one scenario share one, read-only."""
        return cls._build(actor_ids, tuple(sides), tuple((t.id, t.source, t.target, t.directed) for t in ties))

    @classmethod
    @functools.lru_cache(maxsize=64)
    def _build(cls, actor_ids: tuple[str, ...], sides: tuple[str, str],
               links: tuple[tuple[str, str, str, bool], ...]) -> Topology:
        index = {a: i for i, a in enumerate(actor_ids)}
        source = np.array([index[link[1]] for link in links], dtype=np.intp)
        target = np.array([index[link[2]] for link in links], dtype=np.intp)
        directed = np.array([link[3] for link in links], dtype=bool)
        both = ~directed
        slots = np.arange(len(links))
        belligerent = np.isin(np.arange(len(actor_ids)), [index[sides[0]], index[sides[1]]])
        arrays = {
            "tie_source": source, "tie_target": target, "tie_directed": directed,
            "triads": _triads(source, target),
            "receiver": np.concatenate([target, source[both]]),
            "influencer": np.concatenate([source, target[both]]),
            "channel": np.concatenate([slots, slots[both]]),
            "belligerent": belligerent,
            "outsiders": ~belligerent,
        }
        for array in arrays.values():
            array.flags.writeable = False
        return cls(actor_ids=actor_ids, sides=(index[sides[0]], index[sides[1]]),
                   tie_ids=tuple(link[0] for link in links), **arrays)


def _triads(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    slot = {frozenset((int(a), int(b))): i for i, (a, b) in enumerate(zip(source, target))}
    neighbours: dict[int, set[int]] = {}
    for a, b in zip(source.tolist(), target.tolist()):
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    found = []
    for a, b in sorted({tuple(sorted(p)) for p in slot}):
        for c in sorted(neighbours[a] & neighbours[b]):
            if c > b:
                found.append((slot[frozenset((a, b))], slot[frozenset((a, c))], slot[frozenset((b, c))]))
    return np.array(found, dtype=np.intp).reshape(-1, 3)


@dataclass
class World:
    """The mutable state of ``runs`` runs; every array's first axis is the run."""

    topology: Topology
    #: Every actor field of every run, ``(n_fields, runs, n_actors)`` in the order of FIELDS.
    state: np.ndarray
    #: Each field's row of ``state`` (views: write into them, never rebind them).
    fields: dict[str, np.ndarray]
    #: The stance each actor is anchored to (Friedkin-Johnsen's x(0)); events may move it.
    anchors: dict[str, np.ndarray]
    weight: np.ndarray
    active: np.ndarray
    kind: np.ndarray
    in_force: np.ndarray
    ceasefires: np.ndarray
    breakdowns: np.ndarray
    #: Index of the actor that brokered the ceasefire now or last in force (-1: none yet).
    broker: np.ndarray
    #: ``(runs, n)``: each broker's credit for the ceasefire now or last in force, as a share of the leading
    #: broker's (1 for it; 0: not a broker).
    brokers: np.ndarray
    #: ``(runs,)``: how the ceasefire now or last in force came, an index in `ARRIVALS`.
    came: np.ndarray
    #: Mediation pressure each actor put on the belligerents in the last step.
    pressure: np.ndarray
    #: Pressure each actor has put on the belligerents since the ceasefire status last changed.
    credit: np.ndarray
    #: ``(2, runs, n)``: what a day of battle at the present balance of forces would bring each actor: the share
    #: of the contested area it would take (negative: lose) and its losses. The battlefield rule works it out
    #: each day, in a truce too (what the sides would expect if they fought on); zeros without that rule.
    front: np.ndarray
    step: int = 0
    #: Masks derived from the tie kinds (`kind_mask`), kept until a kind changes (see `forget`).
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> int:
        return self.weight.shape[0]

    @classmethod
    def from_scenario(cls, scenario: Scenario, runs: int = 1) -> World:
        ties = list(scenario.ties)
        placed = {t.id for t in ties}
        ties += list({e.new_tie.id: e.new_tie for e in scenario.events if e.new_tie and e.new_tie.id not in placed}
                     .values())
        topology = Topology.build(scenario.actor_ids, scenario.sides, ties)
        n, m = topology.n_actors, len(ties)
        state = np.repeat(np.array([[[getattr(a, f) for a in scenario.actors]] for f in FIELDS], float), runs, axis=1)
        fields = dict(zip(FIELDS, state))
        in_place = np.array([i < len(scenario.ties) for i in range(m)], dtype=bool)
        return cls(
            topology=topology,
            state=state,
            fields=fields,
            anchors={f: fields[f].copy() for f in ANCHORED},
            weight=np.tile([t.weight if placed else 0.0 for t, placed in zip(ties, in_place)], (runs, 1)),
            active=np.tile(in_place, (runs, 1)),
            kind=np.tile([TIE_KINDS.index(t.kind) for t in ties], (runs, 1)).astype(np.int8),
            in_force=np.zeros(runs, bool),
            ceasefires=np.zeros(runs, np.int64),
            breakdowns=np.zeros(runs, np.int64),
            broker=np.full(runs, -1, np.int64),
            brokers=np.zeros((runs, n)),
            came=np.zeros(runs, np.int8),
            pressure=np.zeros((runs, n)),
            credit=np.zeros((runs, n)),
            front=np.zeros((2, runs, n)),
        )

    def forget(self) -> None:
        """Drop what was derived from the tie kinds; whoever changes ``kind`` calls it."""
        self.cache.clear()

    def kind_mask(self, kinds: tuple[str, ...]) -> np.ndarray:
        """``(runs, n_ties)`` booleans: the tie slot is of one of ``kinds`` (in place or not)."""
        mask = self.cache.get(kinds)
        if mask is None:
            mask = self.cache[kinds] = np.isin(self.kind, [TIE_KINDS.index(k) for k in kinds])
        return mask
