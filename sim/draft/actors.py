"""Finding the actors an article names, the ways news names them: country names and demonyms (through
country_converter), capitals and seats as metonyms, organizations, breakaway regions named as parties (the
bundled table `names.toml`), the author's aliases (leaders and others), and near misses of all these
(rapidfuzz, with a high threshold).

A state named only as a place ("proxy conflicts in Libya and Syria") is not an actor; a breakaway region is
one only where the article names it as a party (its president, forces, authorities ...).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sim.draft.articles import DraftError, Sentence

#: The bundled table of names no library has.
NAMES_FILE = Path(__file__).with_name("names.toml")
#: An actor id, as a scenario accepts it.
ACTOR_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
#: The least rapidfuzz score (0-100, `fuzz.ratio`) of a near match: a letter or two in a long name.
NEAR = 90
#: Words before a name that make it a place, not an actor.
_PLACE = re.compile(r"\b(in|at|into|near|across|within|throughout|inside|outside|around|over|towards?)\s+(the\s+)?$",
                    re.IGNORECASE)
#: What may stand between two names of one list ("Ankara and Islamabad", "A, B, and the C").
_LIST_GLUE = re.compile(r"^\s*(,|\band\b|\bor\b|,\s*and\b|\bas well as\b)\s*(the\s+)?$")


@dataclass(frozen=True)
class Mention:
    """Where a sentence names an actor: the actor, the characters ``[start, end)``, the words, and how the
    name was known (a country's name, a metonym, an organization, an alias, a near match ...)."""

    actor: str
    start: int
    end: int
    words: str
    how: str
    place: bool = False


@dataclass
class Found:
    """An actor the article names: id, name, kind, and its mentions as ``(sentence, mention)``."""

    id: str
    name: str
    kind: str
    mentions: list[tuple[Sentence, Mention]] = field(default_factory=list)

    def ways(self) -> dict[str, int]:
        """How often each wording names it ("Ankara": 1, "Turkish": 2)."""
        counts: dict[str, int] = {}
        for _, mention in self.mentions:
            counts[mention.words] = counts.get(mention.words, 0) + 1
        return counts


@lru_cache(maxsize=1)
def names_table() -> dict:
    with open(NAMES_FILE, "rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def _countries():
    """country_converter's converter and table (ISO3 -> short name), loaded once.

    country_converter 1.3.2 reads its own table so that, under pandas 3, "NA" (Namibia's code) becomes a
    missing value and the converter fails to start; it is given the table read as plain strings instead.
    """
    import country_converter as coco
    import pandas as pd

    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    table = pd.read_csv(coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=str,
                        keep_default_na=False, na_values=[""])
    converter = coco.CountryConverter(country_data=table)
    current = converter.data
    names = dict(zip(current["ISO3"], current["name_short"], strict=True))
    eu = set(current.loc[current["EU"].notna(), "ISO3"])
    return converter, names, eu


def country_names() -> dict[str, str]:
    """ISO3 code -> country_converter's short name, for every current country."""
    return _countries()[1]


def eu_members() -> set[str]:
    """The EU's member states' ISO3 codes (country_converter's table)."""
    return _countries()[2]


@lru_cache(maxsize=4096)
def country_code(words: str) -> str | None:
    """The ISO3 code of the one country ``words`` names (a name or a demonym), or None."""
    converter, names, _ = _countries()
    found = converter.convert(words, to="ISO3", not_found=None)
    return found if isinstance(found, str) and found in names else None


@dataclass(frozen=True)
class Known:
    """Who a name means: actor id, its name and kind, and how the name is known."""

    actor: str
    name: str
    kind: str
    how: str


def read_aliases(path: Path) -> dict[str, Known]:
    """An aliases file: TOML whose keys are names and whose values are actor ids (``Erdogan = "TUR"``) or
    tables ``{id = "HEZ", name = "Hezbollah", kind = "armed group"}``."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DraftError(f"{path}: no such aliases file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DraftError(f"{path}: cannot read the aliases file ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise DraftError(f"{path}: not valid TOML: {err}") from None
    aliases = {}
    for name, value in raw.items():
        entry = value if isinstance(value, dict) else {"id": value}
        actor = entry.get("id")
        if not isinstance(actor, str) or not ACTOR_ID.fullmatch(actor) or set(entry) - {"id", "name", "kind"}:
            raise DraftError(f"{path}: {name}: expected an actor id (letters, digits and _, e.g. \"TUR\") or a "
                             f"table {{id = ..., name = ..., kind = ...}}, got {value!r}")
        base = describe(actor)
        aliases[name] = Known(actor, str(entry.get("name", base.name)), str(entry.get("kind", base.kind)),
                              f"alias from {path.name}")
    return aliases


def describe(actor: str) -> Known:
    """The name and kind of an actor id: an organization or region of the table, a country, or unknown."""
    table = names_table()
    for section, kind in (("organizations", "organization"), ("regions", None)):
        if actor in table[section]:
            entry = table[section][actor]
            return Known(actor, entry["name"], entry.get("kind", kind), section)
    names = country_names()
    if actor in names:
        return Known(actor, names[actor], "state", "country")
    return Known(actor, actor, "state", "given")


@lru_cache(maxsize=1)
def _table_forms() -> tuple[tuple[str, Known], ...]:
    """Every name of the bundled table with whom it means (seats that need care are left out)."""
    table, names = names_table(), country_names()
    forms = []
    for actor, entry in table["organizations"].items():
        forms += [(form, Known(actor, entry["name"], "organization", "organization")) for form in entry["names"]]
    for form, actor in table["states"].items():
        how = "metonym" if form[0].isupper() and form not in _DEMONYM_LIKE(form) else "name"
        forms.append((form, Known(actor, names.get(actor, actor), "state", how)))
    for actor, entry in table["regions"].items():
        forms += [(form, Known(actor, entry["name"], entry.get("kind", "de-facto state"), "region"))
                  for form in entry["names"]]
    return tuple(forms)


def _DEMONYM_LIKE(form: str) -> set[str]:  # noqa: N802 - a tiny predicate read as a set
    return {form} if re.search(r"(ish|ese|ian|an|i|ch|ic)s?$", form) and " " not in form else set()


class Namer:
    """Finds the mentions of actors in sentences (see the module's docstring)."""

    def __init__(self, aliases: Mapping[str, Known] | None = None) -> None:
        forms = [*((name, known) for name, known in (aliases or {}).items()), *_table_forms()]
        self.known = {}
        for form, known in forms:
            self.known.setdefault(form, known)   # an alias wins over the table
        ordered = sorted(self.known, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(f) for f in ordered) + r")(?![\w])")
        self.party = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in names_table()["party"]["words"])
                                + r")(?![\w])")
        self.seats = names_table()["seats"]

    def mentions(self, sentence: str) -> list[Mention]:
        """The actors ``sentence`` names, in order."""
        found: list[Mention] = []
        taken = [False] * len(sentence)
        for match in self.pattern.finditer(sentence):
            known = self.known[match.group(1)]
            found.append(Mention(known.actor, match.start(), match.end(), match.group(1), known.how))
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
        for start, end, words in _capitalized_runs(sentence):
            if any(taken[start:end]):
                continue
            for gram_start, gram_end, gram in _grams(sentence, start, end, words):
                if any(taken[gram_start:gram_end]):
                    continue
                # country_converter reads two- and three-letter words as ISO codes ("By", "Can"): the table
                # has the abbreviations news uses (US, UK, UAE ...)
                code = country_code(gram) if len(gram) >= 4 else None
                how = "country"
                if code is None and len(gram) >= 5 and " " not in gram:
                    code, how = self._near(gram)
                if code and how == "country":
                    gram_start, gram_end, gram = _narrowest(sentence, gram_start, gram_end, gram, code)
                if code:
                    found.append(Mention(code, gram_start, gram_end, gram, how))
                    taken[gram_start:gram_end] = [True] * (gram_end - gram_start)
        found.sort(key=lambda m: m.start)
        return _places(sentence, found)

    def _near(self, word: str) -> tuple[str | None, str]:
        from rapidfuzz import fuzz, process

        choices = _near_choices()
        best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=NEAR)
        if best is None or best[0].lower() == word.lower():
            return None, ""
        return choices[best[0]], f"near match of {best[0]!r} ({best[1]:.0f}/100)"

    def seat_mentions(self, sentence: str, named: set[str], others: list[Mention]) -> list[Mention]:
        """Seats that may mean an actor ("Brussels" for the EU): only when the article names that actor
        otherwise too, and not in a sentence naming one of the seat's other tenants."""
        found = []
        for seat, entry in self.seats.items():
            if entry["actor"] not in named or any(m.actor in entry.get("unless", ()) for m in others):
                continue
            for match in re.finditer(rf"(?<![\w]){re.escape(seat)}(?![\w])", sentence):
                found.append(Mention(entry["actor"], match.start(), match.end(), seat, "seat"))
        return found

    def is_party(self, sentence: str, mention: Mention) -> bool:
        """Whether a region's mention names it as a party: a party word within three words of it."""
        before = " ".join(sentence[:mention.start].split()[-3:])
        after = " ".join(sentence[mention.end:].split()[:3])
        return bool(self.party.search(before) or self.party.search(after))


@lru_cache(maxsize=1)
def _near_choices() -> dict[str, str]:
    choices = {name: code for code, name in country_names().items() if len(name) >= 5}
    for form, known in _table_forms():
        if len(form) >= 5 and " " not in form and known.how != "region":
            choices.setdefault(form, known.actor)
    return choices


_CAPITALIZED = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:of\s+the\s+|of\s+)?[A-Z][\w.’'-]*)*")
#: Capitalized words that start sentences or titles and never name a country.
_COMMON = {"The", "A", "An", "In", "On", "At", "While", "After", "However", "This", "That", "It", "He", "She", "They",
           "We", "I", "But", "And", "As", "For", "Both", "Officials", "President", "Prime", "Minister", "Foreign",
           "Defence", "Defense", "Ministry", "Secretary", "General", "SOURCE", "Sunday", "Monday", "Tuesday",
           "Wednesday", "Thursday", "Friday", "Saturday", "January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December", "Simultaneously", "Meanwhile"}


def _capitalized_runs(sentence: str) -> Iterable[tuple[int, int, str]]:
    for match in _CAPITALIZED.finditer(sentence):
        yield match.start(), match.end(), match.group(0)


def _grams(sentence: str, start: int, end: int, words: str, smallest_first: bool = False) -> Iterable[
        tuple[int, int, str]]:
    """The word n-grams of a capitalized run (longest first, at most four words), possessives cut off."""
    spans = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", words)]
    sizes = range(1, min(4, len(spans)) + 1) if smallest_first else range(min(4, len(spans)), 0, -1)
    for size in sizes:
        for i in range(len(spans) - size + 1):
            a, b = spans[i][0], spans[i + size - 1][1]
            gram = re.sub(r"(’s|'s|’|')$", "", sentence[a:b]).rstrip(".,")
            if not gram or (size == 1 and gram in _COMMON) or gram.split()[0] in ("of", "the"):
                continue
            yield a, a + len(gram), gram


def _narrowest(sentence: str, start: int, end: int, gram: str, code: str) -> tuple[int, int, str]:
    """The shortest n-gram of ``gram`` that names the same country ("Armenian" in "Armenian Prime Minister")."""
    for sub_start, sub_end, sub in _grams(sentence, start, end, gram, smallest_first=True):
        if country_code(sub) == code:
            return sub_start, sub_end, sub
    return start, end, gram


def _places(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with those that name a place ("in Libya and Syria") marked ``place``."""
    out: list[Mention] = []
    for mention in mentions:
        place = bool(_PLACE.search(sentence[:mention.start]))
        if not place and out and out[-1].place and _LIST_GLUE.match(sentence[out[-1].end:mention.start]):
            place = True
        out.append(Mention(mention.actor, mention.start, mention.end, mention.words, mention.how, place))
    return out


def find_actors(sentences: Iterable[Sentence], namer: Namer, sides: Iterable[str] = ()) -> tuple[
        dict[str, Found], dict[tuple[int, int], list[Mention]]]:
    """The actors the ``sentences`` name, and the mentions of each sentence (by ``(article, number)``).

    An actor is kept when one of its mentions is not a place; a region only when named as a party; the
    ``sides`` always.
    """
    sentences = list(sentences)
    table = names_table()
    by_sentence: dict[tuple[int, int], list[Mention]] = {}
    for sentence in sentences:
        by_sentence[(sentence.article, sentence.number)] = namer.mentions(sentence.text)
    strong = {m.actor for ms in by_sentence.values() for m in ms}
    for sentence in sentences:
        key = (sentence.article, sentence.number)
        extra = namer.seat_mentions(sentence.text, strong, by_sentence[key])
        if extra:
            by_sentence[key] = _places(sentence.text, sorted(by_sentence[key] + extra, key=lambda m: m.start))
    sides = set(sides)
    found: dict[str, Found] = {}
    agents: set[str] = set()
    for sentence in sentences:
        for mention in by_sentence[(sentence.article, sentence.number)]:
            if mention.actor not in found:
                known = describe(mention.actor)
                if mention.how.startswith("alias"):
                    known = namer.known.get(mention.words, known)
                found[mention.actor] = Found(mention.actor, known.name, known.kind)
            found[mention.actor].mentions.append((sentence, mention))
            region = mention.actor in table["regions"]
            if (region and namer.is_party(sentence.text, mention)) or (not region and not mention.place):
                agents.add(mention.actor)
    keep = agents | sides
    return ({k: v for k, v in found.items() if k in keep},
            {key: [m for m in ms if m.actor in keep] for key, ms in by_sentence.items()})
