"""The published models' closed forms and plain-numpy oracles, which only the tests use: each rule's
compiled kernels are checked against them (`tests/rules/`), and the docs cite them.
"""

from __future__ import annotations

import numpy as np

from sim.rules.influence import toward


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
    return toward(np.einsum("...ij,...j->...i", w, x), x, anchor, susceptibility, rate)


def friedkin_johnsen_fixed_point(anchor: np.ndarray, w: np.ndarray, susceptibility: np.ndarray) -> np.ndarray:
    """x* = (I - Lambda W)^-1 (I - Lambda) x(0), the stance the iteration converges to."""
    n = anchor.shape[-1]
    lam_w = susceptibility[..., :, None] * w
    return np.linalg.solve(np.eye(n) - lam_w, ((1.0 - susceptibility) * anchor)[..., None])[..., 0]


def richardson_equilibrium(defense: tuple[float, float], fatigue: tuple[float, float],
                           grievance: tuple[float, float]) -> tuple[float, float]:
    """x* = (a_y g_x + k_x g_y) / (a_x a_y - k_x k_y), y* = (a_x g_y + k_y g_x) / (a_x a_y - k_x k_y).

    Stable when a_x a_y > k_x k_y; otherwise the race runs away (or collapses) from it.
    """
    (kx, ky), (ax, ay), (gx, gy) = defense, fatigue, grievance
    det = ax * ay - kx * ky
    return (ay * gx + kx * gy) / det, (ax * gy + ky * gx) / det
