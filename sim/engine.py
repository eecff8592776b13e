"""The engine: advance a batch of runs of one scenario a day at a time and record what happened.

Each step: the events due apply first; every rule then proposes its change from the same state
(a synchronous update); the changes are summed and clipped to each field's range; each rule's discrete
changes (tie signs, ceasefire status) follow. Each source's part of each change is recorded, so that
the change of every field of every actor is the sum of its recorded contributions.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim import measures
from sim.fields import ANCHORED, FIELDS, RANGES, TIE_KINDS
from sim.rules.base import Happening
from sim.scenario import Event, Scenario
from sim.world import World

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_LOW = np.array([RANGES[f][0] for f in FIELDS])
_HIGH = np.array([RANGES[f][1] for f in FIELDS])


def measure_names(sides: Sequence[str]) -> tuple[str, ...]:
    """The columns of ``model.csv`` for a scenario with these sides, after ``step``."""
    return ("mean_alignment", "polarization", "friendly_share", "balance_index",
            f"intensity_{sides[0]}", f"intensity_{sides[1]}", "ceasefire_in_force", "ceasefire_count", "breakdowns")


def world_measures(world: World) -> np.ndarray:
    """Every measure of every run now: ``(runs, n_measures)`` in the order of `measure_names`."""
    f, top = world.fields, world.topology
    a, b = top.sides
    return np.stack([
        measures.weighted_mean(f["alignment"], f["capability"]),
        measures.polarization(f["alignment"], f["capability"]),
        measures.friendly_share(world.weight, world.active),
        measures.balance_index(world.weight, world.active, top.triads),
        f["intensity"][:, a], f["intensity"][:, b],
        world.in_force.astype(float), world.ceasefires.astype(float), world.breakdowns.astype(float),
    ], axis=1)


@dataclass
class History:
    """What a batch of runs recorded at step 0 and after every step (lists of per-step arrays)."""

    sources: tuple[str, ...]
    fields: list[np.ndarray] = field(default_factory=list)         # (runs, n_fields, n_actors)
    pressure: list[np.ndarray] = field(default_factory=list)       # (runs, n_actors)
    weight: list[np.ndarray] = field(default_factory=list)         # (runs, n_ties)
    active: list[np.ndarray] = field(default_factory=list)         # (runs, n_ties): tie in place
    kind: list[np.ndarray] = field(default_factory=list)           # (runs, n_ties): index in TIE_KINDS
    measures: list[np.ndarray] = field(default_factory=list)       # (runs, n_measures)
    broker: list[np.ndarray] = field(default_factory=list)         # (runs,)
    contributions: list[np.ndarray] | None = None                  # (n_sources, n_fields, runs, n_actors)
    happenings: list[tuple[int, Happening]] = field(default_factory=list)
    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def record(self, world: World, contributions: np.ndarray | None) -> None:
        self.fields.append(np.stack([world.fields[f] for f in FIELDS], axis=1))
        self.pressure.append(world.pressure.copy())
        self.weight.append(world.weight.copy())
        self.active.append(world.active.copy())
        self.kind.append(world.kind.copy())
        self.measures.append(world_measures(world))
        self.broker.append(world.broker.copy())
        if self.contributions is not None:
            self.contributions.append(contributions)

    def array(self, name: str) -> np.ndarray:
        """One recorded quantity stacked over steps (step is the first axis); do not modify it."""
        series = getattr(self, name)
        cached = self._stacked.get(name)
        if cached is None or len(cached) != len(series):
            cached = self._stacked[name] = np.stack(series)
        return cached


class Simulation:
    """A batch of runs of one scenario, one generator per run (a run's result depends on its seed alone)."""

    def __init__(self, scenario: Scenario, rngs: Sequence[np.random.Generator], *,
                 record_contributions: bool = True) -> None:
        self.scenario = scenario
        self.rngs = list(rngs)
        self.world = World.from_scenario(scenario, runs=len(self.rngs))
        self.rules = [spec.build() for spec in scenario.rules]
        sources = ("events", *(spec.id for spec in scenario.rules), "limits")
        self.history = History(sources=sources, contributions=[] if record_contributions else None)
        self._fired = np.zeros((len(self.rngs), len(scenario.events)), bool)
        self._bounds = self._field_bounds()
        contributions = self._blank()
        self._apply_events(contributions)
        self.history.record(self.world, contributions)

    @property
    def steps(self) -> int:
        return self.world.step

    def _field_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of each field for each actor: ``(n_fields, n_actors)`` each.

        Only the sides fight, so every other actor's intensity is held at 0.
        """
        n = self.world.topology.n_actors
        low = np.repeat(_LOW[:, None], n, axis=1)
        high = np.repeat(_HIGH[:, None], n, axis=1)
        high[FIELDS.index("intensity"), ~self.world.topology.belligerent] = 0.0
        return low, high

    def _blank(self) -> np.ndarray | None:
        if self.history.contributions is None:
            return None
        return np.zeros((len(self.history.sources), len(FIELDS), self.world.runs, self.world.topology.n_actors))

    def run(self, steps: int | None = None) -> Simulation:
        """Advance ``steps`` days (default: the scenario's ``steps`` from where the run is now)."""
        for _ in range(self.scenario.steps - self.steps if steps is None else steps):
            self.step()
        return self

    def step(self) -> None:
        """Advance every run by one day."""
        world = self.world
        world.step += 1
        contributions = self._blank()
        self._apply_events(contributions)
        before = np.stack([world.fields[f] for f in FIELDS])            # (n_fields, runs, n)
        total = np.zeros_like(before)
        for k, rule in enumerate(self.rules):
            for name, change in rule.propose(world, self.rngs).items():
                total[FIELDS.index(name)] += change
                if contributions is not None:
                    contributions[1 + k, FIELDS.index(name)] += change
        low, high = self._bounds
        after = np.clip(before + total, low[:, None, :], high[:, None, :])
        if contributions is not None:
            clipped = after - before - total
            clipped[np.abs(clipped) < 1e-12] = 0.0  # rounding, not a limit reached
            contributions[-1] = clipped
        for i, name in enumerate(FIELDS):
            world.fields[name] = after[i]
        for k, rule in enumerate(self.rules):
            moves = [FIELDS.index(f) for f in rule.metadata["discrete"] if f in FIELDS]
            settled = {i: world.fields[FIELDS[i]].copy() for i in moves}
            for happening in rule.settle(world, self.rngs):
                self.history.happenings.append((world.step, happening))
            if "tie_signs" in rule.metadata["discrete"]:
                world.forget("weight")
            if contributions is not None:
                for i, before_settling in settled.items():
                    contributions[1 + k, i] += world.fields[FIELDS[i]] - before_settling
        self.history.record(world, contributions)

    # ------------------------------------------------------------------------------------ events

    def _apply_events(self, contributions: np.ndarray | None) -> None:
        world = self.world
        for e, event in enumerate(self.scenario.events):
            if event.when is None:
                due = ~self._fired[:, e] & (world.step == event.step)
            else:
                due = ~self._fired[:, e] & (world.step >= event.step) & self._holds(event)
            if not due.any():
                continue
            self._fired[due, e] = True
            involved, runs = self._act(event, np.flatnonzero(due), contributions)
            world.forget()
            for run in runs:
                self.history.happenings.append((world.step, Happening(int(run), "event", involved, event.note)))

    def _holds(self, event: Event) -> np.ndarray:
        cond = event.when
        if cond.actor is not None:
            value = self.world.fields[cond.field][:, self.scenario.actor_ids.index(cond.actor)]
        else:
            names = measure_names(self.scenario.sides)
            value = world_measures(self.world)[:, names.index(cond.field)]
        return _COMPARE[cond.op](value, cond.value)

    def _act(self, event: Event, runs: np.ndarray,
             contributions: np.ndarray | None) -> tuple[tuple[str, ...], np.ndarray]:
        """Apply ``event`` to ``runs``; return the ids of the actors it involves and the runs it changed.

        Declaring a ceasefire already in force, or ending one that is not, changes nothing.
        """
        world, top = self.world, self.world.topology
        action = event.action
        if action in ("shift", "set"):
            i = top.actor_ids.index(event.actor)
            low, high = RANGES[event.field]
            if event.field == "intensity" and not top.belligerent[i]:
                high = 0.0
            old = world.fields[event.field][runs, i]
            new = np.clip(old + event.value if action == "shift" else np.full_like(old, event.value), low, high)
            world.fields[event.field][runs, i] = new
            if contributions is not None:
                contributions[0, FIELDS.index(event.field), runs, i] += new - old
            if event.anchor and event.field in ANCHORED:
                anchor = world.anchors[event.field]
                moved = anchor[runs, i] + (new - old) if action == "shift" else new
                anchor[runs, i] = np.clip(moved, low, high)
            return (event.actor,), runs
        if action in ("add_tie", "change_tie", "remove_tie"):
            slot = top.tie_ids.index(event.tie)
            if action == "add_tie":
                world.active[runs, slot] = True
                world.weight[runs, slot] = event.new_tie.weight
                world.kind[runs, slot] = TIE_KINDS.index(event.new_tie.kind)
            elif action == "remove_tie":
                world.active[runs, slot] = False
            else:
                if event.weight is not None:
                    world.weight[runs, slot] = event.weight
                if event.kind is not None:
                    world.kind[runs, slot] = TIE_KINDS.index(event.kind)
            return (top.actor_ids[top.tie_source[slot]], top.actor_ids[top.tie_target[slot]]), runs
        sides = tuple(top.actor_ids[s] for s in top.sides)
        if action == "declare_ceasefire":
            runs = runs[~world.in_force[runs]]
            world.in_force[runs] = True
            world.ceasefires[runs] += 1
            world.broker[runs] = top.actor_ids.index(event.broker) if event.broker else -1
            world.credit[runs] = 0.0
            return sides + ((event.broker,) if event.broker else ()), runs
        runs = runs[world.in_force[runs]]  # end_ceasefire
        world.in_force[runs] = False
        world.breakdowns[runs] += 1
        world.credit[runs] = 0.0
        return sides, runs
