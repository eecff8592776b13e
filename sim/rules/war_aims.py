"""War aims: what the last day of battle brought moves each side's readiness to stop (the bargaining theory of war)."""

from __future__ import annotations

import math

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import LARGEST
from sim.rules.base import Param, Rule


@kernel
def net_gain(gained, held, aim, lost, price):
    """What a day of fighting brought one side, in shares of the contested area (numbers): the ground ``gained``
    (negative: lost), counted only while the side, now holding ``held``, is short of its ``aim`` when it gains,
    less ``price`` for each thousand soldiers ``lost``."""
    toward = 0.0 if gained > 0.0 and held >= aim else gained
    return toward - price * lost / 1000.0


@kernel
def aims_change(willing, gain, rate):
    """A day of dw/dt = rate * [ max(0, -g) (1 - w) - max(0, g) w ], solved exactly over the day (numbers): a
    side that gains by fighting on (g > 0) turns from a ceasefire, one that pays more than it gains (g < 0)
    turns toward one; w moves toward 0 or 1 by the share 1 - exp(-rate |g|), never past it.

    With g held constant, w(t) = w0 exp(-rate g t) for g > 0 and 1 - (1 - w0) exp(rate g t) for g < 0.
    """
    toward = 1.0 if gain < 0.0 else 0.0
    return -math.expm1(-rate * abs(gain)) * (toward - willing)


@kernel
def war_aims_change(ceasefire, territory, gained, lost, sides, aims, price, rate):
    """The day's change of every actor's ceasefire willingness, ``(runs, n)``; only the two ``sides`` move, each
    by `aims_change` of its `net_gain` from a day of battle (``gained`` and ``lost``: the share of the area each
    actor would take and the losses it would suffer, ``(runs, n)``)."""
    runs, n = ceasefire.shape
    change = np.zeros((runs, n))
    for r in range(runs):
        for s in range(2):
            i = sides[s]
            gain = net_gain(gained[r, i], territory[r, i], aims[s], lost[r, i], price)
            change[r, i] = aims_change(ceasefire[r, i], gain, rate)
    return change


class WarAims(Rule):
    """Each side weighs what fighting brings against what it costs (Wagner 2000; Filson & Werner 2002;
    Slantchev 2003).

    In the bargaining theory of war, battles reveal what fighting on is worth, and a side settles when the
    terms it can get beat what it expects to win by fighting. Here each side reads what a day of battle at the
    present balance of forces would bring it (the battlefield rule works it out each day, in a truce too): its
    net gain g_s is the share of the contested area it would take (counted only while short of its aim,
    ``aims``; ground lost counts in full) less ``price`` for each thousand soldiers it would lose. Its
    willingness follows dw_s/dt = rate * [ max(0, -g_s) (1 - w_s) - max(0, g_s) w_s ], solved exactly over each
    day (it moves toward 0 or 1 by the share 1 - exp(-rate |g_s|), never past them): a side gaining toward its
    aim at a bearable cost resists a ceasefire (the winner's reluctance), even in a truce; a side losing ground and men
    is hurt and turns toward one (Zartman's hurting stalemate, as a cost). When the front stalls, both only
    pay: their expectations converge and the war ripens. The sides know the balance of forces (no private
    information): their expectations move because the balance does. Without the battlefield rule nothing
    moves.
    """

    name = "war_aims"
    metadata = {"fields": ("ceasefire",), "discrete": (), "stochastic": False,
                "citation": "Wagner, 'Bargaining and War', AJPS 44(3), 2000; Filson & Werner, 'A Bargaining Model "
                            "of War and Peace', AJPS 46(4), 2002; Slantchev, 'The Principle of Convergence in "
                            "Wartime Negotiations', APSR 97(4), 2003"}
    params = {
        "aims": Param((1.0, 1.0), "the share of the contested area each side fights to hold", kind="pair", lo=0.0,
                      hi=1.0),
        "price": Param(0.01, "the share of the area a side would give for a thousand of its soldiers' lives",
                       lo=0.0, hi=LARGEST),
        "rate": Param(20.0, "how fast willingness follows the last day's net gain (per share of the area)", lo=0.0),
    }

    def propose(self, world, rngs):
        f = world.fields
        return {"ceasefire": war_aims_change(f["ceasefire"], f["territory"], world.front[0], world.front[1],
                                             world.topology.sides, self.aims, self.price, self.rate)}
