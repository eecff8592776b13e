"""`CrisisModel`: the Mesa model of one run of a scenario, and `RunCollector`, its DataCollector."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.agents import ActorAgent
from sim.core.engine import Simulation, world_measures
from sim.core.fields import FIELDS, measure_names
from sim.core.outcomes import run_outcomes
from sim.scenario import Scenario, load, loads

if TYPE_CHECKING:
    import pandas as pd

#: What the DataCollector records of each agent: its fields, then its mediation pressure.
AGENT_VARIABLES = (*FIELDS, "pressure")


class CrisisModel(mesa.Model):
    """One run of a crisis scenario, advanced a day per ``step()``.

    Every parameter has a default and is a plain value, so that Mesa can build the model from keywords
    (``mesa.batch_run``, SolaraViz's Reset: ``type(model)(**params)``):

    * ``spec``: a bundled scenario's name, a scenario file's path, or a `Scenario` (default ``baseline``).
      It is not called ``scenario``: Mesa 3.5's ``Model`` takes ``scenario=`` (a
      ``mesa.experimental.scenarios.Scenario``) and SolaraViz's Reset passes one to a model that accepts it.
    * ``rng``: seeds the run's one random generator, ``self.rng`` (default, None: the scenario's ``seed``,
      so that a run is reproducible; Mesa's convention of fresh entropy for None does not apply). Pass
      ``batch_run`` its own ``rng=[...]``: it overrides an ``rng`` given among its ``parameters``.
    * ``steps``: the number of days the run lasts (default: the scenario's ``steps``); ``running`` turns
      False after the last.
    * ``overrides``: ``--set`` style assignments (``"rules.mediation.threshold=0.2"``), one string or a list.
    * ``record_contributions``: record each source's part of each change (`get_contributions_dataframe`).

    After (or during) a run, `outcomes` gives what it has come to, and `write_run` writes it as a run
    directory, the one `dipsim run` writes (``dipsim report``, ``dipsim explain`` and the plots read it).

    The state lives in ``self.world`` (numpy arrays the rules update whole); ``self.agents`` holds one
    `ActorAgent` per actor, a view of that state. The engine records the run at step 0 and after every
    step; ``self.datacollector`` (a Mesa DataCollector) reads that record. Mesa's stdlib generator
    ``self.random`` is not used by dipsim: Mesa seeds it with an int seed itself, or else with a draw from
    ``self.rng`` that this model takes back, so the run draws from one stream, ``self.rng``, alone.
    """

    def __init__(self, spec: Scenario | str | Path = "baseline", *, rng: Any = None, steps: int | None = None,
                 overrides: str | Sequence[str] = (), record_contributions: bool = True) -> None:
        self.spec = _scenario(spec, overrides, steps)
        super().__init__(rng=self.spec.seed if rng is None else rng)
        #: The run's seed when it is a number (a run directory records it); None for a generator.
        self.seed = self.spec.seed if rng is None else (int(rng) if isinstance(rng, (int, np.integer)) else None)
        # Unless the seed is an int, Mesa seeded ``self.random`` with a draw from ``self.rng``: take it back,
        # so that the run's stream starts where its seed says (a Generator gives the same run as its seed).
        self.rng.bit_generator.state = self._rng
        self.simulation = Simulation(self.spec, [self.rng], record_contributions=record_contributions)
        self._agents_by_id = {actor.id: ActorAgent(self, index, actor) for index, actor in enumerate(self.spec.actors)}
        self.datacollector = RunCollector(self)
        self.running = self.day < self.spec.steps

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
        """The agent of the actor with this id; KeyError naming the actors if there is none."""
        try:
            return self._agents_by_id[actor_id]
        except (KeyError, TypeError):
            self.spec.actor(actor_id)  # raises the KeyError that names the scenario's actors
            raise

    # ----------------------------------------------------------------------------------- data

    def outcomes(self) -> dict:
        """What the run has come to so far, as ``summary.json`` records it: whether and when a ceasefire
        came and holds, who brokered it, each side's peak intensity, ground and losses, each actor's
        alignment."""
        return run_outcomes(self.simulation, 0)

    def write_run(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write the run so far to ``directory`` as `dipsim run` does (its data files, no plots), all at
        once. An existing directory is replaced only with ``force`` and only if dipsim wrote it
        (`OutputError` otherwise, before anything is written)."""
        from sim.io.files import write_directory
        from sim.io.runfiles import run_files

        if self.seed is None:
            raise ValueError("a run directory records the run's seed: make the model with rng=<an int>")
        return write_directory(Path(directory), run_files(self.simulation, self.seed), "run", force=force)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per step (index ``Step``), one column per measure (as ``self.datacollector``'s)."""
        return self.datacollector.get_model_vars_dataframe()

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per step and actor (index ``Step``, ``AgentID``: the actor's id), one column per field
        and pressure (as ``self.datacollector``'s)."""
        return self.datacollector.get_agent_vars_dataframe()

    def get_contributions_dataframe(self) -> pd.DataFrame:
        """The recorded change of each field of each actor by each source, one row per nonzero change.

        The sources are ``events``, each rule (by id), ``limits`` and ``agents`` (what was written
        through an agent, counted on the next day)."""
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

        rows = [(h.step, h.kind, " ".join(h.actors), h.note) for h in self.simulation.history.happenings]
        return pd.DataFrame(rows, columns=["step", "kind", "actors", "note"])


def _scenario(spec: Scenario | str | Path, overrides: str | Sequence[str], steps: int | None) -> Scenario:
    """The scenario ``spec`` names or is, with ``overrides`` and ``steps`` applied (validated again)."""
    overrides = [overrides] if isinstance(overrides, str) else list(overrides)
    if not isinstance(spec, Scenario):
        scenario = load(spec, overrides)
    elif overrides:
        scenario = loads(spec.to_toml(), spec.origin, overrides)
    else:
        scenario = spec
    return scenario if steps is None or steps == scenario.steps else scenario.with_changes(steps=steps)


def _measure_now(model: CrisisModel, index: int) -> float:
    """One measure of the model's state now (a model reporter)."""
    return float(world_measures(model.world)[0, index])


def _recorded(name: str) -> property:
    def get(collector: RunCollector) -> Any:
        return collector._tables()[name]

    def set_(collector: RunCollector, value: Any) -> None:
        if value:  # DataCollector.__init__ sets each empty
            raise AttributeError(f"{name} is read from the engine's record of the run; it cannot be set")

    return property(get, set_, doc=f"Mesa's ``{name}``, read from the engine's record of the run.")


class RunCollector(mesa.DataCollector):
    """The DataCollector of a `CrisisModel`: a Mesa DataCollector fed by the engine's record of the run.

    ``model_reporters`` are the measures (the columns of ``model.csv``), ``agent_reporters`` the fields and
    pressure; each computes its value from the state now, so they serve a plain ``mesa.DataCollector``
    too. This one does not call them: the engine records the whole state at step 0 and after every step
    into numpy arrays, and Mesa's tables (``model_vars``, ``_agent_records``, ``_collection_steps``, which
    ``mesa.batch_run`` reads) and DataFrames (which Mesa's plot components read) come from that record
    when asked for, so that a step costs nothing more. ``collect`` does nothing, for the same reason.
    The steps are days (0, 1, ...); an agent's ``AgentID`` is its actor's id.
    """

    model_vars = _recorded("model_vars")
    _agent_records = _recorded("_agent_records")
    _collection_steps = _recorded("_collection_steps")

    def __init__(self, model: CrisisModel) -> None:
        self.model = model
        self.measures = measure_names(model.spec.sides)
        self._cache: tuple[int, dict[str, Any]] | None = None
        super().__init__()
        self.model_reporters.update({name: partial(_measure_now, index=k) for k, name in enumerate(self.measures)})
        self.agent_reporters.update({name: attrgetter(name) for name in AGENT_VARIABLES})

    def collect(self, model: mesa.Model) -> None:
        """Nothing to do: the engine records every step (see the class)."""

    def _tables(self) -> dict[str, Any]:
        history = self.model.simulation.history
        steps = len(history.fields)
        if self._cache is None or self._cache[0] != steps:
            measures = history.array("measures")[:, 0]                    # (steps, n_measures)
            agents = self._agent_values().tolist()                       # (steps, n, n_variables)
            ids = self.model.spec.actor_ids
            self._cache = steps, {
                "model_vars": {name: measures[:, k].tolist() for k, name in enumerate(self.measures)},
                "_agent_records": {t: [(t, a, *values) for a, values in zip(ids, rows)]
                                   for t, rows in enumerate(agents)},
                "_collection_steps": list(range(steps)),
            }
        return self._cache[1]

    def _agent_values(self) -> np.ndarray:
        """Every agent variable at every recorded step: ``(steps, n_actors, n_variables)``."""
        history = self.model.simulation.history
        fields = history.array("fields")[:, 0]                                # (steps, n_fields, n)
        pressure = history.array("pressure")[:, 0]                            # (steps, n)
        return np.concatenate([fields, pressure[:, None]], axis=1).transpose(0, 2, 1)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per step (index ``Step``), one column per measure."""
        import pandas as pd

        data = self.model.simulation.history.array("measures")[:, 0]
        frame = pd.DataFrame(data, columns=list(self.measures))
        frame.index.name = "Step"
        return frame

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per step and agent (index ``Step``, ``AgentID``: the actor's id), one column per variable."""
        import pandas as pd

        values = self._agent_values()                                         # (steps, n, n_variables)
        index = pd.MultiIndex.from_product([range(len(values)), self.model.spec.actor_ids], names=["Step", "AgentID"])
        return pd.DataFrame({name: values[:, :, k].ravel() for k, name in enumerate(AGENT_VARIABLES)},
                            index=index)
