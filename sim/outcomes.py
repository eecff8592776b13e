"""Outcomes of a run, read from its recorded history: ceasefires, brokers, coalitions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.measures import landscape_minima


def ceasefire_outcomes(in_force: np.ndarray, broker: np.ndarray, breakdowns: int,
                       actor_ids: Sequence[str]) -> dict:
    """Ceasefire outcomes from the per-step series ``in_force`` (0/1) and ``broker`` (actor index or -1).

    A ceasefire *lasts* when it is in force at the last step.
    """
    on = np.asarray(in_force) > 0
    starts = np.flatnonzero(on & ~np.concatenate([[False], on[:-1]]))
    brokers = [actor_ids[b] if b >= 0 else None for b in np.asarray(broker)[starts]]
    return {
        "ceasefire_reached": bool(len(starts)),
        "first_ceasefire_day": int(starts[0]) if len(starts) else None,
        "first_broker": brokers[0] if brokers else None,
        "ceasefires": len(starts),
        "brokers": brokers,
        "breakdowns": int(breakdowns),
        "lasting": bool(on[-1]),
        "days_in_force": int(on[1:].sum()),
    }


def coalitions(capability: np.ndarray, pairs: np.ndarray, actor_ids: Sequence[str], *, most: int = 3) -> list[dict]:
    """The ``most`` lowest local minima of the landscape energy, each as its coalitions and energy.

    ``pairs``: ``(n, n)`` symmetric tie weights (the propensities p_ij). Coalitions are listed with the
    one holding the first actor first.
    """
    ids = np.array(actor_ids)
    found = []
    for in_second, energy in landscape_minima(np.asarray(capability), np.asarray(pairs))[:most]:
        groups = [ids[~in_second].tolist(), ids[in_second].tolist()]
        found.append({"energy": round(energy, 10), "coalitions": [g for g in groups if g]})
    return found


def coalition_of(minimum: dict, actor_ids: Sequence[str]) -> dict[str, int]:
    """Which coalition (0 or 1) each actor is in, in a minimum as `coalitions` returns it."""
    return {a: k for k, group in enumerate(minimum["coalitions"]) for a in group if a in actor_ids}
