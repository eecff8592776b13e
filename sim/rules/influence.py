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


def listened(x: np.ndarray, receiver: np.ndarray, influencer: np.ndarray, channel: np.ndarray,
             weight: np.ndarray, active: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """W x for the W of `influence_weights`, summed over the ties without forming W: ``(runs, n)``.

    Costs O(ties) rather than O(n^2), for large sparse scenarios. ``x`` and the others are ``(runs, ...)``.
    """
    runs, n = capability.shape
    raw = np.clip(weight[:, channel], 0.0, None) * active[:, channel] * capability[:, influencer]
    slots = (np.arange(runs)[:, None] * n + receiver).ravel()
    total = np.bincount(slots, raw.ravel(), minlength=runs * n).reshape(runs, n)
    heard = np.bincount(slots, (raw * x[:, influencer]).ravel(), minlength=runs * n).reshape(runs, n)
    return np.where(total > 0, heard / np.where(total > 0, total, 1.0), x)


def friedkin_johnsen_change(x: np.ndarray, anchor: np.ndarray, w: np.ndarray, susceptibility: np.ndarray,
                            rate: float) -> np.ndarray:
    """rate * [ lambda * (W x) + (1 - lambda) * x(0) - x ]: one (damped) Friedkin-Johnsen step."""
    return toward(np.einsum("...ij,...j->...i", w, x), x, anchor, susceptibility, rate)


def toward(pulled: np.ndarray, x: np.ndarray, anchor: np.ndarray, susceptibility: np.ndarray,
           rate: float) -> np.ndarray:
    """The Friedkin-Johnsen change given what each actor hears, ``pulled`` = W x."""
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
        top, f = world.topology, world.fields
        susceptibility = 1.0 - f["stubbornness"]
        return {name: toward(listened(f[name], top.receiver, top.influencer, top.channel, world.weight,
                                      world.active, f["capability"]),
                             f[name], world.anchors[name], susceptibility, self.rate)
                for name in self.fields}
