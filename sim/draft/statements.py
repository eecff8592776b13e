"""What the sentences say: simple, transparent cue lists (`cues.toml`) read around the actors a sentence
names. A statement is who (the actors named just before a cue), what (the cue) and to whom (the actor just
after it, or both sides), with the sentence that says it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.draft.actors import Mention
from sim.draft.articles import Sentence

CUES_FILE = Path(__file__).with_name("cues.toml")
#: The most words between the speakers and the cue, and between the cue and its target.
_SPEAKER_GAP, _TARGET_GAP = 15, 4


@dataclass(frozen=True)
class Cue:
    name: str
    shape: str
    says: str
    patterns: tuple[re.Pattern, ...]
    tie: str | None = None
    weight: float = 0.0
    toward: float = 0.0
    ceasefire: float | None = None
    both: bool = False


@dataclass(frozen=True)
class Statement:
    """``speakers`` do what ``cue`` says (to ``target``, when it has one) in ``sentence``; ``words`` is the
    cue's match."""

    cue: Cue
    speakers: tuple[str, ...]
    target: str | None
    sentence: Sentence
    words: str


@lru_cache(maxsize=1)
def cues() -> tuple[tuple[Cue, ...], re.Pattern, re.Pattern]:
    """The cues of `cues.toml`, the pattern of a sentence about fighting, and that of a negation."""
    with open(CUES_FILE, "rb") as handle:
        raw = tomllib.load(handle)

    def compiled(pattern: str) -> re.Pattern:
        return re.compile(rf"(?<![\w])(?:{pattern})(?![\w])", re.IGNORECASE)

    found = tuple(Cue(name, entry["shape"], entry["says"], tuple(compiled(p) for p in entry["patterns"]),
                      entry.get("tie"), float(entry.get("weight", 0.0)), float(entry.get("toward", 0.0)),
                      entry.get("ceasefire"), bool(entry.get("both", False)))
                  for name, entry in raw["cues"].items())
    fighting = compiled("|".join(f"(?:{p})" for p in raw["fighting"]["patterns"]))
    negation = compiled("|".join(f"(?:{p})" for p in raw["negation"]["patterns"]))
    return found, fighting, negation


def is_about_fighting(text: str) -> bool:
    return cues()[1].search(text) is not None


#: Where a clause begins, looking back from a cue: punctuation, or a word that joins two clauses.
_CLAUSE_START = re.compile(r"[,;:()“”\"]|\b(?:and|but|or|though|although|while|whereas|because|since|which|who)\b",
                           re.IGNORECASE)


def negated(text: str, at: int) -> bool:
    """Whether the cue at position ``at`` is negated: a negation (`cues.toml`'s ``[negation]``: "not",
    "n't", "never", "no longer", "neither", "nor", "refused to", "declined to", "denied") stands before it
    in its clause ("Georgia is not a member of NATO", "Neither Ankara nor Baku backs ...")."""
    starts = [m.end() for m in _CLAUSE_START.finditer(text, 0, at)]
    return cues()[2].search(text, starts[-1] if starts else 0, at) is not None


def _words(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", text))


#: Words that may stand between the names of one list ("Ankara and Islamabad", "the EU, the US, and France").
_LIST_WORDS = ("and", "or", "the", "as", "well", "both")
#: What opens a non-restrictive relative clause: ", which", ", who", ", whom", ", whose", ", of which" ...
_RELATIVE = re.compile(r",\s*(?:(?:of|in|for|with|among|to|from|by|through)\s+)?(?:which|who|whom|whose)\b",
                       re.IGNORECASE)
#: The most words of an appositive between commas ("China, Ethiopia's largest creditor, urged ...").
_APPOSITIVE_WORDS = 10


def _list_like(text: str) -> bool:
    """Whether ``text`` holds only names and the words that join a list ("Ankara and the", ", ")."""
    tokens = [t.strip(",()") for t in text.split()]
    return all(t in _LIST_WORDS or t[:1].isupper() for t in tokens if t)


def insertions(text: str, mentions: list[Mention]) -> list[tuple[int, int]]:
    """The spans ``[start, end)`` of what a sentence sets off between commas, which is never its subject:
    non-restrictive relative clauses (", which have invested in both countries,", ", whose members include
    A and B,", ", of which both are members,"; to the clause's end when no comma closes them), and
    appositives after an actor's name (", Ethiopia's largest creditor,"), but not a list of names
    ("Kenya, Uganda, and Tanzania"). Each span runs from its opening comma through its closing one."""
    found: list[tuple[int, int]] = []
    for match in _RELATIVE.finditer(text):
        stop = re.compile(r"[,.;:!?“”\"]").search(text, match.end())
        end = stop.end() if stop and stop.group(0) == "," else stop.start() if stop else len(text)
        found.append((match.start(), end))
    clauses = list(found)
    for mention in mentions:
        opening = re.match(r"\s*,", text[mention.end:])
        if not opening:
            continue
        start = mention.end + opening.end() - 1
        if any(s <= mention.start < e or s <= start < e for s, e in clauses):
            continue    # a name inside a relative clause, or the comma that closes one
        closing = re.compile(r"[,.;:!?“”\"()]").search(text, start + 1)
        if closing is None or closing.group(0) != ",":
            continue
        inside = text[start + 1:closing.start()]
        if 0 < _words(inside) <= _APPOSITIVE_WORDS and not _list_like(inside) and not re.match(
                r"\s*(and|or|but|while|as|after|before|when|since|because|if|saying|adding)\b", inside,
                re.IGNORECASE):
            found.append((start, closing.end()))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _speakers(text: str, mentions: list[Mention], at: int) -> list[str]:
    """The subjects of the clause of the cue at position ``at``: the actors named just before it, with what
    the sentence sets off between commas left out (`insertions`), so that in "Saudi Arabia and the UAE,
    which have invested in both countries, offered to mediate" it is Saudi Arabia and the UAE who offer. A
    cue inside a relative clause or an appositive is said by an actor named in it before the cue, else by
    the actors it is about (those just before its opening comma: "Egypt, which signed a defence pact with
    Sudan, ...")."""
    spans = insertions(text, mentions)
    around = next(((s, e) for s, e in spans if s < at < e), None)
    if around is not None:
        inner = _nearest(text, [m for m in mentions if around[0] < m.start and m.end <= at], at, spans)
        return _actors(inner or _nearest(text, mentions, around[0], spans))
    nearest = _nearest(text, mentions, at, spans)
    return _pronoun_subject(text, mentions, at, spans, nearest) or _actors(nearest)


def _actors(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.actor for m in mentions))


#: "it" or "they" as the subject of the cue's clause: "... and said it stands with", "... said that they
#: back", "..., but it backs": a few words may stand between the pronoun and the cue ("it would stand with").
_PRONOUN = re.compile(r"(?:\band\s+(?:also\s+)?(?:said|says|added|stated)\s+(?:that\s+)?|\b(?:said|says|added|stated)"
                      r"\s+that\s+|(?:\band|\bbut|,)\s+)(?:it|they)\s+(?:[\w’'-]+\s+){0,5}$", re.IGNORECASE)
#: Lower-case words that may come before a sentence's subject ("Meanwhile, the ..."); any other is a verb.
_BEFORE_SUBJECT = {"the", "a", "an", "on", "in", "at", "meanwhile", "also", "both", "earlier", "later", "then",
                   "and", "or", "of"}


def _subject(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """The sentence's subject: the first actor it names before its first verb (no lower-case word but
    `_BEFORE_SUBJECT` before it), and the list it begins ("Kenya and Uganda condemned ...")."""
    outside = [m for m in mentions if not any(s <= m.start < e for s, e in spans)]
    if not outside or outside[0].place or _object(text, outside[0]):
        return []
    first = outside[0]
    if any(w.lower() not in _BEFORE_SUBJECT for w in re.findall(r"\b[a-z][\w’'-]*", text[:first.start])):
        return []
    chain = [first]
    for following in outside[1:]:
        glue = text[chain[-1].end:following.start]
        if following.place or re.search(r"[.;:!?“”\"]", glue) or not glue.strip() or not _list_like(glue):
            break
        chain.append(following)
    return chain


def _pronoun_subject(text: str, mentions: list[Mention], at: int, spans: list[tuple[int, int]],
                     nearest: list[Mention]) -> list[str]:
    """Who "it" or "they" is when the cue's clause has it as its subject and the actor named just before
    is only the object of an earlier verb: the sentence's subject, so that in "NATO condemned Russia's use
    of force and said it stands with Georgia" it is NATO that stands with Georgia. Empty otherwise."""
    if not nearest:
        return []
    near = nearest[-1]
    view = list(text)
    for start, end in spans:
        view[start:end] = " " * (end - start)
    text_ = "".join(view)
    if not _PRONOUN.search(text_[near.end:at]):
        return []
    subject = _subject(text, mentions, spans)
    if not subject or near in subject or near.start < subject[-1].end:
        return []
    between = text_[subject[-1].end:near.start]
    if re.search(r"[.;:!?“”\"]|,\s*(and|but|while|as|whereas|though|although)\b", between) or not re.search(
            r"\b[a-z]", between):
        return []     # another clause, with its own subject; or no verb of which the actor is the object
    return _actors(subject)


def _nearest(text: str, mentions: list[Mention], at: int, spans: list[tuple[int, int]]) -> list[Mention]:
    """The actors named just before position ``at``, the insertions ending before it blanked out: the
    nearest (not a place, not a preposition's object) within a clause, and the list it ends ("Ankara and
    Islamabad", "the European Union, United States, ... and France")."""
    blanked = [(s, e) for s, e in spans if e <= at]
    view = list(text)
    for start, end in blanked:
        view[start:end] = " " * (end - start)
    text_ = "".join(view)
    before = [m for m in mentions if m.end <= at and not _object(text, m)
              and not any(s <= m.start < e for s, e in blanked)]
    while before and before[-1].place:
        before.pop()
    if not before:
        return []
    nearest = before[-1]
    gap = text_[nearest.end:at]
    if re.search(r"[.;:!?“”\"]", gap) or _words(gap) > _SPEAKER_GAP or ("," in gap and _words(gap) > 3):
        return []
    chain = [nearest]
    for previous in reversed(before[:-1]):
        glue = text_[previous.end:chain[-1].start]
        tokens = [t for t in (t.strip(",()") for t in glue.split()) if t]
        if previous.place or re.search(r"[.;:!?“”\"]", glue) or len(tokens) > 8 or not _list_like(glue):
            break
        chain.append(previous)
    return list(reversed(chain))


_OBJECT = re.compile(r"\b(with|to|by|against|on|for|from|toward|towards)\s+(the\s+)?$", re.IGNORECASE)


def _object(text: str, mention: Mention) -> bool:
    """Whether a mention is the object of a preposition ("with Yerevan"), which never speaks."""
    return bool(_OBJECT.search(text[:mention.start]))


def _after(text: str, mentions: list[Mention], at: int, most: int = _TARGET_GAP) -> Mention | None:
    """The actor named just after position ``at`` (within ``most`` words, in the same clause)."""
    for mention in mentions:
        if mention.start >= at:
            gap = text[at:mention.start]
            if re.search(r"[.;:!?,]", gap) or _words(gap) > most:
                return None
            return mention
    return None


def statements(sentence: Sentence, mentions: list[Mention]) -> list[Statement]:
    """What ``sentence`` says, given the actors it names (``mentions``, in order)."""
    text, found = sentence.text, []
    for cue in cues()[0]:
        for pattern in cue.patterns:
            for match in pattern.finditer(text):
                if any(m.start < match.end() and match.start() < m.end for m in mentions):
                    continue   # the cue's words are an actor's name ("the Alliance")
                if negated(text, match.start()):
                    continue   # "is not a member of", "refused to recognise", "never backed"
                words = match.group(0)
                if cue.shape in ("target", "subjects", "reciprocal"):
                    speakers = _speakers(text, mentions, match.start())
                    if not speakers:
                        continue
                    if cue.shape == "target":
                        target = _after(text, mentions, match.end())
                        if target is None or target.actor in speakers:
                            continue
                        found.append(Statement(cue, tuple(speakers), target.actor, sentence, words))
                    elif cue.shape == "subjects":
                        found.append(Statement(cue, tuple(speakers), None, sentence, words))
                    elif len(speakers) >= 2:
                        found.append(Statement(cue, tuple(speakers[:-1]), speakers[-1], sentence, words))
                elif cue.shape == "between":
                    first = _after(text, mentions, match.end(), 3)
                    if first is None:
                        continue
                    rest = [m for m in mentions if m.start >= first.end]
                    second = rest[0] if rest and re.fullmatch(r"\s*(and|,)\s*(the\s+)?",
                                                              text[first.end:rest[0].start]) else None
                    if second is not None and second.actor != first.actor:
                        found.append(Statement(cue, (first.actor,), second.actor, sentence, words))
                elif cue.shape == "after":
                    speaker = _after(text, mentions, match.end(), 6)
                    if speaker is not None:
                        found.append(Statement(cue, (speaker.actor,), None, sentence, words))
    unique: dict[tuple, Statement] = {}
    for statement in found:
        unique.setdefault((statement.cue.name, statement.speakers, statement.target), statement)
    return list(unique.values())


def all_statements(sentences: list[Sentence], mentions: Mapping[tuple[int, int], list[Mention]]) -> list[Statement]:
    return [s for sentence in sentences for s in statements(sentence, mentions[(sentence.article, sentence.number)])]
