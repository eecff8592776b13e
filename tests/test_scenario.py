"""Scenario files: every mistake named by file and field; extends, remove, --set; round trips; sources."""

import random
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim import scenario as sc
from sim.cli import main
from sim.scenario import ScenarioError, load, loads, validate
from sim.scenario.library import bundled
from sim.scenario.mistakes import likely_mistakes
from sim.scenario.validation import _nearest

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.toml"
ARTICLE = REPO / "scenarios" / "sources" / "article-2020-09-28.txt"

HEAD = """
[scenario]
name = "tiny"
sides = ["ARM", "AZE"]
steps = 5
"""
ACTORS = """
[[actors]]
id = "ARM"
alignment = -1.0
ceasefire = 0.2
capability = 0.3
stubbornness = 0.9
intensity = 1.0

[[actors]]
id = "AZE"
alignment = 1.0
ceasefire = 0.1
capability = 0.4
stubbornness = 0.9
intensity = 1.0

[[actors]]
id = "TUR"
alignment = 0.9
ceasefire = 0.1
capability = 0.6
stubbornness = 0.8

[[actors]]
id = "RUS"
alignment = -0.4
ceasefire = 0.75
capability = 0.9
stubbornness = 0.7
"""
TIES = """
[[ties]]
actors = ["ARM", "AZE"]
kind = "hostility"
weight = -1.0

[[ties]]
actors = ["RUS", "ARM"]
kind = "alliance"
weight = 0.8

[[ties]]
from = "RUS"
to = "AZE"
kind = "mediation"
weight = 0.3
"""
RULES = """
[[rules]]
rule = "influence"
rate = 0.1

[[rules]]
rule = "mediation"
threshold = 0.7
"""
TINY = HEAD + ACTORS + TIES + RULES


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(text, tmp_path, name="bad.toml", overrides=()):
    """The ScenarioError of loading ``text`` from a file (the test fails if there is none)."""
    path = write(tmp_path, name, text)
    with pytest.raises(ScenarioError) as info:
        load(path, overrides)
    return path, info.value


def assert_names(err, path, field):
    message = str(err)
    assert str(path) in message, message
    assert field in message, message
    assert err.field == field


def test_tiny_scenario_is_valid(tmp_path):
    scn = load(write(tmp_path, "tiny.toml", TINY))
    assert scn.actor_ids == ("ARM", "AZE", "TUR", "RUS")
    assert scn.actor("TUR").intensity == 0.0   # default
    assert [r.id for r in scn.rules] == ["influence", "mediation"]
    assert scn.rules[1].params["threshold"] == 0.7
    assert scn.rules[1].params["rate"] == 0.05  # the default filled in


# --------------------------------------------------------------------------------- mistakes

def test_bad_toml(tmp_path):
    path, err = error_of(TINY + "\n[[actors]\nid = 3\n", tmp_path)
    assert str(path) in str(err)
    assert "TOML" in str(err)


def test_unknown_section(tmp_path):
    path, err = error_of(TINY + "\n[[treaties]]\nid = \"x\"\n", tmp_path)
    assert_names(err, path, "treaties")


def test_unknown_key_in_an_actor(tmp_path):
    path, err = error_of(TINY.replace('id = "TUR"', 'id = "TUR"\ncolour = "red"'), tmp_path)
    assert_names(err, path, "actors.TUR.colour")


def test_unknown_actor_in_a_tie(tmp_path):
    path, err = error_of(TINY.replace('actors = ["RUS", "ARM"]', 'actors = ["RUS", "GEO"]'), tmp_path)
    assert err.field.startswith("ties.") and err.field.endswith(".actors")
    assert str(path) in str(err) and "GEO" in str(err)
    path, err = error_of(TINY.replace('to = "AZE"', 'to = "GEO"'), tmp_path, "bad2.toml")
    assert_names(err, path, "ties.RUS>GEO.to")


def test_unknown_actor_in_sides(tmp_path):
    path, err = error_of(TINY.replace('sides = ["ARM", "AZE"]', 'sides = ["ARM", "GEO"]'), tmp_path)
    assert_names(err, path, "scenario.sides")


def test_unknown_actor_in_an_event(tmp_path):
    event = '\n[[events]]\nid = "e1"\nstep = 2\naction = "shift"\nactor = "GEO"\nfield = "alignment"\nby = 0.1\nnote = "x"\n'
    path, err = error_of(TINY + event, tmp_path)
    assert_names(err, path, "events.e1.actor")


def test_unknown_rule(tmp_path):
    path, err = error_of(TINY + '\n[[rules]]\nrule = "telepathy"\n', tmp_path)
    assert_names(err, path, "rules.telepathy.rule")


def test_unknown_rule_parameter(tmp_path):
    path, err = error_of(TINY.replace("threshold = 0.7", "threshold = 0.7\nbogus = 1"), tmp_path)
    assert_names(err, path, "rules.mediation.bogus")


def test_rule_parameter_out_of_range(tmp_path):
    path, err = error_of(TINY.replace("threshold = 0.7", "threshold = 1.5"), tmp_path)
    assert_names(err, path, "rules.mediation.threshold")


def test_value_out_of_range(tmp_path):
    path, err = error_of(TINY.replace("alignment = 0.9", "alignment = 7"), tmp_path)
    assert_names(err, path, "actors.TUR.alignment")
    assert "7" in str(err)


def test_wrong_type(tmp_path):
    path, err = error_of(TINY.replace("alignment = 0.9", 'alignment = "pro-Baku"'), tmp_path)
    assert_names(err, path, "actors.TUR.alignment")
    path, err = error_of(TINY.replace("steps = 5", "steps = 5.5"), tmp_path, "bad2.toml")
    assert_names(err, path, "scenario.steps")
    path, err = error_of(TINY.replace("alignment = 0.9", "alignment = true"), tmp_path, "bad3.toml")
    assert_names(err, path, "actors.TUR.alignment")


def test_duplicate_actor_in_one_file(tmp_path):
    extra = '\n[[actors]]\nid = "TUR"\nalignment = 0.5\nceasefire = 0.1\ncapability = 0.6\nstubbornness = 0.8\n'
    path, err = error_of(TINY + extra, tmp_path)
    assert_names(err, path, "actors.TUR")
    assert "duplicate" in str(err)


def test_two_ties_on_the_same_pair(tmp_path):
    again = '\n[[ties]]\nactors = ["AZE", "ARM"]\nkind = "rivalry"\nweight = -0.5\n'
    path, err = error_of(TINY + again, tmp_path)
    assert_names(err, path, "ties.ARM-AZE")
    directed = '\n[[ties]]\nfrom = "ARM"\nto = "AZE"\nkind = "rivalry"\nweight = -0.5\n'
    path, err = error_of(TINY + directed, tmp_path, "bad2.toml")
    assert_names(err, path, "ties.ARM>AZE")


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.toml", '[scenario]\nextends = "b.toml"\nname = "a"\n')
    write(tmp_path, "b.toml", '[scenario]\nextends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "a.toml")
    message = str(info.value)
    assert info.value.field == "scenario.extends"
    assert "a.toml" in message and "b.toml" in message and "cycle" in message


def test_extends_missing_scenario(tmp_path):
    path, err = error_of('[scenario]\nextends = "no-such-scenario"\nname = "x"\n', tmp_path)
    assert_names(err, path, "scenario.extends")
    assert "no-such-scenario" in str(err)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_nan_and_inf_are_refused(tmp_path, value):
    path, err = error_of(TINY.replace("alignment = 0.9", f"alignment = {value}"), tmp_path)
    assert_names(err, path, "actors.TUR.alignment")
    path, err = error_of(TINY.replace("intensity = 1.0", f"intensity = {value}", 1), tmp_path, "bad2.toml")
    assert_names(err, path, "actors.ARM.intensity")
    path, err = error_of(TINY.replace("rate = 0.1", f"rate = {value}"), tmp_path, "bad3.toml")
    assert_names(err, path, "rules.influence.rate")


def test_quotation_not_in_the_source(tmp_path):
    write(tmp_path, "article.txt", "Ankara vowed full support\nto Baku on Sunday.\n")
    good = TINY.replace('steps = 5', 'steps = 5\nsource = "article.txt"')
    for actor in ("ARM", "AZE", "RUS"):
        good = good.replace(f'id = "{actor}"', f'id = "{actor}"\nsources = ["on Sunday"]')
    good = good.replace('id = "TUR"', 'id = "TUR"\nsources = ["vowed  full support to\\n Baku"]')
    for head in ('actors = ["ARM", "AZE"]', 'actors = ["RUS", "ARM"]', 'to = "AZE"'):
        good = good.replace(head, head + '\nsources = ["Ankara"]')
    assert load(write(tmp_path, "good.toml", good)).actor("TUR").sources  # whitespace does not matter
    path, err = error_of(good.replace("vowed  full support to\\n Baku", "vowed full support to Yerevan"), tmp_path)
    assert_names(err, path, "actors.TUR.sources")
    assert "verbatim" in str(err)


@pytest.mark.parametrize("field", ["intensity", "territory", "losses"])
def test_fighting_fields_on_a_non_belligerent(tmp_path, field):
    path, err = error_of(TINY.replace("alignment = 0.9", f"alignment = 0.9\n{field} = 0.5"), tmp_path)
    assert_names(err, path, f"actors.TUR.{field}")
    assert "only the two sides fight" in err.message


def test_the_sides_cannot_hold_more_than_the_whole_contested_area(tmp_path):
    text = TINY.replace("intensity = 1.0", "intensity = 1.0\nterritory = 0.7")
    path, err = error_of(text, tmp_path)
    assert_names(err, path, "actors.AZE.territory")
    assert "add up to at most 1, got 1.4" in err.message
    held = tmp_path / "held.toml"
    held.write_text(text.replace("territory = 0.7", "territory = 0.5"))
    assert [a.territory for a in load(str(held)).actors][:3] == [0.5, 0.5, 0.0]


def test_error_in_a_child_names_the_child_file(tmp_path):
    parent = write(tmp_path, "parent.toml", TINY)
    child = write(tmp_path, "child.toml", '[scenario]\nextends = "parent.toml"\n\n[[actors]]\nid = "TUR"\nalignment = 7\n')
    with pytest.raises(ScenarioError) as info:
        load(child)
    assert_names(info.value, child, "actors.TUR.alignment")
    assert str(parent) not in str(info.value)


@pytest.mark.parametrize("assignment, field", [
    ("actors.GEO.alignment=0.2", "actors.GEO.alignment"),       # unknown actor
    ("ties.ARM-GEO.weight=0.2", "ties.ARM-GEO.weight"),         # unknown tie
    ("treaties.x.y=1", "treaties.x.y"),                          # unknown section
    ("actors.TUR=0.2", "actors.TUR"),                            # no key
    ("alignment", "alignment"),                                  # no value
])
def test_bad_set_path(assignment, field):
    with pytest.raises(ScenarioError) as info:
        load("baseline", [assignment])
    message = str(info.value)
    assert message.startswith("--set"), message
    assert field in message


def test_bad_set_value_names_the_assignment():
    with pytest.raises(ScenarioError) as info:
        load("baseline", ["actors.TUR.alignment=7"])
    message = str(info.value)
    assert message.startswith("--set actors.TUR.alignment=7")
    assert info.value.field == "actors.TUR.alignment"
    with pytest.raises(ScenarioError) as info:
        load("baseline", ["rules.mediation.telepathy=1"])
    assert str(info.value).startswith("--set rules.mediation.telepathy=1")


# ------------------------------------------------------------------------ extends and --set

def test_extends_merges_by_key(tmp_path):
    parent = load(BASELINE)
    child = write(tmp_path, "child.toml", """
[scenario]
extends = "baseline"
name = "child"

[[actors]]
id = "TUR"
alignment = 0.2

[[ties]]
actors = ["AZE", "ARM"]
weight = -0.5

[[rules]]
rule = "mediation"
threshold = 0.5

[[events]]
id = "talks"
step = 3
action = "declare_ceasefire"
broker = "RUS"
note = "Talks in Moscow"
""")
    scn = load(child)
    assert scn.name == "child"
    assert scn.steps == parent.steps and scn.seed == parent.seed and scn.sides == parent.sides
    tur, old = scn.actor("TUR"), parent.actor("TUR")
    assert tur.alignment == 0.2
    assert (tur.ceasefire, tur.capability, tur.stubbornness, tur.name, tur.sources) == \
           (old.ceasefire, old.capability, old.stubbornness, old.name, old.sources)
    assert [a for a in scn.actors if a.id != "TUR"] == [a for a in parent.actors if a.id != "TUR"]
    tie = next(t for t in scn.ties if t.id == "ARM-AZE")
    assert tie.weight == -0.5 and tie.kind == "hostility"
    assert [t for t in scn.ties if t.id != "ARM-AZE"] == [t for t in parent.ties if t.id != "ARM-AZE"]
    mediation = next(r for r in scn.rules if r.id == "mediation")
    old_mediation = next(r for r in parent.rules if r.id == "mediation")
    assert mediation.params == {**old_mediation.params, "threshold": 0.5}
    assert [r for r in scn.rules if r.id != "mediation"] == [r for r in parent.rules if r.id != "mediation"]
    assert [e.id for e in scn.events] == [*[e.id for e in parent.events], "talks"]


def test_extends_event_override_by_id(tmp_path):
    write(tmp_path, "parent.toml", TINY + '\n[[events]]\nid = "e1"\nstep = 2\naction = "shift"\nactor = "TUR"\n'
                                          'field = "alignment"\nby = 0.1\nnote = "first"\n')
    child = write(tmp_path, "child.toml", '[scenario]\nextends = "parent.toml"\n\n[[events]]\nid = "e1"\nstep = 4\n')
    (event,) = load(child).events
    assert (event.step, event.value, event.note, event.actor) == (4, 0.1, "first", "TUR")


def test_remove_a_tie(tmp_path):
    write(tmp_path, "parent.toml", TINY)
    child = write(tmp_path, "child.toml", '[scenario]\nextends = "parent.toml"\n\n'
                                          '[[ties]]\nactors = ["ARM", "RUS"]\nremove = true\n')
    scn = load(child)
    assert [t.id for t in scn.ties] == ["ARM-AZE", "RUS>AZE"]
    gone = write(tmp_path, "gone.toml", '[scenario]\nextends = "parent.toml"\n\n'
                                        '[[ties]]\nactors = ["TUR", "RUS"]\nremove = true\n')
    with pytest.raises(ScenarioError) as info:
        load(gone)
    assert_names(info.value, gone, "ties.RUS-TUR.remove")


def test_set_overrides_take_effect():
    base = load("baseline")
    scn = load("baseline", ["actors.TUR.alignment=0.2", "rules.mediation.threshold=0.6", "scenario.steps=90"])
    assert scn.actor("TUR").alignment == 0.2
    assert next(r for r in scn.rules if r.id == "mediation").params["threshold"] == 0.6
    assert scn.steps == 90
    assert base.actor("TUR").alignment != 0.2 and base.steps != 90
    scn = load("baseline", ["rules.mediation.threshold=0.45"])
    assert next(r for r in scn.rules if r.id == "mediation").params["threshold"] == 0.45


def test_symmetric_tie_addressed_in_either_order():
    one = load("baseline", ["ties.ARM-RUS.weight=0.25"])
    other = load("baseline", ["ties.RUS-ARM.weight=0.25"])
    assert one == other
    assert next(t for t in one.ties if set(t.actors) == {"ARM", "RUS"}).weight == 0.25


def test_loads_with_overrides():
    scn = loads(TINY, overrides=["actors.RUS.ceasefire=0.5"])
    assert scn.actor("RUS").ceasefire == 0.5


# --------------------------------------------------------------------- round trip and digest

EVENTS = """
[[events]]
id = "shift-tur"
step = 2
action = "shift"
actor = "TUR"
field = "alignment"
by = -0.3
anchor = false
note = "Turkey hesitates"

[[events]]
id = "when-rus"
when = {actor = "RUS", field = "ceasefire", op = ">=", value = 0.8}
action = "set"
actor = "RUS"
field = "capability"
to = 0.5
note = "Russia is distracted"

[[events]]
id = "link"
step = 1
action = "add_tie"
tie = {actors = ["TUR", "RUS"], kind = "rivalry", weight = -0.3}
note = "A rivalry flares"

[[events]]
id = "soften"
when = {measure = "polarization", op = "<", value = 0.5}
step = 2
action = "change_tie"
tie = "RUS-TUR"
weight = 0.2
kind = "partnership"
note = "Lavrov and Cavusoglu talk"

[[events]]
id = "drop"
step = 4
action = "remove_tie"
tie = "ARM-RUS"
note = "Moscow steps back"

[[events]]
id = "truce"
step = 3
action = "declare_ceasefire"
broker = "RUS"
note = "A truce"

[[events]]
id = "over"
step = 4
action = "end_ceasefire"
note = "The truce ends"
"""


def test_to_toml_round_trips_the_baseline():
    scn = load("baseline")
    again = loads(scn.to_toml())
    assert again == scn
    assert again.digest() == scn.digest()


def test_to_toml_round_trips_every_kind_of_event_and_rule():
    scn = loads(TINY + EVENTS + '\n[[rules]]\nrule = "balance"\nfrozen = ["hostility"]\n'
                '\n[[rules]]\nid = "shocks"\nrule = "noise"\nactors = ["TUR"]\n')
    again = loads(scn.to_toml())
    assert again == scn
    assert len(again.events) == 7 and again.events[1].when.field == "ceasefire"


def test_to_toml_round_trips_a_named_added_tie():
    events = """
[[events]]
id = "link"
step = 1
action = "add_tie"
tie = {id = "backchannel", from = "TUR", to = "RUS", kind = "mediation", weight = 0.2}
note = "A back channel opens"

[[events]]
id = "warm"
step = 2
action = "change_tie"
tie = "backchannel"
weight = 0.4
note = "The channel warms"
"""
    scn = loads(TINY + events)
    assert scn.events[0].new_tie.id == "backchannel"
    assert loads(scn.to_toml()) == scn


def test_digest_is_stable_and_tells_scenarios_apart():
    first, second = load("baseline"), load(BASELINE)
    assert first.digest() == second.digest()
    assert len(first.digest()) == 64 and int(first.digest(), 16) >= 0
    assert load("baseline", ["actors.TUR.alignment=0.2"]).digest() != first.digest()
    assert first.with_changes(steps=61).digest() != first.digest()


def test_with_changes():
    scn = load("baseline").with_changes(steps=12, seed=3)
    assert (scn.steps, scn.seed) == (12, 3)
    with pytest.raises(ScenarioError):
        load("baseline").with_changes(steps=0)


def test_validate_from_dict_reports_the_given_origin():
    raw = load("baseline").to_dict()
    raw["actors"][0]["alignment"] = 3.0
    with pytest.raises(ScenarioError) as info:
        validate(raw, {}, "<test>")
    assert str(info.value).startswith("<test>: actors.ARM.alignment")


# ------------------------------------------------------------------------ bundled scenarios

def test_every_bundled_scenario_validates():
    found = sc.bundled()
    assert any(name == "baseline" for name, _, _ in found)
    for name, title, path in found:
        scn = load(path)
        assert scn.name == name and scn.title == title
        assert load(name) == scn


def test_every_baseline_quotation_is_in_the_article():
    article = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    raw = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    quotes = [q for entry in raw["actors"] + raw["ties"] for q in entry.get("sources", [])]
    assert len(quotes) > 30
    missing = [q for q in quotes if " ".join(q.split()) not in article]
    assert missing == []
    # every actor and tie quotes something
    assert all(entry.get("sources") for entry in raw["actors"] + raw["ties"])


def test_a_tie_id_with_a_dash_is_found_by_set_and_events(tmp_path):
    text = TINY.replace('[[ties]]\nactors = ["RUS", "ARM"]', '[[ties]]\nid = "war-front"\nactors = ["RUS", "ARM"]')
    text += '\n[[events]]\nid = "cool"\nstep = 2\naction = "change_tie"\ntie = "war-front"\nweight = 0.1\nnote = "n"\n'
    spec = load(write(tmp_path, "dash.toml", text), ["ties.war-front.weight=0.5"])
    assert next(t for t in spec.ties if t.id == "war-front").weight == 0.5
    assert spec.events[0].tie == "war-front"


def test_set_on_a_symmetric_tie_in_the_other_order_blames_the_set():
    with pytest.raises(ScenarioError) as info:
        load("baseline", ["ties.RUS-ARM.weight=3"])
    assert info.value.where == "--set ties.RUS-ARM.weight=3"
    assert info.value.field == "ties.ARM-RUS.weight"


def test_event_ids_cannot_hold_dots(tmp_path):
    text = TINY + '\n[[events]]\nid = "a.b"\nstep = 1\naction = "end_ceasefire"\nnote = "n"\n'
    path, err = error_of(text, tmp_path)
    assert_names(err, path, "events.a.b.id")


def test_an_added_tie_must_keep_the_ends_of_its_id(tmp_path):
    text = TINY + ('\n[[events]]\nid = "back"\nstep = 1\naction = "add_tie"\n'
                   'tie = { id = "ARM-RUS", from = "TUR", to = "ARM", kind = "rivalry", weight = -0.2 }\nnote = "n"\n')
    path, err = error_of(text, tmp_path)
    assert_names(err, path, "events.back.tie")


def test_a_what_if_may_add_a_tie_without_quotations_but_not_a_false_one(tmp_path):
    child = '[scenario]\nextends = "baseline"\nname = "pact"\n\n[[ties]]\nactors = ["RUS", "NKR"]\nkind = "alliance"\nweight = 0.6\n'
    spec = load(write(tmp_path, "pact.toml", child))
    assert any(t.id == "NKR-RUS" and t.sources == () for t in spec.ties)
    path, err = error_of(child + 'sources = ["Moscow promised to defend Karabakh"]\n', tmp_path, "false.toml")
    assert_names(err, path, "ties.NKR-RUS.sources")


def test_the_file_that_declares_the_source_needs_quotations_for_its_entries(tmp_path):
    text = BASELINE.read_text().replace('sources = ["Ankara and Islamabad have vowed full support to Baku"]\n\n[[actors]]\nid = "IRN"',
                                         '\n[[actors]]\nid = "IRN"', 1)
    assert text != BASELINE.read_text()
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / ARTICLE.name).write_text(ARTICLE.read_text())
    path, err = error_of(text, tmp_path, "unquoted.toml")
    assert_names(err, path, "actors.PAK.sources")


def test_a_misspelt_actor_in_a_what_if_is_named_as_unknown(tmp_path):
    child = '[scenario]\nextends = "baseline"\nname = "typo"\n\n[[actors]]\nid = "TUK"\nalignment = 0.2\n'
    path, err = error_of(child, tmp_path)
    assert_names(err, path, "actors.TUK")
    assert "no actor 'TUK' in the extended scenario" in str(err) and "TUR" in str(err)


# ---------------------------------------------------------------- misspelt and missing keys, in every position

def validate_line(path):
    """The one line `dipsim validate PATH` prints for a mistake (it must exit 2 without a traceback)."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def in_block(text, marker, old, new):
    """``text`` with ``old`` replaced by ``new`` in the entry that starts at ``marker`` (up to the next ``[[``)."""
    head, rest = text.split(marker, 1)
    block, sep, tail = rest.partition("[[")
    assert old in block
    return head + marker + block.replace(old, new, 1) + sep + tail


@pytest.mark.parametrize("actor", ["ARM", "AZE", "RUS"])           # the first, the second and the last
def test_a_misspelt_key_of_an_actor_is_named_in_any_position_of_a_file_that_extends_none(tmp_path, actor):
    path = write(tmp_path, "typo.toml", in_block(TINY, f'id = "{actor}"', "stubbornness", "stubborness"))
    line = validate_line(path)
    assert f"{path}: actors.{actor}.stubborness: unknown key 'stubborness' (did you mean 'stubbornness'?)" in line
    assert "expected one of id, name, kind, alignment" in line and "extended" not in line


@pytest.mark.parametrize("actor", ["ARM", "RUS"])
def test_a_missing_key_of_an_actor_is_named_in_any_position(tmp_path, actor):
    path = write(tmp_path, "missing.toml", in_block(TINY, f'id = "{actor}"', "capability =", "# capability ="))
    line = validate_line(path)
    assert f"{path}: actors.{actor}.capability: missing required key 'capability'; expected a number in [0, 1]" in line


@pytest.mark.parametrize("tie, weight", [("ARM-AZE", "-1.0"), ("ARM-RUS", "0.8"), ("RUS>AZE", "0.3")])
def test_a_tie_without_weight_or_with_a_misspelt_one_is_named_in_any_position(tmp_path, tie, weight):
    text = TINY.replace(f"weight = {weight}\n", "")
    path = write(tmp_path, "noweight.toml", text)
    assert f"{path}: ties.{tie}.weight: missing required key 'weight'; expected a number in [-1, 1]" in validate_line(path)
    path = write(tmp_path, "wieght.toml", TINY.replace(f"weight = {weight}\n", f"wieght = {weight}\n"))
    line = validate_line(path)
    assert f"{path}: ties.{tie}.wieght: unknown key 'wieght' (did you mean 'weight'?)" in line
    assert "extended" not in line


def test_an_entry_without_its_naming_key_is_named_by_position_with_the_misspelling(tmp_path):
    path = write(tmp_path, "idd.toml", TINY.replace('id = "TUR"', 'idd = "TUR"'))
    assert f"{path}: actors[2]: missing 'id'; unknown key 'idd' (did you mean 'id'?)" in validate_line(path)
    path = write(tmp_path, "actor.toml", TINY.replace('actors = ["RUS", "ARM"]', 'actor = ["RUS", "ARM"]'))
    assert f"{path}: ties[1]: missing 'actors = [a, b]'" in validate_line(path)
    assert "unknown key 'actor' (did you mean 'actors'?)" in validate_line(path)
    path = write(tmp_path, "rule.toml", TINY.replace('rule = "mediation"', 'rulle = "mediation"'))
    assert f"{path}: rules[1]: missing 'rule'; unknown key 'rulle' (did you mean 'rule'?)" in validate_line(path)


def test_a_misspelt_rule_or_rule_parameter_suggests_the_closest(tmp_path):
    path = write(tmp_path, "param.toml", TINY.replace("threshold = 0.7", "treshold = 0.7"))
    line = validate_line(path)
    assert f"{path}: rules.mediation.treshold: unknown key 'treshold' (did you mean 'threshold'?)" in line
    assert "not a parameter of rule 'mediation'" in line
    path = write(tmp_path, "rule.toml", TINY.replace('rule = "mediation"', 'rule = "mediaton"'))
    assert (f"{path}: rules.mediaton.rule: unknown rule 'mediaton' (did you mean 'mediation'?); expected one of"
            in validate_line(path))


EVENT = '\n[[events]]\nid = "turn"\nstep = 1\naction = "shift"\nactor = "TUR"\nfield = "alignment"\nby = -0.2\nnote = "n"\n'


@pytest.mark.parametrize("old, new, field, suggestion", [
    ('action = "shift"', 'acton = "shift"', "acton", "action"),
    ('actor = "TUR"', 'actr = "TUR"', "actr", "actor"),
    ('note = "n"', 'notes = "n"', "notes", "note"),
    ('step = 1', 'step = 1\nwhen = { measre = "polarization", op = ">", value = 0.1 }', "when.measre", "measure"),
])
def test_a_misspelt_key_of_an_event_is_named(tmp_path, old, new, field, suggestion):
    path = write(tmp_path, "event.toml", TINY + EVENT + EVENT.replace('"turn"', '"back"').replace(old, new))
    line = validate_line(path)
    assert f"{path}: events.back.{field}: unknown key '{field.split('.')[-1]}' (did you mean '{suggestion}'?)" in line
    path = write(tmp_path, "missing.toml", TINY + EVENT.replace('field = "alignment"\n', ""))
    assert f"{path}: events.turn.field: missing required key 'field'; expected one of alignment" in validate_line(path)


def test_a_what_if_adding_an_entry_with_a_misspelt_key_names_both(tmp_path):
    child = ('[scenario]\nextends = "baseline"\nname = "sos"\n\n[[actors]]\nid = "SOS"\nalignment = 0.2\n'
             'ceasefire = 0.5\ncapability = 0.1\nstubborness = 0.5\n')
    path = write(tmp_path, "sos.toml", child)
    line = validate_line(path)
    assert f"{path}: actors.SOS: no actor 'SOS' in the extended scenario (" in line
    assert "a new one needs stubbornness; unknown key 'stubborness' (did you mean 'stubbornness'?)" in line
    path = write(tmp_path, "tie.toml", child.replace("stubborness", "stubbornness")
                 + '\n[[ties]]\nactors = ["SOS", "TUR"]\nkind = "alliance"\nwieght = 0.5\n')
    line = validate_line(path)
    assert f"{path}: ties.SOS-TUR: no tie 'SOS-TUR' in the extended scenario (" in line
    assert "a new one needs weight; unknown key 'wieght' (did you mean 'weight'?)" in line
    # a second new actor is checked against the extended scenario's actors only, not the file's own
    path = write(tmp_path, "two.toml", child.replace("stubborness", "stubbornness") + child.split("\n\n", 1)[1]
                 .replace("SOS", "SOT"))
    line = validate_line(path)
    assert "no actor 'SOT' in the extended scenario" in line and "SOS" not in line


# ------------------------------------------------------------------------------ quotations that fail

def quoting(tmp_path, name, quotation):
    """A what-if of the baseline giving Turkey one quotation, in a folder with the baseline's article."""
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / ARTICLE.name).write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    return write(tmp_path, name, '[scenario]\nextends = "baseline"\nname = "q"\n\n[[actors]]\nid = "TUR"\n'
                                 f"sources = [{sc.toml_value(quotation)}]\n")


def test_typographic_quotes_dashes_and_spaces_do_not_fail_a_quotation(tmp_path):
    assert "Yerevan\u2019s forces" in ARTICLE.read_text(encoding="utf-8")
    for quotation in ("Yerevan's forces had hit four Azeri helicopters",          # ’ in the article
                      "Yerevan\u2032s forces\u00a0had  hit four Azeri helicopters",  # a prime, a non-breaking space
                      "region of Nagorno\u2013Karabakh", "Nagorno\u2014Karabakh", "Nagorno\u2212Karabakh"):
        load(quoting(tmp_path, "ok.toml", quotation))


def test_a_failing_quotation_is_shown_whole_with_the_closest_passage_and_the_difference(tmp_path):
    quotation = ("This has been the deadliest standoff between the former Soviet states since 2016 and the second "
                 "flare-up this year. The neighbors in the South Caucasus")
    path = quoting(tmp_path, "quote.toml", quotation)
    line = validate_line(path)
    assert f"{path}: actors.TUR.sources: quotation 1 is not found verbatim in the source: {quotation!r}" in line
    assert ("closest passage of the source: 'This has been the deadliest standoff between the former Soviet states "
            "since 2016 and the second flare-up this year. The neighbours in the South Caucasus'") in line
    assert "first difference: 'neighbors' in the quotation, 'neighbours' in the source" in line
    assert "more difference" not in line


def test_a_failing_quotation_names_the_words_it_lacks_or_adds_and_is_cut_at_a_bound(tmp_path):
    path = quoting(tmp_path, "missing.toml", "Armenian Defence Ministry spokesperson said that Yerevan's forces")
    line = validate_line(path)
    assert "closest passage of the source: 'Armenian Defence Ministry spokesperson Shushan Stepanyan said" in line
    assert "first difference: 'Shushan Stepanyan' in the source, not in the quotation" in line
    long = "Tehran stands with Yerevan " * 20
    line = validate_line(quoting(tmp_path, "long.toml", long))
    assert repr(" ".join(long.split())[:300] + "...") in line
    line = validate_line(quoting(tmp_path, "none.toml", "Zzyzx qwfp"))
    assert "no passage of the source has a word of it" in line
    line = validate_line(quoting(tmp_path, "rare.toml", "the Nagorno-Karabakh"))    # a rare word counts more
    assert "closest passage of the source: 'of Nagorno-Karabakh'; first difference: 'the' in the quotation, 'of'" in line


def test_the_closest_passage_is_found_quickly_in_a_long_article(tmp_path):
    rng = random.Random(14)
    words = [f"w{rng.randrange(3000)}" for _ in range(10_000)]
    quotation = " ".join(words[7000:7030]).replace(words[7012], "neighboring", 1)
    started = time.perf_counter()
    said = _nearest(quotation, {"long.txt": " ".join(words)})
    assert time.perf_counter() - started < 1.0
    assert f"closest passage of the source: {' '.join(words[7000:7030])!r}" in said
    assert f"first difference: 'neighboring' in the quotation, '{words[7012]}' in the source" in said


def test_a_scenario_may_cite_several_articles_and_each_quotation_is_found_in_one(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / ARTICLE.name).write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sources" / "second.txt").write_text("Tehran says it stands ready to host talks between the two "
                                                     "neighbours.\n", encoding="utf-8")
    text = ('[scenario]\nextends = "baseline"\nname = "two"\n'
            f'source = ["sources/{ARTICLE.name}", "sources/second.txt"]\n\n'
            '[[actors]]\nid = "IRN"\nsources = ["stands ready to host talks", "Iran, Germany, the Vatican"]\n')
    spec = load(write(tmp_path, "two.toml", text))
    assert spec.quoted_in["stands ready to host talks"] == "second.txt"
    assert spec.quoted_in["Iran, Germany, the Vatican"] == ARTICLE.name
    result = CliRunner().invoke(main, ["actors", str(tmp_path / "two.toml")])
    assert result.exit_code == 0 and "- stands ready to host talks (second.txt)" in result.output
    # a quotation in neither article names the closest passage and the article it is in
    path = write(tmp_path, "bad.toml", text.replace("stands ready to host talks", "stands ready to hold talks"))
    line = validate_line(path)
    assert "quotation 1 is not found verbatim in any of the 2 sources: 'stands ready to hold talks'" in line
    assert "closest passage of the source (second.txt): 'stands ready to host talks'" in line
    assert "first difference: 'hold' in the quotation, 'host' in the source" in line
    for bad, expected in (("[]", "expected a file or a list of 1 to 32 files, got 0"),
                          (f'["sources/{ARTICLE.name}", "sources/{ARTICLE.name}"]', "expected articles with different file names")):
        path = write(tmp_path, "bad-list.toml", text.replace(
            f'["sources/{ARTICLE.name}", "sources/second.txt"]', bad))
        assert f"{path}: scenario.source: {expected}" in validate_line(path)


# ------------------------------------------------------------------------------ likely mistakes: warnings

def test_what_is_legal_but_likely_a_mistake_is_a_warning_and_with_strict_an_error(tmp_path):
    text = (TINY.replace('id = "AZE"\nalignment = 1.0', 'id = "AZE"\nalignment = -0.5')
            + '\n[[actors]]\nid = "EU"\nalignment = 0.0\nceasefire = 0.8\ncapability = 0.4\nstubbornness = 0.7\n'
            + '\n[[ties]]\nactors = ["TUR", "EU"]\nkind = "membership"\nweight = 0.5\n'
            + '\n[[rules]]\nrule = "balance"\nfrozen = ["hostility"]\n'
            + EVENT.replace("step = 1", "step = 70"))
    path = write(tmp_path, "slips.toml", text)
    spec = load(path)
    assert [(m.path, m.message.split(":")[0]) for m in likely_mistakes(spec)] == [
        ("actors.AZE.alignment", "-0.5 leans toward the other side"),
        ("rules.balance.frozen", "the balance rule may turn 1 membership tie(s) hostile (EU-TUR), which rarely "
                                 "happens in life; add 'membership' to frozen, or ignore this if you mean it"),
        ("events.turn.step", "day 70 is past the last day (5)")]
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and result.stdout.startswith("ok: ")
    warned = result.stderr.strip().splitlines()
    assert len(warned) == 3 and all(w.startswith(f"dipsim: warning: {path}: ") for w in warned)
    assert "AZE is the second side, so +1 backs it" in warned[0]
    line = validate_line_strict(path)
    assert line.startswith(f"dipsim: {path}: actors.AZE.alignment: -0.5 leans toward the other side") and \
        line.endswith("(--strict)")
    result = CliRunner().invoke(main, ["run", str(path), "--strict", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and not (tmp_path / "run").exists()


def test_the_bundled_scenarios_hold_no_likely_mistake():
    assert {name: likely_mistakes(load(name)) for name, _, _ in bundled()} == {name: [] for name, _, _ in bundled()}


def validate_line_strict(path):
    result = CliRunner().invoke(main, ["validate", str(path), "--strict"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    return result.stderr.strip().splitlines()[-1]


def test_a_start_date_lets_events_give_dates_instead_of_days(tmp_path):
    dated = TINY.replace('steps = 5\n', 'steps = 5\nstart = 2020-09-27\n') + EVENT.replace(
        "step = 1", 'date = "2020-09-30"')
    spec = load(write(tmp_path, "dated.toml", dated))
    assert spec.events[0].step == 3 and spec.day_label(3) == "day 3 (30 Sep 2020)"
    assert loads(spec.to_toml(), "again").start == spec.start                 # a run directory keeps it
    for text, expected in (
            (TINY + EVENT.replace("step = 1", 'date = "2020-09-30"'),
             "events.turn.date: a date needs the scenario's start date ([scenario] start = 2020-09-27)"),
            (dated.replace('date = "2020-09-30"', 'date = "2020-09-30"\nstep = 3'),
             "events.turn.date: give the event a step or a date, not both"),
            (dated.replace('date = "2020-09-30"', 'date = "2020-09-20"'),
             "events.turn.date: expected a date from the start (2020-09-27) to"),
            (dated.replace('date = "2020-09-30"', 'date = "30/09/2020"'),
             "events.turn.date: expected a date such as 2020-09-27 (year-month-day), got '30/09/2020'"),
            (TINY.replace('steps = 5\n', 'steps = 5\nstart = "next week"\n'),
             "scenario.start: expected a date such as 2020-09-27")):
        path = write(tmp_path, "bad-date.toml", text)
        assert f"{path}: {expected}" in validate_line(path)


def test_removing_a_tie_the_parents_events_use_names_the_removal_and_what_to_do(tmp_path):
    text = '[scenario]\nextends = "history-2020"\nname = "no-pact"\n\n[[ties]]\nactors = ["ARM", "RUS"]\nremove = true\n'
    path = write(tmp_path, "nopact.toml", text)
    line = validate_line(path)
    assert line.startswith(f"dipsim: {path}: ties.RUS-ARM.remove: removes a tie that event "
                           "'russia-pact-not-karabakh-tie' (") and "history-2020.toml) changes" in line
    assert line.endswith("remove the event too: [[events]] id = 'russia-pact-not-karabakh-tie' and remove = true")
    fixed = write(tmp_path, "fixed.toml", text + '\n[[events]]\nid = "russia-pact-not-karabakh-tie"\nremove = true\n')
    assert "RUS-ARM" not in {t.id for t in load(fixed).ties}


# ------------------------------------------------------------------------------ templates (many variants)

@pytest.mark.parametrize("name", sorted(name for name, _, _ in bundled()))
def test_a_template_builds_what_load_builds(name):
    """The points of a study are built from a template read once: each must be the scenario `load`
    gives with the same overrides (what-ifs that extend and remove entries too)."""
    from sim.scenario.loading import Template

    template = Template.read(name, ["scenario.steps=7"])
    assert template.scenario() == load(name, ["scenario.steps=7"])
    assert template.scenario().digest() == load(name, ["scenario.steps=7"]).digest()
    point = ["scenario.seed=11", "scenario.steps=9"]
    assert template.scenario(point).digest() == load(name, ["scenario.steps=7", *point]).digest()
    assert template.scenario().steps == 7           # a variant leaves the template as it was


def test_a_template_names_a_point_mistake_and_stays_usable():
    from sim.scenario.loading import Template

    template = Template.read("baseline")
    with pytest.raises(ScenarioError, match=r"--set actors.TUR.alignment=3: actors.TUR.alignment: expected a "
                                            r"number in \[-1, 1\]"):
        template.scenario(["actors.TUR.alignment=3"])
    assert template.scenario(["actors.TUR.alignment=0.5"]).actor("TUR").alignment == 0.5
    assert template.scenario() == load("baseline")


def test_a_template_of_a_scenario_object_varies_its_values():
    from sim.scenario.loading import Template

    spec = load("whatif-eu-silent", ["scenario.steps=5"])
    template = Template.of(spec)
    assert template.scenario() is spec
    assert template.scenario(["actors.TUR.capability=0.3"]).digest() == \
        load("whatif-eu-silent", ["scenario.steps=5", "actors.TUR.capability=0.3"]).digest()
