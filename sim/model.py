"""`CrisisModel`: the Mesa model of one run of a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents import ActorAgent
from sim.engine import Simulation, measure_names
from sim.fields import FIELDS
from sim.scenario import Scenario, load

if TYPE_CHECKING:
    import pandas as pd


class CrisisModel(mesa.Model):
    """One run of a crisis scenario, advanced a day per ``step()``.

    ``spec`` is a `Scenario`, a bundled scenario's name or a path; ``rng`` seeds the run's one random
    generator (default: the scenario's ``seed``). The state lives in ``self.world`` (numpy arrays the
    rules update whole); ``self.agents`` holds one `ActorAgent` per actor, a view of that state. Data
    are recorded at step 0 and after every step, and come back as DataFrames shaped like a Mesa
    DataCollector's.
    """

    def __init__(self, spec: Scenario | str | Path = "baseline", *, rng: int | None = None,
                 record_contributions: bool = True) -> None:
        self.spec = spec if isinstance(spec, Scenario) else load(spec)
        super().__init__(rng=self.spec.seed if rng is None else rng)
        self.simulation = Simulation(self.spec, [self.rng], record_contributions=record_contributions)
        for index, actor in enumerate(self.spec.actors):
            ActorAgent(self, index, actor)

    @property
    def world(self):
        """The state of the run (arrays with a leading axis of one run)."""
        return self.simulation.world

    @property
    def day(self) -> int:
        return self.simulation.steps

    def step(self) -> None:
        """Advance the crisis by one day."""
        self.simulation.step()
        self.running = self.day < self.spec.steps

    def agent(self, actor_id: str) -> ActorAgent:
        """The agent of the actor with this id."""
        return next(a for a in self.agents if a.actor_id == actor_id)

    # ----------------------------------------------------------------------------------- data

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per step (index ``Step``), one column per measure."""
        import pandas as pd

        data = self.simulation.history.array("measures")[:, 0]
        frame = pd.DataFrame(data, columns=measure_names(self.spec.sides))
        frame.index.name = "Step"
        return frame

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per step and actor (index ``Step``, ``AgentID``), one column per field and pressure."""
        import pandas as pd

        fields = self.simulation.history.array("fields")[:, 0]          # (steps, n_fields, n)
        pressure = self.simulation.history.array("pressure")[:, 0]      # (steps, n)
        steps, _, n = fields.shape
        index = pd.MultiIndex.from_product([range(steps), self.spec.actor_ids], names=["Step", "AgentID"])
        columns = {f: fields[:, i].ravel() for i, f in enumerate(FIELDS)}
        columns["pressure"] = pressure.ravel()
        return pd.DataFrame(columns, index=index)

    def get_contributions_dataframe(self) -> pd.DataFrame:
        """The recorded change of each field of each actor by each source, one row per nonzero change."""
        import pandas as pd

        history = self.simulation.history
        if history.contributions is None:
            raise ValueError("this model was made with record_contributions=False")
        data = history.array("contributions")[:, :, :, 0]                # (steps, sources, fields, n)
        step, source, field, actor = np.nonzero(data)
        return pd.DataFrame({
            "step": step, "actor": np.array(self.spec.actor_ids)[actor],
            "field": np.array(FIELDS)[field], "rule": np.array(history.sources)[source],
            "change": data[step, source, field, actor],
        })

    def get_events_dataframe(self) -> pd.DataFrame:
        """What happened, day by day: scenario events, ceasefires, breakdowns, ties changing sign."""
        import pandas as pd

        rows = [(step, h.kind, " ".join(h.actors), h.note) for step, h in self.simulation.history.happenings]
        return pd.DataFrame(rows, columns=["step", "kind", "actors", "note"])
