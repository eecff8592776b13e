"""The battlefield against Lanchester's closed forms and the force-ratio advance, then through the engine."""

import math

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.fields import FIELDS
from sim.rules.battlefield import (
    advance_rate,
    battle_day,
    lanchester_losses,
    military_support,
)
from sim.rules.reference import (
    lanchester_continuous,
    lanchester_daily,
    lanchester_survivors,
)
from sim.scenario import loads

TERRITORY, LOSSES = FIELDS.index("territory"), FIELDS.index("losses")

# ------------------------------------------------------------------------------- the functions


def lanchester_days(a0, b0, fire, lethality, days):
    """Strengths of two sides after each of ``days`` days of `battle_day` with no advance and no defender's
    advantage (pure Lanchester aimed fire)."""
    strength, out = (a0, b0), [(a0, b0)]
    for _ in range(days):
        loss_a, loss_b, gain = battle_day(strength, fire, (0.5, 0.5), lethality, 1.0, 0.0, 0.0)
        assert gain == 0.0
        strength = (max(strength[0] - loss_a, 0.0), max(strength[1] - loss_b, 0.0))   # as the rule counts them
        out.append(strength)
    return np.array(out)


def test_a_day_of_lanchester_fire_by_hand():
    # A (1000 soldiers, fire 0.5 each) and B (800, fire 1.0), lethality 0.01; B defends with advantage 2
    assert lanchester_losses((1000.0, 800.0), (0.5, 1.0), 0.01, (1.0, 2.0)) == pytest.approx((16.0, 5.0))


def test_daily_steps_are_the_exact_discrete_solution_of_the_square_law():
    a0, b0, fire, lethality = 5000.0, 4000.0, (0.8, 1.1), 0.002
    got = lanchester_days(a0, b0, fire, lethality, 60)
    # alpha: A's losses per B soldier, beta: B's per A soldier
    expected = lanchester_daily(a0, b0, lethality * fire[1], lethality * fire[0], np.arange(61))
    np.testing.assert_allclose(got, np.stack(expected, axis=1), rtol=1e-10)


def test_small_daily_steps_follow_lanchesters_continuous_solution():
    """A day is a small step when k = sqrt(alpha beta) is small (the error grows as k^2 t)."""
    a0, b0, fire, lethality = 5000.0, 4000.0, (0.8, 1.1), 0.0002
    got = lanchester_days(a0, b0, fire, lethality, 200)
    expected = lanchester_continuous(a0, b0, lethality * fire[1], lethality * fire[0], np.arange(201))
    np.testing.assert_allclose(got, np.stack(expected, axis=1), rtol=2e-3)


def test_the_square_law_decides_who_wins_and_what_the_winner_keeps():
    """Double the numbers beat double the fire per soldier."""
    a0, b0, fire, lethality = 2000.0, 1000.0, (1.0, 2.0), 0.001     # B fires twice as well, A has twice as many
    got = lanchester_days(a0, b0, fire, lethality, 1000)
    b_gone = int(np.argmax(got[:, 1] <= 0))
    assert b_gone > 0, "B is worn out"
    survivor = lanchester_survivors(a0, b0, lethality * fire[1], lethality * fire[0])
    assert survivor == pytest.approx(math.sqrt(2000.0 ** 2 - 2 * 1000.0 ** 2))
    assert got[b_gone, 0] == pytest.approx(survivor, rel=0.02)
    # four times the fire per soldier against twice the numbers is a draw; five times and B wins
    assert lanchester_survivors(a0, b0, lethality * 4.0, lethality * 1.0) == 0.0
    assert lanchester_survivors(a0, b0, lethality * 5.0, lethality * 1.0) == pytest.approx(-math.sqrt(1e6 - 4e6 / 5))


@pytest.mark.parametrize("attack, defend, defence, expected", [
    (3.0, 1.0, 1.0, 0.1 * 2.0 / 4.0),      # R = 3: (R - 1) / (R + 1) of the pace of a rout
    (3.0, 1.0, 1.5, 0.1 * 1.0 / 3.0),      # the defender's advantage: R = 3 / 1.5 = 2
    (3.0, 1.0, 3.0, 0.0),                  # three to one against an advantage of three: no advance
    (1.0, 0.0, 2.0, 0.1),                  # nobody defends: a rout
])
def test_the_advance_grows_with_the_force_ratio_beyond_the_defenders_advantage(attack, defend, defence, expected):
    assert advance_rate(attack, defend, defence, 0.1) == pytest.approx(expected)


def test_the_stronger_side_attacks_against_an_advantage_that_grows_with_depth_and_takes_no_more_than_is_held():
    # B's fire (1000 * 0.9) is three times A's (1000 * 0.3); A defends with 2 * (1 + 1 * 0.25), B holds 0.25
    loss_a, loss_b, gain_a = battle_day((1000.0, 1000.0), (0.3, 0.9), (0.75, 0.25), 0.01, 2.0, 1.0, 0.1)
    ratio = 900.0 / (2.5 * 300.0)
    assert gain_a == pytest.approx(-0.1 * (ratio - 1) / (ratio + 1))      # A gives up ground
    assert (loss_a, loss_b) == pytest.approx((0.01 * 900.0, 0.01 * 2.5 * 300.0))
    # a stronger side that holds the whole area defends it: the weaker attacks into its advantage of 2 * (1 + 0)
    loss_a, loss_b, gain_a = battle_day((1000.0, 1000.0), (0.9, 0.3), (1.0, 0.0), 0.01, 2.0, 1.0, 0.1)
    assert gain_a == 0.0 and (loss_a, loss_b) == pytest.approx((0.01 * 300.0, 0.01 * 2.0 * 900.0))
    # a rout takes what is left, no more
    assert battle_day((1000.0, 1000.0), (0.0, 1.0), (0.03, 0.97), 0.01, 2.0, 0.0, 0.1)[2] == pytest.approx(-0.03)


def test_military_support_comes_from_the_armourers_of_each_side():
    alignment = np.array([[-1.0, 1.0, 0.9, -0.4, 0.5]])
    capability = np.array([[0.3, 0.3, 0.6, 0.9, 0.5]])
    bond = np.zeros((1, 5, 2))
    bond[0, 2, 1] = 0.9       # actor 2 (aligned +0.9) supports side 1
    bond[0, 3, 0] = 0.8       # actor 3 (aligned -0.4) supports side 0
    bond[0, 4, 0] = 1.0       # actor 4 is tied to side 0 but backs the other side: no support to side 0
    np.testing.assert_allclose(military_support(alignment, capability, bond), [[0.8 * 0.9 * 0.4, 0.9 * 0.6 * 0.9]])


# ------------------------------------------------------------------------------ the rule

def side(aid, capability, intensity, territory):
    return (f'[[actors]]\nid = "{aid}"\nalignment = 0.0\nceasefire = 0.0\ncapability = {capability}\n'
            f'stubbornness = 0.5\nintensity = {intensity}\nterritory = {territory}\n')


def battlefield_scenario(steps, extra="", params="", armourer_weight=None):
    """Sides A (holding the whole area) and B (three times A's fire per soldier); C may arm A."""
    text = (f'[scenario]\nname = "battle-test"\nsides = ["A", "B"]\nsteps = {steps}\n'
            + side("A", 0.2, 1.0, 1.0) + side("B", 0.6, 1.0, 0.0)
            + '[[actors]]\nid = "C"\nalignment = -1.0\nceasefire = 0.0\ncapability = 1.0\nstubbornness = 1.0\n'
            + '[[ties]]\nactors = ["A", "B"]\nkind = "hostility"\nweight = -1.0\n'
            + (f'[[ties]]\nactors = ["C", "A"]\nkind = "support"\nweight = {armourer_weight}\n'
               if armourer_weight is not None else "")
            + '[[rules]]\nrule = "battlefield"\nforces = [10000, 10000]\nlethality = 0.001\ndefence = 1.5\n'
            + 'advance = 0.05\n' + params + extra)
    return loads(text)


def run(scenario, seeds=(0,)):
    return Simulation(scenario, [np.random.default_rng(s) for s in seeds]).run()


def test_what_one_side_takes_the_other_loses_and_losses_only_grow():
    sim = run(battlefield_scenario(40))
    fields = sim.history.array("fields")[:, 0]
    held = fields[:, TERRITORY, :2]
    np.testing.assert_allclose(held.sum(axis=1), 1.0)
    assert held[-1, 1] > 0.3 and np.all(np.diff(held[:, 1]) >= 0)           # B advances
    assert np.all(np.diff(fields[:, LOSSES, :2], axis=0) >= 0)
    np.testing.assert_array_equal(fields[:, [TERRITORY, LOSSES], 2], 0.0)    # C does not fight
    # every day's change is the battlefield's contribution
    contributions = sim.history.array("contributions")[1:, :, :, 0, :]
    moved = np.diff(sim.history.array("fields")[:, 0], axis=0)
    np.testing.assert_allclose(contributions.sum(axis=1)[:, [TERRITORY, LOSSES]], moved[:, [TERRITORY, LOSSES]],
                               atol=1e-9)


def test_the_first_day_is_the_closed_form():
    sim = run(battlefield_scenario(1))
    fields = sim.history.array("fields")[1, 0]
    fire_a, fire_b = 10000 * 0.2, 10000 * 0.6               # B attacks; A defends with 1.5
    ratio = fire_b / (1.5 * fire_a)
    assert fields[TERRITORY, 1] == pytest.approx(0.05 * (ratio - 1) / (ratio + 1))
    assert fields[LOSSES, :2] == pytest.approx([0.001 * fire_b, 0.001 * 1.5 * fire_a])


def test_outside_arms_slow_the_advance():
    bare = run(battlefield_scenario(30)).world.fields["territory"][0, 1]
    armed = run(battlefield_scenario(30, armourer_weight=0.5)).world.fields["territory"][0, 1]
    assert armed < bare


def test_nothing_moves_in_a_ceasefire_but_the_sides_still_see_what_fighting_on_would_bring():
    truce = ('[[events]]\nid = "truce"\nstep = 5\naction = "declare_ceasefire"\nnote = "truce"\n'
             '[[events]]\nid = "over"\nstep = 10\naction = "end_ceasefire"\nnote = "over"\n')
    sim = run(battlefield_scenario(12, truce))
    fields = sim.history.array("fields")[:, 0]
    frozen = fields[5:10, [TERRITORY, LOSSES], :2]
    assert np.all(frozen == frozen[0])
    assert fields[11, TERRITORY, 1] > fields[10, TERRITORY, 1]
    front = sim.world.front[:, 0, :2]
    assert front[0, 1] > 0 > front[0, 0] and np.all(front[1] > 0)     # B would take ground, both would lose men
