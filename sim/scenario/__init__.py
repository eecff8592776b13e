"""Scenario files: load TOML, follow ``extends``, apply ``--set`` overrides, validate into typed objects.

A scenario is declarative data: nothing in it is executed. Every mistake raises `ScenarioError`, whose
message is one line naming the file, the field and what was expected.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import re
import stat
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from sim.core.fields import ANCHORED, COMPARISONS, FIELDS, LARGEST, MEASURES, RANGES, TIE_KINDS
from sim.rules import REGISTRY
from sim.rules.base import ParamError, check_params, listing, shown


def _bundled_dir() -> Path:
    """Where the bundled scenarios live: the repository's top-level ``scenarios/`` folder.

    The wheel ships that folder inside the package as ``sim/scenarios`` (pyproject.toml maps it there), so
    an installed dipsim finds it with `importlib.resources`; a checkout (run in place or installed with
    ``pip install -e``) has it beside the package. Scenario sources must be regular files inside their
    scenario's folder, so only a folder on disk will do (not a zipped package).
    """
    shipped = importlib.resources.files("sim") / "scenarios"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped.resolve()
    return Path(__file__).resolve().parent.parent.parent / "scenarios"


#: Where the bundled scenarios live (see `_bundled_dir`).
BUNDLED_DIR = _bundled_dir()

SECTIONS = ("actors", "ties", "rules", "events")
ACTIONS = ("shift", "set", "add_tie", "change_tie", "remove_tie", "declare_ceasefire", "end_ceasefire")
#: What ids and names look like (matched whole), and how a message says it.
_ACTOR_ID = (re.compile(r"[A-Za-z][A-Za-z0-9_]*"), "letters, digits and '_', starting with a letter")
_NAME = (re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*"), "letters, digits, '-', '_' or '.'")
#: Event, rule and tie ids: no dots, since --set events.ID.KEY splits at them.
_ENTRY_ID = (re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"), "letters, digits, '-' or '_'")
_MISSING = object()
#: How the origin of a --set assignment starts.
_SET = "--set "

# The bounds of a scenario (docs/scenario-format.md, "Limits"): whatever a file or a --set gives,
# loading and validating take seconds, and a run's record stays within about half a gigabyte.

#: The largest scenario file (or text given to `loads`): 100,000 actors and 100,000 ties take 16 MiB.
MAX_FILE_BYTES = 32 * 2**20
#: The largest source text (the baseline's article is 5 KB; a long report a few hundred).
MAX_SOURCE_BYTES = 2 * 2**20
#: The most files in a chain of ``extends``.
MAX_EXTENDS = 32
#: The most days of a run.
MAX_STEPS = 100_000
#: The most entries of each section: every rule acts every day and adds a column to a run's record of
#: contributions; every event is looked at every day.
MAX_ENTRIES = {"actors": 100_000, "ties": 200_000, "rules": 16, "events": 10_000}
#: The most actor-days and tie-days of a run: a run records about 400 bytes an actor a day (its fields and
#: each rule's contribution to them) and about 10 a tie.
MAX_ACTOR_DAYS = 1_000_000
MAX_TIE_DAYS = 10_000_000
#: The most quotations checked against a source (each check reads the source: 0.4 ms for 2 MiB).
MAX_QUOTATIONS = 10_000
#: The longest ids and names (they name folders, columns and files), labels (titles, names, kinds) and
#: prose (descriptions, notes, quotations, paths), in characters.
MAX_ID, MAX_LABEL, MAX_PROSE = 64, 200, 10_000


def _clip(text: str, most: int = 200) -> str:
    return text if len(text) <= most else text[:most] + "..."


class ScenarioError(ValueError):
    """A mistake in a scenario: ``where`` (file or ``--set``), ``field`` (dotted path) and what is wrong."""

    def __init__(self, where: str, field: str, message: str) -> None:
        super().__init__(message)
        self.where, self.field, self.message = where, field, message

    def __str__(self) -> str:
        where, field = _clip(self.where), _clip(self.field)
        return f"{where}: {field}: {self.message}" if field else f"{where}: {self.message}"


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

    @cached_property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @cached_property
    def _actors_by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id; KeyError naming the scenario's actors if there is none."""
        try:
            return self._actors_by_id[actor_id]
        except (KeyError, TypeError):
            raise KeyError(f"no actor {shown(actor_id)} in scenario {self.name!r}; "
                           f"its actors: {listing(self.actor_ids)}") from None

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
        check = _Checker({}, str(path))
        try:
            title = _toml(_read_text(path, MAX_FILE_BYTES, check, ""), check).get("scenario", {}).get("title", "")
        except ScenarioError:
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
    """Load, extend, override and validate a scenario given by path or bundled name.

    A ``--set scenario.source=PATH`` is relative to the scenario file's folder.
    """
    path = resolve(ref)
    raw, origins = _load_raw(path, ())
    apply_overrides(raw, origins, overrides, path.parent)
    return validate(raw, origins, str(path))


def loads(text: str, where: str = "<string>", overrides: Iterable[str] = ()) -> Scenario:
    """Validate a scenario from TOML text (``extends`` and sources resolve against the working directory)."""
    _check_size(len(text), MAX_FILE_BYTES, _Checker({}, where), "")
    raw, origins = _parse(text, where, Path.cwd(), ())
    apply_overrides(raw, origins, overrides, Path.cwd())
    return validate(raw, origins, where)


def _read_text(path: Path, limit: int, check: _Checker, field: str) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes, or a ScenarioError on ``field``.

    The file is opened without blocking and looked at before it is read: a FIFO, a device or a folder is
    refused, and no more than ``limit`` bytes are read (a file in /proc says it has none).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as err:               # ValueError: a NUL in the path
        check.fail(field, f"cannot read {path} ({getattr(err, 'strerror', None) or err})")
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            check.fail(field, f"{path} is not a regular file")
        data = file.read(limit + 1)
    _check_size(len(data), limit, check, field)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        check.fail(field, f"cannot read {path} ({err})")


def _check_size(size: int, limit: int, check: _Checker, field: str) -> None:
    if size > limit:
        check.fail(field, f"larger than {limit // 2**20} MiB")


def _toml(text: str, check: _Checker) -> dict:
    try:
        return tomllib.loads(text)
    except RecursionError:                  # tomllib recurses into nested arrays and inline tables
        check.fail("", "not valid TOML: nested too deeply")
    except ValueError as err:               # TOMLDecodeError, or an integer of more than 4,300 digits
        check.fail("", f"not valid TOML: {err}")


def _load_raw(path: Path, stack: tuple[Path, ...]) -> tuple[dict, dict[str, str]]:
    key = path.resolve()
    if key in stack:
        chain = " -> ".join(p.name for p in (*stack, key))
        raise ScenarioError(str(path), "scenario.extends", f"extends itself in a cycle: {chain}")
    text = _read_text(path, MAX_FILE_BYTES, _Checker({}, str(path)), "")
    return _parse(text, str(path), path.parent, (*stack, key))


def _parse(text: str, where: str, folder: Path, stack: tuple[Path, ...]) -> tuple[dict, dict[str, str]]:
    check = _Checker({}, where)
    data = _toml(text, check)
    unknown = sorted(set(data) - {"scenario", *SECTIONS})
    if unknown:
        check.fail(unknown[0], f"unknown section; expected scenario, {', '.join(SECTIONS)}")
    head = check.table(data.get("scenario", {}), "scenario")
    if "source" in head:
        head["source"] = _source_path(head["source"], folder, check)
    sections = {name: check.tables(data.get(name, []), name) for name in SECTIONS}
    if "extends" in head:
        if len(stack) >= MAX_EXTENDS:
            check.fail("scenario.extends", f"more than {MAX_EXTENDS} files extend one another")
        parent_ref = check.string(head, "extends", "scenario", most=MAX_PROSE)
        try:
            parent_path = resolve(parent_ref, folder)
        except ScenarioError:
            check.fail("scenario.extends", f"no scenario file or bundled scenario named {shown(parent_ref)}")
        raw, origins = _load_raw(parent_path, stack)
    else:
        raw, origins = {"scenario": {}, **{name: [] for name in SECTIONS}}, {}
    head.pop("extends", None)
    raw["scenario"].update(head)
    origins.update({f"scenario.{k}": where for k in head})
    for name in SECTIONS:
        _merge_section(raw[name], sections[name], name, origins, where)
    return raw, origins


def _source_path(ref: Any, folder: Path, check: _Checker) -> str:
    """The absolute path of the source file ``ref`` names relative to ``folder``, which it may not leave.

    So a scenario cannot be used to find out whether files elsewhere exist or what they hold.
    """
    text = check.string({"source": ref}, "source", "scenario", most=MAX_PROSE)
    inside = folder.resolve()
    try:
        path = (inside / text).resolve()
    except (OSError, RuntimeError, ValueError):      # a loop of links, a NUL in the path
        path = Path("/")
    if not path.is_relative_to(inside):
        check.fail("scenario.source", f"expected a path inside the scenario's folder {inside}, got {shown(text)}")
    return str(path)


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


def _positions(section: str, entries: Iterable[Mapping[str, Any]]) -> dict[str | None, int]:
    """The position of each entry of ``section`` by its key (the first, if two share one)."""
    positions: dict[str | None, int] = {}
    for position, entry in enumerate(entries):
        positions.setdefault(_entry_key(section, entry), position)
    return positions


def _find(section: str, positions: Mapping[str | None, int], ref: str) -> str | None:
    """The key of the entry ``ref`` names among ``positions`` (a symmetric tie also in the other order)."""
    ref = tie_ref(ref, positions) if section == "ties" else ref
    return ref if ref in positions else None


def tie_ref(ref: str, keys: Collection[str | None]) -> str:
    """The key ``ref`` names among tie ``keys`` (a set or a dict): itself, or ``B-A`` written as ``A-B``."""
    if ref in keys or "-" not in ref:
        return ref
    swapped = "-".join(sorted(ref.split("-", 1)))
    return swapped if swapped in keys else ref


#: What a new entry of an extending file must give (an entry that matches none is most likely a typo).
_NEW_ENTRY_NEEDS = {"actors": ("alignment", "ceasefire", "capability", "stubbornness"), "ties": ("kind", "weight")}


def _merge_section(base: list[dict], entries: list[dict], section: str, origins: dict[str, str], where: str) -> None:
    """Merge a file's ``entries`` into the extended ``base`` by key, in time linear in both.

    Entries to remove are only marked while merging (so that positions stay valid) and taken out at the end.
    """
    check = _Checker({}, where)
    positions = _positions(section, base)
    removed: set[int] = set()
    seen: set[str] = set()
    for number, entry in enumerate(entries):
        key = _entry_key(section, entry)
        if key is None:
            needs = {"ties": "'actors = [a, b]' or 'from'/'to' (or an 'id')", "rules": "'rule'"}.get(section, "'id'")
            check.fail(f"{section}[{number}]", f"missing {needs}")
        if key in seen:
            check.fail(f"{section}.{key}", f"duplicate {section[:-1]} {shown(key)} in the same file")
        seen.add(key)
        found = _find(section, positions, key)
        if entry.get("remove") is True:
            if found is None:
                check.fail(f"{section}.{key}.remove", f"no {section[:-1]} {shown(key)} in the extended scenario to remove")
            removed.add(positions.pop(found))
            continue
        entry = {k: v for k, v in entry.items() if k != "remove"}
        if found is None:
            missing = [k for k in _NEW_ENTRY_NEEDS.get(section, ()) if k not in entry]
            if positions and missing:
                check.fail(f"{section}.{key}", f"no {section[:-1]} {shown(key)} in the extended scenario "
                           f"({listing(positions)}); a new one needs {', '.join(missing)}")
            positions[key] = len(base)
            base.append(entry)
        else:
            base[positions[found]].update(entry)
        origins.update({f"{section}.{key}.{k}": where for k in entry})
        origins.setdefault(f"{section}.{key}", where)
    if removed:
        base[:] = [entry for position, entry in enumerate(base) if position not in removed]


#: The most names in a --set path (``events.ID.when.value`` has four).
_SET_DEPTH = 8
#: The keys that say which entry an entry is: --set cannot change them (a what-if file can).
_IDENTITY = {"actors": ("id",), "ties": ("id", "actors", "from", "to"), "rules": ("id", "rule"), "events": ("id",)}


def apply_overrides(raw: dict, origins: dict[str, str], assignments: Iterable[str], folder: Path) -> None:
    """Apply ``--set path=value`` assignments in order (a value is read as a TOML value, else as a bare
    string); a ``scenario.source`` is relative to ``folder``. Each assignment is the origin of what it sets.
    """
    positions: dict[str, dict[str | None, int]] = {}          # of each section, made when first needed
    for assignment in assignments:
        where = f"{_SET}{assignment}"
        path, sep, text = assignment.partition("=")
        parts = path.strip().split(".")
        check = _Checker({}, where)
        if not sep or len(parts) < 2:
            check.fail(path, "expected section.key=value or section.id.key=value (e.g. actors.TUR.alignment=0.2)")
        if len(parts) > _SET_DEPTH:
            check.fail(path, f"expected at most {_SET_DEPTH} names joined by dots")
        value = parse_value(text.strip(), where, path)
        section, rest = parts[0], parts[1:]
        if section == "scenario":
            target, head = raw["scenario"], [section]
            if rest == ["source"]:
                value = _source_path(value, folder, check)
        elif section in SECTIONS and len(rest) >= 2:
            if section not in positions:
                positions[section] = _positions(section, raw[section])
            key = _find(section, positions[section], rest[0])
            if key is None:
                check.fail(path, f"no {section[:-1]} {shown(rest[0])} in the scenario")
            if rest[1] in _IDENTITY[section]:
                check.fail(path, f"--set cannot change which {section[:-1]} this is; write a what-if file instead")
            target, head, rest = raw[section][positions[section][key]], [section, key], rest[1:]
        else:
            check.fail(path, f"expected scenario.KEY or one of {', '.join(SECTIONS)} followed by .ID.KEY")
        path = ".".join([*head, *rest])
        for depth, part in enumerate(rest[:-1]):
            if part not in target:                              # a table the assignment makes
                origins[".".join([*head, *rest[:depth + 1]])] = where
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                check.fail(path, f"{part} is not a table")
        target[rest[-1]] = value
        origins[path] = where


def parse_value(text: str, where: str, field: str) -> Any:
    """A value given on the command line (``--set``, ``--vary``): ``text`` read as a TOML value (number,
    boolean, string, list), else ``text`` itself; `ScenarioError` for one nested too deeply."""
    try:
        parsed = tomllib.loads(f"v = {text}")
    except RecursionError:
        raise ScenarioError(where, field, "nested too deeply") from None
    except ValueError:                      # not TOML, or an integer of more than 4,300 digits
        return text
    return parsed["v"] if len(parsed) == 1 else text


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
            self.fail(path, f"expected a table, got {shown(value)}")
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

    def number(self, table: Mapping[str, Any], key: str, path: str, lo: float, hi: float,
               default: Any = _MISSING) -> float:
        value = table.get(key, default)
        if value is _MISSING:
            self.fail(f"{path}.{key}", f"missing; expected a number in [{lo:g}, {hi:g}]")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:  # and not NaN
            self.fail(f"{path}.{key}", f"expected a number in [{lo:g}, {hi:g}], got {shown(value)}")
        return float(value)

    def integer(self, table: Mapping[str, Any], key: str, path: str, lo: int, hi: int,
                default: Any = _MISSING) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            got = "missing" if value is _MISSING else f"got {shown(value)}"
            self.fail(f"{path}.{key}", f"expected a whole number in [{lo}, {hi}], {got}")
        return value

    def string(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
               choices: Collection[str] = (), most: int = MAX_LABEL) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (choices and value not in choices):
            expected = f"one of {', '.join(choices)}" if choices else "a string"
            got = "missing" if value is _MISSING else f"got {shown(value)}"
            self.fail(f"{path}.{key}", f"expected {expected}, {got}")
        self._length(value, key, path, most)
        return value

    def strings(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
                most: int = MAX_LABEL) -> tuple[str, ...]:
        value = table.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{path}.{key}", f"expected a list of strings, got {shown(value)}")
        for text in value:
            self._length(text, key, path, most)
        return tuple(value)

    def _length(self, text: str, key: str, path: str, most: int) -> None:
        if len(text) > most:
            self.fail(f"{path}.{key}", f"expected at most {most} characters, got {len(text)}")

    def name(self, table: Mapping[str, Any], key: str, path: str, form: tuple[re.Pattern, str]) -> str:
        """An id or name: at most MAX_ID characters of the ``form`` (a pattern matched whole and its words)."""
        value = table.get(key, _MISSING)
        pattern, words = form
        if not isinstance(value, str) or len(value) > MAX_ID or not pattern.fullmatch(value):
            got = "missing" if value is _MISSING else f"got {shown(value)}"
            self.fail(f"{path}.{key}", f"expected {words}, at most {MAX_ID} characters, {got}")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {shown(value)}")
        return value

    def actor(self, table: Mapping[str, Any], key: str, path: str, known: Collection[str]) -> str:
        """The id of an actor in ``known`` (a dict or a set, to look it up at once)."""
        value = table.get(key, _MISSING)
        if not isinstance(value, str) or value not in known:
            got = "missing" if value is _MISSING else f"unknown actor {shown(value)}"
            self.fail(f"{path}.{key}", f"{got}; expected one of {listing(known)}")
        return value


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
        if actor.id not in sides and actor.intensity != 0:
            check.fail(f"actors.{actor.id}.intensity", "only the two sides fight; expected 0 for any other actor")

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
    values = {f: check.number(entry, f, path, *RANGES[f], default=0.0 if f == "intensity" else _MISSING)
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
