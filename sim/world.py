"""The state of a batch of runs of one scenario, as the numpy arrays the rules read and update.

Arrays have a leading axis of runs: actor fields are ``(runs, n_actors)``, tie arrays
``(runs, n_ties)``. The tie slots are fixed for a scenario (its ties plus those events may add), so
runs whose events fire at different steps still share one layout; ``active`` says which are in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.fields import ANCHORED, FIELDS, TIE_KINDS
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
    def build(cls, actor_ids: tuple[str, ...], sides: tuple[str, str], ties: list[Tie]) -> Topology:
        index = {a: i for i, a in enumerate(actor_ids)}
        source = np.array([index[t.source] for t in ties], dtype=np.intp)
        target = np.array([index[t.target] for t in ties], dtype=np.intp)
        directed = np.array([t.directed for t in ties], dtype=bool)
        both = ~directed
        slots = np.arange(len(ties))
        belligerent = np.isin(np.arange(len(actor_ids)), [index[sides[0]], index[sides[1]]])
        return cls(
            actor_ids=actor_ids,
            sides=(index[sides[0]], index[sides[1]]),
            tie_ids=tuple(t.id for t in ties),
            tie_source=source, tie_target=target, tie_directed=directed,
            triads=_triads(source, target),
            receiver=np.concatenate([target, source[both]]),
            influencer=np.concatenate([source, target[both]]),
            channel=np.concatenate([slots, slots[both]]),
            belligerent=belligerent,
            outsiders=~belligerent,
        )


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
    #: Mediation pressure each actor put on the belligerents in the last step.
    pressure: np.ndarray
    #: Pressure each actor has put on the belligerents since the ceasefire status last changed.
    credit: np.ndarray
    step: int = 0
    #: Quantities derived from the ties, kept until the ties change (see `forget`).
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
        fields = {f: np.tile([getattr(a, f) for a in scenario.actors], (runs, 1)).astype(float) for f in FIELDS}
        in_place = np.array([i < len(scenario.ties) for i in range(m)], dtype=bool)
        return cls(
            topology=topology,
            fields=fields,
            anchors={f: fields[f].copy() for f in ANCHORED},
            weight=np.tile([t.weight if placed else 0.0 for t, placed in zip(ties, in_place)], (runs, 1)),
            active=np.tile(in_place, (runs, 1)),
            kind=np.tile([TIE_KINDS.index(t.kind) for t in ties], (runs, 1)).astype(np.int8),
            in_force=np.zeros(runs, bool),
            ceasefires=np.zeros(runs, np.int64),
            breakdowns=np.zeros(runs, np.int64),
            broker=np.full(runs, -1, np.int64),
            pressure=np.zeros((runs, n)),
            credit=np.zeros((runs, n)),
        )

    def forget(self, changed: str | None = None) -> None:
        """Drop what was derived from the ties: all of it, or only what depends on ``changed``.

        Whoever changes ``weight``, ``active`` or ``kind`` calls it (``changed="weight"`` when only
        weights changed).
        """
        if changed is None:
            self.cache.clear()
        else:
            for key in [k for k, (depends, _) in self.cache.items() if changed in depends]:
                del self.cache[key]

    def _derived(self, key, depends: tuple[str, ...], make):
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = (depends, make())
        return found[1]

    def pair_weights(self) -> np.ndarray:
        """``(runs, n, n)`` symmetric: the weight of the tie in place between i and j, 0 without one."""
        return self._derived("pair_weights", ("weight", "active"), lambda: self._pairs(self.weight * self.active))

    def kind_mask(self, kinds: tuple[str, ...]) -> np.ndarray:
        """``(runs, n_ties)`` booleans: the tie slot is of one of ``kinds`` (in place or not)."""
        return self._derived(("kinds", kinds), ("kind",),
                             lambda: np.isin(self.kind, [TIE_KINDS.index(k) for k in kinds]))

    def pair_kinds(self, kinds: tuple[str, ...]) -> np.ndarray:
        """``(runs, n, n)`` symmetric booleans: a tie in place of one of ``kinds`` joins i and j."""
        return self._derived(("pair_kinds", kinds), ("kind", "active"),
                             lambda: self._pairs(self.kind_mask(kinds) & self.active))

    def _pairs(self, values: np.ndarray) -> np.ndarray:
        top = self.topology
        out = np.zeros((self.runs, top.n_actors, top.n_actors), values.dtype)
        out[:, top.tie_source, top.tie_target] = values
        out[:, top.tie_target, top.tie_source] = values
        return out
