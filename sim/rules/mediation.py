"""Mediation: outside pressure raises the belligerents' willingness; ceasefires come and may break down."""

from __future__ import annotations

import numpy as np

from sim.measures import outside_backing
from sim.rules.base import Happening, Param, Rule, draw


def mediation_pressure(ceasefire: np.ndarray, capability: np.ndarray, access: np.ndarray,
                       mediators: np.ndarray) -> np.ndarray:
    """Pressure of each mediator j on each side s: cap_j * c_j * access_js, shape ``(..., n, 2)``."""
    return (capability * ceasefire * mediators)[..., None] * access


def willingness_change(willing: np.ndarray, pressure: np.ndarray, backing: np.ndarray, rate: float,
                       stiffening: float) -> np.ndarray:
    """rate * [ P_s (1 - w_s) - stiffening * B_s w_s ]: pressure pulls willingness up, backing down.

    Its equilibrium is w* = P / (P + stiffening * B): the side's share of pressure in pressure plus backing
    (the rule passes as P the mediators' pressure plus the hurting term).
    """
    return rate * (pressure * (1.0 - willing) - stiffening * backing * willing)


def hurt(intensity: np.ndarray) -> np.ndarray:
    """What each side endures: the other side's intensity, ``(..., 2)`` from the sides' ``(..., 2)``."""
    return intensity[..., ::-1]


def breakdown_hazard(intensity: np.ndarray, willing: np.ndarray, threshold: float, base: float,
                     per_intensity: float, unwilling: float) -> np.ndarray:
    """Daily hazard h = base + per_intensity * mean(I) + unwilling * sum_s max(0, threshold - w_s)."""
    shortfall = np.clip(threshold - willing, 0.0, None).sum(axis=-1)
    return base + per_intensity * intensity.mean(axis=-1) + unwilling * shortfall


class Mediation(Rule):
    """Mediation and ceasefires (after Zartman's ripeness and capability-weighted bargaining models).

    Each outsider j presses side s with P_js = cap_j * c_j * access_js, where c_j is how hard j presses
    for a ceasefire and access_js = max(``access``, weight of a friendly tie between j and s). Outside
    backing B_s (capability-weighted alignment toward s) stiffens the side; the fighting a side endures
    (the other side's intensity I_-s) ripens it, as in Zartman's mutually hurting stalemate. Willingness
    w_s changes by rate * [ (P_s + hurting * I_-s) (1 - w_s) - stiffening * B_s * w_s ].
    When every side's w_s >= ``threshold`` a ceasefire comes into force; its broker is the outsider whose
    pressure since the last change of status is largest (none if nobody pressed). A ceasefire in force breaks down each day with
    probability 1 - exp(-h), h = breakdown + breakdown_intensity * mean(I) + breakdown_unwilling *
    sum_s max(0, threshold - w_s); a breakdown costs each side ``setback`` of its willingness.
    """

    name = "mediation"
    metadata = {"fields": ("ceasefire",), "discrete": ("ceasefire_status", "ceasefire"), "stochastic": True,
                "citation": "dipsim's own rule, after Zartman's ripeness (Ripe for Resolution, 1985) and capability-weighted bargaining (Bueno de Mesquita, The War Trap, 1981)"}
    params = {
        "rate": Param(0.05, "how fast pressure and backing move the sides' willingness", lo=0.0, hi=1.0),
        "threshold": Param(0.7, "willingness every side needs for a ceasefire", lo=0.0, hi=1.0),
        "stiffening": Param(1.0, "how much outside backing holds a side back", lo=0.0),
        "hurting": Param(0.0, "willingness gained per unit of the other side's intensity", lo=0.0),
        "access": Param(0.1, "access of a mediator without a friendly tie to a side", lo=0.0, hi=1.0),
        "breakdown": Param(0.01, "daily breakdown hazard of any ceasefire", lo=0.0),
        "breakdown_intensity": Param(0.05, "added hazard per unit of mean intensity", lo=0.0),
        "breakdown_unwilling": Param(1.0, "added hazard per unit of willingness short of the threshold", lo=0.0),
        "setback": Param(0.3, "share of each side's willingness lost when a ceasefire breaks down", lo=0.0, hi=1.0),
    }

    def _pressure(self, world) -> tuple[np.ndarray, np.ndarray]:
        sides = list(world.topology.sides)
        outsiders = world.topology.outsiders
        access = np.maximum(world.pair_weights()[:, :, sides], self.access)
        f = world.fields
        pressure = mediation_pressure(f["ceasefire"], f["capability"], access, outsiders)
        backing = outside_backing(f["alignment"], f["capability"], outsiders)
        return pressure, backing

    def propose(self, world, rngs):
        sides = list(world.topology.sides)
        pressure, backing = self._pressure(world)
        willing = world.fields["ceasefire"][:, sides]
        push = pressure.sum(axis=1) + self.hurting * hurt(world.fields["intensity"][:, sides])
        change = np.zeros_like(world.fields["ceasefire"])
        change[:, sides] = willingness_change(willing, push, backing, self.rate, self.stiffening)
        return {"ceasefire": change}

    def settle(self, world, rngs):
        sides = list(world.topology.sides)
        ids = world.topology.actor_ids
        pressure, _ = self._pressure(world)
        world.pressure = pressure.sum(axis=-1)
        world.credit += world.pressure
        willing = world.fields["ceasefire"][:, sides]
        hazard = breakdown_hazard(world.fields["intensity"][:, sides], willing, self.threshold, self.breakdown,
                                  self.breakdown_intensity, self.breakdown_unwilling)
        broke = world.in_force & (draw(rngs, "random", ()) < -np.expm1(-hazard))
        ready = ~world.in_force & (willing >= self.threshold).all(axis=-1)
        happened = []
        for run in np.flatnonzero(broke):
            world.in_force[run] = False
            world.breakdowns[run] += 1
            world.fields["ceasefire"][run, sides] *= 1.0 - self.setback
            world.credit[run] = 0.0
            happened.append(Happening(int(run), "breakdown", (ids[sides[0]], ids[sides[1]]),
                                      f"The ceasefire breaks down (daily hazard {hazard[run]:.2f})"))
        for run in np.flatnonzero(ready):
            broker = int(np.argmax(world.credit[run])) if world.credit[run].max() > 0 else -1
            world.in_force[run] = True
            world.ceasefires[run] += 1
            world.broker[run] = broker
            world.credit[run] = 0.0
            by = (ids[broker],) if broker >= 0 else ()
            note = f", brokered by {ids[broker]}" if broker >= 0 else " without a broker"
            happened.append(Happening(int(run), "ceasefire", (ids[sides[0]], ids[sides[1]], *by),
                                      f"A ceasefire comes into force{note}"))
        return happened
