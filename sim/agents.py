"""The Mesa face of the actors: each agent is a readable view of one actor's column of the state."""

from __future__ import annotations

import mesa

from sim.fields import FIELDS
from sim.scenario import Actor


class ActorAgent(mesa.Agent):
    """A state or organization of the scenario.

    Its fields (``alignment``, ``ceasefire``, ``capability``, ``stubbornness``, ``intensity``) read and
    write the model's arrays, so the agent and the rules never disagree.
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


def _field_view(name: str) -> property:
    def get(agent: ActorAgent) -> float:
        return float(agent.model.world.fields[name][0, agent.index])

    def set_(agent: ActorAgent, value: float) -> None:
        agent.model.world.fields[name][0, agent.index] = value

    return property(get, set_, doc=f"The actor's {name} now (a view of the model's state).")


for _name in FIELDS:
    setattr(ActorAgent, _name, _field_view(_name))
