"""The debrief of a game: what the class's moves changed, measured against the rules playing instead.

One run (the game's seed) says what happened; whether a move *made* it happen needs the runs that
could have been. So each player's moves are measured on an ensemble: the same seeds run with every
submission, and with every submission but that player's (the rules alone then play its actor); each
submission likewise on a smaller ensemble. The seeds are shared between the two (common random
numbers), so the difference is the moves' and not the luck's; its standard error is reported with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.classroom.game import Game, Submission
from sim.core.outcomes import run_outcomes
from sim.experiments.chunks import run_seeds

#: Runs of each ensemble: per player, and per submission.
PLAYER_RUNS, SUBMISSION_RUNS = 300, 100
#: What each run is measured by, as the pages show it: (key, label, kind) with kind "share" (a yes/no outcome,
#: in points) or "days". Besides these, `outcomes` measures the truces signed under pressure (``under_pressure``)
#: and, for each side, its peak intensity (``intensity_ARM``) and its share of the contested area at the end
#: (``territory_ARM``).
MEASURES = (
    ("lasting", "a lasting ceasefire", "share"),
    ("ceasefire_reached", "a ceasefire reached", "share"),
    ("days_in_force", "days of ceasefire", "days"),
)


def outcomes(game: Game, submissions: Sequence[Submission], seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Each measure of each run (one run per seed) of the whole game with these submissions."""
    simulation = game.play(submissions, game.scenario.steps, seeds=seeds)
    found = [run_outcomes(simulation, run) for run in range(len(seeds))]
    table = {key: np.array([float(f[key]) for f in found]) for key in (*(m[0] for m in MEASURES), "under_pressure")}
    for side in game.scenario.sides:
        table[f"intensity_{side}"] = np.array([f["max_intensity"][side] for f in found])
        table[f"territory_{side}"] = np.array([f["final_territory"][side] for f in found])
    return table


def difference(with_: dict[str, np.ndarray], without: dict[str, np.ndarray]) -> dict[str, dict]:
    """For each measure: its mean with and without, the difference and the difference's standard error
    (paired: the same seeds on both sides)."""
    out = {}
    for key in with_:
        d = with_[key] - without[key]
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
        out[key] = {"with": float(with_[key].mean()), "without": float(without[key].mean()),
                    "change": float(d.mean()), "se": se}
    return out


def debrief(game: Game, submissions: Sequence[Submission], *, player_runs: int = PLAYER_RUNS,
            submission_runs: int = SUBMISSION_RUNS) -> dict:
    """Everything the debrief shows, as plain data (stored with the game as JSON)."""
    played = sorted({s.actor for s in submissions}, key=game.scenario.actor_ids.index)
    seeds = run_seeds(game.seed, player_runs)
    everything = outcomes(game, submissions, seeds)
    players = []
    for actor in played:
        others = game.leaving_out(submissions, lambda s, actor=actor: s.actor == actor)
        players.append({"actor": actor, "player": next(s.player for s in submissions if s.actor == actor),
                        "effect": difference(everything, outcomes(game, others, seeds))})
    few = seeds[:submission_runs]
    few_everything = {k: v[:submission_runs] for k, v in everything.items()}
    moves = []
    for k, submission in enumerate(submissions):
        rest = game.leaving_out(submissions, lambda s, submission=submission: s is submission)
        effect = difference(few_everything, outcomes(game, rest, few)) if submission.events else None
        moves.append({"round": submission.round, "actor": submission.actor, "player": submission.player,
                      "moves": [[c.move, c.target] for c in submission.choices], "memo": submission.memo,
                      "effect": effect})
    return {"runs": player_runs, "submission_runs": min(submission_runs, player_runs),
            "ensemble": {k: float(v.mean()) for k, v in everything.items()}, "players": players, "moves": moves}
