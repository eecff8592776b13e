"""Richardson's arms race: the equilibrium, convergence and divergence, the floor at 0, the extra terms."""

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.world import World
from sim.rules.escalation import Escalation, richardson_change
from sim.rules.reference import richardson_equilibrium
from sim.scenario import loads


def pair(values):
    return f"[{values[0]}, {values[1]}]"


def race(defense, fatigue, grievance, start=(0.0, 0.0), dt=1.0, steps=50, extra="", outsiders=""):
    """Two sides A and B (and any ``outsiders`` text), only the escalation rule."""
    text = f"""
[scenario]
name = "race"
sides = ["A", "B"]
steps = {steps}

[[actors]]
id = "A"
alignment = -1.0
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5
intensity = {start[0]}

[[actors]]
id = "B"
alignment = 1.0
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5
intensity = {start[1]}
{outsiders}
[[rules]]
rule = "escalation"
defense = {pair(defense)}
fatigue = {pair(fatigue)}
grievance = {pair(grievance)}
dt = {dt}
{extra}
"""
    return loads(text)


def intensities(scn, seed=0):
    sim = Simulation(scn, [np.random.default_rng(seed)]).run()
    return sim, sim.history.array("fields")[:, 0, 4, :]  # (steps + 1, actors): intensity is field 4


# ----------------------------------------------------------------------------- equilibrium

def test_worked_example_equilibrium():
    # a = b = 1, k = l = 0.5, g = h = 1 gives x* = y* = 2 (models.md)
    assert richardson_equilibrium((0.5, 0.5), (1.0, 1.0), (1.0, 1.0)) == pytest.approx((2.0, 2.0))


@pytest.mark.parametrize("k, l, a, b, g, h", [
    (0.1, 0.3, 0.5, 0.4, 0.2, 0.05),
    (0.6, 0.2, 1.0, 0.7, 0.0, 0.3),
    (0.6, 0.6, 0.5, 0.5, 0.1, 0.1),   # unstable: the fixed point still exists (here negative)
])
def test_general_equilibrium_formula(k, l, a, b, g, h):
    x, y = richardson_equilibrium((k, l), (a, b), (g, h))
    det = a * b - k * l
    assert x == pytest.approx((b * g + k * h) / det)
    assert y == pytest.approx((a * h + l * g) / det)
    # and the Euler step leaves it where it is
    dx, dy = richardson_change(np.array(x), np.array(y), (k, l), (a, b), (g, h), 0.7)
    assert dx == pytest.approx(0.0, abs=1e-12) and dy == pytest.approx(0.0, abs=1e-12)


def test_change_by_hand():
    dx, dy = richardson_change(np.array([1.0, 2.0]), np.array([0.5, 0.0]), (0.2, 0.4), (0.3, 0.1),
                               (np.array([0.1, 0.2]), 0.05), 0.5)
    # dx = 0.5 (0.2 y - 0.3 x + g), dy = 0.5 (0.4 x - 0.1 y + 0.05)
    np.testing.assert_allclose(dx, [0.5 * (0.1 - 0.3 + 0.1), 0.5 * (0.0 - 0.6 + 0.2)])
    np.testing.assert_allclose(dy, [0.5 * (0.4 - 0.05 + 0.05), 0.5 * (0.8 - 0.0 + 0.05)])


# --------------------------------------------------------------------------- the dynamics

def test_worked_example_converges_to_its_equilibrium():
    _, x = intensities(race((0.5, 0.5), (1.0, 1.0), (1.0, 1.0), start=(0.0, 3.0), steps=80))
    np.testing.assert_allclose(x[-1], [2.0, 2.0], atol=1e-10)


@pytest.mark.parametrize("k, l, a, b, g, h, dt", [
    (0.1, 0.3, 0.5, 0.4, 0.2, 0.05, 1.0),
    (0.6, 0.2, 1.0, 0.7, 0.1, 0.3, 0.5),
])
def test_stable_race_converges_when_fatigue_outweighs_reaction(k, l, a, b, g, h, dt):
    assert a * b > k * l
    expected = richardson_equilibrium((k, l), (a, b), (g, h))
    _, x = intensities(race((k, l), (a, b), (g, h), start=(1.5, 0.2), dt=dt, steps=250))
    np.testing.assert_allclose(x[-1], expected, atol=1e-8)


def test_unstable_race_runs_away():
    # a = b = 0.5, k = l = 0.6: eigenvalues 0.1 and -1.1, the race grows without bound
    _, x = intensities(race((0.6, 0.6), (0.5, 0.5), (0.1, 0.1), start=(1.0, 1.0), steps=100))
    assert np.all(np.diff(x, axis=0) > 0)
    assert np.all(x[-1] > 1e3)


def test_intensities_never_negative():
    # a negative grievance drives both sides toward disarmament; the floor at 0 holds
    sim, x = intensities(race((0.1, 0.1), (0.5, 0.5), (-0.4, -0.2), start=(1.0, 0.3), steps=20))
    assert np.all(x >= 0.0)
    assert np.all(x[-1] == 0.0)
    limits = sim.history.array("contributions")[:, -1, 4]  # the "limits" source, intensity
    assert np.all(limits >= 0.0) and limits.sum() > 0.0


# ------------------------------------------------------------------------ damping and backing

OUTSIDERS = """
[[actors]]
id = "C"
alignment = -0.6
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5

[[actors]]
id = "D"
alignment = 0.5
ceasefire = 0.0
capability = 0.4
stubbornness = 0.5
"""


def one_change(extra, in_force):
    scn = race((0.2, 0.1), (0.3, 0.4), (0.5, 0.25), start=(1.0, 2.0), dt=0.5, extra=extra, outsiders=OUTSIDERS)
    world = World.from_scenario(scn)
    world.in_force[:] = in_force
    return scn.rules[0].build().propose(world, [np.random.default_rng(0)])["intensity"][0]


def test_defaults_leave_pure_richardson_whatever_the_backing_and_ceasefire():
    pure = [0.5 * (0.2 * 2.0 - 0.3 * 1.0 + 0.5), 0.5 * (0.1 * 1.0 - 0.4 * 2.0 + 0.25)]
    assert Escalation.params["backing"].default == 0.0
    assert Escalation.params["ceasefire_damping"].default == 0.0
    for in_force in (False, True):
        np.testing.assert_allclose(one_change("", in_force), [*pure, 0.0, 0.0])


def test_ceasefire_damping_scales_grievance_only_while_in_force():
    extra = "ceasefire_damping = 0.8"
    off = one_change(extra, False)
    on = one_change(extra, True)
    np.testing.assert_allclose(off[:2], [0.5 * (0.4 - 0.3 + 0.5), 0.5 * (0.1 - 0.8 + 0.25)])
    # in force: g becomes g * (1 - 0.8)
    np.testing.assert_allclose(on[:2], [0.5 * (0.4 - 0.3 + 0.1), 0.5 * (0.1 - 0.8 + 0.05)])


def test_backing_adds_to_each_sides_grievance():
    # outside backing: A (first side, backed by negative alignment) gets C: 0.5 * 0.6 = 0.3,
    # B gets D: 0.4 * 0.5 = 0.2
    change = one_change("backing = 0.5", False)
    np.testing.assert_allclose(change[:2], [0.5 * (0.4 - 0.3 + 0.5 + 0.5 * 0.3),
                                            0.5 * (0.1 - 0.8 + 0.25 + 0.5 * 0.2)])
    np.testing.assert_array_equal(change[2:], [0.0, 0.0])  # only the sides fight


def test_backing_shifts_the_equilibrium_as_a_larger_grievance():
    scn = race((0.2, 0.1), (0.5, 0.4), (0.1, 0.1), start=(0.0, 0.0), steps=300, extra="backing = 0.5",
               outsiders=OUTSIDERS)
    _, x = intensities(scn)
    expected = richardson_equilibrium((0.2, 0.1), (0.5, 0.4), (0.1 + 0.5 * 0.3, 0.1 + 0.5 * 0.2))
    np.testing.assert_allclose(x[-1, :2], expected, atol=1e-8)
    np.testing.assert_array_equal(x[:, 2:], 0.0)
