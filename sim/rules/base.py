"""What every rule shares: the parameter schema, the rule contract and random draws per run.

A rule is one small class (in the manner of Axelrod's strategies): a readable ``name``, a declared
``metadata`` dict, a ``params`` schema with defaults, and the methods the engine calls each step:

* ``propose(world, rngs)`` returns the continuous change of each field it moves, computed from the
  current state without touching it (all rules see the same state: a synchronous update);
* ``settle(world, rngs)`` makes the rule's discrete changes (tie signs, ceasefire status) after the
  continuous changes are applied, and returns what happened, for the run's log.

Rules hold no state between steps (what must persist lives in the `World`), so one rule object can
serve many runs and ``reset`` is never needed. Rules never import the model.
"""

from __future__ import annotations

import reprlib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, ClassVar

import numpy as np

from sim.core.fields import TIE_KINDS
from sim.core.records import Happening

#: The largest coefficient a rule takes (a rate, a hazard, a reaction per day): fifty times the largest the
#: bundled scenarios use, and small enough that a day's change of any field stays a finite number.
COEFFICIENT = 100.0

_SHORT = reprlib.Repr(maxlevel=3, maxstring=60, maxlist=6, maxtuple=6, maxdict=4, maxlong=40, maxother=60)


def shown(value: Any) -> str:
    """``repr(value)``, cut short: a message stays one short line whatever a scenario gives."""
    return _SHORT.repr(value)


def listing(names: Collection[str], most: int = 20) -> str:
    """The first ``most`` of ``names`` joined by commas, and how many more there are."""
    more = len(names) - most
    return ", ".join(islice(names, most)) + (f" and {more} more" if more > 0 else "")


class ParamError(ValueError):
    """A rule parameter that does not fit its schema; the message says what was expected."""


@dataclass(frozen=True)
class Param:
    """One declared rule parameter.

    ``kind`` is one of: ``number`` (within ``lo``..``hi``, by default +-`COEFFICIENT`), ``integer`` (also),
    ``pair`` (two numbers, one per side, in the order of the scenario's ``sides``), ``fields`` (field names
    from ``choices``), ``actors`` (actor ids), ``kinds`` (tie kinds); a list names each at most once.
    ``optional`` lets the value be absent (``None``).
    """

    default: Any
    doc: str
    kind: str = "number"
    lo: float = -COEFFICIENT
    hi: float = COEFFICIENT
    choices: tuple[str, ...] = ()
    optional: bool = False

    def expected(self) -> str:
        """Describe the accepted values, for error messages and the docs."""
        bounds = f" in [{self.lo:g}, {self.hi:g}]"
        if self.kind == "number":
            return "a number" + bounds
        if self.kind == "integer":
            return "a whole number" + bounds
        if self.kind == "pair":
            return "a pair of numbers" + bounds
        if self.kind == "fields":
            return "a list of fields from " + ", ".join(self.choices)
        if self.kind == "kinds":
            return "a list of tie kinds from " + ", ".join(TIE_KINDS)
        return "a list of actor ids"

    def check(self, value: Any, actor_ids: Collection[str] | None = None) -> Any:
        """Return ``value`` converted to its canonical form, or raise ParamError.

        ``actor_ids`` is best a set or a dict: each actor a list names is looked up in it. Without it (a rule
        built from Python, before it meets a scenario) a list of actors is checked for its form only.
        """
        if value is None and self.optional:
            return None
        if self.kind == "number":
            return self._number(value)
        if self.kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
                raise ParamError(f"expected {self.expected()}, got {shown(value)}")
            return value
        if self.kind == "pair":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise ParamError(f"expected {self.expected()}, got {shown(value)}")
            return tuple(self._number(v) for v in value)
        allowed = {"fields": self.choices, "kinds": TIE_KINDS, "actors": actor_ids}[self.kind]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ParamError(f"expected {self.expected()}, got {shown(value)}")
        unknown = [] if allowed is None else [v for v in value if v not in allowed]
        if unknown:
            raise ParamError(f"unknown {self.kind[:-1]} {shown(unknown[0])}; expected one of {listing(allowed)}")
        if len(set(value)) < len(value):
            twice = next(v for v, count in Counter(value).items() if count > 1)
            raise ParamError(f"expected each {self.kind[:-1]} at most once, got {shown(twice)} twice")
        return tuple(value)

    def _number(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.lo <= value <= self.hi:
            raise ParamError(f"expected {self.expected()}, got {shown(value)}")
        return float(value)


class Rule:
    """Base class of the rules; subclasses set ``name``, ``metadata``, ``params`` and a docstring."""

    name: ClassVar[str]
    #: ``fields``: the fields ``propose`` may change; ``discrete``: what ``settle`` may change
    #: (``tie_signs``, ``ceasefire_status``, or field names); ``stochastic``: whether it draws random
    #: numbers; ``citation``: where the model comes from. The engine relies on ``discrete``: it records
    #: the settled change of the fields named there.
    metadata: ClassVar[dict[str, Any]]
    params: ClassVar[dict[str, Param]]

    def __init__(self, **values: Any) -> None:
        """The rule with these parameters (the others at their defaults), checked as a scenario's are.

        Raises ParamError (a ValueError) naming the parameter and what it accepts: ``Alliance(rate=7.0)``
        fails here, not days into a run. The actors a parameter lists are checked against the scenario's
        when the scenario is validated.
        """
        try:
            values = check_params(type(self), values)
        except ParamError as err:
            raise ParamError(f"{self.name}.{err}") from None
        self.values: dict[str, Any] = {k: values.get(k, p.default) for k, p in self.params.items()}
        self.__dict__.update(self.values)  # each parameter is also an attribute: ``self.rate``

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.values == self.values

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.values.items())))

    def clone(self) -> Rule:
        """A new rule of the same kind with the same parameters."""
        return type(self)(**self.values)

    def propose(self, world: Any, rngs: Sequence[np.random.Generator]) -> dict[str, np.ndarray]:
        """Continuous change of each field this rule moves, shape ``(runs, n_actors)``."""
        return {}

    def settle(self, world: Any, rngs: Sequence[np.random.Generator]) -> list[Happening]:
        """Discrete changes after the continuous update; returns what happened."""
        return []


def draw(rngs: Sequence[np.random.Generator], method: str, shape: tuple[int, ...]) -> np.ndarray:
    """Draw ``shape`` floats from each run's own generator: result ``(runs, *shape)``.

    ``method`` is a `numpy.random.Generator` method that fills an ``out`` array (``random``,
    ``standard_normal``).

    Each run draws from its own stream, so a run's result depends on its seed alone, whether it is
    simulated alone or in a batch with others.
    """
    if len(rngs) == 1:                      # the same stream, in one call
        return getattr(rngs[0], method)((1, *shape))
    out = np.empty((len(rngs), *shape))
    for run, rng in enumerate(rngs):
        getattr(rng, method)(shape, out=out[run, ...])
    return out


def check_params(rule_cls: type[Rule], values: Mapping[str, Any],
                 actor_ids: Collection[str] | None = None) -> dict[str, Any]:
    """Validate ``values`` against the schema of ``rule_cls``; raises ParamError naming the parameter.

    Both a scenario's rules and a rule's constructor check through here. Without ``actor_ids``, the actors
    a parameter lists are not looked up.
    """
    checked = {}
    for key, value in values.items():
        if key not in rule_cls.params:
            known = ", ".join(rule_cls.params)
            raise ParamError(f"{key}: not a parameter of rule {rule_cls.name!r} (its parameters: {known})")
        try:
            checked[key] = rule_cls.params[key].check(value, actor_ids)
        except ParamError as err:
            raise ParamError(f"{key}: {err}") from None
    return checked

