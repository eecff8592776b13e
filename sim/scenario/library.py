"""The bundled scenarios: where they live, their names and titles, how `dipsim list` groups them, and
the file a scenario reference (a path or a bundled name) names.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from sim.scenario.limits import MAX_FILE_BYTES
from sim.scenario.reading import _Checker, _read_text, _toml
from sim.scenario.spec import ScenarioError


def _bundled_dir() -> Path:
    """Where the bundled scenarios live: the repository's top-level ``scenarios/`` folder.

    The wheel ships that folder inside the package as ``sim/scenarios`` (pyproject.toml maps it there), so
    an installed dipsim finds it with `importlib.resources`; a checkout (run in place or installed with
    ``pip install -e``) has it beside the package. Scenario sources must be regular files inside their
    scenario's folder, so only a folder on disk will do (not a zipped package).
    """
    shipped = importlib.resources.files("sim") / "scenarios"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped.resolve()
    return Path(__file__).resolve().parent.parent.parent / "scenarios"


#: Where the bundled scenarios live (see `_bundled_dir`).
BUNDLED_DIR = _bundled_dir()


def bundled() -> list[tuple[str, str, Path]]:
    """The bundled scenarios as ``(name, title, path)``, sorted by name."""
    found = []
    for path in sorted(BUNDLED_DIR.glob("*.toml")):
        check = _Checker({}, str(path))
        try:
            title = _toml(_read_text(path, MAX_FILE_BYTES, check, ""), check).get("scenario", {}).get("title", "")
        except ScenarioError:
            title = "(unreadable)"
        found.append((path.stem, str(title), path))
    return found


#: How `dipsim list` groups the library, by the file name's prefix.
LIBRARY_GROUPS = (("baseline", "the article"), ("history", "history"), ("whatif", "what-ifs"),
                  ("classic", "classics"))


def library_group(name: str) -> str:
    """The group of a bundled scenario: the article, history, what-ifs, classics (or other)."""
    return next((group for prefix, group in LIBRARY_GROUPS if name.split("-")[0] == prefix), "other")


def resolve(ref: str | Path, relative_to: Path | None = None) -> Path:
    """The file a scenario reference names: a path (relative to ``relative_to``) or a bundled name."""
    text = str(ref)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    if not text.endswith(".toml") and "/" not in text:
        candidates.append(BUNDLED_DIR / f"{text}.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    names = ", ".join(name for name, _, _ in bundled())
    raise ScenarioError(text, "", f"no such scenario file or bundled scenario (bundled: {names})")
