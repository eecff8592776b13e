"""Alliance pull: hand-computed single steps of alliance_change and of the rule."""

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.world import World
from sim.rules.alliance import alliance_bonds, alliance_change
from sim.scenario import loads


def test_alliance_change_by_hand():
    alignment = np.array([[-1.0, 1.0, 0.1]])
    bond = np.array([[[0.0, 0.0], [0.0, 0.0], [0.8, 0.2]]])
    intensity = np.array([[1.0, 3.0]])
    # urgency 1/(1+1) = 0.5 and 3/(3+1) = 0.75:
    # 0.1 * (0.8 * 0.5 * (-1 - 0.1) + 0.2 * 0.75 * (1 - 0.1)) = 0.1 * (-0.44 + 0.135)
    np.testing.assert_allclose(alliance_change(alignment, bond, intensity, 0.1, 1.0), [[0.0, 0.0, -0.0305]])


def test_pull_is_half_strength_at_intensity_half():
    change = alliance_change(np.array([[0.0]]), np.array([[[0.0, 1.0]]]), np.array([[0.0, 2.0]]), 1.0, 2.0)
    assert change[0, 0] == pytest.approx(0.5)   # (2 / (2 + 2)) * (1 - 0)
    strong = alliance_change(np.array([[0.0]]), np.array([[[0.0, 1.0]]]), np.array([[0.0, 1e9]]), 1.0, 2.0)
    assert strong[0, 0] == pytest.approx(1.0)   # saturates at the full gap


def test_no_fighting_no_pull():
    change = alliance_change(np.array([[0.3, -0.2]]), np.array([[[1.0, 1.0], [0.5, 0.0]]]), np.zeros((1, 2)), 0.2,
                             1.0)
    np.testing.assert_array_equal(change, [[0.0, 0.0]])


def test_alliance_bonds_only_pulling_friendly_ties_in_place():
    # sides 0 and 1; ties 2-0 support 0.6 (pulls), 1-3 alliance -0.4 (hostile), 2-1 not in place, 0-1 (the sides)
    source, target = np.array([2, 1, 2, 0]), np.array([0, 3, 1, 1])
    weight = np.array([[0.6, -0.4, 0.9, 0.7]])
    active = np.array([[True, True, False, True]])
    pulls = np.array([[True, True, True, True]])
    bond = alliance_bonds(weight, active, pulls, source, target, (0, 1), 4)
    np.testing.assert_array_equal(bond[0], [[0.0, 0.0], [0.0, 0.0], [0.6, 0.0], [0.0, 0.0]])
    no_pull = alliance_bonds(weight, active, np.zeros((1, 4), bool), source, target, (0, 1), 4)
    np.testing.assert_array_equal(no_pull, 0.0)


def test_alliance_change_batch():
    alignment = np.array([[0.0, 0.5], [0.0, -0.5]])
    bond = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])
    intensity = np.array([[1.0, 1.0], [3.0, 0.0]])
    out = alliance_change(alignment, bond, intensity, 1.0, 1.0)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[0.5 * -1.0, 0.5 * 0.5], [0.75 * -1.0, 0.0]])


SCENARIO = """
[scenario]
name = "alliance-test"
sides = ["A", "B"]
steps = 1

[[actors]]
id = "A"
alignment = -1.0
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5
intensity = 1.0

[[actors]]
id = "B"
alignment = 1.0
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5
intensity = 3.0

[[actors]]
id = "C"
alignment = 0.0
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5

[[actors]]
id = "D"
alignment = 0.2
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5

[[actors]]
id = "E"
alignment = 0.4
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5

[[actors]]
id = "F"
alignment = -0.4
ceasefire = 0.0
capability = 0.5
stubbornness = 0.5

[[ties]]
actors = ["A", "B"]
kind = "alliance"        # even allied, the sides themselves are not pulled
weight = 0.5

[[ties]]
actors = ["C", "A"]
kind = "alliance"
weight = 0.8

[[ties]]
from = "B"
to = "D"
kind = "support"
weight = 0.5

[[ties]]
actors = ["D", "A"]
kind = "support"
weight = -0.6           # a hostile support tie does not pull

[[ties]]
actors = ["E", "A"]
kind = "partnership"    # not one of the pulling kinds
weight = 0.9

[[ties]]
actors = ["F", "A"]
kind = "alliance"
weight = 0.5

[[ties]]
actors = ["F", "B"]
kind = "support"
weight = 1.0

[[rules]]
rule = "alliance"
rate = 0.1
half = 1.0
"""


def test_rule_single_step_by_hand():
    scn = loads(SCENARIO)
    world = World.from_scenario(scn)
    change = scn.rules[0].build().propose(world, [np.random.default_rng(0)])["alignment"][0]
    u_a, u_b = 1.0 / 2.0, 3.0 / 4.0
    expected = [
        0.0,                                    # A: a side
        0.0,                                    # B: a side
        0.1 * 0.8 * u_a * (-1.0 - 0.0),         # C: allied with A
        0.1 * 0.5 * u_b * (1.0 - 0.2),          # D: supported by B (directed ties count too)
        0.0,                                    # E: partnership does not pull
        0.1 * (0.5 * u_a * (-1.0 + 0.4) + 1.0 * u_b * (1.0 + 0.4)),   # F: pulled both ways
    ]
    np.testing.assert_allclose(change, expected)


def test_rule_kinds_parameter_chooses_the_pulling_ties():
    scn = loads(SCENARIO.replace('rate = 0.1', 'rate = 0.1\nkinds = ["partnership"]'))
    change = scn.rules[0].build().propose(World.from_scenario(scn), [np.random.default_rng(0)])["alignment"][0]
    expected = np.zeros(6)
    expected[4] = 0.1 * 0.9 * 0.5 * (-1.0 - 0.4)
    np.testing.assert_allclose(change, expected)


def test_rule_ally_drifts_toward_its_side_over_time():
    scn = loads(SCENARIO.replace("steps = 1", "steps = 200"))
    sim = Simulation(scn, [np.random.default_rng(0)]).run()
    c = sim.history.array("fields")[:, 0, 0, 2]  # C's alignment
    assert np.all(np.diff(c) < 0)
    assert c[-1] == pytest.approx(-1.0, abs=1e-3)
    assert np.all(c >= -1.0)
