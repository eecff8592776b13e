"""Mediation: outside pressure raises the belligerents' willingness; ceasefires come and may break down."""

from __future__ import annotations

import math

import numpy as np

from sim.core.compiled import kernel
from sim.core.fields import LARGEST
from sim.core.measures import outside_backing
from sim.core.records import ARRIVALS, Happening, credit_line
from sim.rules.base import Param, Rule, draw

# Two groups travel together through the glue kernels, each as one tuple (numba passes a plain tuple of arrays
# as cheaply as one array):
#   reach = (weight, active, source, target, mediators, access): who can press the sides: the day's ties (weight
#           and active ``(runs, n_ties)``, source and target actor indices ``(n_ties,)``), the actors who may
#           press ``(n,)`` booleans (the outsiders), and the access of one without a friendly tie to a side;
#   terms = (threshold, base, per_intensity, unwilling, leverage, guarantee): the willingness every side needs for
#           a ceasefire, the terms of the daily breakdown hazard (`breakdown_hazard`), the joint hold that gets a
#           truce signed under pressure, and the share of the hazard a guarantor removes.


@kernel
def side_access(weight, active, source, target, sides, access, n):
    """``(runs, n, 2)``: access_js = max(``access``, weight of the tie in place between j and side s)."""
    runs = weight.shape[0]
    out = np.full((runs, n, 2), max(access, 0.0), np.float64)
    for r in range(runs):
        for t in range(weight.shape[1]):
            if active[r, t]:
                for s in range(2):
                    if target[t] == sides[s]:
                        out[r, source[t], s] = max(weight[r, t], access)
                    elif source[t] == sides[s]:
                        out[r, target[t], s] = max(weight[r, t], access)
    return out


@kernel
def mediation_pressure(ceasefire, capability, access, mediators):
    """Pressure of each mediator j on each side s: cap_j * c_j * access_js, shape ``(runs, n, 2)``."""
    runs, n = ceasefire.shape
    out = np.empty((runs, n, 2))
    for r in range(runs):
        for j in range(n):
            press = capability[r, j] * ceasefire[r, j] * mediators[j]
            out[r, j, 0] = press * access[r, j, 0]
            out[r, j, 1] = press * access[r, j, 1]
    return out


@kernel
def willingness_change(willing, pressure, backing, rate, stiffening):
    """rate * [ P_s (1 - w_s) - stiffening * B_s w_s ]: pressure pulls willingness up, backing down.

    Its equilibrium is w* = P / (P + stiffening * B): the side's share of pressure in pressure plus backing
    (the rule passes as P the mediators' pressure plus the hurting term). Numbers or arrays.
    """
    return rate * (pressure * (1.0 - willing) - stiffening * backing * willing)


@kernel
def breakdown_hazard(intensity, willing, threshold, base, per_intensity, unwilling):
    """Daily hazard h = base + per_intensity * mean(I) + unwilling * sum_s max(0, threshold - w_s).

    ``intensity`` and ``willing`` are the two sides' ``(runs, 2)``; returns ``(runs,)``.
    """
    hazard = np.empty(intensity.shape[0])
    for r in range(intensity.shape[0]):
        shortfall = max(threshold - willing[r, 0], 0.0) + max(threshold - willing[r, 1], 0.0)
        hazard[r] = base + per_intensity * ((intensity[r, 0] + intensity[r, 1]) / 2.0) + unwilling * shortfall
    return hazard


@kernel
def pressure_now(ceasefire, capability, sides, reach):
    """`mediation_pressure` on the two ``sides`` given ``reach``, ``(runs, n, 2)``."""
    weight, active, source, target, mediators, access = reach
    reached = side_access(weight, active, source, target, sides, access, ceasefire.shape[1])
    return mediation_pressure(ceasefire, capability, reached, mediators)


@kernel
def mediation_change(ceasefire, capability, intensity, backing, sides, reach, rate, stiffening, hurting):
    """The day's change of every actor's ceasefire willingness, ``(runs, n)``; only the sides' moves.

    Each side s is pressed by P_s = sum_j P_js + hurting * I_-s (the fighting it endures) and held
    back by its ``backing`` ``(runs, 2)``, as in `willingness_change`.
    """
    pressure = pressure_now(ceasefire, capability, sides, reach)
    runs, n = ceasefire.shape
    change = np.zeros((runs, n))
    for r in range(runs):
        for s in range(2):
            push = 0.0
            for j in range(n):
                push += pressure[r, j, s]
            push += hurting * intensity[r, sides[1 - s]]
            change[r, sides[s]] = willingness_change(ceasefire[r, sides[s]], push, backing[r, s], rate, stiffening)
    return change


@kernel
def guarantee_now(weight, active, peacekeeping, source, target, capability, sides):
    """``(runs,)``: the strongest guarantor's hold on the line, max_j cap_j * k_j, where k_j is the largest weight
    of j's peacekeeping ties in place with either side (its troops on the line between them)."""
    runs = weight.shape[0]
    guard = np.zeros(runs)
    for r in range(runs):
        for t in range(weight.shape[1]):
            if active[r, t] and peacekeeping[r, t] and weight[r, t] > 0.0:
                for s in range(2):
                    if target[t] == sides[s] and source[t] != sides[1 - s]:
                        guard[r] = max(guard[r], capability[r, source[t]] * weight[r, t])
                    elif source[t] == sides[s] and target[t] != sides[1 - s]:
                        guard[r] = max(guard[r], capability[r, target[t]] * weight[r, t])
    return guard


#: What `ceasefire_turns` says of each run: nothing changes, the ceasefire breaks down, one comes into force
#: because both sides want it, one is signed under pressure and holds the day, or is signed and breaks that day.
HOLDS, BREAKS, COMES, SIGNED, SIGNED_BREAKS = 0, 1, 2, 3, 4


@kernel
def ceasefire_turns(ceasefire, capability, intensity, sides, reach, terms, guard, in_force, uniform, credit):
    """After the day's moves, given ``reach``, ``terms`` = (threshold, base, per_intensity, unwilling, leverage,
    guarantee) and each run's ``guard`` (`guarantee_now`):

    * the pressure each actor puts on the two sides together ``(runs, n)``;
    * each actor's hold on both sides at once, min_s P_js ``(runs, n)`` (a broker must reach both sides), and its
      ``credit`` with the hold added;
    * the daily breakdown hazard ``(runs,)``, times (1 - guarantee * guard);
    * what happens in each run ``(runs,)``: HOLDS, BREAKS (in force, and ``uniform[:, 0]`` < 1 - exp(-hazard)),
      COMES (not in force, every side willing), SIGNED (not in force, not every side willing, but the holds add
      up to ``leverage`` or more; a negative ``leverage``: never) or SIGNED_BREAKS (signed, and it faces the
      day's hazard at once: ``uniform[:, 1]`` < 1 - exp(-hazard)); and the runs where it does not hold.
    """
    threshold, base, per_intensity, unwilling, leverage, guarantee = terms
    pressure = pressure_now(ceasefire, capability, sides, reach)
    pressing = pressure[:, :, 0] + pressure[:, :, 1]
    hold = np.minimum(pressure[:, :, 0], pressure[:, :, 1])
    runs = ceasefire.shape[0]
    willing = np.stack((ceasefire[:, sides[0]], ceasefire[:, sides[1]]), axis=1)
    fighting = np.stack((intensity[:, sides[0]], intensity[:, sides[1]]), axis=1)
    hazard = breakdown_hazard(fighting, willing, threshold, base, per_intensity, unwilling) * (1.0 - guarantee * guard)
    turn = np.full(runs, HOLDS, np.int8)
    for r in range(runs):
        breaks = uniform[r, 0] < -math.expm1(-hazard[r])
        if in_force[r]:
            if breaks:
                turn[r] = BREAKS
        elif willing[r, 0] >= threshold and willing[r, 1] >= threshold:
            turn[r] = COMES
        elif leverage >= 0.0 and hold[r].sum() >= leverage:
            turn[r] = SIGNED_BREAKS if uniform[r, 1] < -math.expm1(-hazard[r]) else SIGNED
    return pressing, credit + hold, hold, hazard, turn, np.flatnonzero(turn)


def shares(credit: np.ndarray) -> list[int]:
    """The actors credited with a ceasefire given each one's ``credit`` (``(n,)``): every one with at least half
    the leading one's, the leading one first (ties by actor order); none when nobody has any."""
    top = credit.max(initial=0.0)
    if top <= 0:
        return []
    order = np.argsort(-credit, kind="stable")
    return [int(j) for j in order if credit[j] >= top / 2]


class Mediation(Rule):
    """Mediation and ceasefires (after Zartman's ripeness and capability-weighted bargaining models).

    Each outsider j presses side s with P_js = cap_j * c_j * access_js, where c_j is how hard j presses
    for a ceasefire and access_js = max(``access``, weight of a friendly tie between j and s). Outside
    backing B_s (capability-weighted alignment toward s) stiffens the side; the fighting a side endures
    (the other side's intensity I_-s) ripens it, as in Zartman's mutually hurting stalemate. Willingness
    w_s changes by rate * [ (P_s + hurting * I_-s) (1 - w_s) - stiffening * B_s * w_s ].

    A broker must reach both sides: an outsider's hold on them is min_s P_js. A ceasefire comes in two ways. It
    is *ripe* when every side's w_s >= ``threshold``; its brokers are the outsiders whose hold summed since the
    last change of status is at least half the largest (none if nobody pressed). It is *signed under
    pressure* (a humanitarian truce) when the sides do not both want one but the mediators' holds on both
    sides at once, sum_j min_s P_js, reach ``leverage``; its brokers are the mediators
    whose hold is at least half the largest. A ceasefire in force breaks down each day with probability
    1 - exp(-h), h = [breakdown + breakdown_intensity * mean(I) + breakdown_unwilling * sum_s max(0, threshold -
    w_s)] * (1 - guarantee * G), where G = max_j cap_j * k_j is the strongest guarantor's hold on the line
    (k_j the weight of j's peacekeeping tie with a side). A truce signed under pressure faces that hazard on
    the day it is signed, so a truce nobody wants can break the same day. A breakdown costs each side ``setback``
    of its willingness, and each of its brokers ``spent`` of its pressure (a failed truce spends its push).
    """

    name = "mediation"
    metadata = {"fields": ("ceasefire",), "discrete": ("ceasefire_status", "ceasefire"), "stochastic": True,
                "citation": "dipsim's own rule, after Zartman's ripeness (Ripe for Resolution, 1985) and capability-weighted bargaining (Bueno de Mesquita, The War Trap, 1981); guarantors after Walter, Committing to Peace (2002)"}
    params = {
        "rate": Param(0.05, "how fast pressure and backing move the sides' willingness", lo=0.0, hi=1.0),
        "threshold": Param(0.7, "willingness every side needs for a ceasefire", lo=0.0, hi=1.0),
        "stiffening": Param(1.0, "how much outside backing holds a side back", lo=0.0),
        "hurting": Param(0.0, "willingness gained per unit of the other side's intensity", lo=0.0),
        "access": Param(0.1, "access of a mediator without a friendly tie to a side", lo=0.0, hi=1.0),
        # hazards: from about 40 on a breakdown is certain (1 - exp(-h) rounds to 1); any finite size is harmless
        "breakdown": Param(0.01, "daily breakdown hazard of any ceasefire", lo=0.0, hi=LARGEST),
        "breakdown_intensity": Param(0.05, "added hazard per unit of mean intensity", lo=0.0, hi=LARGEST),
        "breakdown_unwilling": Param(1.0, "added hazard per unit of willingness short of the threshold", lo=0.0,
                                     hi=LARGEST),
        "setback": Param(0.3, "share of each side's willingness lost when a ceasefire breaks down", lo=0.0, hi=1.0),
        "spent": Param(0.0, "share of each broker's pressure lost when its ceasefire breaks down", lo=0.0, hi=1.0),
        "leverage": Param(None, "the mediators' joint hold on both sides that gets a truce signed before the sides "
                                "want one (none: only ripe ceasefires)", lo=0.0, optional=True),
        "guarantee": Param(0.9, "share of the breakdown hazard a full guarantor's peacekeepers remove", lo=0.0,
                           hi=1.0),
    }

    def _reach(self, world) -> tuple:
        top = world.topology
        return world.weight, world.active, top.tie_source, top.tie_target, top.outsiders, self.access

    def propose(self, world, rngs):
        f, top = world.fields, world.topology
        backing = outside_backing(f["alignment"], f["capability"], top.outsiders)
        return {"ceasefire": mediation_change(f["ceasefire"], f["capability"], f["intensity"], backing,
                                              top.sides, self._reach(world), self.rate, self.stiffening,
                                              self.hurting)}

    def settle(self, world, rngs):
        top, f = world.topology, world.fields
        sides, ids = list(top.sides), top.actor_ids
        terms = (self.threshold, self.breakdown, self.breakdown_intensity, self.breakdown_unwilling,
                 -1.0 if self.leverage is None else self.leverage, self.guarantee)
        guard = guarantee_now(world.weight, world.active, world.kind_mask(("peacekeeping",)), top.tie_source,
                              top.tie_target, f["capability"], top.sides)
        world.pressure, world.credit, hold, hazard, turn, turning = ceasefire_turns(
            f["ceasefire"], f["capability"], f["intensity"], top.sides, self._reach(world), terms, guard,
            world.in_force, draw(rngs, "random", (2,)), world.credit)
        happened = []
        pair = (ids[sides[0]], ids[sides[1]])
        for run in turning.tolist():
            if turn[run] == BREAKS:
                happened.append(self._breaks(world, run, f"The ceasefire breaks down (daily hazard {hazard[run]:.2f})"))
                continue
            signed = turn[run] != COMES
            basis = hold[run] if signed else world.credit[run]
            credited = shares(basis)
            world.in_force[run] = True
            world.ceasefires[run] += 1
            world.broker[run] = credited[0] if credited else -1
            world.brokers[run] = 0.0
            if credited:
                world.brokers[run, credited] = basis[credited] / basis[credited[0]]
            world.came[run] = ARRIVALS.index("pressure" if signed else "ripe")
            world.credit[run] = 0.0
            by = tuple(ids[j] for j in credited)
            what = "A truce is signed under pressure" if signed else "A ceasefire comes into force"
            note = f", brokered by {credit_line(by)}" if by else " without a broker"
            happened.append(Happening(int(run), "ceasefire", (*pair, *by), f"{what}{note}"))
            if turn[run] == SIGNED_BREAKS:
                happened.append(self._breaks(world, run, f"The truce breaks down the day it is signed (hazard "
                                                         f"{hazard[run]:.2f})"))
        return happened

    def _breaks(self, world, run: int, note: str) -> Happening:
        """End the ceasefire in force in ``run``: each side loses ``setback`` of its willingness, each of its brokers
        ``spent`` of its pressure."""
        top = world.topology
        sides = list(top.sides)
        world.in_force[run] = False
        world.breakdowns[run] += 1
        world.fields["ceasefire"][run, sides] *= 1.0 - self.setback
        world.fields["ceasefire"][run, world.brokers[run] > 0] *= 1.0 - self.spent
        world.credit[run] = 0.0
        return Happening(int(run), "breakdown", (top.actor_ids[sides[0]], top.actor_ids[sides[1]]), note)
