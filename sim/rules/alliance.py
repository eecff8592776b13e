"""Alliance pull: the friends of a belligerent drift to its side as its fighting grows."""

from __future__ import annotations

import numpy as np

from sim.fields import SIDE_SIGNS
from sim.rules.base import Param, Rule


def alliance_change(alignment: np.ndarray, bond: np.ndarray, intensity: np.ndarray, rate: float,
                    half: float) -> np.ndarray:
    """rate * sum_s bond_is * I_s / (I_s + half) * (sign_s - a_i).

    ``bond``: ``(..., n, 2)`` positive weight of the allied ties of each actor to each side;
    ``intensity``: ``(..., 2)`` the sides' intensities. The pull saturates: half of it at I = half.
    """
    urgency = intensity / (intensity + half)
    pull = bond * urgency[..., None, :]
    return rate * (pull * (SIDE_SIGNS - alignment[..., None])).sum(axis=-1)


class Alliance(Rule):
    """Actors tied to a belligerent by an alliance or support drift toward its side as its intensity grows.

    da_i = rate * sum over sides s of w_is * I_s / (I_s + half) * (sign_s - a_i), where w_is is the
    positive weight of a tie of the given kinds between i and side s, sign_s is -1 for the first side
    and +1 for the second, and I_s is the side's intensity.
    """

    name = "alliance"
    metadata = {"fields": ("alignment",), "discrete": (), "stochastic": False,
                "citation": "dipsim's own rule; on entrapment in alliances see Snyder, Alliance Politics (1997)"}
    params = {
        "rate": Param(0.05, "largest daily share of the gap to the ally's side closed", lo=0.0, hi=1.0),
        "kinds": Param(("alliance", "support"), "tie kinds that pull an actor to a side", kind="kinds"),
        "half": Param(1.0, "intensity at which the pull is half its full strength", lo=1e-9),
    }

    def propose(self, world, rngs):
        sides = list(world.topology.sides)
        tied = world.pair_kinds(self.kinds)[:, :, sides]
        bond = np.clip(world.pair_weights()[:, :, sides], 0.0, None) * tied
        bond[:, sides, :] = 0.0
        intensity = world.fields["intensity"][:, sides]
        return {"alignment": alliance_change(world.fields["alignment"], bond, intensity, self.rate, self.half)}
