"""The contract every rule keeps (in the manner of Axelrod's strategy tests).

`RuleContract` holds the tests; each subclass names one rule of the registry and the parameters to run
it with, on the baseline scenario reduced to that one rule.
"""

import copy
import re

import numpy as np
import pytest

from sim import scenario as scenario_mod
from sim.core.engine import Simulation
from sim.core.fields import FIELDS, TIE_KINDS
from sim.core.world import World
from sim.rules import REGISTRY, ParamError
from sim.rules.base import Param, check_params

HISTORY = ("fields", "pressure", "weight", "active", "kind", "measures", "broker")
WORLD_ARRAYS = ("weight", "active", "kind", "in_force", "ceasefires", "breakdowns", "broker", "brokers", "came",
                "pressure", "credit", "front")
#: What ``settle`` may declare it changes: tie signs, the ceasefire status, the front (what a day of battle
#: would bring), fields (the engine records the settled change of the fields named there).
DISCRETE = {"tie_signs", "ceasefire_status", "front", *FIELDS}


def reduced_baseline(rule, params, steps):
    """The baseline scenario with only ``rule`` (given ``params``), for ``steps`` days."""
    raw = scenario_mod.load("baseline").to_dict()
    raw["scenario"]["steps"] = steps
    raw["rules"] = [{"id": rule, "rule": rule, **params}]
    return scenario_mod.validate(raw, {}, "<test>")


def simulate(scenario, seeds, steps=None):
    return Simulation(scenario, [np.random.default_rng(s) for s in seeds]).run(steps)


def snapshot(world):
    """A deep copy of every array of the world's state."""
    return {
        "fields": {k: v.copy() for k, v in world.fields.items()},
        "anchors": {k: v.copy() for k, v in world.anchors.items()},
        **{name: getattr(world, name).copy() for name in WORLD_ARRAYS},
        "step": world.step,
    }


def assert_same_state(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        if isinstance(value, dict):
            assert value.keys() == after[key].keys()
            for name in value:
                np.testing.assert_array_equal(value[name], after[key][name], err_msg=f"{key}.{name}")
        else:
            np.testing.assert_array_equal(value, after[key], err_msg=key)


def histories_equal(a, b):
    """Whether two simulations recorded the same arrays and the same happenings."""
    for name in HISTORY:
        if not np.array_equal(a.history.array(name), b.history.array(name), equal_nan=True):
            return False
    return a.history.happenings == b.history.happenings


class RuleContract:
    """Tests every rule in `sim.rules.REGISTRY` must pass; subclasses set ``rule`` and ``params``."""

    rule: str = ""
    params: dict = {}
    steps = 15

    @pytest.fixture
    def scenario(self):
        return reduced_baseline(self.rule, self.params, self.steps)

    @pytest.fixture
    def rule_obj(self, scenario):
        return scenario.rules[0].build()

    @pytest.fixture
    def world(self, scenario):
        """A world of three runs after a few steps of the rule (so its state is not the initial one)."""
        sim = simulate(scenario, [1, 2, 3], steps=5)
        return sim.world

    # ---------------------------------------------------------------------------- identity

    def test_name_is_the_registry_key(self, rule_obj):
        cls = REGISTRY[self.rule]
        assert cls.name == self.rule
        assert rule_obj.name == self.rule
        assert re.fullmatch(r"[a-z][a-z_]*", cls.name)
        assert cls.__doc__ and cls.__doc__.strip()
        assert type(rule_obj).__name__ in repr(rule_obj)

    def test_metadata_declares_fields_discrete_stochastic_citation(self):
        meta = REGISTRY[self.rule].metadata
        assert {"fields", "discrete", "stochastic", "citation"} <= set(meta)
        assert set(meta["fields"]) <= set(FIELDS)
        assert set(meta["discrete"]) <= DISCRETE
        assert isinstance(meta["stochastic"], bool)
        assert isinstance(meta["citation"], str) and len(meta["citation"].strip()) > 5

    def test_every_default_passes_its_own_check(self, scenario):
        cls = REGISTRY[self.rule]
        assert cls.params, "a rule declares its parameters"
        for key, param in cls.params.items():
            assert isinstance(param, Param)
            assert param.doc.strip(), f"{key} has no doc"
            checked = param.check(param.default, scenario.actor_ids)
            assert checked == param.default, key

    def test_defaults_fill_every_parameter(self):
        rule = REGISTRY[self.rule]()
        assert rule.values == {k: p.default for k, p in REGISTRY[self.rule].params.items()}

    def test_scenario_parameters_reach_the_rule(self, scenario, rule_obj):
        expected = check_params(REGISTRY[self.rule], self.params, scenario.actor_ids)
        for key, value in expected.items():
            assert getattr(rule_obj, key) == value

    def test_unknown_parameter_raises_param_error(self, scenario):
        with pytest.raises(ParamError):
            REGISTRY[self.rule](no_such_parameter=1)
        with pytest.raises(ParamError, match="no_such_parameter"):
            check_params(REGISTRY[self.rule], {"no_such_parameter": 1}, scenario.actor_ids)

    # ------------------------------------------------------------------------------ clone

    def test_clone_equals_the_original_and_behaves_identically(self, rule_obj, world):
        twin = rule_obj.clone()
        assert twin == rule_obj
        assert twin is not rule_obj
        assert hash(twin) == hash(rule_obj)
        first, second = copy.deepcopy(world), copy.deepcopy(world)
        a = rule_obj.propose(first, [np.random.default_rng(s) for s in (7, 8, 9)])
        b = twin.propose(second, [np.random.default_rng(s) for s in (7, 8, 9)])
        assert a.keys() == b.keys()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
        ha = rule_obj.settle(first, [np.random.default_rng(s) for s in (4, 5, 6)])
        hb = twin.settle(second, [np.random.default_rng(s) for s in (4, 5, 6)])
        assert ha == hb
        assert_same_state(snapshot(first), snapshot(second))

    # ---------------------------------------------------------------------------- propose

    def test_propose_does_not_mutate_the_world(self, rule_obj, world):
        before = snapshot(world)
        changes = rule_obj.propose(world, [np.random.default_rng(s) for s in (1, 2, 3)])
        assert_same_state(before, snapshot(world))
        for name, change in changes.items():
            for array in (*world.fields.values(), *world.anchors.values()):
                assert not np.shares_memory(change, array), f"{name} change aliases the world's state"

    def test_propose_returns_only_declared_fields_with_the_right_shape(self, rule_obj, world):
        changes = rule_obj.propose(world, [np.random.default_rng(s) for s in (1, 2, 3)])
        declared = set(REGISTRY[self.rule].metadata["fields"])
        assert set(changes) <= declared
        for name, change in changes.items():
            assert change.shape == (world.runs, world.topology.n_actors), name
            assert np.all(np.isfinite(change)), name

    def test_settle_changes_only_what_is_declared(self, rule_obj, world):
        discrete = set(REGISTRY[self.rule].metadata["discrete"])
        before = snapshot(world)
        rule_obj.settle(world, [np.random.default_rng(s) for s in (1, 2, 3)])
        after = snapshot(world)
        if "tie_signs" not in discrete:
            for name in ("weight", "active", "kind"):
                np.testing.assert_array_equal(before[name], after[name], err_msg=name)
        if "ceasefire_status" not in discrete:
            for name in ("in_force", "ceasefires", "breakdowns", "broker", "brokers", "came"):
                np.testing.assert_array_equal(before[name], after[name], err_msg=name)
        if "front" not in discrete:
            np.testing.assert_array_equal(before["front"], after["front"], err_msg="front")
        for name in FIELDS:
            if name not in discrete:
                np.testing.assert_array_equal(before["fields"][name], after["fields"][name], err_msg=name)

    # ------------------------------------------------------------------------- randomness

    def test_same_seed_same_result(self, scenario):
        a = simulate(scenario, [2024])
        b = simulate(scenario, [2024])
        assert a.steps == b.steps == self.steps
        assert histories_equal(a, b)
        np.testing.assert_array_equal(a.history.array("contributions"), b.history.array("contributions"))

    def test_randomness_matches_the_declared_stochastic_flag(self, scenario):
        runs = [simulate(scenario, [seed]) for seed in (1, 2, 3, 4)]
        same = [histories_equal(runs[0], other) for other in runs[1:]]
        if REGISTRY[self.rule].metadata["stochastic"]:
            assert not all(same), "a stochastic rule should depend on the seed"
        else:
            assert all(same), "a non-stochastic rule must give the same result whatever the rng"

    def test_draws_match_the_stochastic_flag(self, rule_obj, world):
        rngs = [np.random.default_rng(s) for s in (1, 2, 3)]
        states = [rng.bit_generator.state for rng in rngs]
        rule_obj.propose(world, rngs)
        rule_obj.settle(world, rngs)
        drew = [rng.bit_generator.state != state for rng, state in zip(rngs, states)]
        if not REGISTRY[self.rule].metadata["stochastic"]:
            assert not any(drew)
        else:
            assert all(drew), "each run draws from its own generator"

    def test_batch_run_equals_each_run_alone(self, scenario):
        seeds = [11, 12, 13]
        batch = simulate(scenario, seeds)
        for run, seed in enumerate(seeds):
            alone = simulate(scenario, [seed])
            for name in HISTORY:
                np.testing.assert_array_equal(batch.history.array(name)[:, run], alone.history.array(name)[:, 0],
                                              err_msg=f"{name} of run {run}")
            np.testing.assert_array_equal(batch.history.array("contributions")[:, :, :, run],
                                          alone.history.array("contributions")[:, :, :, 0])
            mine = [(h.step, h.kind, h.actors, h.note) for h in batch.history.happenings if h.run == run]
            theirs = [(h.step, h.kind, h.actors, h.note) for h in alone.history.happenings]
            assert mine == theirs

    def test_tie_kinds_matter_only_through_a_kinds_parameter_and_its_masks_stay_current(self, scenario):
        """A rule with a parameter naming tie kinds reads them through the world's kind masks, current
        after days of the rule; a rule without one is blind to kinds: relabelling every tie leaves its
        run as it was."""
        world = simulate(scenario, [1, 2], steps=8).world
        rule = scenario.rules[0].build()
        declared = [key for key, param in REGISTRY[self.rule].params.items() if param.kind == "kinds"]
        for key in declared:
            kinds = tuple(getattr(rule, key)) or TIE_KINDS
            np.testing.assert_array_equal(world.kind_mask(kinds), np.isin(world.kind, [TIE_KINDS.index(k) for k in kinds]))
        raw = scenario.to_dict()
        for tie in raw["ties"]:
            tie["kind"] = "partnership" if tie["kind"] == "rivalry" else "rivalry"
        relabelled = simulate(scenario_mod.validate(raw, {}, "<test>"), [1, 2], steps=8)
        original = simulate(scenario, [1, 2], steps=8)
        same = all(np.array_equal(relabelled.history.array(name), original.history.array(name))
                   for name in ("fields", "weight", "pressure"))
        assert same == (not declared), f"{self.rule}: kinds matter {'without' if same else 'with'} a kinds parameter"


def test_a_world_from_a_scenario_has_one_row_per_run():
    scenario = scenario_mod.load("baseline")
    world = World.from_scenario(scenario, runs=4)
    for name in FIELDS:
        assert world.fields[name].shape == (4, len(scenario.actors))
    assert world.weight.shape == (4, len(scenario.ties))


class TestInfluenceContract(RuleContract):
    rule = "influence"
    params = {"rate": 0.5, "fields": ["alignment", "ceasefire"]}


class TestEscalationContract(RuleContract):
    rule = "escalation"
    params = {"defense": [0.1, 0.15], "fatigue": [0.25, 0.2], "grievance": [0.1, 0.2], "dt": 1.0,
              "backing": 0.1, "ceasefire_damping": 0.5}


class TestAllianceContract(RuleContract):
    rule = "alliance"
    params = {"rate": 0.05, "half": 0.5, "kinds": ["alliance", "support"]}


class TestMediationContract(RuleContract):
    rule = "mediation"
    # quick to reach a ceasefire and quick to lose it, so the random breakdowns matter within 15 days
    params = {"rate": 0.3, "threshold": 0.3, "hurting": 0.3, "breakdown": 0.3, "breakdown_intensity": 0.1,
              "setback": 0.5, "spent": 0.5, "leverage": 0.8, "guarantee": 0.5}


class TestBattlefieldContract(RuleContract):
    rule = "battlefield"
    params = {"forces": [40000, 60000], "lethality": 0.002, "support": 0.5, "kinds": ["alliance"], "defence": 1.5,
              "depth": 1.0, "advance": 0.05}


class TestWarAimsContract(RuleContract):
    """Alone, the rule reads a front no battlefield works out (it stays at zero): its contract still holds."""

    rule = "war_aims"
    params = {"aims": [1.0, 0.6], "price": 0.02, "rate": 30.0}


class TestBalanceContract(RuleContract):
    rule = "balance"
    params = {"p": 0.3, "updates": 5, "frozen": ["hostility"]}


class TestNoiseContract(RuleContract):
    rule = "noise"
    params = {"fields": ["alignment", "ceasefire", "intensity"], "sigma": 0.05}


def test_every_registered_rule_has_a_contract_class():
    covered = {cls.rule for cls in RuleContract.__subclasses__()}
    assert covered == set(REGISTRY)
