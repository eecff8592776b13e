"""Scenario files: load TOML, follow ``extends``, apply ``--set`` overrides, validate into typed objects.

A scenario is declarative data: nothing in it is executed. Every mistake raises `ScenarioError`, whose
message is one line naming the file, the field and what was expected.

Where what is:

- `sim.scenario.spec`: the typed objects (`Scenario`, `Actor`, `Tie`, `RuleSpec`, `Condition`, `Event`),
  `ScenarioError`, and `toml_value` (a value as TOML text).
- `sim.scenario.library`: the bundled scenarios, how `dipsim list` groups them, and `resolve` (a path or a
  bundled name to a file).
- `sim.scenario.loading`: `load` and `loads`: reading, ``extends``, merging sections, ``--set`` overrides.
- `sim.scenario.validation`: `validate`, entry by entry, and the keys that name entries.
- `sim.scenario.reading`: files read safely, TOML parsed, typed reads of raw tables (`_Checker`).
- `sim.scenario.limits`: the bounds of a scenario (docs/scenario-format.md, "Limits").
- `sim.scenario.whatif`: the what-if file `dipsim new` writes.
"""

from sim.scenario.library import bundled, library_group, resolve
from sim.scenario.loading import load, loads, parse_value
from sim.scenario.spec import Actor, Event, Scenario, ScenarioError, Tie, toml_value
from sim.scenario.validation import validate

__all__ = ["Actor", "Event", "Scenario", "ScenarioError", "Tie", "bundled", "library_group", "load", "loads",
           "parse_value", "resolve", "toml_value", "validate"]
