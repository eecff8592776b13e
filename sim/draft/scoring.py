"""How close a draft comes to a reference scenario: precision and recall of its actors, and of its ties as
unordered pairs of actors (with and without the tie's kind)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario import Scenario, load


@dataclass(frozen=True)
class Score:
    """Precision (the share of the draft's items the reference has) and recall (the share of the reference's
    items the draft found), with the counts."""

    precision: float
    recall: float
    found: int
    drafted: int
    reference: int

    def __str__(self) -> str:
        return (f"precision {self.precision:.2f} ({self.found}/{self.drafted}), "
                f"recall {self.recall:.2f} ({self.found}/{self.reference})")


def _score(drafted: set, reference: set) -> Score:
    found = len(drafted & reference)
    return Score(found / len(drafted) if drafted else 0.0, found / len(reference) if reference else 0.0,
                 found, len(drafted), len(reference))


def compare_to(draft: Scenario | str, reference: Scenario | str = "baseline") -> dict[str, Score]:
    """Scores of ``draft`` against ``reference`` (scenarios, or what `load` takes): ``actors``, ``ties``
    (unordered pairs) and ``ties_kind`` (unordered pairs with their kind)."""
    draft = draft if isinstance(draft, Scenario) else load(draft)
    reference = reference if isinstance(reference, Scenario) else load(reference)

    def pairs(spec: Scenario, kind: bool) -> set:
        return {(frozenset(t.actors), t.kind) if kind else frozenset(t.actors) for t in spec.ties}

    return {"actors": _score(set(draft.actor_ids), set(reference.actor_ids)),
            "ties": _score(pairs(draft, False), pairs(reference, False)),
            "ties_kind": _score(pairs(draft, True), pairs(reference, True))}
