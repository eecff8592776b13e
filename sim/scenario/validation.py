"""Validating a scenario: merged raw data checked entry by entry (`validate`) into a `Scenario`, and the
keys that name the entries of each section (which merging and ``--set`` use too).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.core.fields import (
    ANCHORED,
    COMPARISONS,
    FIELDS,
    FIGHTING,
    LARGEST,
    MEASURES,
    RANGES,
    TIE_KINDS,
)
from sim.rules import REGISTRY
from sim.rules.base import ParamError, check_params, listing, shown
from sim.scenario.limits import (
    MAX_ACTOR_DAYS,
    MAX_ENTRIES,
    MAX_PROSE,
    MAX_QUOTATIONS,
    MAX_SOURCE_BYTES,
    MAX_STEPS,
    MAX_TIE_DAYS,
)
from sim.scenario.reading import _MISSING, _Checker, _read_text
from sim.scenario.spec import (
    Actor,
    Condition,
    Event,
    RuleSpec,
    Scenario,
    ScenarioError,
    Tie,
)

ACTIONS = ("shift", "set", "add_tie", "change_tie", "remove_tie", "declare_ceasefire", "end_ceasefire")
#: What ids and names look like (matched whole), and how a message says it.
_ACTOR_ID = (re.compile(r"[A-Za-z][A-Za-z0-9_]*"), "letters, digits and '_', starting with a letter")
_NAME = (re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*"), "letters, digits, '-', '_' or '.'")
#: Event, rule and tie ids: no dots, since --set events.ID.KEY splits at them.
_ENTRY_ID = (re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"), "letters, digits, '-' or '_'")
#: How the origin of a --set assignment starts.
_SET = "--set "


def validate(raw: Mapping[str, Any], origins: Mapping[str, str], where: str) -> Scenario:
    """Turn merged raw data into a `Scenario`, or raise ScenarioError naming the file and field.

    It takes time linear in the number of entries.
    """
    check = _Checker(origins, where)
    head = check.table(raw.get("scenario"), "scenario")
    check.keys(head, "scenario", ("name", "title", "description", "sides", "steps", "seed", "source"),
               ("name", "sides", "steps"))
    name = check.name(head, "name", "scenario", _NAME)
    for section, most in MAX_ENTRIES.items():
        if len(raw.get(section, [])) > most:
            check.fail(section, f"expected at most {most} {section}, got {len(raw[section])}")
    article = _read_source(head, check)

    actors = tuple(_actor(e, check) for e in raw.get("actors", []))
    known = dict.fromkeys(a.id for a in actors)                   # the actor ids in order, looked up at once
    if not known:
        check.fail("actors", "a scenario needs actors ([[actors]] tables)")
    if len(known) < len(actors):
        duplicate = next(i for i, count in Counter(a.id for a in actors).items() if count > 1)
        check.fail(f"actors.{duplicate}", f"duplicate actor id {duplicate!r}")
    sides = check.strings(head, "sides", "scenario")
    if len(sides) != 2 or sides[0] == sides[1] or not set(sides) <= known.keys():
        check.fail("scenario.sides", f"expected two different actor ids from {listing(known)}, got {shown(list(sides))}")
    for actor in actors:
        for fighting in FIGHTING:
            if actor.id not in sides and getattr(actor, fighting) != 0:
                check.fail(f"actors.{actor.id}.{fighting}", "only the two sides fight; expected 0 for any other actor")
    held = sum(a.territory for a in actors if a.id in sides)
    if held > 1 + 1e-9:
        check.fail(f"actors.{sides[1]}.territory", "the two sides hold shares of one contested area; expected them "
                                                   f"to add up to at most 1, got {held:g}")

    ties = tuple(_tie(e, f"ties.{_entry_key('ties', e)}", check, known) for e in raw.get("ties", []))
    if article is not None:
        _check_quotes([*((f"actors.{a.id}", a.sources) for a in actors), *((f"ties.{t.id}", t.sources) for t in ties)],
                      check, article)
    rules = tuple(_rule(e, check, known) for e in raw.get("rules", []))
    events = tuple(_event(e, check, known) for e in raw.get("events", []))
    slots = {t.id: t for t in ties}
    for event in events:
        if event.new_tie is None:
            continue
        slot = slots.setdefault(event.new_tie.id, event.new_tie)
        if _ends(slot) != _ends(event.new_tie):
            check.fail(f"events.{event.id}.tie", f"tie {slot.id!r} already joins other actors or runs the other way")
    _check_pairs([*((t, f"ties.{t.id}") for t in ties),
                  *((e.new_tie, f"events.{e.id}.tie") for e in events if e.new_tie is not None)], check)
    events = tuple(replace(e, tie=tie_ref(e.tie, slots)) if e.action in ("change_tie", "remove_tie") else e
                   for e in events)
    for event in events:
        if event.action in ("change_tie", "remove_tie") and event.tie not in slots:
            check.fail(f"events.{event.id}.tie", f"no tie {shown(event.tie)} in ties or added by an event")

    steps = check.integer(head, "steps", "scenario", 1, MAX_STEPS)
    for count, what, most in ((len(actors), "actor", MAX_ACTOR_DAYS), (len(slots), "tie", MAX_TIE_DAYS)):
        if steps * count > most:
            check.fail("scenario.steps", f"{count} {what}s for {steps} days exceed the {most} {what}-days a run may "
                       f"have; expected at most {most // count} days")
    return Scenario(
        name=name,
        title=check.string(head, "title", "scenario", default=name),
        description=check.string(head, "description", "scenario", default="", most=MAX_PROSE),
        sides=(sides[0], sides[1]),
        steps=steps,
        seed=check.integer(head, "seed", "scenario", 0, 2**63 - 1, default=0),
        actors=actors, ties=ties, rules=rules, events=events, origin=where,
    )


def _read_source(head: Mapping[str, Any], check: _Checker) -> str | None:
    if "source" not in head:
        return None
    path = Path(check.string(head, "source", "scenario", most=MAX_PROSE))
    return " ".join(_read_text(path, MAX_SOURCE_BYTES, check, "scenario.source").split())


def _check_quotes(entries: list[tuple[str, tuple[str, ...]]], check: _Checker, article: str) -> None:
    """Every quotation of the ``(path, sources)`` entries must be in the source; the entries of the file
    that declares the source need one.

    An actor or tie that an extending file adds (a what-if's counterfactual) may go without quotations. A
    quotation not in a source given by --set is the --set's mistake.
    """
    total = sum(len(sources) for _, sources in entries)
    if total > MAX_QUOTATIONS:
        check.fail("scenario.source", f"expected at most {MAX_QUOTATIONS} quotations of a source, got {total}")
    declared = check.where("scenario.source")
    for path, sources in entries:
        if not sources and check.where(path) == declared:
            check.fail(f"{path}.sources", "expected at least one quotation from the scenario's source")
        for number, quote in enumerate(sources):
            if " ".join(quote.split()) not in article:
                culprit = declared if declared.startswith(_SET) else check.where(f"{path}.sources")
                raise ScenarioError(culprit, f"{path}.sources",
                                    f"quotation {number + 1} is not found verbatim in the source: {quote[:60]!r}")


def _actor(entry: dict, check: _Checker) -> Actor:
    path = f"actors.{entry.get('id')}"
    actor_id = check.name(entry, "id", path, _ACTOR_ID)
    check.keys(entry, path, ("id", "name", "kind", *FIELDS, "sources"),
               ("alignment", "ceasefire", "capability", "stubbornness"))
    values = {f: check.number(entry, f, path, *RANGES[f], default=0.0 if f in FIGHTING else _MISSING)
              for f in FIELDS}
    return Actor(id=actor_id, name=check.string(entry, "name", path, default=actor_id),
                 kind=check.string(entry, "kind", path, default="state"),
                 sources=check.strings(entry, "sources", path, default=[], most=MAX_PROSE), **values)


def _tie(entry: dict, path: str, check: _Checker, known: Collection[str]) -> Tie:
    check.keys(entry, path, ("id", "kind", "weight", "actors", "from", "to", "sources"), ("kind", "weight"))
    key = entry.get("id", _tie_key(entry))
    if key != _tie_key(entry):                              # an id of its own, not the key it would have
        check.name(entry, "id", path, _ENTRY_ID)
    if "actors" in entry:
        if "from" in entry or "to" in entry:
            check.fail(f"{path}.actors", "give either 'actors' (symmetric) or 'from'/'to' (directed), not both")
        pair = check.strings(entry, "actors", path)
        if len(pair) != 2:
            check.fail(f"{path}.actors", f"expected two actor ids, got {shown(list(pair))}")
        source, target, directed = pair[0], pair[1], False
        check.actor({"actors": source}, "actors", path, known)
        check.actor({"actors": target}, "actors", path, known)
    else:
        source, target = check.actor(entry, "from", path, known), check.actor(entry, "to", path, known)
        directed = True
    if source == target:
        check.fail(path, f"a tie joins two different actors, got {source!r} twice")
    return Tie(id=key, kind=check.string(entry, "kind", path, choices=TIE_KINDS),
               weight=check.number(entry, "weight", path, -1.0, 1.0),
               source=source, target=target, directed=directed,
               sources=check.strings(entry, "sources", path, default=[], most=MAX_PROSE))


def _ends(tie: Tie) -> tuple:
    return (tie.source, tie.target) if tie.directed else (frozenset(tie.actors),)


def _check_pairs(ties: Iterable[tuple[Tie, str]], check: _Checker) -> None:
    """One tie per pair of actors, whichever its direction, among ``(tie, path)`` (a tie may come twice)."""
    pairs: dict[frozenset, str] = {}
    for tie, path in ties:
        pair = frozenset(tie.actors)
        if pair in pairs and pairs[pair] != tie.id:
            a, b = tie.actors
            check.fail(path, f"{a} and {b} already have a tie ({pairs[pair]}); one tie per pair")
        pairs[pair] = tie.id


def _rule(entry: dict, check: _Checker, known: Collection[str]) -> RuleSpec:
    rule_name = entry.get("rule")
    key = entry.get("id", rule_name)
    path = f"rules.{key}"
    if "id" in entry:
        check.name(entry, "id", path, _ENTRY_ID)
    if not isinstance(rule_name, str) or rule_name not in REGISTRY:
        check.fail(f"{path}.rule", f"unknown rule {shown(rule_name)}; expected one of {', '.join(REGISTRY)}")
    params = {k: v for k, v in entry.items() if k not in ("id", "rule")}
    try:
        checked = check_params(REGISTRY[rule_name], params, known)
    except ParamError as err:
        param = str(err).split(":", 1)[0]
        check.fail(f"{path}.{param}", str(err).split(": ", 1)[1])
    defaults = {k: p.default for k, p in REGISTRY[rule_name].params.items()}
    return RuleSpec(id=key, rule=rule_name, params={**defaults, **checked})


def _event(entry: dict, check: _Checker, known: Collection[str]) -> Event:
    path = f"events.{entry.get('id')}"
    action = check.string(entry, "action", path, choices=ACTIONS)
    specific = {
        "shift": ("actor", "field", "by", "anchor"), "set": ("actor", "field", "to", "anchor"),
        "add_tie": ("tie",), "change_tie": ("tie", "weight", "kind"), "remove_tie": ("tie",),
        "declare_ceasefire": ("broker",), "end_ceasefire": (),
    }[action]
    check.keys(entry, path, ("id", "step", "when", "action", "note", *specific), ("id", "note"))
    event_id = check.name(entry, "id", path, _ENTRY_ID)
    when = _condition(entry["when"], f"{path}.when", check, known) if "when" in entry else None
    step = check.integer(entry, "step", path, 0, MAX_STEPS, default=0 if when else _MISSING)
    fields: dict[str, Any] = {}
    if action in ("shift", "set"):
        fields["actor"] = check.actor(entry, "actor", path, known)
        fields["field"] = check.string(entry, "field", path, choices=FIELDS)
        lo, hi = RANGES[fields["field"]]
        if action == "shift":                              # a larger shift would only be clipped
            fields["value"] = check.number(entry, "by", path, lo - hi, hi - lo)
        else:
            fields["value"] = check.number(entry, "to", path, lo, hi)
        fields["anchor"] = check.boolean(entry, "anchor", path, default=True) and fields["field"] in ANCHORED
    elif action == "add_tie":
        tie_entry = check.table(entry.get("tie"), f"{path}.tie")
        fields["new_tie"] = _tie(tie_entry, f"{path}.tie", check, known)
        fields["tie"] = fields["new_tie"].id
    elif action in ("change_tie", "remove_tie"):
        fields["tie"] = check.string(entry, "tie", path)
        if action == "change_tie":
            if "weight" not in entry and "kind" not in entry:
                check.fail(path, "change_tie needs a new 'weight' or 'kind'")
            fields["weight"] = check.number(entry, "weight", path, -1.0, 1.0) if "weight" in entry else None
            fields["kind"] = check.string(entry, "kind", path, choices=TIE_KINDS) if "kind" in entry else None
    elif action == "declare_ceasefire" and "broker" in entry:
        fields["broker"] = check.actor(entry, "broker", path, known)
    return Event(id=event_id, step=step, action=action, note=check.string(entry, "note", path, most=MAX_PROSE),
                 when=when, **fields)


def _condition(entry: Any, path: str, check: _Checker, known: Collection[str]) -> Condition:
    table = check.table(entry, path)
    if "actor" in table:
        check.keys(table, path, ("actor", "field", "op", "value"), ("field", "op", "value"))
        actor = check.actor(table, "actor", path, known)
        name = check.string(table, "field", path, choices=FIELDS)
    else:
        check.keys(table, path, ("measure", "op", "value"), ("measure", "op", "value"))
        actor, name = None, check.string(table, "measure", path, choices=MEASURES)
    return Condition(actor=actor, field=name, op=check.string(table, "op", path, choices=COMPARISONS),
                     value=check.number(table, "value", path, -LARGEST, LARGEST))


# -------------------------------------------------------------------------------------------- keys

def _entry_key(section: str, entry: Mapping[str, Any]) -> str | None:
    if section == "rules":
        key = entry.get("id", entry.get("rule"))
    elif section == "ties" and "id" not in entry:
        key = _tie_key(entry)
    else:
        key = entry.get("id")
    return key if isinstance(key, str) else None


def _tie_key(entry: Mapping[str, Any]) -> str | None:
    pair = entry.get("actors")
    if isinstance(pair, list) and len(pair) == 2 and all(isinstance(a, str) for a in pair):
        return "-".join(sorted(pair))
    if isinstance(entry.get("from"), str) and isinstance(entry.get("to"), str):
        return f"{entry['from']}>{entry['to']}"
    return None


def tie_ref(ref: str, keys: Collection[str | None]) -> str:
    """The key ``ref`` names among tie ``keys`` (a set or a dict): itself, or ``B-A`` written as ``A-B``."""
    if ref in keys or "-" not in ref:
        return ref
    swapped = "-".join(sorted(ref.split("-", 1)))
    return swapped if swapped in keys else ref
