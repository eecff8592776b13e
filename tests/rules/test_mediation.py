"""Mediation: pressure, willingness, hazard by hand; when a ceasefire comes, who brokers it, breakdowns."""

import math

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.fields import measure_names
from sim.core.records import credit_line
from sim.core.world import World
from sim.rules.mediation import (
    BREAKS,
    COMES,
    HOLDS,
    SIGNED,
    SIGNED_BREAKS,
    breakdown_hazard,
    ceasefire_turns,
    guarantee_now,
    mediation_change,
    mediation_pressure,
    shares,
    side_access,
    willingness_change,
)
from sim.scenario import loads

# ------------------------------------------------------------------------------- the functions

#: The recorded measures' places (their order is `measure_names`; the sides' names do not move them).
IN_FORCE, BREAKDOWNS = (measure_names(("A", "B")).index(name) for name in ("ceasefire_in_force", "breakdowns"))


def test_mediation_pressure_by_hand():
    ceasefire = np.array([[0.1, 0.2, 0.9, 0.5]])
    capability = np.array([[0.5, 0.5, 0.4, 1.0]])
    access = np.array([[[0.1, 0.1], [0.1, 0.1], [0.8, 0.1], [0.1, 0.3]]])
    mediators = np.array([False, False, True, True])
    out = mediation_pressure(ceasefire, capability, access, mediators)
    assert out.shape == (1, 4, 2)
    np.testing.assert_allclose(out[0], [[0, 0], [0, 0], [0.4 * 0.9 * 0.8, 0.4 * 0.9 * 0.1], [0.05, 0.15]])


def test_side_access_is_the_friendly_weight_or_the_floor():
    # actors 0 and 1 are the sides; ties: 2-0 (0.8), 1-3 (0.05, below the floor), 2-1 (-0.5), 3-0 not in place
    source, target = np.array([2, 1, 2, 3]), np.array([0, 3, 1, 0])
    weight = np.array([[0.8, 0.05, -0.5, 0.9]])
    active = np.array([[True, True, True, False]])
    out = side_access(weight, active, source, target, (0, 1), 0.1, 4)
    assert out.shape == (1, 4, 2)
    np.testing.assert_allclose(out[0, 2:], [[0.8, 0.1], [0.1, 0.1]])


def test_mediation_change_hurting_is_the_other_sides_intensity():
    # nobody presses (no mediators) and nobody backs: each side moves by rate * hurting * I_other * (1 - w)
    ceasefire = np.array([[0.2, 0.6, 0.9]])
    capability = np.ones((1, 3))
    intensity = np.array([[1.0, 3.0, 0.0]])
    nobody = (np.zeros((1, 0)), np.zeros((1, 0), bool), np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(3, bool),
              0.1)
    change = mediation_change(ceasefire, capability, intensity, np.zeros((1, 2)), (0, 1), nobody, 0.5, 1.0, 0.2)
    np.testing.assert_allclose(change, [[0.5 * 0.2 * 3.0 * 0.8, 0.5 * 0.2 * 1.0 * 0.4, 0.0]])


def test_mediation_pressure_batch():
    ceasefire = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.5]])
    capability = np.ones((2, 3))
    access = np.full((2, 3, 2), 0.2)
    out = mediation_pressure(ceasefire, capability, access, np.array([False, False, True]))
    assert out.shape == (2, 3, 2)
    np.testing.assert_allclose(out[:, 2], [[0.2, 0.2], [0.1, 0.1]])
    np.testing.assert_array_equal(out[:, :2], 0.0)


def test_willingness_change_by_hand():
    willing = np.array([0.2, 0.6])
    pressure = np.array([0.5, 0.1])
    backing = np.array([0.3, 0.4])
    # 0.1 * (0.5 * 0.8 - 2 * 0.3 * 0.2), 0.1 * (0.1 * 0.4 - 2 * 0.4 * 0.6)
    np.testing.assert_allclose(willingness_change(willing, pressure, backing, 0.1, 2.0), [0.028, -0.044])


@pytest.mark.parametrize("p, b, k", [(0.5, 0.3, 1.0), (0.2, 0.6, 2.5), (1.0, 0.0, 1.0)])
def test_willingness_equilibrium_is_pressure_share(p, b, k):
    star = p / (p + k * b)
    assert willingness_change(np.array(star), np.array(p), np.array(b), 0.3, k) == pytest.approx(0.0, abs=1e-15)
    assert willingness_change(np.array(star - 0.1), np.array(p), np.array(b), 0.3, k) > 0
    if star < 1:
        assert willingness_change(np.array(star + 0.05), np.array(p), np.array(b), 0.3, k) < 0
    # and iterating converges there
    w = np.array(0.0)
    for _ in range(500):
        w = w + willingness_change(w, np.array(p), np.array(b), 0.3, k)
    assert float(w) == pytest.approx(star, abs=1e-9)


def test_breakdown_hazard_by_hand():
    intensity = np.array([[1.0, 3.0]])
    willing = np.array([[0.5, 0.8]])
    # 0.01 + 0.05 * 2 + 2 * (0.2 + 0)
    assert breakdown_hazard(intensity, willing, 0.7, 0.01, 0.05, 2.0)[0] == pytest.approx(0.51)
    assert breakdown_hazard(np.zeros((1, 2)), np.array([[0.9, 0.7]]), 0.7, 0.02, 0.05, 2.0)[0] == pytest.approx(0.02)


def test_breakdown_hazard_batch():
    out = breakdown_hazard(np.array([[0.0, 2.0], [1.0, 1.0]]), np.array([[0.1, 0.1], [1.0, 1.0]]), 0.5, 0.0, 1.0,
                           1.0)
    np.testing.assert_allclose(out, [1.0 + 0.8, 1.0])



def test_ceasefire_turns_by_hand():
    # actors 0 and 1 are the sides, 2 presses both with 1 * 0.5 * 0.2 (no ties: the access floor)
    ceasefire = np.array([[0.8, 0.9, 0.5], [0.2, 0.9, 0.5]])
    intensity = np.array([[1.0, 3.0, 0.0], [1.0, 3.0, 0.0]])
    reach = (np.zeros((2, 0)), np.zeros((2, 0), bool), np.zeros(0, np.intp), np.zeros(0, np.intp),
             np.array([False, False, True]), 0.2)
    credit = np.array([[0.0, 0.0, 0.1], [0.0, 0.0, 0.0]])
    pressing, credited, hold, hazard, turn, turning = ceasefire_turns(
        ceasefire, np.ones((2, 3)), intensity, (0, 1), reach, (0.7, 0.01, 0.05, 1.0, -1.0, 0.9), np.zeros(2),
        np.array([False, True]), np.array([[0.99, 0.0], [0.0, 0.0]]), credit)
    np.testing.assert_allclose(pressing, [[0.0, 0.0, 0.2], [0.0, 0.0, 0.2]])
    np.testing.assert_allclose(hold, [[0.0, 0.0, 0.1], [0.0, 0.0, 0.1]])          # its hold on both at once
    np.testing.assert_allclose(credited, [[0.0, 0.0, 0.2], [0.0, 0.0, 0.1]])      # credit grows by the hold
    np.testing.assert_array_equal(credit, [[0.0, 0.0, 0.1], [0.0, 0.0, 0.0]])    # returned, not written
    # 0.01 + 0.05 * mean(1, 3), and run 1 falls 0.5 short of the threshold
    np.testing.assert_allclose(hazard, [0.11, 0.61])
    # run 0 is not in force and both sides are willing; run 1 is in force and its draw is below 1 - exp(-h)
    assert turn.tolist() == [COMES, BREAKS] and turning.tolist() == [0, 1]


def test_a_truce_is_signed_under_pressure_when_the_holds_reach_the_leverage_and_faces_the_days_hazard_at_once():
    # neither side willing (0.1, 0.2 < 0.7); two mediators hold both sides with 0.1 and 0.05 (access floor 0.2)
    ceasefire = np.array([[0.1, 0.2, 0.5, 0.25]] * 3)
    reach = (np.zeros((3, 0)), np.zeros((3, 0), bool), np.zeros(0, np.intp), np.zeros(0, np.intp),
             np.array([False, False, True, True]), 0.2)
    def terms(leverage):
        return (0.7, 0.0, 0.0, 1.0, leverage, 0.9)                          # hazard: the shortfall 0.6 + 0.5

    uniform = np.array([[0.5, 0.9], [0.5, 0.1], [0.5, 0.1]])
    args = (ceasefire, np.ones((3, 4)), np.zeros((3, 4)), (0, 1), reach)
    rest = (np.zeros(3), np.zeros(3, bool), uniform, np.zeros((3, 4)))
    *_, hazard, turn, _ = ceasefire_turns(*args, terms(0.15), *rest)
    np.testing.assert_allclose(hazard, 1.1)
    # 0.1 + 0.05 reach 0.15: signed in every run; it breaks at once where the second draw is below 1 - exp(-1.1)
    assert 0.1 < -math.expm1(-1.1) < 0.9
    assert turn.tolist() == [SIGNED, SIGNED_BREAKS, SIGNED_BREAKS]
    assert ceasefire_turns(*args, terms(0.16), *rest)[4].tolist() == [HOLDS] * 3       # just short of it
    assert ceasefire_turns(*args, terms(-1.0), *rest)[4].tolist() == [HOLDS] * 3       # no leverage: never
    # a guarantor's hold of 1 removes 90 % of the hazard
    guarded = ceasefire_turns(*args, terms(0.15), np.ones(3), *rest[1:])[3]
    np.testing.assert_allclose(guarded, 0.11)


def test_the_guarantee_is_the_strongest_guarantors_capability_times_its_peacekeepers():
    # ties: 0 peacekeeping 2>0 (0.5), 1 peacekeeping 3>1 (1.0) but not in place in run 1, 2 mediation 2>1
    weight = np.array([[0.5, 1.0, 0.9], [0.5, 1.0, 0.9]])
    active = np.array([[True, True, True], [True, False, True]])
    peacekeeping = np.array([[True, True, False]] * 2)
    capability = np.array([[0.3, 0.3, 0.8, 0.4]] * 2)
    guard = guarantee_now(weight, active, peacekeeping, np.array([2, 3, 2]), np.array([0, 1, 1]), capability, (0, 1))
    np.testing.assert_allclose(guard, [max(0.8 * 0.5, 0.4 * 1.0), 0.8 * 0.5])


def test_brokers_are_every_actor_with_half_the_leaders_credit_or_more():
    assert shares(np.array([0.0, 0.3, 0.15, 0.149, 0.3])) == [1, 4, 2]
    assert shares(np.zeros(3)) == []
    assert credit_line(("RUS",)) == "RUS" and credit_line(("RUS", "FRA")) == "RUS with FRA"
    assert credit_line(("RUS", "FRA", "USA")) == "RUS with FRA and USA"

# --------------------------------------------------------------------------------- the rule

def actor(aid, ceasefire, capability=0.5, alignment=0.0, intensity=0.0):
    return (f'[[actors]]\nid = "{aid}"\nalignment = {alignment}\nceasefire = {ceasefire}\n'
            f'capability = {capability}\nstubbornness = 0.5\nintensity = {intensity}\n')


def mediation_scenario(steps, rule_params, events="", w_a=0.1, w_b=0.2):
    """Sides A and B (intensity 1 each); M2 has friendly ties to both sides, M3 none."""
    text = (f'[scenario]\nname = "mediation-test"\nsides = ["A", "B"]\nsteps = {steps}\n'
            + actor("A", w_a, intensity=1.0) + actor("B", w_b, intensity=1.0)
            + actor("M2", 0.5, capability=0.3) + actor("M3", 0.5, capability=0.2)
            + '[[ties]]\nactors = ["A", "B"]\nkind = "hostility"\nweight = -1.0\n'
            + '[[ties]]\nactors = ["M2", "A"]\nkind = "support"\nweight = 0.8\n'
            + '[[ties]]\nfrom = "M2"\nto = "B"\nkind = "mediation"\nweight = 0.8\n'
            + '[[rules]]\nrule = "mediation"\n'
            + "".join(f"{k} = {v}\n" for k, v in rule_params.items())
            + events)
    return loads(text)


NO_BREAKDOWN = {"rate": 0.5, "threshold": 0.6, "stiffening": 1.0, "hurting": 0.05, "access": 0.1,
                "breakdown": 0.0, "breakdown_intensity": 0.0, "breakdown_unwilling": 0.0, "setback": 0.3}
M2_STOPS = 6
STOP_M2 = f"""
[[events]]
id = "m2-stops"
step = {M2_STOPS}
action = "set"
actor = "M2"
field = "ceasefire"
to = 0.0
note = "M2 stops pressing"
"""


def test_pressure_recorded_per_actor():
    scn = mediation_scenario(1, NO_BREAKDOWN)
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    # M2: 0.3 * 0.5 * (0.8 + 0.8) (its ties reach both sides, whatever their direction); M3: 0.2 * 0.5 * 0.1 * 2
    np.testing.assert_allclose(sim.world.pressure[0], [0.0, 0.0, 0.24, 0.02])


def expected_willingness(w0, steps):
    """1 - w(t) = (1 - w(t-1)) (1 - rate (P(t) + hurting * I_other)), with no backing (all outsiders at 0)."""
    rate, hurting = NO_BREAKDOWN["rate"], NO_BREAKDOWN["hurting"]
    out = [w0]
    for t in range(1, steps + 1):
        pressure = (0.12 if t < M2_STOPS else 0.0) + 0.01  # on each side: M2 0.3*0.5*0.8, M3 0.2*0.5*0.1
        out.append(1.0 - (1.0 - out[-1]) * (1.0 - rate * (pressure + hurting * 1.0)))
    return np.array(out)


def test_ceasefire_comes_when_every_side_is_willing_brokered_by_most_accumulated_pressure():
    steps = 40
    scn = mediation_scenario(steps, NO_BREAKDOWN, STOP_M2)
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    willing = sim.history.array("fields")[:, 0, 1, :2]      # the sides' ceasefire willingness
    expected = np.stack([expected_willingness(0.1, steps), expected_willingness(0.2, steps)], axis=1)
    np.testing.assert_allclose(willing, expected, atol=1e-12)

    ready = (expected >= NO_BREAKDOWN["threshold"]).all(axis=1)
    first = int(np.argmax(ready))
    assert ready.any() and first > M2_STOPS
    # B is willing before A: no ceasefire until A is too
    assert (expected[:first, 1] >= 0.6).any()
    in_force = sim.history.array("measures")[:, 0, IN_FORCE]
    np.testing.assert_array_equal(in_force[:first], 0.0)
    np.testing.assert_array_equal(in_force[first:], 1.0)      # no breakdown hazard at all here
    assert sim.world.ceasefires[0] == 1

    # accumulated: M2 0.24 a day for M2_STOPS - 1 days, M3 0.02 a day until the ceasefire
    assert 0.24 * (M2_STOPS - 1) > 0.02 * first
    assert sim.history.array("pressure")[first, 0, 2] < sim.history.array("pressure")[first, 0, 3]
    broker = sim.history.array("broker")[:, 0]
    np.testing.assert_array_equal(broker[:first], -1)
    np.testing.assert_array_equal(broker[first:], scn.actor_ids.index("M2"))
    notes = [(h.step, h.kind, h.actors) for h in sim.history.happenings if h.kind == "ceasefire"]
    assert notes == [(first, "ceasefire", ("A", "B", "M2"))]


def test_ceasefire_without_outside_pressure_has_no_broker():
    # nobody presses (every outsider's ceasefire is 0) yet both sides are already willing:
    # a ceasefire comes, and no actor (least of all a belligerent) is credited with brokering it
    scn = loads('[scenario]\nname = "no-broker"\nsides = ["A", "B"]\nsteps = 2\n'
                + actor("A", 0.9) + actor("B", 0.9) + actor("C", 0.0)
                + '[[rules]]\nrule = "mediation"\nbreakdown = 0.0\nbreakdown_intensity = 0.0\n')
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    assert sim.world.in_force[0]
    assert sim.world.broker[0] == -1


def test_breakdown_is_certain_under_a_huge_hazard():
    params = {**NO_BREAKDOWN, "breakdown": 1e6, "setback": 0.0}
    steps = 40
    for seed in range(3):
        scn = mediation_scenario(steps, params)
        sim = Simulation(scn, [np.random.default_rng(seed)]).run()
        in_force = sim.history.array("measures")[:, 0, IN_FORCE].astype(bool)
        assert in_force.any()
        # a ceasefire never lasts past the day after it came
        assert not (in_force[1:] & in_force[:-1]).any()
        for day in np.flatnonzero(in_force):
            if day < steps:
                assert sim.history.array("measures")[day + 1, 0, BREAKDOWNS] == sim.history.array("measures")[day, 0, BREAKDOWNS] + 1
        kinds = [h.kind for h in sim.history.happenings]
        assert kinds.count("breakdown") == int(sim.world.breakdowns[0]) >= 1


def test_breakdown_costs_each_side_its_setback():
    params = {**NO_BREAKDOWN, "breakdown": 1e6, "setback": 0.3}
    scn = mediation_scenario(40, params)
    sim = Simulation(scn, [np.random.default_rng(1)]).run()
    measures = sim.history.array("measures")[:, 0]
    willing = sim.history.array("fields")[:, 0, 1, :2]
    day = int(np.flatnonzero(measures[:, IN_FORCE])[0])    # the first ceasefire
    assert measures[day + 1, BREAKDOWNS] == 1                 # breaks down the next day
    rate, hurting = params["rate"], params["hurting"]
    pressure = 0.13                                  # M2 and M3 still pressing (no event here)
    after_rule = willing[day] + rate * ((pressure + hurting) * (1.0 - willing[day]))
    np.testing.assert_allclose(willing[day + 1], after_rule * (1.0 - 0.3), atol=1e-12)
    contributions = sim.history.array("contributions")[day + 1, :, 1, 0, :2]   # sources x sides
    np.testing.assert_allclose(contributions.sum(axis=0), willing[day + 1] - willing[day], atol=1e-12)


def test_breakdown_probability_from_the_hazard():
    # hazard h -> daily breakdown probability 1 - exp(-h): with h = ln 2 about half the runs break each day
    params = {**NO_BREAKDOWN, "breakdown": math.log(2.0)}
    scn = mediation_scenario(1, params, w_a=0.9, w_b=0.9)
    runs = 400
    world_sim = Simulation(scn, [np.random.default_rng(s) for s in range(runs)]).run(2)
    # day 1: all runs reach a ceasefire; day 2: each breaks with probability 1/2
    broke = world_sim.history.array("measures")[2, :, BREAKDOWNS]
    assert np.all(world_sim.history.array("measures")[1, :, IN_FORCE] == 1)
    # binomial(400, 1/2): sd 10, so 5 sd either side is 150..250
    assert 150 <= broke.sum() <= 250


def test_backing_holds_a_side_back():
    # an outsider fully aligned with B (alignment +1) stiffens B, not A
    scn = loads('[scenario]\nname = "backing"\nsides = ["A", "B"]\nsteps = 1\n'
                + actor("A", 0.5) + actor("B", 0.5) + actor("C", 0.0, capability=0.4, alignment=1.0)
                + '[[rules]]\nrule = "mediation"\nrate = 0.1\nstiffening = 2.0\n')
    change = scn.rules[0].build().propose(World.from_scenario(scn), [np.random.default_rng(0)])["ceasefire"][0]
    # A: no pressure, no backing -> 0; B: -0.1 * 2 * 0.4 * 0.5
    np.testing.assert_allclose(change, [0.0, -0.04, 0.0])


def test_a_truce_signed_under_pressure_is_recorded_with_its_brokers_and_spends_their_push():
    # A and B unwilling (0.1, 0.2); M2 holds both sides with 0.3 * 0.5 * 0.8 = 0.12, M3 with 0.01
    params = {**NO_BREAKDOWN, "rate": 0.0, "breakdown_unwilling": 1e6, "leverage": 0.13, "spent": 0.5}
    sim = Simulation(mediation_scenario(1, params), [np.random.default_rng(0)]).run()
    (truce,) = sim.history.spans[0]
    # signed on day 1 and broken the same day: a truce nobody wants; M3's hold is under half M2's
    assert (truce.start, truce.end, truce.came, truce.ended_by) == (1, 1, "pressure", "breakdown")
    assert truce.broker == "M2" and truce.brokers == ("M2",)
    assert truce.days_in_force(1) == 0
    kinds = [(h.kind, h.note) for h in sim.history.happenings]
    assert kinds == [("ceasefire", "A truce is signed under pressure, brokered by M2"),
                     # 1e6 * (0.5 + 0.4)
                     ("breakdown", "The truce breaks down the day it is signed (hazard 900000.00)")]
    willing = sim.world.fields["ceasefire"][0]
    np.testing.assert_allclose(willing, [0.1 * 0.7, 0.2 * 0.7, 0.5 * 0.5, 0.5])     # sides' setback, M2 spent
    # just short of the leverage, nothing is signed
    short = Simulation(mediation_scenario(1, {**params, "leverage": 0.1301}), [np.random.default_rng(0)]).run()
    assert short.history.spans[0] == []


PEACEKEEPERS = ('[[events]]\nid = "peacekeepers"\nstep = 1\naction = "change_tie"\ntie = "M2>B"\n'
                'kind = "peacekeeping"\nweight = 1.0\nnote = "M2 posts peacekeepers"\n')


def test_a_guarantors_peacekeepers_make_a_ceasefire_hold_far_better():
    # both sides willing from the start; a breakdown hazard of 0.2 a day, which M2's peacekeepers
    # (capability 0.3, weight 1) cut by 0.9 * 0.3: about 27 % of it
    params = {**NO_BREAKDOWN, "breakdown": 0.2, "guarantee": 0.9}
    runs = 300

    def breakdowns(events):
        sim = Simulation(mediation_scenario(30, params, events, w_a=0.9, w_b=0.9),
                         [np.random.default_rng(s) for s in range(runs)]).run()
        return sim.world.breakdowns.sum()

    alone, guarded = breakdowns(""), breakdowns(PEACEKEEPERS)
    # 29 days at risk: about 0.18 a day alone against 0.14 guarded (with 1 - exp(-h)); far apart in 300 runs
    assert guarded < 0.85 * alone
    assert alone > 0
