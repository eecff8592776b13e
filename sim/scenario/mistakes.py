"""What is legal in a scenario but likely a mistake: the warnings `dipsim validate` and `dipsim run` print
(``--strict`` makes them errors).

Each is a pure reading of a validated `Scenario`; none changes it:

* an event dated past the last day, which never happens;
* a side whose alignment leans toward the other side (the first side is -1, the second +1);
* a tie the balance rule may turn hostile though such ties rarely turn in life: a state's membership of
  an organization and a guarantor's peacekeepers. Partnerships are left free on purpose: they are the
  generic friendly tie of balance theory (the classics turn them), and partners do fall out.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.scenario.spec import Scenario

#: Tie kinds that rarely turn hostile in life, which a balance rule should hold frozen.
STEADY_KINDS = ("membership", "peacekeeping")


class Mistake(NamedTuple):
    """A likely mistake: where it is (a dotted path, as validation names fields) and what is wrong."""

    path: str
    message: str


def likely_mistakes(spec: Scenario) -> list[Mistake]:
    """The likely mistakes of ``spec``, in the order of the file's sections."""
    found: list[Mistake] = []
    for side, sign in zip(spec.sides, (-1, 1), strict=True):
        alignment = spec.actor(side).alignment
        if alignment * sign < 0:
            found.append(Mistake(f"actors.{side}.alignment",
                                 f"{alignment:+g} leans toward the other side: {side} is the "
                                 f"{'first' if sign < 0 else 'second'} side, so {sign:+d} backs it"))
    for rule in spec.rules:
        if rule.rule != "balance":
            continue
        free = [t for t in spec.ties if t.kind in STEADY_KINDS and t.kind not in rule.params["frozen"]]
        for kind in dict.fromkeys(t.kind for t in free):
            ties = [t.id for t in free if t.kind == kind]
            found.append(Mistake(f"rules.{rule.id}.frozen",
                                 f"the balance rule may turn {len(ties)} {kind} tie(s) hostile ({', '.join(ties[:3])}"
                                 f"{', ...' if len(ties) > 3 else ''}), which rarely happens in life; add "
                                 f"{kind!r} to frozen, or ignore this if you mean it"))
    for event in spec.events:
        if event.step > spec.steps:
            found.append(Mistake(f"events.{event.id}.step",
                                 f"day {event.step} is past the last day ({spec.steps}): the event never happens"))
    return found
