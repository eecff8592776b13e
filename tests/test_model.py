"""CrisisModel: the Mesa face of one run."""

import json
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.agents import ActorAgent
from sim.core.fields import FIELDS, measure_names
from sim.io.files import OutputError
from sim.io.runfiles import run_files
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
    assert_contributions_add_up(agents, contributions)


def assert_contributions_add_up(agents, contributions):
    """Each day's recorded contributions to each field of each actor sum to the day's change."""
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


# ------------------------------------------------------------------------------- the Mesa face


@pytest.fixture
def keep_start_method():
    """mesa.batch_run sets multiprocessing's start method to spawn for the whole process: undo that."""
    import multiprocessing

    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


def test_has_a_mesa_datacollector_fed_by_the_record(short_baseline):
    model = CrisisModel(short_baseline, rng=2)
    model.run_for(8)
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector)
    assert tuple(collector.model_reporters) == measure_names(short_baseline.sides)
    assert tuple(collector.agent_reporters) == (*FIELDS, "pressure")
    pd.testing.assert_frame_equal(collector.get_model_vars_dataframe(), model.get_model_vars_dataframe())
    pd.testing.assert_frame_equal(collector.get_agent_vars_dataframe(), model.get_agent_vars_dataframe())
    # what Mesa's plot components read: a column per measure, a row per day
    assert collector.get_model_vars_dataframe().loc[:, "polarization"].shape == (9,)
    # its reporters are real: a plain DataCollector calling them every day records the same values
    plain = mesa.DataCollector(model_reporters=collector.model_reporters, agent_reporters=collector.agent_reporters)
    twin = CrisisModel(short_baseline, rng=2)
    plain.collect(twin)
    for _ in range(8):
        twin.step()
        plain.collect(twin)
    expected = plain.get_model_vars_dataframe()
    np.testing.assert_allclose(collector.get_model_vars_dataframe().to_numpy(), expected.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(collector.get_agent_vars_dataframe().to_numpy(),
                               plain.get_agent_vars_dataframe().to_numpy(), atol=1e-12)
    assert collector._collection_steps == list(range(9))
    assert collector.model_vars["polarization"] == expected["polarization"].tolist()


def test_batch_run_gives_the_measures_and_fields(keep_start_method):
    rows = mesa.batch_run(CrisisModel, parameters={"rng": [1, 2]}, max_steps=10, number_processes=1,
                          display_progress=False)
    assert rows and set(measure_names(("ARM", "AZE"))) <= set(rows[0]) and {"AgentID", *FIELDS} <= set(rows[0])
    assert {row["Step"] for row in rows} == {10}
    rows = pd.DataFrame(mesa.batch_run(CrisisModel, parameters={"steps": 10, "overrides": ["rules.noise.sigma=0.05"]},
                                       rng=[1, 2], max_steps=100, data_collection_period=1, number_processes=1,
                                       display_progress=False))
    assert sorted(rows["Step"].unique()) == list(range(11))                  # step 0 and the 10 days: no more
    one = CrisisModel(steps=10, overrides="rules.noise.sigma=0.05", rng=1)
    one.run_for(10)
    got = rows[rows["rng"] == 1].set_index(["Step", "AgentID"])
    expected = one.get_agent_vars_dataframe()
    np.testing.assert_array_equal(got.loc[expected.index, "alignment"], expected["alignment"])
    day = rows[(rows["Step"] == 10) & (rows["AgentID"] == "TUR")].set_index("rng")
    assert day.loc[1, "polarization"] == one.get_model_vars_dataframe().loc[10, "polarization"]
    assert day.loc[1, "alignment"] != day.loc[2, "alignment"]


def test_keywords_rebuild_the_model_as_solaraviz_reset_does():
    import inspect

    signature = inspect.signature(CrisisModel)
    assert all(p.default is not p.empty and p.kind is not p.VAR_POSITIONAL for p in signature.parameters.values())
    # Mesa's Reset passes a mesa Scenario to a model that takes ``scenario``: dipsim's is ``spec``
    assert "scenario" not in signature.parameters and "rng" in signature.parameters
    params = {"spec": "baseline", "rng": 3, "steps": 12, "overrides": ["rules.mediation.threshold=0.4"]}
    model = CrisisModel(**params)
    model.run_for(5)
    again = type(model)(**params)
    assert again.day == 0 and again.spec.steps == 12 and again.running
    assert again.spec == load("baseline", ["rules.mediation.threshold=0.4", "scenario.steps=12"])
    first = CrisisModel(**params)
    np.testing.assert_array_equal(again.world.state, first.world.state)
    again.run_for(12)
    first.run_for(12)
    assert not again.running
    pd.testing.assert_frame_equal(again.get_agent_vars_dataframe(), first.get_agent_vars_dataframe())
    # a Scenario object takes the same overrides
    assert CrisisModel(load("baseline"), overrides="rules.mediation.threshold=0.4", steps=12).spec == again.spec


def test_one_generator_whatever_the_seed_is(short_baseline):
    by_seed = CrisisModel(short_baseline, rng=7)
    by_generator = CrisisModel(short_baseline, rng=np.random.default_rng(7))
    by_seed.run_for(8)
    by_generator.run_for(8)
    pd.testing.assert_frame_equal(by_seed.get_agent_vars_dataframe(), by_generator.get_agent_vars_dataframe())
    assert by_seed.random.random() == CrisisModel(short_baseline, rng=7).random.random()   # seeded, unused


def test_an_agent_write_is_clipped_and_recorded_as_its_own_source(short_baseline):
    model = CrisisModel(short_baseline, rng=4)
    model.run_for(2)
    tur, arm, un = model.agent("TUR"), model.agent("ARM"), model.agent("UN")
    tur.alignment = 5.0
    assert tur.alignment == 1.0
    un.intensity = 3.0                       # only the sides fight
    assert un.intensity == 0.0
    arm.ceasefire = 0.25
    for bad in (float("nan"), float("inf"), "0.5", None):
        with pytest.raises(ValueError):
            tur.alignment = bad
    with pytest.raises(AttributeError):
        tur.pressure = 1.0
    model.run_for(6)
    agents = model.get_agent_vars_dataframe()
    contributions = model.get_contributions_dataframe()
    written = contributions[contributions["rule"] == "agents"].set_index(["step", "actor", "field"])["change"]
    assert set(written.index) == {(3, "TUR", "alignment"), (3, "ARM", "ceasefire")}
    assert written[(3, "TUR", "alignment")] == pytest.approx(1.0 - agents.loc[(2, "TUR"), "alignment"])
    assert_contributions_add_up(agents, contributions)


def test_an_unknown_actor_is_a_key_error_naming_the_actors(short_baseline):
    model = CrisisModel(short_baseline, rng=1)
    for lookup in (model.agent, short_baseline.actor):
        with pytest.raises(KeyError, match="XXX.*TUR"):
            lookup("XXX")


def test_a_rule_checks_its_parameters_when_built():
    from sim.rules import REGISTRY, ParamError

    alliance = REGISTRY["alliance"]
    with pytest.raises(ParamError, match=r"rate: expected a number in \[0, 1\], got 7\.0"):
        alliance(rate=7.0)
    with pytest.raises(ValueError, match="kinds"):
        alliance(kinds=["friendship"])
    with pytest.raises(ValueError, match="no_such_parameter"):
        alliance(no_such_parameter=1)
    assert alliance(rate=0.5, kinds=["alliance"]).kinds == ("alliance",)


def test_outcomes_are_the_runs_as_its_summary_records_them():
    model = CrisisModel("baseline", rng=2020, steps=40)
    model.run_for(20)
    assert model.outcomes()["ceasefire_reached"] is False                # so far, none
    model.run_for(20)
    found = model.outcomes()
    summary = json.loads(run_files(model.simulation, 2020)["summary.json"])
    first = model.simulation.history.spans[0][0]
    assert found == summary["outcomes"] and found["first_ceasefire_day"] == first.start > 20
    assert set(found["final_territory"]) == {"ARM", "AZE"}


def test_write_run_writes_what_dipsim_run_writes_and_never_over_a_users_files(tmp_path):
    model = CrisisModel("baseline", rng=2020)
    model.run_for(model.spec.steps)
    written = model.write_run(tmp_path / "run")
    golden = Path(__file__).parent / "golden" / "baseline-seed2020"
    for name in ("model.csv", "timeseries.csv", "ceasefires.csv", "events.csv"):
        assert (written / name).read_bytes() == (golden / name).read_bytes(), name
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("a student's notes", encoding="utf-8")
    with pytest.raises(OutputError, match="not a directory dipsim wrote"):
        model.write_run(mine, force=True)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    with pytest.raises(ValueError, match="seed"):
        CrisisModel("baseline", rng=np.random.default_rng(1), steps=1).write_run(tmp_path / "generator")
