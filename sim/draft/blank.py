"""`dipsim new NAME --blank --sides A,B --actors A,B,C`: a commented skeleton of a scenario with every
required key, which validates and runs as it is (every number a neutral placeholder to replace).

It has no `source`: without one, quotations are optional (`sources` may stay empty); with one, every actor
and tie needs a quotation found verbatim in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.core.fields import FIGHTING
from sim.draft.writing import FIELD_NOTES, _range, rules_block
from sim.scenario import ScenarioError


def blank_toml(name: str, sides: Sequence[str], actors: Sequence[str], base_rules) -> str:
    """The skeleton's text (not yet signed)."""
    from sim.draft.actors import describe

    if len(sides) != 2 or sides[0] == sides[1]:
        raise ScenarioError("dipsim new", "--sides", f"expected two different actor ids A,B, got {','.join(sides)}")
    everyone = list(dict.fromkeys([*sides, *actors]))
    first, second = sides
    lines = [
        f"# A blank scenario: {len(everyone)} actors, the sides {first} and {second}. Every number below is a",
        "# placeholder: replace it with your judgement, and say why in a comment.",
        f"# Check it: dipsim validate {name}.toml      Run it: dipsim run {name}.toml",
        "# The format: docs/scenario-format.md; the rules and their parameters: docs/rules.md.",
        "",
        "[scenario]",
        f'name = "{name}"',
        f'title = "{name}: a crisis between {first} and {second}"',
        'description = """',
        "What happened, and what the class should look at in the results.",
        '"""',
        f'sides = ["{first}", "{second}"]    # the belligerents: alignment -1 backs {first}, +1 backs {second}',
        "steps = 60             # days to simulate, in [1, 100000]",
        "seed = 1               # the random seed",
        "# source = \"sources/article.txt\"   # a text file beside this one: then every actor and tie needs a",
        "#                                  # quotation of it in `sources`, checked verbatim",
        "",
        "# " + "-" * 90 + " actors",
    ]
    for actor in everyone:
        known = describe(actor)
        side = actor in sides
        alignment = -1.0 if actor == first else 1.0 if actor == second else 0.0
        values = {"alignment": alignment, "ceasefire": 0.1 if side else 0.5,
                  "capability": 0.5, "stubbornness": 0.9 if side else 0.7}
        if side:
            values |= {"intensity": 1.0, "territory": 0.5, "losses": 0.0}
        lines += ["", "[[actors]]", f'id = "{actor}"',
                  f'name = "{known.name}"            # for people; any text',
                  f'kind = "{known.kind}"            # a label: state, organization, ...']
        for field, value in values.items():
            lines.append(f"{field} = {value:g}    # {_range(field)} {FIELD_NOTES[field]}")
        if not side:
            lines.append(f"# {', '.join(FIGHTING)}: the sides only")
        lines.append("sources = []           # quotations supporting these values (required with a source)")
    lines += ["", "# " + "-" * 92 + " ties",
              "# One table per pair. kind: alliance, support, membership, partnership, rivalry, hostility,",
              "# mediation, peacekeeping; weight in [-1, 1]: negative hostile, positive friendly.",
              "# `actors = [A, B]` works both ways; `from = A` and `to = B` is directed (a mediator's channel).",
              "", "[[ties]]", "# a placeholder: the sides are at war", f'actors = ["{first}", "{second}"]',
              'kind = "hostility"', "weight = -1.0", "sources = []",
              "", "# [[ties]]", f'# from = "{everyone[-1]}"', f'# to = "{first}"', '# kind = "mediation"',
              "# weight = 0.3",
              "", "# " + "-" * 91 + " rules",
              "# The baseline's judgements (the 2020 war): review each for this crisis. Lists of two are",
              f"# [{first}, {second}]."]
    lines += rules_block(base_rules)
    return "\n".join(lines) + "\n"
