"""The pure numpy measures, against hand computations, closed forms and the published worked example."""

import itertools
import math

import numpy as np
import pytest
from conftest import random_landscape

from sim.core import measures


def complete_graph(n):
    """Tie endpoints of every pair of ``n`` actors, and the triads as triples of tie indices."""
    pairs = list(itertools.combinations(range(n), 2))
    slot = {pair: k for k, pair in enumerate(pairs)}
    triads = np.array([(slot[(a, b)], slot[(a, c)], slot[(b, c)])
                       for a, b, c in itertools.combinations(range(n), 3)], dtype=np.intp)
    return pairs, triads


def sign_matrix(pairs, signs, n):
    s = np.zeros((n, n))
    for (a, b), sign in zip(pairs, signs):
        s[a, b] = s[b, a] = sign
    return s


def closed_form_balance(s):
    """(1 + tr(S^3) / (6 C(N,3))) / 2, the fraction of balanced triads of a complete signed graph."""
    n = len(s)
    return (1.0 + np.trace(s @ s @ s) / (6 * math.comb(n, 3))) / 2.0


# ------------------------------------------------------------------------------ weighted_mean

def test_weighted_mean_by_hand():
    x = np.array([1.0, -0.5, 0.25])
    w = np.array([1.0, 2.0, 4.0])
    # (1 - 1 + 1) / 7
    assert measures.weighted_mean(x, w) == pytest.approx(1.0 / 7.0)


def test_weighted_mean_equal_weights_is_the_plain_mean():
    x = np.array([0.2, 0.4, 0.9, -0.3])
    assert measures.weighted_mean(x, np.full(4, 0.3)) == pytest.approx(0.3)


def test_weighted_mean_zero_weight_actor_does_not_count():
    x = np.array([1.0, -1.0, 0.5])
    w = np.array([2.0, 0.0, 2.0])
    assert measures.weighted_mean(x, w) == pytest.approx(0.75)


def test_weighted_mean_batch():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    w = np.array([[3.0, 1.0], [3.0, 1.0], [1.0, 9.0]])
    np.testing.assert_allclose(measures.weighted_mean(x, w), [0.75, 0.25, 0.5])


# ------------------------------------------------------------------------------- polarization

def test_polarization_zero_when_all_agree():
    a = np.full(5, 0.4)
    assert measures.polarization(a, np.array([0.1, 0.5, 1.0, 0.3, 0.2])) == pytest.approx(0.0, abs=1e-15)


def test_polarization_one_for_even_split_at_the_extremes():
    a = np.array([-1.0, -1.0, 1.0, 1.0])
    c = np.array([0.3, 0.2, 0.25, 0.25])  # half the capability on each side
    assert measures.polarization(a, c) == pytest.approx(1.0)


def test_polarization_uneven_split_by_hand():
    # weights 3:1 at -1 and +1: mean -0.5, variance (3 * 0.25 + 1 * 2.25) / 4 = 0.75
    assert measures.polarization(np.array([-1.0, 1.0]), np.array([3.0, 1.0])) == pytest.approx(0.75)


def test_polarization_batch():
    a = np.array([[-1.0, 1.0], [0.3, 0.3], [-1.0, 1.0]])
    c = np.array([[1.0, 1.0], [1.0, 2.0], [3.0, 1.0]])
    np.testing.assert_allclose(measures.polarization(a, c), [1.0, 0.0, 0.75], atol=1e-15)


# ----------------------------------------------------------------------------- friendly_share

def test_friendly_share_counts_only_ties_in_place():
    weight = np.array([0.5, -0.2, 0.9, -1.0, 0.3])
    active = np.array([True, True, False, True, True])
    # in place: 0.5, -0.2, -1.0, 0.3 -> two friendly of four
    assert measures.friendly_share(weight, active) == pytest.approx(0.5)


def test_friendly_share_nan_without_ties():
    assert np.isnan(measures.friendly_share(np.array([0.5, -0.5]), np.array([False, False])))


def test_friendly_share_batch():
    weight = np.array([[0.5, 0.5, -0.5], [-0.1, -0.1, -0.1], [0.2, -0.3, 0.4]])
    active = np.array([[True, True, True], [True, True, True], [False, False, False]])
    out = measures.friendly_share(weight, active)
    assert out.shape == (3,)
    assert out[0] == pytest.approx(2 / 3)
    assert out[1] == 0.0
    assert np.isnan(out[2])


# ------------------------------------------------------------------------------ balance_index

def test_balance_index_single_triads():
    triads = np.array([[0, 1, 2]])
    active = np.ones(3, bool)
    for signs, balanced in [((1, 1, 1), 1.0), ((1, -1, -1), 1.0), ((1, 1, -1), 0.0), ((-1, -1, -1), 0.0)]:
        weight = 0.5 * np.array(signs, float)
        assert measures.balance_index(weight, active, triads) == balanced


@pytest.mark.parametrize("n, seed", [(5, 1), (8, 2), (11, 3)])
def test_balance_index_matches_closed_form_on_complete_graph(n, seed):
    rng = np.random.default_rng(seed)
    pairs, triads = complete_graph(n)
    signs = np.where(rng.random(len(pairs)) < 0.5, -1.0, 1.0)
    weight = signs * rng.uniform(0.1, 1.0, len(pairs))  # magnitudes do not matter, signs do
    expected = closed_form_balance(sign_matrix(pairs, signs, n))
    assert measures.balance_index(weight, np.ones(len(pairs), bool), triads) == pytest.approx(expected)


def test_balance_index_two_camps_is_fully_balanced():
    # Cartwright-Harary: friendly inside two groups, hostile between -> every triad balanced
    n = 7
    pairs, triads = complete_graph(n)
    camp = np.array([0, 0, 1, 1, 1, 0, 1])
    weight = np.array([1.0 if camp[a] == camp[b] else -1.0 for a, b in pairs])
    assert measures.balance_index(weight, np.ones(len(pairs), bool), triads) == 1.0


def test_balance_index_ignores_triads_with_a_missing_tie():
    pairs, triads = complete_graph(4)
    weight = np.array([1.0, 1.0, -1.0, 1.0, 1.0, 1.0])  # pair (0, 3) hostile
    active = np.ones(6, bool)
    full = measures.balance_index(weight, active, triads)
    # triads through (0,3): (0,1,3) and (0,2,3) imbalanced; the other two balanced
    assert full == pytest.approx(0.5)
    active[pairs.index((0, 3))] = False
    assert measures.balance_index(weight, active, triads) == 1.0


def test_balance_index_nan_when_no_triad_is_complete():
    pairs, triads = complete_graph(3)
    assert np.isnan(measures.balance_index(np.ones(3), np.array([True, True, False]), triads))
    assert np.isnan(measures.balance_index(np.ones(2), np.ones(2, bool), np.zeros((0, 3), np.intp)))


def test_balance_index_batch_matches_closed_form():
    n, runs = 6, 4
    rng = np.random.default_rng(7)
    pairs, triads = complete_graph(n)
    signs = np.where(rng.random((runs, len(pairs))) < 0.5, -1.0, 1.0)
    out = measures.balance_index(signs, np.ones_like(signs, bool), triads)
    assert out.shape == (runs,)
    for r in range(runs):
        assert out[r] == pytest.approx(closed_form_balance(sign_matrix(pairs, signs[r], n)))


def test_triad_signs_batch_shapes_and_values():
    triads = np.array([[0, 1, 2]])
    weight = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    active = np.array([[True, True, True], [True, False, True]])
    complete, product = measures.triad_signs(weight, active, triads)
    assert complete.shape == product.shape == (2, 1)
    assert complete.tolist() == [[True], [False]]
    assert product.tolist() == [[-1], [1]]


# ---------------------------------------------------------------------------- outside_backing

def test_outside_backing_by_hand():
    alignment = np.array([[-1.0, 1.0, -0.5, 0.8, 0.0, -0.2]])
    capability = np.array([[0.9, 0.9, 0.4, 0.5, 1.0, 0.5]])
    outsiders = np.array([False, False, True, True, True, True])
    # first side: 0.4 * 0.5 + 0.5 * 0.2 = 0.3; second side: 0.5 * 0.8 = 0.4 (the sides do not count)
    np.testing.assert_allclose(measures.outside_backing(alignment, capability, outsiders), [[0.3, 0.4]])


def test_outside_backing_batch():
    alignment = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    capability = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.25], [1.0, 1.0, 1.0]])
    outsiders = np.array([False, False, True])
    out = measures.outside_backing(alignment, capability, outsiders)
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out, [[0.0, 0.5], [0.25, 0.0], [0.0, 0.0]])


# -------------------------------------------------------------------------- landscape theory

def direct_energy(config, size, propensity):
    """E = sum over ordered pairs i != j of s_i s_j p_ij d_ij (Axelrod & Bennett 1993), by loops."""
    n = len(size)
    return sum(size[i] * size[j] * propensity[i, j] * (config[i] != config[j])
               for i in range(n) for j in range(n) if i != j)


def brute_force_minima(size, propensity):
    """Every split (actor 0 in the first coalition) where no single actor's switch lowers E."""
    n = len(size)
    found = {}
    for bits in itertools.product([False, True], repeat=n - 1):
        config = (False, *bits)
        energy = direct_energy(config, size, propensity)
        local = True
        for k in range(n):
            other = list(config)
            other[k] = not other[k]
            if direct_energy(other, size, propensity) < energy - 1e-12:
                local = False
        if local:
            found[config] = energy
    return found


def worked_example():
    size = np.ones(3)
    p = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, -1.0], [-1.0, -1.0, 0.0]])  # A, B, C
    return size, p


def test_landscape_energy_worked_example_every_split():
    size, p = worked_example()
    affinity = np.outer(size, size) * p
    configs = np.array([[False, False, False], [False, False, True], [False, True, False], [False, True, True]])
    # {A,B,C}: 0; {A,B} vs {C}: -4; {A,C} vs {B}: 0; {A} vs {B,C}: 0
    np.testing.assert_allclose(measures.landscape_energy(configs, affinity), [0.0, -4.0, 0.0, 0.0], atol=1e-12)


def test_landscape_minima_worked_example():
    size, p = worked_example()
    minima = measures.landscape_minima(size, p)
    assert len(minima) == 1
    in_second, energy = minima[0]
    assert in_second.tolist() == [False, False, True]  # {A, B} against {C}
    assert energy == pytest.approx(-4.0)


def test_landscape_energy_matches_direct_sum_and_is_symmetric_under_relabelling():
    size, p, affinity, configs = random_landscape(11, 6, 10)
    energies = measures.landscape_energy(configs, affinity)
    assert energies.shape == (10,)
    for config, energy in zip(configs, energies):
        assert energy == pytest.approx(direct_energy(config, size, p))
    # swapping the names of the two coalitions changes nothing
    np.testing.assert_allclose(measures.landscape_energy(~configs, affinity), energies)


def test_switch_gains_are_energy_differences():
    n = 5
    size, p, affinity, configs = random_landscape(12, n, 6)
    gains = measures.switch_gains(configs, affinity)
    assert gains.shape == (6, n)
    for config, row in zip(configs, gains):
        for k in range(n):
            other = config.copy()
            other[k] = ~other[k]
            assert row[k] == pytest.approx(direct_energy(other, size, p) - direct_energy(config, size, p))


@pytest.mark.parametrize("seed", [3, 4])
def test_landscape_minima_exhaustive_matches_brute_force(seed):
    size, p, _, _ = random_landscape(seed, 7, biggest=1.0)
    expected = brute_force_minima(size, p)
    minima = measures.landscape_minima(size, p)
    got = {tuple(bool(v) for v in config): energy for config, energy in minima}
    assert set(got) == set(expected)
    for config, energy in got.items():
        assert energy == pytest.approx(expected[config])
    energies = [energy for _, energy in minima]
    assert energies == sorted(energies)  # lowest first


@pytest.mark.parametrize("seed", [5, 6])
def test_landscape_minima_descent_agrees_with_exhaustive(seed):
    size, p, _, _ = random_landscape(seed, 7, biggest=1.0)
    exhaustive = measures.landscape_minima(size, p)
    descent = measures.landscape_minima(size, p, rng=np.random.default_rng(seed + 100), exhaustive_up_to=3,
                                        starts=2000)
    assert len(exhaustive) >= 1
    assert [c.tolist() for c, _ in descent] == [c.tolist() for c, _ in exhaustive]
    np.testing.assert_allclose([e for _, e in descent], [e for _, e in exhaustive])


def test_landscape_minima_keep_actor_zero_in_the_first_coalition():
    rng = np.random.default_rng(8)
    n = 6
    p = rng.uniform(-1, 1, (n, n))
    p = (p + p.T) / 2
    np.fill_diagonal(p, 0.0)
    for up_to in (20, 2):
        for config, _ in measures.landscape_minima(np.ones(n), p, rng=np.random.default_rng(1),
                                                   exhaustive_up_to=up_to, starts=200):
            assert not config[0]


def test_landscape_minima_descent_finds_the_lowest_minimum_of_more_actors_than_the_exhaustive_limit():
    size, p, _, _ = random_landscape(9, 22, biggest=1.0)
    exhaustive = measures.landscape_minima(size, p, exhaustive_up_to=22)
    descent = measures.landscape_minima(size, p)                 # 22 > 20 actors: descent from 2000 starts
    assert descent[0][0].tolist() == exhaustive[0][0].tolist()
    assert descent[0][1] == pytest.approx(exhaustive[0][1])
    every = {config.tobytes() for config, _ in exhaustive}
    assert all(config.tobytes() in every for config, _ in descent)  # each one found is a true minimum


def test_landscape_minima_work_is_bounded_for_many_actors():
    for n in (21, 100, 101, 400, 1000, 5000):
        starts = measures.landscape_starts(n)
        assert 1 <= starts <= 2000 and (starts * n * n <= measures.LANDSCAPE_WORK or starts == 1)
    assert measures.landscape_starts(100) == 2000 and measures.landscape_starts(400) == 125
    n = 300
    size, p, affinity, _ = random_landscape(10, n)
    minima = measures.landscape_minima(size, p)
    assert 1 <= len(minima) <= measures.landscape_starts(n)        # one minimum at most per start
    configs = np.array([config for config, _ in minima])
    tol = 1e-12 * np.abs(affinity).sum()
    assert (measures.switch_gains(configs, affinity) >= -tol).all()  # each a local minimum, found step by step
    np.testing.assert_allclose([e for _, e in minima], measures.landscape_energy(configs, affinity))
    assert not configs[:, 0].any()
