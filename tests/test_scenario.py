"""Scenario files: every mistake named by file and field; extends, remove, --set; round trips; sources."""

import tomllib
from pathlib import Path

import pytest

from sim import scenario as sc
from sim.scenario import ScenarioError, load, loads, validate

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
