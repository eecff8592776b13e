"""The plot of a sensitivity study a teacher can show: which judgements decide an outcome (the indices of
`sim.experiments.sensitivity`, read from its ``indices.csv`` table)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.io.tables import METHOD_INDICES
from sim.viz.style import OKABE_ITO, figure_and_axes, style_axes

#: How the plot's title names an outcome ("which judgements decide whether the ceasefire lasts?").
OUTCOME_PHRASES = {"lasting": "whether the ceasefire lasts", "ceasefire_reached": "whether a ceasefire comes",
                   "first_ceasefire_day": "when the first ceasefire comes", "breakdowns": "how often ceasefires break",
                   "ceasefires": "how many ceasefires are signed", "days_in_force": "how long ceasefires hold"}


def study_subtitle(name: str, method: str, points: int, runs: int) -> str:
    """The line under the plot's title: the scenario, the method, the points and runs, what the bars are."""
    return (f"{name}: {method}, {points:,} points x {runs} run{'s' * (runs > 1)} (mean of the runs at each point); "
            "bars: 95 % bootstrap intervals")


def judgements_plot(table: pd.DataFrame, outcome: str, ax: Axes | None = None, *, title: str | None = None,
                    subtitle: str = "") -> Figure:
    """A horizontal bar chart for a class: per parameter (largest total effect on top), the first-order
    (S1) and total (ST) Sobol' indices, or Morris's mu* and sigma, with their 95 % intervals, titled
    "which judgements decide OUTCOME?" (`OUTCOME_PHRASES` words some). ``table`` is `indices`' table; returns the Figure."""
    rows = table[table["outcome"] == outcome]
    if rows.empty:
        raise ValueError(f"no indices for {outcome!r}")
    method = rows["method"].iloc[0]
    first, second = METHOD_INDICES[method]
    wide = rows.pivot(index="parameter", columns="index", values="value")
    order = wide[second if method == "sobol" else first].sort_values().index.tolist()
    fig, ax, _ = figure_and_axes(ax)
    height = 0.38
    labels = {"S1": "first-order S1 (this judgement alone)", "ST": "total ST (with its interactions)",
              "mu_star": "mu* (mean size of its effect)", "sigma": "sigma (interactions, non-linearity)"}
    for k, (index, colour) in enumerate(((second, OKABE_ITO["blue"]), (first, OKABE_ITO["orange"]))):
        part = rows[rows["index"] == index].set_index("parameter").loc[order]
        y = np.arange(len(order)) + (k - 0.5) * height
        low = (part["value"] - part["conf_low"]).clip(lower=0).fillna(0)
        high = (part["conf_high"] - part["value"]).clip(lower=0).fillna(0)
        ax.barh(y, part["value"], height=height, color=colour, label=labels[index],
                xerr=np.vstack([low, high]), error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1})
        for at, value, top in zip(y, part["value"], part["conf_high"].fillna(part["value"])):
            ax.annotate(f"{index} {value:.2f}", (max(value, top, 0.0), at), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=10, color="#333333")
    ax.set_yticks(np.arange(len(order)), order)
    ax.axvline(0, color="#777777", lw=0.8)
    style_axes(ax)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("share of the outcome's variance" if method == "sobol" else f"effect on {outcome}")
    if method == "sobol":
        ax.set_xlim(min(0.0, float(rows["conf_low"].min()) - 0.02), max(1.0, float(rows["conf_high"].max())) + 0.12)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="lower right", frameon=False)
    phrase = OUTCOME_PHRASES.get(outcome, outcome)
    ax.set_title(title or f"which judgements decide {phrase}?", loc="left", fontsize=16, pad=22)
    if subtitle:
        ax.text(0, 1.01, subtitle, transform=ax.transAxes, fontsize=10, color="#555555", va="bottom")
    return fig
