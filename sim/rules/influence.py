"""Friedkin-Johnsen influence: actors move toward those they listen to, held back by their anchors."""

from __future__ import annotations

import numpy as np

from sim.fields import ANCHORED
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


def friedkin_johnsen_change(x: np.ndarray, anchor: np.ndarray, w: np.ndarray, susceptibility: np.ndarray,
                            rate: float) -> np.ndarray:
    """rate * [ lambda * (W x) + (1 - lambda) * x(0) - x ]: one (damped) Friedkin-Johnsen step."""
    pulled = np.einsum("...ij,...j->...i", w, x)
    return rate * (susceptibility * pulled + (1.0 - susceptibility) * anchor - x)


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
        top = world.topology
        w = influence_weights(top.receiver, top.influencer, top.channel, world.weight, world.active,
                              world.fields["capability"])
        susceptibility = 1.0 - world.fields["stubbornness"]
        return {f: friedkin_johnsen_change(world.fields[f], world.anchors[f], w, susceptibility, self.rate)
                for f in self.fields}
