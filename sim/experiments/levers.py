"""Levers and designs: the scenario values a sweep varies (`Lever`, parsed from ``--vary`` texts), and
the points of a sweep: every combination (`grid_points`) or a Latin hypercube sample (`latin_points`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sim.scenario import Scenario, ScenarioError, parse_value, toml_value


@dataclass(frozen=True)
class Lever:
    """A scenario value a sweep varies: a list of ``values``, or a range ``low``..``high`` in ``count`` steps."""

    key: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    count: int = 0
    #: Whether a range gives whole numbers (None: when its ends and grid steps are whole; see `for_scenario`).
    whole: bool | None = None

    @classmethod
    def parse(cls, text: str) -> Lever:
        """``KEY=A:B:N`` (N evenly spaced values from A to B) or ``KEY=V1,V2,...`` (values may be lists,
        ``[0.1, 0.1],[0.3, 0.3]``); raises ScenarioError."""
        key, sep, spec = text.partition("=")
        where = f"--vary {text}"
        if not sep or not key.strip() or not spec.strip():
            raise ScenarioError(where, key.strip(), "expected KEY=A:B:N or KEY=V1,V2,...")
        parts = spec.split(":") if "[" not in spec else [spec]
        if len(parts) not in (1, 3):
            raise ScenarioError(where, key.strip(), "expected A:B:N (three parts) or a list V1,V2,...")
        if len(parts) == 3:
            try:
                low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            except ValueError:
                raise ScenarioError(where, key.strip(), "A:B:N needs two numbers and a whole number") from None
            if count < 1 or not (math.isfinite(low) and math.isfinite(high)):
                raise ScenarioError(where, key.strip(), "N must be at least 1, and A and B finite")
            return cls(key.strip(), low=low, high=high, count=count)
        values = tuple(v.strip() for v in _top_level_split(spec) if v.strip())
        if not values:
            raise ScenarioError(where, key.strip(), "no values")
        return cls(key.strip(), values=tuple(parse_value(v, where, key.strip()) for v in values))

    def for_scenario(self, scenario: Scenario) -> Lever:
        """This lever with whole numbers exactly when the value it varies is a whole number in ``scenario``
        (days, an event's day, a count), so that ``actors.TUR.alignment=-1:1:3`` samples real numbers."""
        current = scenario_value(scenario, self.key)
        return replace(self, whole=isinstance(current, int) and not isinstance(current, bool))

    def grid(self) -> list:
        """The values of a grid: the list, or N evenly spaced values (whole numbers stay whole)."""
        if self.values:
            return list(self.values)
        points = np.linspace(self.low, self.high, self.count)
        return [int(round(v)) if self._whole() else round(float(v), 12) for v in points]

    def sample(self, u: np.ndarray) -> list:
        """Values at the quantiles ``u`` in [0, 1): uniform over the range, or a pick from the list."""
        if self.values:
            return [self.values[int(x * len(self.values))] for x in u]
        values = self.low + u * (self.high - self.low)
        return [int(round(v)) if self._whole() else round(float(v), 12) for v in values]

    def _whole(self) -> bool:
        """Whether a range gives whole numbers: as the scenario's value, or, for a lever not set by
        `for_scenario`, when its ends and grid steps are whole (e.g. steps=30:90:3)."""
        if self.whole is not None:
            return self.whole
        return all(float(v).is_integer() for v in (self.low, self.high, *np.linspace(self.low, self.high, self.count)))


def scenario_value(scenario: Scenario, key: str):
    """The value ``key`` (as ``--set`` names it: ``scenario.steps``, ``actors.TUR.alignment``) has in
    ``scenario``, or None where it has none."""
    section, *path = key.split(".")
    data = scenario.to_dict()
    node = data.get(section)
    if isinstance(node, list):
        if not path:
            return None
        node = next((entry for entry in node if entry.get("id") == path[0]), None)
        path = path[1:]
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _top_level_split(text: str) -> list[str]:
    """Split at the commas outside brackets and quotes: ``[0.1, 0.2],[0.3, 0.4]`` gives two pairs."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def grid_points(levers: Sequence[Lever]) -> list[dict]:
    """Every combination of the levers' grid values (the last lever varies fastest)."""
    points = [{}]
    for lever in levers:
        points = [{**p, lever.key: v} for p in points for v in lever.grid()]
    return points


def latin_points(levers: Sequence[Lever], count: int, seed: int) -> list[dict]:
    """``count`` points by Latin hypercube sampling: each lever's range cut in ``count`` strata, one draw each."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    columns = [lever.sample((rng.permutation(count) + rng.random(count)) / count) for lever in levers]
    return [{lever.key: column[i] for lever, column in zip(levers, columns)} for i in range(count)]


def override(key: str, value) -> str:
    """The ``--set`` text that gives ``key`` this ``value`` (a number, boolean, string or list)."""
    return f"{key}={toml_value(value)}"
