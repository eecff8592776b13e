"""Richardson's arms race between the two sides' fighting intensities."""

from __future__ import annotations

import numpy as np

from sim.measures import outside_backing
from sim.rules.base import Param, Rule


def richardson_change(x: np.ndarray, y: np.ndarray, defense: tuple[float, float], fatigue: tuple[float, float],
                      grievance: tuple, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Euler step of dx/dt = k_x y - a_x x + g_x, dy/dt = k_y x - a_y y + g_y; returns (dx, dy).

    ``grievance`` entries may be arrays (one per run) as well as numbers.
    """
    (kx, ky), (ax, ay), (gx, gy) = defense, fatigue, grievance
    return dt * (kx * y - ax * x + gx), dt * (ky * x - ay * y + gy)


def richardson_equilibrium(defense: tuple[float, float], fatigue: tuple[float, float],
                           grievance: tuple[float, float]) -> tuple[float, float]:
    """x* = (a_y g_x + k_x g_y) / (a_x a_y - k_x k_y), y* = (a_x g_y + k_y g_x) / (a_x a_y - k_x k_y).

    Stable when a_x a_y > k_x k_y; otherwise the race runs away (or collapses) from it.
    """
    (kx, ky), (ax, ay), (gx, gy) = defense, fatigue, grievance
    det = ax * ay - kx * ky
    return (ay * gx + kx * gy) / det, (ax * gy + ky * gx) / det


class Escalation(Rule):
    """Richardson's arms race (Richardson, Arms and Insecurity, 1960) on the sides' intensities.

    dx/dt = k_x y - a_x x + g_x and dy/dt = k_y x - a_y y + g_y, one Euler step of length ``dt`` a day;
    intensities stay >= 0. The grievance of each side is g * (1 - ceasefire_damping * in_force)
    + backing * B, where B is the capability-weighted alignment of outsiders toward that side. The
    defaults (backing = 0, ceasefire_damping = 0) leave the pure Richardson system.
    """

    name = "escalation"
    metadata = {"fields": ("intensity",), "discrete": (), "stochastic": False,
                "citation": "Richardson, Arms and Insecurity (1960)"}
    params = {
        "defense": Param((0.1, 0.1), "k: how much each side reacts to the other's intensity", kind="pair", lo=0.0),
        "fatigue": Param((0.2, 0.2), "a: how fast each side's effort decays by its cost", kind="pair", lo=0.0),
        "grievance": Param((0.1, 0.1), "g: each side's standing drive to fight", kind="pair"),
        "dt": Param(1.0, "length of the Euler step per day", lo=0.0, hi=10.0),
        "backing": Param(0.0, "grievance added per unit of outside backing", lo=0.0),
        "ceasefire_damping": Param(0.0, "share of grievance a ceasefire in force removes", lo=0.0, hi=1.0),
    }

    def propose(self, world, rngs):
        a, b = world.topology.sides
        intensity, alignment = world.fields["intensity"], world.fields["alignment"]
        outsiders = world.topology.outsiders
        backing = outside_backing(alignment, world.fields["capability"], outsiders)
        calm = 1.0 - self.ceasefire_damping * world.in_force
        grievance = tuple(g * calm + self.backing * backing[:, s] for s, g in enumerate(self.grievance))
        dx, dy = richardson_change(intensity[:, a], intensity[:, b], self.defense, self.fatigue, grievance, self.dt)
        change = np.zeros_like(intensity)
        change[:, a], change[:, b] = dx, dy
        return {"intensity": change}
