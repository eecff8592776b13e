"""Friedkin-Johnsen influence: actors move toward those they listen to, held back by their anchors."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import ANCHORED
from sim.rules.base import Param, Rule


def influence_weights(receiver: np.ndarray, influencer: np.ndarray, channel: np.ndarray, weight: np.ndarray,
                      active: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """Row-stochastic influence matrix W, shape ``(..., n, n)``.

    W_ij is proportional to max(weight of the tie through which j influences i, 0) * capability_j,
    normalised over j != i; an actor that listens to nobody keeps W_ii = 1.
    ``receiver[k]`` listens to ``influencer[k]`` through tie ``channel[k]``.
    """
    n = capability.shape[-1]
    lead = capability.shape[:-1]
    raw = np.clip(weight[..., channel], 0.0, None) * active[..., channel] * capability[..., influencer]
    w = np.zeros(lead + (n * n,))
    w[..., receiver * n + influencer] = raw
    w = w.reshape(lead + (n, n))
    total = w.sum(axis=-1)
    listens = total > 0
    w /= np.where(listens, total, 1.0)[..., None]
    diag = np.arange(n)
    w[..., diag, diag] += ~listens
    return w


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


def friedkin_johnsen_change(x: np.ndarray, anchor: np.ndarray, w: np.ndarray, susceptibility: np.ndarray,
                            rate: float) -> np.ndarray:
    """rate * [ lambda * (W x) + (1 - lambda) * x(0) - x ]: one (damped) Friedkin-Johnsen step."""
    return toward(np.einsum("...ij,...j->...i", w, x), x, anchor, susceptibility, rate)


@kernel
def toward(pulled, x, anchor, susceptibility, rate):
    """The Friedkin-Johnsen change given what each actor hears, ``pulled`` = W x (numbers or arrays)."""
    return rate * (susceptibility * pulled + (1.0 - susceptibility) * anchor - x)


@kernel
def influence_change(x, anchor, stubbornness, rate, receiver, influencer, channel, weight, active, capability):
    """One day's Friedkin-Johnsen change of the field ``x`` over the ties, ``(runs, n)``."""
    pulled = listened(x, receiver, influencer, channel, weight, active, capability)
    return toward(pulled, x, anchor, 1.0 - stubbornness, rate)


def friedkin_johnsen_fixed_point(anchor: np.ndarray, w: np.ndarray, susceptibility: np.ndarray) -> np.ndarray:
    """x* = (I - Lambda W)^-1 (I - Lambda) x(0), the stance the iteration converges to."""
    n = anchor.shape[-1]
    lam_w = susceptibility[..., :, None] * w
    return np.linalg.solve(np.eye(n) - lam_w, ((1.0 - susceptibility) * anchor)[..., None])[..., 0]


class Influence(Rule):
    """Friedkin-Johnsen influence (Friedkin & Johnsen 2011; Parsegov et al. 2017).

    For each field it names: x(t+1) = x(t) + rate * [ lambda * (W x(t)) + (1 - lambda) * x(0) - x(t) ],
    lambda_i = 1 - stubbornness_i, W as in `influence_weights`. With rate = 1 this is exactly
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
