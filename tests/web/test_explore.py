"""The explore page (`sim.app`) rendered without a browser, as Mesa's own tests render SolaraViz: Mesa's
sliders hold the scenario's judgements within their bounds, a moved slider starts this run again with
it at once and re-runs what usually happens, Mesa's Step / Play / Reset drive the run (Reset keeps the
judgements, Step never re-runs the ensemble), whatever the browser sends is clipped or refused in one
line, and an uploaded file is a scenario or one line saying what is wrong."""

from __future__ import annotations

import io
import math
import threading
import time
from collections.abc import Callable

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from solara.components.file_drop import FileDropZone

from sim import app
from sim.experiments import Experiment, conduct
from sim.experiments.quick import quick_ensemble
from sim.io.rundata import ExperimentData
from sim.scenario import ScenarioError, load

#: Turkey's and Russia's capability as the baseline has them (what the sliders start from).
TURKEY, RUSSIA = (load("baseline").actor(a).capability for a in ("TUR", "RUS"))

#: How long a test waits for what the page draws in a thread of its own (seconds).
WAIT = 30
#: Mesa's Play and Pause buttons.
PLAY, PAUSE = "\u25b6", "\u275a\u275a"


def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT} s for {what}")
        time.sleep(0.01)


class Rendered:
    """The page rendered by solara (no browser), with the widgets a person would use, the models it made
    and how often what usually happens was computed (``ensembles``)."""

    def __init__(self, rc, models: list, ensembles: list) -> None:
        self.rc, self.models, self.ensembles = rc, models, ensembles

    @property
    def model(self) -> app.ExploreModel:
        return self.models[-1]

    def slider(self, label: str) -> v.Slider:
        """The slider whose label (before its value) is ``label``."""
        found = [w for w in self.rc.find(v.Slider).widgets if w.label.split(":")[0] == label]
        assert len(found) == 1, [w.label for w in self.rc.find(v.Slider).widgets]
        return found[0]

    def select(self, label: str) -> v.Select:
        return self.rc.find(v.Select, label=label).widget

    def button(self, label: str) -> v.Btn:
        return self.rc.find(v.Btn, children=[label]).widget

    def click(self, button: str) -> None:
        self.button(button).click()

    def texts(self, css: str) -> list[str]:
        return [w.children[0] for w in self.rc.find(v.Html, class_=css).widgets]

    @property
    def errors(self) -> list[str]:
        return [w.children[0] for w in self.rc.find(v.Alert).widgets]

    def images(self, name: str | None = None) -> list[ipywidgets.Image]:
        return [w for w in self.rc.find(ipywidgets.Image).widgets
                if name is None or f"dipsim-{name}" in w._dom_classes]

    def drawn(self) -> bool:
        """Whether this run's views show the model and the day it is on."""
        run = self.images("alignment")
        day = f"dipsim-day-{self.model.day}"
        return bool(run) and all(day in w._dom_classes and "dipsim-stale" not in w._dom_classes
                                 for name, _ in app.RUN_VIEWS for w in self.images(name))

    def wait_drawn(self) -> None:
        until(self.drawn, "this run's views to be drawn")


@pytest.fixture
def explore(monkeypatch, rendered) -> Rendered:
    """The page on the baseline, quick: 40 runs for what usually happens, and its images the data they
    would draw (the real plots are drawn in `test_the_page_draws_this_run_and_what_usually_happens`)."""
    monkeypatch.delenv(app.ENV_SCENARIO, raising=False)
    return rendered()


@pytest.fixture
def rendered(monkeypatch):
    """``rendered(drawn=False)``: the page rendered; each is closed after the test, its threads ended."""
    pages: list[Rendered] = []

    def make(drawn: bool = False) -> Rendered:
        pages.append(render(monkeypatch, drawn))
        return pages[-1]

    yield make
    for page in pages:
        page.rc.close()
    until(lambda: not [t for t in threading.enumerate() if t.name.endswith("(runner)")], "the page's threads to end")


def the_data(name: str):
    """A stand-in for a view of this run: the data the plot would draw, as the image's bytes."""
    return lambda model, run, layout: (
        f"{name} day {run.steps}: {run.field('alignment').round(9).values.tolist()}".encode())


def render(monkeypatch, drawn: bool = False) -> Rendered:
    monkeypatch.setattr(app, "RUNS", 40)
    monkeypatch.setattr(app, "FEWEST_RUNS", 10)
    if not drawn:
        monkeypatch.setattr(app, "RUN_VIEWS", tuple((name, the_data(name)) for name, _ in app.RUN_VIEWS))
        monkeypatch.setattr(app.live, "usual_alignment", lambda data, actors: repr(
            [data.fan(a).round(9).values.tolist() for a in actors]).encode())
        monkeypatch.setattr(app, "png", lambda figure: figure)
    models, ensembles = [], []

    class Recorded(app.ExploreModel):
        def __init__(self, **kwargs) -> None:                          # Mesa wants keywords alone
            super().__init__(**kwargs)
            models.append(self)

    def counted(scenario, runs):
        ensembles.append(scenario.digest())
        return quick_ensemble(scenario, runs)

    monkeypatch.setattr(app, "ExploreModel", Recorded)
    monkeypatch.setattr(app, "quick_ensemble", counted)
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    rendered = Rendered(rc, models, ensembles)
    rendered.wait_drawn()
    return rendered


def reset(page: Rendered) -> None:
    """Press Mesa's Reset and wait for the run to start again with the sliders' values: Mesa builds the model
    from its own copy of the parameters, which the page puts right when it is not the sliders' (a scenario
    Mesa's copy is not of)."""
    models = len(page.models)
    page.click("Reset")
    until(lambda: len(page.models) > models and settled(page), "Reset to start the run with the sliders' values")


def settled(page: Rendered) -> bool:
    """Whether the model is on day 0 with every value the sliders show."""
    base = page.model.base
    names = {a.id: a.name for a in base.actors}
    keys = {"seed of this run": "rng"} | {j.label if j.group == "rules" else f"{names[j.group]} {j.label}": key
                                          for key, j in app.judgements(base).items()}
    shown = {keys[w.label.split(":")[0]]: w.v_model for w in page.rc.find(v.Slider).widgets
             if w.label.split(":")[0] in keys}
    return page.model.day == 0 and all(page.model.value(key) == value for key, value in shown.items())


# ------------------------------------------------------------------------------------ sliders

def test_mesas_sliders_hold_the_scenarios_judgements_within_their_bounds(explore):
    baseline = load("baseline")
    assert explore.select("actor").v_model == "Turkey (TUR)"            # who backs a side hardest
    for field, value in (("alignment", 0.9), ("ceasefire", 0.1), ("capability", TURKEY)):
        slider = explore.slider(f"Turkey {field}")
        low, high = app.RANGES[field]
        assert (slider.v_model, slider.min, slider.max) == (value, low, high)
    threshold = explore.slider("willingness both sides need for a ceasefire")
    assert (threshold.v_model, threshold.min, threshold.max) == (0.6, 0.0, 1.0)
    assert explore.slider("seed of this run").v_model == baseline.seed
    shown = {w.label.split(":")[0] for w in explore.rc.find(v.Slider).widgets}
    assert shown == {"Play Interval (ms)", "Render Interval (steps)", "seed of this run", "Turkey alignment",
                     "Turkey ceasefire", "Turkey capability", *(label for rule, _, label, _, _ in app.KEY_PARAMETERS)}
    assert {"Reset", PLAY, "Step"} <= {w.children[0] for w in explore.rc.find(v.Btn).widgets}   # Mesa's controller
    explore.select("actor").v_model = "Russia (RUS)"
    assert explore.slider("Russia alignment").v_model == -0.4 and explore.slider("Russia capability").v_model == RUSSIA
    assert not [w for w in explore.rc.find(v.Slider).widgets if w.label.startswith("Turkey")]


def test_a_moved_slider_rebuilds_the_model_at_once_and_reruns_what_usually_happens(explore):
    explore.click("Step")
    explore.wait_drawn()
    share, fan, made = explore.texts("dipsim-share"), explore.images("fan")[0].value, len(explore.ensembles)
    explore.slider("Turkey alignment").v_model = 0.0                     # what if Turkey stayed out?
    model = explore.model
    assert model.day == 0 and model.agent("TUR").alignment == 0.0 and model.spec.actor("TUR").alignment == 0.0
    assert explore.slider("Turkey alignment").label == "Turkey alignment: 0"
    until(lambda: explore.texts("dipsim-share") != share and explore.images("fan")[0].value != fan, "a new share")
    assert explore.ensembles[made:] == [model.digest, model.base.digest()]  # once (beside the scenario as written)
    expected = quick_ensemble(model.spec, app.runs_for(model.spec))
    assert explore.texts("dipsim-share") == [app.share_text(expected)]
    assert "Turkey alignment: 0.9 \u2192 0" in explore.texts("dipsim-small")
    explore.wait_drawn()
    assert explore.texts("dipsim-status")[0].startswith("Day 0 of 60.")
    explore.select("actor").v_model = "Russia (RUS)"
    explore.slider("Russia capability").v_model = 0.5
    assert explore.model.agent("TUR").alignment == 0.0 and explore.model.agent("RUS").capability == 0.5
    explore.click("Back to the scenario's values")
    until(lambda: explore.model.agent("TUR").alignment == 0.9 and explore.model.agent("RUS").capability == RUSSIA,
          "the scenario's values back")
    until(lambda: explore.texts("dipsim-share") == share and explore.slider("Russia capability").v_model == RUSSIA,
          "the scenario's share and sliders back")
    assert "nothing: the scenario as written" in explore.texts("dipsim-small")
    assert explore.button("Back to the scenario's values").disabled
    reset(explore)
    assert explore.model.agent("TUR").alignment == 0.9 and explore.model.agent("RUS").capability == RUSSIA


def test_step_redraws_this_run_without_rerunning_the_ensemble_and_reset_keeps_the_sliders(explore):
    explore.slider("Turkey ceasefire").v_model = 0.8
    explore.wait_drawn()
    before, made, fan = explore.images("alignment")[0].value, len(explore.ensembles), explore.images("fan")[0].value
    explore.click("Step")
    explore.click("Step")
    assert explore.model.day == 2
    until(lambda: explore.texts("dipsim-status")[0].startswith("Day 2 of 60."), "the status of day 2")
    explore.wait_drawn()
    assert explore.images("alignment")[0].value != before and explore.images("fan")[0].value == fan
    assert len(explore.ensembles) == made                                 # Step never re-runs what usually happens
    stepped, models = explore.model.world.state.copy(), len(explore.models)
    reset(explore)                                                        # Mesa's: type(model)(**its parameters)
    assert len(explore.models) > models and explore.model.day == 0
    assert explore.slider("Turkey ceasefire").v_model == 0.8 and explore.model.agent("TUR").ceasefire == 0.8
    assert len(explore.ensembles) == made and explore.images("fan")[0].value == fan
    explore.click("Step")
    explore.click("Step")
    assert (explore.model.world.state == stepped).all()                  # the same seed, the same run
    explore.slider("Play Interval (ms)").v_model = 1
    explore.slider("Render Interval (steps)").v_model = 15
    explore.click(PLAY)
    until(lambda: explore.model.day == 60 and explore.button(PAUSE).disabled and explore.button("Step").disabled,
          "Play to end the run (Mesa then shows Pause, disabled, until Reset)")
    explore.wait_drawn()
    assert explore.texts("dipsim-status")[0].startswith("Day 60 of 60.")
    explore.slider("seed of this run").v_model = 7                        # a finished run, a new one: Step again
    assert explore.model.day == 0 and explore.model.seed == 7 and explore.slider("seed of this run").v_model == 7
    assert not explore.button("Step").disabled and not explore.button(PLAY).disabled
    assert len(explore.ensembles) == made                                 # the seed is this run's alone
    explore.click("Step")
    assert explore.model.day == 1


# ------------------------------------------------------------------------------------ what a browser sends

def test_out_of_range_values_are_clipped_and_what_is_no_number_is_refused(explore):
    explore.slider("Turkey alignment").v_model = 5
    until(lambda: explore.model.agent("TUR").alignment == 1.0 and explore.slider("Turkey alignment").v_model == 1.0,
          "the value clipped")
    explore.wait_drawn()                                # (this run's views drawn: no thread renders meanwhile)
    explore.slider("seed of this run").v_model = -3
    until(lambda: explore.model.seed == 0 and explore.slider("seed of this run").v_model == 0, "the seed clipped")
    explore.wait_drawn()
    made = len(explore.models)
    for sent in (math.nan, math.inf, -math.inf):                          # what float() takes (solara's slider
        # casts what the browser sends with float(), and refuses what it cannot cast before the page sees it)
        explore.slider("Turkey capability").v_model = sent
        until(lambda: explore.slider("Turkey capability").v_model == TURKEY and len(explore.errors) == 1,
              "the value put back, with one line")
        assert len(explore.models) == made and explore.model.agent("TUR").capability == TURKEY
        assert "expected a number" in explore.errors[0] and "\n" not in explore.errors[0]
    explore.slider("Turkey capability").v_model = 0.3
    until(lambda: explore.model.agent("TUR").capability == 0.3 and explore.errors == [], "the new value, no error")
    reset(explore)
    assert explore.model.agent("TUR").alignment == 1.0 and explore.model.seed == 0
    assert explore.model.agent("TUR").capability == 0.3
    explore.select("scenario").v_model = "/etc/passwd"
    explore.select("actor").v_model = "Nobody (NOB)"
    assert explore.model.base.name == "baseline"
    until(lambda: explore.errors == ["no scenario 'passwd' here; pick one of the list"], "the one line")
    assert explore.slider("Turkey capability").v_model == 0.3                  # still Turkey's sliders


def test_the_model_takes_only_the_judgements_a_slider_sets_and_rebuilds_from_its_keywords():
    baseline = load("baseline")
    settings = app.Settings.of("baseline", baseline).with_value("rules.mediation.threshold", 0.3).with_seed(11)
    model = app.ExploreModel(**settings.params(), scenario=object())     # Mesa's Reset adds its own scenario
    again = type(model)(**settings.params())
    again.advance(5), model.advance(5)
    mediation = next(rule for rule in model.spec.rules if rule.rule == "mediation")
    assert (again.world.state == model.world.state).all() and mediation.params["threshold"] == 0.3
    with pytest.raises(ValueError, match="not a judgement"):
        app.ExploreModel(baseline, **{"actors.TUR.stubbornness": 0.5})
    with pytest.raises(ValueError, match="from -1 to 1"):
        app.ExploreModel(baseline, **{"actors.TUR.alignment": 3.0})
    with pytest.raises(ValueError, match="expected a number"):
        settings.with_value("actors.TUR.alignment", "0.5")


# ------------------------------------------------------------------------------------ scenarios

def upload(page: Rendered, name: str, content: bytes, monkeypatch) -> None:
    """Drop a file on the page, as the browser would send it."""
    monkeypatch.setattr(FileDropZone, "get_files", lambda self: [
        {"name": name, "size": len(content), "file_obj": io.BytesIO(content)}])
    page.rc.find(FileDropZone).widget.file_info = [{"name": name, "size": len(content), "isFile": True}]


def test_an_uploaded_file_is_run_or_refused_in_one_line_and_the_page_goes_on(explore, monkeypatch):
    upload(explore, "oops.toml", b"[scenario\nname = 1\n", monkeypatch)
    until(lambda: explore.errors, "the upload's error")
    assert len(explore.errors) == 1 and explore.errors[0].startswith("upload oops.toml: not valid TOML")
    assert "Traceback" not in explore.errors[0] and "\n" not in explore.errors[0]
    explore.click("Step")
    assert explore.model.day == 1 and explore.model.base.name == "baseline"
    what_if = b'[scenario]\nextends = "baseline"\nname = "turkey-out"\n\n[[actors]]\nid = "TUR"\nalignment = 0.0\n'
    upload(explore, "../../turkey-out.toml", what_if, monkeypatch)
    until(lambda: explore.select("scenario").v_model == "uploaded: turkey-out.toml" and explore.errors == []
          and explore.model.base.name == "turkey-out", "the uploaded scenario to run")
    explore.wait_drawn()
    until(lambda: explore.select("actor").v_model == "Russia (RUS)", "Russia's sliders (Turkey backs no side now)")
    explore.select("actor").v_model = "Turkey (TUR)"
    until(lambda: [w for w in explore.rc.find(v.Slider).widgets if w.label == "Turkey alignment: 0"],
          "Turkey's sliders")
    assert explore.model.agent("TUR").alignment == 0.0
    explore.select("scenario").v_model = "classic-arms-race-stable"
    assert explore.model.base.name == "classic-arms-race-stable"
    assert "uploaded: turkey-out.toml" in explore.select("scenario").items
    reset(explore)
    assert explore.model.base.name == "classic-arms-race-stable" and explore.model.day == 0
    explore.wait_drawn()
    other = b'[scenario]\nextends = "whatif-turkey-pakistan-out"\nname = "other-actors"\n'
    upload(explore, "other.toml", other, monkeypatch)                       # from a thread, other actors than shown
    until(lambda: explore.model.base.name == "other-actors" and settled(explore), "the other scenario to run")
    assert explore.errors == [] and explore.select("scenario").v_model == "uploaded: other.toml"
    explore.wait_drawn()


@pytest.mark.parametrize(("content", "problem"), [
    (b"\xff\xfe", "upload x.toml: not UTF-8 text"),
    (b'[scenario]\nextends = "baseline"\nsteps = "many"\n', "upload x.toml: scenario.steps: expected a whole number"),
    (b'[scenario]\nextends = "/etc/hosts"\n', "upload x.toml: scenario.extends: an uploaded scenario may extend only"),
    (b'[scenario]\nextends = "baseline"\nsource = "sources/article-2020-09-28.txt"\n',
     "upload x.toml: scenario.source: an uploaded scenario cannot name a source file"),
    (b'[scenario]\nextends = "baseline"\nsteps = 5000\n', "upload x.toml: too large to re-run here"),
    (b"# " + b"x" * app.MOST_UPLOAD_BYTES, "upload x.toml: larger than 256 KiB"),
])
def test_an_upload_is_bounded_read_as_toml_and_validated_never_reaching_outside(content, problem):
    with pytest.raises(ScenarioError) as caught:
        app.read_upload("x.toml", io.BytesIO(content), len(content))
    assert str(caught.value).startswith(problem) and "\n" not in str(caught.value)


def test_the_page_opens_with_the_teachers_scenario_or_says_why_not(monkeypatch, rendered):
    monkeypatch.setenv(app.ENV_SCENARIO, "whatif-turkey-pakistan-out")
    page = rendered()
    assert page.select("scenario").v_model == "whatif-turkey-pakistan-out"
    assert page.model.base.name == "whatif-turkey-pakistan-out"
    monkeypatch.setenv(app.ENV_SCENARIO, "no-such-scenario")
    settings, message = app.first_settings()
    assert settings.base.name == "baseline" and message.startswith("no-such-scenario: no such scenario file")


def test_what_usually_happens_is_dipsim_ensembles_runs(tmp_path):
    experiment = Experiment.ensemble("baseline", runs=12, overrides=["rules.mediation.threshold=0.4"])
    conduct(experiment, tmp_path / "ensemble", workers=1)
    written = ExperimentData.load(tmp_path / "ensemble")
    quick = quick_ensemble(experiment.scenario(), 12)
    assert quick.runs.equals(written.runs) and quick.summary["probabilities"] == written.summary["probabilities"]
    pd.testing.assert_frame_equal(quick.quantiles, written.quantiles, rtol=1e-9)  # the file keeps 10 digits
    assert quick_ensemble(experiment.scenario(), 12) is quick                # remembered by the digest


def test_the_page_draws_this_run_and_what_usually_happens(monkeypatch, rendered):
    monkeypatch.delenv(app.ENV_SCENARIO, raising=False)
    page = rendered(drawn=True)
    png = b"\x89PNG\r\n\x1a\n"
    views = [bytes(w.value) for w in page.images()]
    assert len(views) == 5 and all(view.startswith(png) for view in views)     # four of this run, the fan
    assert len(page.images("battlefield")) == 1                                 # the baseline has a battlefield
    page.click("Step")
    page.wait_drawn()
    assert bytes(page.images("alignment")[0].value) != views[0] and bytes(page.images("fan")[0].value) == views[4]


def test_the_battlefield_view_draws_this_run_where_the_scenario_has_one():
    view = dict(app.RUN_VIEWS)["battlefield"]
    model = app.ExploreModel("baseline")
    model.advance(10)
    run = app.run_data(model)
    top, bottom = view(model, run, {}).axes[:2]
    for ax, field in ((top, "territory"), (bottom, "losses")):
        drawn = {line.get_gid(): line.get_ydata() for line in ax.lines}
        for side in run.sides:
            np.testing.assert_allclose(drawn[f"{field}:{side}"], run.field(field)[side])
        assert ax.get_xlim() == (0, model.spec.steps)                       # the whole run's days, lines growing
    assert run.field("territory")["AZE"].iloc[-1] > 0                        # there is something to see
    classic = app.ExploreModel("classic-arms-race-stable")
    classic.advance(3)
    assert view(classic, app.run_data(classic), {}) is None


def test_the_battlefield_and_war_aims_sliders_are_the_scenarios_and_move_the_front():
    baseline, classic = load("baseline"), load("classic-arms-race-stable")
    known = app.judgements(baseline)
    for key, value in (("rules.battlefield.defence", 2.0), ("rules.battlefield.advance", 0.1),
                       ("rules.battlefield.support", 0.5), ("rules.war_aims.price", 0.04),
                       ("rules.mediation.leverage", 1.13)):
        assert known[key].value == value and known[key].low <= value <= known[key].high
    assert not [key for key in app.judgements(classic) if key.startswith(("rules.battlefield", "rules.war_aims"))]
    taken = {}
    for defence in (2.0, 4.0):                            # a stronger defence: the attacker takes less
        model = app.ExploreModel(baseline, rng=1, **{"rules.battlefield.defence": defence})
        model.advance(20)
        taken[defence] = app.run_data(model).field("territory")["AZE"].iloc[-1]
    assert taken[4.0] < taken[2.0]


@pytest.mark.parametrize("name", ["baseline", "history-2020"])
def test_every_judgement_a_slider_shows_lies_on_its_sliders_steps(name):
    """A value between two steps would be moved to one by the browser's slider, and the page would run
    another scenario than the one written (a knife-edge judgement such as leverage 1.13 shows it)."""
    for key, judgement in app.judgements(load(name)).items():
        ratio = (judgement.value - judgement.low) / judgement.step
        assert abs(ratio - round(ratio)) < 1e-9, (key, judgement.value, judgement.step)
