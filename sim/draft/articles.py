"""Reading news articles: a plain-text file, or an HTML page saved from a browser (the visible text of the
article's body), split into paragraphs and sentences (pysbd).

What is read here is written next to the draft as its source text, and every quotation the draft gives is a
sentence of it, so `dipsim validate` checks each one verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from sim.io.files import OutputError
from sim.scenario.limits import (
    MAX_SOURCE_BYTES as MAX_ARTICLE_BYTES,  # the largest source a scenario may name
)


class DraftError(OutputError):
    """An article that cannot be read, or a draft that may not be written: one line says which and why."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its text (verbatim, a substring of the article's text), the article's number
    (0 for the first) and its place among the article's sentences."""

    text: str
    article: int
    number: int


@dataclass(frozen=True)
class Article:
    """An article's plain text, where it came from, and its sentences."""

    path: Path
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def title(self) -> str:
        """The first line of the text (a headline, usually)."""
        return next((line.strip() for line in self.text.splitlines() if line.strip()), self.path.stem)


def read_article(path: Path, number: int = 0) -> Article:
    """The article at ``path`` (plain text, or HTML when it looks like a page), or `DraftError` saying why not."""
    path = Path(path)
    if not path.exists():
        raise DraftError(f"{path}: no such file")
    if not path.is_file():
        raise DraftError(f"{path}: not a file")
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        raise DraftError(f"{path}: larger than {MAX_ARTICLE_BYTES // (1024 * 1024)} MiB; is it an article?")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise DraftError(f"{path}: not a text or HTML file (it holds binary data)")
    is_html = path.suffix.lower() in (".html", ".htm", ".xhtml") or re.match(
        rb"\s*(<!doctype html|<html|<\?xml)", raw[:1024], re.IGNORECASE) is not None
    text = _decode(raw, path, is_html)
    if is_html:
        text = html_text(text)
        if not text.strip():
            raise DraftError(f"{path}: no article text found in this HTML page (is it the saved page of an article?)")
    text = _tidy(text)
    if len(text.split()) < 5:
        raise DraftError(f"{path}: too little text to read ({len(text.split())} words)")
    return Article(path, text, tuple(Sentence(s, number, i) for i, s in enumerate(sentences(text))))


def _decode(raw: bytes, path: Path, is_html: bool) -> str:
    encodings = ["utf-8-sig"]
    if is_html:
        declared = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", raw[:4096], re.IGNORECASE)
        if declared:
            encodings.insert(0, declared.group(1).decode("ascii").lower())
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise DraftError(f"{path}: cannot read it as text (not UTF-8{', nor its declared charset' if is_html else ''}); "
                     "save the article as UTF-8 text")


def _tidy(text: str) -> str:
    """Lines stripped of trailing spaces, at most one blank line in a row, no blank start or end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# ---------------------------------------------------------------------------------------------- HTML

#: Elements whose text is never part of an article's body.
_SKIP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "button",
         "iframe", "select", "textarea", "figure", "menu", "dialog", "head", "object"}
#: Elements that end a paragraph.
_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br",
           "blockquote", "tr", "table", "dd", "dt", "pre", "hr", "figcaption", "body", "title"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
#: Classes that hide an element from a reader (a page's style sheet hides them; the draft does not read the
#: style sheet, so it knows the common ones): "hidden", Bootstrap's "d-none", "invisible" and "sr-only",
#: "visually-hidden", WordPress's "screen-reader-text" ...
HIDING_CLASSES = {"hidden", "is-hidden", "invisible", "d-none", "sr-only", "visually-hidden", "visuallyhidden",
                  "screen-reader-text", "element-invisible"}


def is_hidden(attributes: dict[str, str | None]) -> bool:
    """Whether an element's attributes hide it from a reader: ``hidden``, ``aria-hidden="true"``, an inline
    style ``display: none`` or ``visibility: hidden``, or a hiding class (`HIDING_CLASSES`)."""
    style = re.sub(r"\s+", "", attributes.get("style") or "").lower()
    classes = set((attributes.get("class") or "").lower().split())
    return ("hidden" in attributes or (attributes.get("aria-hidden") or "").strip().lower() == "true"
            or "display:none" in style or "visibility:hidden" in style or bool(classes & HIDING_CLASSES))


class _Visible(HTMLParser):
    """The visible text of a page, kept apart for <article>, <main> and the whole <body>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []   # (tag, hidden)
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": [], "h1": []}
        self.inside = {"article": 0, "main": 0, "h1": 0}

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs) -> None:
        hidden = tag in _SKIP or is_hidden(dict(attrs))
        if tag in _BLOCKS:
            self._emit("\n\n")
        if tag in _VOID:
            return
        self.stack.append((tag, hidden))
        if tag in self.inside:
            self.inside[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            top, _ = self.stack.pop()
            if top in self.inside:
                self.inside[top] -= 1
            if top == tag:
                break
        if tag in _BLOCKS:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self._emit(re.sub(r"\s+", " ", data))

    def _emit(self, text: str) -> None:
        if self._hidden() and text.strip():
            return
        self.parts["body"].append(text)
        for where, depth in self.inside.items():
            if depth:
                self.parts[where].append(text)


def html_text(page: str) -> str:
    """The visible text of an article's page: its <article> element (with the page's <h1> headline when the
    article lacks one), else its <main>, else its <body>; scripts, menus, headers, footers and hidden
    elements left out; one paragraph per block."""
    parser = _Visible()
    parser.feed(page)
    parser.close()

    def joined(where: str) -> str:
        text = "".join(parser.parts[where])
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
        return "\n\n".join(p for p in paragraphs if p)

    for where in ("article", "main", "body"):
        text = joined(where)
        if len(text.split()) >= 20 or (where == "body" and text):
            headline = joined("h1")
            if where != "body" and headline and headline not in text:
                text = f"{headline}\n\n{text}"
            return text
    return ""


# ------------------------------------------------------------------------------------------ sentences

@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each a verbatim substring of it (stripped). A paragraph (a block between
    blank lines, or a line of its own such as a headline) never runs into the next."""
    found = []
    for paragraph in _paragraphs(text):
        if not paragraph:
            continue
        parts = [s.strip() for s in _segmenter().segment(paragraph)]
        if not all(p in paragraph for p in parts):    # pysbd changed something: keep the paragraph whole
            parts = [paragraph]
        found += [p for p in parts if p]
    return found


def _paragraphs(text: str) -> list[str]:
    """The blocks of ``text`` between blank lines, a block cut after a line that ends a sentence or is a
    headline (title case), so that a headline or a dateline never runs into the text below it; a line
    wrapped mid-sentence stays joined to the next."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in block.split("\n"):
            current.append(line)
            if re.search(r"[.!?:\"”’)\d]\s*$", line) or _headline(line):
                found.append("\n".join(current).strip())
                current = []
        found.append("\n".join(current).strip())
    return [p for p in found if p]


def _headline(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha()]
    return 0 < len(words) <= 20 and sum(w[0].isupper() for w in words) >= 0.6 * len(words) and len(words) > 2
