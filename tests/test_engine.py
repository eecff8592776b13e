"""The engine: contributions add up, ranges hold, events fire once at the right step, runs repeat."""

import csv
import io
import json

import numpy as np
import pytest

from sim import scenario as sc
from sim.core.engine import Simulation, apply_changes, world_measures
from sim.core.fields import FIELDS, RANGES, TIE_KINDS, measure_names
from sim.core.records import Ceasefire
from sim.scenario import loads

F = {name: i for i, name in enumerate(FIELDS)}


def baseline_with(rules=None, events=(), steps=30):
    raw = sc.load("baseline").to_dict()
    raw["scenario"]["steps"] = steps
    if rules is not None:
        raw["rules"] = rules
    raw["events"] = list(events)
    return sc.validate(raw, {}, "<test>")


def run(scn, seeds=(1,), steps=None):
    return Simulation(scn, [np.random.default_rng(s) for s in seeds]).run(steps)


def initial_fields(scn):
    return np.array([[getattr(a, f) for a in scn.actors] for f in FIELDS])   # (fields, actors)


STRESS_EVENTS = [
    {"id": "push-tur", "step": 0, "action": "shift", "actor": "TUR", "field": "alignment", "by": 0.5,
     "note": "Turkey all in"},
    {"id": "rus-cf", "step": 3, "action": "set", "actor": "RUS", "field": "ceasefire", "to": 1.0,
     "note": "Moscow presses"},
    {"id": "aze-int", "step": 5, "action": "shift", "actor": "AZE", "field": "intensity", "by": -5.0,
     "note": "Baku pauses"},
    {"id": "link", "step": 4, "action": "add_tie",
     "tie": {"actors": ["PAK", "IRN"], "kind": "partnership", "weight": 0.4}, "note": "x"},
    {"id": "cf", "step": 6, "action": "declare_ceasefire", "broker": "OSCE", "note": "truce"},
]


def stress_scenario(steps=30):
    """Every rule, events, and shocks large enough to push fields into their limits."""
    scn = sc.load("baseline")
    rules = scn.to_dict()["rules"]
    for rule in rules:
        if rule["rule"] == "noise":
            rule.update(fields=["alignment", "ceasefire", "intensity"], sigma=0.4)
        if rule["rule"] == "balance":
            rule.update(frozen=[], updates=20)
    return baseline_with(rules, STRESS_EVENTS, steps)


# --------------------------------------------------------------------------- contributions

def test_contributions_add_up_to_every_change():
    scn = stress_scenario()
    sim = run(scn, seeds=(1, 2, 3))
    fields = sim.history.array("fields")                      # (steps + 1, runs, fields, actors)
    contributions = sim.history.array("contributions")        # (steps + 1, sources, fields, runs, actors)
    assert sim.history.sources == ("events", *(r.id for r in scn.rules), "agents", "limits")
    total = contributions.sum(axis=1).transpose(0, 2, 1, 3)   # (steps + 1, runs, fields, actors)
    np.testing.assert_allclose(total[1:], fields[1:] - fields[:-1], rtol=0, atol=1e-12)
    # step 0: what the events of day 0 did to the scenario's values
    np.testing.assert_allclose(total[0], fields[0] - initial_fields(scn)[None], rtol=0, atol=1e-12)
    # the stress test does reach the limits, and events contribute
    assert np.abs(contributions[:, -1]).max() > 0.01
    assert np.abs(contributions[:, 0]).max() > 0.01


def test_contributions_by_rule_are_their_proposals():
    # a single deterministic rule and no limits reached: its part is the whole change
    scn = baseline_with([{"id": "fj", "rule": "influence", "rate": 0.5}], steps=5)
    sim = run(scn)
    contributions = sim.history.array("contributions")
    np.testing.assert_array_equal(contributions[1:, 0], 0.0)     # no events
    np.testing.assert_array_equal(contributions[1:, -1], 0.0)    # no limits
    fields = sim.history.array("fields")
    np.testing.assert_allclose(contributions[1:, 1, :, 0], (fields[1:] - fields[:-1])[:, 0], atol=1e-15)


def test_apply_changes_by_hand():
    # one field, one run, two actors; sources: events, two rules, limits; bounds [-1, 1]
    state = np.array([[[0.5, 0.1]]])
    changes = np.zeros((4, 1, 1, 2))
    changes[1, 0, 0] = [0.4, 0.2]
    changes[2, 0, 0] = [0.3, 0.0]
    apply_changes(state, changes, np.full((1, 2), -1.0), np.full((1, 2), 1.0))
    # actor 0: 0.5 + 0.7 = 1.2, clipped to 1 (the limits take 0.2); actor 1: 0.1 + 0.2 = 0.3
    np.testing.assert_allclose(state[0, 0], [1.0, 0.3])
    np.testing.assert_allclose(changes[3, 0, 0, 0], -0.2)
    # actor 1 was not clipped: its move differs from the rules' sum only by rounding, and the limits take
    # nothing (a limits' share that held the rounding would show a move no bound made)
    assert state[0, 0, 1] - 0.1 - changes[1:3, 0, 0, 1].sum() != 0.0
    assert changes[3, 0, 0, 1] == 0.0
    assert state[0, 0, 0] == pytest.approx(0.5 + changes[1:, 0, 0, 0].sum(), abs=1e-15)   # clipped: they add up


def test_recorded_measures_are_those_of_each_day():
    sim = Simulation(stress_scenario(steps=6), [np.random.default_rng(s) for s in (3, 4)])
    daily = [world_measures(sim.world)]
    for _ in range(6):
        sim.step()
        daily.append(world_measures(sim.world))
    np.testing.assert_array_equal(sim.history.array("measures"), np.stack(daily))


def test_field_ranges_always_hold():
    sim = run(stress_scenario(steps=40), seeds=(4, 5))
    fields = sim.history.array("fields")
    for name, (lo, hi) in RANGES.items():
        values = fields[:, :, F[name]]
        assert values.min() >= lo and values.max() <= hi, name
    belligerent = sim.world.topology.belligerent
    np.testing.assert_array_equal(fields[:, :, F["intensity"], ~belligerent], 0.0)
    # and the shocks were strong enough to press against the bounds
    assert (fields[:, :, F["alignment"]] == 1.0).any() and (fields[:, :, F["ceasefire"]] == 0.0).any()


def test_same_scenario_and_seed_give_identical_arrays():
    scn = stress_scenario(steps=20)
    a, b = run(scn, seeds=(9, 10)), run(scn, seeds=(9, 10))
    for name in ("fields", "pressure", "weight", "active", "kind", "measures", "broker", "contributions"):
        np.testing.assert_array_equal(a.history.array(name), b.history.array(name), err_msg=name)
    assert a.history.happenings == b.history.happenings
    c = run(scn, seeds=(11, 10))
    assert not np.array_equal(a.history.array("fields")[:, 0], c.history.array("fields")[:, 0])
    np.testing.assert_array_equal(a.history.array("fields")[:, 1], c.history.array("fields")[:, 1])


def test_run_defaults_to_the_scenario_steps_and_resumes():
    scn = baseline_with(steps=7)
    sim = Simulation(scn, [np.random.default_rng(0)])
    assert sim.steps == 0 and len(sim.history.fields) == 1
    sim.run(3)
    assert sim.steps == 3
    sim.run()
    assert sim.steps == 7 and len(sim.history.fields) == 8
    assert sim.history.array("measures").shape == (8, 1, len(measure_names(scn.sides)))


# ------------------------------------------------------------------------------- events

TINY = """
[scenario]
name = "events"
sides = ["A", "B"]
steps = 12

[[actors]]
id = "A"
alignment = -1.0
ceasefire = 0.2
capability = 0.5
stubbornness = 0.5
intensity = 0.5

[[actors]]
id = "B"
alignment = 1.0
ceasefire = 0.2
capability = 0.5
stubbornness = 0.5
intensity = 0.5

[[actors]]
id = "C"
alignment = 0.0
ceasefire = 0.3
capability = 0.5
stubbornness = 0.5

[[ties]]
actors = ["A", "B"]
kind = "hostility"
weight = -1.0

[[rules]]
rule = "escalation"
defense = [0.5, 0.5]
fatigue = [1.0, 1.0]
grievance = [1.0, 1.0]
dt = 0.5
"""


def event(text):
    return "\n[[events]]\n" + text.strip() + "\n"


def richardson_path(steps):
    """By hand: x(t+1) = x(t) + 0.5 (0.5 y - x + 1), symmetric so y = x, from 0.5."""
    x = [0.5]
    for _ in range(steps):
        x.append(x[-1] + 0.5 * (0.5 * x[-1] - x[-1] + 1.0))
    return np.array(x)


def notes(sim, run=0):
    return [(h.step, h.note) for h in sim.history.happenings if h.run == run and h.kind == "event"]


def test_step_event_fires_once_at_its_step():
    scn = loads(TINY + event('id = "e"\nstep = 4\naction = "shift"\nactor = "C"\nfield = "alignment"\n'
                             'by = 0.3\nnote = "C leans to B"'))
    sim = run(scn)
    c = sim.history.array("fields")[:, 0, F["alignment"], 2]
    np.testing.assert_allclose(c, [0.0] * 4 + [0.3] * 9)
    assert notes(sim) == [(4, "C leans to B")]
    contributions = sim.history.array("contributions")[:, 0, F["alignment"], 0, 2]
    np.testing.assert_allclose(contributions, [0.0] * 4 + [0.3] + [0.0] * 8)


def test_step_zero_event_applies_before_the_first_record():
    scn = loads(TINY + event('id = "e"\nstep = 0\naction = "set"\nactor = "C"\nfield = "ceasefire"\n'
                             'to = 0.9\nnote = "at once"'))
    sim = run(scn)
    assert sim.history.array("fields")[0, 0, F["ceasefire"], 2] == 0.9
    assert notes(sim) == [(0, "at once")]


def test_condition_event_fires_once_at_the_first_step_its_condition_holds():
    path = richardson_path(12)
    np.testing.assert_allclose(run(loads(TINY)).history.array("fields")[:, 0, F["intensity"], 0], path)
    # checked at the start of day t on the state of day t - 1
    expected = 1 + int(np.argmax(path > 1.5))
    assert 1 < expected < 12
    scn = loads(TINY + event('id = "e"\nwhen = {actor = "A", field = "intensity", op = ">", value = 1.5}\n'
                             'action = "set"\nactor = "C"\nfield = "ceasefire"\nto = 0.9\nnote = "C alarmed"'))
    sim = run(scn)
    assert notes(sim) == [(expected, "C alarmed")]
    c = sim.history.array("fields")[:, 0, F["ceasefire"], 2]
    np.testing.assert_allclose(c, [0.3] * expected + [0.9] * (13 - expected))


def test_condition_event_waits_for_its_step():
    path = richardson_path(12)
    assert path[1] > 0.6                      # holds from day 1 on, but the event waits for day 5
    scn = loads(TINY + event('id = "e"\nstep = 5\nwhen = {actor = "B", field = "intensity", op = ">=", value = 0.6}\n'
                             'action = "shift"\nactor = "C"\nfield = "alignment"\nby = -0.2\nnote = "late"'))
    assert notes(run(scn)) == [(5, "late")]


def test_measure_condition_event():
    # mean alignment (capability-weighted) is 0 until C moves at day 3; then (0.5 * 0.6) / 1.5 = 0.2.
    # The reaction is listed first, so on day 3 it is checked before C moves: it fires on day 4.
    scn = loads(TINY
                + event('id = "react"\nwhen = {measure = "mean_alignment", op = ">", value = 0.1}\n'
                        'action = "set"\nactor = "A"\nfield = "ceasefire"\nto = 0.7\nnote = "A reacts"')
                + event('id = "move"\nstep = 3\naction = "set"\nactor = "C"\nfield = "alignment"\nto = 0.6\n'
                        'note = "C moves"'))
    sim = run(scn)
    assert notes(sim) == [(3, "C moves"), (4, "A reacts")]
    measures = sim.history.array("measures")[:, 0, measure_names(scn.sides).index("mean_alignment")]
    assert measures[3] == pytest.approx(0.2)
    np.testing.assert_allclose(measures[:3], 0.0, atol=1e-15)
    a = sim.history.array("fields")[:, 0, F["ceasefire"], 0]
    np.testing.assert_allclose(a, [0.2] * 4 + [0.7] * 9)


def test_shift_with_anchor_moves_the_anchor():
    scn = loads(TINY
                + event('id = "a"\nstep = 1\naction = "shift"\nactor = "C"\nfield = "alignment"\nby = 0.3\nnote = "x"')
                + event('id = "b"\nstep = 1\naction = "shift"\nactor = "C"\nfield = "ceasefire"\nby = 0.2\n'
                        'anchor = false\nnote = "y"')
                + event('id = "c"\nstep = 2\naction = "shift"\nactor = "B"\nfield = "alignment"\nby = 0.5\nnote = "z"'))
    sim = run(scn, steps=2)
    world = sim.world
    assert world.anchors["alignment"][0, 2] == pytest.approx(0.3)
    assert world.fields["alignment"][0, 2] == pytest.approx(0.3)
    assert world.anchors["ceasefire"][0, 2] == pytest.approx(0.3)     # anchor = false: anchor stays
    assert world.fields["ceasefire"][0, 2] == pytest.approx(0.5)
    # clipped at +1: the anchor moves as far as the stance did
    assert world.fields["alignment"][0, 1] == 1.0 and world.anchors["alignment"][0, 1] == 1.0


def test_anchor_shift_changes_where_influence_settles():
    base = TINY.replace('rule = "escalation"', 'rule = "influence"\nrate = 1.0\n[[rules]]\nrule = "escalation"')
    base = base.replace('[[ties]]\nactors = ["A", "B"]\nkind = "hostility"\nweight = -1.0',
                        '[[ties]]\nactors = ["A", "C"]\nkind = "partnership"\nweight = 1.0')
    anchored = loads(base.replace("steps = 12", "steps = 80") + event(
        'id = "a"\nstep = 1\naction = "shift"\nactor = "C"\nfield = "alignment"\nby = 0.4\nnote = "x"'))
    loose = loads(base.replace("steps = 12", "steps = 80") + event(
        'id = "a"\nstep = 1\naction = "shift"\nactor = "C"\nfield = "alignment"\nby = 0.4\nanchor = false\nnote = "x"'))
    # A and C listen only to each other (lambda 0.5 each): x* = V x(0), V = (I - Lambda W)^-1 (I - Lambda)
    lam, w = 0.5, np.array([[0.0, 1.0], [1.0, 0.0]])
    v = np.linalg.solve(np.eye(2) - lam * w, (1 - lam) * np.eye(2))
    for scn, anchor_c in ((anchored, 0.4), (loose, 0.0)):
        sim = run(scn)
        expected = v @ np.array([-1.0, anchor_c])
        np.testing.assert_allclose(sim.world.fields["alignment"][0, [0, 2]], expected, atol=1e-9)


def test_tie_events():
    scn = loads(TINY
                + event('id = "add"\nstep = 2\naction = "add_tie"\ntie = {actors = ["C", "A"], kind = "support", '
                        'weight = 0.6}\nnote = "C backs A"')
                + event('id = "change"\nstep = 3\naction = "change_tie"\ntie = "B-A"\nweight = -0.4\n'
                        'kind = "rivalry"\nnote = "cooling"')
                + event('id = "remove"\nstep = 5\naction = "remove_tie"\ntie = "A-C"\nnote = "C withdraws"'))
    sim = run(scn, steps=6)
    top = sim.world.topology
    assert top.tie_ids == ("A-B", "A-C")
    active = sim.history.array("active")[:, 0]
    weight = sim.history.array("weight")[:, 0]
    kind = sim.history.array("kind")[:, 0]
    np.testing.assert_array_equal(active[:, 1], [False, False, True, True, True, False, False])
    np.testing.assert_array_equal(active[:, 0], True)
    assert weight[2, 1] == 0.6 and kind[2, 1] == TIE_KINDS.index("support")
    np.testing.assert_array_equal(weight[:, 0], [-1.0, -1.0, -1.0, -0.4, -0.4, -0.4, -0.4])
    assert kind[2, 0] == TIE_KINDS.index("hostility") and kind[3, 0] == TIE_KINDS.index("rivalry")
    friendly = sim.history.array("measures")[:, 0, measure_names(scn.sides).index("friendly_share")]
    np.testing.assert_allclose(friendly, [0, 0, 0.5, 0.5, 0.5, 0, 0])
    assert [n for _, n in notes(sim)] == ["C backs A", "cooling", "C withdraws"]
    involved = [set(h.actors) for h in sim.history.happenings]
    assert involved == [{"A", "C"}, {"A", "B"}, {"A", "C"}]


def test_ceasefire_events():
    scn = loads(TINY
                + event('id = "on"\nstep = 2\naction = "declare_ceasefire"\nbroker = "C"\nnote = "truce"')
                + event('id = "off"\nstep = 5\naction = "end_ceasefire"\nnote = "over"')
                + event('id = "on2"\nstep = 7\naction = "declare_ceasefire"\nnote = "truce again"'))
    sim = run(scn, steps=8)
    names = measure_names(scn.sides)
    m = sim.history.array("measures")[:, 0]
    np.testing.assert_array_equal(m[:, names.index("ceasefire_in_force")], [0, 0, 1, 1, 1, 0, 0, 1, 1])
    np.testing.assert_array_equal(m[:, names.index("ceasefire_count")], [0, 0, 1, 1, 1, 1, 1, 2, 2])
    np.testing.assert_array_equal(m[:, names.index("breakdowns")], [0, 0, 0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(sim.history.array("broker")[:, 0], [-1, -1, 2, 2, 2, 2, 2, -1, -1])
    assert [n for _, n in notes(sim)] == ["truce", "over", "truce again"]


def test_ceasefire_events_in_the_wrong_state_change_nothing():
    scn = loads(TINY
                + event('id = "off"\nstep = 1\naction = "end_ceasefire"\nnote = "nothing to end"')
                + event('id = "on"\nstep = 2\naction = "declare_ceasefire"\nnote = "truce"')
                + event('id = "on2"\nstep = 3\naction = "declare_ceasefire"\nbroker = "C"\nnote = "again"'))
    sim = run(scn, steps=4)
    assert sim.world.breakdowns[0] == 0
    assert sim.world.ceasefires[0] == 1
    assert sim.world.broker[0] == -1


def test_events_fire_per_run():
    # a condition on a noisy field: runs fire at different steps, each once
    scn = loads(TINY.replace("steps = 12", "steps = 40")
                + '\n[[rules]]\nrule = "noise"\nfields = ["ceasefire"]\nsigma = 0.1\nactors = ["C"]\n'
                + event('id = "e"\nwhen = {actor = "C", field = "ceasefire", op = ">", value = 0.45}\n'
                        'action = "shift"\nactor = "A"\nfield = "alignment"\nby = 0.5\nnote = "fired"'))
    sim = run(scn, seeds=range(6))
    c = sim.history.array("fields")[:, :, F["ceasefire"], 2]
    a = sim.history.array("fields")[:, :, F["alignment"], 0]
    fired_any = False
    for r in range(6):
        fired = [h.step for h in sim.history.happenings if h.run == r and h.note == "fired"]
        holds = np.flatnonzero(c[:, r] > 0.45)
        if len(holds) and holds[0] + 1 <= 40:
            assert fired == [holds[0] + 1]
            assert a[holds[0], r] == -1.0 and a[holds[0] + 1, r] == -0.5
            fired_any = True
        else:
            assert fired == []
    assert fired_any
    steps = {h.step for h in sim.history.happenings if h.note == "fired"}
    assert len(steps) > 1


# ------------------------------------------------------------ rules see the ties as they are now

def hand_bond(weight, active, kind, top, kinds, sides):
    """(runs, n, 2): positive weight of a tie in place, of ``kinds``, between each actor and each side."""
    n = top.n_actors
    w = np.zeros((weight.shape[0], n, n))
    mask = active & np.isin(kind, [TIE_KINDS.index(k) for k in kinds])
    w[:, top.tie_source, top.tie_target] = np.where(mask, weight, 0.0)
    w[:, top.tie_target, top.tie_source] = np.where(mask, weight, 0.0)
    bond = np.clip(w[:, :, sides], 0.0, None)
    bond[:, sides, :] = 0.0
    return bond


def test_rules_see_tie_signs_flipped_the_day_before():
    from sim.rules.alliance import alliance_change

    kinds = ["alliance", "support", "membership", "partnership", "hostility", "rivalry", "mediation"]
    rules = [{"id": "balance", "rule": "balance", "p": 0.3, "updates": 30},
             {"id": "alliance", "rule": "alliance", "rate": 0.05, "half": 1.0, "kinds": kinds}]
    scn = baseline_with(rules, steps=15)
    sim = run(scn, seeds=(3, 4))
    top = sim.world.topology
    sides = list(top.sides)
    h = sim.history
    weight, active, kind = h.array("weight"), h.array("active"), h.array("kind")
    fields = h.array("fields")
    contributions = h.array("contributions")[:, 2, F["alignment"]]       # the alliance rule's part
    touches_side = np.isin(top.tie_source, sides) | np.isin(top.tie_target, sides)
    flipped = (np.sign(weight[1:]) != np.sign(weight[:-1]))[:, :, touches_side]
    assert flipped.any(), "the test needs balance to flip ties of the sides"
    for t in range(1, len(weight)):
        bond = hand_bond(weight[t - 1], active[t - 1], kind[t - 1], top, kinds, sides)
        expected = alliance_change(fields[t - 1][:, F["alignment"]], bond, fields[t - 1][:, F["intensity"], :][:, sides],
                                   0.05, 1.0)
        np.testing.assert_allclose(contributions[t], expected, atol=1e-15, err_msg=f"day {t}")


def test_rules_see_ties_changed_by_events():
    text = TINY.replace('rule = "escalation"', 'rule = "alliance"\nrate = 0.1\n[[rules]]\nrule = "escalation"')
    text += '\n[[ties]]\nactors = ["C", "A"]\nkind = "alliance"\nweight = 1.0\n'
    scn = loads(text
                + event('id = "cut"\nstep = 3\naction = "change_tie"\ntie = "A-C"\nweight = 0.0\nnote = "cut"')
                + event('id = "back"\nstep = 6\naction = "change_tie"\ntie = "A-C"\nweight = 0.5\nnote = "back"')
                + event('id = "gone"\nstep = 9\naction = "remove_tie"\ntie = "A-C"\nnote = "gone"'))
    sim = run(scn)
    c = sim.history.array("fields")[:, 0, F["alignment"], 2]
    moves = np.diff(c)                     # moves[t - 1]: the change on day t
    assert np.all(moves[:2] < 0)           # days 1-2: pulled toward A
    np.testing.assert_array_equal(moves[2:5], 0.0)   # days 3-5: the tie has weight 0
    assert np.all(moves[5:8] < 0)          # days 6-8: pulled again
    np.testing.assert_array_equal(moves[8:], 0.0)    # from day 9: no tie


def test_a_removed_tie_can_be_added_back():
    events = [{"id": "cut", "step": 2, "action": "remove_tie", "tie": "ARM-RUS", "note": "Moscow steps back"},
              {"id": "back", "step": 5, "action": "add_tie", "tie": {"actors": ["RUS", "ARM"], "kind": "alliance",
                                                                     "weight": 0.4}, "note": "Moscow returns"}]
    scn = baseline_with(rules=[], events=events, steps=6)
    sim = run(scn)
    slot = sim.world.topology.tie_ids.index("ARM-RUS")
    assert len(sim.world.topology.tie_ids) == len(scn.ties)  # the slot is reused, not doubled
    active = [bool(a[0, slot]) for a in sim.history.active]
    assert active == [True, True, False, False, False, True, True]
    assert sim.history.weight[-1][0, slot] == 0.4


def test_an_event_that_changes_nothing_is_not_logged():
    events = [{"id": "truce", "step": 1, "action": "declare_ceasefire", "note": "truce"},
              {"id": "again", "step": 2, "action": "declare_ceasefire", "note": "truce again"},
              {"id": "over", "step": 3, "action": "end_ceasefire", "note": "over"},
              {"id": "over-again", "step": 4, "action": "end_ceasefire", "note": "over again"}]
    sim = run(baseline_with(rules=[], events=events, steps=5))
    assert [(h.kind, h.note) for h in sim.history.happenings if h.kind == "event"] == [("event", "truce"),
                                                                                         ("event", "over")]
    assert [h.kind for h in sim.history.happenings] == ["event", "ceasefire", "event", "breakdown"]
    assert int(sim.world.ceasefires[0]) == 1 and int(sim.world.breakdowns[0]) == 1
    assert sim.history.spans[0] == [Ceasefire(1, 3, None, came="declared", ended_by="event", note="truce")]


def test_a_ceasefire_declared_and_broken_the_same_day_is_one_record_everywhere(tmp_path):
    """An event declares a ceasefire and the rules' hazard breaks it that day: the run's ceasefires, its
    outcomes and events.csv all show one ceasefire that came and ended on that day."""
    from sim.io.rundata import RunData
    from sim.io.runfiles import run_files

    events = [{"id": "truce", "step": 2, "action": "declare_ceasefire", "broker": "RUS", "note": "truce"}]
    spec = baseline_with(events=events, steps=4, rules=[{"rule": "mediation", "breakdown": 1e6}])
    sim = run(spec)
    assert sim.history.spans[0] == [Ceasefire(2, 2, "RUS", ("RUS",), came="declared", ended_by="breakdown",
                                              note="truce")]
    files = run_files(sim, seed=0)
    rows = [(r["step"], r["kind"]) for r in csv.DictReader(io.StringIO(files["events.csv"]))]
    assert rows == [("2", "event"), ("2", "ceasefire"), ("2", "breakdown")]
    assert files["ceasefires.csv"].splitlines() == ["start,end,broker,brokers,came,ended_by,note",
                                                    "2,2,RUS,RUS,declared,breakdown,truce"]
    outcomes = json.loads(files["summary.json"])["outcomes"]
    assert (outcomes["ceasefires"], outcomes["breakdowns"], outcomes["days_in_force"]) == (1, 1, 0)
    assert RunData.from_files(files).ceasefires == tuple(sim.history.spans[0])
