"""Friedkin-Johnsen influence: actors move toward those they listen to, held back by their anchors."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import ANCHORED
from sim.rules.base import Param, Rule


@kernel
def listened(x, receiver, influencer, channel, weight, active, capability):
    """W x for the W of `influence_weights`, summed over the ties without forming W: ``(runs, n)``.

    Costs O(ties) rather than O(n^2), for large sparse scenarios. ``x``, ``capability`` are
    ``(runs, n)``; ``weight``, ``active`` ``(runs, n_ties)``.
    """
    runs, n = x.shape
    out = x.copy()
    total = np.empty(n)
    heard = np.empty(n)
    for r in range(runs):
        total[:] = 0.0
        heard[:] = 0.0
        for k in range(receiver.shape[0]):
            tie = channel[k]
            if active[r, tie] and weight[r, tie] > 0.0:
                raw = weight[r, tie] * capability[r, influencer[k]]
                total[receiver[k]] += raw
                heard[receiver[k]] += raw * x[r, influencer[k]]
        for i in range(n):
            if total[i] > 0.0:
                out[r, i] = heard[i] / total[i]
    return out


@kernel
def toward(pulled, x, anchor, susceptibility, rate):
    """The Friedkin-Johnsen change given what each actor hears, ``pulled`` = W x (numbers or arrays)."""
    return rate * (susceptibility * pulled + (1.0 - susceptibility) * anchor - x)


@kernel
def influence_change(x, anchor, stubbornness, rate, receiver, influencer, channel, weight, active, capability):
    """One day's Friedkin-Johnsen change of the field ``x`` over the ties, ``(runs, n)``."""
    pulled = listened(x, receiver, influencer, channel, weight, active, capability)
    return toward(pulled, x, anchor, 1.0 - stubbornness, rate)


class Influence(Rule):
    """Friedkin-Johnsen influence (Friedkin & Johnsen 2011; Parsegov et al. 2017).

    For each field it names: x(t+1) = x(t) + rate * [ lambda * (W x(t)) + (1 - lambda) * x(0) - x(t) ],
    lambda_i = 1 - stubbornness_i, W as in `sim.rules.reference.influence_weights`. With rate = 1 this is exactly
    Friedkin-Johnsen; its fixed point is x* = (I - Lambda W)^-1 (I - Lambda) x(0).
    """

    name = "influence"
    metadata = {"fields": ANCHORED, "discrete": (), "stochastic": False,
                "citation": "Friedkin & Johnsen, Social Influence Network Theory (2011)"}
    params = {
        "fields": Param(ANCHORED, "the fields actors influence each other on", kind="fields", choices=ANCHORED),
        "rate": Param(1.0, "fraction of the Friedkin-Johnsen step taken each day", lo=0.0, hi=1.0),
    }

    def propose(self, world, rngs):
        top, f = world.topology, world.fields
        return {name: influence_change(f[name], world.anchors[name], f["stubbornness"], self.rate, top.receiver,
                                       top.influencer, top.channel, world.weight, world.active, f["capability"])
                for name in self.fields}
