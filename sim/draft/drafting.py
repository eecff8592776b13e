"""A draft scenario from news articles: the actors they name, the sides, and each actor's stance and ties
proposed from what the sentences say, every number with the reason and the quotation behind it.

`draft(paths, ...)` returns a `Draft`: plain data that `sim.draft.writing` turns into a commented TOML file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from sim.draft.actors import (
    Found,
    Namer,
    describe,
    eu_members,
    find_actors,
    names_table,
    read_aliases,
)
from sim.draft.articles import Article, Sentence, read_article
from sim.draft.statements import Statement, all_statements, is_about_fighting
from sim.roles import PRESSING
from sim.scenario import ScenarioError

#: Which kind a pair's tie takes when the sentences propose several (the first found in this order).
KIND_ORDER = ("alliance", "hostility", "support", "membership", "rivalry", "partnership", "mediation")
#: The most quotations an actor's or a tie's `sources` lists.
MOST_QUOTES = 4
#: The ceasefire of an actor (not a side) the article says nothing of a ceasefire about: a default to
#: review, below the value at which the reports count an actor as pressing for a ceasefire (a mediator,
#: `sim.roles.PRESSING`), so that an outsider the article only names is not shown as a mediator.
UNSAID_CEASEFIRE = 0.3


@dataclass
class Value:
    """A proposed number and why: ``why`` says it in words; ``judgement`` False means a neutral default."""

    value: float
    why: str
    judgement: bool = True


@dataclass
class Quote:
    """A quotation (a sentence of an article, verbatim) and what it was taken for."""

    text: str
    article: int
    note: str


@dataclass
class DraftActor:
    id: str
    name: str
    kind: str
    values: dict[str, Value]
    quotes: list[Quote]
    named_as: dict[str, int]
    side: bool = False


@dataclass
class DraftTie:
    ends: tuple[str, str]
    directed: bool
    kind: str
    weight: Value
    quotes: list[Quote]
    also: list[str] = field(default_factory=list)   # other kinds the sentences suggested for the pair

    @property
    def pair(self) -> frozenset[str]:
        return frozenset(self.ends)


@dataclass
class Draft:
    """Everything `dipsim draft` proposes, before it is written."""

    name: str
    title: str
    articles: list[Article]
    sides: tuple[str, str]
    sides_guessed: str | None     # why the sides were guessed (None: given with --sides)
    actors: list[DraftActor]
    ties: list[DraftTie]
    notes: list[str]

    def actor(self, actor_id: str) -> DraftActor:
        return next(a for a in self.actors if a.id == actor_id)


def _quote(sentence: Sentence, note: str) -> Quote:
    return Quote(" ".join(sentence.text.split()), sentence.article, note)


def draft(paths: Sequence[Path], name: str, sides: Sequence[str] | None = None, aliases: Path | None = None) -> Draft:
    """The draft of a scenario named ``name`` from the articles at ``paths`` (see the module's docstring)."""
    articles = [read_article(Path(p), i) for i, p in enumerate(paths)]
    return draft_from(articles, name, sides, read_aliases(aliases) if aliases else None)


def draft_from(articles: list[Article], name: str, sides: Sequence[str] | None = None, aliases=None) -> Draft:
    sentences = [s for a in articles for s in a.sentences]
    namer = Namer(aliases)
    found, mentions = find_actors(sentences, namer, sides or ())
    notes: list[str] = []
    said = all_statements(sentences, mentions)
    if sides:
        missing = [s for s in sides if s not in found]
        if missing:
            raise ScenarioError("dipsim draft", "--sides", f"{', '.join(missing)} is not an actor the article names "
                                f"(it names: {', '.join(found) or 'none'}); give an aliases file or other --sides")
        chosen, why = (sides[0], sides[1]), None
    else:
        chosen, why = _guess_sides(sentences, mentions, found, said)
    ties = _ties(said, found, chosen, sentences, mentions, notes)
    actors = [_actor(found[i], chosen, said, ties, sentences) for i in _order(found, chosen)]
    title = " / ".join(a.title for a in articles)
    return Draft(name, title, articles, chosen, why, actors, ties, notes)


def _order(found: dict[str, Found], sides: tuple[str, str]) -> list[str]:
    """The sides first, then states and regions, then organizations, each in order of first mention."""
    rest = [i for i in found if i not in sides]
    return [*sides, *[i for i in rest if found[i].kind != "organization"],
            *[i for i in rest if found[i].kind == "organization"]]


def _guess_sides(sentences: list[Sentence], mentions, found: dict[str, Found], said: list[Statement]) -> tuple[
        tuple[str, str], str]:
    """The two actors (not organizations) most often named together in sentences about fighting."""
    pairs: Counter = Counter()
    for statement in said:          # "fighting between A and B" counts three times
        if statement.cue.shape == "between" and statement.cue.tie == "hostility" and statement.target:
            pairs[frozenset((statement.speakers[0], statement.target))] += 3
    for sentence in sentences:
        if not is_about_fighting(sentence.text):
            continue
        named = dict.fromkeys(m.actor for m in mentions[(sentence.article, sentence.number)]
                              if found[m.actor].kind != "organization")
        for a, b in combinations(named, 2):
            pairs[frozenset((a, b))] += 1
    if not pairs:
        raise ScenarioError("dipsim draft", "--sides", "cannot guess the sides: no sentence about fighting names two "
                            "states; name them with --sides A,B")
    first = {actor: n for n, actor in enumerate(found)}
    best = max(pairs, key=lambda p: (pairs[p], -min(first[a] for a in p)))
    a, b = sorted(best, key=first.__getitem__)
    return (a, b), ("guessed: the two actors named together most often in sentences about fighting (a "
                    f"\"fighting between\" counts 3; score {pairs[best]}); give --sides A,B to choose")


def _ties(said: list[Statement], found: dict[str, Found], sides: tuple[str, str], sentences: list[Sentence],
          mentions, notes: list[str]) -> list[DraftTie]:
    proposals: dict[frozenset, list[tuple[str, tuple[str, str], bool, float, Statement | None]]] = {}

    def propose(a: str, b: str, kind: str, directed: bool, weight: float, statement: Statement | None) -> None:
        if a != b and a in found and b in found:
            proposals.setdefault(frozenset((a, b)), []).append((kind, (a, b), directed, weight, statement))

    for s in said:
        if s.cue.both:
            for speaker in s.speakers:
                if speaker not in sides:
                    for side in sides:
                        propose(speaker, side, "mediation", True, s.cue.weight, s)
        elif s.cue.tie and s.target:
            for speaker in s.speakers:
                weight = -1.0 if s.cue.tie == "hostility" and {speaker, s.target} == set(sides) else s.cue.weight
                propose(speaker, s.target, s.cue.tie, False, weight, s)
    ties: list[DraftTie] = []
    for pair, options in proposals.items():
        kinds = [o[0] for o in options]
        kind = min(kinds, key=KIND_ORDER.index)
        chosen = [o for o in options if o[0] == kind]
        kind_, ends, directed, weight, _ = chosen[0]
        if kind == "mediation":
            ends = next(o[1] for o in chosen)
        weight = max((o[3] for o in chosen), key=abs)
        quotes = _unique([_quote(o[4].sentence, f"{_names(o[4].speakers)} {o[4].cue.says} "
                                 f"(\"{' '.join(o[4].words.split())}\")") for o in chosen])
        what = (f"{kind}: the article says {_names(chosen[0][4].speakers)} {chosen[0][4].cue.says}"
                + (f" {chosen[0][4].target}" if chosen[0][4].target else ""))
        also = sorted(set(kinds) - {kind})
        ties.append(DraftTie(ends, directed, kind, Value(weight, what), quotes[:MOST_QUOTES], also))
    _side_hostility(ties, sides, sentences, mentions)
    _regions(ties, found, sides, sentences, mentions)
    _memberships(ties, found, sentences, mentions, notes)
    return ties


def _names(ids: Iterable[str]) -> str:
    ids = list(ids)
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def _unique(quotes: list[Quote]) -> list[Quote]:
    seen, out = set(), []
    for quote in quotes:
        if quote.text not in seen:
            seen.add(quote.text)
            out.append(quote)
    return out


def _naming(sentences: list[Sentence], mentions, *actors: str) -> Sentence | None:
    """The first sentence that names every one of ``actors``."""
    for sentence in sentences:
        named = {m.actor for m in mentions[(sentence.article, sentence.number)]}
        if set(actors) <= named:
            return sentence
    return None


def _side_hostility(ties: list[DraftTie], sides, sentences, mentions) -> None:
    """The sides fight: a hostile tie between them, whatever the cues found."""
    if any(t.pair == frozenset(sides) for t in ties):
        return
    sentence = next((s for s in sentences if is_about_fighting(s.text) and
                     set(sides) <= {m.actor for m in mentions[(s.article, s.number)]}), None) \
        or _naming(sentences, mentions, *sides)
    if sentence is None:
        sentence = next(s for s in sentences if sides[0] in {m.actor for m in mentions[(s.article, s.number)]})
    ties.insert(0, DraftTie(sides, False, "hostility", Value(-1.0, "hostility: the sides are at war"),
                            [_quote(sentence, "the sides, in a sentence about the fighting")]))


def _regions(ties: list[DraftTie], found, sides, sentences, mentions) -> None:
    """A breakaway region the article names as a party, friendly to one side, is hostile to the other."""
    for region in (r for r in found if r in names_table()["regions"] and r not in sides):
        friends = [t for t in ties if region in t.ends and t.kind in ("alliance", "support")
                   and set(t.ends) & set(sides)]
        if not friends:
            continue
        friend = next(iter(set(friends[0].ends) & set(sides)))
        other = sides[1] if friend == sides[0] else sides[0]
        sentence = _naming(sentences, mentions, region, other)
        if sentence is None or any(t.pair == frozenset((region, other)) for t in ties):
            continue
        ties.append(DraftTie((region, other), False, "hostility",
                             Value(-0.9, f"hostility: a breakaway region on {friend}'s side is {other}'s enemy"),
                             [_quote(sentence, f"the article names {region} and {other} together")]))


def _memberships(ties: list[DraftTie], found, sentences, mentions, notes: list[str]) -> None:
    """Membership ties from general knowledge (the bundled table; the EU's members from country_converter)
    between an organization and its members that the article both names."""
    members = {"EU": {"states": sorted(eu_members())}}
    for org, entry in names_table()["members"].items():
        members[org] = entry if isinstance(entry, dict) else {"states": entry}
    for org, entry in members.items():
        if org not in found:
            continue
        phrase = entry.get("only_with")
        if phrase and not any(phrase in s.text for s in sentences):
            continue
        for state in entry["states"]:
            if state not in found or any(t.pair == frozenset((state, org)) for t in ties):
                continue
            sentence = _naming(sentences, mentions, state, org) or next(
                (s for s in sentences if phrase and phrase in s.text), None) or _naming(sentences, mentions, org)
            what = f"the {phrase}" if phrase else org
            ties.append(DraftTie((state, org), False, "membership",
                                 Value(0.6, f"membership: {state} is a member of {what} (general knowledge, from the "
                                       "bundled table, not the article)"),
                                 [_quote(sentence, f"where the article names {what}")]))


def _actor(found: Found, sides: tuple[str, str], said: list[Statement], ties: list[DraftTie],
           sentences: list[Sentence]) -> DraftActor:
    me = found.id
    mine = [s for s in said if me in s.speakers]
    kind = found.kind
    values: dict[str, Value] = {}
    side = me in sides
    if side:
        sign = -1.0 if me == sides[0] else 1.0
        values["alignment"] = Value(sign, f"a side: {'-1' if sign < 0 else '+1'} by definition", judgement=False)
        values["ceasefire"] = Value(0.1, "a side at war: not yet willing to stop")
    else:
        alignment, reasons = _alignment(me, mine, sides, ties)
        values["alignment"] = alignment if reasons else Value(0.0, "neutral default: the article says nothing that "
                                                                   "puts it on a side", judgement=False)
        pressing = [(s.cue.ceasefire, s) for s in mine if s.cue.ceasefire is not None]
        if pressing:
            value, statement = max(pressing, key=lambda p: p[0])
            values["ceasefire"] = Value(float(value), f"{statement.cue.says} (\"{' '.join(statement.words.split())}\")")
        else:
            values["ceasefire"] = Value(UNSAID_CEASEFIRE, "the article says nothing of a ceasefire: review it "
                                        f"(below {PRESSING:g}, where the reports count an actor a mediator)",
                                        judgement=False)
    capability = 0.5 if kind == "state" else 0.4 if kind == "organization" else 0.15
    values["capability"] = Value(capability, f"default for a {'side' if side else kind}: the article cannot say how "
                                 "much it weighs in this crisis", judgement=False)
    stubbornness = 0.9 if side or kind not in ("state", "organization") else 0.8 if kind == "organization" else 0.7
    values["stubbornness"] = Value(stubbornness, f"default for a {'side' if side else kind}", judgement=False)
    if side:
        values["intensity"] = Value(1.0, "a side at war: heavy fighting is 1")
        values["territory"] = Value(0.5, "who holds the contested area? the draft splits it in half")
        values["losses"] = Value(0.0, "military deaths before day 0: give them if the article counts them",
                                 judgement=False)
    quotes = _unique([_quote(s.sentence, f"{me} {s.cue.says}" + (f" {s.target}" if s.target else ""))
                      for s in mine])
    if not quotes:
        sentence = next(s for s, m in found.mentions if not m.place) if any(not m.place for _, m in found.mentions) \
            else found.mentions[0][0]
        quotes = [_quote(sentence, "where the article names it; nothing here moves its stance")]
    return DraftActor(me, found.name, kind, values, quotes[:MOST_QUOTES], found.ways(), side)


def _alignment(me: str, mine: list[Statement], sides: tuple[str, str], ties: list[DraftTie]) -> tuple[Value, list]:
    """The mean of what the actor's statements say toward a side (backing, alliance: toward; condemnation:
    away), counting a call for a ceasefire or an offer to mediate as 0."""
    parts, reasons = [], []
    for s in mine:
        if s.target in sides and s.cue.toward:
            sign = -1.0 if s.target == sides[0] else 1.0
            parts.append(sign * s.cue.toward)
            reasons.append(f"{s.cue.says} {s.target}")
        elif s.cue.both or s.cue.ceasefire is not None and s.target is None:
            parts.append(0.0)
    if not reasons:
        return Value(0.0, ""), []
    value = max(-1.0, min(1.0, sum(parts) / len(parts)))
    return Value(round(value, 2), "; ".join(dict.fromkeys(reasons)) +
                 (f"; also {len(parts) - len(reasons)} even-handed statement(s)" if len(parts) > len(reasons)
                  else "")), reasons


def known_actor(actor_id: str):
    """Name and kind of an actor id (for `dipsim new --blank`)."""
    return describe(actor_id)
