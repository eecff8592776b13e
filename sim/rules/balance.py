"""Structural balance: local triad dynamics on the signs of the ties."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.records import Happening
from sim.rules.base import Param, Rule


@kernel
def hostile_ties(weight, r, triads, k):
    """How many of the three ties of triad ``k`` are hostile (weight <= 0) in run ``r``: an int."""
    return int(weight[r, triads[k, 0]] <= 0.0) + int(weight[r, triads[k, 1]] <= 0.0) \
        + int(weight[r, triads[k, 2]] <= 0.0)


@kernel
def triad_updates(weight, active, frozen, triads, p, uniforms, updates):
    """Antal-Krapivsky-Redner local triad dynamics; returns the new weights ``(runs, n_ties)``.

    ``uniforms``: ``(runs, max_updates, 3)`` numbers in [0, 1) that drive the updates; run r makes the
    first ``updates[r]`` of them (``frozen`` is ``(runs, n_ties)``). Each update takes a
    random imbalanced triad of tied actors (one whose sign product is -1). With one hostile tie it turns
    that tie friendly with probability ``p``, otherwise one of the two friendly ties turns hostile; with
    three hostile ties one of them turns friendly. A tie that is ``frozen`` keeps its sign (the update is
    spent), and so does a tie of weight 0, which counts as hostile. Magnitudes keep, signs flip.
    """
    weight = weight.copy()
    n_triads = triads.shape[0]
    complete = np.empty(n_triads, np.bool_)
    imbalanced = np.empty(n_triads, np.bool_)
    for r in range(weight.shape[0]):
        for k in range(n_triads):                                     # fixed within a step
            complete[k] = active[r, triads[k, 0]] and active[r, triads[k, 1]] and active[r, triads[k, 2]]
        for step in range(updates[r]):
            count = 0
            for k in range(n_triads):
                imbalanced[k] = complete[k] and hostile_ties(weight, r, triads, k) % 2 == 1
                count += int(imbalanced[k])
            if count == 0:
                break
            u = uniforms[r, step]
            pick = min(int(u[0] * count), count - 1)
            k = -1
            while pick >= 0:                                          # the pick-th imbalanced triad
                k += 1
                pick -= int(imbalanced[k])
            ties = triads[k]
            first_hostile = 0
            while weight[r, ties[first_hostile]] > 0.0:
                first_hostile += 1
            if hostile_ties(weight, r, triads, k) == 1:
                # heal the hostile tie (prob. p), else sour one of the two friendly ties, taken in order
                other = int(u[2] * 2)
                friendly = other if other < first_hostile else other + 1
                which = first_hostile if u[1] < p else friendly
            else:
                which = min(int(u[2] * 3), 2)
            target = ties[which]
            if not frozen[r, target]:
                weight[r, target] = -weight[r, target]
    return weight


@kernel
def balance_step(weight, active, frozen, triads, p, uniforms, updates):
    """`triad_updates`, and the ties whose sign it flipped: ``(k, 2)`` rows of run and tie index."""
    after = triad_updates(weight, active, frozen, triads, p, uniforms, updates)
    flipped = np.argwhere(weight * after < 0.0)
    return after, flipped


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
        # at most 10,000 a day: the day's random numbers take 240 KB a run, and each update scans every triad
        "updates": Param(None, "updates per step (default: the number of ties in place)", kind="integer",
                         lo=0, hi=10_000, optional=True),
        "frozen": Param((), "tie kinds whose sign never changes", kind="kinds"),
    }

    def settle(self, world, rngs):
        top = world.topology
        if self.updates is None:
            updates = world.active.sum(axis=1)
        else:
            updates = np.full(world.runs, self.updates)
        counts = updates.tolist()
        uniforms = np.zeros((world.runs, max(counts), 3))
        for run, (rng, count) in enumerate(zip(rngs, counts)):
            rng.random((count, 3), out=uniforms[run, :count])
        world.weight, flips = balance_step(world.weight, world.active, world.kind_mask(self.frozen), top.triads,
                                           self.p, uniforms, updates)
        happened = []
        for run, tie in flips.tolist():
            a, b = top.actor_ids[top.tie_source[tie]], top.actor_ids[top.tie_target[tie]]
            mood = "friendly" if world.weight[run, tie] > 0 else "hostile"
            happened.append(Happening(int(run), "tie", (a, b), f"The tie between {a} and {b} turns {mood}"))
        return happened
