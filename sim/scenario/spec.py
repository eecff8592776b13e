"""The typed objects of a validated scenario (`Scenario` and its actors, ties, rules and events) and
`ScenarioError`, the one error every mistake in a scenario raises.

A `Scenario` goes back to plain TOML-ready data (`Scenario.to_dict`, `Scenario.to_toml`), which its digest is
taken of.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import tomli_w

from sim.rules import REGISTRY
from sim.rules.base import listing, shown


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
    """A state or organization: its stance (alignment, ceasefire), weight and anchoring, its fighting (the sides
    only: intensity, the share of the contested territory it holds, its losses), and sources."""

    id: str
    name: str
    kind: str
    alignment: float
    ceasefire: float
    capability: float
    stubbornness: float
    intensity: float
    territory: float
    losses: float
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
    #: The calendar date of day 0, if the scenario gives one (then dates are shown beside days).
    start: datetime.date | None = None
    origin: str = field(default="<memory>", compare=False)
    #: The file name of the article each quotation was found in (empty when the scenario cites none).
    quoted_in: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

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

    def date_of(self, day: int) -> datetime.date | None:
        """The calendar date of ``day`` (None when the scenario gives no start date)."""
        return None if self.start is None else self.start + datetime.timedelta(days=int(day))

    def day_label(self, day: int) -> str:
        """``day 12``, or ``day 12 (9 Oct 2020)`` when the scenario gives a start date."""
        date = self.date_of(day)
        return f"day {day}" if date is None else f"day {day} ({date.day} {date:%b %Y})"

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain TOML-ready data (``extends`` and defaults already applied)."""
        return {
            "scenario": {"name": self.name, "title": self.title, "description": self.description,
                         "sides": list(self.sides), "steps": self.steps, "seed": self.seed,
                         **({"start": self.start} if self.start else {})},
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
        return self._sha256

    @cached_property
    def _sha256(self) -> str:      # an experiment asks for it once a chunk of runs: worked out once
        return hashlib.sha256(self.to_toml().encode()).hexdigest()

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some top-level values replaced (e.g. ``steps`` or ``seed``), validated again."""
        from sim.scenario.validation import (
            validate,  # not at the top: validation imports this module
        )

        raw = self.to_dict()
        raw["scenario"].update(changes)
        return validate(raw, {}, self.origin)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def toml_value(value: Any) -> str:
    """``value`` (a boolean, number, string, or a list of them) as TOML text on one line, each scalar as
    `tomli_w` writes it into a scenario file: what ``--set KEY=...`` and `sim.scenario.parse_value` read."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").removesuffix("\n")


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
