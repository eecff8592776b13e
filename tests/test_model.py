"""CrisisModel: the Mesa face of one run."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.agents import ActorAgent
from sim.engine import measure_names
from sim.fields import FIELDS
from sim.model import CrisisModel
from sim.scenario import load


@pytest.fixture(scope="module")
def short_baseline():
    return load("baseline", ["scenario.steps=8"])


def test_is_a_mesa_model_with_one_agent_per_actor(short_baseline):
    model = CrisisModel(short_baseline, rng=1)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == len(short_baseline.actors)
    assert all(isinstance(a, ActorAgent) for a in model.agents)
    assert sorted(a.actor_id for a in model.agents) == sorted(short_baseline.actor_ids)
    for agent in model.agents:
        actor = short_baseline.actor(agent.actor_id)
        assert agent.name == actor.name
        assert agent.alignment == actor.alignment and agent.capability == actor.capability
        assert agent.belligerent == (agent.actor_id in short_baseline.sides)


def test_accepts_a_name_and_defaults_to_the_scenario_seed(short_baseline):
    model = CrisisModel("baseline")
    assert model.spec == load("baseline")
    a = CrisisModel(short_baseline)
    b = CrisisModel(short_baseline, rng=short_baseline.seed)
    a.run_for(8)
    b.run_for(8)
    pd.testing.assert_frame_equal(a.get_agent_vars_dataframe(), b.get_agent_vars_dataframe())


def test_rng_decides_the_run(short_baseline):
    runs = []
    for seed in (5, 5, 6):
        model = CrisisModel(short_baseline, rng=seed)
        model.run_for(8)
        runs.append(model.get_agent_vars_dataframe())
    assert isinstance(CrisisModel(short_baseline, rng=5).rng, np.random.Generator)
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert not runs[0].equals(runs[2])


def test_agent_fields_are_views_of_the_world(short_baseline):
    model = CrisisModel(short_baseline, rng=1)
    tur = model.agent("TUR")
    i = short_baseline.actor_ids.index("TUR")
    tur.alignment = 0.123
    assert model.world.fields["alignment"][0, i] == 0.123
    model.world.fields["ceasefire"][0, i] = 0.456
    assert tur.ceasefire == 0.456
    model.step()
    assert tur.alignment == model.world.fields["alignment"][0, i]
    assert tur.alignment != 0.123   # the rules moved it, and the agent sees it


def test_step_and_run_for_advance_days(short_baseline):
    model = CrisisModel(short_baseline, rng=1)
    assert model.day == 0
    model.step()
    assert model.day == 1 and model.running
    model.run_for(3)
    assert model.day == 4
    model.run_for(4)
    assert model.day == 8 and not model.running


def test_model_vars_dataframe(short_baseline):
    model = CrisisModel(short_baseline, rng=2)
    model.run_for(8)
    frame = model.get_model_vars_dataframe()
    assert len(frame) == 8 + 1            # step 0 recorded
    assert frame.index.name == "Step" and list(frame.index) == list(range(9))
    assert tuple(frame.columns) == measure_names(short_baseline.sides)
    # hand check of one measure at step 0: the sides' starting intensities
    assert frame.loc[0, "intensity_ARM"] == short_baseline.actor("ARM").intensity
    assert frame.loc[0, "intensity_AZE"] == short_baseline.actor("AZE").intensity
    caps = np.array([a.capability for a in short_baseline.actors])
    aligns = np.array([a.alignment for a in short_baseline.actors])
    assert frame.loc[0, "mean_alignment"] == pytest.approx((caps * aligns).sum() / caps.sum())


def test_agent_vars_dataframe(short_baseline):
    model = CrisisModel(short_baseline, rng=3)
    model.run_for(8)
    frame = model.get_agent_vars_dataframe()
    assert frame.index.names == ["Step", "AgentID"]
    assert len(frame) == 9 * len(short_baseline.actors)
    assert set(FIELDS) <= set(frame.columns) and "pressure" in frame.columns
    for agent in model.agents:
        row = frame.loc[(8, agent.actor_id)]
        for name in FIELDS:
            assert row[name] == getattr(agent, name)
    assert frame.loc[(0, "TUR"), "alignment"] == short_baseline.actor("TUR").alignment


def test_contributions_dataframe_sums_to_the_change(short_baseline):
    model = CrisisModel(short_baseline, rng=4)
    model.run_for(8)
    agents = model.get_agent_vars_dataframe()
    contributions = model.get_contributions_dataframe()
    assert set(contributions.columns) >= {"step", "actor", "field", "rule", "change"}
    assert set(contributions["rule"]) <= {"events", *(r.id for r in short_baseline.rules), "limits"}
    assert (contributions["change"] != 0).all()
    summed = contributions.groupby(["step", "actor", "field"])["change"].sum()
    for name in FIELDS:
        wide = agents[name].unstack("AgentID")                 # (steps, actors)
        change = wide.diff().iloc[1:]
        for step in change.index:
            for actor in change.columns:
                got = summed.get((step, actor, name), 0.0)
                assert got == pytest.approx(change.loc[step, actor], abs=1e-12), (step, actor, name)


def test_contributions_can_be_switched_off(short_baseline):
    model = CrisisModel(short_baseline, rng=4, record_contributions=False)
    model.run_for(2)
    with pytest.raises(ValueError):
        model.get_contributions_dataframe()


def test_events_dataframe():
    scn = load("baseline", ["scenario.steps=30", "rules.mediation.threshold=0.2"])
    model = CrisisModel(scn, rng=1)
    model.run_for(30)
    events = model.get_events_dataframe()
    assert list(events.columns) == ["step", "kind", "actors", "note"]
    assert (events["kind"] == "ceasefire").any()
    assert events["step"].between(0, 30).all()
    cf = model.get_model_vars_dataframe()["ceasefire_count"]
    assert (events["kind"] == "ceasefire").sum() == cf.iloc[-1]
