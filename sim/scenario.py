"""Scenario files: load TOML, follow ``extends``, apply ``--set`` overrides, validate into typed objects.

A scenario is declarative data: nothing in it is executed. Every mistake raises `ScenarioError`, whose
message is one line naming the file, the field and what was expected.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from sim.fields import ANCHORED, COMPARISONS, FIELDS, MEASURES, RANGES, TIE_KINDS
from sim.rules import REGISTRY
from sim.rules.base import ParamError, check_params

#: Where the bundled scenarios live (the repository's ``scenarios/`` folder).
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"

SECTIONS = ("actors", "ties", "rules", "events")
ACTIONS = ("shift", "set", "add_tie", "change_tie", "remove_tie", "declare_ceasefire", "end_ceasefire")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # no dots: --set events.ID.KEY splits at them
_MISSING = object()


class ScenarioError(ValueError):
    """A mistake in a scenario: ``where`` (file or ``--set``), ``field`` (dotted path) and what is wrong."""

    def __init__(self, where: str, field: str, message: str) -> None:
        super().__init__(message)
        self.where, self.field, self.message = where, field, message

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Actor:
    """A state or organization: its stance (alignment, ceasefire), weight and anchoring, and sources."""

    id: str
    name: str
    kind: str
    alignment: float
    ceasefire: float
    capability: float
    stubbornness: float
    intensity: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Tie:
    """A tie between two actors; a directed tie means ``source`` influences ``target``."""

    id: str
    kind: str
    weight: float
    source: str
    target: str
    directed: bool
    sources: tuple[str, ...] = ()

    @property
    def actors(self) -> tuple[str, str]:
        return (self.source, self.target)


@dataclass(frozen=True)
class RuleSpec:
    """One rule of a scenario: its key, the rule's name, and every parameter (defaults filled in)."""

    id: str
    rule: str
    params: Mapping[str, Any]

    def build(self):
        """A new rule object with these parameters."""
        return REGISTRY[self.rule](**self.params)


@dataclass(frozen=True)
class Condition:
    """``actor``'s ``field`` (or a model ``measure`` when ``actor`` is None) compared with ``value``."""

    actor: str | None
    field: str
    op: str
    value: float


@dataclass(frozen=True)
class Event:
    """A change of the world at ``step``, or at the first step from ``step`` on where ``when`` holds."""

    id: str
    step: int
    action: str
    note: str
    when: Condition | None = None
    actor: str | None = None
    field: str | None = None
    value: float | None = None
    anchor: bool = True
    tie: str | None = None
    new_tie: Tie | None = None
    weight: float | None = None
    kind: str | None = None
    broker: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated, fully resolved scenario."""

    name: str
    title: str
    description: str
    sides: tuple[str, str]
    steps: int
    seed: int
    actors: tuple[Actor, ...]
    ties: tuple[Tie, ...]
    rules: tuple[RuleSpec, ...]
    events: tuple[Event, ...] = ()
    origin: str = field(default="<memory>", compare=False)

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain TOML-ready data (``extends`` and defaults already applied)."""
        return {
            "scenario": {"name": self.name, "title": self.title, "description": self.description,
                         "sides": list(self.sides), "steps": self.steps, "seed": self.seed},
            "actors": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(a).items()}
                       for a in self.actors],
            "ties": [_tie_dict(t) for t in self.ties],
            "rules": [{"id": r.id, "rule": r.rule, **{k: _plain(v) for k, v in r.params.items() if v is not None}}
                      for r in self.rules],
            "events": [_event_dict(e) for e in self.events],
        }

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def digest(self) -> str:
        """SHA-256 of the resolved scenario's TOML: the same digest means the same scenario."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some top-level values replaced (e.g. ``steps`` or ``seed``), validated again."""
        raw = self.to_dict()
        raw["scenario"].update(changes)
        return validate(raw, {}, self.origin)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _tie_dict(tie: Tie) -> dict[str, Any]:
    ends = {"from": tie.source, "to": tie.target} if tie.directed else {"actors": [tie.source, tie.target]}
    out = {"id": tie.id, "kind": tie.kind, "weight": tie.weight, **ends}
    if tie.sources:
        out["sources"] = list(tie.sources)
    return out


def _event_dict(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"id": event.id, "step": event.step, "action": event.action, "note": event.note}
    if event.when:
        cond = {"actor": event.when.actor, "field": event.when.field} if event.when.actor else {"measure": event.when.field}
        out["when"] = {**cond, "op": event.when.op, "value": event.when.value}
    if event.action in ("shift", "set"):
        out.update({"actor": event.actor, "field": event.field,
                    ("by" if event.action == "shift" else "to"): event.value, "anchor": event.anchor})
    elif event.action == "add_tie":
        out["tie"] = _tie_dict(event.new_tie)
    elif event.action in ("change_tie", "remove_tie"):
        out["tie"] = event.tie
        out.update({k: v for k, v in (("weight", event.weight), ("kind", event.kind)) if v is not None})
    elif event.action == "declare_ceasefire" and event.broker:
        out["broker"] = event.broker
    return out


# ----------------------------------------------------------------------------------------- loading

def bundled() -> list[tuple[str, str, Path]]:
    """The bundled scenarios as ``(name, title, path)``, sorted by name."""
    found = []
    for path in sorted(BUNDLED_DIR.glob("*.toml")):
        try:
            title = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {}).get("title", "")
        except (tomllib.TOMLDecodeError, OSError):
            title = "(unreadable)"
        found.append((path.stem, str(title), path))
    return found


#: How `dipsim list` groups the library, by the file name's prefix.
LIBRARY_GROUPS = (("baseline", "the article"), ("history", "history"), ("whatif", "what-ifs"),
                  ("classic", "classics"))


def library_group(name: str) -> str:
    """The group of a bundled scenario: the article, history, what-ifs, classics (or other)."""
    return next((group for prefix, group in LIBRARY_GROUPS if name.split("-")[0] == prefix), "other")


def resolve(ref: str | Path, relative_to: Path | None = None) -> Path:
    """The file a scenario reference names: a path (relative to ``relative_to``) or a bundled name."""
    text = str(ref)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    if not text.endswith(".toml") and "/" not in text:
        candidates.append(BUNDLED_DIR / f"{text}.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    names = ", ".join(name for name, _, _ in bundled())
    raise ScenarioError(text, "", f"no such scenario file or bundled scenario (bundled: {names})")


def load(ref: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, extend, override and validate a scenario given by path or bundled name."""
    path = resolve(ref)
    raw, origins = _load_raw(path, ())
    for assignment in overrides:
        apply_override(raw, origins, assignment)
    return validate(raw, origins, str(path))


def loads(text: str, where: str = "<string>", overrides: Iterable[str] = ()) -> Scenario:
    """Validate a scenario from TOML text (``extends`` resolves against the working directory)."""
    raw, origins = _parse(text, where, Path.cwd(), ())
    for assignment in overrides:
        apply_override(raw, origins, assignment)
    return validate(raw, origins, where)


def _load_raw(path: Path, stack: tuple[Path, ...]) -> tuple[dict, dict[str, str]]:
    key = path.resolve()
    if key in stack:
        chain = " -> ".join(p.name for p in (*stack, key))
        raise ScenarioError(str(path), "scenario.extends", f"extends itself in a cycle: {chain}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), "", f"cannot read the file ({err})") from None
    return _parse(text, str(path), path.parent, (*stack, key))


def _parse(text: str, where: str, folder: Path, stack: tuple[Path, ...]) -> tuple[dict, dict[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(where, "", f"not valid TOML: {err}") from None
    check = _Checker({}, where)
    unknown = sorted(set(data) - {"scenario", *SECTIONS})
    if unknown:
        check.fail(unknown[0], f"unknown section; expected scenario, {', '.join(SECTIONS)}")
    head = check.table(data.get("scenario", {}), "scenario")
    if "source" in head:
        source = folder / check.string(head, "source", "scenario")
        if not source.is_file():
            check.fail("scenario.source", f"no such file {source}")
        head["source"] = str(source.resolve())
    sections = {name: check.tables(data.get(name, []), name) for name in SECTIONS}
    if "extends" in head:
        parent_ref = check.string(head, "extends", "scenario")
        try:
            parent_path = resolve(parent_ref, folder)
        except ScenarioError:
            check.fail("scenario.extends", f"no scenario file or bundled scenario named {parent_ref!r}")
        raw, origins = _load_raw(parent_path, stack)
    else:
        raw, origins = {"scenario": {}, **{name: [] for name in SECTIONS}}, {}
    head.pop("extends", None)
    raw["scenario"].update(head)
    origins.update({f"scenario.{k}": where for k in head})
    for name in SECTIONS:
        _merge_section(raw[name], sections[name], name, origins, where)
    return raw, origins


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


def find_key(section: str, entries: Sequence[Mapping[str, Any]], ref: str) -> int | None:
    """Index of the entry of ``section`` whose key is ``ref`` (a symmetric tie also in the other order)."""
    keys = [_entry_key(section, e) for e in entries]
    ref = tie_ref(ref, keys) if section == "ties" else ref
    return keys.index(ref) if ref in keys else None


def tie_ref(ref: str, keys: Iterable[str | None]) -> str:
    """The key ``ref`` names among tie ``keys``: itself, or ``B-A`` written as ``A-B``."""
    keys = set(keys)
    if ref in keys or "-" not in ref:
        return ref
    swapped = "-".join(sorted(ref.split("-", 1)))
    return swapped if swapped in keys else ref


#: What a new entry of an extending file must give (an entry that matches none is most likely a typo).
_NEW_ENTRY_NEEDS = {"actors": ("alignment", "ceasefire", "capability", "stubbornness"), "ties": ("kind", "weight")}


def _merge_section(base: list[dict], entries: list[dict], section: str, origins: dict[str, str], where: str) -> None:
    check = _Checker({}, where)
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        key = _entry_key(section, entry)
        if key is None:
            needs = {"ties": "'actors = [a, b]' or 'from'/'to' (or an 'id')", "rules": "'rule'"}.get(section, "'id'")
            check.fail(f"{section}[{position}]", f"missing {needs}")
        if key in seen:
            check.fail(f"{section}.{key}", f"duplicate {section[:-1]} {key!r} in the same file")
        seen.add(key)
        index = find_key(section, base, key)
        if entry.get("remove") is True:
            if index is None:
                check.fail(f"{section}.{key}.remove", f"no {section[:-1]} {key!r} in the extended scenario to remove")
            del base[index]
            continue
        entry = {k: v for k, v in entry.items() if k != "remove"}
        if index is None:
            missing = [k for k in _NEW_ENTRY_NEEDS.get(section, ()) if k not in entry]
            if base and missing:
                known = ", ".join(filter(None, (_entry_key(section, e) for e in base)))
                check.fail(f"{section}.{key}", f"no {section[:-1]} {key!r} in the extended scenario ({known}); "
                           f"a new one needs {', '.join(missing)}")
            base.append(entry)
        else:
            base[index].update(entry)
        origins.update({f"{section}.{key}.{k}": where for k in entry})
        origins.setdefault(f"{section}.{key}", where)


def apply_override(raw: dict, origins: dict[str, str], assignment: str) -> None:
    """Apply one ``--set path=value`` (value read as a TOML value, else as a bare string)."""
    where = f"--set {assignment}"
    path, sep, text = assignment.partition("=")
    parts = path.strip().split(".")
    check = _Checker({}, where)
    if not sep or len(parts) < 2:
        check.fail(path, "expected section.key=value or section.id.key=value (e.g. actors.TUR.alignment=0.2)")
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    section, rest = parts[0], parts[1:]
    if section == "scenario":
        target = raw["scenario"]
    elif section in SECTIONS and len(rest) >= 2:
        index = find_key(section, raw[section], rest[0])
        if index is None:
            check.fail(path, f"no {section[:-1]} {rest[0]!r} in the scenario")
        target, rest = raw[section][index], rest[1:]
        path = ".".join([section, _entry_key(section, target), *rest])
    else:
        check.fail(path, f"expected scenario.KEY or one of {', '.join(SECTIONS)} followed by .ID.KEY")
    for part in rest[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            check.fail(path, f"{part} is not a table")
    target[rest[-1]] = value
    origins[path] = where


# ------------------------------------------------------------------------------------- validation

class _Checker:
    """Typed reads of raw TOML tables that fail with the file and the dotted field."""

    def __init__(self, origins: Mapping[str, str], where: str) -> None:
        self.origins, self.default = origins, where

    def where(self, path: str) -> str:
        parts = path.split(".")
        for end in range(len(parts), 0, -1):
            found = self.origins.get(".".join(parts[:end]))
            if found:
                return found
        return self.default

    def fail(self, path: str, message: str) -> NoReturn:
        raise ScenarioError(self.where(path), path, message)

    def table(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a table, got {value!r}")
        return value

    def tables(self, value: Any, path: str) -> list[dict]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(path, f"expected an array of tables ([[{path}]])")
        return value

    def keys(self, table: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                self.fail(f"{path}.{key}", f"unknown key; expected one of {', '.join(allowed)}")
        for key in required:
            if key not in table:
                self.fail(f"{path}.{key}", "missing (required)")

    def number(self, table: Mapping[str, Any], key: str, path: str, lo: float = -math.inf,
               hi: float = math.inf, default: Any = _MISSING) -> float:
        value = table.get(key, default)
        if value is _MISSING:
            self.fail(f"{path}.{key}", f"missing; expected a number in [{lo:g}, {hi:g}]")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not lo <= value <= hi:
            self.fail(f"{path}.{key}", f"expected a number in [{lo:g}, {hi:g}], got {value!r}")
        return float(value)

    def integer(self, table: Mapping[str, Any], key: str, path: str, lo: int = 0, hi: int = 2**63 - 1,
                default: Any = _MISSING) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            shown = "missing" if value is _MISSING else f"got {value!r}"
            self.fail(f"{path}.{key}", f"expected a whole number in [{lo}, {hi}], {shown}")
        return value

    def string(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
               choices: Sequence[str] = ()) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (choices and value not in choices):
            expected = f"one of {', '.join(choices)}" if choices else "a string"
            shown = "missing" if value is _MISSING else f"got {value!r}"
            self.fail(f"{path}.{key}", f"expected {expected}, {shown}")
        return value

    def strings(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> tuple[str, ...]:
        value = table.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{path}.{key}", f"expected a list of strings, got {value!r}")
        return tuple(value)

    def boolean(self, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {value!r}")
        return value

    def actor(self, table: Mapping[str, Any], key: str, path: str, known: Sequence[str]) -> str:
        value = table.get(key, _MISSING)
        if value not in known:
            shown = "missing" if value is _MISSING else f"unknown actor {value!r}"
            self.fail(f"{path}.{key}", f"{shown}; expected one of {', '.join(known)}")
        return value


def validate(raw: Mapping[str, Any], origins: Mapping[str, str], where: str) -> Scenario:
    """Turn merged raw data into a `Scenario`, or raise ScenarioError naming the file and field."""
    check = _Checker(origins, where)
    head = check.table(raw.get("scenario"), "scenario")
    check.keys(head, "scenario", ("name", "title", "description", "sides", "steps", "seed", "source"),
               ("name", "sides", "steps"))
    name = check.string(head, "name", "scenario")
    if not _KEY.match(name):
        check.fail("scenario.name", f"expected letters, digits, '-', '_' or '.', got {name!r}")
    article = _read_source(head, check)

    actors = tuple(_actor(e, check, article) for e in raw.get("actors", []))
    ids = [a.id for a in actors]
    if not ids:
        check.fail("actors", "a scenario needs actors ([[actors]] tables)")
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        check.fail(f"actors.{duplicate}", f"duplicate actor id {duplicate!r}")
    sides = check.strings(head, "sides", "scenario")
    if len(sides) != 2 or sides[0] == sides[1] or not set(sides) <= set(ids):
        check.fail("scenario.sides", f"expected two different actor ids from {', '.join(ids)}, got {list(sides)!r}")
    for actor in actors:
        if actor.id not in sides and actor.intensity != 0:
            check.fail(f"actors.{actor.id}.intensity", "only the two sides fight; expected 0 for any other actor")

    ties = tuple(_tie(e, f"ties.{_entry_key('ties', e)}", check, ids, article) for e in raw.get("ties", []))
    _check_pairs(ties, check)
    rules = tuple(_rule(e, check, ids) for e in raw.get("rules", []))
    events = tuple(_event(e, check, ids) for e in raw.get("events", []))
    slots = {t.id: t for t in ties}
    for event in events:
        if event.new_tie is None:
            continue
        known = slots.setdefault(event.new_tie.id, event.new_tie)
        if _ends(known) != _ends(event.new_tie):
            check.fail(f"events.{event.id}.tie", f"tie {known.id!r} already joins other actors or runs the other way")
    _check_pairs(tuple(slots.values()), check)
    events = tuple(replace(e, tie=tie_ref(e.tie, slots)) if e.action in ("change_tie", "remove_tie") else e
                   for e in events)
    for event in events:
        if event.action in ("change_tie", "remove_tie") and event.tie not in slots:
            check.fail(f"events.{event.id}.tie", f"no tie {event.tie!r} in ties or added by an event")

    return Scenario(
        name=name,
        title=check.string(head, "title", "scenario", default=name),
        description=check.string(head, "description", "scenario", default=""),
        sides=(sides[0], sides[1]),
        steps=check.integer(head, "steps", "scenario", lo=1, hi=100_000),
        seed=check.integer(head, "seed", "scenario", default=0),
        actors=actors, ties=ties, rules=rules, events=events, origin=where,
    )


def _read_source(head: Mapping[str, Any], check: _Checker) -> str | None:
    if "source" not in head:
        return None
    path = Path(check.string(head, "source", "scenario"))
    try:
        return " ".join(path.read_text(encoding="utf-8").split())
    except OSError as err:
        check.fail("scenario.source", f"cannot read {path} ({err})")


def _check_quotes(sources: tuple[str, ...], path: str, check: _Checker, article: str | None) -> None:
    """Every quotation must be in the source; the entries of the file that declares the source need one.

    An actor or tie that an extending file adds (a what-if's counterfactual) may go without quotations.
    """
    if article is None:
        return
    if not sources and check.where(path) == check.where("scenario.source"):
        check.fail(f"{path}.sources", "expected at least one quotation from the scenario's source")
    for number, quote in enumerate(sources):
        if " ".join(quote.split()) not in article:
            check.fail(f"{path}.sources", f"quotation {number + 1} is not found verbatim in the source: {quote[:60]!r}")


def _actor(entry: dict, check: _Checker, article: str | None) -> Actor:
    actor_id = entry.get("id")
    if not isinstance(actor_id, str) or not _ID.match(actor_id):
        check.fail(f"actors.{actor_id}.id", "expected an id of letters, digits and '_' starting with a letter")
    path = f"actors.{actor_id}"
    check.keys(entry, path, ("id", "name", "kind", *FIELDS, "sources"),
               ("alignment", "ceasefire", "capability", "stubbornness"))
    values = {f: check.number(entry, f, path, *RANGES[f], default=0.0 if f == "intensity" else _MISSING)
              for f in FIELDS}
    sources = check.strings(entry, "sources", path, default=[])
    _check_quotes(sources, path, check, article)
    return Actor(id=actor_id, name=check.string(entry, "name", path, default=actor_id),
                 kind=check.string(entry, "kind", path, default="state"), sources=sources, **values)


def _tie(entry: dict, path: str, check: _Checker, ids: Sequence[str], article: str | None) -> Tie:
    check.keys(entry, path, ("id", "kind", "weight", "actors", "from", "to", "sources"), ("kind", "weight"))
    if "actors" in entry:
        if "from" in entry or "to" in entry:
            check.fail(f"{path}.actors", "give either 'actors' (symmetric) or 'from'/'to' (directed), not both")
        pair = check.strings(entry, "actors", path)
        if len(pair) != 2:
            check.fail(f"{path}.actors", f"expected two actor ids, got {list(pair)!r}")
        source, target, directed = pair[0], pair[1], False
        check.actor({"actors": source}, "actors", path, ids)
        check.actor({"actors": target}, "actors", path, ids)
    else:
        source, target, directed = check.actor(entry, "from", path, ids), check.actor(entry, "to", path, ids), True
    if source == target:
        check.fail(path, f"a tie joins two different actors, got {source!r} twice")
    sources = check.strings(entry, "sources", path, default=[])
    _check_quotes(sources, path, check, article)
    key = entry.get("id", _tie_key(entry))
    return Tie(id=key, kind=check.string(entry, "kind", path, choices=TIE_KINDS),
               weight=check.number(entry, "weight", path, -1.0, 1.0),
               source=source, target=target, directed=directed, sources=sources)


def _ends(tie: Tie) -> tuple:
    return (tie.source, tie.target) if tie.directed else (frozenset(tie.actors),)


def _check_pairs(ties: Sequence[Tie], check: _Checker) -> None:
    pairs: dict[frozenset, str] = {}
    for tie in ties:
        pair = frozenset(tie.actors)
        if pair in pairs and pairs[pair] != tie.id:
            a, b = tie.actors
            check.fail(f"ties.{tie.id}", f"{a} and {b} already have a tie ({pairs[pair]}); one tie per pair")
        pairs[pair] = tie.id


def _rule(entry: dict, check: _Checker, ids: Sequence[str]) -> RuleSpec:
    rule_name = entry.get("rule")
    key = entry.get("id", rule_name)
    path = f"rules.{key}"
    if rule_name not in REGISTRY:
        check.fail(f"{path}.rule", f"unknown rule {rule_name!r}; expected one of {', '.join(REGISTRY)}")
    params = {k: v for k, v in entry.items() if k not in ("id", "rule")}
    try:
        checked = check_params(REGISTRY[rule_name], params, ids)
    except ParamError as err:
        param = str(err).split(":", 1)[0]
        check.fail(f"{path}.{param}", str(err).split(": ", 1)[1])
    defaults = {k: p.default for k, p in REGISTRY[rule_name].params.items()}
    return RuleSpec(id=key, rule=rule_name, params={**defaults, **checked})


def _event(entry: dict, check: _Checker, ids: Sequence[str]) -> Event:
    path = f"events.{entry.get('id')}"
    action = check.string(entry, "action", path, choices=ACTIONS)
    specific = {
        "shift": ("actor", "field", "by", "anchor"), "set": ("actor", "field", "to", "anchor"),
        "add_tie": ("tie",), "change_tie": ("tie", "weight", "kind"), "remove_tie": ("tie",),
        "declare_ceasefire": ("broker",), "end_ceasefire": (),
    }[action]
    check.keys(entry, path, ("id", "step", "when", "action", "note", *specific), ("id", "note"))
    if not _EVENT_ID.match(entry["id"] if isinstance(entry["id"], str) else ""):
        check.fail(f"{path}.id", "expected letters, digits, '-' or '_'")
    when = _condition(entry["when"], f"{path}.when", check, ids) if "when" in entry else None
    step = check.integer(entry, "step", path, default=0 if when else _MISSING)
    fields: dict[str, Any] = {}
    if action in ("shift", "set"):
        fields["actor"] = check.actor(entry, "actor", path, ids)
        fields["field"] = check.string(entry, "field", path, choices=FIELDS)
        if action == "shift":
            fields["value"] = check.number(entry, "by", path)
        else:
            fields["value"] = check.number(entry, "to", path, *RANGES[fields["field"]])
        fields["anchor"] = check.boolean(entry, "anchor", path, default=True) and fields["field"] in ANCHORED
    elif action == "add_tie":
        tie_entry = check.table(entry.get("tie"), f"{path}.tie")
        fields["new_tie"] = _tie(tie_entry, f"{path}.tie", check, ids, None)
        fields["tie"] = fields["new_tie"].id
    elif action in ("change_tie", "remove_tie"):
        fields["tie"] = check.string(entry, "tie", path)
        if action == "change_tie":
            if "weight" not in entry and "kind" not in entry:
                check.fail(path, "change_tie needs a new 'weight' or 'kind'")
            fields["weight"] = check.number(entry, "weight", path, -1.0, 1.0) if "weight" in entry else None
            fields["kind"] = check.string(entry, "kind", path, choices=TIE_KINDS) if "kind" in entry else None
    elif action == "declare_ceasefire" and "broker" in entry:
        fields["broker"] = check.actor(entry, "broker", path, ids)
    return Event(id=entry["id"], step=step, action=action, note=check.string(entry, "note", path),
                 when=when, **fields)


def _condition(entry: Any, path: str, check: _Checker, ids: Sequence[str]) -> Condition:
    table = check.table(entry, path)
    if "actor" in table:
        check.keys(table, path, ("actor", "field", "op", "value"), ("field", "op", "value"))
        actor = check.actor(table, "actor", path, ids)
        name = check.string(table, "field", path, choices=FIELDS)
    else:
        check.keys(table, path, ("measure", "op", "value"), ("measure", "op", "value"))
        actor, name = None, check.string(table, "measure", path, choices=MEASURES)
    return Condition(actor=actor, field=name, op=check.string(table, "op", path, choices=COMPARISONS),
                     value=check.number(table, "value", path))
