"""Plain-text accounts of a run: its short summary, and what moved an actor, rule by rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from sim.io.files import OutputError
from sim.roles import BACKS, COALITION_CAVEAT, GROUPS, NON_ALIGNED, group_label, roles

#: Fields told in whole numbers (military deaths); every other to three decimals.
WHOLE_FIELDS = ("losses",)


def _signed(x: float, whole: bool = False) -> str:
    """``+0.123`` (``whole``: ``+3,833``); a change that rounds to zero shows as ``+0.000``, never ``-0.000``."""
    return f"{round(x) + 0.0:+,.0f}" if whole else f"{round(x, 3) + 0.0:+.3f}"


def _name_list(ids: list[str]) -> str:
    return "{" + ", ".join(ids) + "}"


def summary_lines(summary: dict, channels: Iterable[str] = ()) -> list[str]:
    """A few readable lines on a run's outcomes, from its ``summary.json`` data (``channels``: the actors
    holding a mediation channel, the non-aligned of whom are named mediators)."""
    out = summary["outcomes"]
    days = summary["steps"]
    if out["ceasefire_reached"]:
        broker = f", brokered by {out['first_broker']}" if out["first_broker"] else ""
        held = "in force at the end" if out["lasting"] else "not in force at the end"
        pressed = f"; {out['under_pressure']} signed under pressure" if out["under_pressure"] else ""
        cease = (f"first on day {out['first_ceasefire_day']}{broker}; {out['ceasefires']} in all, "
                 f"{out['breakdowns']} breakdown(s); {held}{pressed}")
    else:
        cease = f"none in {days} days"
    peaks = ", ".join(f"{side} {value:.2f}" for side, value in out["max_intensity"].items())
    end = summary["coalitions"]["end"][0]
    coalitions = " vs ".join(f"coalition {k + 1} {_name_list(group)}" for k, group in enumerate(end["coalitions"]))
    lines = [f"ceasefire: {cease}", f"peak intensity: {peaks}"]
    held, lost = out["final_territory"], out["final_losses"]
    if any(held.values()) or any(lost.values()):
        shares = ", ".join(f"{side} {value:.0%}" for side, value in held.items())
        deaths = ", ".join(f"{side} {value:,.0f}" for side, value in lost.items())
        lines.append(f"battlefield at the end: contested area held {shares}; military deaths {deaths}")
    final, sides = out.get("final_alignment"), summary.get("scenario", {}).get("sides")
    if final and sides:
        found = roles(tuple(sides), final, channels=channels)
        groups = []
        for group in GROUPS:
            members = [a for a, r in found.items() if r.group == group]
            if members:
                mediating = [a for a in members if found[a].mediator]
                also = f" (mediators: {', '.join(mediating)})" if mediating else ""
                also = also if group == NON_ALIGNED else ""
                groups.append(f"{group_label(group, tuple(sides))} {_name_list(members)}{also}")
        lines.append(f"what each actor does at the end (|alignment| >= {BACKS:g} backs a side): {'; '.join(groups)}")
    return [*lines, f"landscape coalitions at the end ({COALITION_CAVEAT}; energy {end['energy']:.3f}): "
                    f"{coalitions}"]


def explain(directory: Path, actor: str, *, days: int = 3) -> list[str]:
    """What moved ``actor`` in the run at ``directory``: per field, each source's total and its biggest days."""
    from sim.io.rundata import load_run

    run = load_run(directory)
    if actor not in run.actor_ids:
        raise OutputError(f"{directory}: no actor {actor!r} in this run (actors: {', '.join(run.actor_ids)})")
    if not (Path(directory) / "contributions.csv").is_file():
        raise OutputError(f"{directory}: no contributions.csv (the run did not record contributions)")
    moves: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for row in run.contributions[run.contributions["actor"] == actor].itertuples(index=False):
        moves[row.field][row.rule].append((int(row.step), float(row.change)))
    series = run.timeseries[run.timeseries["actor"] == actor].sort_values("step")
    lines = [f"What moved {run.name(actor)} ({actor}) over {run.steps} days of {run.scenario.name} (seed {run.seed})"]
    if not moves:
        lines.append("  nothing: no rule or event changed any of its fields")
    for field, sources in moves.items():
        whole = field in WHOLE_FIELDS
        start, end = float(series[field].iloc[0]), float(series[field].iloc[-1])
        lines.append(f"{field}: {_signed(start, whole)} -> {_signed(end, whole)} "
                     f"(change {_signed(end - start, whole)})")
        ranked = sorted(sources.items(), key=lambda item: -abs(sum(c for _, c in item[1])))
        for source, changes in ranked:
            total = sum(c for _, c in changes)
            top = sorted(changes, key=lambda sc: -abs(sc[1]))[:days]
            biggest = ", ".join(f"day {s} {_signed(c, whole)}" for s, c in sorted(top))
            lines.append(f"  {source:<12} {_signed(total, whole)}   on {len(changes)} day(s); largest: {biggest}")
    return lines
