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


def lanchester_continuous(a0: float, b0: float, alpha: float, beta: float,
                          t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lanchester's square law dA/dt = -alpha B, dB/dt = -beta A (Aircraft in Warfare, 1916), solved:
    A(t) = A0 cosh(k t) - r B0 sinh(k t), B(t) = B0 cosh(k t) - A0 / r sinh(k t), k = sqrt(alpha beta),
    r = sqrt(alpha / beta); valid while both are positive."""
    k, r = np.sqrt(alpha * beta), np.sqrt(alpha / beta)
    return a0 * np.cosh(k * t) - r * b0 * np.sinh(k * t), b0 * np.cosh(k * t) - a0 / r * np.sinh(k * t)


def lanchester_daily(a0: float, b0: float, alpha: float, beta: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same law in steps of a day, x(t + 1) = [[1, -alpha], [-beta, 1]] x(t), solved: with k and r as above,
    A(t) = ((A0 - r B0) (1 + k)^t + (A0 + r B0) (1 - k)^t) / 2 and B(t) likewise with B0 and A0 / r."""
    k, r = np.sqrt(alpha * beta), np.sqrt(alpha / beta)
    grow, shrink = (1 + k) ** t, (1 - k) ** t
    return ((a0 - r * b0) * grow + (a0 + r * b0) * shrink) / 2, ((b0 - a0 / r) * grow + (b0 + a0 / r) * shrink) / 2


def lanchester_survivors(a0: float, b0: float, alpha: float, beta: float) -> float:
    """What the winner of a fight to the end keeps under the square law, where beta A^2 - alpha B^2 stays
    constant: A keeps sqrt(A0^2 - (alpha / beta) B0^2) when that is real; otherwise B wins and keeps
    sqrt(B0^2 - (beta / alpha) A0^2), returned negative to say so."""
    held = a0 ** 2 - (alpha / beta) * b0 ** 2
    return float(np.sqrt(held)) if held >= 0 else -float(np.sqrt(b0 ** 2 - (beta / alpha) * a0 ** 2))
