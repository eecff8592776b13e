"""What each actor does, the one grouping every plot, legend and text uses: it backs the first side, is
non-aligned, or backs the second side; a non-aligned actor that mediates is marked a mediator.

The rule (`group_of`): a side is always in its own group; any other actor backs the first side when its
alignment is at most ``-BACKS``, the second when at least ``+BACKS``, and is non-aligned between. A
non-aligned actor is a mediator (`roles`) when it holds an active mediation channel (a ``mediation`` or
``peacekeeping`` tie from it) or presses for a ceasefire (its ``ceasefire`` at least ``PRESSING``).

Landscape theory's coalitions (`sim.core.outcomes`) are another thing: the lowest-energy split of the
ties, not what each actor does; they are called "coalition 1", "coalition 2", never a side's camp.

Light: it reads numbers and names only (no simulator, no pandas, no plotting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sim.core.fields import CHANNELS

#: An alignment at least this far from 0 backs a side (-1 the first, +1 the second).
BACKS = 0.2
#: A ceasefire value at least this high presses for a ceasefire.
PRESSING = 0.5
#: The groups, in the order plots and legends show them.
FIRST, NON_ALIGNED, SECOND = 0, 1, 2
GROUPS = (FIRST, NON_ALIGNED, SECOND)
#: What a landscape coalition's caveat says, wherever one is shown.
COALITION_CAVEAT = "landscape theory's lowest-energy split: a measure of the ties, not what each actor does"


@dataclass(frozen=True)
class Role:
    """An actor's group (`FIRST`, `NON_ALIGNED` or `SECOND`) and whether it is a (non-aligned) mediator."""

    group: int
    mediator: bool = False


def backing(alignment: float, threshold: float = BACKS) -> int:
    """The group an alignment alone puts an actor in: `FIRST` at ``-threshold`` or below, `SECOND` at
    ``+threshold`` or above, else `NON_ALIGNED`."""
    if alignment <= -threshold:
        return FIRST
    if alignment >= threshold:
        return SECOND
    return NON_ALIGNED


def group_of(actor: str, alignment: float, sides: tuple[str, str], threshold: float = BACKS) -> int:
    """The group of ``actor`` at ``alignment``: a side's own, else by `backing`."""
    if actor == sides[0]:
        return FIRST
    if actor == sides[1]:
        return SECOND
    return backing(alignment, threshold)


def roles(sides: tuple[str, str], alignment: Mapping[str, float], ceasefire: Mapping[str, float] | None = None,
          channels: Iterable[str] = ()) -> dict[str, Role]:
    """Each actor's `Role`, in the order of ``alignment``: ``ceasefire`` (per actor) and ``channels`` (the
    actors holding an active mediation channel) tell the mediators among the non-aligned."""
    ceasefire = ceasefire or {}
    holding = set(channels)
    found = {}
    for actor, value in alignment.items():
        group = group_of(actor, float(value), sides)
        mediating = actor in holding or float(ceasefire.get(actor, 0.0)) >= PRESSING
        found[actor] = Role(group, group == NON_ALIGNED and mediating)
    return found


def channel_holders(ties: Iterable) -> set[str]:
    """The sources of the mediation channels among ``ties`` (objects with ``kind`` and ``source``)."""
    return {t.source for t in ties if t.kind in CHANNELS}


def group_label(group: int, side_names: tuple[str, str]) -> str:
    """``backs Armenia``, ``non-aligned`` or ``backs Azerbaijan``."""
    return "non-aligned" if group == NON_ALIGNED else f"backs {side_names[0 if group == FIRST else 1]}"


def role_label(role: Role, side_names: tuple[str, str]) -> str:
    """`group_label`, with ``(mediator)`` for a mediator."""
    return group_label(role.group, side_names) + (" (mediator)" if role.mediator else "")


def stance(alignment: float, side_names: tuple[str, str]) -> str:
    """Which side an alignment (of an actor not a side) backs, in words."""
    return group_label(backing(alignment), side_names)


def coalition_title(k: int, members: list[str], sides: tuple[str, str], name: Callable[[str], str] = str) -> str:
    """``coalition 1 (with Armenia)``: a landscape coalition by number, and the side(s) it holds."""
    held = [name(s) for s in sides if s in members]
    return f"coalition {k + 1}" + (f" (with {' and '.join(held)})" if held else "")
