"""The battlefield: the two sides' fire wears each other down (Lanchester) and moves the front (a force ratio)."""

from __future__ import annotations

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import LARGEST
from sim.rules.alliance import alliance_bonds
from sim.rules.base import Param, Rule


@kernel
def lanchester_losses(strength, fire, lethality, advantage):
    """One day of Lanchester's square law (aimed fire) between two sides: ``(losses_0, losses_1)``.

    Each side loses ``lethality`` times the other's fire, its strength times its fire per soldier
    (``fire``, a pair), the defender's multiplied by its ``advantage`` (a pair: 1 for the side that attacks).
    With constant fire per soldier this is dA/dt = -beta B, dB/dt = -alpha A, whose solution is
    A(t) = A0 cosh(sqrt(alpha beta) t) - sqrt(beta / alpha) B0 sinh(sqrt(alpha beta) t).
    """
    return (lethality * advantage[1] * fire[1] * strength[1],
            lethality * advantage[0] * fire[0] * strength[0])


@kernel
def advance_rate(attack, defend, defence, advance):
    """The share of the contested area the attacker takes in a day: advance * (R - 1) / (R + 1) for the force
    ratio R = attack / (defence * defend) above 1, else 0. ``advance`` is the pace of a rout (R without bound)."""
    held = defence * defend
    if attack <= held:
        return 0.0
    return advance * (attack - held) / (attack + held)


@kernel
def battle_day(strength, fire, held, lethality, defence, depth, advance):
    """One day of battle between two sides, numbers per side in pairs: their ``strength`` (forces left), ``fire``
    per soldier, and the share of the contested area each ``held``. Returns ``(loss_0, loss_1, gain_0)``: each
    side's losses and the share side 0 gains (negative: the share it loses).

    A side attacks where the other holds ground for it to take: the one with the greater fire when both could,
    the only one that can otherwise (a stronger side that holds the whole area defends it). The other defends
    with the advantage ``defence * (1 + depth * held by the attacker)`` (the last of an area is the hardest to
    take). The front moves by `advance_rate`, no further than the defender holds; losses follow
    `lanchester_losses`.
    """
    attack = strength[0] * fire[0]
    defend = strength[1] * fire[1]
    stronger = 0 if attack >= defend else 1
    if held[1] > 0.0 and held[0] > 0.0:
        attacker = stronger
    elif held[1] > 0.0:
        attacker = 0
    elif held[0] > 0.0:
        attacker = 1
    else:
        attacker = stronger
    if attacker == 1:
        attack, defend = defend, attack
    advantage_now = defence * (1.0 + depth * held[attacker])
    advantage = (1.0, advantage_now) if attacker == 0 else (advantage_now, 1.0)
    loss_0, loss_1 = lanchester_losses(strength, fire, lethality, advantage)
    gain = min(advance_rate(attack, defend, advantage_now, advance), held[1 - attacker])
    return loss_0, loss_1, gain if attacker == 0 else -gain


@kernel
def military_support(alignment, capability, bond):
    """``(runs, 2)``: the support each side gets from its armourers: sum_j k_js * cap_j * max(0, sign_s * a_j),
    ``bond`` ``(runs, n, 2)`` the weight of each actor's supporting tie with each side (`alliance_bonds`)."""
    runs, n = alignment.shape
    support = np.zeros((runs, 2))
    for r in range(runs):
        for j in range(n):
            support[r, 0] += bond[r, j, 0] * capability[r, j] * max(0.0, -alignment[r, j])
            support[r, 1] += bond[r, j, 1] * capability[r, j] * max(0.0, alignment[r, j])
    return support


@kernel
def battlefield_change(territory, losses, intensity, capability, support, in_force, sides, forces, lethality,
                       gain, defence, depth, advance):
    """The day's change of every actor's territory and losses, two ``(runs, n)`` arrays: one `battle_day` of the
    two ``sides`` in each run where no ceasefire is in force. A side's fire per soldier is its intensity times its
    capability times (1 + ``gain`` * its outside ``support`` ``(runs, 2)``); its strength is ``forces`` less
    its losses."""
    runs, n = territory.shape
    moved = np.zeros((runs, n))
    lost = np.zeros((runs, n))
    a, b = sides
    for r in range(runs):
        if in_force[r]:
            continue
        strength = (max(forces[0] - losses[r, a], 0.0), max(forces[1] - losses[r, b], 0.0))
        fire = (intensity[r, a] * capability[r, a] * (1.0 + gain * support[r, 0]),
                intensity[r, b] * capability[r, b] * (1.0 + gain * support[r, 1]))
        loss_a, loss_b, gain_a = battle_day(strength, fire, (territory[r, a], territory[r, b]), lethality,
                                            defence, depth, advance)
        lost[r, a], lost[r, b] = loss_a, loss_b
        moved[r, a], moved[r, b] = gain_a, -gain_a
    return moved, lost


class Battlefield(Rule):
    """The two sides fight over a contested area (Lanchester, Aircraft in Warfare, 1916; the force ratio).

    Each side s has a strength (``forces`` less its ``losses``) and a fire per soldier: its intensity times its
    capability times (1 + ``support`` * S_s), S_s = sum_j k_js * cap_j * max(0, sign_s * a_j) the outside
    military support it gets over the ties of ``kinds`` (arms, drones, advisers). A side attacks where the
    other holds ground for it to take (the one with the greater fire when both could). Losses follow Lanchester's square law: each side loses ``lethality`` times the other's fire
    (strength times fire per soldier), the defender's fire multiplied by its advantage D = ``defence`` *
    (1 + ``depth`` * the attacker's share). The front moves toward the defender by ``advance`` * (R - 1) / (R + 1)
    of the area a day when the force ratio R = attack / (D * defence fire) exceeds 1: an attacker needs D
    times the defender's fire to advance at all (the rule of thumb that an attack needs some three to one).
    Nothing moves while a ceasefire is in force. The sides' ``territory`` is the share of the contested area
    each holds; what one takes the other loses. At the end of each day the rule works out what a day of battle
    at the new balance would bring, truce or not (``world.front``): what the sides expect of fighting on.
    """

    name = "battlefield"
    metadata = {"fields": ("territory", "losses"), "discrete": ("front",), "stochastic": False,
                "citation": "Lanchester, Aircraft in Warfare (1916), the square law; the force-ratio rule of "
                            "thumb as discussed by Mearsheimer, International Security 13(4), 1989, and Epstein, "
                            "The Calculus of Conventional War (1985)"}
    params = {
        "forces": Param((50000.0, 50000.0), "the soldiers each side can put in the field", kind="pair", lo=0.0,
                        hi=LARGEST),
        "lethality": Param(0.001, "deaths a day per unit of the other side's fire (a soldier at intensity 1, "
                                  "capability 1)", lo=0.0, hi=1.0),
        "support": Param(1.0, "fire gained per unit of outside military support", lo=0.0),
        "kinds": Param(("alliance", "support"), "tie kinds that carry outside military support", kind="kinds"),
        "defence": Param(2.0, "the defender's advantage: the force ratio an attacker needs to advance", lo=1.0),
        "depth": Param(0.0, "how the defender's advantage grows with the share the attacker holds", lo=0.0),
        "advance": Param(0.02, "the share of the contested area a rout gives up in a day", lo=0.0, hi=1.0),
    }

    def _battle(self, world, in_force) -> tuple[np.ndarray, np.ndarray]:
        top, f = world.topology, world.fields
        bond = alliance_bonds(world.weight, world.active, world.kind_mask(self.kinds), top.tie_source,
                              top.tie_target, top.sides, top.n_actors)
        support = military_support(f["alignment"], f["capability"], bond)
        return battlefield_change(f["territory"], f["losses"], f["intensity"], f["capability"], support, in_force,
                                  top.sides, self.forces, self.lethality, self.support, self.defence, self.depth,
                                  self.advance)

    def propose(self, world, rngs):
        moved, lost = self._battle(world, world.in_force)
        return {"territory": moved, "losses": lost}

    def settle(self, world, rngs):
        """Work out what a day of battle would bring at the balance of forces the day ends with, truce or not:
        the sides' expectation of fighting on (``world.front``, read by the war-aims rule)."""
        world.front[0], world.front[1] = self._battle(world, np.zeros_like(world.in_force))
        return []
