"""Measures of a crisis's state: pure numpy over arrays whose last axis is the actors (or ties).

Every function accepts any leading axes (``(..., n_actors)``), so a batch of runs, or a whole recorded
history, is measured at once. `outside_backing`, which the rules call every day, is a compiled kernel
over ``(runs, n_actors)``.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.core.compiled import kernel


def weighted_mean(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean of ``x`` over actors, weighted by ``weights`` (e.g. capability)."""
    total = weights.sum(axis=-1)
    return (x * weights).sum(axis=-1) / np.where(total > 0, total, 1.0)


def polarization(alignment: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """Capability-weighted variance of alignment: 0 when all agree, 1 when split evenly at -1 and +1."""
    mean = weighted_mean(alignment, capability)
    return weighted_mean((alignment - mean[..., None]) ** 2, capability)


def friendly_share(weight: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Fraction of the ties in place whose weight is positive (NaN where there are none)."""
    count = active.sum(axis=-1)
    friendly = (active & (weight > 0)).sum(axis=-1)
    return np.where(count > 0, friendly / np.maximum(count, 1), np.nan)


def triad_signs(weight: np.ndarray, active: np.ndarray, triads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each triad (three tie indices), whether all three ties are in place, and the sign product.

    A tie counts as friendly when its weight is positive (as in `friendly_share`), hostile otherwise.
    Returns ``(complete, product)`` of shape ``(..., n_triads)``.
    """
    if len(triads) == 0:
        shape = weight.shape[:-1] + (0,)
        return np.zeros(shape, bool), np.ones(shape, np.int8)
    signs = np.where(weight > 0, 1, -1).astype(np.int8)
    complete = active[..., triads].all(axis=-1)
    product = signs[..., triads].prod(axis=-1)
    return complete, product


def balance_index(weight: np.ndarray, active: np.ndarray, triads: np.ndarray) -> np.ndarray:
    """Fraction of balanced triads (sign product +1) among triads whose three pairs are tied.

    NaN where no triad is complete.
    """
    complete, product = triad_signs(weight, active, triads)
    count = complete.sum(axis=-1)
    balanced = (complete & (product > 0)).sum(axis=-1)
    return np.where(count > 0, balanced / np.maximum(count, 1), np.nan)


@kernel
def outside_backing(alignment, capability, outsiders):
    """Capability-weighted backing each side gets from actors outside the fighting: ``(runs, 2)``.

    Side 0 is backed by negative alignment, side 1 by positive: B_s = sum_j cap_j * max(0, sign_s * a_j)
    over the outsiders j. ``alignment`` and ``capability`` are ``(runs, n)``, ``outsiders`` ``(n,)``.
    """
    runs, n = alignment.shape
    backing = np.zeros((runs, 2))
    for r in range(runs):
        for j in range(n):
            if outsiders[j]:
                if alignment[r, j] < 0.0:
                    backing[r, 0] += -alignment[r, j] * capability[r, j]
                elif alignment[r, j] > 0.0:
                    backing[r, 1] += alignment[r, j] * capability[r, j]
    return backing


def landscape_energy(configs: np.ndarray, affinity: np.ndarray) -> np.ndarray:
    """Axelrod-Bennett energy of each configuration.

    ``configs``: ``(k, n)`` booleans (which of two coalitions each actor is in); ``affinity``: ``(n, n)``
    symmetric, A_ij = s_i s_j p_ij with a zero diagonal. E = sum over ordered pairs i != j of A_ij d_ij,
    d_ij = 1 when i and j are apart.
    """
    x = configs.astype(float)
    row = affinity.sum(axis=1)
    # d_ij = x_i + x_j - 2 x_i x_j, so E = 2 x.r - 2 x'Ax.
    return 2.0 * x @ row - 2.0 * ((x @ affinity) * x).sum(axis=1)


def switch_gains(configs: np.ndarray, affinity: np.ndarray) -> np.ndarray:
    """Change of energy if each actor alone switched coalition: ``(k, n)``; all >= 0 at a local minimum."""
    x = configs.astype(float)
    ax = x @ affinity
    row = affinity.sum(axis=1)
    apart = x * row + ax - 2.0 * x * ax  # sum_j A_ij d_ij, i.e. s_i times i's frustration
    return 2.0 * (row - 2.0 * apart)


def _splits(n: int, chunk: int):
    """Every split of n actors into two coalitions with actor 0 in the first, in blocks of ``chunk``."""
    total = 1 << max(n - 1, 0)
    if total <= chunk:
        yield _all_splits(n)
        return
    for lo in range(0, total, chunk):
        yield _split_block(np.arange(lo, min(lo + chunk, total)), n)


def _split_block(codes: np.ndarray, n: int) -> np.ndarray:
    configs = np.zeros((len(codes), n), bool)
    configs[:, 1:] = (codes[:, None] >> np.arange(n - 1)) & 1
    return configs


@functools.lru_cache(maxsize=16)
def _all_splits(n: int) -> np.ndarray:
    configs = _split_block(np.arange(1 << max(n - 1, 0)), n)
    configs.flags.writeable = False
    return configs


#: The work `landscape_minima` may do above the exhaustive limit, in units of n^2 (about one descent from
#: one start, some 10 ns): 2000 starts up to 100 actors, then fewer (500 at 200, 125 at 400, 20 at 1000),
#: about 0.2 s at most.
LANDSCAPE_WORK = 20_000_000


def landscape_starts(n: int, starts: int = 2000, work: int = LANDSCAPE_WORK) -> int:
    """How many random starts `landscape_minima` descends from for ``n`` actors: ``starts``, or fewer where
    ``starts`` descents of about n^2 each would do more than ``work`` (never fewer than one)."""
    return max(1, min(starts, work // max(n * n, 1)))


def landscape_minima(capability: np.ndarray, propensity: np.ndarray, *, rng: np.random.Generator | None = None,
                     exhaustive_up_to: int = 20, starts: int = 2000, chunk: int = 1 << 14,
                     work: int = LANDSCAPE_WORK) -> list[tuple[np.ndarray, float]]:
    """Local minima of the landscape energy (Axelrod & Bennett 1993), lowest first.

    Each minimum is ``(in_second, energy)``: a boolean mask of the actors in the coalition without
    actor 0, and its energy. Exhaustive over the 2^(n-1) splits for n <= ``exhaustive_up_to``: every
    minimum. Above, steepest descent (switch the actor whose switch lowers the energy most, until none
    does) from random splits drawn from ``rng``: ``starts`` of them, fewer for many actors so that the
    work stays within ``work`` (see `landscape_starts`), all descending together. A minimum no start
    leads to is missed, and with few starts even the lowest may be.
    """
    n = len(capability)
    affinity = np.outer(capability, capability) * propensity
    np.fill_diagonal(affinity, 0.0)
    found: dict[bytes, tuple[np.ndarray, float]] = {}
    tol = 1e-12 * max(1.0, np.abs(affinity).sum())
    if n <= exhaustive_up_to:
        for configs in _splits(n, chunk):
            minimal = (switch_gains(configs, affinity) >= -tol).all(axis=1)
            for config, energy in zip(configs[minimal], landscape_energy(configs[minimal], affinity)):
                found[config.tobytes()] = (config, float(energy))
    else:
        rng = np.random.default_rng(0) if rng is None else rng
        configs = _descend(rng.random((landscape_starts(n, starts, work), n)) < 0.5, affinity, tol)
        configs ^= configs[:, :1]                       # actor 0 in the first coalition
        for config, energy in zip(configs, landscape_energy(configs, affinity)):
            found[config.tobytes()] = (config, float(energy))
    return sorted(found.values(), key=lambda item: (item[1], item[0].tobytes()))


def _descend(configs: np.ndarray, affinity: np.ndarray, tol: float) -> np.ndarray:
    """The local minima that steepest descent reaches from each of ``configs`` (``(k, n)`` booleans).

    Each actor's ``apart`` (sum_j A_ij d_ij, see `switch_gains`) is computed once; a switch of actor k
    then changes every other actor's by A_ik (toward k, or away), and k's own to row_k minus it, so
    a step costs O(n) instead of the O(n^2) of recomputing every gain. A descent that has not settled
    after 2n steps (it lowers the energy each step, so this is a safeguard) is dropped.
    """
    x = configs.copy()
    k_runs, n = x.shape
    row = affinity.sum(axis=1)
    xf = x.astype(float)
    ax = xf @ affinity
    apart = xf * row + ax - 2.0 * xf * ax
    moving = np.arange(k_runs)
    for _ in range(2 * n):
        gains = row - 2.0 * apart[moving]               # half the gain: the sign and the argmin are the same
        k = np.argmin(gains, axis=1)
        going = gains[np.arange(len(moving)), k] < -tol / 2
        moving, k = moving[going], k[going]
        if not len(moving):
            return x
        apart[moving] += affinity[k] * np.where(x[moving] == x[moving, k][:, None], 1.0, -1.0)
        apart[moving, k] = row[k] - apart[moving, k]
        x[moving, k] = ~x[moving, k]
    settled = np.ones(k_runs, bool)
    settled[moving] = False
    return x[settled]
