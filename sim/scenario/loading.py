"""Loading a scenario: read its file (or text), follow ``extends``, merge each section of a file into the
one it extends, apply ``--set`` overrides, and validate the result into a `Scenario`.
"""

from __future__ import annotations

import pickle
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sim.rules.base import listing, shown
from sim.scenario.library import resolve
from sim.scenario.limits import MAX_EXTENDS, MAX_FILE_BYTES, MAX_PROSE, MAX_SOURCES
from sim.scenario.reading import (
    _check_size,
    _Checker,
    _read_text,
    _toml,
    did_you_mean,
    unknown_key,
)
from sim.scenario.spec import Scenario, ScenarioError
from sim.scenario.validation import (
    _SET,
    ACTOR_KEYS,
    EVENT_KEYS,
    RULE_KEYS,
    TIE_KEYS,
    _entry_key,
    tie_ref,
    validate,
)

SECTIONS = ("actors", "ties", "rules", "events")


def load(ref: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, extend, override and validate a scenario given by path or bundled name.

    A ``--set scenario.source=PATH`` is relative to the scenario file's folder.
    """
    return Template.read(ref, overrides).scenario()


class Template:
    """A scenario read once (its file and the files it extends, merged) and validated with different
    ``--set`` overrides as often as asked: the points of a sweep or a sensitivity study, each built when it
    is needed. Reading and merging is most of what `load` costs, and a study of ten thousand points holds
    one template, not ten thousand scenarios."""

    def __init__(self, raw: dict, origins: dict[str, str], where: str, folder: Path,
                 scenario: Scenario | None = None) -> None:
        self._raw, self._origins, self.where, self._folder = raw, origins, where, folder
        self._plain = scenario

    @classmethod
    def read(cls, ref: str | Path, overrides: Iterable[str] = ()) -> Template:
        """The scenario given by path or bundled name, with ``overrides`` that every scenario built from it
        shares (raises `ScenarioError`, as `load`, but for the overrides' values only when one is built)."""
        path = resolve(ref)
        raw, origins = _load_raw(path, ())
        apply_overrides(raw, origins, overrides, path.parent)
        return cls(raw, origins, str(path), path.parent)

    @classmethod
    def of(cls, scenario: Scenario) -> Template:
        """A scenario already validated (overrides then apply to its resolved values)."""
        folder = Path(scenario.origin).parent if scenario.origin else Path.cwd()
        return cls(scenario.to_dict(), {}, scenario.origin, folder, scenario)

    def scenario(self, overrides: Iterable[str] = ()) -> Scenario:
        """The scenario with ``overrides`` (``--set`` texts) applied, validated (raises `ScenarioError`)."""
        overrides = list(overrides)
        if not overrides and self._plain is not None:
            return self._plain
        raw, origins = pickle.loads(pickle.dumps(self._raw)), dict(self._origins)   # a deep copy, quicker
        apply_overrides(raw, origins, overrides, self._folder)
        found = validate(raw, origins, self.where)
        if not overrides:
            self._plain = found
        return found


def loads(text: str, where: str = "<string>", overrides: Iterable[str] = ()) -> Scenario:
    """Validate a scenario from TOML text (``extends`` and sources resolve against the working directory)."""
    _check_size(len(text), MAX_FILE_BYTES, _Checker({}, where), "")
    raw, origins = _parse(text, where, Path.cwd(), ())
    apply_overrides(raw, origins, overrides, Path.cwd())
    return validate(raw, origins, where)


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


def _source_path(ref: Any, folder: Path, check: _Checker) -> str | list[str]:
    """The absolute path of the source file ``ref`` names relative to ``folder``, which it may not leave, or
    the paths of a list of them (a scenario may cite several articles).

    So a scenario cannot be used to find out whether files elsewhere exist or what they hold.
    """
    if isinstance(ref, list):
        if not 1 <= len(ref) <= MAX_SOURCES:
            check.fail("scenario.source", f"expected a file or a list of 1 to {MAX_SOURCES} files, got {len(ref)}")
        return [str(_source_path(r, folder, check)) for r in ref]
    text = check.string({"source": ref}, "source", "scenario", most=MAX_PROSE)
    inside = folder.resolve()
    try:
        path = (inside / text).resolve()
    except (OSError, RuntimeError, ValueError):      # a loop of links, a NUL in the path
        path = Path("/")
    if not path.is_relative_to(inside):
        check.fail("scenario.source", f"expected a path inside the scenario's folder {inside}, got {shown(text)}")
    return str(path)


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


#: What a new entry of an extending file must give (an entry that matches none is most likely a typo).
_NEW_ENTRY_NEEDS = {"actors": ("alignment", "ceasefire", "capability", "stubbornness"), "ties": ("kind", "weight")}
#: The keys an entry of each section may have (a rule has its parameters besides), and those that name it.
_ALLOWED = {"actors": ACTOR_KEYS, "ties": TIE_KEYS, "rules": RULE_KEYS, "events": EVENT_KEYS}
_NAMING = {"actors": ("id",), "ties": ("actors", "from", "to", "id"), "rules": ("rule", "id"), "events": ("id",)}


def _misspelt(entry: Mapping[str, Any], section: str, wanted: Iterable[str]) -> str:
    """``; unknown key 'KEY' (did you mean 'WANTED'?)`` for the first key of ``entry`` that is not a key of
    ``section`` and looks like a misspelling of one of the ``wanted`` keys it lacks, or nothing."""
    wanted = list(wanted)
    for key in entry:
        if key not in _ALLOWED[section] and did_you_mean(key, wanted):
            return f"; {unknown_key(key, wanted)}"
    return ""


def _merge_section(base: list[dict], entries: list[dict], section: str, origins: dict[str, str], where: str) -> None:
    """Merge a file's ``entries`` into the extended ``base`` by key, in time linear in both.

    Entries to remove are only marked while merging (so that positions stay valid) and taken out at the end.
    """
    check = _Checker({}, where)
    positions = _positions(section, base)
    inherited = len(base)                       # the entries of the extended scenario come first in ``base``
    removed: set[int] = set()
    seen: set[str] = set()
    for number, entry in enumerate(entries):
        key = _entry_key(section, entry)
        if key is None:
            needs = {"ties": "'actors = [a, b]' or 'from'/'to' (or an 'id')", "rules": "'rule'"}.get(section, "'id'")
            lacking = [k for k in _NAMING[section] if k not in entry]
            check.fail(f"{section}[{number}]", f"missing {needs}{_misspelt(entry, section, lacking)}")
        if key in seen:
            check.fail(f"{section}.{key}", f"duplicate {section[:-1]} {shown(key)} in the same file")
        seen.add(key)
        found = _find(section, positions, key)
        if entry.get("remove") is True:
            if found is None:
                check.fail(f"{section}.{key}.remove", f"no {section[:-1]} {shown(key)} in the extended scenario to remove")
            removed.add(positions.pop(found))
            origins[f"removed.{section}.{found}"] = where      # an event of the extended file may still use it
            continue
        entry = {k: v for k, v in entry.items() if k != "remove"}
        if found is None:
            missing = [k for k in _NEW_ENTRY_NEEDS.get(section, ()) if k not in entry]
            if missing and inherited > len(removed):  # in a file that extends none, validation names the key
                extended = [k for k, position in positions.items() if position < inherited]
                check.fail(f"{section}.{key}", f"no {section[:-1]} {shown(key)} in the extended scenario "
                           f"({listing(extended)}); a new one needs {', '.join(missing)}"
                           f"{_misspelt(entry, section, missing)}")
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
