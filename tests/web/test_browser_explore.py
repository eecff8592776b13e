"""The explore page in a real browser, mounted by `dipsim serve` at ``/explore/``: Mesa's SolaraViz draws
its controls and the page's views, a moved slider changes what usually happens (the share of runs with
a lasting ceasefire and the fan) and starts this run again within a few seconds, and Mesa's Step
advances the day and redraws this run."""

from __future__ import annotations

from sim.app import runs_for, share_text
from sim.experiments.quick import quick_ensemble
from sim.scenario import load

#: The screen the page is looked at on: a classroom projector.
PROJECTOR = {"width": 1920, "height": 1080}

#: The most a page may take to open (Solara's scripts, the first ensemble and views), in milliseconds.
OPEN = 60_000
#: How long a slider's or a button's consequence is waited for, in milliseconds: a bound for a loaded machine
#: (the whole suite on two cores busy with other work), not a speed target: a timed test would fail on a slow day.
SHOWN = 30_000


def changed(page, selector: str, attribute: str, before: str) -> None:
    """Wait until the first element matching ``selector`` has an ``attribute`` other than ``before``."""
    page.wait_for_function("([selector, attribute, before]) => { const e = document.querySelector(selector);"
                           " return e !== null && e[attribute] !== before; }",
                           arg=[selector, attribute, before], timeout=SHOWN)


def test_a_moved_slider_changes_the_plots_and_step_advances_the_day(explore_server, browser_context, shoot):
    context = browser_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{explore_server.base_url}/explore/")
    share = page.locator(".dipsim-share")
    share.wait_for(timeout=OPEN)
    page.locator("img.dipsim-alignment.dipsim-day-0").wait_for(timeout=OPEN)
    assert page.locator(".dipsim-status").first.inner_text().startswith("Day 0 of 60.")
    for button in ("Reset", "Step"):                                      # Mesa's controller
        assert page.get_by_role("button", name=button).is_enabled()
    before, fan = share.inner_text(), page.locator("img.dipsim-fan").get_attribute("src")
    run = page.locator("img.dipsim-network").get_attribute("src")
    baseline = load("baseline")
    assert before == share_text(quick_ensemble(baseline, runs_for(baseline)))       # what usually happens

    slider = page.locator(".v-input__slider", has_text="Turkey alignment").locator(".v-slider")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)   # the middle: 0, Turkey stays out
    changed(page, ".dipsim-share", "innerText", before)
    assert share.inner_text() != before
    changed(page, "img.dipsim-fan", "src", fan)
    page.locator(".v-input__slider", has_text="Turkey alignment: 0").wait_for(timeout=SHOWN)
    page.get_by_text("Turkey alignment: 0.9 \u2192 0").wait_for(timeout=SHOWN)   # what changed from the scenario
    changed(page, "img.dipsim-network", "src", run)                       # this run, again from day 0
    shoot(page, "explore-moved")

    page.get_by_role("button", name="Step").click()
    page.locator(".dipsim-status", has_text="Day 1 of 60.").wait_for(timeout=SHOWN)
    page.locator("img.dipsim-alignment.dipsim-day-1").wait_for(timeout=SHOWN)
    assert share.inner_text() != before                                  # what usually happens stays
    assert context.errors == []
