"""Friedkin-Johnsen influence: the published SINT example, DeGroot consensus, the weights, the whole rule."""

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.world import World
from sim.rules.influence import (
    listened,
)
from sim.rules.reference import (
    friedkin_johnsen_change,
    friedkin_johnsen_fixed_point,
    influence_weights,
)
from sim.scenario import load, loads

# Parsegov et al. 2017 / the SINT package's documentation (models.md)
SINT_W = np.array([[0.5, 0.5, 0.0], [0.2, 0.6, 0.2], [0.0, 0.3, 0.7]])
SINT_LAMBDA = np.array([0.8, 0.5, 0.9])
SINT_X0 = np.array([0.0, 0.5, 1.0])
SINT_FIXED = np.array([0.3295820, 0.4943730, 0.6310289])


def actor(aid, capability=0.5, stubbornness=0.0, alignment=0.0, ceasefire=0.5):
    return (f'[[actors]]\nid = "{aid}"\nalignment = {alignment}\nceasefire = {ceasefire}\n'
            f'capability = {capability}\nstubbornness = {stubbornness}\n')


def tie(a, b, weight, kind="partnership", directed=False):
    ends = f'from = "{a}"\nto = "{b}"' if directed else f'actors = ["{a}", "{b}"]'
    return f'[[ties]]\n{ends}\nkind = "{kind}"\nweight = {weight}\n'


def scenario(actors, ties, rules='[[rules]]\nrule = "influence"\nrate = 1.0\n', steps=10, sides=("A", "B")):
    head = f'[scenario]\nname = "influence-test"\nsides = ["{sides[0]}", "{sides[1]}"]\nsteps = {steps}\n'
    return loads(head + "".join(actors) + "".join(ties) + rules)


def weights_of(scn):
    world = World.from_scenario(scn)
    top = world.topology
    return influence_weights(top.receiver, top.influencer, top.channel, world.weight, world.active,
                             world.fields["capability"])[0]


# --------------------------------------------------------------------------- closed forms

def test_sint_fixed_point_closed_form():
    x = friedkin_johnsen_fixed_point(SINT_X0, SINT_W, SINT_LAMBDA)
    np.testing.assert_allclose(x, SINT_FIXED, atol=5e-7)


def test_sint_spectral_radius_is_below_one():
    # the published 0.7211: the condition for the iteration to converge
    assert max(abs(np.linalg.eigvals(SINT_LAMBDA[:, None] * SINT_W))) == pytest.approx(0.7211, abs=5e-5)


def test_sint_iteration_converges_to_the_published_values():
    x = SINT_X0.copy()
    for _ in range(200):
        x = x + friedkin_johnsen_change(x, SINT_X0, SINT_W, SINT_LAMBDA, 1.0)
    np.testing.assert_allclose(x, SINT_FIXED, atol=5e-7)


def test_one_step_is_lambda_w_x_plus_anchor_term():
    x = np.array([0.2, -0.4, 0.9])
    expected = SINT_LAMBDA * (SINT_W @ x) + (1 - SINT_LAMBDA) * SINT_X0 - x
    np.testing.assert_allclose(friedkin_johnsen_change(x, SINT_X0, SINT_W, SINT_LAMBDA, 1.0), expected)
    np.testing.assert_allclose(friedkin_johnsen_change(x, SINT_X0, SINT_W, SINT_LAMBDA, 0.25), 0.25 * expected)


def test_damped_iteration_has_the_same_fixed_point():
    x = SINT_X0.copy()
    for _ in range(600):
        x = x + friedkin_johnsen_change(x, SINT_X0, SINT_W, SINT_LAMBDA, 0.3)
    np.testing.assert_allclose(x, SINT_FIXED, atol=5e-7)


def test_fixed_point_is_stationary():
    change = friedkin_johnsen_change(SINT_FIXED, SINT_X0, SINT_W, SINT_LAMBDA, 1.0)
    np.testing.assert_allclose(change, 0.0, atol=1e-6)


def test_degroot_consensus_two_thirds():
    w = np.array([[0.5, 0.5], [0.25, 0.75]])
    x0 = np.array([0.0, 1.0])
    x = x0.copy()
    for _ in range(200):
        x = x + friedkin_johnsen_change(x, x0, w, np.ones(2), 1.0)
    np.testing.assert_allclose(x, [2 / 3, 2 / 3], atol=1e-12)


def test_fully_stubborn_actors_stay_at_their_anchor():
    x0 = np.array([0.1, 0.6, -0.3])
    np.testing.assert_allclose(friedkin_johnsen_fixed_point(x0, SINT_W, np.zeros(3)), x0)


def test_fixed_point_batch_axis():
    anchors = np.stack([SINT_X0, 1.0 - SINT_X0])
    lam = np.stack([SINT_LAMBDA, SINT_LAMBDA])
    w = np.stack([SINT_W, SINT_W])
    out = friedkin_johnsen_fixed_point(anchors, w, lam)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0], SINT_FIXED, atol=5e-7)
    # x* is linear in x(0), and V maps the all-ones vector to itself (V is row-stochastic)
    np.testing.assert_allclose(out[1], 1.0 - SINT_FIXED, atol=5e-7)
    change = friedkin_johnsen_change(anchors, anchors, w, lam, 1.0)
    assert change.shape == (2, 3)
    np.testing.assert_allclose(change[0], friedkin_johnsen_change(SINT_X0, SINT_X0, SINT_W, SINT_LAMBDA, 1.0))


# -------------------------------------------------------------------------- influence_weights

def test_weights_are_row_stochastic_and_capability_weighted():
    scn = scenario([actor("A", 0.6), actor("B", 0.4), actor("C", 0.2)],
                   [tie("A", "B", 1.0), tie("B", "C", 1.0), tie("A", "C", 0.5)])
    w = weights_of(scn)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    # A hears B (1 * 0.4) and C (0.5 * 0.2): 0.8, 0.2; B hears A (0.6) and C (0.2): 0.75, 0.25;
    # C hears A (0.5 * 0.6) and B (1 * 0.4): 3/7, 4/7
    np.testing.assert_allclose(w, [[0.0, 0.8, 0.2], [0.75, 0.0, 0.25], [3 / 7, 4 / 7, 0.0]])


def test_negative_ties_are_ignored():
    scn = scenario([actor("A", 0.5), actor("B", 0.5), actor("C", 0.5)],
                   [tie("A", "B", -0.8, "hostility"), tie("A", "C", 0.4), tie("B", "C", 0.4)])
    w = weights_of(scn)
    assert w[0, 1] == 0.0 and w[1, 0] == 0.0
    np.testing.assert_allclose(w, [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])


def test_directed_tie_influences_only_its_target():
    scn = scenario([actor("A", 0.5), actor("B", 0.5), actor("C", 0.5)],
                   [tie("A", "B", 0.7, "mediation", directed=True)])
    w = weights_of(scn)
    assert w[1, 0] == 1.0   # B listens to A
    assert w[0, 1] == 0.0   # A does not listen to B
    np.testing.assert_array_equal(w, [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def test_symmetric_tie_influences_both_ways():
    scn = scenario([actor("A", 0.3), actor("B", 0.9)], [tie("B", "A", 0.5)])
    np.testing.assert_array_equal(weights_of(scn), [[0.0, 1.0], [1.0, 0.0]])


def test_actor_without_influencer_keeps_its_own_stance():
    scn = scenario([actor("A"), actor("B"), actor("C")], [tie("A", "B", 0.5)])
    w = weights_of(scn)
    assert w[2, 2] == 1.0
    assert w[2, :2].tolist() == [0.0, 0.0]


def test_removed_tie_no_longer_influences():
    scn = scenario([actor("A"), actor("B"), actor("C")], [tie("A", "B", 0.5), tie("B", "C", 0.5)])
    world = World.from_scenario(scn, runs=2)
    world.active[1, 0] = False  # the A-B tie of run 1 is out of place
    top = world.topology
    w = influence_weights(top.receiver, top.influencer, top.channel, world.weight, world.active,
                          world.fields["capability"])
    assert w.shape == (2, 3, 3)
    np.testing.assert_allclose(w[0], [[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    np.testing.assert_allclose(w[1], [[1, 0, 0], [0, 0, 1], [0, 1, 0]])


# ------------------------------------------------------------------------------- the rule

def tiny_fj_scenario(rate, steps):
    actors = [actor("A", capability=0.5, stubbornness=0.2, alignment=-1.0, ceasefire=0.1),
              actor("B", capability=1.0, stubbornness=0.6, alignment=1.0, ceasefire=0.9),
              actor("C", capability=0.25, stubbornness=0.3, alignment=0.2, ceasefire=0.5)]
    ties = [tie("A", "B", 0.5), tie("B", "C", 1.0), tie("C", "A", -0.5, "rivalry")]
    return scenario(actors, ties, f'[[rules]]\nrule = "influence"\nrate = {rate}\n', steps=steps)


def test_rule_converges_to_the_closed_form_fixed_point():
    scn = tiny_fj_scenario(rate=1.0, steps=150)
    # By hand: A hears only B (the C tie is hostile); B hears A (0.5 * 0.5) and C (1 * 0.25) equally;
    # C hears only B.
    w = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])
    lam = 1.0 - np.array([0.2, 0.6, 0.3])
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    for field in ("alignment", "ceasefire"):
        x0 = np.array([getattr(scn.actor(a), field) for a in ("A", "B", "C")])
        expected = np.linalg.solve(np.eye(3) - lam[:, None] * w, (1 - lam) * x0)
        np.testing.assert_allclose(sim.world.fields[field][0], expected, atol=1e-10)
        np.testing.assert_allclose(friedkin_johnsen_fixed_point(x0, w, lam), expected, atol=1e-12)


def test_rule_first_step_is_one_friedkin_johnsen_step():
    scn = tiny_fj_scenario(rate=1.0, steps=1)
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    w = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])
    lam = np.array([0.8, 0.4, 0.7])
    x0 = np.array([-1.0, 1.0, 0.2])
    # x(1) = Lambda W x(0) + (I - Lambda) x(0)
    np.testing.assert_allclose(sim.world.fields["alignment"][0], lam * (w @ x0) + (1 - lam) * x0)


def test_damped_rule_has_the_same_fixed_point():
    fast = Simulation(tiny_fj_scenario(rate=1.0, steps=150), [np.random.default_rng(0)]).run()
    slow = Simulation(tiny_fj_scenario(rate=0.4, steps=400), [np.random.default_rng(0)]).run()
    np.testing.assert_allclose(slow.world.fields["alignment"], fast.world.fields["alignment"], atol=1e-9)


def test_rule_moves_only_the_chosen_fields():
    scn = scenario([actor("A", alignment=-1.0, ceasefire=0.1), actor("B", alignment=1.0, ceasefire=0.9)],
                   [tie("A", "B", 1.0)], '[[rules]]\nrule = "influence"\nfields = ["alignment"]\n', steps=3)
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    np.testing.assert_array_equal(sim.world.fields["ceasefire"][0], [0.1, 0.9])
    assert sim.world.fields["alignment"][0, 0] > -1.0


def test_listened_over_the_ties_is_w_times_x():
    world = World.from_scenario(load("baseline"), runs=3)
    rng = np.random.default_rng(4)
    world.weight = world.weight * rng.uniform(0.2, 1.5, world.weight.shape)
    world.active[1, :5] = False
    capability = rng.uniform(0.1, 1.0, world.fields["capability"].shape)
    x = rng.uniform(-1, 1, capability.shape)
    top = world.topology
    w = influence_weights(top.receiver, top.influencer, top.channel, world.weight, world.active, capability)
    np.testing.assert_allclose(listened(x, top.receiver, top.influencer, top.channel, world.weight, world.active,
                                        capability), np.einsum("rij,rj->ri", w, x), atol=1e-12)
