"""Validating a scenario: merged raw data checked entry by entry (`validate`) into a `Scenario`, and the
keys that name the entries of each section (which merging and ``--set`` use too).
"""

from __future__ import annotations

import datetime
import functools
import heapq
import re
import string
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, NoReturn

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
from sim.scenario.reading import (
    _MISSING,
    _Checker,
    _read_text,
    did_you_mean,
    unknown_key,
)
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
#: The keys an actor, a tie and an event (of any action) may have; a rule has its parameters besides these.
ACTOR_KEYS = ("id", "name", "kind", *FIELDS, "sources")
TIE_KEYS = ("id", "kind", "weight", "actors", "from", "to", "sources")
RULE_KEYS = ("id", "rule")
_EVENT_KEYS = {
    "shift": ("actor", "field", "by", "anchor"), "set": ("actor", "field", "to", "anchor"),
    "add_tie": ("tie",), "change_tie": ("tie", "weight", "kind"), "remove_tie": ("tie",),
    "declare_ceasefire": ("broker",), "end_ceasefire": (),
}
EVENT_KEYS = ("id", "step", "date", "when", "action", "note", *dict.fromkeys(k for ks in _EVENT_KEYS.values() for k in ks))


def validate(raw: Mapping[str, Any], origins: Mapping[str, str], where: str) -> Scenario:
    """Turn merged raw data into a `Scenario`, or raise ScenarioError naming the file and field.

    It takes time linear in the number of entries.
    """
    check = _Checker(origins, where)
    head = check.table(raw.get("scenario"), "scenario")
    check.keys(head, "scenario", ("name", "title", "description", "sides", "steps", "seed", "source", "start"),
               ("name", "sides", "steps"))
    start = _date(head["start"], "scenario.start", check) if "start" in head else None
    name = check.name(head, "name", "scenario", _NAME)
    for section, most in MAX_ENTRIES.items():
        if len(raw.get(section, [])) > most:
            check.fail(section, f"expected at most {most} {section}, got {len(raw[section])}")
    articles = _read_sources(head, check)

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
    quoted_in = _check_quotes([*((f"actors.{a.id}", a.sources) for a in actors),
                               *((f"ties.{t.id}", t.sources) for t in ties)], check, articles) if articles else {}
    rules = tuple(_rule(e, check, known) for e in raw.get("rules", []))
    events = tuple(_event(e, check, known, start) for e in raw.get("events", []))
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
            _missing_tie(event, check)

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
        actors=actors, ties=ties, rules=rules, events=events, start=start, origin=where, quoted_in=quoted_in,
    )


def _read_sources(head: Mapping[str, Any], check: _Checker) -> dict[str, str]:
    """The text of each article the scenario cites, by file name (none: no ``source``)."""
    if "source" not in head:
        return {}
    refs = head["source"] if isinstance(head["source"], list) else [head["source"]]
    paths = [Path(check.string({"source": ref}, "source", "scenario", most=MAX_PROSE)) for ref in refs]
    if len({p.name for p in paths}) < len(paths):
        check.fail("scenario.source", f"expected articles with different file names, got {shown([p.name for p in paths])}")
    return {p.name: _read_text(p, MAX_SOURCE_BYTES, check, "scenario.source") for p in paths}


#: Typographic quotes, apostrophes, primes and dashes, read as their plain forms when quotations are compared.
_PLAIN = str.maketrans({**dict.fromkeys("‘’‚‛′", "'"),
                        **dict.fromkeys("“”„‟″", '"'),
                        **dict.fromkeys("‐‑‒–—―−", "-")})
#: The most characters of a quotation or a passage a message shows, and of the words that differ.
_SHOWN, _SHOWN_WORDS = 300, 80
#: How many windows of the source the closest passage is looked for in (the most words in common first).
_CANDIDATES = 8


def plain_words(text: str) -> list[str]:
    """The words of ``text`` as quotations are compared: typographic quotes, apostrophes and dashes made
    plain; any run of whitespace (a non-breaking space too) separates words. Word ``i`` is ``text.split()[i]``
    with those characters replaced, one for one."""
    return text.translate(_PLAIN).split()


@functools.lru_cache(maxsize=4096)
def _plain_text(text: str) -> str:
    """An article's or a quotation's words as they are compared (`plain_words`), joined by single spaces:
    worked out once for the many points of a study, which validate the same scenario again and again."""
    return " ".join(plain_words(text))


def _check_quotes(entries: list[tuple[str, tuple[str, ...]]], check: _Checker,
                  articles: Mapping[str, str]) -> dict[str, str]:
    """Every quotation of the ``(path, sources)`` entries must be in one of the ``articles`` (typography and
    whitespace aside); the entries of the file that declares the source need one. Returns the file name of
    the article each quotation was found in (the first, if several have it).

    An actor or tie that an extending file adds (a what-if's counterfactual) may go without quotations. A
    quotation not in a source given by --set is the --set's mistake.
    """
    total = sum(len(sources) for _, sources in entries)
    if total > MAX_QUOTATIONS:
        check.fail("scenario.source", f"expected at most {MAX_QUOTATIONS} quotations of a source, got {total}")
    plain = {name: _plain_text(text) for name, text in articles.items()}
    declared = check.where("scenario.source")
    found: dict[str, str] = {}
    for path, sources in entries:
        if not sources and check.where(path) == declared:
            check.fail(f"{path}.sources", "expected at least one quotation from the scenario's source")
        for number, quote in enumerate(sources):
            wanted = _plain_text(quote)
            where = next((name for name, text in plain.items() if wanted in text), None)
            if where is None:
                culprit = declared if declared.startswith(_SET) else check.where(f"{path}.sources")
                sought = "the source" if len(articles) == 1 else f"any of the {len(articles)} sources"
                raise ScenarioError(culprit, f"{path}.sources", f"quotation {number + 1} is not found verbatim in "
                                    f"{sought}: {_shown(quote.split(), _SHOWN)}; {_nearest(quote, articles)}")
            found.setdefault(quote, where)
    return found


def _shown(words: list[str], most: int) -> str:
    """``words`` joined, cut short at ``most`` characters, quoted (and escaped) to stay on one line."""
    text = " ".join(words)
    return repr(text if len(text) <= most else text[:most] + "...")


def _nearest(quote: str, articles: Mapping[str, str]) -> str:
    """The closest passage of the ``articles`` (by file name) to ``quote`` and the first words where they
    differ, as said in a message. It takes time linear in the words of the sources (a 10,000-word article:
    milliseconds)."""
    quoted, plain_quote = quote.split(), plain_words(quote)
    spans = {name: _closest(plain_quote, plain_words(text)) for name, text in articles.items()}
    likeness = {name: SequenceMatcher(None, plain_quote, plain_words(articles[name])[s:e], autojunk=False).ratio()
                for name, (s, e) in ((n, span) for n, span in spans.items() if span is not None)}
    if not likeness:
        return f"no passage of the source{'s' * (len(articles) > 1)} has a word of it"
    name = max(likeness, key=likeness.__getitem__)
    source = articles[name]
    words, plain_source = source.split(), plain_words(source)
    start, end = spans[name]
    said = f"closest passage of the source{f' ({name})' if len(articles) > 1 else ''}: {_shown(words[start:end], _SHOWN)}"
    opcodes = SequenceMatcher(None, plain_quote, plain_source[start:end], autojunk=False).get_opcodes()
    changes = [(i1, i2, start + j1, start + j2) for tag, i1, i2, j1, j2 in opcodes if tag != "equal"]
    if not changes:
        return said
    i1, i2, j1, j2 = changes[0]
    ours, theirs = _shown(quoted[i1:i2], _SHOWN_WORDS), _shown(words[j1:j2], _SHOWN_WORDS)
    if i1 == i2:
        differ = f"{theirs} in the source, not in the quotation"
    elif j1 == j2:
        differ = f"{ours} in the quotation, not in the source"
    else:
        differ = f"{ours} in the quotation, {theirs} in the source"
    more = f" (and {len(changes) - 1} more difference{'s' * (len(changes) > 2)})" if len(changes) > 1 else ""
    return f"{said}; first difference: {differ}{more}"


def _closest(quote: list[str], source: list[str]) -> tuple[int, int] | None:
    """The span ``(start, end)`` of the ``source`` words most like the ``quote`` words, or None if they share
    none.

    Windows as long as the quotation are scored by the words (in lower case, without the punctuation around
    them) they share with it, each weighing the less the more often it is in the source ("the" little, a
    name much), all at once with a running sum; the best few, widened by half on each side, are aligned with
    the quotation word by word (`difflib.SequenceMatcher`). The span from the first to the last word that
    matches, stretched by the quotation's words before and after it, is a passage; the one with the most
    words matched for its length (then the most matched exactly, then the rarest) is the closest.
    """
    def key(word: str) -> str:
        return word.strip(string.punctuation).lower()

    wanted, keys = [key(w) for w in quote], [key(w) for w in source]
    width = min(len(wanted), len(keys))
    if not width:
        return None
    common = set(wanted)
    counts = Counter(k for k in keys if k in common)
    weights = [1 / counts[k] if k in common else 0.0 for k in keys]
    score = sum(weights[:width])
    scores = [score]
    for i in range(width, len(keys)):
        score += weights[i] - weights[i - width]
        scores.append(score)
    starts: list[int] = []
    for start in heapq.nlargest(_CANDIDATES * 16, range(len(scores)), key=scores.__getitem__):
        if scores[start] > 1e-9 and all(abs(start - s) > width // 2 for s in starts):
            starts.append(start)
            if len(starts) == _CANDIDATES:
                break
    best: tuple[float, int, float] = (0.0, 0, 0.0)
    found = None
    for start in starts:
        lo, hi = max(0, start - width // 2), min(len(keys), start + width + width // 2)
        blocks = [b for b in SequenceMatcher(None, wanted, keys[lo:hi], autojunk=False).get_matching_blocks() if b.size]
        if not blocks:
            continue
        first, last = blocks[0], blocks[-1]
        begin = max(0, lo + first.b - first.a)
        end = min(len(keys), lo + last.b + last.size + len(wanted) - last.a - last.size)
        matched = sum(b.size for b in blocks)
        pairs = [(b.a + i, lo + b.b + i) for b in blocks for i in range(b.size)]
        rank = (2 * matched / (len(wanted) + end - begin), sum(quote[i] == source[j] for i, j in pairs),
                sum(weights[j] for _, j in pairs))
        if rank > best:
            best, found = rank, (begin, end)
    return found


def _actor(entry: dict, check: _Checker) -> Actor:
    path = f"actors.{entry.get('id')}"
    actor_id = check.name(entry, "id", path, _ACTOR_ID)
    check.keys(entry, path, ACTOR_KEYS)                     # a missing key is named where it is read
    values = {f: check.number(entry, f, path, *RANGES[f], default=0.0 if f in FIGHTING else _MISSING)
              for f in FIELDS}
    return Actor(id=actor_id, name=check.string(entry, "name", path, default=actor_id),
                 kind=check.string(entry, "kind", path, default="state"),
                 sources=check.strings(entry, "sources", path, default=[], most=MAX_PROSE), **values)


def _tie(entry: dict, path: str, check: _Checker, known: Collection[str]) -> Tie:
    check.keys(entry, path, TIE_KEYS)                       # a missing key is named where it is read
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
        check.fail(f"{path}.rule", f"unknown rule {shown(rule_name)}{did_you_mean(rule_name, REGISTRY)}; "
                                   f"expected one of {', '.join(REGISTRY)}")
    schema = REGISTRY[rule_name].params
    for param in entry:
        if param not in RULE_KEYS and param not in schema:       # a misspelt parameter, with the closest one
            check.fail(f"{path}.{param}", f"{unknown_key(param, (*RULE_KEYS, *schema))}; not a parameter of rule "
                                          f"{rule_name!r} (its parameters: {', '.join(schema)})")
    params = {k: v for k, v in entry.items() if k not in RULE_KEYS}
    try:
        checked = check_params(REGISTRY[rule_name], params, known)
    except ParamError as err:
        param = str(err).split(":", 1)[0]
        check.fail(f"{path}.{param}", str(err).split(": ", 1)[1])
    defaults = {k: p.default for k, p in REGISTRY[rule_name].params.items()}
    return RuleSpec(id=key, rule=rule_name, params={**defaults, **checked})


def _missing_tie(event: Event, check: _Checker) -> NoReturn:
    """Fail on an event that changes a tie no longer there: named in the file that removed the tie, if a what-if
    did (its parent's events still use it), else in the event's own file."""
    a, _, b = event.tie.partition("-")
    remover = check.origins.get(f"removed.ties.{event.tie}") or check.origins.get(f"removed.ties.{b}-{a}")
    if remover:
        raise ScenarioError(remover, f"ties.{event.tie}.remove",
                            f"removes a tie that event {event.id!r} ({check.where(f'events.{event.id}')}) changes; "
                            f"remove the event too: [[events]] id = {event.id!r} and remove = true")
    check.fail(f"events.{event.id}.tie", f"no tie {shown(event.tie)} in ties or added by an event")


def _date(value: Any, path: str, check: _Checker) -> datetime.date:
    """A calendar date: a TOML date (2020-09-27) or a string in that form."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    check.fail(path, f"expected a date such as 2020-09-27 (year-month-day), got {shown(value)}")


def _event(entry: dict, check: _Checker, known: Collection[str], start: datetime.date | None) -> Event:
    path = f"events.{entry.get('id')}"
    if "action" not in entry:                              # a misspelt 'action' named as such
        check.keys(entry, path, EVENT_KEYS)
    action = check.string(entry, "action", path, choices=ACTIONS)
    specific = _EVENT_KEYS[action]
    check.keys(entry, path, ("id", "step", "date", "when", "action", "note", *specific), ("id", "note"))
    event_id = check.name(entry, "id", path, _ENTRY_ID)
    when = _condition(entry["when"], f"{path}.when", check, known) if "when" in entry else None
    if "date" in entry:
        if "step" in entry:
            check.fail(f"{path}.date", "give the event a step or a date, not both")
        if start is None:
            check.fail(f"{path}.date", "a date needs the scenario's start date ([scenario] start = 2020-09-27)")
        step = (_date(entry["date"], f"{path}.date", check) - start).days
        if not 0 <= step <= MAX_STEPS:
            check.fail(f"{path}.date", f"expected a date from the start ({start}) to {MAX_STEPS} days after it, "
                                       f"got {entry['date']}")
    else:
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
    if "actor" not in table and "measure" not in table:       # neither: a misspelt key named as such
        check.keys(table, path, ("actor", "field", "measure", "op", "value"))
        check.fail(f"{path}.measure", f"missing required key 'measure'; expected one of {', '.join(MEASURES)} "
                                      "(or 'actor' and 'field')")
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
