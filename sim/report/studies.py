"""A class-ready report of many runs, written from a directory's recorded files alone: ``report.md`` and
``report.html`` for an ensemble (how often each outcome came, with its 95 % interval), a sweep (the share
of runs with an outcome at each point of the levers) and a sensitivity study (which judgement decides each
outcome, with the noise left in the analysis).

Every sentence is generated from ``summary.json`` and the tables beside it (``runs.csv``, ``quantiles.csv``,
``experiments.csv``, ``design.csv``, ``indices.csv``) and the resolved scenario; the rendering, the number
formats and the self-contained HTML page are the run report's (`sim.report.pages`). The same directory
gives the same bytes. `page_files` takes a run's data too, so that one command reports any directory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.io.rundata import (
    ExperimentData,
    RunData,
    StudyData,
    is_experiment,
    is_study,
    load_experiment,
    load_run,
    load_study,
)
from sim.report import pages
from sim.report.pages import Block, count, join, paragraphs, plain, share
from sim.rules import REGISTRY
from sim.viz.experiment import OUTCOME_LABELS, split_coalitions
from sim.viz.files import drawn, experiment_plot_names, render
from sim.viz.sensitivity import OUTCOME_PHRASES, judgements_plot, study_subtitle

#: The outcome a sweep's report tells, unless another is asked for (a probability of ``summary.json``).
DEFAULT_OUTCOME = "ceasefire_reached"
#: What chance decides in each rule that draws random numbers (`sim.rules.base.Rule.metadata`).
CHANCE = {"noise": "the day-to-day shocks of the noise rule",
          "balance": "which unbalanced triad of ties the balance rule settles first",
          "mediation": "whether a ceasefire in force breaks down on a given day (a daily hazard)"}
#: The share of the variance of the point means that is noise above which a study's report warns.
NOISY = 0.1
#: Below this share of the largest, a judgement "barely matters" (Sobol': an ST below this share of the variance).
BARELY = 0.05
#: How many coalition splits and failed runs the report lists one by one.
MOST_LISTED = 5
#: The ensemble's plots, in order: file stem and caption.
ENSEMBLE_FIGURES = (
    ("alignment_fan", "Who backs whom over the runs: a panel per actor, its median alignment day by day and the "
                      "bands that hold the middle half (25 to 75 %) and 90 % (5 to 95 %) of the runs, coloured by "
                      "the side the median ends up backing."),
    ("ceasefire_day_distribution", "On which day the runs reached their first ceasefire (the median and the middle "
                                   "half marked), and how many never reached one."),
    ("broker_shares", "Who brokered the first ceasefire, as a share of the runs that reached one."),
    ("coalition_frequency", "How often each split into landscape coalitions came out at the end of a run."),
)
#: Each method's two indices, as `indices.csv` names them and in words: ``(first, its words, second, its words)``.
SOBOL_WORDS = ("S1", "first-order S1", "ST", "total ST")
MORRIS_WORDS = ("mu_star", "mu*", "sigma", "sigma")


# ------------------------------------------------------------------------------------- any directory

def load_directory(directory: str | Path) -> RunData | ExperimentData | StudyData:
    """The data of a run, an ensemble, a sweep or a sensitivity directory, told apart by its files."""
    if is_experiment(directory):
        return load_experiment(directory)
    if is_study(directory):
        return load_study(directory)
    return load_run(directory)


def directory_kind(data: RunData | ExperimentData | StudyData) -> str:
    """``run``, ``ensemble``, ``sweep`` or ``sensitivity``: the kind of directory ``data`` was read from."""
    return "run" if isinstance(data, RunData) else data.kind


def page_figures(data: RunData | ExperimentData | StudyData, outcome: str = DEFAULT_OUTCOME) -> list[tuple[str, str]]:
    """The plots the report of ``data`` shows, each with its caption (a sweep's showing ``outcome``)."""
    if isinstance(data, RunData):
        return pages.report_figures(data)
    if isinstance(data, StudyData):
        return [(f"which_judgements_{o}", f"Which judgements decide {_phrase(o)}: a bar per judgement, "
                 f"{_words(data)[1]} and {_words(data)[3]} with their 95 % intervals, the largest on top.")
                for o in data.outcomes]
    names = experiment_plot_names(data)
    figures = ENSEMBLE_FIGURES if not data.is_sweep else _sweep_figures(data, outcome)
    return [(stem, caption) for stem, caption in figures if stem in names]


def page_files(data: RunData | ExperimentData | StudyData, pngs: Mapping[str, bytes] | None = None,
               outcome: str = DEFAULT_OUTCOME, progress: Callable[[str], None] | None = None) -> dict[str, str | bytes]:
    """``report.md``, ``report.html`` and the PNGs they show (``plots/NAME.png``) of any directory's data,
    ready to write; ``pngs``: plots already rendered, by file name (the missing ones are drawn)."""
    if isinstance(data, RunData):
        return pages.report_files(data, pngs, progress=progress)
    if isinstance(data, StudyData):
        subtitle = study_subtitle(data.summary["scenario"]["name"], data.method, int(data.summary["points"]),
                                  int(data.summary["runs_per_point"]))
        draw = lambda stem: render(judgements_plot(data.indices, stem.removeprefix("which_judgements_"),  # noqa: E731
                                                   subtitle=subtitle))
        return pages.report_pages(study_document(data), page_figures(data), data.summary["scenario"]["title"],
                                  draw, pngs, progress=progress)
    blocks = sweep_document(data, outcome) if data.is_sweep else ensemble_document(data)
    return pages.report_pages(blocks, page_figures(data, outcome), data.scenario.title,
                              lambda stem: render(drawn(data, stem, outcome)), pngs, progress=progress)


# ------------------------------------------------------------------------------------- ensembles

def ensemble_document(data: ExperimentData) -> list[Block]:
    """The report of an ensemble as blocks (rendered by `pages.markdown` and `pages.to_html`)."""
    summary, scenario = data.summary, data.scenario
    blocks = [Block("h1", scenario.title),
              Block("note", f"An ensemble of scenario {scenario.name}: {count(int(summary['runs']), 'run')} of "
                            f"{scenario.steps} days, each from its own seed, derived from seed {data.seed}. "
                            "dipsim is a teaching model, not a forecast: its numbers are judgements made to "
                            "teach with."),
              *_unfinished(data), *paragraphs(scenario.description),
              Block("h2", "How often each outcome came"),
              Block("table", header=("outcome", "share of the runs", "95 % interval", "runs with it"),
                    items=tuple(_probability_row(summary, name) for name in summary["probabilities"])),
              Block("items", items=tuple(_ensemble_lines(data)))]
    blocks += _failures(data)
    blocks.append(Block("h2", "The plots"))
    blocks += [Block("figure", text=caption, items=(stem,)) for stem, caption in page_figures(data)]
    blocks.append(Block("h2", "How to read this"))
    blocks.append(Block("items", items=tuple(_ensemble_reading(data))))
    blocks.append(_written_by(data, "runs.csv, quantiles.csv and summary.json"))
    return blocks


def _probability_row(summary: dict, name: str) -> tuple[str, str, str, str]:
    """A probability of an ensemble's ``summary.json`` as a row: what, share, interval, runs with it."""
    found = summary["probabilities"][name]
    return (_outcome_label(name), _share(found["p"]), _interval(found["ci95"]), f"{found['runs']} of {summary['runs_ok']}")


def _ensemble_lines(data: ExperimentData) -> list[str]:
    """The first ceasefire's day, who brokered it, and the coalitions at the end, over the runs."""
    summary = data.summary
    reached = summary["probabilities"]["ceasefire_reached"]["runs"]
    day = summary["first_ceasefire_day"]
    if not reached:
        return [f"None of the {count(summary['runs_ok'], 'run')} reached a ceasefire."]
    lines = [f"Among the {count(reached, 'run')} that reached a ceasefire, the first came on day {day['median']:g} "
             f"at the median; half of them between day {day['q25']:g} and day {day['q75']:g}."]
    brokers = summary["brokers"]
    lines.append("Who brokered the first ceasefire (a share of the runs that reached one): "
                 + join([f"{data.name(a)} {share(v)}" for a, v in brokers.items()]) + "." if brokers
                 else "No one brokered the first ceasefire in any run.")
    splits = list(summary["coalitions"].items())
    for split, found in splits[:MOST_LISTED]:
        camps = [f"{title} {{{', '.join(data.name(a) for a in members)}}}"
                 for _, title, members in split_coalitions(data, split)]
        lines.append(f"In {share(found)} of the runs the landscape coalitions at the end were "
                     f"{' against '.join(camps)}.")
    if len(splits) > MOST_LISTED:
        rest = sum(v for _, v in splits[MOST_LISTED:])
        lines.append(f"{count(len(splits) - MOST_LISTED, 'other split')}: {share(rest)} of the runs together.")
    return lines


def _ensemble_reading(data: ExperimentData) -> list[str]:
    """How to read an ensemble: what differs between its runs, what an interval says and what it does not."""
    summary = data.summary
    lasting = summary["probabilities"]["lasting_ceasefire"]
    lines = [_chance(data, f"Each of the {count(summary['runs_ok'], 'run')} plays out the same scenario with the "
                           "same judgements, from its own seed")]
    if lasting["ci95"]:
        low, high = lasting["ci95"]
        lines.append(f"With {count(summary['runs_ok'], 'run')} a share is known only to within its 95 % interval "
                     f"(Wilson's): the share of lasting ceasefires, {_share(lasting['p'])}, lies between {share(low)} "
                     f"and {share(high)}, about {_points((high - low) / 2)} either way. Four times as many runs "
                     "halve the interval.")
    lines.append("The intervals measure the model's chance, not the judgements behind it: they say how often the "
                 "model gives an outcome with these numbers, not how likely it is in the world. Which judgements "
                 "the shares hang on is what a sweep (dipsim sweep) or a sensitivity study (dipsim sensitivity) "
                 "asks.")
    lines.append("Any run can be played again alone, with its day-by-day report: dipsim run scenario.toml --seed "
                 f"SEED --report in this folder (scenario.toml holds {data.scenario.name} as it was run), with the "
                 "run's seed from runs.csv.")
    lines.append(pages.COALITION_NOTE)
    return lines


# ------------------------------------------------------------------------------------- sweeps

def sweep_document(data: ExperimentData, outcome: str = DEFAULT_OUTCOME) -> list[Block]:
    """The report of a sweep as blocks: the levers, the share of runs with ``outcome`` at each point."""
    summary, scenario = data.summary, data.scenario
    shares = data.shares(outcome)
    label = _outcome_label(outcome)
    blocks = [Block("h1", scenario.title),
              Block("note", f"A sweep of scenario {scenario.name}: {count(len(shares), 'point')} x "
                            f"{count(int(summary['runs']), 'run')} of {scenario.steps} days from seed {data.seed}, the "
                            "same seeds at every point. dipsim is a teaching model, not a forecast: its numbers are "
                            "judgements made to teach with."),
              *_unfinished(data), *paragraphs(scenario.description),
              Block("h2", "What was varied"),
              Block("items", items=tuple(_lever_line(data, key) for key in data.varied)),
              Block("p", (f"Every combination of these values: {count(len(shares), 'point')}." if data.sample == "grid"
                          else f"A Latin hypercube sample of {count(len(shares), 'point')} over these ranges.")
                    + " Everything else is as the scenario sets it."),
              Block("h2", f"How often the runs {label}, point by point"),
              Block("table", header=("point", *data.varied, "share of the runs", "95 % interval", "runs with it"),
                    items=tuple(_point_row(data, row) for row in shares.itertuples(index=False))),
              Block("items", items=tuple(_extremes(data, shares, label)))]
    blocks += _failures(data)
    blocks.append(Block("h2", "The plots"))
    blocks += [Block("figure", text=caption, items=(stem,)) for stem, caption in page_figures(data, outcome)]
    blocks.append(Block("h2", "How to read this"))
    blocks.append(Block("items", items=tuple(_sweep_reading(data, shares))))
    blocks.append(_written_by(data, "experiments.csv and summary.json"))
    return blocks


def _lever_line(data: ExperimentData, key: str) -> str:
    values = list(dict.fromkeys(p["levers"].get(key) for p in data.points))
    if data.sample == "grid":
        return f"{key}: {join([_value(v) for v in values])}"
    numbers = [v for v in values if isinstance(v, (int, float))]
    return f"{key}: from {_value(min(numbers))} to {_value(max(numbers))}" if numbers else key


def _point_row(data: ExperimentData, row) -> tuple:
    levers = [_value(v) for v in row[1:1 + len(data.varied)]]
    ci = None if pd.isna(row.p) else (row.low, row.high)
    return (str(row.point), *levers, _share(None if pd.isna(row.p) else row.p), _interval(ci),
            f"{row.runs} of {row.runs_ok}")


def _extremes(data: ExperimentData, shares: pd.DataFrame, label: str) -> list[str]:
    """Which point gives the highest and which the lowest share, and whether the runs can tell them apart."""
    done = shares.dropna(subset=["p"])
    if done.empty:
        return ["No point has a finished run yet."]
    high, low = done["p"].max(), done["p"].min()
    if high == low:
        return [f"Every point gives the same share of runs that {label}: {share(high)}."]
    top, bottom = done[done["p"] == high], done[done["p"] == low]
    lines = [f"The highest share of runs that {label}, {share(high)}, {_where(data, top)}; the lowest, "
             f"{share(low)}, {_where(data, bottom)}."]
    if top["low"].min() <= bottom["high"].max():
        lines.append("Their 95 % intervals overlap: with these runs the difference may be luck; more runs a point "
                     "would tell.")
    else:
        lines.append("Their 95 % intervals do not overlap: the difference is the levers', not luck's.")
    return lines


def _where(data: ExperimentData, rows: pd.DataFrame) -> str:
    """``at rules.mediation.threshold = 0.5, actors.TUR.alignment = 0.9`` (``at 3 points`` for more than two)."""
    if len(rows) > 2:
        return f"at {count(len(rows), 'point')}"
    each = [", ".join(f"{k} = {_value(v)}" for k, v in zip(data.varied, r[1:1 + len(data.varied)], strict=True))
            + f" (95 % interval {_interval((r.low, r.high))})" for r in rows.itertuples(index=False)]
    return f"at {join(each, 'and at')}"


def _sweep_figures(data: ExperimentData, outcome: str) -> tuple[tuple[str, str], ...]:
    label, keys = _outcome_label(outcome), data.varied
    if data.sample == "latin":
        line = f"The share of runs that {label} at each point against each varied key, its 95 % interval as an error bar."
    else:
        line = (f"The share of runs that {label} against {keys[0]}, with its 95 % interval"
                + (f"; a line for each value of {join(list(keys[1:]))}." if len(keys) > 1 else "."))
    grid = f"The same share over the grid of {join(list(keys))}, as a heat map; each cell gives its share and interval."
    return (("sweep_outcome", line), ("sweep_heatmap", grid))


def _sweep_reading(data: ExperimentData, shares: pd.DataFrame) -> list[str]:
    runs = int(data.summary["runs"])
    widest = (shares["high"] - shares["low"]).max()
    lines = [_chance(data, f"Every point runs the scenario {_times(runs)}, from the same seeds as every other "
                           "(common random numbers), so a difference between points comes from the levers")]
    if pd.notna(widest):
        lines.append(f"With {count(runs, 'run')} a point a share is known only to within its 95 % interval "
                     f"(Wilson's), here at most {_points(widest / 2)} either way; four times as many runs halve it. "
                     "Two points whose intervals overlap may differ by luck alone.")
    lines.append("A sweep moves only the values it names; every other judgement stays as the scenario sets it, "
                 "and the shares are the model's with those numbers, not how likely anything is in the world.")
    return lines


# ------------------------------------------------------------------------------------- sensitivity studies

def study_document(data: StudyData) -> list[Block]:
    """The report of a sensitivity study as blocks: the judgements varied, then for each outcome the noise,
    the indices ranked, which judgement decides it most and which barely matters, and its plot."""
    summary = data.summary
    method = "Sobol' indices" if data.method == "sobol" else "Morris screening"
    blocks = [Block("h1", summary["scenario"]["title"]),
              Block("note", f"A sensitivity study of scenario {summary['scenario']['name']}: {method}, N = "
                            f"{summary['n']}, {count(int(summary['points']), 'point')} x "
                            f"{count(int(summary['runs_per_point']), 'run')} = {count(int(summary['runs']), 'run')}, "
                            f"from seed {summary['seed']}. dipsim is a teaching model, not a forecast: its numbers "
                            "are judgements made to teach with."),
              Block("h2", "The judgements varied"),
              Block("table", header=("judgement", "from", "to"),
                    items=tuple((k, _value(low), _value(high)) for k, (low, high) in data.varied.items())),
              Block("p", f"Each of the {summary['points']} design points sets every one of these values at once; "
                         "everything else is as the scenario sets it. Each point is run "
                         f"{_times(int(summary['runs_per_point']))}, with the same seeds at every point, and the "
                         f"analysis reads {'that run' if summary['runs_per_point'] == 1 else 'the mean of those runs'}"
                         ".")]
    first, first_words, second, second_words = _words(data)
    for outcome in data.outcomes:
        ranked = data.ranked(outcome)
        blocks.append(Block("h2", f"Which judgements decide {_phrase(outcome)}?"))
        blocks.append(Block("p", _noise_line(data, outcome)))
        blocks.append(Block("table", header=("judgement", first_words, "95 % interval", second_words, "95 % interval"),
                            items=tuple((k, *_index_cells(ranked, k, first), *_index_cells(ranked, k, second))
                                        for k in ranked.index)))
        blocks.append(Block("items", items=tuple(_verdict(data, outcome, ranked))))
        blocks.extend(_interaction_blocks(summary.get("interactions", {}).get(outcome, [])))
        blocks.append(Block("figure", text=dict(page_figures(data))[f"which_judgements_{outcome}"],
                            items=(f"which_judgements_{outcome}",)))
    blocks.append(Block("h2", "How to read this"))
    blocks.append(Block("items", items=tuple(_study_reading(data))))
    blocks.append(Block("note", f"Written by dipsim {__version__} from the study's recorded files (design.csv, "
                                "indices.csv and summary.json)."))
    return blocks


def _interaction_blocks(pairs: Sequence[dict]) -> list[Block]:
    """A study with ``--second-order``: each pair's interaction (S2), the strongest first (none without)."""
    if not pairs:
        return []
    ranked = sorted(pairs, key=lambda p: -p["S2"][0])
    return [Block("p", "Pairs of judgements: the share of the variance their interaction alone explains (second-"
                       "order S2), beyond what each does by itself. An interval that holds 0 is no evidence of an "
                       "interaction."),
            Block("table", header=("pair", "S2", "95 % interval"),
                  items=tuple((f"{p['first']} with {p['second']}", plain(p["S2"][0]),
                               f"{plain(p['S2'][1])} to {plain(p['S2'][2])}") for p in ranked))]


def _words(data: StudyData) -> tuple[str, str, str, str]:
    """The method's two indices: ``(first, its words, second, its words)``."""
    return SOBOL_WORDS if data.method == "sobol" else MORRIS_WORDS


def _phrase(outcome: str) -> str:
    """``whether the ceasefire lasts (lasting)``: an outcome in words, with its column name."""
    phrase = OUTCOME_PHRASES.get(outcome)
    return f"{phrase} ({outcome})" if phrase else outcome


def _index_cells(ranked: pd.DataFrame, key: str, index: str) -> tuple[str, str]:
    value, low, high = (float(ranked.loc[key, (index, part)]) for part in ("value", "conf_low", "conf_high"))
    return plain(value), "\u2014" if pd.isna(low) else f"{plain(low)} to {plain(high)}"


def _index_text(data: StudyData, ranked: pd.DataFrame, key: str) -> str:
    """``ST 0.88, 95 % interval 0.62 to 1.13``: a key's ranking index and its interval."""
    value, interval = _index_cells(ranked, key, data.ranking)
    name = "mu*" if data.ranking == "mu_star" else data.ranking
    return f"{name} {value}" + (f", 95 % interval {interval}" if interval != "\u2014" else "")


def _noise_line(data: StudyData, outcome: str) -> str:
    size = data.summary["noise"][outcome]
    runs = int(data.summary["runs_per_point"])
    return (f"Over the {data.summary['points']} points, the mean of {outcome} over a point's runs spreads by "
            f"{size['spread']:.3g} (its standard deviation); the noise left in each mean after averaging "
            f"{count(runs, 'run')} (its standard error, averaged over the points) is "
            f"{size['mean_standard_error']:.3g}, {size['noise_share_of_variance']:.1%} of the variance of the "
            "point means.")


def _verdict(data: StudyData, outcome: str, ranked: pd.DataFrame) -> list[str]:
    """Which judgement decides ``outcome`` most and which barely matters, with the caveats the data call for:
    intervals that overlap, a large share of noise, noise that one run a point cannot measure."""
    size = data.summary["noise"][outcome]
    if size["spread"] == 0:
        return [f"{outcome} came out the same at every point: none of the judgements varied decides it (every "
                "index is 0)."]
    keys = list(ranked.index)
    top = keys[0]
    phrase = OUTCOME_PHRASES.get(outcome, outcome)
    lines = [f"What decides {phrase} most is {top}: {_index_text(data, ranked, top)}."
             if len(keys) > 1 else f"The only judgement varied is {top}: {_index_text(data, ranked, top)}."]
    column = ranked[(data.ranking, "value")]
    if len(keys) > 1:
        runner, last = keys[1], keys[-1]
        overlap = ranked.loc[runner, (data.ranking, "conf_high")] >= ranked.loc[top, (data.ranking, "conf_low")]
        if overlap:
            lines.append(f"But its interval overlaps that of {runner} ({_index_text(data, ranked, runner)}): these "
                         "runs cannot tell which of the two matters more; a larger N narrows the intervals.")
        if not (overlap and last == runner):
            barely = column[last] < BARELY * (1.0 if data.method == "sobol" else column[top])
            lines.append(f"{'Barely matters' if barely else 'Matters least'}: {last}, "
                         f"{_index_text(data, ranked, last)}.")
    runs = int(data.summary["runs_per_point"])
    if runs == 1:
        lines.append("With one run a point the model's noise cannot be measured (it shows as 0): part of each index "
                     "may be luck.")
    elif size["noise_share_of_variance"] >= NOISY:
        why = " (which is why the totals may add up to more than 1)" if data.method == "sobol" else ""
        lines.append(f"The noise is {size['noise_share_of_variance']:.1%} of the variance of the point means: part "
                     f"of every index measures luck{why}; more runs a point shrink it.")
    return lines


def _study_reading(data: StudyData) -> list[str]:
    if data.method == "sobol":
        lines = ["S1, first-order: the share of the outcome's variance over the points that a judgement explains "
                 "alone. ST, total: its share with all its interactions with the others. An ST near 0 means the "
                 "outcome does not hang on that judgement within its range; an ST well above S1 means it acts "
                 "through the others.",
                 "The intervals are SALib's 95 % bootstrap intervals. A value a little below 0 or above 1 is "
                 "estimation error; a larger N narrows the intervals (as 1 over the square root of N)."]
    else:
        lines = ["mu*: the mean size of the outcome's change when a judgement alone takes a step across its "
                 "range (Morris's elementary effects): a screening that ranks the judgements, in the outcome's "
                 "units, without sharing out its variance. sigma: how much that change differs from point to "
                 "point, from interactions or a curved response; a sigma above mu* means the judgement acts "
                 "mostly through the others.",
                 "The intervals of mu* are SALib's 95 % bootstrap intervals; sigma has none."]
    lines.append("The noise: the model draws random numbers, so each point's outcome is the mean of its runs, and "
                 "the standard error of that mean is luck left in what is analysed. When it is a large share of "
                 "the variance, part of every index measures luck: run more runs a point (--runs).")
    lines.append("The ranges are judgements too: a judgement varied over a wider range can only matter more, and "
                 "one not varied is not weighed at all. The indices say what the model's outcomes hang on, not "
                 "what the world's do.")
    return lines


# ------------------------------------------------------------------------------------- shared

def _unfinished(data: ExperimentData) -> list[Block]:
    """A paragraph that says an interrupted ensemble or sweep is incomplete (none when it is complete)."""
    if data.complete:
        return []
    summary = data.summary
    return [Block("p", f"Incomplete: this {data.kind} was interrupted after {summary['runs_done']} of "
                       f"{summary['runs_requested']} runs, and every number here is of those runs only. The same "
                       "command with --resume completes it.")]


def _failures(data: ExperimentData) -> list[Block]:
    failures = data.summary["failures"]
    if not failures:
        return []
    listed = [f"run {f['run']}" + (f" of point {f['point']}" if data.is_sweep else "") + f" (seed {f['seed']}): "
              f"{f['error']}" for f in failures[:MOST_LISTED]]
    more = f" and {count(len(failures) - MOST_LISTED, 'other')}" if len(failures) > MOST_LISTED else ""
    return [Block("p", f"{count(len(failures), 'run')} failed and {'is' if len(failures) == 1 else 'are'} left "
                       f"out of every share: {'; '.join(listed)}{more}.")]


def _chance(data: ExperimentData, start: str) -> str:
    """``start``, then what chance decides in the scenario (its rules that draw random numbers)."""
    found = [CHANCE.get(r.rule, f"the {r.rule} rule") for r in data.scenario.rules
             if REGISTRY[r.rule].metadata["stochastic"] and not (r.rule == "noise" and not r.params.get("sigma", 1))]
    if not found:
        return f"{start}; nothing in this scenario draws random numbers, so the runs do not differ."
    return f"{start}; what differs between the runs is chance alone: {join(list(dict.fromkeys(found)))}."


def _written_by(data: ExperimentData, files: str) -> Block:
    digest = data.summary.get("manifest", {}).get("scenario_sha256", "")[:12]
    return Block("note", f"Written by dipsim {__version__} from the {data.kind}'s recorded files ({files}; scenario "
                         f"digest {digest}).")


def _outcome_label(name: str) -> str:
    return OUTCOME_LABELS.get(name, name.replace("_", " "))


def _share(p: float | None) -> str:
    return "\u2014" if p is None else share(p)


def _interval(ci: Sequence[float] | None) -> str:
    return "\u2014" if ci is None else f"{share(ci[0])} to {share(ci[1])}"


def _times(n: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _points(half: float) -> str:
    """A half-width of an interval of shares in percentage points: ``±11 percentage points``."""
    return f"\u00b1{half * 100:.0f} percentage points"


def _value(v) -> str:
    """A lever's value as given: ``0.5``, ``30``, ``-1`` (a true minus sign)."""
    return f"{v:g}".replace("-", pages.MINUS) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
