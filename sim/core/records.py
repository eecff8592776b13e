"""What a run records as plain data: what happened (`Happening`, a row of ``events.csv``) and its
ceasefires (`Ceasefire`, a row of ``ceasefires.csv``), the one record the engine keeps and every reader uses.

A ceasefire is in force from the day it comes into force (``start``) until the day it ends (``end``;
None while it is still in force at the end of the run; a truce signed under pressure may end the day it
came, and was then in force on no day). Whatever brings it (the mediation rule, when both sides want it or
when mediators press one on them, or a scenario event that declares it) and whatever ends it (the rule's
breakdown hazard, or a scenario event), the engine records it here as it happens; ``ceasefires.csv``,
``summary.json``'s outcomes, ``events.csv``, the plots and the report are all read from this record. This module is light (no
numpy, no numba), so reading a run directory never loads the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How a ceasefire ended: the rule's daily hazard, or a scenario event (``end_ceasefire``).
ENDINGS = ("breakdown", "event")
#: How a ceasefire came: both sides wanted it (``ripe``), mediators got it signed before they did
#: (``pressure``: a humanitarian truce), or a scenario event declared it.
ARRIVALS = ("ripe", "pressure", "declared")
#: The columns of ``ceasefires.csv``, one row per ceasefire.
CEASEFIRE_COLUMNS = ("start", "end", "broker", "brokers", "came", "ended_by", "note")


@dataclass(frozen=True)
class Happening:
    """Something that happened in a run: one row of ``events.csv``. ``kind`` is ``event`` (a scenario
    event), ``ceasefire`` (one comes into force), ``breakdown`` (one ends) or ``tie`` (a tie turns);
    ``run`` is the run's place in its batch; ``step`` the day (the engine stamps it as it logs)."""

    run: int
    kind: str
    actors: tuple[str, ...]
    note: str
    step: int = 0


@dataclass(frozen=True)
class Ceasefire:
    """A ceasefire of a run: in force from ``start`` until ``end`` (None: still in force at the end).

    ``broker`` is the actor credited with it (None when nobody pressed, or a scenario event declared it
    without one) and ``brokers`` every mediator credited with a share of it, the leading one first; ``came``
    is one of `ARRIVALS`; ``ended_by`` is one of `ENDINGS` (None while in force); ``note`` says how it came.
    """

    start: int
    end: int | None
    broker: str | None
    brokers: tuple[str, ...] = ()
    came: str = "ripe"
    ended_by: str | None = None
    note: str = ""

    @property
    def declared(self) -> bool:
        """Whether a scenario event declared it (rather than the mediation rule bringing it about)."""
        return self.came == "declared"

    def days_in_force(self, steps: int) -> int:
        """The days 1 .. ``steps`` at whose end it was in force (a ceasefire that ends on the day it
        came into force was in force on none)."""
        end = steps + 1 if self.end is None else self.end
        return max(0, min(end, steps + 1) - max(self.start, 1))

    def row(self) -> tuple:
        """Its row of ``ceasefires.csv`` (in the order of `CEASEFIRE_COLUMNS`)."""
        return (self.start, "" if self.end is None else self.end, self.broker or "", " ".join(self.brokers),
                self.came, self.ended_by or "", self.note)


def credit_line(brokers: Sequence[str]) -> str:
    """``RUS``, ``RUS with FRA``, ``RUS with FRA and USA``: the brokers of a ceasefire (ids or names), the leading
    one first."""
    if len(brokers) < 3:
        return " with ".join(brokers)
    return f"{brokers[0]} with {', '.join(brokers[1:-1])} and {brokers[-1]}"


def ceasefire_outcomes(ceasefires: Sequence[Ceasefire], steps: int) -> dict:
    """The ceasefire outcomes of a run of ``steps`` days from its ceasefires, in order.

    A ceasefire is *reached* when one comes into force, even one that ends the same day; the run's
    ceasefire *lasts* when one is in force at the end.
    """
    return {
        "ceasefire_reached": bool(ceasefires),
        "first_ceasefire_day": ceasefires[0].start if ceasefires else None,
        "first_broker": ceasefires[0].broker if ceasefires else None,
        "ceasefires": len(ceasefires),
        "brokers": [c.broker for c in ceasefires],
        "under_pressure": sum(c.came == "pressure" for c in ceasefires),
        "breakdowns": sum(c.end is not None for c in ceasefires),
        "lasting": bool(ceasefires) and ceasefires[-1].end is None,
        "days_in_force": sum(c.days_in_force(steps) for c in ceasefires),
    }
