"""`dipsim new`: a commented what-if file that extends a scenario, ready to edit."""

from __future__ import annotations

from sim.core.fields import FIELDS, FIGHTING, RANGES
from sim.io.files import sign
from sim.scenario import Scenario, toml_value


def _range(field: str) -> str:
    low, high = RANGES[field]
    return f"[{low:g}, {high:g}]"


def what_if_template(spec: Scenario, extends: str, name: str) -> str:
    """The text of a what-if file named ``name`` that extends ``extends`` (whose resolved form is ``spec``).

    Everything below the [scenario] table is commented out: the file runs as it is (a copy of the
    scenario it extends) and each block shows, with the current values, what can be changed.
    """
    first, second = (spec.actor(s).name for s in spec.sides)
    lines = [
        f"# A what-if on: {spec.title}",
        "# It starts from the scenario it extends and changes only what you write below.",
        f"# Check it: dipsim validate {name}.toml      Run it: dipsim run {name}.toml",
        "",
        "[scenario]",
        f'extends = "{extends}"',
        f'name = "{name}"',
        'title = "What if ...?"',
        'description = """',
        "The question this what-if asks, and what the class should look at in its results.",
        '"""',
        f"# steps = {spec.steps}             # days to simulate",
        f"# seed = {spec.seed}",
        "",
        f"# ---- Actors: uncomment one and change its values. alignment: -1 backs {first}, +1 backs {second};",
        "# ceasefire: willingness (sides) or pressure (others) for a ceasefire; all in the ranges shown.",
    ]
    for actor in spec.actors:
        lines += ["", "# [[actors]]", f'# id = "{actor.id}"            # {actor.name}']
        lines += [f"# {field} = {getattr(actor, field):g}     # {_range(field)}"
                  for field in FIELDS if field not in FIGHTING or actor.id in spec.sides]
    lines += ["", "# ---- Ties: change a weight (-1 hostile ... +1 close) or remove a tie with `remove = true`."]
    for tie in spec.ties:
        ends = f'from = "{tie.source}"\n# to = "{tie.target}"' if tie.directed else \
            f'actors = ["{tie.source}", "{tie.target}"]'
        lines += ["", "# [[ties]]", f"# {ends}", f"# weight = {tie.weight:g}      # {tie.kind}"]
    lines += ["", "# ---- Rules: change a parameter (see docs/rules.md for what each one does)."]
    for rule in spec.rules:
        lines += ["", "# [[rules]]", f'# id = "{rule.id}"' if rule.id != rule.rule else f'# rule = "{rule.rule}"']
        lines += [f"# {key} = {toml_value(value)}" for key, value in rule.params.items() if value is not None]
    lines += [
        "", "# ---- Events: something that happens on a given day (see docs/scenario-format.md).",
        "", "# [[events]]", '# id = "my-event"', "# step = 10", '# action = "shift"',
        f'# actor = "{spec.actors[-1].id}"', '# field = "ceasefire"', "# by = 0.2",
        '# note = "Day 10: what happened, in one sentence"', "",
    ]
    return sign("\n".join(lines), "dipsim new")
