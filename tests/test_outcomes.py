"""Run outcomes read from the recorded series."""

from sim.outcomes import ceasefire_outcomes, coalition_label, coalition_of

IDS = ("ARM", "AZE", "RUS", "USA")


def test_ceasefires_start_when_the_count_rises():
    in_force = [0, 0, 1, 1, 0, 0, 1, 1]
    count = [0, 0, 1, 1, 1, 1, 2, 2]
    broker = [-1, -1, 2, 2, 2, 2, 3, 3]
    out = ceasefire_outcomes(in_force, count, broker, 1, IDS)
    assert out == {"ceasefire_reached": True, "first_ceasefire_day": 2, "first_broker": "RUS", "ceasefires": 2,
                   "brokers": ["RUS", "USA"], "breakdowns": 1, "lasting": True, "days_in_force": 4}


def test_a_ceasefire_that_breaks_down_the_day_it_comes_still_counts():
    out = ceasefire_outcomes([0, 0, 0], [0, 1, 1], [-1, 2, 2], 1, IDS)
    assert out["ceasefire_reached"] and out["ceasefires"] == 1 and out["first_ceasefire_day"] == 1
    assert not out["lasting"] and out["days_in_force"] == 0


def test_no_ceasefire():
    out = ceasefire_outcomes([0, 0], [0, 0], [-1, -1], 0, IDS)
    assert out["ceasefire_reached"] is False and out["first_broker"] is None and out["brokers"] == []


def test_coalition_helpers():
    minimum = {"energy": -4.0, "coalitions": [["ARM", "RUS"], ["AZE"]]}
    assert coalition_of(minimum["coalitions"]) == {"ARM": 0, "RUS": 0, "AZE": 1}
    assert coalition_label(minimum) == "ARM RUS | AZE"
