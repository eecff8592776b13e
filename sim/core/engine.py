"""The engine: advance a batch of runs of one scenario a day at a time and record what happened.

Each step: the events due apply first; every rule then proposes its change from the same state
(a synchronous update); the changes are summed and clipped to each field's range; each rule's discrete
changes (tie signs, ceasefire status) follow. Each source's part of each change is recorded, so that
the change of every field of every actor is the sum of its recorded contributions.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from sim.core import measures
from sim.core.compiled import kernel
from sim.core.fields import ANCHORED, FIELDS, FIGHTING, RANGES, TIE_KINDS, measure_names
from sim.core.records import ARRIVALS, Ceasefire, Happening
from sim.core.world import Topology, World
from sim.rules.base import Rule
from sim.scenario import Event, Scenario

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_FIELD_INDEX = {f: i for i, f in enumerate(FIELDS)}
_LOW = np.array([RANGES[f][0] for f in FIELDS])
_HIGH = np.array([RANGES[f][1] for f in FIELDS])


def measure_values(topology: Topology, fields: Mapping[str, np.ndarray], weight: np.ndarray, active: np.ndarray,
                   in_force: np.ndarray, ceasefires: np.ndarray, breakdowns: np.ndarray) -> np.ndarray:
    """Every measure, in the order of `measure_names`: ``(..., n_measures)``.

    The arrays share leading axes ``...`` (runs, or steps and runs): ``fields`` maps each field to
    ``(..., n_actors)``, ``weight`` and ``active`` are ``(..., n_ties)``, the ceasefire arrays ``(...)``.
    """
    a, b = topology.sides
    return np.stack([
        measures.weighted_mean(fields["alignment"], fields["capability"]),
        measures.polarization(fields["alignment"], fields["capability"]),
        measures.friendly_share(weight, active),
        measures.balance_index(weight, active, topology.triads),
        fields["intensity"][..., a], fields["intensity"][..., b],
        in_force.astype(float), ceasefires.astype(float), breakdowns.astype(float),
    ], axis=-1)


def world_measures(world: World) -> np.ndarray:
    """Every measure of every run now: ``(runs, n_measures)``."""
    return measure_values(world.topology, world.fields, world.weight, world.active, world.in_force,
                          world.ceasefires, world.breakdowns)


@kernel
def apply_changes(state, changes, low, high):
    """Add the rules' proposed changes to ``state`` in place, clipped to ``low``..``high``.

    ``state``: ``(n_fields, runs, n)``; ``changes``: ``(n_sources, n_fields, runs, n)``, whose first source
    (events) is already applied and whose middle ones are the rules'; what the limits take off goes
    into the last (below 1e-12 it is rounding, not a limit reached, and counts as 0).
    ``low``, ``high``: ``(n_fields, n)``.
    """
    n_sources, n_fields, runs, n = changes.shape
    for f in range(n_fields):
        for r in range(runs):
            for i in range(n):
                total = 0.0
                for k in range(1, n_sources - 1):
                    total += changes[k, f, r, i]
                before = state[f, r, i]
                after = min(max(before + total, low[f, i]), high[f, i])
                clipped = after - before - total
                changes[n_sources - 1, f, r, i] = clipped if abs(clipped) >= 1e-12 else 0.0
                state[f, r, i] = after


@kernel
def add_settled(changes, moves, before, after):
    """Add to one source's ``changes`` ``(n_fields, runs, n)`` how its settle moved the fields ``moves``."""
    for f in moves:
        for r in range(after.shape[1]):
            for i in range(after.shape[2]):
                changes[f, r, i] += after[f, r, i] - before[f, r, i]


@dataclass
class History:
    """What a batch of runs recorded at step 0 and after every step (lists of per-step arrays).

    The measures are computed from the recorded state when asked for (`array`), all steps at once.
    """

    topology: Topology
    sources: tuple[str, ...]
    fields: list[np.ndarray] = field(default_factory=list)         # (runs, n_fields, n_actors)
    pressure: list[np.ndarray] = field(default_factory=list)       # (runs, n_actors)
    weight: list[np.ndarray] = field(default_factory=list)         # (runs, n_ties)
    active: list[np.ndarray] = field(default_factory=list)         # (runs, n_ties): tie in place
    kind: list[np.ndarray] = field(default_factory=list)           # (runs, n_ties): index in TIE_KINDS
    in_force: list[np.ndarray] = field(default_factory=list)       # (runs,)
    ceasefires: list[np.ndarray] = field(default_factory=list)     # (runs,)
    breakdowns: list[np.ndarray] = field(default_factory=list)     # (runs,)
    broker: list[np.ndarray] = field(default_factory=list)         # (runs,)
    contributions: list[np.ndarray] | None = None                  # (n_sources, n_fields, runs, n_actors)
    happenings: list[Happening] = field(default_factory=list)
    #: Each run's ceasefires, in order: the one record of when each came and ended, by whom and how.
    spans: list[list[Ceasefire]] = field(default_factory=list)
    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def record(self, world: World, contributions: np.ndarray) -> None:
        self.fields.append(world.state.transpose(1, 0, 2).copy())
        for name in ("pressure", "weight", "active", "kind", "in_force", "ceasefires", "breakdowns", "broker"):
            getattr(self, name).append(getattr(world, name).copy())
        if self.contributions is not None:
            self.contributions.append(contributions)

    def array(self, name: str) -> np.ndarray:
        """One recorded quantity, or ``measures``, stacked over steps (the first axis); do not modify it."""
        steps = len(self.fields)
        cached = self._stacked.get(name)
        if cached is None or len(cached) != steps:
            if name == "measures":
                fields = self.array("fields")
                cached = measure_values(self.topology, {f: fields[..., i, :] for i, f in enumerate(FIELDS)},
                                        *(self.array(k) for k in ("weight", "active", "in_force", "ceasefires",
                                                                  "breakdowns")))
            else:
                cached = np.stack(getattr(self, name))
            self._stacked[name] = cached
        return cached


class Simulation:
    """A batch of runs of one scenario, one generator per run (a run's result depends on its seed alone)."""

    def __init__(self, scenario: Scenario, rngs: Sequence[np.random.Generator], *,
                 record_contributions: bool = True) -> None:
        self.scenario = scenario
        self.rngs = list(rngs)
        self.world = World.from_scenario(scenario, runs=len(self.rngs))
        self.rules = [spec.build() for spec in scenario.rules]
        #: The source index of each rule that proposes or settles, with (settling) the fields its settle changes.
        self._proposing = [(k, rule) for k, rule in enumerate(self.rules, start=1)
                           if type(rule).propose is not Rule.propose]
        self._settling = [(k, rule, np.array([FIELDS.index(f) for f in rule.metadata["discrete"] if f in FIELDS],
                                             np.intp))
                          for k, rule in enumerate(self.rules, start=1) if type(rule).settle is not Rule.settle]
        # "agents": what was written through `write` since the day before (added after `apply_changes`).
        sources = ("events", *(spec.id for spec in scenario.rules), "agents", "limits")
        self.history = History(self.world.topology, sources, contributions=[] if record_contributions else None,
                               spans=[[] for _ in self.rngs])
        self._fired = np.zeros((len(self.rngs), len(scenario.events)), bool)
        self._low, self._high = self._field_bounds()
        changes = self._blank()
        self._apply_events(changes)
        self.history.record(self.world, changes)

    @property
    def steps(self) -> int:
        return self.world.step

    def _field_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of each field for each actor: ``(n_fields, n_actors)`` each.

        Only the sides fight, so every other actor's `FIGHTING` fields are held at 0.
        """
        n = self.world.topology.n_actors
        low = np.repeat(_LOW[:, None], n, axis=1)
        high = np.repeat(_HIGH[:, None], n, axis=1)
        for name in FIGHTING:
            high[FIELDS.index(name), ~self.world.topology.belligerent] = 0.0
        return low, high

    def _blank(self) -> np.ndarray:
        """Room for the day's change of each field by each source: ``(n_sources, n_fields, runs, n)``."""
        return np.zeros((len(self.history.sources), *self.world.state.shape))

    _written: np.ndarray | None = None  # what `write` changed since the day before, ``(n_fields, runs, n)``

    def _take_written(self, changes: np.ndarray) -> None:
        """Record what `write` changed since the day before as today's source ``agents`` (the state holds
        it already: it goes in after `apply_changes` has summed the other sources)."""
        if self._written is not None:
            changes[-2] += self._written
            self._written = None

    def write(self, field_name: str, actor: int, value: float) -> float:
        """Set one field of actor ``actor`` (an index) in every run to ``value``, clipped to the field's range.

        The change is recorded as the next day's source ``agents``, so that each day's contributions add
        up to the day's move; anchors stay where they were (unlike an event's ``set``). Returns the value
        now held. Raises ValueError for an unknown field and a value that is not a finite number.
        """
        f = _FIELD_INDEX.get(field_name)
        if f is None:
            raise ValueError(f"unknown field {field_name!r}; expected one of {', '.join(FIELDS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            raise ValueError(f"{field_name} must be a finite number, got {value!r}")
        new = min(max(float(value), self._low[f, actor]), self._high[f, actor])
        row = self.world.state[f, :, actor]
        if self._written is None:
            self._written = np.zeros_like(self.world.state)
        self._written[f, :, actor] += new - row
        row[:] = new
        return new

    def run(self, steps: int | None = None) -> Simulation:
        """Advance ``steps`` days (default: the scenario's ``steps`` from where the run is now)."""
        for _ in range(self.scenario.steps - self.steps if steps is None else steps):
            self.step()
        return self

    def step(self) -> None:
        """Advance every run by one day."""
        world = self.world
        world.step += 1
        changes = self._blank()
        self._apply_events(changes)
        for k, rule in self._proposing:
            for name, change in rule.propose(world, self.rngs).items():
                changes[k, _FIELD_INDEX[name]] = change
        apply_changes(world.state, changes, self._low, self._high)
        self._take_written(changes)
        recording = self.history.contributions is not None
        for k, rule, moves in self._settling:
            before = world.state.copy() if recording and len(moves) else None
            for happening in rule.settle(world, self.rngs):
                self._log(happening)
            if before is not None:
                add_settled(changes[k], moves, before, world.state)
        self.history.record(world, changes)

    # ------------------------------------------------------------------------------------ events

    def _apply_events(self, changes: np.ndarray) -> None:
        world = self.world
        for e, event in enumerate(self.scenario.events):
            if world.step < event.step or (event.when is None and world.step != event.step):
                continue
            due = ~self._fired[:, e]
            if event.when is not None:
                due &= self._holds(event)
            if not due.any():
                continue
            self._fired[due, e] = True
            involved, runs = self._act(event, np.flatnonzero(due), changes)
            world.forget()
            for run in runs.tolist():
                self._log(Happening(run, "event", involved, event.note))
                if event.action == "declare_ceasefire":
                    by = f"brokered by {event.broker}" if event.broker else "without a broker"
                    self._log(Happening(run, "ceasefire", involved, f"A ceasefire comes into force, {by} "
                                                                    f"(declared: {event.note})"), event)
                elif event.action == "end_ceasefire":
                    self._log(Happening(run, "breakdown", involved, f"The ceasefire ends ({event.note})"), event)

    def _log(self, happening: Happening, event: Event | None = None) -> None:
        """Log what happened today, and keep the run's ceasefires: a ``ceasefire`` happening opens one
        (with the broker the world now names), a ``breakdown`` ends the one in force. ``event`` is the
        scenario event behind it (None: a rule)."""
        step, run = self.world.step, happening.run
        self.history.happenings.append(replace(happening, step=step))
        spans = self.history.spans[run]
        if happening.kind == "ceasefire":
            world, ids = self.world, self.world.topology.actor_ids
            broker = int(world.broker[run])
            credited = [j for j in np.argsort(-world.brokers[run], kind="stable").tolist() if world.brokers[run, j] > 0]
            spans.append(Ceasefire(step, None, ids[broker] if broker >= 0 else None,
                                   brokers=tuple(ids[j] for j in credited), came=ARRIVALS[world.came[run]],
                                   note=event.note if event else happening.note))
        elif happening.kind == "breakdown":
            spans[-1] = replace(spans[-1], end=step, ended_by="event" if event else "breakdown")

    def _holds(self, event: Event) -> np.ndarray:
        cond = event.when
        if cond.actor is not None:
            value = self.world.fields[cond.field][:, self.scenario.actor_ids.index(cond.actor)]
        else:
            names = measure_names(self.scenario.sides)
            value = world_measures(self.world)[:, names.index(cond.field)]
        return _COMPARE[cond.op](value, cond.value)

    def _act(self, event: Event, runs: np.ndarray, changes: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
        """Apply ``event`` to ``runs``; return the ids of the actors it involves and the runs it changed.

        Declaring a ceasefire already in force, or ending one that is not, changes nothing.
        """
        world, top = self.world, self.world.topology
        action = event.action
        if action in ("shift", "set"):
            i = top.actor_ids.index(event.actor)
            low, high = RANGES[event.field]
            if event.field in FIGHTING and not top.belligerent[i]:
                high = 0.0
            old = world.fields[event.field][runs, i]
            new = np.clip(old + event.value if action == "shift" else np.full_like(old, event.value), low, high)
            world.fields[event.field][runs, i] = new
            changes[0, FIELDS.index(event.field), runs, i] += new - old
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
            world.brokers[runs] = 0.0
            world.brokers[runs, world.broker[runs]] = world.broker[runs] >= 0
            world.came[runs] = ARRIVALS.index("declared")
            world.credit[runs] = 0.0
            return sides + ((event.broker,) if event.broker else ()), runs
        runs = runs[world.in_force[runs]]  # end_ceasefire
        world.in_force[runs] = False
        world.breakdowns[runs] += 1
        world.credit[runs] = 0.0
        return sides, runs
