"""The command line: parse, call the library, print. Heavy imports happen inside the commands."""

from __future__ import annotations

import functools
import sys
import textwrap
from pathlib import Path

import click

from sim import __version__

OVERRIDE_HELP = "Override a scenario value, e.g. actors.TUR.alignment=0.2 or rules.mediation.threshold=0.6."


def user_errors(command):
    """Turn a user's mistake into one line on stderr and exit status 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from sim.output import OutputError
        from sim.scenario import ScenarioError

        try:
            return command(*args, **kwargs)
        except (ScenarioError, OutputError) as err:
            click.echo(f"dipsim: {err}", err=True)
            sys.exit(2)

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
@user_errors
def run(scenario: str, steps: int | None, seed: int | None, overrides: tuple[str, ...], out: Path | None,
        force: bool) -> None:
    """Run SCENARIO once and write its results to a run directory."""
    from sim.explain import summary_lines
    from sim.model import CrisisModel
    from sim.output import check_writable, default_dir, run_files, write_directory
    from sim.scenario import load

    spec = load(scenario, _overrides(overrides, steps, seed))
    directory = out or default_dir(spec, spec.seed)
    check_writable(directory, force)
    model = CrisisModel(spec, rng=spec.seed)
    model.run_for(spec.steps)
    write_directory(directory, run_files(model.simulation, spec.seed), force=force)
    click.echo(f"{spec.name}: {spec.steps} days, seed {spec.seed} -> {directory}")
    for line in summary_lines(_summary(directory)):
        click.echo(f"  {line}")


def _summary(directory: Path) -> dict:
    from sim.output import read_run

    return read_run(directory)[1]


@main.command()
@click.argument("file")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@user_errors
def validate(file: str, overrides: tuple[str, ...]) -> None:
    """Check a scenario FILE (or bundled name) and say what it holds."""
    from sim.scenario import load

    spec = load(file, overrides)
    click.echo(f"ok: {spec.name}: {len(spec.actors)} actors, {len(spec.ties)} ties, "
               f"{len(spec.rules)} rules, {len(spec.events)} events, {spec.steps} days")


@main.command(name="list")
def list_() -> None:
    """List the bundled scenarios with their titles."""
    from sim.scenario import bundled

    for name, title, _ in bundled():
        click.echo(f"{name:<24} {title}")


@main.command()
@click.argument("scenario")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=OVERRIDE_HELP)
@user_errors
def actors(scenario: str, overrides: tuple[str, ...]) -> None:
    """Show the actors of SCENARIO, their starting values and their quoted sources."""
    from sim.scenario import load

    spec = load(scenario, overrides)
    click.echo(f"{'id':<6}{'name':<22}{'alignment':>10}{'ceasefire':>10}{'capability':>11}"
               f"{'stubborn':>9}{'intensity':>10}")
    for a in spec.actors:
        click.echo(f"{a.id:<6}{a.name:<22}{a.alignment:>+10.2f}{a.ceasefire:>10.2f}{a.capability:>11.2f}"
                   f"{a.stubbornness:>9.2f}{a.intensity:>10.2f}")
        for quote in a.sources:
            click.echo(textwrap.fill(quote, width=100, initial_indent="      - ",
                                     subsequent_indent="        ", break_on_hyphens=False))


@main.command()
@click.argument("rundir", type=click.Path(path_type=Path))
@click.argument("actor")
@user_errors
def explain(rundir: Path, actor: str) -> None:
    """Say what moved ACTOR in the run at RUNDIR: each rule's part, and on which days."""
    from sim.explain import explain as explain_actor

    for line in explain_actor(rundir, actor):
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
