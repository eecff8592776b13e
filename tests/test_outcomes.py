"""Run outcomes: the ceasefire outcomes from a run's ceasefires, and the coalitions' helpers."""

from conftest import random_landscape

from sim.core.outcomes import coalition_label, coalition_of
from sim.core.records import Ceasefire, ceasefire_outcomes

IDS = ("ARM", "AZE", "RUS", "USA")


def test_outcomes_of_two_ceasefires_the_second_in_force_at_the_end():
    spans = [Ceasefire(2, 4, "RUS", ("RUS", "FRA"), came="pressure", ended_by="breakdown"), Ceasefire(6, None, "USA")]
    out = ceasefire_outcomes(spans, steps=7)
    assert out == {"ceasefire_reached": True, "first_ceasefire_day": 2, "first_broker": "RUS", "ceasefires": 2,
                   "brokers": ["RUS", "USA"], "under_pressure": 1, "breakdowns": 1, "lasting": True,
                   "days_in_force": 4}


def test_a_ceasefire_that_breaks_down_the_day_it_comes_still_counts():
    out = ceasefire_outcomes([Ceasefire(1, 1, "RUS", ended_by="breakdown")], steps=2)
    assert out["ceasefire_reached"] and out["ceasefires"] == 1 and out["first_ceasefire_day"] == 1
    assert not out["lasting"] and out["days_in_force"] == 0 and out["breakdowns"] == 1


def test_a_ceasefire_declared_on_day_0_is_in_force_from_day_1():
    assert Ceasefire(0, None, None, came="declared").days_in_force(steps=5) == 5
    assert Ceasefire(0, None, None, came="declared").declared and not Ceasefire(0, None, None).declared
    assert Ceasefire(0, 3, None, came="declared", ended_by="event").days_in_force(steps=5) == 2


def test_no_ceasefire():
    out = ceasefire_outcomes([], steps=2)
    assert out["ceasefire_reached"] is False and out["first_broker"] is None and out["brokers"] == []
    assert out["lasting"] is False and out["days_in_force"] == 0


def test_coalition_helpers():
    minimum = {"energy": -4.0, "coalitions": [["ARM", "RUS"], ["AZE"]]}
    assert coalition_of(minimum["coalitions"]) == {"ARM": 0, "RUS": 0, "AZE": 1}
    assert coalition_label(minimum) == "ARM RUS | AZE"


def test_remembered_landscapes_take_little_room_whatever_the_number_of_actors():
    from sim.core import outcomes

    n = 120
    capability, pairs, _, _ = random_landscape(3, n)
    ids = [f"A{i}" for i in range(n)]
    outcomes._MINIMA.clear()
    found = outcomes.coalitions(capability, pairs, ids)
    assert outcomes.coalitions(capability, pairs, ids) == found and len(found) == 3
    (key, kept), = outcomes._MINIMA.items()                  # remembered once, by a digest, the 3 lowest only
    assert len(key) <= 64 and len(kept) == 3
