"""Outcomes of a run, read from its recorded history: ceasefires, brokers, coalitions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.fields import CHANNELS, FIELDS, TIE_KINDS
from sim.core.measures import landscape_minima
from sim.core.records import ceasefire_outcomes

if TYPE_CHECKING:
    from sim.core.engine import Simulation


def run_outcomes(simulation: Simulation, run: int) -> dict:
    """Ceasefire outcomes, each side's peak intensity, the contested area each side holds and the losses it has
    suffered at the end, and each actor's final alignment, of one run."""
    scenario, history = simulation.scenario, simulation.history
    ids = scenario.actor_ids
    outcomes = ceasefire_outcomes(history.spans[run], simulation.steps)
    fields = history.array("fields")[:, run]
    intensity = fields[:, FIELDS.index("intensity")]
    outcomes["max_intensity"] = {s: round(float(intensity[:, ids.index(s)].max()), 10) for s in scenario.sides}
    for name in ("territory", "losses"):
        outcomes[f"final_{name}"] = {s: round(float(fields[-1, FIELDS.index(name), ids.index(s)]), 10)
                                     for s in scenario.sides}
    outcomes["final_alignment"] = {a: round(float(v), 10) for a, v in zip(ids, fields[-1, FIELDS.index("alignment")])}
    return outcomes


def propensities(simulation: Simulation, step: int, run: int) -> np.ndarray:
    """Landscape propensities at ``step``: the weight of each tie in place, except channels (`CHANNELS`).

    A mediation tie gives a mediator access to a side, and peacekeepers stand between the sides; neither is a
    propensity to align with a side (counted, the mediators' ties to both sides would glue the enemies into one
    coalition).
    """
    top, history = simulation.world.topology, simulation.history
    affinity = history.active[step][run] & ~np.isin(history.kind[step][run], [TIE_KINDS.index(k) for k in CHANNELS])
    weight = history.weight[step][run] * affinity
    out = np.zeros((top.n_actors, top.n_actors))
    out[top.tie_source, top.tie_target] = weight
    out[top.tie_target, top.tie_source] = weight
    return out


def run_coalitions(simulation: Simulation, step: int, run: int, *, most: int = 3) -> list[dict]:
    """The landscape-theory coalitions of one run at ``step`` (see `coalitions`)."""
    capability = simulation.history.fields[step][run, FIELDS.index("capability")]
    return coalitions(capability, propensities(simulation, step, run), simulation.scenario.actor_ids, most=most)


def coalitions(capability: np.ndarray, pairs: np.ndarray, actor_ids: Sequence[str], *, most: int = 3) -> list[dict]:
    """The ``most`` lowest local minima of the landscape energy, each as its coalitions and energy.

    ``pairs``: ``(n, n)`` symmetric propensities p_ij. Coalitions are listed with the one holding the
    first actor first.
    """
    ids = np.array(actor_ids)
    found = []
    for in_second, energy in _minima(np.asarray(capability, float), np.asarray(pairs, float), most):
        groups = [ids[~in_second].tolist(), ids[in_second].tolist()]
        found.append({"energy": round(energy, 10), "coalitions": [g for g in groups if g]})
    return found


_MINIMA: dict[bytes, list] = {}


def _minima(capability: np.ndarray, pairs: np.ndarray, most: int) -> list:
    """The ``most`` lowest of `landscape_minima`, remembered (the runs of an ensemble mostly end with the
    same ties) by a digest of the landscape, so that a remembered one takes a few hundred bytes whatever
    the number of actors."""
    digest = hashlib.blake2b(capability.tobytes(), digest_size=32)
    digest.update(pairs.tobytes())
    key = digest.digest() + most.to_bytes(8, "little")
    if key not in _MINIMA:
        if len(_MINIMA) > 4096:
            _MINIMA.clear()
        _MINIMA[key] = landscape_minima(capability, pairs)[:most]
    return _MINIMA[key]


def coalition_of(groups: Sequence[Sequence[str]]) -> dict[str, int]:
    """Which coalition (its index in ``groups``, e.g. a minimum's ``coalitions``) each actor is in."""
    return {a: k for k, group in enumerate(groups) for a in group}


def coalition_label(minimum: dict) -> str:
    """A minimum's split as one short text: ``ARM NKR RUS | AZE PAK TUR`` (ids sorted in each coalition)."""
    return " | ".join(" ".join(sorted(group)) for group in minimum["coalitions"])
