"""The command line: parse, call the library, print. Heavy imports happen inside the commands."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import click

from sim import __version__

OVERRIDE_HELP = "Override a scenario value, e.g. actors.TUR.alignment=0.2 or rules.mediation.threshold=0.6."


#: The outcomes a sweep's plots can show: the probabilities an ensemble's or a sweep point's summary records.
SWEEP_OUTCOMES = click.Choice(["ceasefire_reached", "ceasefire_within_30_days", "lasting_ceasefire", "breakdown"])
REPORT_HELP = "Also write report.html and report.md (a page for a class) into the directory."
#: The strongest interactions `dipsim sensitivity --second-order` prints for each outcome (all are in interactions.csv).
INTERACTIONS_SHOWN = 3
#: Where no progress bar shows (a job's log), a line of progress at most this often, in seconds.
LOG_EVERY = 60.0
STRICT_HELP = "Treat what is legal but likely a mistake (an event past the last day, ...) as an error."


def _warn(spec, strict: bool) -> None:
    """Print each likely mistake of ``spec`` as a warning on stderr; with ``strict`` the first is an error."""
    from sim.scenario import ScenarioError
    from sim.scenario.mistakes import likely_mistakes

    for mistake in likely_mistakes(spec):
        if strict:
            raise ScenarioError(spec.origin, mistake.path, f"{mistake.message} (--strict)")
        click.echo(f"dipsim: warning: {spec.origin}: {mistake.path}: {mistake.message}", err=True)


def user_errors(command):
    """Turn a user's mistake into one line on stderr and exit status 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from sim.io.files import OutputError
        from sim.scenario import ScenarioError

        try:
            return command(*args, **kwargs)
        except (ScenarioError, OutputError) as err:
            click.echo(f"dipsim: {err}", err=True)
            sys.exit(2)
        except BrokenPipeError:  # output piped into `head`: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as err:  # a folder that cannot be written, a disk that is full
            click.echo(f"dipsim: {err.filename or ''}: {err.strerror or err}", err=True)
            sys.exit(2)

    return wrapper


def experiment_options(kind: str, default_out: str, plots: str):
    """The options `ensemble` and `sweep` share (``kind`` names the command in their help)."""
    options = [
        click.option("--seed", type=click.IntRange(min=0),
                     help="The seed the runs' seeds derive from (default: the scenario's)."),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP),
        click.option("--out", type=click.Path(path_type=Path), help=f"Directory (default: {default_out})."),
        click.option("--force", is_flag=True, help="Replace the directory if it exists."),
        click.option("--resume", is_flag=True, help=f"Complete an interrupted {kind} in its directory."),
        click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
                     help="Format of the plots written into the directory's plots/."),
        click.option("--plots/--no-plots", "with_plots", default=True, show_default=True,
                     help=f"Write the plots ({plots}) into plots/."),
        click.option("--report", "with_report", is_flag=True, help=REPORT_HELP),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return placement_options(command)

    return apply


def placement_options(command):
    """``--workers``, ``--scheduler`` and ``--dask-local``, given to ``command`` as one ``where`` (a
    `sim.experiments.cluster.Placement`)."""

    @click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: the machine's cores).")
    @click.option("--scheduler", metavar="tcp://HOST:PORT",
                  help="Run on the Dask cluster whose scheduler is there (dipsim installed on every worker).")
    @click.option("--dask-local", "dask_local", type=click.IntRange(min=1), metavar="N",
                  help="Run on a Dask cluster of N workers started on this machine (to try a study before a "
                       "real cluster).")
    @functools.wraps(command)
    def wrapper(*args, workers: int | None, scheduler: str | None, dask_local: int | None, **kwargs):
        from sim.experiments.cluster import Placement

        return command(*args, where=Placement(workers, scheduler, dask_local), **kwargs)

    return wrapper


def _overrides(overrides: tuple[str, ...], steps: int | None, seed: int | None) -> list[str]:
    extra = [f"scenario.steps={steps}"] if steps is not None else []
    extra += [f"scenario.seed={seed}"] if seed is not None else []
    return [*overrides, *extra]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dipsim")
def main() -> None:
    """dipsim: play out a diplomatic crisis (a teaching model, not a forecast).

    Scenarios are TOML files, or the names of bundled ones (see `dipsim list`).
    """


@main.command()
@click.argument("scenario")
@click.option("--steps", type=click.IntRange(min=1), help="Days to simulate (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: the scenario's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@click.option("--out", type=click.Path(path_type=Path), help="Run directory (default: runs/NAME-seedSEED).")
@click.option("--force", is_flag=True, help="Replace the run directory if it exists.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Format of the plots written into the run's plots/.")
@click.option("--plots/--no-plots", "with_plots", default=True, show_default=True,
              help="Write the plots into the run's plots/.")
@click.option("--report", "with_report", is_flag=True, help="Also write report.html and report.md.")
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@user_errors
def run(scenario: str, steps: int | None, seed: int | None, overrides: tuple[str, ...], out: Path | None,
        force: bool, fmt: str, with_plots: bool, with_report: bool, strict: bool) -> None:
    """Run SCENARIO once and write its results, and its plots, to a run directory."""
    from sim.io.files import check_target, write_directory
    from sim.io.runfiles import default_dir, run_files
    from sim.model import CrisisModel
    from sim.report.explain import summary_lines
    from sim.roles import channel_holders
    from sim.scenario import load

    spec = load(scenario, _overrides(overrides, steps, seed))
    _warn(spec, strict)
    directory = out or default_dir(spec, spec.seed)
    check_target(directory, "run", force=force)
    model = CrisisModel(spec, rng=spec.seed)
    model.run_for(spec.steps)
    files = run_files(model.simulation, spec.seed)
    if with_plots or with_report:
        files.update(_pictures(files, fmt if with_plots else None, with_report))
    write_directory(directory, files, "run", force=force)
    click.echo(f"{spec.name}: {spec.steps} days, seed {spec.seed} -> {directory}")
    for line in summary_lines(json.loads(files["summary.json"]), channel_holders(spec.ties)):
        click.echo(f"  {line}")


def _pictures(files: dict, fmt: str | None, with_report: bool) -> dict[str, str | bytes]:
    """The plots (``plots/NAME.FMT``) and, if asked, the report of a run whose files are ``files``."""
    from sim.io.rundata import RunData
    from sim.report.pages import report_figures, report_files
    from sim.viz import plot_files, plot_names

    data = RunData.from_files(files)
    total = (len(plot_names(data)) if fmt else 0) + (len(report_figures(data)) if with_report and fmt != "png" else 0)
    out: dict[str, str | bytes] = {}
    with _progress(total, "plots") as tick:
        if fmt:
            out.update(plot_files(data, fmt, progress=tick))
        if with_report:
            out.update(report_files(data, pngs=out, progress=tick))
    return out


@contextlib.contextmanager
def _progress(total: int, unit: str):
    """A progress bar on stderr for work that takes a while: shown only on a terminal, and only after a
    second (quick work prints nothing). Use as ``with _progress(n, "plots") as tick: ... tick(name)``."""
    from tqdm import tqdm

    with tqdm(total=total, unit=unit, disable=None, delay=1.0, leave=False, file=sys.stderr) as shown:
        yield lambda name: (shown.set_description(name), shown.update(1))


@main.command()
@click.argument("scenario")
@click.option("--runs", type=click.IntRange(min=1), required=True, help="How many runs.")
@experiment_options("ensemble", "runs/NAME-ensemble-seedSEED-runsN",
                    "fan charts of alignment, ceasefire days, brokers, coalitions")
@user_errors
def ensemble(scenario: str, runs: int, seed: int | None, where, overrides: tuple[str, ...],
             out: Path | None, force: bool, resume: bool, fmt: str, with_plots: bool, with_report: bool) -> None:
    """Run SCENARIO many times with seeds derived from one; write outcomes, quantiles, probabilities and plots."""
    from sim.experiments import Experiment

    experiment = Experiment.ensemble(scenario, runs, _overrides(overrides, None, seed))
    name = experiment.scenario().name
    directory = out or Path("runs") / f"{name}-ensemble-seed{experiment.seed}-runs{runs}"
    summary = _conduct(experiment, directory, where, force, resume, fmt if with_plots else None,
                       with_report=with_report)
    click.echo(f"{name}: {runs} runs from seed {experiment.seed} -> {directory}")
    for line in _statistics_lines(summary):
        click.echo(f"  {line}")


@main.command()
@click.argument("scenario")
@click.option("--vary", "levers", multiple=True, required=True, metavar="KEY=A:B:N|KEY=V1,V2,...",
              help="A value to vary: N values from A to B, or a list (repeat for more).")
@click.option("--runs", type=click.IntRange(min=1), required=True, help="Runs at every point.")
@click.option("--sample", type=click.Choice(["grid", "latin"]), default="grid", show_default=True,
              help="Every combination, or a Latin hypercube sample over the ranges.")
@click.option("--points", type=click.IntRange(min=1), help="Points to draw with --sample latin.")
@click.option("--outcome", type=SWEEP_OUTCOMES, default="ceasefire_reached", show_default=True,
              help="The outcome the plots show: the share of runs with it at each point.")
@experiment_options("sweep", "runs/NAME-sweep-seedSEED", "the outcome against each value, a heat map for two")
@user_errors
def sweep(scenario: str, levers: tuple[str, ...], runs: int, sample: str, points: int | None, outcome: str,
          seed: int | None, where, overrides: tuple[str, ...], out: Path | None, force: bool,
          resume: bool, fmt: str, with_plots: bool, with_report: bool) -> None:
    """Run SCENARIO at every point of a grid (or sample) of values, RUNS seeded runs at each."""
    from sim.experiments import Experiment

    experiment = Experiment.sweep(scenario, levers, runs, _overrides(overrides, None, seed), sample=sample,
                                  points=points)
    name = experiment.scenario().name
    directory = out or Path("runs") / f"{name}-sweep-seed{experiment.seed}"
    summary = _conduct(experiment, directory, where, force, resume, fmt if with_plots else None, outcome,
                       with_report)
    click.echo(f"{name}: {len(experiment.points)} points x {runs} runs from seed {experiment.seed} -> {directory}")
    for point in summary["points"]:
        values = ", ".join(f"{k}={v}" for k, v in point["levers"].items())
        click.echo(f"  {values}: {_statistics_lines(point)[0]}")


@main.command()
@click.argument("scenario")
@click.option("--vary", "levers", multiple=True, required=True, metavar="KEY=LO:HI",
              help="A value to vary over a range (repeat for more); KEY[i] for the i-th number of a list.")
@click.option("--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True,
              help="Sobol' indices (S1, ST) or Morris screening (mu*, sigma).")
@click.option("--outcome", "outcomes", multiple=True, required=True, metavar="NAME",
              help="A run outcome to analyse, a column of runs.csv (repeat for more).")
@click.option("--n", "n", type=click.IntRange(min=2), default=64, show_default=True,
              help="Sobol': base sample N, a power of two (N x (keys + 2) points); Morris: trajectories.")
@click.option("--second-order", is_flag=True,
              help="Sobol': the interaction of each pair of keys too (N x (2 x keys + 2) points, interactions.csv).")
@click.option("--runs", type=click.IntRange(min=1), required=True, help="Runs at every point (averaged).")
@click.option("--seed", type=click.IntRange(min=0),
              help="The seed the design and the runs' seeds derive from (default: the scenario's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@click.option("--out", type=click.Path(path_type=Path), help="Directory (default: runs/NAME-sensitivity-METHOD-seedSEED).")
@click.option("--force", is_flag=True, help="Replace the directory if it exists.")
@click.option("--resume", is_flag=True, help="Complete an interrupted study in its directory.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Format of the plots written into the directory's plots/.")
@click.option("--report", "with_report", is_flag=True, help=REPORT_HELP)
@placement_options
@user_errors
def sensitivity(scenario: str, levers: tuple[str, ...], method: str, outcomes: tuple[str, ...], n: int,
                second_order: bool, runs: int, seed: int | None, where, overrides: tuple[str, ...], out: Path | None, force: bool,
                resume: bool, fmt: str, with_report: bool) -> None:
    """Which judgements decide an outcome? Vary values of SCENARIO over ranges (a Sobol' or Morris design),
    run each point RUNS times, and write the sensitivity indices, a table and a plot per outcome."""
    from sim.experiments.sensitivity import Study, conduct_study

    study = Study.build(scenario, levers, method, n, runs, outcomes, _overrides(overrides, None, seed),
                        second_order=second_order)
    name, seed = study.scenario.name, study.experiment.seed
    directory = out or Path("runs") / f"{name}-sensitivity-{method}-seed{seed}"

    def pictures(done, indices):
        from sim.viz import study_plot_files
        from sim.viz.sensitivity import study_subtitle

        return study_plot_files(indices, done.outcomes, study_subtitle(name, method, len(done.points), runs), fmt)

    with where.opened() as (executor, workers):
        summary = _interruptible(runs * len(study.points), directory, lambda on_chunk, stop: conduct_study(
            study, directory, workers=workers, executor=executor, force=force, resume=resume, pictures=pictures,
            on_chunk=on_chunk, stop=stop, report=_study_report if with_report else None))
    if runs < 3:
        click.echo(f"dipsim: warning: with {runs} run{'s' * (runs > 1)} a point the model's noise "
                   f"{'cannot be measured' if runs == 1 else 'is understated (two runs often agree)'}: "
                   "the indices may partly measure luck; use --runs 3 or more", err=True)
    click.echo(f"{name}: {method}, {len(study.points)} points x {runs} run{'s' * (runs > 1)} from seed {seed} -> "
               f"{directory}")
    width = max(len(k) for k in study.problem.names)
    for outcome in study.outcomes:
        size = summary["noise"][outcome]
        click.echo(f"  {outcome}: spread over the points {size['spread']:.3g}; noise (mean standard error of a "
                   f"point's mean) {size['mean_standard_error']:.3g}, {size['noise_share_of_variance']:.1%} of "
                   "the variance")
        found = summary["indices"][outcome]
        first, second = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
        for key in sorted(found, key=lambda k: -found[k][first if method == "morris" else second][0]):
            parts = []
            for index in (first, second):
                value, low, high = found[key][index]
                parts.append(f"{index} {value:6.2f}" + ("" if low is None else
                                                          f" ({low:.2f} to {high:.2f})"))
            click.echo(f"    {key:<{width}}  " + "  ".join(parts))
        pairs = sorted(summary.get("interactions", {}).get(outcome, []), key=lambda p: -p["S2"][0])
        for pair in pairs[:INTERACTIONS_SHOWN]:
            value, low, high = pair["S2"]
            click.echo(f"    {pair['first']} x {pair['second']}  S2 {value:6.2f} ({low:.2f} to {high:.2f})")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--outcome", required=True, metavar="NAME",
              help="The outcome whose cases to explain: a number of experiments.csv (a sweep) or design.csv (a study).")
@click.option("--threshold", type=float, metavar="X",
              help="The cases: OUTCOME >= X (a sweep's 0/1 outcome: OUTCOME == 1 without it; a study needs it).")
@click.option("--min-density", type=click.FloatRange(0, 1, min_open=True), default=0.8, show_default=True,
              help="The box chosen: the most coverage among the boxes at least this dense.")
@click.option("--box", "step", type=click.IntRange(min=0), help="Choose this step of the peeling trajectory instead.")
@click.option("--out", type=click.Path(path_type=Path), help="Directory (default: DIRECTORY/discovery-OUTCOME).")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Format of the plots.")
@user_errors
def discover(directory: Path, outcome: str, threshold: float | None, min_density: float, step: int | None,
             out: Path | None, fmt: str) -> None:
    """Which ranges of the varied values give an outcome? Scenario discovery (PRIM, with the EMA workbench)
    on a finished sweep or sensitivity DIRECTORY: the box of values where the cases (runs or points with
    OUTCOME) are dense, its coverage and density, the peeling trajectory and two plots. Writes into
    DIRECTORY/discovery-OUTCOME (replacing only its own) or --out; needs pip install 'dipsim[discovery]'."""
    from sim.experiments.discovery import box_lines, discovery_files, read_cases
    from sim.experiments.discovery import discover as find
    from sim.io.files import OutputError, check_target, kind_of, write_directory
    from sim.viz import discovery_plot_files

    cases = read_cases(directory, outcome, threshold)
    if out is None and kind_of(directory) not in ("sweep", "sensitivity"):
        raise OutputError(f"{directory}: not a directory dipsim wrote (no .dipsim manifest); write the discovery "
                          "elsewhere with --out")
    target = out or directory / f"discovery-{outcome}"
    check_target(target, "discovery", force=True)
    found = find(cases, min_density, step)
    write_directory(target, {**discovery_files(found), **discovery_plot_files(found, fmt)}, "discovery", force=True)
    click.echo(f"{cases.source}: {len(cases.y)} {cases.unit}, {int(cases.y.sum())} with {cases.condition} -> {target}")
    for line in box_lines(cases, found, min_density, asked=step is not None):
        click.echo(f"  {line}")


def _experiment_pictures(directory: Path, fmt: str | None, outcome: str = "ceasefire_reached",
                         with_report: bool = False):
    """A function that draws the plots of a finished ensemble or sweep from its files (a sweep's showing the
    share of runs with ``outcome``; none without ``fmt``) and, ``with_report``, writes its report into
    ``directory`` (before `conduct` writes the summary that marks the directory complete)."""

    def draw(files: dict[str, str]) -> dict[str, bytes]:
        from sim.io.files import write_files
        from sim.io.rundata import ExperimentData
        from sim.report.studies import page_figures, page_files
        from sim.viz import experiment_plot_files, experiment_plot_names

        data = ExperimentData.from_files(files)
        total = (len(experiment_plot_names(data)) if fmt else 0) + (
            len(page_figures(data, outcome)) if with_report and fmt != "png" else 0)
        with _progress(total, "plots") as tick:
            plots = experiment_plot_files(data, fmt, folder="", progress=tick, outcome=outcome) if fmt else {}
            if with_report:
                write_files(directory, page_files(data, {f"plots/{name}": png for name, png in plots.items()},
                                                  outcome, progress=tick))
        return plots

    return draw


def _study_report(files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """The report of a finished sensitivity study from its files (see `sim.report.studies`)."""
    from sim.io.rundata import StudyData
    from sim.report.studies import page_files

    return page_files(StudyData.from_files(files), files)


def _conduct(experiment, directory: Path, where, force: bool, resume: bool, fmt: str | None,
             outcome: str = "ceasefire_reached", with_report: bool = False) -> dict:
    """Run an experiment where ``where`` (a `Placement`) says, with a progress bar and its plots (and
    report) made at the end (see `_interruptible`)."""
    from sim.experiments import conduct

    with where.opened() as (executor, workers):
        return _interruptible(experiment.runs * len(experiment.points), directory, lambda on_chunk, stop: conduct(
            experiment, directory, workers=workers, executor=executor, force=force, resume=resume,
            on_chunk=on_chunk, stop=stop,
            pictures=_experiment_pictures(directory, fmt, outcome, with_report) if fmt or with_report else None))


def _interruptible(total: int, directory: Path, work: Callable[[Callable, Callable], dict]) -> dict:
    """``work(on_chunk, stop)``: many runs with a progress bar (shown only when they take a while, on a
    terminal), ``total`` in all.

    Ctrl-C (SIGINT) and `kill` (SIGTERM) only ask it to stop: it stops within a chunk's time, writes
    what it has in ``directory``, marked incomplete, and exits with status 130.
    """
    from tqdm import tqdm

    from sim.experiments import Interrupted

    asked = threading.Event()
    previous = {s: signal.signal(s, lambda signum, frame: asked.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with tqdm(total=total, unit="run", disable=None, delay=1.0, leave=False, file=sys.stderr) as bar:
            logged = _progress_lines(total, bar.disable)
            try:
                return work(lambda chunk: (bar.update(len(chunk.seeds)), logged(len(chunk.seeds))), asked.is_set)
            except Interrupted as stop:
                bar.close()
                click.echo(f"dipsim: interrupted after {stop.runs_done} of {total} runs; {directory} holds them, "
                           "marked incomplete; finish with --resume", err=True)
                sys.exit(130)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _progress_lines(total: int, wanted: bool) -> Callable[[int], None]:
    """Where no progress bar shows (a job's log, not a terminal), and ``wanted``: a line on stderr at most
    every `LOG_EVERY` seconds, ``dipsim: 34,560 of 110,592 runs (31%), 1 min 2 s so far, about 2 min 15 s
    left``. Returns what to call with the number of runs each finished chunk holds."""
    start = last = time.monotonic()
    done = 0

    def advance(runs: int) -> None:
        nonlocal done, last
        done += runs
        now = time.monotonic()
        if wanted and now - last >= LOG_EVERY and done < total:
            last = now
            click.echo(f"dipsim: {done:,} of {total:,} runs ({done / total:.0%}), {_duration(now - start)} so far, "
                       f"about {_duration((now - start) / done * (total - done))} left", err=True)

    return advance


def _duration(seconds: float) -> str:
    """``2 min 15 s``, ``45 s``, ``1 h 3 min``."""
    whole = round(seconds)
    hours, minutes, secs = whole // 3600, whole // 60 % 60, whole % 60
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _statistics_lines(stats: dict) -> list[str]:
    """Readable lines from an ensemble's (or a sweep point's) statistics."""
    p = stats["probabilities"]

    def share(name: str) -> str:
        found = p[name]
        if found["p"] is None:
            return "n/a"
        low, high = found["ci95"]
        return f"{found['p']:.0%} (95% CI {low:.0%}-{high:.0%})"

    lines = [f"ceasefire: {share('ceasefire_reached')}; lasting: {share('lasting_ceasefire')}; "
             f"breakdown: {share('breakdown')}"]
    if stats["brokers"]:
        lines.append("first brokers: " + ", ".join(f"{k} {v:.0%}" for k, v in stats["brokers"].items()))
    if stats["runs_failed"]:
        lines.append(f"failed runs: {stats['runs_failed']} (see summary.json)")
    return lines


@main.command()
@click.argument("file")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@user_errors
def validate(file: str, overrides: tuple[str, ...], strict: bool) -> None:
    """Check a scenario FILE (or bundled name) and say what it holds, and what in it is likely a mistake."""
    from sim.scenario import load

    spec = load(file, overrides)
    _warn(spec, strict)
    click.echo(f"ok: {spec.name}: {len(spec.actors)} actors, {len(spec.ties)} ties, "
               f"{len(spec.rules)} rules, {len(spec.events)} events, {spec.steps} days")


@main.command()
@click.argument("scenario", default="baseline")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: 0.0.0.0 lets the room's network join (this machine only by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--db", type=click.Path(path_type=Path), default=Path("dipsim-classroom.sqlite"), show_default=True,
              help="The classroom file that keeps games, players, moves and memos (created if missing).")
@click.option("--explore/--no-explore", default=True, show_default=True,
              help="Serve the explore page (Mesa's SolaraViz) under /explore.")
@user_errors
def serve(scenario: str, host: str, port: int, db: Path, explore: bool) -> None:
    """Serve the classroom: the class game and the explore page, in a browser, from SCENARIO (default:
    baseline; the teacher can start games from any bundled scenario too).

    Prints the address students join at (with its QR code) and the teacher's address with its key. Stop
    with Ctrl-C: every move sent is already in the classroom file, and a restart resumes every game.
    """
    try:
        import uvicorn

        from sim.classroom.classroom import Classroom
        from sim.classroom.store import Store, StoreError
        from sim.web import launch
        from sim.web.server import make_app
    except ImportError as err:
        click.echo(f"dipsim: serve needs the classroom extra ({err.name} is missing): "
                   "pip install 'dipsim[classroom]'", err=True)
        sys.exit(2)
    from sim.io.files import OutputError
    from sim.scenario import load

    spec = load(scenario)
    try:
        classroom = Classroom(Store(db))
    except StoreError as err:
        raise OutputError(str(err)) from None
    launch.warm_up(spec)
    if explore:
        os.environ["DIPSIM_EXPLORE_SCENARIO"] = scenario
    room = launch.room_address(host, port)
    pool = launch.plot_pool()
    app = make_app(classroom, spec, explore=explore, address=room, pool=pool)
    click.echo(launch.terminal_qr(f"{room}/join"))
    click.echo(f"Students join at   {room}/join")
    click.echo(f"Teacher            {room}/teacher/{classroom.teacher_key}")
    if explore:
        click.echo(f"Explore            {room}/explore/")
    click.echo(f"Games are kept in  {db}")
    try:
        # a page waiting for a change holds its request open (a long poll): stopping does not wait for it
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


@main.command(name="list")
def list_() -> None:
    """List the bundled scenarios, grouped: the article, history, what-ifs, classics."""
    from sim.scenario import bundled, library_group

    groups: dict[str, list[tuple[str, str]]] = {}
    for name, title, _ in bundled():
        groups.setdefault(library_group(name), []).append((name, title))
    for group, entries in groups.items():
        click.echo(f"{group}:")
        for name, title in entries:
            click.echo(f"  {name:<28} {title}")


@main.command()
@click.argument("name")
@click.option("--from", "source", default="baseline", show_default=True,
              help="The scenario the what-if extends (a bundled name or a path).")
@click.option("--out", type=click.Path(path_type=Path), help="File to write (default: NAME.toml here).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--blank", is_flag=True, help="A blank scenario (not a what-if): give --sides and --actors.")
@click.option("--sides", help="With --blank: the two sides, as actor ids A,B.")
@click.option("--actors", "actor_ids", help="With --blank: every actor, as ids A,B,C,... (the sides are added).")
@user_errors
def new(name: str, source: str, out: Path | None, force: bool, blank: bool, sides: str | None,
        actor_ids: str | None) -> None:
    """Write NAME.toml, a commented what-if that extends a scenario, ready to edit; with --blank, a commented
    skeleton of a new scenario with every required key."""
    from sim.io.files import OutputError, sign, unedited, write_file
    from sim.scenario import ScenarioError, load, resolve
    from sim.scenario.whatif import what_if_template

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise ScenarioError("dipsim new", "NAME", f"expected letters, digits, '-', '_' or '.', got {name!r}")
    if not blank and (sides or actor_ids):
        raise ScenarioError("dipsim new", "--sides" if sides else "--actors", "only with --blank")
    if blank and not sides:
        raise ScenarioError("dipsim new", "--sides", "--blank needs the two sides: --sides A,B")
    target = out or Path(f"{name}.toml")
    if target.exists() or target.is_symlink():
        if not force:
            raise OutputError(f"{target}: already exists; use --force to replace it")
        if target.is_symlink() or not target.is_file() or target.stat().st_size > 1 << 20 \
                or not unedited(target.read_text(encoding="utf-8", errors="replace"), "dipsim new"):
            raise OutputError(f"{target}: not a file dipsim new wrote, or edited since; --force replaces only an "
                              "unedited what-if, choose another --out")
    if blank:
        from sim.draft.blank import blank_toml
        from sim.draft.saving import parse_ids

        text = blank_toml(name, parse_ids(sides, "--sides", "dipsim new"),
                          parse_ids(actor_ids, "--actors", "dipsim new") if actor_ids else [], load("baseline").rules)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, sign(text, "dipsim new"))
        click.echo(f"wrote {target}: edit it, then `dipsim validate {target}` and `dipsim run {target}`")
        return
    spec = load(source)
    bundled_name = resolve(source).parent == resolve("baseline").parent and "/" not in source \
        and not source.endswith(".toml")
    extends = source if bundled_name else os.path.relpath(resolve(source), target.resolve().parent)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, what_if_template(spec, extends, name))
    click.echo(f"wrote {target}: edit it, then `dipsim validate {target}` and `dipsim run {target}`")


@main.command()
@click.argument("articles", nargs=-1, required=True)
@click.option("--sides", help="The two sides, as actor ids A,B (default: guessed from the sentences about fighting).")
@click.option("--aliases", type=click.Path(path_type=Path),
              help='A TOML file of names and the actors they mean (Erdogan = "TUR").')
@click.option("--name", help="The scenario's name (default: the first article's file name).")
@click.option("--out", type=click.Path(path_type=Path), help="File to write (default: NAME.toml here).")
@click.option("--force", is_flag=True, help="Replace a draft dipsim wrote and nobody has edited.")
@user_errors
def draft(articles: tuple[str, ...], sides: str | None, aliases: Path | None, name: str | None, out: Path | None,
          force: bool) -> None:
    """Draft a scenario from news ARTICLES (plain text, or HTML pages saved from a browser): the actors they
    name, the sides, stances and ties proposed from what the sentences say, each with its quotation.

    Writes NAME.toml and, in sources/ beside it, the text of each article (which the quotations are checked
    against). Every proposed number is marked for review; see docs/drafting.md."""
    from sim.draft import write_draft

    target, result = write_draft([Path(a) for a in articles], name=name, sides=sides, aliases=aliases, out=out,
                                 force=force)
    guessed = " (guessed)" if result.sides_guessed else ""
    click.echo(f"wrote {target}: {len(result.actors)} actors, {len(result.ties)} ties, sides "
               f"{result.sides[0]} and {result.sides[1]}{guessed}")
    click.echo(f"  review it (every JUDGEMENT line), then `dipsim validate {target}` and `dipsim run {target}`")


@main.command()
@click.argument("scenario")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@user_errors
def actors(scenario: str, overrides: tuple[str, ...]) -> None:
    """Show the actors of SCENARIO, their starting values and their quoted sources."""
    from sim.scenario import load

    spec = load(scenario, overrides)
    click.echo(f"{'id':<6}{'name':<22}{'alignment':>10}{'ceasefire':>10}{'capability':>11}"
               f"{'stubborn':>9}{'intensity':>10}{'holds':>7}")
    for a in spec.actors:
        click.echo(f"{a.id:<6}{a.name:<22}{a.alignment:>+10.2f}{a.ceasefire:>10.2f}{a.capability:>11.2f}"
                   f"{a.stubbornness:>9.2f}{a.intensity:>10.2f}{a.territory:>7.2f}")
        several = len(set(spec.quoted_in.values())) > 1         # then each quotation names its article
        for quote in a.sources:
            cited = f" ({spec.quoted_in[quote]})" if several and quote in spec.quoted_in else ""
            click.echo(textwrap.fill(quote + cited, width=100, initial_indent="      - ",
                                     subsequent_indent="        ", break_on_hyphens=False))


@main.command()
@click.argument("rundir", type=click.Path(path_type=Path))
@click.argument("actor")
@user_errors
def explain(rundir: Path, actor: str) -> None:
    """Say what moved ACTOR in the run at RUNDIR: each rule's part, and on which days."""
    from sim.report.explain import explain as explain_actor

    for line in explain_actor(rundir, actor):
        click.echo(line)


PLOT_FORMAT = click.Choice(["png", "svg", "pdf"])


@main.command()
@click.argument("rundir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=PLOT_FORMAT, default="png", show_default=True, help="Format of the plots.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the plots (default: RUNDIR/plots).")
@click.option("--outcome", type=SWEEP_OUTCOMES, default="ceasefire_reached", show_default=True,
              help="For a sweep: the outcome the plots show (the share of runs with it at each point).")
@user_errors
def plot(rundir: Path, fmt: str, out: Path | None, outcome: str) -> None:
    """Draw the plots of the run at RUNDIR: alignment over time, the road to a ceasefire, the network at
    the start and the end, what moved whom (slide-sized, into RUNDIR/plots).

    For an ensemble's directory: fan charts of alignment, the first ceasefire's day, the brokers' and the
    coalitions' shares; for a sweep's: an outcome against each varied value, and a heat map for two."""
    from sim.io.files import write_plots
    from sim.io.rundata import is_experiment, load_experiment, load_run
    from sim.viz import (
        experiment_plot_files,
        experiment_plot_names,
        plot_files,
        plot_names,
    )

    target = out or rundir / "plots"
    if is_experiment(rundir):
        experiment = load_experiment(rundir)
        with _progress(len(experiment_plot_names(experiment)), "plots") as tick:
            files = experiment_plot_files(experiment, fmt, folder="", progress=tick, outcome=outcome)
    else:
        data = load_run(rundir)
        with _progress(len(plot_names(data)), "plots") as tick:
            files = plot_files(data, fmt, folder="", progress=tick)
    write_plots(target, rundir, files)
    click.echo(f"{target}: {', '.join(files)}")


@main.command()
@click.argument("rundir", type=click.Path(path_type=Path))
@click.option("--outcome", type=SWEEP_OUTCOMES, default="ceasefire_reached", show_default=True,
              help="For a sweep: the outcome the report tells (the share of runs with it at each point).")
@user_errors
def report(rundir: Path, outcome: str) -> None:
    """Write a report of the run at RUNDIR for a class: report.html (one self-contained file) and report.md
    (with the plots in RUNDIR/plots). RUNDIR may also be an ensemble's, a sweep's or a sensitivity study's
    directory: how often each outcome came, at each point, or which judgement decides it."""
    from sim.io.files import OutputError, kind_of, write_files
    from sim.report.studies import (
        directory_kind,
        load_directory,
        page_figures,
        page_files,
    )

    data = load_directory(rundir)
    kind = directory_kind(data)
    if kind_of(rundir) != kind:
        raise OutputError(f"{rundir}: not a dipsim {kind} directory (no .dipsim manifest of that kind); dipsim "
                          "writes a report only into its own directories")
    with _progress(len(page_figures(data, outcome)), "plots") as tick:
        files = page_files(data, outcome=outcome, progress=tick)
    write_files(rundir, files)
    click.echo(f"{rundir / 'report.html'}, {rundir / 'report.md'}")


@main.command()
@click.argument("rundir_a", type=click.Path(path_type=Path))
@click.argument("rundir_b", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder for the comparison (default: runs/compare-A-vs-B, from the folders' names).")
@click.option("--format", "fmt", type=PLOT_FORMAT, default="png", show_default=True,
              help="Format of the plots (PNG is always written too, for compare.html).")
@click.option("--force", is_flag=True, help="Replace the folder if it exists.")
@user_errors
def compare(rundir_a: Path, rundir_b: Path, out: Path | None, fmt: str, force: bool) -> None:
    """Compare two runs (two scenarios, or two seeds): the plots side by side and the outcomes that differ.

    Writes compare.html, compare.md and the plots into a folder, and prints the outcomes that differ.
    """
    from sim.io.files import check_target, write_directory
    from sim.io.rundata import load_run
    from sim.report.pages import COMPARE_FIGURES, compare_files, outcome_table

    a, b = load_run(rundir_a), load_run(rundir_b)
    directory = out or Path("runs") / f"compare-{rundir_a.resolve().name}-vs-{rundir_b.resolve().name}"
    check_target(directory, "compare", force=force)
    with _progress(len(COMPARE_FIGURES), "plots") as tick:
        files = compare_files(a, b, fmt, progress=tick)
    write_directory(directory, files, "compare", force=force)
    _, rows = outcome_table(a, b)
    differ = [row for row in rows if row[3] != "same"]
    click.echo(f"A: {rundir_a}  B: {rundir_b} -> {directory}")
    click.echo(f"  {len(differ)} of {len(rows)} outcomes differ" + (":" if differ else ""))
    width = max((len(row[0]) for row in differ), default=0)
    for what, x, y, change in differ:
        click.echo(f"  {what:<{width}}  A {x:<16} B {y:<16} {'' if change == 'differs' else change}".rstrip())


if __name__ == "__main__":  # pragma: no cover
    main()
