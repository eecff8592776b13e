"""The draft as a commented TOML file a teacher reads top to bottom: a header (a draft; what to review),
the scenario, the actors, the ties, and the baseline's rules. Data, never code.

Also the rules block that `dipsim new --blank` writes.
"""

from __future__ import annotations

import hashlib
import textwrap

from sim.core.fields import RANGES
from sim.draft.drafting import Draft, DraftActor, DraftTie, Value
from sim.scenario import toml_value

#: What each rule does, in one line (docs/rules.md has the equations).
RULE_NOTES = {
    "influence": "actors pull each other's stances along their ties (Friedkin-Johnsen)",
    "escalation": "each side's fighting answers the other's (Richardson); lists are [first side, second side]",
    "alliance": "allies are pulled into the war as it intensifies",
    "battlefield": "the front moves and the dead are counted (Lanchester); lists are [first side, second side]",
    "war_aims": "what the battle brings moves each side's willingness to stop; lists are [first side, second side]",
    "mediation": "mediators press for a ceasefire; when one comes, whether it holds",
    "balance": "ties drift toward structural balance (the enemy of my enemy ...)",
    "noise": "small random moves of the stances",
}

#: What each actor field means, for comments.
FIELD_NOTES = {
    "alignment": "which side it backs: -1 the first side, +1 the second, 0 neither",
    "ceasefire": "a side: its willingness to accept a ceasefire; anyone else: how hard it presses for one",
    "capability": "its weight in this crisis (not in the world)",
    "stubbornness": "how firmly it holds its starting stance",
    "intensity": "how hard it fights (1 = heavy fighting); the sides only",
    "territory": "the share of the contested area its forces hold; the sides' shares add up to at most 1",
    "losses": "military deaths before day 0; the sides only",
}

def _range(field: str) -> str:
    low, high = RANGES[field]
    return f"[{low:g}, {high:g}]"


def _comment(text: str, width: int = 100, indent: str = "# ") -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False) or [indent.rstrip()]


def _value_line(key: str, value: Value) -> str:
    tag = "JUDGEMENT, review" if value.judgement else "default"
    return f"{key} = {toml_value(round(value.value, 3))}    # {tag}: {value.why}"


def _quotes(quotes, several: bool, sources: list[str]) -> list[str]:
    lines = ["sources = ["]
    for quote in quotes:
        where = f" [{sources[quote.article]}]" if several else ""
        lines.append(f"  {toml_value(quote.text)},    # {quote.note}{where}")
    return lines + ["]"]


def rules_block(rules) -> list[str]:
    """The ``[[rules]]`` tables of ``rules`` (a scenario's `RuleSpec`s) with a line on what each does."""
    lines = []
    for rule in rules:
        lines += ["", "[[rules]]", f"# {RULE_NOTES.get(rule.rule, rule.rule)}"]
        if rule.id != rule.rule:
            lines.append(f'id = "{rule.id}"')
        lines.append(f'rule = "{rule.rule}"')
        lines += [f"{key} = {toml_value(value)}" for key, value in rule.params.items() if value is not None]
    return lines


def _actor_lines(actor: DraftActor, several: bool, sources: list[str]) -> list[str]:
    ways = ", ".join(f"\"{w}\" ({n})" for w, n in sorted(actor.named_as.items(), key=lambda kv: -kv[1]))
    lines = ["", "[[actors]]", *_comment(f"{actor.name}: named as {ways}"), f'id = "{actor.id}"',
             f"name = {toml_value(actor.name)}", f"kind = {toml_value(actor.kind)}"]
    lines += [_value_line(key, value) for key, value in actor.values.items()]
    return lines + _quotes(actor.quotes, several, sources)


def _tie_lines(tie: DraftTie, several: bool, sources: list[str]) -> list[str]:
    lines = ["", "[[ties]]"]
    if tie.also:
        lines += _comment(f"the sentences also suggest: {', '.join(tie.also)} (one tie per pair: "
                          f"{tie.kind} was kept)")
    a, b = tie.ends
    lines.append(f'from = "{a}"\nto = "{b}"' if tie.directed else f'actors = ["{a}", "{b}"]')
    lines += [f'kind = "{tie.kind}"', _value_line("weight", tie.weight)]
    return lines + _quotes(tie.quotes, several, sources)


def source_checksum(source: str, text: str) -> str:
    """The line of a draft that records the text it wrote at ``source`` (so that --force may replace that
    file only while it still holds this text)."""
    return f"# source text {source} sha256 {hashlib.sha256(text.encode()).hexdigest()}"


def draft_toml(d: Draft, sources: list[str], base_rules, steps: int = 60, seed: int = 1) -> str:
    """The text of the draft ``d`` whose articles' texts are at ``sources`` (relative to the draft)."""
    several = len(sources) > 1
    first, second = (d.actor(s).name for s in d.sides)
    judgements = sum(v.judgement for a in d.actors for v in a.values.values()) + sum(t.weight.judgement
                                                                                   for t in d.ties)
    header = [
        f"# DRAFT scenario, written by `dipsim draft` from {len(d.articles)} article(s):",
        *(f"#   {a.path.name} -> {src} (its text; every quotation below is a sentence of it)"
          for a, src in zip(d.articles, sources, strict=True)),
        "#",
        *_comment("This is a proposal read off the article(s) by simple rules, not a finished scenario. "
                  f"The draft found {len(d.actors)} actors and {len(d.ties)} ties; {judgements} numbers are "
                  "marked JUDGEMENT: each is a reading of the quotation in its entry's `sources`, for you to "
                  "review. Lines marked `default` are defaults, also to review: the article says nothing of them."),
        "#",
        "# Review, top to bottom:",
        "#   1. the sides (and which is first: alignment -1 backs it);",
        "#   2. each actor's alignment and ceasefire (JUDGEMENT lines), and its capability: no article says",
        "#      how much an actor weighs in a crisis (the baseline explains its own in WHY THESE CAPABILITIES);",
        "#   3. the sides' territory (who holds the contested area?) and intensity;",
        "#   4. the ties: their kinds and weights; add what the article implies but does not state;",
        "#   5. actors the draft missed (leaders are found only through an aliases file: --aliases FILE),",
        "#      and actors it should not have kept (delete the entry and its ties);",
        "#   6. the rules: the baseline's judgements for the 2020 war, to be reviewed for this crisis",
        "#      (battlefield forces, escalation, war aims ...). See docs/drafting.md and docs/rules.md.",
        "# Then: dipsim validate THIS-FILE, and dipsim run THIS-FILE.",
        "# Fields: " + "; ".join(f"{k} {_range(k)}: {v}" for k, v in FIELD_NOTES.items() if k in
                                ("alignment", "ceasefire", "capability", "stubbornness")),
        "",
        *(source_checksum(src, a.text) for a, src in zip(d.articles, sources, strict=True)),
        "",
        "[scenario]",
        f'name = "{d.name}"',
        f"title = {toml_value(('DRAFT: ' + d.title)[:200])}",
        'description = """',
        *textwrap.wrap(f"A draft from the news: {d.title}. Write here what the class should look at.", 100),
        '"""',
        f'sides = ["{d.sides[0]}", "{d.sides[1]}"]    # ' + (d.sides_guessed or "given with --sides")
        + f"; alignment -1 backs {first}, +1 backs {second}",
        f"steps = {steps}             # days to simulate (a judgement)",
        f"seed = {seed}",
        f"source = {toml_value(sources if several else sources[0])}",
    ]
    lines = header + ["", "# " + "-" * 90 + " actors"]
    for actor in d.actors:
        lines += _actor_lines(actor, several, sources)
    lines += ["", "# " + "-" * 92 + " ties",
              "# weight: -1 hostile ... +1 close. A mediation tie runs from a mediator to a side (from/to).",
              "# One tie per pair of actors."]
    for tie in d.ties:
        lines += _tie_lines(tie, several, sources)
    lines += ["", "# " + "-" * 91 + " rules",
              "# The baseline's judgements (the 2020 war, docs/history-2020.md): review for this crisis."]
    lines += rules_block(base_rules)
    return "\n".join(lines) + "\n"
