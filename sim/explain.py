"""Plain-text accounts of a run: its short summary, and what moved an actor, rule by rule."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sim.output import OutputError, read_csv, read_run


def _signed(x: float) -> str:
    """``+0.123``; a change that rounds to zero shows as ``+0.000``, never ``-0.000``."""
    return f"{round(x, 3) + 0.0:+.3f}"


def _name_list(ids: list[str]) -> str:
    return "{" + ", ".join(ids) + "}"


def summary_lines(summary: dict) -> list[str]:
    """A few readable lines on a run's outcomes, from its ``summary.json`` data."""
    out = summary["outcomes"]
    days = summary["steps"]
    if out["ceasefire_reached"]:
        broker = f", brokered by {out['first_broker']}" if out["first_broker"] else ""
        held = "in force at the end" if out["lasting"] else "not in force at the end"
        cease = (f"first on day {out['first_ceasefire_day']}{broker}; {out['ceasefires']} in all, "
                 f"{out['breakdowns']} breakdown(s); {held}")
    else:
        cease = f"none in {days} days"
    peaks = ", ".join(f"{side} {value:.2f}" for side, value in out["max_intensity"].items())
    end = summary["coalitions"]["end"][0]
    camps = " vs ".join(_name_list(group) for group in end["coalitions"])
    return [f"ceasefire: {cease}", f"peak intensity: {peaks}",
            f"coalitions at the end (landscape theory, energy {end['energy']:.3f}): {camps}"]


def explain(directory: Path, actor: str, *, days: int = 3) -> list[str]:
    """What moved ``actor`` in the run at ``directory``: per field, each source's total and its biggest days."""
    scenario, summary = read_run(directory)
    if actor not in scenario.actor_ids:
        raise OutputError(f"{directory}: no actor {actor!r} in this run (actors: {', '.join(scenario.actor_ids)})")
    path = Path(directory) / "contributions.csv"
    if not path.is_file():
        raise OutputError(f"{directory}: no contributions.csv (the run did not record contributions)")
    moves: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for row in read_csv(path):
        if row["actor"] == actor:
            moves[row["field"]][row["rule"]].append((int(row["step"]), float(row["change"])))
    series = [r for r in read_csv(Path(directory) / "timeseries.csv") if r["actor"] == actor]
    who = scenario.actor(actor)
    lines = [f"What moved {who.name} ({actor}) over {summary['steps']} days of {scenario.name} (seed {summary['seed']})"]
    if not moves:
        lines.append("  nothing: no rule or event changed any of its fields")
    for field, sources in moves.items():
        start, end = float(series[0][field]), float(series[-1][field])
        lines.append(f"{field}: {start:+.3f} -> {end:+.3f} (change {_signed(end - start)})")
        ranked = sorted(sources.items(), key=lambda item: -abs(sum(c for _, c in item[1])))
        for source, changes in ranked:
            total = sum(c for _, c in changes)
            top = sorted(changes, key=lambda sc: -abs(sc[1]))[:days]
            biggest = ", ".join(f"day {s} {_signed(c)}" for s, c in sorted(top))
            lines.append(f"  {source:<12} {_signed(total)}   on {len(changes)} day(s); largest: {biggest}")
    return lines
