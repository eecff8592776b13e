"""Noise: Gaussian shocks of the declared size, on the chosen fields and actors only."""

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.world import World
from sim.scenario import loads


def noise_scenario(rule_lines, steps=1):
    text = '[scenario]\nname = "noise-test"\nsides = ["A", "B"]\nsteps = %d\n' % steps
    for aid in ("A", "B", "C", "D"):
        intensity = 5.0 if aid in ("A", "B") else 0.0
        text += (f'[[actors]]\nid = "{aid}"\nalignment = 0.0\nceasefire = 0.5\ncapability = 0.5\n'
                 f'stubbornness = 0.5\nintensity = {intensity}\n')
    return loads(text + '[[rules]]\nrule = "noise"\n' + rule_lines)


def proposals(scn, draws, seed):
    """``draws`` proposals from one run's generator (the world is not changed between them)."""
    rule = scn.rules[0].build()
    world = World.from_scenario(scn)
    rngs = [np.random.default_rng(seed)]
    return [rule.propose(world, rngs) for _ in range(draws)]


@pytest.mark.parametrize("sigma", [0.01, 0.3])
def test_shocks_have_the_declared_sigma(sigma):
    scn = noise_scenario(f'fields = ["alignment", "ceasefire", "intensity"]\nsigma = {sigma}\n')
    out = proposals(scn, 10_000, seed=1)
    for field in ("alignment", "ceasefire", "intensity"):
        shocks = np.concatenate([p[field][0] for p in out])          # 40 000 draws
        n = len(shocks)
        # the sample sd of n normal draws has a standard error of sigma / sqrt(2 n) (0.35 % here): allow 4
        assert shocks.std() == pytest.approx(sigma, rel=4 / np.sqrt(2 * n))
        # and their mean is within 4 standard errors (sigma / sqrt(n)) of 0
        assert abs(shocks.mean()) < 4 * sigma / np.sqrt(n)


def test_fields_and_actors_not_chosen_are_not_perturbed():
    scn = noise_scenario('fields = ["ceasefire"]\nsigma = 0.2\nactors = ["B", "D"]\n')
    for p in proposals(scn, 50, seed=2):
        assert set(p) == {"ceasefire"}
        change = p["ceasefire"][0]
        assert change[0] == 0.0 and change[2] == 0.0          # A and C untouched
        assert change[1] != 0.0 and change[3] != 0.0          # B and D shaken


def test_default_perturbs_every_actors_alignment_only():
    scn = noise_scenario("")
    assert scn.rules[0].params["sigma"] == 0.01
    out = proposals(scn, 1, seed=3)[0]
    assert set(out) == {"alignment"}
    assert np.all(out["alignment"] != 0.0)


def test_draws_do_not_depend_on_the_chosen_actors():
    # the stream is the same whoever is perturbed, so restricting actors leaves the others' shocks as they were
    every = proposals(noise_scenario("sigma = 0.1\n"), 5, seed=4)
    some = proposals(noise_scenario('sigma = 0.1\nactors = ["C"]\n'), 5, seed=4)
    for a, b in zip(every, some):
        assert b["alignment"][0, 2] == a["alignment"][0, 2]


def test_run_stays_within_ranges_and_only_sides_fight():
    scn = noise_scenario('fields = ["alignment", "ceasefire", "intensity"]\nsigma = 0.5\n', steps=30)
    sim = Simulation(scn, [np.random.default_rng(5)]).run()
    fields = sim.history.array("fields")[:, 0]            # (steps, fields, actors)
    assert fields[:, 0].min() >= -1.0 and fields[:, 0].max() <= 1.0
    assert fields[:, 1].min() >= 0.0 and fields[:, 1].max() <= 1.0
    np.testing.assert_array_equal(fields[:, 4, 2:], 0.0)  # C and D are not belligerents
    assert (fields[:, 4, :2] != 5.0).any()


def test_each_run_draws_its_own_shocks():
    scn = noise_scenario("sigma = 0.1\n")
    world = World.from_scenario(scn, runs=3)
    rule = scn.rules[0].build()
    batch = rule.propose(world, [np.random.default_rng(s) for s in (7, 8, 7)])["alignment"]
    np.testing.assert_array_equal(batch[0], batch[2])
    assert not np.array_equal(batch[0], batch[1])
    alone = rule.propose(World.from_scenario(scn), [np.random.default_rng(8)])["alignment"]
    np.testing.assert_array_equal(alone[0], batch[1])
