"""Writing a draft: the scenario file and, in ``sources/`` beside it, the text of each article it quotes,
never over a file dipsim did not write.

The scenario is refused if it exists, unless ``force`` is given and it is a draft nobody has edited (its
last line is the signature of `sim.io.files.sign`). A source text is written if missing, left alone if it
already holds the same text, and replaced only with ``force`` when the draft being replaced names it and
records its checksum; otherwise the draft is refused, naming the file, before anything is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from sim.draft.articles import DraftError
from sim.draft.drafting import Draft, draft
from sim.draft.writing import draft_toml, source_checksum
from sim.io.files import sign, unedited, write_file
from sim.scenario import ScenarioError

#: A scenario name, as `dipsim new` and the scenario format accept it.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_ACTOR_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def parse_ids(text: str, option: str, command: str) -> list[str]:
    """``A,B,C`` as actor ids, or `ScenarioError` naming the option."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    bad = [i for i in ids if not _ACTOR_ID.fullmatch(i)]
    if bad or not ids:
        raise ScenarioError(command, option, f"expected actor ids (letters, digits and _, starting with a letter) "
                            f"separated by commas, got {text!r}")
    if len(set(ids)) < len(ids):
        raise ScenarioError(command, option, f"an actor is named twice in {text!r}")
    return ids


def default_name(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(path).stem).strip("-._") or "draft"
    return name[:64] if name[0].isalnum() else f"draft-{name}"[:64]


def write_draft(articles: Sequence[Path], *, name: str | None = None, sides: str | None = None,
                aliases: Path | None = None, out: Path | None = None, force: bool = False) -> tuple[Path, Draft]:
    """Draft a scenario from ``articles`` and write it (see the module's docstring); return its path and the
    draft."""
    from sim.scenario import load

    name = name or default_name(Path(out) if out else articles[0])
    if not NAME.fullmatch(name):
        raise ScenarioError("dipsim draft", "--name", f"expected letters, digits, '-', '_' or '.' (at most 64), "
                            f"got {name!r}")
    chosen = parse_ids(sides, "--sides", "dipsim draft") if sides else None
    if chosen is not None and len(chosen) != 2:
        raise ScenarioError("dipsim draft", "--sides", f"expected two different actor ids A,B, got {sides!r}")
    target = Path(out) if out else Path(f"{name}.toml")
    previous = _replaceable(target, force)
    result = draft(articles, name, chosen, aliases)
    folder = target.parent
    sources = [f"sources/{name}-{i + 1}.txt" for i in range(len(result.articles))]
    changed = []                                  # the source texts to write: missing, or to be replaced
    for article, source in zip(result.articles, sources, strict=True):
        path = folder / source
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise DraftError(f"{path}: not a regular file; choose another --name or --out")
        if path.exists():
            current = path.read_bytes()
            if current == article.text.encode():
                continue
            if not (force and previous is not None
                    and source_checksum(source, current.decode(errors="replace")) in previous):
                raise DraftError(f"{path}: already exists and dipsim draft did not write it (or it was edited); "
                                 "choose another --name or --out")
        changed.append((path, article.text))
    text = sign(draft_toml(result, sources, load("baseline").rules), "dipsim draft")
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for path, article_text in changed:
        write_file(path, article_text)
    write_file(target, text)
    return target, result


def _replaceable(target: Path, force: bool) -> str | None:
    """The text of an existing draft that ``force`` may replace (None when there is none); `DraftError` when
    the target may not be written."""
    if not (target.exists() or target.is_symlink()):
        return None
    if not force:
        raise DraftError(f"{target}: already exists; use --force to replace it, or --out to choose another")
    if target.is_symlink() or not target.is_file() or target.stat().st_size > 8 << 20:
        raise DraftError(f"{target}: not a draft dipsim wrote; --force replaces only an unedited draft")
    text = target.read_text(encoding="utf-8", errors="replace")
    if not unedited(text, "dipsim draft"):
        raise DraftError(f"{target}: not a file dipsim draft wrote, or edited since; --force replaces only an "
                         "unedited draft, choose another --out")
    return text


def relative(path: Path) -> str:
    return os.path.relpath(path)
