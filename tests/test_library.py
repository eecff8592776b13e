"""The scenario library: every bundled scenario validates and runs, and teaches the point it is meant to.

The classics are checked against closed forms or the answers their comments work out by hand; the
what-ifs by the direction of their effect against the baseline, with the same seeds (common random
numbers); history-2020 against its own claims (dated notes, no scripted outcome, the figures it quotes).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sim.core.engine import Simulation
from sim.core.fields import FIELDS
from sim.core.outcomes import run_coalitions
from sim.experiments import Experiment, conduct, run_seeds
from sim.scenario import bundled, load

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = {name: path for name, _, path in bundled()}
GROUPS = ("baseline", "history-", "whatif-", "classic-")
WHATIFS = sorted(n for n in LIBRARY if n.startswith("whatif-"))


def simulate(scenario, runs: int, steps: int | None = None) -> Simulation:
    """``runs`` runs of ``scenario`` with the seeds an ensemble of it uses."""
    rngs = [np.random.default_rng(s) for s in run_seeds(scenario.seed, runs)]
    simulation = Simulation(scenario, rngs, record_contributions=False)
    return simulation.run(steps)


def final(simulation: Simulation, field: str) -> np.ndarray:
    """``(runs, n_actors)`` values of a field on the last day."""
    return simulation.history.array("fields")[-1][:, FIELDS.index(field)]


def rule_params(scenario, rule: str) -> dict:
    return dict(next(r for r in scenario.rules if r.rule == rule).params)


# --------------------------------------------------------------------------------- every scenario

@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_bundled_scenario_validates_and_runs_a_few_steps(name):
    scenario = load(name)
    assert scenario.name == name == LIBRARY[name].stem
    assert name == "baseline" or name.startswith(GROUPS[1:]), f"{name}: no group prefix of {GROUPS}"
    assert scenario.title and scenario.title != name
    simulation = Simulation(scenario, [np.random.default_rng(1), np.random.default_rng(2)])
    simulation.run(3)
    assert simulation.steps == 3
    fields = simulation.history.array("fields")
    assert fields.shape == (4, 2, len(FIELDS), len(scenario.actors))
    assert np.isfinite(fields).all()


def test_the_library_has_the_what_ifs_and_classics_the_lessons_need():
    assert {"baseline", "history-2020"} <= set(LIBRARY)
    assert {"whatif-russia-defends-karabakh", "whatif-turkey-pakistan-out", "whatif-minsk-united",
            "whatif-iran-mediates", "whatif-eu-silent", "whatif-stronger-azerbaijan",
            "whatif-weaker-azerbaijan"} <= set(WHATIFS)
    assert {"classic-balance-camps", "classic-balance-harmony", "classic-arms-race-stable",
            "classic-arms-race-runaway", "classic-stubborn-opinions", "classic-landscape-coalitions"} <= set(LIBRARY)


def test_the_classics_teach_one_model_each_without_a_battlefield():
    classics = [name for name in LIBRARY if name.startswith("classic-")]
    assert len(classics) == 6
    for name in classics:
        scenario = load(name)
        assert len({s.rule for s in scenario.rules}) <= 1, name      # the landscape classic needs none
        assert not {s.rule for s in scenario.rules} & {"battlefield", "war_aims"}, name
        assert all(a.territory == a.losses == 0 for a in scenario.actors), name


@pytest.mark.parametrize("name", WHATIFS)
def test_a_what_if_is_a_few_lines_over_the_baseline_posing_a_question(name):
    text = LIBRARY[name].read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw["scenario"]["extends"] == "baseline"
    assert "?" in raw["scenario"]["description"] and raw["scenario"]["title"].startswith("What if")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) <= 45, f"{name}: {len(lines)} lines is more than a few"
    assert not raw.get("events"), "a what-if changes the starting world, not the course of events"
    body = {k: v for k, v in load(name).to_dict().items() if k != "scenario"}
    assert body != {k: v for k, v in load("baseline").to_dict().items() if k != "scenario"}, "it changes something"


# ------------------------------------------------------------------------------- balance classics

def camps_if_balanced(weight: np.ndarray, active: np.ndarray, source: np.ndarray, target: np.ndarray,
                      n: int) -> list[set[int]] | None:
    """Cartwright-Harary: the two camps of a balanced signed complete graph, or None if imbalanced."""
    sign = np.zeros((n, n))
    sign[source[active], target[active]] = np.sign(weight[active])
    sign = sign + sign.T
    first = {0} | {j for j in range(1, n) if sign[0, j] > 0}
    for i, j in itertools.combinations(range(n), 2):
        if sign[i, j] != (1 if (i in first) == (j in first) else -1):
            return None
    return [first, set(range(n)) - first] if len(first) < n else [first]


def balance_endings(name: str, runs: int) -> list[list[set[int]] | None]:
    scenario = load(name)
    simulation = simulate(scenario, runs)
    top = simulation.world.topology
    return [camps_if_balanced(simulation.world.weight[r], simulation.world.active[r], top.tie_source,
                              top.tie_target, top.n_actors) for r in range(runs)]


def test_balance_classic_starts_as_its_comment_says():
    scenario = load("classic-balance-camps")
    n = len(scenario.actors)
    assert len(scenario.ties) == n * (n - 1) // 2 == 21, "every pair is tied"
    assert sum(t.weight > 0 for t in scenario.ties) == 9
    sign = {frozenset(t.actors): np.sign(t.weight) for t in scenario.ties}
    imbalanced = sum(sign[frozenset((a, b))] * sign[frozenset((a, c))] * sign[frozenset((b, c))] < 0
                     for a, b, c in itertools.combinations(scenario.actor_ids, 3))
    assert imbalanced == 20
    assert rule_params(scenario, "balance")["p"] < 0.5 < rule_params(load("classic-balance-harmony"), "balance")["p"]
    assert [s.rule for s in scenario.rules] == ["balance"]


def test_balance_with_p_below_one_half_settles_into_two_camps():
    endings = balance_endings("classic-balance-camps", 100)
    assert all(e is not None for e in endings), "every run ends balanced (Cartwright-Harary camps)"
    two = [e for e in endings if len(e) == 2]
    assert len(two) >= 95
    assert len({frozenset(map(frozenset, e)) for e in two}) > 10, "which camps form is chance"


def test_balance_with_p_above_one_half_ends_all_friendly():
    endings = balance_endings("classic-balance-harmony", 100)
    assert all(e is not None for e in endings)
    assert sum(len(e) == 1 for e in endings) >= 95, "harmony (every tie friendly) in almost every run"


def test_the_balance_comments_state_the_figures_of_500_runs():
    camps, harmony = balance_endings("classic-balance-camps", 500), balance_endings("classic-balance-harmony", 500)
    assert all(e is not None for e in camps + harmony)
    assert sum(len(e) == 2 for e in camps) == 497, "update the comment of classic-balance-camps.toml"
    assert len({frozenset(map(frozenset, e)) for e in camps if len(e) == 2}) == 63
    blocs = {frozenset({0, 2, 4, 6}), frozenset({1, 3, 5})}          # ARC CAR ELB GRA | BOR DRA FRE
    assert sum(set(map(frozenset, e)) == blocs for e in camps) == 20   # 4 %
    assert sum(len(e) == 1 for e in harmony) == 491, "update the comment of classic-balance-harmony.toml"


# ---------------------------------------------------------------------------- arms-race classics

def richardson(params: dict) -> tuple[float, float, float]:
    """Closed forms: the equilibrium (x*, y*) and the largest eigenvalue of the linear system."""
    (kx, ky), (ax, ay), (gx, gy) = params["defense"], params["fatigue"], params["grievance"]
    det = ax * ay - kx * ky
    largest = (-(ax + ay) + np.sqrt((ax - ay) ** 2 + 4 * kx * ky)) / 2
    return (ay * gx + kx * gy) / det, (ax * gy + ky * gx) / det, largest


def test_stable_arms_race_converges_to_richardsons_equilibrium():
    scenario = load("classic-arms-race-stable")
    params = rule_params(scenario, "escalation")
    (kx, ky), (ax, ay) = params["defense"], params["fatigue"]
    assert ax * ay > kx * ky and params["backing"] == 0 and params["ceasefire_damping"] == 0
    x_star, y_star, largest = richardson(params)
    assert (x_star, y_star) == pytest.approx((1.0, 2.0)), "the hand-worked answer in the file's comments"
    assert largest == pytest.approx(-0.2)
    intensity = final(simulate(scenario, 1), "intensity")[0]
    assert intensity == pytest.approx([x_star, y_star], abs=1e-5)


def test_runaway_arms_race_is_one_number_apart_and_grows_without_bound():
    stable, runaway = load("classic-arms-race-stable"), load("classic-arms-race-runaway")
    a, b = rule_params(stable, "escalation"), rule_params(runaway, "escalation")
    differ = {k for k in a if a[k] != b[k]}
    assert differ == {"defense"} and a["defense"][0] == b["defense"][0], "only k_y differs"
    (kx, ky), (ax, ay) = b["defense"], b["fatigue"]
    assert ax * ay < kx * ky
    *_, largest = richardson(b)
    assert largest == pytest.approx(0.1)
    series = simulate(runaway, 1).run(140).history.array("fields")[:, 0, FIELDS.index("intensity")]
    x, y = series[:, 0], series[:, 1]
    assert (np.diff(series[2:], axis=0) > 0).all(), "both keep growing"
    for bound in (1e3, 1e6, 1e8):
        assert (series[-1] > bound).all()
    assert x[-1] / x[-2] == pytest.approx(1 + largest, rel=1e-8), "growth by 1 + the largest eigenvalue a day"
    assert y[-1] / x[-1] == pytest.approx((largest + ax) / kx, rel=1e-8), "along the eigenvector (1, 3)"
    assert series[60] == pytest.approx([510.68, 1532.25], abs=0.01), "the day-60 figures of the comment"


@pytest.mark.parametrize("name, before, after", [
    ("whatif-stronger-azerbaijan", (1.0, 1.5), (1.64, 3.09)),
    ("whatif-weaker-azerbaijan", (1.0, 1.5), (0.6, 0.5)),
])
def test_the_strength_what_ifs_move_richardsons_equilibrium_as_their_comments_say(name, before, after):
    assert richardson(rule_params(load("baseline"), "escalation"))[:2] == pytest.approx(before)
    assert richardson(rule_params(load(name), "escalation"))[:2] == pytest.approx(after, abs=0.005)


# ------------------------------------------------------------------------------ stubborn opinions

def line_weights(n: int) -> np.ndarray:
    """W of delegates seated in a row who listen to their neighbours with equal weight."""
    w = np.zeros((n, n))
    for i in range(n - 1):
        w[i, i + 1] = w[i + 1, i] = 1.0
    return w / w.sum(axis=1, keepdims=True)


def friedkin_johnsen_end(scenario) -> np.ndarray:
    x0 = np.array([a.alignment for a in scenario.actors])
    lam = np.diag([1 - a.stubbornness for a in scenario.actors])
    n = len(x0)
    return np.linalg.solve(np.eye(n) - lam @ line_weights(n), (np.eye(n) - lam) @ x0)


def test_stubborn_classic_is_a_row_of_equal_neighbours():
    scenario = load("classic-stubborn-opinions")
    ids = scenario.actor_ids
    assert sorted(tuple(sorted((ids.index(t.source), ids.index(t.target)))) for t in scenario.ties) \
        == [(i, i + 1) for i in range(len(ids) - 1)]
    assert {t.weight for t in scenario.ties} == {1.0} and {a.capability for a in scenario.actors} == {1.0}
    assert [s.rule for s in scenario.rules] == ["influence"]


@pytest.mark.parametrize("overrides", [
    (),
    ("actors.BOR.alignment=-0.2", "actors.CAR.alignment=0.1", "actors.DRA.alignment=0.6",
     "actors.BOR.stubbornness=0.3", "actors.CAR.stubbornness=0.6", "actors.DRA.stubbornness=0.2",
     "actors.ELB.stubbornness=0.9"),
    ("actors.CAR.alignment=0.4", "actors.CAR.stubbornness=1"),
    ("actors.ELB.stubbornness=0",),
], ids=["as-bundled", "uneven", "stubborn-neutral", "elbonia-listens"])
def test_stubborn_opinions_end_at_the_friedkin_johnsen_fixed_point(overrides):
    scenario = load("classic-stubborn-opinions", overrides)
    end = final(simulate(scenario, 1), "alignment")[0]
    assert end == pytest.approx(friedkin_johnsen_end(scenario), abs=1e-6)


def test_stubborn_ends_keep_the_committee_divided_as_worked_by_hand():
    scenario = load("classic-stubborn-opinions")
    end = final(simulate(scenario, 1), "alignment")[0]
    assert end == pytest.approx([-1, -0.25, 0, 0.25, 1], abs=1e-6)
    assert end.max() - end.min() == pytest.approx(2.0), "no consensus, ever"


def test_without_stubborn_actors_the_committee_agrees_as_degroot_says():
    ids = load("classic-stubborn-opinions").actor_ids
    scenario = load("classic-stubborn-opinions", [f"actors.{a}.stubbornness=0" for a in ids]
                    + ["actors.BOR.alignment=0.6"])
    end = final(simulate(scenario, 1), "alignment")[0]
    x0 = np.array([a.alignment for a in scenario.actors])
    degree = np.array([1, 2, 2, 2, 1])
    assert end == pytest.approx(np.full(5, degree @ x0 / degree.sum()), abs=1e-4)
    assert end[0] == pytest.approx(0.15, abs=1e-4)


# -------------------------------------------------------------------------------- landscape classic

SPLIT = re.compile(r"^#\s+\{([A-Z ]+)\}(?:\s*\|\s*\{([A-Z ]+)\})?\s.*?E =\s*([+-]?\d+(?:\.\d+)?)(\s+minimum)?\s*$")


def hand_worked_splits() -> list[tuple[frozenset, frozenset, float, bool]]:
    """The table of splits in the comments of classic-landscape-coalitions.toml."""
    found = []
    for line in LIBRARY["classic-landscape-coalitions"].read_text(encoding="utf-8").splitlines():
        match = SPLIT.match(line)
        if match:
            first, second, energy, minimum = match.groups()
            found.append((frozenset(first.split()), frozenset((second or "").split()), float(energy),
                          bool(minimum)))
    return found


def test_the_hand_worked_energies_of_the_landscape_comment_are_right():
    scenario = load("classic-landscape-coalitions")
    size = {a.id: a.capability for a in scenario.actors}
    propensity = {frozenset(t.actors): t.weight for t in scenario.ties}
    splits = hand_worked_splits()
    assert len(splits) == 2 ** (len(scenario.actors) - 1) == 8
    assert len({frozenset((a, b)) for a, b, _, _ in splits}) == 8, "every split once"
    for first, second, energy, _ in splits:
        apart = sum(size[i] * size[j] * propensity.get(frozenset((i, j)), 0.0) for i in first for j in second)
        assert energy == pytest.approx(2 * apart), f"{sorted(first)} | {sorted(second)}"


def test_landscape_minima_equal_the_hand_worked_ones():
    scenario = load("classic-landscape-coalitions")
    expected = sorted((energy, first, second) for first, second, energy, minimum in hand_worked_splits() if minimum)
    simulation = simulate(scenario, 1)
    found = sorted((m["energy"], frozenset(m["coalitions"][0]), frozenset(m["coalitions"][1]))
                   for m in run_coalitions(simulation, -1, 0, most=8))
    assert found == expected
    assert [e for e, _, _ in found] == [-2.0, -1.0]


# ------------------------------------------------------------------------ what-ifs against baseline

RUNS = 100


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    """The summary of RUNS runs of a scenario (the seeds of the baseline's seed), as `dipsim ensemble` writes it."""
    done: dict[str, dict] = {}
    folder = tmp_path_factory.mktemp("ensembles")

    def summary(name: str) -> dict:
        if name not in done:
            scenario = load(name)
            done[name] = conduct(Experiment.ensemble(scenario, RUNS), folder / name, workers=1)
        return done[name]

    return summary


def share(summary: dict, outcome: str) -> float:
    return summary["probabilities"][outcome]["p"]


def taken(name: str) -> float:
    """The median share of the contested area Azerbaijan holds at the end of RUNS runs."""
    scenario = load(name)
    return float(np.median(final(simulate(scenario, RUNS), "territory")[:, scenario.actor_ids.index("AZE")]))


def lasting(overrides) -> tuple[float, float]:
    """The shares of 300 runs of the baseline (with ``overrides``) that reach a ceasefire and end in one."""
    spans = simulate(load("baseline", overrides), 300).history.spans
    return np.mean([bool(s) for s in spans]), np.mean([bool(s) and s[-1].end is None for s in spans])


def test_what_ifs_share_the_baselines_seeds():
    for name in WHATIFS:
        assert load(name).seed == load("baseline").seed


def test_in_the_baseline_azerbaijan_advances_and_a_ceasefire_comes_in_every_run(ensemble):
    base = ensemble("baseline")
    assert share(base, "ceasefire_reached") == 1.0 and 0.4 < share(base, "lasting_ceasefire") < 0.75
    assert 0.15 < taken("baseline") < 0.35


@pytest.mark.parametrize("rule, key", [("mediation", "threshold"), ("mediation", "leverage"),
                                       ("mediation", "stiffening"), ("war_aims", "price"), ("battlefield", "defence")])
def test_the_baseline_is_not_on_a_knife_edge(rule, key):
    """A tenth more or less of any of these judgements leaves a ceasefire in nine runs in ten or more and
    moves the share that ends in one by less than a quarter (the threshold moves both most: a tenth higher,
    and a ceasefire comes in about 91% of 300 runs, one lasts in 21% instead of 37%; the baseline used to
    swing from three runs in five reaching a ceasefire to one in twenty when the EU fell silent)."""
    value = rule_params(load("baseline"), rule)[key]
    base = lasting([])
    for factor in (0.9, 1.1):
        reached, ends = lasting([f"rules.{rule}.{key}={max(value * factor, 1.0 if key == 'defence' else 0.0)}"])
        assert reached >= 0.9 and abs(ends - base[1]) < 0.25, (factor, reached, ends, base)


def test_turkey_and_pakistan_staying_out_leave_azerbaijan_advancing_less_and_readier_to_stop(ensemble):
    base, out = ensemble("baseline"), ensemble("whatif-turkey-pakistan-out")
    assert taken("whatif-turkey-pakistan-out") < taken("baseline") - 0.15
    assert share(out, "lasting_ceasefire") > share(base, "lasting_ceasefire")
    assert out["first_ceasefire_day"]["median"] < base["first_ceasefire_day"]["median"] - 10


def test_a_russian_guarantee_for_karabakh_stops_the_advance_and_russia_no_longer_brokers(ensemble):
    base, guarantee = ensemble("baseline"), ensemble("whatif-russia-defends-karabakh")
    assert taken("whatif-russia-defends-karabakh") < 0.1 < taken("baseline")
    assert guarantee["first_ceasefire_day"]["median"] < base["first_ceasefire_day"]["median"]
    assert guarantee["brokers"].get("RUS", 0.0) < base["brokers"].get("RUS", 0.0) / 2   # a party, not a broker


def test_united_co_chairs_bring_ceasefires_sooner_and_share_the_credit(ensemble):
    base, united = ensemble("baseline"), ensemble("whatif-minsk-united")
    assert united["first_ceasefire_day"]["median"] < base["first_ceasefire_day"]["median"] - 10
    assert share(united, "lasting_ceasefire") > share(base, "lasting_ceasefire")
    assert "USA" not in base["brokers"] and united["brokers"].get("USA", 0.0) > 0.1    # Washington leads some


def test_iran_leading_the_mediation_makes_iran_the_broker(ensemble):
    base, iran = ensemble("baseline"), ensemble("whatif-iran-mediates")
    assert "IRN" not in base["brokers"]
    assert max(iran["brokers"], key=iran["brokers"].get) == "IRN"


def test_a_silent_eu_changes_little_as_it_brokers_nothing(ensemble):
    base, silent = ensemble("baseline"), ensemble("whatif-eu-silent")
    assert "EU" not in base["brokers"]
    assert share(silent, "ceasefire_reached") == share(base, "ceasefire_reached")
    assert abs(share(silent, "lasting_ceasefire") - share(base, "lasting_ceasefire")) < 0.1


def test_a_stronger_azerbaijan_takes_more_and_is_slower_to_stop_and_a_weaker_one_the_reverse(ensemble):
    base, stronger, weaker = (ensemble(n) for n in ("baseline", "whatif-stronger-azerbaijan",
                                                    "whatif-weaker-azerbaijan"))
    day = {name: summary["first_ceasefire_day"]["median"] for name, summary in
           (("base", base), ("stronger", stronger), ("weaker", weaker))}
    assert taken("whatif-weaker-azerbaijan") < taken("baseline") < taken("whatif-stronger-azerbaijan") - 0.2
    assert day["weaker"] < day["base"] - 10 and day["stronger"] > day["base"] + 5       # the winner's reluctance
    assert share(stronger, "lasting_ceasefire") < share(base, "lasting_ceasefire")


# ---------------------------------------------------------------------------------- history-2020

START = {"Sep": -27, "Oct": 3, "Nov": 34}          # day 0 is 27 September 2020


def dated(note: str) -> tuple[int, int] | None:
    """The first and last day of the date a note starts with ('9-10 Oct: ...', '30 Sep - 2 Oct: ...')."""
    head = note.split(":", 1)[0]
    if not re.fullmatch(r"(about )?\d{1,2}( (Sep|Oct|Nov))?( ?- ?\d{1,2})? (Sep|Oct|Nov)( \(judgement\))?", head):
        return None
    tokens = re.findall(r"\d{1,2}|Sep|Oct|Nov", head)
    days = []
    for k, token in enumerate(tokens):
        if token.isdigit():
            month = next(t for t in tokens[k + 1:] if not t.isdigit())
            days.append(START[month] + int(token))
    return days[0], days[-1]


def test_dates_are_read_as_days_after_27_september():
    assert dated("27 Sep: x") == (0, 0) and dated("10 Oct: x") == (13, 13) and dated("10 Nov: x") == (44, 44)
    assert dated("30 Sep - 2 Oct: x") == (3, 5) and dated("9-10 Oct: x") == (12, 13)
    assert dated("about 14 Oct: x") == (17, 17) and dated("21 Oct (judgement): x") == (24, 24)
    assert dated("Erdogan pledges: x") is None


def test_history_dates_every_event_on_its_day_and_scripts_no_outcome():
    scenario = load("history-2020")
    own = tomllib.loads(LIBRARY["history-2020"].read_text(encoding="utf-8"))["events"]
    assert len(own) == len(scenario.events) >= 30
    for event in scenario.events:
        assert event.action not in ("declare_ceasefire", "end_ceasefire"), event.id
        span = dated(event.note)
        assert span, f"{event.id}: the note should start with its date: {event.note!r}"
        assert span[0] <= event.step <= span[1], f"{event.id}: step {event.step}, but the note says {span}"
    assert scenario.rules == load("baseline").rules, "the baseline's rules, untuned"


def october_and_november(name: str, overrides=()) -> dict:
    """What RUNS runs of 50 days show of the record's shape: October's truces, November's ceasefire, the
    leading broker and how much of the contested area Azerbaijan holds on days 20 and 43."""
    scenario = load(name, list(overrides))
    simulation = simulate(scenario, RUNS, 50)
    spans = simulation.history.spans
    october = [[c for c in s if 4 <= c.start <= 34] for s in spans]
    held = simulation.history.array("fields")[:, :, FIELDS.index("territory"), scenario.actor_ids.index("AZE")]
    return {
        "two_broken": np.mean([sum(c.end is not None and c.end <= 34 for c in cs) >= 2 for cs in october]),
        "under_pressure": np.mean([c.came == "pressure" for cs in october for c in cs] or [0.0]),
        "november_holds": np.mean([any(35 <= c.start <= 49 and (c.end is None or c.end > 49) for c in s)
                                   for s in spans]),
        "broker": Counter(c.broker for s in spans for c in s).most_common(1)[0][0],
        "held": (float(np.median(held[20])), float(np.median(held[43]))),
    }


def test_history_makes_october_truces_fail_and_a_november_one_hold_from_the_rules():
    history = october_and_november("history-2020")
    baseline = october_and_november("baseline", ["scenario.steps=50"])
    # the rounds of talks get truces signed under pressure that break; without them, few come and break
    assert history["two_broken"] > 0.8 > 0.3 > baseline["two_broken"]
    assert history["under_pressure"] > 0.8 > 0.2 > baseline["under_pressure"]
    assert history["november_holds"] > 0.6 and history["november_holds"] > baseline["november_holds"] + 0.15
    assert history["broker"] == "RUS"
    # the battlefield comes out of the rules: Jabrayil, Fuzuli and part of Hadrut by day 20, Shusha by day 43
    assert 0.15 <= history["held"][0] <= 0.30 and 0.30 <= history["held"][1] <= 0.50


def test_history_scripts_no_battlefield_result():
    scenario = load("history-2020")
    assert not [e.id for e in scenario.events if e.field in ("intensity", "territory", "losses")]
    assert [s.rule for s in scenario.rules if s.rule in ("battlefield", "war_aims")] == ["battlefield", "war_aims"]


def test_the_history_figures_in_the_scenario_are_those_the_doc_computes():
    comment = LIBRARY["history-2020"].read_text(encoding="utf-8")
    block = comment.split("# FIGURES-BEGIN\n", 1)[1].split("# FIGURES-END", 1)[0]
    in_scenario = [re.split(r"\s{2,}record:", line.lstrip("# ").rstrip())[0] for line in block.splitlines()]
    doc = (ROOT / "docs" / "history-2020.md").read_text(encoding="utf-8")
    printed = [line.split("# prints:", 1)[1].strip() for line in doc.splitlines() if line.startswith("# prints:")]
    assert len(in_scenario) == 13
    missing = [line for line in in_scenario if line not in printed]
    assert not missing, f"figures in history-2020.toml that docs/history-2020.md does not print: {missing}"
