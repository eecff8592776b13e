"""Statistics over runs: proportions with 95 % Wilson intervals, outcome statistics kept as runs come
(`Tally`), and quantiles of trajectories over runs in bounded memory."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from sim.io.tables import QUANTILES


def wilson_interval(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (works at 0 and at n successes)."""
    if trials == 0:
        return (math.nan, math.nan)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))


#: Values (runs x cells) that `quantiles` holds at once: its memory stays near 100 MB however many runs.
QUANTILE_BLOCK = 1 << 23


def quantiles(parts: Sequence[np.ndarray], levels: Sequence[float] = QUANTILES) -> np.ndarray:
    """Quantiles over runs of trajectories given in parts, each ``(steps + 1, runs, n_fields, n_actors)``
    (arrays, or `sim.experiments.store.Trajectories` read from disk); failed runs (NaN) are left out.

    Returns ``(len(levels), steps + 1, n_fields, n_actors)``, computed a block of steps at a time.
    """
    steps, _, n_fields, n_actors = parts[0].shape
    runs = sum(part.shape[1] for part in parts)
    block = max(1, QUANTILE_BLOCK // max(1, runs * n_fields * n_actors))
    out = np.empty((len(levels), steps, n_fields, n_actors))
    for start in range(0, steps, block):
        values = np.concatenate([np.asarray(part[start:start + block]) for part in parts], axis=1)
        method = np.nanquantile if np.isnan(values).any() else np.quantile  # the same numbers without NaN
        out[:, start:start + block] = method(values, levels, axis=1)
    return out


def outcome_statistics(outcomes: Iterable[dict | None], *, within: int = 30) -> dict:
    """Probabilities (with 95 % Wilson intervals), ceasefire timing, brokers' and coalitions' shares.

    Failed runs (``None``) are counted apart and left out of the probabilities.
    """
    tally = Tally(within)
    for outcome in outcomes:
        tally.add(outcome)
    return tally.statistics()


class Tally:
    """`outcome_statistics` kept as runs come, in memory that does not grow with the runs (but for one
    number per run that reached a ceasefire: its first day)."""

    def __init__(self, within: int = 30) -> None:
        self.within = within
        self.ok = self.failed = self.reached = self.lasting = self.broken = 0
        self.days: list[int] = []
        self.brokers: dict[str, int] = {}
        self.splits: dict[str, int] = {}

    def add(self, outcome: dict | None) -> None:
        if outcome is None:
            self.failed += 1
            return
        self.ok += 1
        self.reached += int(outcome["ceasefire_reached"])
        self.lasting += int(outcome["lasting"])
        self.broken += int(outcome["breakdowns"] > 0)
        if outcome["first_ceasefire_day"] is not None:
            self.days.append(outcome["first_ceasefire_day"])
        if outcome["first_broker"] is not None:
            self.brokers[outcome["first_broker"]] = self.brokers.get(outcome["first_broker"], 0) + 1
        self.splits[outcome["coalitions"]] = self.splits.get(outcome["coalitions"], 0) + 1

    def statistics(self) -> dict:
        n = self.ok
        days = np.array(self.days, dtype=float)

        def probability(hits: int) -> dict:
            low, high = wilson_interval(hits, n)
            return {"p": round(hits / n, 10) if n else None,
                    "ci95": [round(low, 10), round(high, 10)] if n else None, "runs": hits}

        def shares(counts: dict[str, int], total: int) -> dict[str, float]:
            return {k: round(v / total, 10) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}

        return {
            "runs_ok": n,
            "runs_failed": self.failed,
            "probabilities": {
                "ceasefire_reached": probability(self.reached),
                f"ceasefire_within_{self.within}_days": probability(int((days <= self.within).sum())),
                "lasting_ceasefire": probability(self.lasting),
                "breakdown": probability(self.broken),
            },
            "first_ceasefire_day": {
                "median": float(np.median(days)) if len(days) else None,
                "q25": float(np.quantile(days, 0.25)) if len(days) else None,
                "q75": float(np.quantile(days, 0.75)) if len(days) else None,
            },
            "brokers": shares(self.brokers, self.reached),
            "coalitions": shares(self.splits, n),
        }
