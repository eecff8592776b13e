"""The Explore page: a crisis played out in the browser on Mesa's SolaraViz, the judgements a class argues
about on sliders, "this run" day by day beside "what usually happens" over a few hundred runs.

Served by ``dipsim serve`` (solara's app at ``/explore``, ``SOLARA_APP=sim.app``) or alone by ``solara run
sim/app.py``; solara shows `Page`. The scenario it opens with is ``$DIPSIM_EXPLORE_SCENARIO`` (a bundled
name or a file, the teacher's choice), else ``baseline``; the picker offers the bundled scenarios and
an uploaded ``.toml`` file.

What Mesa's ``SolaraViz`` does here, as for any Mesa model: the app bar, the sidebar's "Controls" (Reset,
Play / Pause, Step; the play interval and the render interval, the days a Step or a frame of Play
advances), the "Model Parameters" (`model_params`: the seed of this run, the shown actor's three
judgements, the rule parameters of `KEY_PARAMETERS`; every other actor's judgements as fixed parameters)
and the main area with the components (`COMPONENTS`), each given the model and drawn again when Step or
Play bumps Mesa's ``update_counter``: `ThisRun` (a line of status and the `RUN_VIEWS`: alignment over
time, the road to a ceasefire, the battlefield where the run has one, the network coloured by alignment)
and `UsuallyHappens` (the fan and the share of runs reaching a lasting ceasefire). The model is
`ExploreModel`, built from keywords alone, as Mesa's Reset builds one: ``type(model)(**model_parameters)``.
When a run reaches its last day Mesa stops Play and leaves Step and Play off (showing Pause) until Reset.

What the page adds around it:

* A slider's consequence at once. In Mesa 3.5.1 a slider only updates SolaraViz's own copy of the
  parameters, which Reset reads; nothing is rebuilt until Reset. So each slider is a `LiveSlider`, Mesa's
  ``Slider`` whose value is a ``solara.Reactive`` the page owns: Mesa's ``UserInputs`` hands it to
  solara's slider, which reads and sets it (and solara forwards every change to Mesa's handler too, so
  Mesa's copy follows). The page watches these values: a change clips the value to its bounds (or puts
  back the model's, with one line saying why) and builds ``ExploreModel(**params)`` at once, from day 0.
  A run Mesa saw finish is replaced with a new SolaraViz (keyed), so that Step and Play are on again.
* Mesa's Reset starts this run again with the sliders' values. Mesa builds the model from its copy of the
  parameters; solara shows Mesa's sidebar (and its copy) in its AppLayout, outside SolaraViz, so a new
  SolaraViz may find the old one there. The page moves Mesa's part of the sidebar by one place on every
  new SolaraViz (solara tells its parts apart by place) to have it built anew, and any model that is not
  the sliders' (`ExploreModel.moved`, ``seed``, ``base``) is made again from them as soon as it is set.
* What usually happens is re-run only when the scenario's digest changes (a slider, a new scenario), never
  on Step, Play or Reset (`sim.experiments.quick.quick_ensemble`, the runs of ``dipsim ensemble``,
  remembered by digest; the page keeps the drawn fans by digest too). The seed is this run's alone: the
  ensemble's seeds come from the scenario's seed.
* The scenario picker (bundled, the teacher's, an upload) and the actor picker stay outside
  ``model_params``, in cards above SolaraViz's main area (Mesa's sidebar keeps its own cards). A scenario
  changes the model's keywords (other actors, other rules) and every control with them, so a new scenario
  (or going back to the scenario's values) makes a new SolaraViz, keyed. The actor picker only chooses
  which actor's three sliders Mesa shows, which is no parameter of the model (as a ``Select`` param it
  would be passed to the model on Reset); changing it keeps the SolaraViz and Mesa's copy of the
  parameters, where the other actors' judgements are fixed parameters.
* Large type for a projector, and Mesa's draggable grid laid out as plain columns (two side by side on a
  wide screen, one on a phone; Mesa's tab bar of one page hidden).

Nothing from the browser is trusted: a judgement's value is a finite number clipped to its slider's
bounds (`Judgement.clip`), anything else is refused; an uploaded file is read to at most
`MOST_UPLOAD_BYTES`, must be UTF-8 TOML, may extend only a bundled scenario and name no source file on
this computer, and is validated by dipsim's loader (`sim.scenario.loads`), never executed; a scenario
too large to re-run here at once is refused (`runs_for`). A mistake shows as one line, never a traceback.
"""

from __future__ import annotations

import io
import math
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

# Solara reads this when it is first imported: a classroom page reports nothing to solara's makers.
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")

import solara  # noqa: E402
import tomli_w  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.user_param import Slider  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402
from solara.util import CancelledError  # noqa: E402

from sim.core.fields import RANGES  # noqa: E402
from sim.experiments.quick import quick_ensemble  # noqa: E402
from sim.io.rundata import ExperimentData, RunData  # noqa: E402
from sim.io.runfiles import run_files  # noqa: E402
from sim.model import CrisisModel  # noqa: E402
from sim.rules import REGISTRY  # noqa: E402
from sim.scenario import Actor, Scenario, ScenarioError, bundled, load, loads  # noqa: E402
from sim.viz import live  # noqa: E402
from sim.viz.network import network_layout  # noqa: E402
from sim.viz.run import has_battlefield  # noqa: E402

#: The environment variable naming the scenario the page opens with (set by ``dipsim serve``).
ENV_SCENARIO = "DIPSIM_EXPLORE_SCENARIO"
DEFAULT_SCENARIO = "baseline"
#: The largest uploaded scenario file: a 14-actor scenario with every quotation is 20 KB.
MOST_UPLOAD_BYTES = 256 * 1024
#: The most uploaded scenarios a page keeps in its picker (the oldest goes first).
MOST_UPLOADS = 8
#: The runs of "what usually happens", and the fewest worth drawing as a fan.
RUNS, FEWEST_RUNS = 300, 30
#: The work one ensemble may take, in actor-, tie- and event-days (`runs_for`): 300 runs of the baseline
#: (14 actors, 37 ties, 61 days: 0.9 million) take some 0.25 s on one core, 1.5 million some 0.4 s.
BUDGET = 1_500_000
#: The largest seed a slider offers (a scenario's own seed may be larger; then it is the largest).
MOST_SEED = 9_999
#: Mesa's play interval (ms) the page starts with, the most its slider offers: about what this run's views
#: take to draw (some 0.45 s), so that a day of Play is mostly drawn before the next. Mesa's render
#: interval, the days a Step or a frame of Play advances, starts at 1; a teacher may change either.
PLAY_INTERVAL = 500
#: The resolution of the figures' images: a figure of the page (`sim.viz.live.WIDTH`) is some 800 pixels
#: wide, a little more than a column of half a 1920-pixel screen.
IMAGE_DPI = 120

#: The judgements of each actor (`sim.core.fields`; an actor's stubbornness and intensity are left as written).
ACTOR_FIELDS = ("alignment", "ceasefire", "capability")

#: The rule parameters a class argues about: (rule, parameter, what it means, the top of its slider, step).
#: The top is a teaching range, within the parameter's declared bounds and raised to the scenario's value.
KEY_PARAMETERS = (
    ("mediation", "threshold", "willingness both sides need for a ceasefire", 1.0, 0.01),
    ("mediation", "hurting", "the fighting makes a side readier to stop", 1.0, 0.01),
    ("mediation", "stiffening", "outside backing holds a side back", 3.0, 0.05),
    ("mediation", "breakdown", "daily chance that a ceasefire breaks down", 0.2, 0.005),
    ("mediation", "leverage", "the mediators' hold that gets a truce signed under pressure", 3.0, 0.01),
    ("battlefield", "defence", "the force ratio an attacker needs to advance", 5.0, 0.05),
    ("battlefield", "advance", "the share of the contested area a rout gives up in a day", 0.3, 0.005),
    ("battlefield", "support", "outside arms and drones add to a side's fire", 3.0, 0.05),
    ("war_aims", "price", "the ground a side would give for a thousand soldiers' lives", 0.2, 0.005),
    ("alliance", "rate", "allies are drawn into the war", 0.2, 0.005),
    ("escalation", "backing", "outside backing feeds the fighting", 0.5, 0.01),
    ("influence", "rate", "how fast states persuade each other", 1.0, 0.01),
    ("noise", "sigma", "day-to-day shocks", 0.1, 0.005),
)



# ------------------------------------------------------------------------------------ judgements

@dataclass(frozen=True)
class Judgement:
    """A number of a scenario a slider sets: its ``--set`` path, what it means, the scenario's value and
    the slider's bounds and step."""

    key: str
    label: str
    value: float
    low: float
    high: float
    step: float
    group: str

    def clip(self, value: Any) -> float:
        """``value`` as a number within the bounds; ValueError for anything that is not a finite number."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{self.key}: expected a number from {self.low:g} to {self.high:g}")
        return min(max(float(value), self.low), self.high)


def judgements(scenario: Scenario) -> dict[str, Judgement]:
    """Every judgement of ``scenario`` a slider sets, by ``--set`` path: each actor's alignment, ceasefire
    and capability (group: the actor's id), then the `KEY_PARAMETERS` of the rules it has (group ``rules``)."""
    found = {}
    for actor in scenario.actors:
        for name in ACTOR_FIELDS:
            low, high = RANGES[name]
            key = f"actors.{actor.id}.{name}"
            found[key] = Judgement(key, name, getattr(actor, name), low, high, 0.01, actor.id)
    for rule in scenario.rules:
        for kind, name, label, top, step in KEY_PARAMETERS:
            if rule.rule != kind or not isinstance(rule.params.get(name), (int, float)):
                continue
            declared = REGISTRY[kind].params[name]
            value = float(rule.params[name])
            key = f"rules.{rule.id}.{name}"
            found[key] = Judgement(key, label if rule.id == kind else f"{label} ({rule.id})", value,
                                   max(declared.lo, 0.0), min(declared.hi, max(top, value)), step, "rules")
    return found


def seed_bounds(scenario: Scenario) -> tuple[int, int]:
    """The seeds the seed slider offers: 0 to `MOST_SEED`, or to the scenario's own seed if larger."""
    return 0, max(MOST_SEED, scenario.seed)


class LiveSlider(Slider):
    """Mesa's ``Slider`` whose ``value`` is a ``solara.Reactive`` the page owns, so that a moved slider is
    seen at once (see the module's docstring). Mesa's ``UserInputs`` gives ``value`` to solara's slider,
    which then reads and sets it; Mesa's ``ModelCreator`` reads ``get("value")``, the number, as the
    parameter's first value."""

    def __init__(self, label: str, value: solara.Reactive, low: float, high: float, step: float, dtype: type) -> None:
        super().__init__(label, value=value.value, min=low, max=high, step=step, dtype=dtype)
        self.value = value

    def get(self, attr: str) -> Any:
        return self.value.value if attr == "value" else super().get(attr)


def _shown(value: Any) -> str:
    """A slider's value as its label says it (whatever the browser sent)."""
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "?"


def model_params(settings: Settings, actor: str, live: Mapping[str, solara.Reactive] | None = None) -> dict:
    """SolaraViz's ``model_params`` for `ExploreModel` on ``settings``, keyed by the model's keywords: the
    scenario (fixed), the seed of this run, ``actor``'s three judgements and the rule parameters as sliders,
    and every other actor's judgements as fixed parameters (Mesa passes them to the model on Reset).

    The sliders are in Mesa's dict form (``type``, ``label``, ``value``, ``min``, ``max``, ``step``), or
    `LiveSlider` on the reactive values ``live`` (by keyword) where given; each label says the value."""
    base, values = settings.base, dict(settings.values)
    names = {a.id: a.name for a in base.actors}

    def slider(key: str, label: str, value: Any, low: float, high: float, step: float, dtype: type) -> Any:
        if live is not None:
            value = live[key].value
            return LiveSlider(f"{label}: {_shown(value)}", live[key], low, high, step, dtype)
        return {"type": "SliderInt" if dtype is int else "SliderFloat", "label": f"{label}: {_shown(value)}",
                "value": value, "min": low, "max": high, "step": step}

    low, high = seed_bounds(base)
    params: dict[str, Any] = {"spec": base, "rng": slider("rng", "seed of this run", settings.seed, low, high, 1, int)}
    known = judgements(base)
    for key, j in known.items():
        value = values.get(key, j.value)
        if j.group == actor:
            params[key] = slider(key, f"{names[actor]} {j.label}", value, j.low, j.high, j.step, float)
    for key, j in known.items():
        value = values.get(key, j.value)
        if j.group == "rules":
            params[key] = slider(key, j.label, value, j.low, j.high, j.step, float)
        elif j.group != actor:
            params[key] = value
    return params


class ExploreModel(CrisisModel):
    """A `CrisisModel` of ``spec`` with the page's judgements: keyword arguments named by their ``--set``
    paths (``**{"actors.TUR.alignment": 0.5}``), each one of `judgements` of ``spec`` and a number within
    its bounds (else ValueError). ``rng``, a whole number, seeds this run (None: the scenario's seed).

    Mesa's Reset builds the model again as ``type(model)(**params)``, and to a model that takes keywords
    it also gives ``scenario=`` (Mesa's own scenario object); dipsim's scenario is ``spec``, so that one
    is ignored. ``moved`` holds the judgements that differ from ``spec``'s (sorted ``(path, value)``).
    """

    def __init__(self, spec: Scenario | str | Path = DEFAULT_SCENARIO, *, rng: Any = None, scenario: Any = None,
                 **values: Any) -> None:
        base = spec if isinstance(spec, Scenario) else load(spec)
        if rng is not None and (isinstance(rng, bool) or not isinstance(rng, int)):
            raise ValueError(f"rng: expected a whole number (a seed), got {type(rng).__name__}")
        known = judgements(base)
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{unknown[0]}: not a judgement of scenario {base.name!r} a slider sets")
        overrides, moved = [], []
        for key, value in values.items():
            judgement = known[key]
            if judgement.clip(value) != value:
                raise ValueError(f"{key}: expected a number from {judgement.low:g} to {judgement.high:g}, "
                                 f"got {value!r}")
            overrides.append(f"{key}={float(value)!r}")
            if abs(value - judgement.value) > 1e-12:
                moved.append((key, float(value)))
        super().__init__(base, rng=rng, overrides=overrides, record_contributions=False)
        self.base = base
        self.moved = tuple(sorted(moved))
        #: The scenario with the judgements, by digest: what usually happens is re-run when it changes.
        self.digest = self.spec.digest()
        #: Held while the run advances or is read (Mesa's Play steps it in a thread, the views draw in another).
        self.lock = threading.RLock()

    def step(self) -> None:
        """Advance this run a day; nothing once its last day is reached (Mesa's render interval may ask for more)."""
        with self.lock:
            if self.day < self.spec.steps:
                super().step()
            self.running = self.day < self.spec.steps

    def value(self, key: str) -> float | int:
        """The seed (``rng``) or the judgement ``key`` this run was built with."""
        return self.seed if key == "rng" else dict(self.moved).get(key, judgements(self.base)[key].value)

    def advance(self, days: int) -> bool:
        """Advance this run by up to ``days`` days, never past its last; whether it moved."""
        with self.lock:
            moved = False
            for _ in range(days):
                if self.day >= self.spec.steps:
                    break
                self.step()
                moved = True
            return moved


# ------------------------------------------------------------------------------------ scenarios

def runs_for(scenario: Scenario) -> int:
    """How many runs of ``scenario`` the page re-runs on every change: `RUNS`, fewer for a large one (the
    work of a run grows with its actors, ties and events, day by day: see `BUDGET`); ScenarioError when
    not even `FEWEST_RUNS` fit."""
    work = (len(scenario.actors) + len(scenario.ties) + len(scenario.events)) * (scenario.steps + 1)
    runs = min(RUNS, BUDGET // max(work, 1))
    if runs < FEWEST_RUNS:
        raise ScenarioError(scenario.origin, "", "too large to re-run here on every change "
                            f"({len(scenario.actors)} actors, {len(scenario.ties)} ties, {len(scenario.events)} "
                            f"events, {scenario.steps} days); dipsim ensemble runs it")
    return runs


def bundled_names() -> list[str]:
    """The bundled scenarios' names, as ``dipsim list`` finds them."""
    return [name for name, _, _ in bundled()]


def open_scenario(ref: str) -> Scenario:
    """The scenario ``ref`` names (a bundled name, or a file the teacher named to ``dipsim serve``), checked
    to fit the page (`runs_for`); ScenarioError otherwise."""
    scenario = load(ref)
    runs_for(scenario)
    return scenario


def read_upload(name: Any, data: BinaryIO, size: Any = None) -> Scenario:
    """The scenario of an uploaded file: at most `MOST_UPLOAD_BYTES` read from ``data``, UTF-8 TOML, whose
    ``extends`` (if any) names a bundled scenario and which names no ``source`` file (one on this computer
    is not the uploader's to read), validated by dipsim's loader and checked to fit the page.

    ``name`` and ``size`` are what the browser says; neither is trusted. Raises ScenarioError (one line).
    """
    where = f"upload {_shown_name(name)}"
    if isinstance(size, int) and size > MOST_UPLOAD_BYTES:
        raise ScenarioError(where, "", f"larger than {MOST_UPLOAD_BYTES // 1024} KiB")
    content = data.read(MOST_UPLOAD_BYTES + 1)
    if len(content) > MOST_UPLOAD_BYTES:
        raise ScenarioError(where, "", f"larger than {MOST_UPLOAD_BYTES // 1024} KiB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(where, "", "not UTF-8 text (a scenario is a .toml file)") from None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return loads(text, where)                      # the loader says what is wrong, in its words
    head = raw.get("scenario")
    if isinstance(head, dict):
        if "source" in head:
            raise ScenarioError(where, "scenario.source", "an uploaded scenario cannot name a source file on this "
                                "computer; remove the line (dipsim validate checks the quotations)")
        if "extends" in head:
            names = {n: path for n, _, path in bundled()}
            parent = head["extends"]
            if not isinstance(parent, str) or parent not in names:
                raise ScenarioError(where, "scenario.extends", "an uploaded scenario may extend only a bundled "
                                    f"scenario: one of {', '.join(names)}")
            head["extends"] = str(names[parent])           # the bundled file itself, whatever lies in the folder
            text = tomli_w.dumps(raw)
    scenario = loads(text, where)
    runs_for(scenario)
    return scenario


def _shown_name(name: Any) -> str:
    """An uploaded file's name as the page shows it: its last part, printable, at most 60 characters."""
    text = Path(str(name)).name if isinstance(name, str) else "file"
    text = "".join(c if c.isprintable() else "?" for c in text)[:60]
    return text or "file"


# ------------------------------------------------------------------------------------ the page's state

@dataclass(frozen=True)
class Settings:
    """What the page runs: the scenario as picked (``label`` in the picker), this run's seed and the
    judgements moved from the scenario's values (``values``: ``--set`` path to number)."""

    label: str
    base: Scenario
    seed: int
    values: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, label: str, base: Scenario) -> Settings:
        return cls(label, base, base.seed)

    def params(self) -> dict[str, Any]:
        """The keywords `ExploreModel` is built from (as SolaraViz's Reset builds a model)."""
        return {"spec": self.base, "rng": self.seed, **dict(self.values)}

    def with_value(self, key: str, value: Any) -> Settings:
        """These settings with the judgement ``key`` set to ``value`` (clipped to its bounds; ValueError for
        an unknown judgement or a value that is not a finite number)."""
        known = judgements(self.base)
        if key not in known:
            raise ValueError(f"{key}: not a judgement of this scenario")
        value = known[key].clip(value)
        values = {k: v for k, v in self.values if k != key}
        if abs(value - known[key].value) > 1e-12:
            values[key] = value
        return replace(self, values=tuple(sorted(values.items())))

    def with_seed(self, seed: Any) -> Settings:
        """These settings with this run's seed (clipped to the slider's bounds; ValueError if no whole number)."""
        if isinstance(seed, float) and seed.is_integer():
            seed = int(seed)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("seed: expected a whole number")
        low, high = seed_bounds(self.base)
        return replace(self, seed=min(max(seed, low), high))


def first_settings() -> tuple[Settings, str | None]:
    """The settings the page opens with: the scenario ``$DIPSIM_EXPLORE_SCENARIO`` names, else the baseline
    (then with the one line saying why)."""
    ref = os.environ.get(ENV_SCENARIO, "").strip() or DEFAULT_SCENARIO
    try:
        return Settings.of(ref, open_scenario(ref)), None
    except ScenarioError as err:
        return Settings.of(DEFAULT_SCENARIO, load(DEFAULT_SCENARIO)), one_line(err)


def actor_label(actor: Actor) -> str:
    """How the actor picker names an actor: ``Turkey (TUR)`` (ids are unique, names need not be)."""
    return actor.id if actor.name == actor.id else f"{actor.name} ({actor.id})"


def focus_actor(scenario: Scenario) -> str:
    """The actor whose sliders show first: the outsider that backs a side hardest, by capability (the one a
    class argues about first), else the first actor."""
    outsiders = [a for a in scenario.actors if a.id not in scenario.sides]
    if not outsiders:
        return scenario.actors[0].id
    return max(outsiders, key=lambda a: abs(a.alignment) * a.capability).id


def run_data(model: ExploreModel) -> RunData:
    """This run so far, as a run directory would hold it."""
    with model.lock:
        files = run_files(model.simulation, int(model.seed))
    return RunData.from_files(files)


def network_positions(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Where the network draws each actor of ``scenario`` on every day of every run: its layout on day 0 as
    written, so that nodes stay in place while the judgements move."""
    start = CrisisModel(scenario, record_contributions=False)
    return network_layout(RunData.from_files(run_files(start.simulation, scenario.seed)))


def one_line(error: BaseException) -> str:
    """An error as the page shows it: its first line, at most 300 characters."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return lines[0][:300]


def run_status(model: CrisisModel) -> str:
    """One line on this run: the day, and its ceasefires so far (where it can have any)."""
    spec, day = model.spec, model.day
    spans = model.simulation.history.spans[0]
    said = f"Day {day} of {spec.steps}."
    if not has_ceasefires(spec):
        return said
    if not spans:
        return f"{said} No ceasefire yet." if day < spec.steps else f"{said} No ceasefire came."
    last = spans[-1]
    by = f", brokered by {model.agent(last.broker).name}," if last.broker else ""
    if last.end is None:
        return f"{said} A ceasefire is in force since day {last.start}{by.rstrip(',')}."
    return f"{said} A ceasefire came on day {last.start}{by} and ended on day {last.end}."


def share_text(data: ExperimentData, outcome: str = "lasting_ceasefire") -> str:
    """The share of runs with ``outcome`` as a whole percentage (``34%``)."""
    p = data.summary["probabilities"][outcome]["p"]
    return "no run" if p is None else f"{p * 100:.0f}%"


def timing_text(data: ExperimentData) -> str:
    """When the first ceasefire came over the runs: how many reached one, the median day and the middle half."""
    reached = share_text(data, "ceasefire_reached")
    days = data.summary["first_ceasefire_day"]
    if days["median"] is None:
        return "No run reached a ceasefire."
    return (f"A ceasefire at all in {reached}, the first on day {days['median']:g} (median; the middle half of "
            f"them on days {days['q25']:g} to {days['q75']:g}).")


# ------------------------------------------------------------------------------------ components

#: Large type for a projector: the page's text, Mesa's controls and the numbers that matter; Mesa's
#: draggable grid of components laid out as plain columns (fixed row heights would cut the figures).
CSS = """
.v-application { font-size: 19px; }
.v-toolbar__title { font-size: 26px !important; }
.v-navigation-drawer .v-card__title { font-size: 22px !important; }
.v-navigation-drawer .v-label, .v-navigation-drawer .v-select__selection,
.v-navigation-drawer input, .v-navigation-drawer .v-input { font-size: 19px !important; }
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-input__slot > .v-label {
  flex: 1 0 100%; max-width: 100%; height: auto; line-height: 1.3; white-space: normal; margin: 8px 0 2px 0; }
.v-navigation-drawer .v-slider__thumb-label { font-size: 15px; }
.v-navigation-drawer .v-btn { font-size: 18px !important; min-width: 84px !important; }
.v-navigation-drawer .v-card__text, .v-navigation-drawer .v-alert { font-size: 18px; }
.v-slide-group, .v-tabs-bar { display: none !important; }
.vue-grid-layout { display: flex; flex-wrap: wrap; align-items: flex-start; height: auto !important; }
.vue-grid-item { position: relative !important; transform: none !important; height: auto !important;
  width: 100% !important; padding: 0 8px; touch-action: auto !important; }
.vue-grid-item > .vue-resizable-handle { display: none; }
.vue-grid-placeholder { display: none !important; }
@media (min-width: 1264px) { .vue-grid-item { width: 50% !important; } }
@media (max-width: 600px) { .v-navigation-drawer { min-width: 0 !important; width: 88vw !important; } }
.dipsim-choices .v-card { height: 100%; }
.dipsim-choices .v-card__title { font-size: 22px !important; }
.dipsim-choices .v-label, .dipsim-choices .v-select__selection, .dipsim-choices input { font-size: 19px !important; }
.dipsim-choices .v-btn { font-size: 17px !important; max-width: 100%; height: auto !important; min-height: 36px; }
.dipsim-choices .v-btn__content { white-space: normal; flex-shrink: 1; }
.dipsim-choices .solara-file-drop { font-size: 17px; min-height: 64px; }
.dipsim-view h2 { font-size: 28px; margin: 6px 0 4px 0; font-weight: 600; }
.dipsim-status { font-size: 22px; }
.dipsim-share { font-size: 72px; font-weight: 700; line-height: 1.0; color: #00573F; }
.dipsim-share-text { font-size: 24px; }
.dipsim-small { font-size: 17px; }
.dipsim-figure { width: 100%; height: auto; max-width: 100%; margin-bottom: 12px; }
.dipsim-stale { opacity: 0.45; transition: opacity 0.2s; }
.dipsim-error { font-size: 19px; }
"""


def png(figure: Figure) -> bytes:
    """The figure as a PNG image at `IMAGE_DPI`."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=IMAGE_DPI)
    return buffer.getvalue()


def has_rule(scenario: Scenario, rule: str) -> bool:
    return any(r.rule == rule for r in scenario.rules)


def has_ceasefires(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` can see a ceasefire: mediation brings them, events declare them."""
    return has_rule(scenario, "mediation") or any(e.action == "declare_ceasefire" for e in scenario.events)


#: The views of this run, top to bottom: a name and what draws it from the model, the run so far and the
#: network's layout (None: nothing to draw for this scenario).
RUN_VIEWS: tuple[tuple[str, Callable[[ExploreModel, RunData, dict], Figure | None]], ...] = (
    ("alignment", lambda model, run, layout: live.run_alignment(run, model.spec.steps)),
    ("road", lambda model, run, layout: live.run_road(run, model.spec.steps)
     if has_ceasefires(model.spec) or has_rule(model.spec, "escalation") else None),
    ("battlefield", lambda model, run, layout: live.run_battlefield(run, model.spec.steps)
     if has_battlefield(run) else None),
    ("network", lambda model, run, layout: live.run_network(run, layout)),
)


def draw_run(model: ExploreModel, run: RunData, layout: dict,
             cancel: threading.Event | None = None) -> dict[str, bytes]:
    """Every view of `RUN_VIEWS` of ``run`` as a PNG image, by name (CancelledError once ``cancel`` is set)."""
    images = {}
    for name, draw in RUN_VIEWS:
        if cancel is not None and cancel.is_set():
            raise CancelledError
        figure = draw(model, run, layout)
        if figure is not None:
            images[name] = png(figure)
    return images


#: What the page gives the components beside the model: the actor whose alignment the fan shows beside
#: the two sides' (the actor picker's), what usually happens as computed on this page so far, by the
#: scenario's digest (kept when a new SolaraViz is made for the same judgements), and the page's scenario.
Focus = solara.create_context((None, {}, None))
#: The most ensembles a page keeps drawn (`UsuallyHappens`).
KEPT = 16


@solara.component
def ThisRun(model: ExploreModel):
    """This run as far as it has gone: a line of status and the `RUN_VIEWS`, drawn again after every step
    (Mesa's ``update_counter``).

    The views are drawn in a thread of their own, so that what usually happens shows first; the images
    say the day they show (class ``dipsim-day-N``), and show faded while they are of another model."""
    update_counter.get()
    day = model.day
    layout = solara.use_memo(lambda: network_positions(model.base), [model.base])

    def draw(cancel: threading.Event):
        run = run_data(model)
        return model, run.steps, draw_run(model, run, layout, cancel)

    result = solara.use_thread(draw, dependencies=[model, day], intrusive_cancel=False)
    last = solara.use_ref(None)                     # the last views drawn, shown while the next are drawn
    if result.value is not None:
        last.current = result.value
    with solara.Column(classes=["dipsim-view"]):
        solara.HTML(tag="h2", unsafe_innerHTML="This run")
        solara.Text(run_status(model), classes=["dipsim-status"])
        if result.error is not None:
            solara.Error(f"this run could not be drawn: {one_line(result.error)}", classes=["dipsim-error"])
        if last.current is None:
            solara.Text("drawing\u2026", classes=["dipsim-small"])
            return
        shown_model, shown_day, images = last.current
        classes = [f"dipsim-day-{shown_day}"] + (["dipsim-stale"] if shown_model is not model else [])
        for name, _ in RUN_VIEWS:
            if name in images:
                solara.Image(images[name], width="100%", classes=["dipsim-figure", f"dipsim-{name}", *classes])


def usual(spec: Scenario, base: Scenario, actors: tuple[str, ...]) -> tuple[Any, str | None]:
    """What usually happens with ``spec``: its runs, those of ``base`` (the scenario as written) and the fan
    of ``actors`` as a PNG image; or None and one line saying why not."""
    try:
        runs = runs_for(spec)
        data = quick_ensemble(spec, runs)
        return (data, quick_ensemble(base, runs), png(live.usual_alignment(data, actors))), None
    except Exception as err:  # noqa: BLE001 - a page shows one line, never a traceback
        return None, one_line(err)


@solara.component
def UsuallyHappens(model: ExploreModel):
    """What usually happens with this model's judgements: the share of runs that end with a ceasefire in
    force (beside the scenario's own), when the first ceasefire comes, and the fan of alignment of the two
    sides and the focused actor. Computed again only when the model's scenario digest changes (a slider,
    a new scenario), never on Step, Play or Reset: it does not read Mesa's ``update_counter``."""
    spec = model.spec
    actor, kept, page_base = solara.use_context(Focus)
    current = page_base is None or model.base is page_base        # else a model about to be replaced
    actors = (*spec.sides, *([actor] if actor not in spec.sides and actor in spec.actor_ids else []))

    def compute():
        key = (model.digest, model.base.digest(), actors)
        if key not in kept:
            kept[key] = usual(spec, model.base, actors)
            for old in list(kept)[:-KEPT]:
                del kept[old]
        return kept[key]

    made, problem = solara.use_memo(compute if current else lambda: (None, None), [model.digest, actors, current])
    with solara.Column(classes=["dipsim-view"]):
        if problem is None and made is None:
            solara.HTML(tag="h2", unsafe_innerHTML="What usually happens")
            solara.Text("running\u2026", classes=["dipsim-small"])
            return
        if made is None:
            solara.HTML(tag="h2", unsafe_innerHTML="What usually happens")
            solara.Error(f"the runs could not be made: {problem}", classes=["dipsim-error"])
            return
        data, written, fan = made
        solara.HTML(tag="h2", unsafe_innerHTML=f"What usually happens: {len(data.ok)} runs")
        if has_ceasefires(spec):
            with solara.Row(style={"align-items": "baseline", "gap": "18px", "flex-wrap": "wrap"}):
                solara.Text(share_text(data), classes=["dipsim-share"])
                solara.Text("of the runs end with a lasting ceasefire (one in force on the last day)",
                            classes=["dipsim-share-text"])
            solara.Text(f"The scenario as written: {share_text(written)}. {timing_text(data)}",
                        classes=["dipsim-status"])
        solara.Image(fan, width="100%", classes=["dipsim-figure", "dipsim-fan"])


#: The components of SolaraViz's main area, in order; each takes the model.
COMPONENTS = [ThisRun, UsuallyHappens]


def live_values(settings: Settings) -> dict[str, solara.Reactive]:
    """A reactive value for the seed (``rng``) and each judgement of ``settings``, which the sliders set."""
    values = dict(settings.values)
    return {"rng": solara.reactive(settings.seed),
            **{key: solara.reactive(values.get(key, j.value)) for key, j in judgements(settings.base).items()}}


def settle(live: Mapping[str, solara.Reactive],
           built: ExploreModel) -> tuple[dict[str, Any], Settings | None, str | None]:
    """What the sliders' values ``live`` ask for, beside the model ``built``: the values to put back (clipped
    to their bounds, or ``built``'s where a value is no number), else the settings to build (None: ``built``
    has them), and one line on a value refused."""
    base = built.base
    known = judgements(base)
    wanted = Settings("", base, built.seed)
    fixes, problem = {}, None
    for key, reactive in live.items():
        value = reactive.value
        try:
            wanted = wanted.with_seed(value) if key == "rng" else wanted.with_value(key, value)
            good = wanted.seed if key == "rng" else known[key].clip(value)
        except ValueError as err:
            good, problem = built.value(key), one_line(err)
        if type(good) is not type(value) or good != value:
            fixes[key] = good
    if fixes:
        return fixes, None, problem
    if wanted.seed == built.seed and wanted.values == built.moved:
        return {}, None, problem
    return {}, wanted, problem


@solara.component
def Page():
    """The Explore page (see the module's docstring)."""
    opened = solara.use_memo(first_settings, [])
    library = solara.use_memo(bundled_names, [])
    start = solara.use_reactive(opened[0])                      # the settings the sliders started from
    generation = solara.use_reactive(0)                          # a new one: new sliders, a new SolaraViz
    message = solara.use_reactive(opened[1])
    uploads = solara.use_reactive({})                            # label -> Scenario: this session's uploads
    actor = solara.use_reactive(focus_actor(opened[0].base))
    model = solara.use_reactive(solara.use_memo(lambda: ExploreModel(**opened[0].params()), []))
    live_now = solara.use_memo(lambda: live_values(start.value), [generation.value, start.value.base])

    first, built = start.value, model.value
    base = first.base
    values = {key: reactive.value for key, reactive in live_now.items()}     # read: a slider renders the page
    choices = list(dict.fromkeys([*library, opened[0].label, *uploads.value, first.label]))
    actors = {actor_label(a): a.id for a in base.actors}
    known = judgements(base)
    names = {a.id: a.name for a in base.actors}
    shown = actor.value if actor.value in names else focus_actor(base)     # (the actor of a scenario to come)

    current = Settings(first.label, base, built.seed, built.moved) if built.base is base else first
    judged = {key: value for key, value in values.items() if key != "rng" and key in known}
    sliders = Settings(first.label, base, values["rng"] if isinstance(values["rng"], int) else built.seed,
                       tuple(sorted((k, v) for k, v in judged.items() if isinstance(v, (int, float))
                                    and abs(v - known[k].value) > 1e-12)))

    sliders_now = solara.use_ref(sliders)
    sliders_now.current = sliders if set(live_now) == {"rng", *known} else None

    def begin(new: Settings) -> None:
        """New sliders at ``new`` and this run from day 0 (a scenario picked or uploaded, or its values back)."""
        try:
            made = ExploreModel(**new.params())
        except (ScenarioError, ValueError) as err:
            message.set(one_line(err))
            return
        message.set(None)
        sliders_now.current = new                                # the sliders to come
        start.set(new)
        generation.set(generation.value + 1)
        model.set(made)

    def follow() -> None:
        """A slider moved: clip or put back a value, or build the model (from day 0) with the sliders' values."""
        if set(live_now) != {"rng", *judgements(start.value.base)} or model.value.base is not start.value.base:
            return                                               # a new scenario, half set: its sliders come next
        fixes, wanted, problem = settle(live_now, model.value)
        if problem is not None:
            message.set(problem)
        for key, good in fixes.items():
            live_now[key].set(good)                              # the page renders again and follows again
        if wanted is None:
            return
        finished = not model.value.running
        message.set(None)
        sliders_now.current = replace(wanted, label=first.label)
        model.set(ExploreModel(**wanted.params()))
        if finished:                                             # Mesa's controller keeps Step and Play off
            start.set(replace(wanted, label=first.label))        # for a model it saw finish: a new one
            generation.set(generation.value + 1)

    solara.use_effect(follow, [tuple(map(repr, values.values())), built])

    def watch_model():
        """Mesa's Reset builds the model from Mesa's copy of the parameters, which may be behind the sliders
        (of the last scenario, where solara kept Mesa's sidebar): a model that is not the sliders' is made
        again from them at once."""
        def made(new: ExploreModel) -> None:
            want = sliders_now.current
            if want is None or (new.base is want.base and new.seed == want.seed and new.moved == want.values):
                return
            try:
                model.set(ExploreModel(**want.params()))
            except (ScenarioError, ValueError) as err:
                message.set(one_line(err))

        return model.subscribe(made)

    solara.use_effect(watch_model, [])

    def pick(label: Any) -> None:
        if label not in choices:                                 # only what the picker offers
            message.set(f"no scenario {_shown_name(label)!r} here; pick one of the list")
            return
        try:
            scenario = uploads.value[label] if label in uploads.value else open_scenario(label)
        except ScenarioError as err:
            message.set(one_line(err))
            return
        actor.set(focus_actor(scenario))
        begin(Settings.of(label, scenario))

    def upload(file: Mapping[str, Any]) -> None:
        try:
            scenario = read_upload(file.get("name"), file["file_obj"], file.get("size"))
        except Exception as err:  # noqa: BLE001 - whatever the browser sent, one line and the page goes on
            message.set(one_line(err))
            return
        label = f"uploaded: {_shown_name(file.get('name'))}"
        kept = {k: v for k, v in uploads.value.items() if k != label}
        uploads.set(dict(list(kept.items())[-(MOST_UPLOADS - 1):]) | {label: scenario})
        actor.set(focus_actor(scenario))
        begin(Settings.of(label, scenario))

    def choose(label: Any) -> None:
        if label in actors:
            actor.set(actors[label])


    solara.Style(CSS)
    solara.Title("dipsim: explore")
    with solara.ColumnsResponsive(default=12, medium=[4, 3, 5], classes=["dipsim-choices"]):
        with solara.Card("Scenario"):
            solara.Select("scenario", values=choices, value=first.label, on_value=pick)
            solara.FileDrop(label=f"or drop a .toml scenario here (at most {MOST_UPLOAD_BYTES // 1024} KiB)",
                            on_file=upload, lazy=True)
            if message.value:
                solara.Error(message.value, classes=["dipsim-error"])
        with solara.Card("Actor"):
            solara.Select("actor", values=list(actors), value=actor_label(base.actor(shown)), on_value=choose)
            side_a, side_b = (names[s] for s in base.sides)
            solara.Text(f"Its three sliders are under Model Parameters. Alignment: \u22121 backs {side_a}, +1 "
                        f"backs {side_b}; ceasefire: "
                        + ("willingness to accept one" if shown in base.sides else "presses for one")
                        + "; capability: weight in the crisis.", classes=["dipsim-small"])
        with solara.Card("Changed from the scenario"):
            with solara.Column(gap="6px"):
                for key, value in current.values:
                    j = known[key]
                    who = names.get(j.group, "")
                    solara.Text(f"{who} {j.label}: {j.value:g} \u2192 {value:g}".strip(), classes=["dipsim-small"])
                if not current.values:
                    solara.Text("nothing: the scenario as written", classes=["dipsim-small"])
                with solara.Row():
                    solara.Button("Back to the scenario's values", outlined=True, disabled=not current.values,
                                  on_click=lambda: begin(replace(current, values=())))
    kept = solara.use_memo(dict, [])
    Focus.provide((shown, kept, base))
    # Mesa's sidebar (its ModelController and ModelCreator, with Mesa's copy of the parameters) is shown by
    # solara's AppLayout, not under SolaraViz: a new key for SolaraViz may leave it in place. Solara tells
    # the sidebar's parts apart by their place, so a hidden part before Mesa's, every other SolaraViz, moves
    # Mesa's part one place to have it built anew (`watch_model` puts right a Reset it missed).
    with solara.Sidebar():
        if generation.value % 2:
            solara.Div(style={"display": "none"})
    SolaraViz(model, components=COMPONENTS, model_params=model_params(sliders, shown, live_now),
              name=f"Explore: {base.title}", play_interval=PLAY_INTERVAL).key(f"explore-{generation.value}")


page = Page
