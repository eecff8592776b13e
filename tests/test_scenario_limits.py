"""Issue 9: nothing in a scenario is unbounded, and bad input gets one line (ScenarioError), never a traceback.

Every number, count, text and file a scenario can give has a bound; paths stay in the scenario's folder and
name regular files; ids match whole; merging and validating cost time linear in the entries; --set
mistakes blame the --set; nesting too deep for the TOML reader is a mistake like any other.
"""

import math
import os

import pytest
from click.testing import CliRunner
from test_scenario import TINY, write

from sim.cli import main
from sim.rules import REGISTRY
from sim.scenario import ScenarioError, limits, load, loading, loads, validate

EVENT = '\n[[events]]\nid = "e"\nstep = 2\naction = "shift"\nactor = "TUR"\nfield = "{field}"\nby = {by}\nnote = "n"\n'


def failure(action):
    """The ScenarioError ``action()`` raises (the test fails if it raises none)."""
    with pytest.raises(ScenarioError) as info:
        action()
    return info.value


def set_failure(ref, *assignments):
    """The ScenarioError of loading ``ref`` with ``--set`` assignments; it must blame the last one."""
    err = failure(lambda: load(ref, assignments))
    assert err.where == f"--set {assignments[-1]}", str(err)
    return err


def nested(depth):
    return "[" * depth + "]" * depth


def more_actors(count):
    """``count`` more [[actors]] tables, X0, X1, ..."""
    return "".join(f'\n[[actors]]\nid = "X{i}"\nalignment = 0.0\nceasefire = 0.0\ncapability = 0.0\n'
                   f'stubbornness = 0.0\n' for i in range(count))


# ------------------------------------------------------------------------------------- numbers

def test_every_numeric_rule_parameter_has_finite_bounds():
    for rule in REGISTRY.values():
        for key, param in rule.params.items():
            if param.kind in ("number", "pair", "integer"):
                assert math.isfinite(param.lo) and math.isfinite(param.hi), f"{rule.name}.{key}"


@pytest.mark.parametrize("updates", ["99999999999999999999", "100000000"])
def test_balance_updates_are_bounded(updates):
    err = set_failure("baseline", f"rules.balance.updates={updates}")
    assert err.field == "rules.balance.updates" and "[0, 10000]" in err.message


def test_a_bad_set_is_one_line_on_the_command_line():
    result = CliRunner().invoke(main, ["validate", "baseline", "--set", "rules.balance.updates=99999999999999999999"])
    assert result.exit_code == 2
    assert result.output == ("dipsim: --set rules.balance.updates=99999999999999999999: rules.balance.updates: "
                             "expected a whole number in [0, 10000], got 99999999999999999999\n")


@pytest.mark.parametrize("text, field", [
    (TINY.replace("intensity = 1.0", "intensity = 1e308", 1), "actors.ARM.intensity"),
    (TINY + EVENT.format(field="intensity", by="1.7e308"), "events.e.by"),
    (TINY + EVENT.format(field="alignment", by="2.5"), "events.e.by"),       # wider than the field's range
    (TINY + EVENT.format(field="alignment", by="0.1").replace("step = 2\n", "")
     + 'when = {measure = "breakdowns", op = ">", value = 1e300}\n', "events.e.when.value"),
    (TINY.replace("rate = 0.1", "rate = 0.1\n\n[[rules]]\nrule = \"escalation\"\ndefense = [1e300, 0.1]"),
     "rules.escalation.defense"),
    (TINY.replace("threshold = 0.7", "threshold = 0.7\nhurting = 1e300"), "rules.mediation.hurting"),
])
def test_huge_numbers_are_refused(tmp_path, text, field):
    path = write(tmp_path, "huge.toml", text)
    err = failure(lambda: load(path))
    assert (err.where, err.field) == (str(path), field)


def test_an_event_may_come_after_the_last_day_but_not_after_the_longest_run():
    event = TINY + EVENT.format(field="alignment", by="0.1")
    assert loads(event.replace("step = 2", "step = 100000")).events[0].step == 100_000
    assert load("history-2020", ["scenario.steps=10"]).steps == 10
    assert failure(lambda: loads(event.replace("step = 2", "step = 100001"))).field == "events.e.step"


def test_days_times_actors_are_bounded():
    err = set_failure("baseline", "scenario.steps=100000")
    assert err.field == "scenario.steps" and "71428" in err.message
    assert load("baseline", ["scenario.steps=71428"]).steps == 71428


@pytest.mark.parametrize("section, most", sorted(limits.MAX_ENTRIES.items()))
def test_the_number_of_entries_is_bounded(section, most):
    raw = load("baseline").to_dict()
    raw[section] = [{}] * (most + 1)
    err = failure(lambda: validate(raw, {}, "<test>"))
    assert err.field == section and f"at most {most}" in err.message


@pytest.mark.parametrize("old, new, field", [
    ('name = "tiny"', f'name = "{"n" * 65}"', "scenario.name"),
    ('steps = 5', f'steps = 5\ntitle = "{"t" * 201}"', "scenario.title"),
    ('steps = 5', f'steps = 5\ndescription = "{"d" * 10_001}"', "scenario.description"),
    ('id = "TUR"', f'id = "TUR"\nname = "{"n" * 201}"', "actors.TUR.name"),
    ('id = "TUR"', f'id = "TUR"\nsources = ["{"q" * 10_001}"]', "actors.TUR.sources"),
])
def test_texts_are_bounded(tmp_path, old, new, field):
    path = write(tmp_path, "long.toml", TINY.replace(old, new, 1))
    err = failure(lambda: load(path))
    assert err.field == field and "at most" in err.message


def test_a_long_value_is_shown_short():
    err = set_failure("baseline", f"actors.TUR.alignment={'x' * 100_000}")
    assert err.field == "actors.TUR.alignment" and len(str(err)) < 500


def test_a_long_list_of_actors_is_shown_short(tmp_path):
    path = write(tmp_path, "many.toml", TINY.replace('to = "AZE"', 'to = "GEO"') + more_actors(1000))
    err = failure(lambda: load(path))
    assert err.field == "ties.RUS>GEO.to" and "X0" in err.message and len(str(err)) < 500


def test_a_rule_lists_each_name_once():
    err = set_failure("baseline", 'rules.noise.fields=["alignment", "alignment"]')
    assert err.field == "rules.noise.fields"


# -------------------------------------------------------------------------------------- files

def test_a_scenario_file_is_size_limited(tmp_path):
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)
    err = failure(lambda: load(path))
    assert err.where == str(path) and "MiB" in err.message
    assert "MiB" in failure(lambda: loads("#" * (limits.MAX_FILE_BYTES + 1))).message


def test_a_source_is_size_limited(tmp_path):
    (tmp_path / "big.txt").write_text("x" * (limits.MAX_SOURCE_BYTES + 1))
    path = write(tmp_path, "s.toml", TINY.replace("steps = 5", 'steps = 5\nsource = "big.txt"'))
    err = failure(lambda: load(path))
    assert (err.where, err.field) == (str(path), "scenario.source") and "MiB" in err.message


@pytest.mark.parametrize("source", ["/etc/passwd", "../outside.txt", "sub/../../outside.txt"])
def test_a_source_stays_in_the_scenario_folder(tmp_path, source):
    (tmp_path / "outside.txt").write_text("Ankara")
    (tmp_path / "in").mkdir()
    path = write(tmp_path / "in", "s.toml", TINY.replace("steps = 5", f'steps = 5\nsource = "{source}"'))
    err = failure(lambda: load(path))
    assert (err.where, err.field) == (str(path), "scenario.source")
    assert "inside the scenario's folder" in err.message


@pytest.mark.parametrize("source", ["/dev/zero", "/etc/passwd", "../../../../../../../etc/passwd"])
def test_a_set_source_cannot_leave_the_scenario_folder(source):
    err = set_failure("baseline", f"scenario.source={source}")
    assert err.field == "scenario.source" and "inside the scenario's folder" in err.message


def test_a_set_source_is_relative_to_the_scenario_folder():
    scn = load("baseline", ["scenario.source=sources/article-2020-09-28.txt"])
    assert scn == load("baseline")


def test_a_fifo_source_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    path = write(tmp_path, "s.toml", TINY)
    err = set_failure(path, "scenario.source=pipe.txt")
    assert err.field == "scenario.source" and "not a regular file" in err.message


# ---------------------------------------------------------------------------------------- ids

@pytest.mark.parametrize("old, new, field", [
    ('name = "tiny"', 'name = "evil\\n"', "scenario.name"),
    ('id = "TUR"', 'id = "TUR\\n"', "actors.TUR\n.id"),
    ('[[ties]]\nactors = ["RUS", "ARM"]', '[[ties]]\nid = "a.b"\nactors = ["RUS", "ARM"]', "ties.a.b.id"),
    ('rule = "influence"', 'rule = "influence"\nid = "in\\n"', "rules.in\n.id"),
])
def test_ids_match_whole(tmp_path, old, new, field):
    path = write(tmp_path, "id.toml", TINY.replace(old, new, 1))
    assert failure(lambda: load(path)).field == field


def test_an_event_id_matches_whole(tmp_path):
    text = TINY + EVENT.format(field="alignment", by="0.1").replace('id = "e"', 'id = "e\\n"')
    assert failure(lambda: loads(text)).field == "events.e\n.id"


# -------------------------------------------------------------------------------------- speed

def test_merging_looks_each_key_up_once(monkeypatch, tmp_path):
    calls = 0
    entry_key = loading._entry_key

    def counted(section, entry):
        nonlocal calls
        calls += 1
        return entry_key(section, entry)

    monkeypatch.setattr(loading, "_entry_key", counted)
    ties = "".join(f'\n[[ties]]\nactors = ["ARM", "X{i}"]\nkind = "alliance"\nweight = 0.1\n' for i in range(400))
    write(tmp_path, "wide.toml", TINY + more_actors(400) + ties)
    child = write(tmp_path, "child.toml", '[scenario]\nextends = "wide.toml"\n\n[[ties]]\nactors = ["X1", "ARM"]\n'
                  'remove = true\n\n[[actors]]\nid = "X7"\nalignment = 0.5\n')
    assert len(load(child, ["ties.ARM-X2.weight=0.2"] * 50).ties) == 402
    assert calls < 5 * 800


def test_twenty_thousand_ties_validate():
    ties = "".join(f'\n[[ties]]\nactors = ["X{i}", "X{(i + k) % 5000}"]\nkind = "partnership"\nweight = 0.5\n'
                   for k in range(1, 5) for i in range(5000))
    scn = loads(TINY + more_actors(5000) + ties)
    assert (len(scn.actors), len(scn.ties)) == (5004, 20_003)
    assert scn.actor("X4999").id == "X4999"


# ------------------------------------------------------------------------------- --set blame

@pytest.mark.parametrize("assignment, field", [
    ("events.e.when.value=1", "events.e.when"),                  # a table the --set creates
    ("actors.TUR.id=GEO", "actors.TUR.id"),                      # renaming an entry
    ('ties.ARM-RUS.actors=["ARM", "TUR"]', "ties.ARM-RUS.actors"),
    ("rules.mediation.rule=noise", "rules.mediation.rule"),
])
def test_a_set_mistake_blames_the_set(tmp_path, assignment, field):
    path = write(tmp_path, "tiny.toml", TINY + EVENT.format(field="alignment", by="0.1"))
    err = set_failure(path, assignment)
    assert err.field.startswith(field)


def test_a_set_source_blames_the_set_for_missing_quotations(tmp_path):
    write(tmp_path, "article.txt", "Ankara vowed full support to Baku.")
    write(tmp_path, "other.txt", "Nothing here.")
    text = TINY.replace("steps = 5", 'steps = 5\nsource = "article.txt"')
    for head in ('id = "ARM"', 'id = "AZE"', 'id = "TUR"', 'id = "RUS"', 'actors = ["ARM", "AZE"]',
                 'actors = ["RUS", "ARM"]', 'to = "AZE"'):
        text = text.replace(head, head + '\nsources = ["Ankara"]')
    path = write(tmp_path, "quoted.toml", text)
    assert load(path).actor("TUR").sources == ("Ankara",)
    err = set_failure(path, "scenario.source=other.txt")
    assert err.field == "actors.ARM.sources"


# ------------------------------------------------------------------------------------ nesting

def test_a_long_extends_chain_is_one_line(tmp_path):
    write(tmp_path, "s0.toml", TINY)
    for i in range(1, 500):
        write(tmp_path, f"s{i}.toml", f'[scenario]\nextends = "s{i - 1}.toml"\n')
    err = failure(lambda: load(tmp_path / "s499.toml"))
    assert err.field == "scenario.extends" and str(limits.MAX_EXTENDS) in err.message
    assert load(tmp_path / f"s{limits.MAX_EXTENDS - 1}.toml").name == "tiny"


def test_deep_nesting_in_a_file_is_one_line(tmp_path):
    path = write(tmp_path, "deep.toml", TINY.replace('id = "TUR"', f'id = "TUR"\nsources = {nested(500)}'))
    err = failure(lambda: load(path))
    assert err.where == str(path) and "nested too deeply" in err.message


def test_deep_nesting_in_a_set_is_one_line():
    err = set_failure("baseline", f"actors.TUR.sources={nested(500)}")
    assert "nested too deeply" in err.message


def test_an_integer_too_long_to_read_is_one_line(tmp_path):
    path = write(tmp_path, "digits.toml", TINY.replace("steps = 5", f"steps = {'9' * 5000}"))
    assert failure(lambda: load(path)).where == str(path)
    assert set_failure("baseline", f"scenario.steps={'9' * 5000}").field == "scenario.steps"
