"""The Mesa face of the actors: each agent is a view of one actor's column of the state."""

from __future__ import annotations

import mesa

from sim.core.fields import FIELDS, RANGES
from sim.scenario import Actor


class ActorAgent(mesa.Agent):
    """A state or organization of the scenario.

    Its fields (``alignment``, ``ceasefire``, ``capability``, ``stubbornness``, ``intensity``, ``territory``,
    ``losses``: `sim.core.fields.FIELDS`) read the model's arrays, so the agent and the rules never disagree.
    Writing one goes through the engine (`Simulation.write`): the value is clipped to the field's range (an actor
    that is not a side keeps its intensity, territory and losses at 0) and the change is recorded as the source
    ``agents`` of the next day, so that each day's contributions still add up to the day's move. A value that is not a finite number is refused
    (ValueError). ``pressure`` (the mediation pressure the actor put on the sides the last day) is read-only.
    """

    def __init__(self, model: mesa.Model, index: int, actor: Actor) -> None:
        super().__init__(model)
        self.index = index
        self.actor_id = actor.id
        self.name = actor.name
        self.kind = actor.kind
        self.sources = actor.sources

    def __repr__(self) -> str:
        values = ", ".join(f"{f}={getattr(self, f):.3f}" for f in FIELDS)
        return f"<ActorAgent {self.actor_id}: {values}>"

    @property
    def belligerent(self) -> bool:
        """Whether the actor is one of the scenario's two sides."""
        return bool(self.model.world.topology.belligerent[self.index])

    @property
    def pressure(self) -> float:
        """The mediation pressure the actor put on the sides the last day."""
        return float(self.model.world.pressure[0, self.index])


def _field_view(name: str) -> property:
    def get(agent: ActorAgent) -> float:
        return float(agent.model.world.fields[name][0, agent.index])

    def set_(agent: ActorAgent, value: float) -> None:
        agent.model.simulation.write(name, agent.index, value)

    low, high = RANGES[name]
    return property(get, set_, doc=f"The actor's {name} now, in [{low:g}, {high:g}]; writing it clips it to that "
                                   f"range and records the change as the source ``agents``.")


for _name in FIELDS:
    setattr(ActorAgent, _name, _field_view(_name))
