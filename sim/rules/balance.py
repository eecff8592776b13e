"""Structural balance: local triad dynamics on the signs of the ties."""

from __future__ import annotations

import numpy as np

from sim.rules.base import Happening, Param, Rule


def triad_updates(weight: np.ndarray, active: np.ndarray, frozen: np.ndarray, triads: np.ndarray, p: float,
                  uniforms: np.ndarray, updates: np.ndarray) -> np.ndarray:
    """Antal-Krapivsky-Redner local triad dynamics; returns the new weights ``(runs, n_ties)``.

    ``uniforms``: ``(runs, max_updates, 3)`` numbers in [0, 1) that drive the updates; run r makes the
    first ``updates[r]`` of them (``frozen`` is ``(runs, n_ties)``). Each update takes a
    random imbalanced triad of tied actors (one whose sign product is -1). With one hostile tie it turns
    that tie friendly with probability ``p``, otherwise one of the two friendly ties turns hostile; with
    three hostile ties one of them turns friendly. A tie that is ``frozen`` keeps its sign (the update is
    spent), and so does a tie of weight 0, which counts as hostile. Magnitudes keep, signs flip.
    """
    weight = weight.copy()
    if len(triads) == 0:
        return weight
    runs = np.arange(weight.shape[0])
    complete = active[:, triads].all(axis=-1)                        # (runs, n_triads), fixed in a step
    signs = np.where(weight > 0, 1, -1).astype(np.int8)
    for step, u in enumerate(np.moveaxis(uniforms, 1, 0)):
        imbalanced = complete & (signs[:, triads].prod(axis=-1, dtype=np.int8) < 0)
        count = imbalanced.sum(axis=1)
        live = (count > 0) & (step < updates)
        if not live.any():
            break
        pick = np.minimum((u[:, 0] * count).astype(np.int64), np.maximum(count - 1, 0))
        ties = triads[np.argmax(np.cumsum(imbalanced, axis=1) > pick[:, None], axis=1)]   # (runs, 3)
        hostile = signs[runs[:, None], ties] < 0
        first_hostile = np.argmax(hostile, axis=1)
        # One hostile tie: heal it (prob. p), else sour one of the two friendly ties, taken in order.
        other = (u[:, 2] * 2).astype(np.int64)
        sour = other + (other >= first_hostile)
        which = np.where(hostile.sum(axis=1) == 1, np.where(u[:, 1] < p, first_hostile, sour),
                         np.minimum((u[:, 2] * 3).astype(np.int64), 2))
        target = ties[runs, which]
        flip = live & ~frozen[runs, target]
        signs[runs[flip], target[flip]] *= -1
        weight[runs[flip], target[flip]] *= -1.0
    return weight


class Balance(Rule):
    """Structural balance (Heider 1946) by local triad dynamics (Antal, Krapivsky & Redner 2005).

    Each update takes a random imbalanced triad of tied actors: with one hostile tie it turns friendly
    with probability p, otherwise one of the two friendly ties turns hostile; with three hostile ties one
    turns friendly. A step makes as many updates as there are ties in place (``updates`` overrides).
    On a complete graph the friendly density settles at 1 / (1 + sqrt(3 (1 - 2p))) for p < 1/2 and
    reaches paradise (all friendly) for p > 1/2. Ties of the ``frozen`` kinds never change sign.
    """

    name = "balance"
    metadata = {"fields": (), "discrete": ("tie_signs",), "stochastic": True,
                "citation": "Heider (1946); Antal, Krapivsky & Redner, Phys. Rev. E 72, 036121 (2005)"}
    params = {
        "p": Param(0.3, "probability that a triad with one hostile tie heals it", lo=0.0, hi=1.0),
        "updates": Param(None, "updates per step (default: the number of ties in place)", kind="integer",
                         lo=0, optional=True),
        "frozen": Param((), "tie kinds whose sign never changes", kind="kinds"),
    }

    def settle(self, world, rngs):
        top = world.topology
        if self.updates is None:
            updates = world.active.sum(axis=1)
        else:
            updates = np.full(world.runs, self.updates)
        uniforms = np.zeros((world.runs, int(updates.max(initial=0)), 3))
        for run, (rng, count) in enumerate(zip(rngs, updates)):
            uniforms[run, :count] = rng.random((count, 3))
        frozen = world.kind_mask(self.frozen)
        before = world.weight
        world.weight = triad_updates(before, world.active, frozen, top.triads, self.p, uniforms, updates)
        happened = []
        for run, tie in zip(*np.nonzero(np.sign(before) != np.sign(world.weight))):
            a, b = top.actor_ids[top.tie_source[tie]], top.actor_ids[top.tie_target[tie]]
            mood = "friendly" if world.weight[run, tie] > 0 else "hostile"
            happened.append(Happening(int(run), "tie", (a, b), f"The tie between {a} and {b} turns {mood}"))
        return happened
