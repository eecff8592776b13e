"""The look every plot shares: the slide's size and fonts, the colours, text shown as written
(`literal`), new figures and panels (`slide_figure`, `figure_and_axes`, `figure_and_panels`,
`style_axes`), the names plots write (`display`: short display names, `fitting_columns`, `wrap_to`), the colours and names of what a run's actors do (`role_colours`, `role_titles`: the side each
backs, or none, by `sim.roles`), its landscape coalitions (`coalition_shapes`, `coalition_titles`: "coalition 1",
never a side's camp), `side_label` and `prominent`.

Colours are colour-blind safe: alignment on ColorBrewer's diverging "RdBu" (the first side red, the
second blue), the non-aligned grey, rules from the Okabe-Ito palette, shares over a sweep's grid on viridis.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.io.rundata import RunData
from sim.roles import (
    FIRST,
    GROUPS,
    NON_ALIGNED,
    SECOND,
    Role,
    coalition_title,
    role_label,
)

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
#: The colours of what actors do (`sim.roles`): backing the first side vermillion and the second blue, as on
#: the alignment scale; the non-aligned a neutral grey; a mediator marked with `MEDIATOR_MARKER`.
SIDE_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])
NON_ALIGNED_COLOUR = "#8A8A8A"
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
GROUP_COLOURS = {FIRST: SIDE_COLOURS[0], NON_ALIGNED: NON_ALIGNED_COLOUR, SECOND: SIDE_COLOURS[1]}
#: How a mediator is marked (a purple plus): beside its node in the network, at the end of its line over time.
MEDIATOR_MARKER = ("P", MEDIATION_COLOUR)
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


#: The longest actor name a plot writes out; a longer one is shortened (`short_name`).
LONGEST_NAME = 22
#: The width of an average character of the plots' font, in ems (DejaVu Sans runs about 0.52), for
#: estimates where the text is not known yet.
CHAR_EM = 0.55


def day_axis(scenario) -> str:
    """The label of a time axis: ``day``, and the date of day 0 when the scenario gives one."""
    start = scenario.start
    return "day" if start is None else f"day (day 0 = {start.day} {start:%B %Y})"


def short_name(name: str, actor: str, longest: int = LONGEST_NAME) -> str:
    """``name`` as a plot writes it: as given when at most ``longest`` characters, else without what it says
    in brackets ("European Union (French presidency)" -> "European Union"), else the actor's id."""
    name = " ".join(str(name).split())
    if len(name) <= longest:
        return name
    bare = " ".join(re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", name).split()).strip(" ,;:-")
    return bare if bare and len(bare) <= longest else actor


@functools.lru_cache(maxsize=64)
def _display_names(pairs: tuple[tuple[str, str], ...], longest: int) -> dict[str, str]:
    shown = {actor: short_name(name, actor, longest) for actor, name in pairs}
    full = dict(pairs)
    taken: dict[str, list[str]] = {}
    for actor, text in shown.items():
        taken.setdefault(text, []).append(actor)
    for text, actors in taken.items():       # two names shortened alike: each shortened one shows its id
        if len(actors) > 1:
            for actor in actors:
                if shown[actor] != " ".join(str(full[actor]).split()):
                    shown[actor] = actor
    return shown


def display_names(data, longest: int = LONGEST_NAME) -> dict[str, str]:
    """Every actor's display name (`short_name`) in the run, ensemble or sweep ``data``: the name plots write
    in labels, legends, titles and axes, the same in every plot; distinct actors never share one."""
    return dict(_display_names(tuple((a, data.name(a)) for a in data.actor_ids), longest))


def display(data, actor: str) -> str:
    """``actor``'s display name in ``data`` (`display_names`; its id when it is not one of the actors)."""
    return _display_names(tuple((a, data.name(a)) for a in data.actor_ids), LONGEST_NAME).get(actor, actor)


@functools.lru_cache(maxsize=4096)
def _measured(line: str, fontsize: float, bold: bool) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(size=fontsize, weight="bold" if bold else "normal")
    return TextToPath().get_text_width_height_descent(line, prop, ismath=False)[0] / 72


def text_width(text: str, fontsize: float, bold: bool = False) -> float:
    """The width in inches of ``text`` (its longest line) at ``fontsize`` in the plots' font, measured."""
    return max((_measured(line, float(fontsize), bold) for line in str(text).split("\n")), default=0.0)


def wrap_to(text: str, width_in: float, fontsize: float, indent: str = "", first: str = "") -> str:
    """``text`` (its whitespace made single spaces) after ``first``, wrapped into lines at most ``width_in``
    inches wide at ``fontsize`` (measured), the lines after the first starting with ``indent``; a word wider
    than a line stands alone on its line."""
    lines: list[str] = []
    line = first.rstrip(" ") if first else ""
    for word in str(text).split():
        trial = f"{line} {word}" if line.strip() else f"{line}{word}"
        if first and not lines and line == first.rstrip(" "):
            trial = f"{first}{word}"
        if line.strip() and text_width(trial, fontsize) > width_in:
            lines.append(line)
            line = f"{indent}{word}"
        else:
            line = trial
    lines.append(line)
    return "\n".join(lines)


def fitting_columns(labels: Iterable[str], width_in: float, fontsize: float, most: int = 6,
                    handle_em: float = 4.0, spacing_em: float = 1.5) -> int:
    """The most columns (up to ``most``) a legend of ``labels`` at ``fontsize`` can have and still be at most
    ``width_in`` inches wide (at least one): its entries split among the columns as matplotlib splits them."""
    labels = list(labels)
    em = fontsize / 72
    for ncol in range(min(most, max(len(labels), 1)), 1, -1):
        columns = [list(column) for column in np.array_split(np.array(labels, dtype=object), ncol)]
        total = sum(max((text_width(t, fontsize) for t in column), default=0) + handle_em * em
                    for column in columns if column) + spacing_em * em * (ncol - 1)
        if total <= width_in:
            return ncol
    return 1


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


def role_colours(run: RunData, when: str = "end") -> dict[str, str]:
    """The colour of what each actor does (`sim.roles`) at the start or the end: the side it backs, or
    `NON_ALIGNED_COLOUR`."""
    return {a: GROUP_COLOURS[role.group] for a, role in run.roles(when).items()}


def role_titles(run: RunData, when: str = "end", counts: bool = True) -> list[tuple[str, str, bool]]:
    """The groups of what actors do, for legends: ``(colour, title, mediators)`` each, in the order
    ``backs Armenia (3)``, ``non-aligned (8)`` (mediators among them marked apart, ``mediators`` True),
    ``backs Azerbaijan (3)``; empty groups left out."""
    found = run.roles(when)
    names = (display(run, run.sides[0]), display(run, run.sides[1]))
    titles = []
    for group in GROUPS:
        for mediator in (False, True):
            members = [a for a, r in found.items() if r.group == group and r.mediator == mediator]
            if members:
                title = role_label(Role(group, mediator), names)
                titles.append((GROUP_COLOURS[group], f"{title} ({len(members)})" if counts else title, mediator))
    return titles


def coalition_shapes(run: RunData, when: str = "end") -> dict[str, str]:
    """The marker of each actor's landscape coalition (`SHAPES`: coalition 1 a disc, 2 a square, ...)."""
    member = run.coalition_of(when)
    return {a: SHAPES[member[a] % len(SHAPES)] for a in run.actor_ids}


def coalition_titles(run: RunData, when: str = "end", counts: bool = True) -> list[str]:
    """Each landscape coalition's short description (``coalition 1 (with Armenia) (11)``) for legends."""
    return [coalition_title(k, group, run.sides, functools.partial(display, run)) + (f" ({len(group)})" if counts else "")
            for k, group in enumerate(run.coalitions(when))]


def side_label(run: RunData, k: int) -> str:
    """``backs Armenia`` for k = 0 (alignment -1), ``backs Azerbaijan`` for k = 1 (alignment +1)."""
    return f"backs {display(run, run.sides[k])}"


def prominent(run: RunData, most: int) -> list[str]:
    """Every actor, in the scenario's order, or with more than ``most`` the two sides and the most capable
    (on day 0): the actors a crowded plot names (or, in the network, draws)."""
    if len(run.actor_ids) <= most:
        return list(run.actor_ids)
    capability = run.field("capability").iloc[0]
    ranked = sorted(run.mediators, key=lambda a: -float(capability[a]))      # stable: ties in scenario order
    chosen = {*run.sides, *ranked[:max(most - 2, 0)]}
    return [a for a in run.actor_ids if a in chosen]
