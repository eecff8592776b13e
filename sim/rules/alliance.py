"""Alliance pull: the friends of a belligerent drift to its side as its fighting grows."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import LARGEST
from sim.rules.base import Param, Rule


@kernel
def alliance_change(alignment, bond, intensity, rate, half):
    """rate * sum_s bond_is * I_s / (I_s + half) * (sign_s - a_i), shape ``(runs, n)``; sign_s is -1 for
    the first side and +1 for the second, the alignments that back them.

    ``alignment``: ``(runs, n)``; ``bond``: ``(runs, n, 2)`` positive weight of the allied ties of each
    actor to each side; ``intensity``: ``(runs, 2)`` the sides' intensities. The pull saturates: half of
    it at I = half.
    """
    runs, n = alignment.shape
    change = np.empty((runs, n))
    for r in range(runs):
        urgency = intensity[r] / (intensity[r] + half)
        for i in range(n):
            change[r, i] = rate * (bond[r, i, 0] * urgency[0] * (-1.0 - alignment[r, i])
                                   + bond[r, i, 1] * urgency[1] * (1.0 - alignment[r, i]))
    return change


@kernel
def alliance_bonds(weight, active, pulls, source, target, sides, n):
    """``(runs, n, 2)``: the positive weight of the tie in place between each actor and each side when
    ``pulls`` (``(runs, n_ties)``) says its kind pulls; 0 for the sides themselves and without such a tie."""
    runs = weight.shape[0]
    bond = np.zeros((runs, n, 2))
    for r in range(runs):
        for t in range(weight.shape[1]):
            if active[r, t] and pulls[r, t] and weight[r, t] > 0.0:
                for s in range(2):
                    if target[t] == sides[s] and source[t] != sides[1 - s]:
                        bond[r, source[t], s] = weight[r, t]
                    elif source[t] == sides[s] and target[t] != sides[1 - s]:
                        bond[r, target[t], s] = weight[r, t]
    return bond


@kernel
def alliance_pull(alignment, intensity, weight, active, pulls, source, target, sides, rate, half):
    """The day's change of every actor's alignment by `alliance_change` over its ties, ``(runs, n)``."""
    bond = alliance_bonds(weight, active, pulls, source, target, sides, alignment.shape[1])
    sided = np.stack((intensity[:, sides[0]], intensity[:, sides[1]]), axis=1)
    return alliance_change(alignment, bond, sided, rate, half)


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
        "half": Param(1.0, "intensity at which the pull is half its full strength", lo=1e-9, hi=LARGEST),
    }

    def propose(self, world, rngs):
        top, f = world.topology, world.fields
        return {"alignment": alliance_pull(f["alignment"], f["intensity"], world.weight, world.active,
                                           world.kind_mask(self.kinds), top.tie_source, top.tie_target, top.sides,
                                           self.rate, self.half)}
