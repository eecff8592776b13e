"""Noise: the day-to-day shocks of diplomacy, as Gaussian perturbations of chosen fields."""

from __future__ import annotations

import numpy as np

from sim.rules.base import Param, Rule, draw


class Noise(Rule):
    """Gaussian perturbation: x_i(t+1) = x_i(t) + sigma * N(0, 1) for each chosen field and actor.

    Draws one standard normal per field and actor each day from each run's own generator, whether or
    not ``actors`` restricts who is perturbed, so the stream does not depend on that choice.
    """

    name = "noise"
    metadata = {"fields": ("alignment", "ceasefire", "intensity"), "discrete": (), "stochastic": True,
                "citation": "a standard Gaussian shock term"}
    params = {
        "fields": Param(("alignment",), "the fields to perturb", kind="fields",
                        choices=("alignment", "ceasefire", "intensity")),
        "sigma": Param(0.01, "standard deviation of the daily shock", lo=0.0),
        "actors": Param(None, "the actors perturbed (default: all)", kind="actors", optional=True),
    }

    def propose(self, world, rngs):
        ids = world.topology.actor_ids
        shocks = self.sigma * draw(rngs, "standard_normal", (len(self.fields), len(ids)))
        if self.actors is not None:
            shocks *= np.isin(ids, self.actors)
        return {f: shocks[:, k] for k, f in enumerate(self.fields)}
