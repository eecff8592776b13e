"""Speed of loading and validating large synthetic scenarios (no assertions; figures for issue 9).

    .venv/bin/python benchmarks/bench_validate.py                 # 10,000 ties, 100,000 ties, 100,000 actors
    .venv/bin/python benchmarks/bench_validate.py 1000:10000     # some cases: ACTORS:TIES ...

Each case is one TOML text: ACTORS actors in a ring, each tied to its next TIES / ACTORS neighbours,
two rules and an event. It prints the time tomllib takes to parse the text and the time
`sim.scenario.loads` takes to parse, merge and validate it.
"""

from __future__ import annotations

import sys
import time
import tomllib

from sim.scenario import loads

CASES = ((1_000, 10_000), (10_000, 100_000), (100_000, 100_000))


def scenario_text(n_actors: int, n_ties: int) -> str:
    """A valid scenario of ``n_actors`` actors and ``n_ties`` symmetric ties (each pair at most once)."""
    reach = -(-n_ties // n_actors)                       # neighbours each actor is tied to
    assert reach < n_actors / 2, "too many ties for so few actors"
    parts = ['[scenario]\nname = "bench"\nsides = ["A0", "A1"]\nsteps = 1\n']
    for i in range(n_actors):
        intensity = "intensity = 1.0\n" if i < 2 else ""
        parts.append(f'[[actors]]\nid = "A{i}"\nalignment = 0.0\nceasefire = 0.5\ncapability = 0.5\n'
                     f"stubbornness = 0.5\n{intensity}")
    pairs = ((i, (i + k) % n_actors) for k in range(1, reach + 1) for i in range(n_actors))
    for _, (i, j) in zip(range(n_ties), pairs):
        parts.append(f'[[ties]]\nactors = ["A{i}", "A{j}"]\nkind = "partnership"\nweight = 0.5\n')
    parts.append('[[rules]]\nrule = "influence"\n[[rules]]\nrule = "noise"\nactors = ["A0", "A1"]\n')
    parts.append('[[events]]\nid = "e"\nstep = 1\naction = "change_tie"\ntie = "A1-A0"\nweight = 0.1\n'
                 'note = "n"\n')
    return "".join(parts)


def bench(n_actors: int, n_ties: int) -> None:
    text = scenario_text(n_actors, n_ties)
    start = time.perf_counter()
    tomllib.loads(text)
    parsed = time.perf_counter()
    spec = loads(text)
    done = time.perf_counter()
    assert (len(spec.actors), len(spec.ties)) == (n_actors, n_ties)
    print(f"{n_actors:>7} actors {n_ties:>7} ties ({len(text) / 2**20:.1f} MiB): tomllib {parsed - start:6.2f} s, "
          f"loads (parse, merge, validate) {done - parsed:6.2f} s", flush=True)


if __name__ == "__main__":
    chosen = [tuple(int(n) for n in arg.split(":")) for arg in sys.argv[1:]] or CASES
    for actors, ties in chosen:
        bench(actors, ties)
