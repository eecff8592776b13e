"""The look every plot shares: the slide's size and fonts, the colours, text shown as written
(`literal`), new figures and panels (`slide_figure`, `figure_and_axes`, `figure_and_panels`,
`style_axes`), and the colours and names of a run's camps (`coalition_colours`, `coalition_titles`,
`side_label`, `prominent`).

Colours are colour-blind safe: alignment on ColorBrewer's diverging "RdBu" (the first side red, the
second blue), coalitions and rules from the Okabe-Ito palette, shares over a sweep's grid on viridis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.io.rundata import RunData

#: Slide size: 16:9 at 12 inches wide, rendered at 150 dpi (1800 x 1012 pixels).
SLIDE = (12.0, 6.75)
DPI = 150

#: Font sizes in points (nothing on a slide smaller than 11).
TEXT, SMALL, TITLE, SUPTITLE = 13, 11, 15, 17

#: The Okabe-Ito palette (Okabe & Ito 2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000",
}
#: The diverging scale of alignment: -1 (backs the first side) red, +1 (backs the second side) blue.
ALIGNMENT_CMAP = "RdBu"
#: Coalition colours: the first side's camp vermillion and the second side's blue, as on the alignment
#: scale; any other camp takes the next colour.
SIDE_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])
OTHER_COLOURS = (OKABE_ITO["bluish green"], OKABE_ITO["reddish purple"], OKABE_ITO["orange"],
                 OKABE_ITO["sky blue"], OKABE_ITO["black"])
#: The colour of each kind of rule (and of events and limits) in "what moved whom".
RULE_COLOURS = {
    "events": "#882255", "influence": OKABE_ITO["blue"], "alliance": OKABE_ITO["vermillion"],
    "balance": OKABE_ITO["bluish green"], "mediation": OKABE_ITO["reddish purple"],
    "escalation": OKABE_ITO["orange"], "noise": "#BBBBBB", "limits": "#777777",
}
SOURCE_LABELS = {"events": "scenario events", "limits": "limits of the scale"}
SPARE_COLOURS = (OKABE_ITO["sky blue"], OKABE_ITO["yellow"], "#44AA99", "#999933", "#332288")
SHAPES = ("o", "s", "D", "^")
FRIENDLY, HOSTILE = OKABE_ITO["bluish green"], OKABE_ITO["reddish purple"]
CEASEFIRE_SHADE = OKABE_ITO["bluish green"]
CEASEFIRE_TEXT = "#00573F"
BREAKDOWN = "#000000"
MARKER_GREY = "#555555"
MEDIATION_COLOUR = RULE_COLOURS["mediation"]
#: How each way a ceasefire comes (`sim.core.records.ARRIVALS`) is marked on its first day: a marker and its
#: colour (both sides wanted it: a green disc; mediators pressed it on them: a purple triangle, pointing down;
#: a scenario event declared it: a grey square, as the events' lines).
ARRIVAL_MARKERS = {"ripe": ("o", CEASEFIRE_TEXT), "pressure": ("v", MEDIATION_COLOUR), "declared": ("s", MARKER_GREY)}


#: Matplotlib's settings under which every plot is drawn and rendered: no text is read as math.
LITERAL = {"text.parse_math": False}


def literal(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """``draw``, a plot function, with every text it writes shown as written (no math text).

    Texts read ``text.parse_math`` when they are made, so the drawing runs under `LITERAL`; the titles,
    axis labels and tick labels of Axes it is given were made before, so they are made literal first.
    """
    @functools.wraps(draw)
    def drawn(*args, **kwargs) -> Figure:
        with matplotlib.rc_context(LITERAL):
            for ax in _given_axes([*args, *kwargs.values()]):
                for text in ax.findobj(Text):
                    if text not in ax.texts:        # the Axes' own texts; others' annotations are left alone
                        text.set_parse_math(False)
            return draw(*args, **kwargs)

    return drawn


def _given_axes(values: Sequence) -> list[Axes]:
    """The Axes among ``values``, alone or in sequences."""
    found = []
    for value in values:
        if isinstance(value, Axes):
            found.append(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            found += [v for v in np.ravel(np.array(value, dtype=object)) if isinstance(v, Axes)]
    return found


def slide_figure(**kwargs) -> Figure:
    """A new slide-sized figure, not known to pyplot."""
    return Figure(figsize=SLIDE, dpi=DPI, layout="constrained", **kwargs)


def figure_and_axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """The figure, the Axes to draw on and whether the figure is ours: ``ax``, or a new figure's."""
    if ax is None:
        fig = slide_figure()
        return fig, fig.add_subplot(), True
    return ax.figure, ax, False


def figure_and_panels(axes: Sequence[Axes] | None, count: int, what: str, **layout) -> tuple[Figure, list[Axes], bool]:
    """The figure, ``count`` Axes and whether the figure is ours: the given Axes, or a new figure's."""
    if axes is None:
        fig = slide_figure()
        grid = fig.subplots(*layout.pop("shape"), **layout)
        return fig, list(np.ravel(grid)), True
    axes = list(axes)
    if len(axes) != count:
        raise ValueError(f"{what}; got {len(axes)} Axes")
    return axes[0].figure, axes, False


def style_axes(ax: Axes) -> None:
    """The plain look of a plot: larger tick labels, no top or right spine, a light grid behind."""
    ax.tick_params(labelsize=SMALL + 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def coalition_colours(run: RunData, when: str = "end") -> dict[str, str]:
    """The colour of each actor's coalition at the start or the end of the run."""
    groups = run.coalitions(when)
    colour_of: dict[int, str] = {}
    spare = iter(OTHER_COLOURS)
    for k, group in enumerate(groups):
        held = [i for i, side in enumerate(run.sides) if side in group]
        colour_of[k] = SIDE_COLOURS[held[0]] if held else next(spare, "#777777")
    membership = run.coalition_of(when)
    return {a: colour_of.get(membership[a], "#777777") for a in run.actor_ids}


def coalition_titles(run: RunData, when: str = "end", counts: bool = True) -> list[tuple[str, str]]:
    """Each coalition's colour and a short description (``Armenia's camp (11)``) for legends."""
    colours = coalition_colours(run, when)
    found = []
    for group in run.coalitions(when):
        held = [run.name(s) for s in run.sides if s in group]
        owner = " and ".join(held)
        title = (f"{owner}' camp" if owner.endswith("s") else f"{owner}'s camp") if held else "a third camp"
        found.append((colours[group[0]], f"{title} ({len(group)})" if counts else title))
    return found


def side_label(run: RunData, k: int) -> str:
    """``backs Armenia`` for k = 0 (alignment -1), ``backs Azerbaijan`` for k = 1 (alignment +1)."""
    return f"backs {run.name(run.sides[k])}"


def prominent(run: RunData, most: int) -> list[str]:
    """Every actor, in the scenario's order, or with more than ``most`` the two sides and the most capable
    (on day 0): the actors a crowded plot names (or, in the network, draws)."""
    if len(run.actor_ids) <= most:
        return list(run.actor_ids)
    capability = run.field("capability").iloc[0]
    ranked = sorted(run.mediators, key=lambda a: -float(capability[a]))      # stable: ties in scenario order
    chosen = {*run.sides, *ranked[:max(most - 2, 0)]}
    return [a for a in run.actor_ids if a in chosen]
