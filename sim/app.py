"""The Explore page: a crisis played out in the browser, the judgements a class argues about on sliders,
"this run" day by day beside "what usually happens" over a few hundred runs.

Served by ``dipsim serve`` (solara's app at ``/explore``, ``SOLARA_APP=sim.app``) or alone by ``solara run
sim/app.py``; solara shows `Page`. The scenario it opens with is ``$DIPSIM_EXPLORE_SCENARIO`` (a bundled
name or a file, the teacher's choice), else ``baseline``; the picker offers the bundled scenarios and
an uploaded ``.toml`` file.

What moves what:

* A slider sets a judgement: an actor's starting ``alignment``, ``ceasefire`` stance or ``capability``,
  or one of the rule parameters a class argues about (`KEY_PARAMETERS`), as a ``--set`` override
  (``actors.TUR.alignment=0.5``). The scenario with the judgements is `ExploreModel`'s ``spec``. A change
  starts this run again from day 0 and re-runs the ensemble (`sim.experiments.quick.quick_ensemble`:
  the runs of ``dipsim ensemble``, remembered by the scenario's digest, so Step and Play never re-run it).
* The seed is this run's alone: the ensemble's seeds come from the scenario's seed, as ``dipsim
  ensemble``'s do, so what usually happens does not move with the luck of one run.
* Step advances this run a day, Play a few days a frame until its last day, Reset starts it again with
  the same judgements (the sliders keep their values). The model keeps SolaraViz's contract: it is built
  from keywords alone, as SolaraViz's Reset builds one, ``ExploreModel(**params)`` (`Settings.params`),
  and `model_params` gives its sliders in SolaraViz's form. The page draws its own controls, in Solara,
  because ``mesa.visualization`` cannot be imported without altair (which dipsim does not install) and
  because a change of a judgement should show at once, not at the next Reset.

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
import time
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
#: A run that is played is drawn about this many times, however many days it has.
PLAY_FRAMES = 20
#: The seconds between two frames of Play, at the least, and the most Play waits for a frame to be drawn.
PLAY_PAUSE, PLAY_WAIT = 0.05, 10.0
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


def model_params(scenario: Scenario, values: Mapping[str, float] | None = None, seed: int | None = None) -> dict:
    """SolaraViz's ``model_params`` for `ExploreModel` on ``scenario``: the scenario (fixed), the seed and
    every judgement as sliders (at ``values`` where given), keyed by the model's keywords."""
    values = values or {}
    low, high = seed_bounds(scenario)
    params: dict[str, Any] = {"spec": scenario, "rng": {
        "type": "SliderInt", "label": "seed of this run", "value": scenario.seed if seed is None else seed,
        "min": low, "max": high, "step": 1}}
    for key, j in judgements(scenario).items():
        params[key] = {"type": "SliderFloat", "label": f"{j.group} {j.label}" if j.group != "rules" else j.label,
                       "value": values.get(key, j.value), "min": j.low, "max": j.high, "step": j.step}
    return params


class ExploreModel(CrisisModel):
    """A `CrisisModel` of ``spec`` with the page's judgements: keyword arguments named by their ``--set``
    paths (``**{"actors.TUR.alignment": 0.5}``), each one of `judgements` of ``spec`` and a number within
    its bounds (else ValueError). ``rng``, a whole number, seeds this run (None: the scenario's seed).

    Mesa's Reset builds the model again as ``type(model)(**params)``, and to a model that takes keywords
    it also gives ``scenario=`` (Mesa's own scenario object); dipsim's scenario is ``spec``, so that one
    is ignored.
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
        overrides = []
        for key, value in values.items():
            judgement = known[key]
            if judgement.clip(value) != value:
                raise ValueError(f"{key}: expected a number from {judgement.low:g} to {judgement.high:g}, got {value!r}")
            overrides.append(f"{key}={float(value)!r}")
        super().__init__(base, rng=rng, overrides=overrides, record_contributions=False)
        self.base = base
        self.seed = base.seed if rng is None else rng
        #: Held while the run advances or is read (Play advances it in a thread of its own).
        self.lock = threading.RLock()

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
        raise ScenarioError(scenario.origin, "", f"too large to re-run here on every change ({len(scenario.actors)} "
                            f"actors, {len(scenario.ties)} ties, {len(scenario.events)} events, {scenario.steps} days); "
                            "dipsim ensemble runs it")
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

#: Bumped after every step of this session's run, so that the views of it draw again (as Mesa's
#: ``update_counter``; ``mesa.visualization`` itself needs altair, which dipsim does not install).
steps_taken = solara.reactive(0)

#: Large type for a projector: the page's text, the controls and the numbers that matter.
CSS = """
.dipsim-page { font-size: 19px; }
.dipsim-page h2 { font-size: 28px; margin: 6px 0 4px 0; font-weight: 600; }
.dipsim-page .dipsim-status { font-size: 22px; }
.dipsim-share { font-size: 72px; font-weight: 700; line-height: 1.0; color: #00573F; }
.dipsim-share-text { font-size: 24px; }
.dipsim-small { font-size: 17px; color: #444; }
.dipsim-controls .v-card__title { font-size: 22px !important; }
.dipsim-controls .v-label, .dipsim-controls .v-select__selection, .dipsim-controls input { font-size: 19px !important; }
.dipsim-controls .v-input__slider .v-input__slot { flex-wrap: wrap; }
.dipsim-controls .v-input__slider .v-input__slot > .v-label {
  flex: 1 0 100%; max-width: 100%; height: auto; line-height: 1.3; white-space: normal; margin: 8px 0 2px 0;
  color: #222 !important; }
.dipsim-controls .v-slider__thumb-label { font-size: 15px; }
.dipsim-controls .v-btn { font-size: 18px !important; min-width: 84px !important; }
@media (min-width: 1264px) {
  .dipsim-controls { position: sticky; top: 0; max-height: calc(100vh - 90px); overflow-y: auto; } }
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
#: network's layout (None: nothing to draw for this scenario). A view of the battlefield's territory
#: (the next issue) is one more entry.
RUN_VIEWS: tuple[tuple[str, Callable[[ExploreModel, RunData, dict], Figure | None]], ...] = (
    ("alignment", lambda model, run, layout: live.run_alignment(run, model.spec.steps)),
    ("road", lambda model, run, layout: live.run_road(run, model.spec.steps)
     if has_ceasefires(model.spec) or has_rule(model.spec, "escalation") else None),
    ("network", lambda model, run, layout: live.run_network(run, layout)),
)


def draw_run(model: ExploreModel, run: RunData, layout: dict, cancel: threading.Event | None = None) -> dict[str, bytes]:
    """Every view of `RUN_VIEWS` of ``run`` as a PNG image, by name (CancelledError once ``cancel`` is set)."""
    images = {}
    for name, draw in RUN_VIEWS:
        if cancel is not None and cancel.is_set():
            raise CancelledError
        figure = draw(model, run, layout)
        if figure is not None:
            images[name] = png(figure)
    return images


@solara.component
def ThisRun(model: ExploreModel, layout: dict, drawn: threading.Event):
    """This run as far as it has gone: a line of status and the `RUN_VIEWS`, drawn again after every step.

    The views are drawn in a thread of their own once the rest of the page has gone to the browser, so
    that what usually happens shows first; until they are, the last ones drawn show faded. ``drawn`` is
    set each time they are (Play waits for it before the next frame)."""
    steps_taken.get()
    day = model.day

    def draw(cancel: threading.Event):
        try:
            run = run_data(model)
            return model, run.steps, draw_run(model, run, layout, cancel)
        finally:
            drawn.set()

    result = solara.use_thread(draw, dependencies=[model, day], intrusive_cancel=False)
    solara.HTML(tag="h2", unsafe_innerHTML="This run")
    solara.Text(run_status(model), classes=["dipsim-status"])
    if result.error is not None:
        solara.Error(f"this run could not be drawn: {one_line(result.error)}", classes=["dipsim-error"])
    if result.value is None:
        solara.Text("drawing\u2026", classes=["dipsim-small"])
        return
    shown_model, shown_day, images = result.value
    stale = shown_model is not model or shown_day != model.day
    for name, _ in RUN_VIEWS:
        if name in images:
            solara.Image(images[name], width="100%", classes=["dipsim-figure", f"dipsim-{name}"]
                         + (["dipsim-stale"] if stale else []))


@solara.component
def UsuallyHappens(model: ExploreModel, actor: str):
    """What usually happens with these judgements: the share of runs that end with a ceasefire in force
    (beside the scenario's own), when the first ceasefire comes, and the fan of alignment of the two sides
    and ``actor``; re-run only when the judgements change (`quick_ensemble` remembers each)."""
    spec = model.spec
    actors = (*spec.sides, *([actor] if actor not in spec.sides else []))

    def simulate() -> tuple[tuple[ExperimentData, ExperimentData, bytes] | None, str | None]:
        try:
            runs = runs_for(spec)
            data = quick_ensemble(spec, runs)
            return (data, quick_ensemble(model.base, runs), png(live.usual_alignment(data, actors))), None
        except Exception as err:  # noqa: BLE001 - a page shows one line, never a traceback
            return None, one_line(err)

    made, problem = solara.use_memo(simulate, [spec.digest(), actors])
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


@solara.component
def Sliders(specs: Mapping[str, dict], on_change: Callable[[str, Any], None]):
    """A slider for each of ``specs`` (SolaraViz's ``model_params`` form: ``type``, ``label``, ``value``, ``min``,
    ``max``, ``step``), calling ``on_change(key, value)`` with the value as the browser sends it (which
    `Settings` checks: it is not trusted to be a number, nor within the bounds)."""
    for key, spec in specs.items():
        solara.v.Slider(label=spec["label"], v_model=spec["value"], min=spec["min"], max=spec["max"],
                        step=spec["step"], thumb_label=True, hide_details=True,
                        on_v_model=lambda value, key=key: on_change(key, value))


@solara.component
def Controls(model: ExploreModel, playing: solara.Reactive[bool], drawn: threading.Event,
             on_reset: Callable[[], None]):
    """Step, Play (Pause while playing) and Reset, as Mesa's controller has them. Play advances the run a
    few days a frame (about `PLAY_FRAMES` frames a run), each frame once the last is drawn."""
    steps_taken.get()
    done = model.day >= model.spec.steps

    def step():
        if model.advance(1):
            steps_taken.value += 1

    def play(cancel: threading.Event):
        if not playing.value:
            return
        days = max(1, math.ceil(model.spec.steps / PLAY_FRAMES))
        while not cancel.is_set() and model.advance(days):
            drawn.clear()
            steps_taken.value += 1
            drawn.wait(PLAY_WAIT)
            time.sleep(PLAY_PAUSE)
        if not cancel.is_set():
            playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, model], intrusive_cancel=False)
    with solara.Row(gap="8px"):
        solara.Button("Step", on_click=step, disabled=playing.value or done, color="primary")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      disabled=done and not playing.value, color="primary")
        solara.Button("Reset", on_click=on_reset, color="primary", outlined=True)


@solara.component
def Page():
    """The Explore page (see the module's docstring)."""
    opened = solara.use_memo(first_settings, [])
    library = solara.use_memo(bundled_names, [])
    settings = solara.use_reactive(opened[0])
    message = solara.use_reactive(opened[1])
    uploads = solara.use_reactive({})                          # label -> Scenario: this session's uploads
    actor = solara.use_reactive(focus_actor(opened[0].base))
    playing = solara.use_reactive(False)
    model = solara.use_reactive(solara.use_memo(lambda: ExploreModel(**opened[0].params()), []))
    drawn = solara.use_memo(threading.Event, [])                # set each time this run's views are drawn

    current, built = settings.value, model.value
    base = current.base
    choices = list(dict.fromkeys([*library, opened[0].label, *uploads.value, current.label]))
    actors = {actor_label(a): a.id for a in base.actors}

    def start(new: Settings) -> None:
        """Run ``new`` from day 0 (a judgement, the seed or the scenario changed, or Reset)."""
        playing.set(False)
        try:
            made = ExploreModel(**new.params())
        except (ScenarioError, ValueError) as err:
            message.set(one_line(err))
            return
        message.set(None)
        settings.set(new)
        model.set(made)

    def pick(label: Any) -> None:
        if label not in choices:                                # only what the picker offers
            message.set(f"no scenario {_shown_name(label)!r} here; pick one of the list")
            return
        try:
            scenario = uploads.value[label] if label in uploads.value else open_scenario(label)
        except ScenarioError as err:
            message.set(one_line(err))
            return
        actor.set(focus_actor(scenario))
        start(Settings.of(label, scenario))

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
        start(Settings.of(label, scenario))

    def change(key: str, value: Any) -> None:
        try:
            new = current.with_seed(value) if key == "rng" else current.with_value(key, value)
        except ValueError as err:
            message.set(one_line(err))
            return
        start(new)

    def choose(label: Any) -> None:
        if label in actors:
            actor.set(actors[label])

    layout = solara.use_memo(lambda: network_positions(base), [base])
    params = model_params(base, dict(current.values), current.seed)
    known = judgements(base)
    names = {a.id: a.name for a in base.actors}

    def sliders(group: str) -> dict:
        """The sliders of a group of judgements, each label saying the value."""
        return {k: {**params[k], "label": f"{j.label}: {params[k]['value']:g}"} for k, j in known.items()
                if j.group == group}

    solara.Style(CSS)
    solara.Title("dipsim: explore")
    with solara.AppBar():
        solara.AppBarTitle(f"Explore: {base.title}")
    with solara.ColumnsResponsive(default=12, large=[3, 9], classes=["dipsim-page"]):
        with solara.Column(classes=["dipsim-controls"]):
            with solara.Card("Scenario"):
                solara.Select("scenario", values=choices, value=current.label, on_value=pick)
                solara.FileDrop(label=f"or drop a .toml scenario here (at most {MOST_UPLOAD_BYTES // 1024} KiB)",
                                on_file=upload, lazy=True)
                if message.value:
                    solara.Error(message.value, classes=["dipsim-error"])
            with solara.Card("This run"):
                Controls(built, playing, drawn, lambda: start(current))
                Sliders({"rng": {**params["rng"], "label": f"seed of this run: {current.seed}"}}, on_change=change)
            with solara.Card("Changed from the scenario"):           # always there: the sliders below keep their place
                with solara.Column(gap="6px"):
                    for key, value in current.values:
                        j = known[key]
                        who = names.get(j.group, "")
                        solara.Text(f"{who} {j.label}: {j.value:g} \u2192 {value:g}".strip(), classes=["dipsim-small"])
                    if not current.values:
                        solara.Text("nothing: the scenario as written", classes=["dipsim-small"])
                    with solara.Row():
                        solara.Button("Back to the scenario's values", outlined=True, disabled=not current.values,
                                      on_click=lambda: start(replace(current, values=())))
            with solara.Card("Actors"):
                solara.Select("actor", values=list(actors), value=actor_label(base.actor(actor.value)), on_value=choose)
                side_a, side_b = (names[s] for s in base.sides)
                solara.Text(f"alignment: \u22121 backs {side_a}, +1 backs {side_b}; ceasefire: "
                            + ("willingness to accept one" if actor.value in base.sides else "presses for one")
                            + "; capability: weight in the crisis", classes=["dipsim-small"])
                Sliders(sliders(actor.value), on_change=change)
            if any(j.group == "rules" for j in known.values()):
                with solara.Card("Rules"):
                    Sliders(sliders("rules"), on_change=change)
        with solara.ColumnsResponsive(default=12, large=6):
            with solara.Column():
                ThisRun(built, layout, drawn)
            with solara.Column():
                UsuallyHappens(built, actor.value)


page = Page
