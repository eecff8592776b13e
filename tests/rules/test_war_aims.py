"""War aims against their closed forms, then the winner's reluctance and the loser's hurt through the engine."""

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.fields import FIELDS
from sim.rules.war_aims import aims_change, net_gain
from sim.scenario import loads

CEASEFIRE = FIELDS.index("ceasefire")


@pytest.mark.parametrize("gained, held, aim, lost, expected", [
    (0.01, 0.3, 1.0, 50.0, 0.01 - 0.04 * 0.05),      # gaining toward its aim, less the price of its dead
    (0.01, 0.6, 0.6, 50.0, -0.04 * 0.05),            # at its aim: more ground is worth nothing
    (-0.01, 0.7, 1.0, 80.0, -0.01 - 0.04 * 0.08),    # losing ground and men
])
def test_net_gain_by_hand(gained, held, aim, lost, expected):
    assert net_gain(gained, held, aim, lost, 0.04) == pytest.approx(expected)


@pytest.mark.parametrize("gain", [0.004, -0.004, 0.05, -0.05])       # rate * |g| of 0.2 and 2.5 a day
def test_willingness_follows_its_closed_form_under_a_steady_gain(gain):
    w0, rate, days = 0.4, 50.0, 30
    w = [w0]
    for _ in range(days):
        w.append(w[-1] + aims_change(w[-1], gain, rate))
    t = np.arange(days + 1)
    expected = w0 * np.exp(-rate * gain * t) if gain > 0 else 1 - (1 - w0) * np.exp(rate * gain * t)
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    assert all(0.0 <= x <= 1.0 for x in w)               # however fast, never past 0 or 1: nothing to clip


def scenario(rules, steps=20):
    """Sides A (holding the whole area, weaker) and B (three times A's fire per soldier), both at 0.5."""
    actors = "".join(
        f'[[actors]]\nid = "{aid}"\nalignment = 0.0\nceasefire = 0.5\ncapability = {cap}\nstubbornness = 0.5\n'
        f'intensity = 1.0\nterritory = {held}\n' for aid, cap, held in (("A", 0.2, 1.0), ("B", 0.6, 0.0)))
    return loads(f'[scenario]\nname = "aims-test"\nsides = ["A", "B"]\nsteps = {steps}\n' + actors
                 + '[[ties]]\nactors = ["A", "B"]\nkind = "hostility"\nweight = -1.0\n' + rules)


BATTLE = '[[rules]]\nrule = "battlefield"\nforces = [10000, 10000]\nlethality = 0.001\ndefence = 1.5\n'


def test_the_winner_turns_from_a_ceasefire_and_the_loser_toward_one():
    sim = Simulation(scenario(BATTLE + '[[rules]]\nrule = "war_aims"\nprice = 0.01\nrate = 40.0\n'),
                     [np.random.default_rng(0)]).run()
    willing = sim.history.array("fields")[:, 0, CEASEFIRE, :2]
    assert np.all(willing[1] == 0.5)               # no expectation before the first day of battle
    assert np.all(np.diff(willing[1:, 0]) > 0)     # A loses ground and men: hurt
    assert np.all(np.diff(willing[1:, 1]) < 0)     # B gains toward its aim: reluctant


def test_a_costly_advance_toward_a_near_aim_ripens_the_winner():
    # B's aim is a tenth of the area: once it holds it, it only pays, and turns toward a ceasefire
    sim = Simulation(scenario(BATTLE + '[[rules]]\nrule = "war_aims"\naims = [1.0, 0.1]\nprice = 0.01\n'
                              'rate = 40.0\n', steps=40), [np.random.default_rng(0)]).run()
    fields = sim.history.array("fields")[:, 0]
    reached = int(np.argmax(fields[:, FIELDS.index("territory"), 1] >= 0.1))
    assert 0 < reached < 40
    willing = fields[:, CEASEFIRE, 1]
    assert willing[reached] < 0.5 and np.all(np.diff(willing[reached + 1:]) > 0)


def test_without_a_battlefield_war_aims_move_nothing():
    sim = Simulation(scenario('[[rules]]\nrule = "war_aims"\nrate = 40.0\n'), [np.random.default_rng(0)]).run()
    np.testing.assert_array_equal(sim.history.array("fields")[:, 0, CEASEFIRE], 0.5)
