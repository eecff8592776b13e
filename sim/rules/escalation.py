"""Richardson's arms race between the two sides' fighting intensities."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.measures import outside_backing
from sim.rules.base import Param, Rule


@kernel
def richardson_change(x, y, defense, fatigue, grievance, dt):
    """Euler step of dx/dt = k_x y - a_x x + g_x, dy/dt = k_y x - a_y y + g_y; returns (dx, dy).

    ``x`` and ``y`` are numbers or arrays; the pairs ``defense``, ``fatigue``, ``grievance`` are numbers.
    """
    (kx, ky), (ax, ay), (gx, gy) = defense, fatigue, grievance
    return dt * (kx * y - ax * x + gx), dt * (ky * x - ay * y + gy)


@kernel
def escalation_change(intensity, backing, in_force, sides, defense, fatigue, grievance, dt, backing_gain, damping):
    """The day's change of every actor's intensity, ``(runs, n)``: the Richardson step of the two sides.

    Each side's grievance is g * (1 - damping * in_force) + backing_gain * B, B its ``backing`` ``(runs, 2)``.
    """
    runs, n = intensity.shape
    a, b = sides
    change = np.zeros((runs, n))
    for r in range(runs):
        calm = 1.0 - damping * in_force[r]
        grieved = (grievance[0] * calm + backing_gain * backing[r, 0],
                   grievance[1] * calm + backing_gain * backing[r, 1])
        change[r, a], change[r, b] = richardson_change(intensity[r, a], intensity[r, b], defense, fatigue, grieved, dt)
    return change


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
        f, top = world.fields, world.topology
        backing = outside_backing(f["alignment"], f["capability"], top.outsiders)
        return {"intensity": escalation_change(f["intensity"], backing, world.in_force, top.sides, self.defense,
                                               self.fatigue, self.grievance, self.dt, self.backing,
                                               self.ceasefire_damping)}
