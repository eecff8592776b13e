"""Reading untrusted input: a file (a regular one, of limited size, in UTF-8), TOML text, and the typed
values of raw TOML tables (`_Checker`). Every failure is a `ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from sim.rules.base import listing, shown
from sim.scenario.limits import MAX_ID, MAX_LABEL
from sim.scenario.spec import ScenarioError

_MISSING = object()


class _Checker:
    """Typed reads of raw TOML tables that fail with the file and the dotted field."""

    def __init__(self, origins: Mapping[str, str], where: str) -> None:
        self.origins, self.default = origins, where

    def where(self, path: str) -> str:
        parts = path.split(".")
        for end in range(len(parts), 0, -1):
            found = self.origins.get(".".join(parts[:end]))
            if found:
                return found
        return self.default

    def fail(self, path: str, message: str) -> NoReturn:
        raise ScenarioError(self.where(path), path, message)

    def table(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a table, got {shown(value)}")
        return value

    def tables(self, value: Any, path: str) -> list[dict]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(path, f"expected an array of tables ([[{path}]])")
        return value

    def keys(self, table: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        """Every key of ``table`` among ``allowed`` (a misspelt one named with the closest allowed key), and
        every ``required`` key there."""
        allowed, required = tuple(allowed), tuple(required)
        for key in table:
            if key not in allowed:
                self.fail(f"{path}.{key}", f"{unknown_key(key, allowed)}; expected one of {', '.join(allowed)}")
        for key in required:
            if key not in table:
                also = f" (required here: {', '.join(required)})" if len(required) > 1 else ""
                self.fail(f"{path}.{key}", f"missing required key {key!r}{also}")

    def number(self, table: Mapping[str, Any], key: str, path: str, lo: float, hi: float,
               default: Any = _MISSING) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:  # and not NaN
            self._wrong(value, key, path, f"a number in [{lo:g}, {hi:g}]")
        return float(value)

    def integer(self, table: Mapping[str, Any], key: str, path: str, lo: int, hi: int,
                default: Any = _MISSING) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self._wrong(value, key, path, f"a whole number in [{lo}, {hi}]")
        return value

    def string(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
               choices: Collection[str] = (), most: int = MAX_LABEL) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (choices and value not in choices):
            self._wrong(value, key, path, f"one of {', '.join(choices)}" if choices else "a string")
        self._length(value, key, path, most)
        return value

    def strings(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
                most: int = MAX_LABEL) -> tuple[str, ...]:
        value = table.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._wrong(value, key, path, "a list of strings")
        for text in value:
            self._length(text, key, path, most)
        return tuple(value)

    def _wrong(self, value: Any, key: str, path: str, expected: str) -> NoReturn:
        """Fail on ``value`` (``_MISSING`` for a required key not given) where ``expected`` was."""
        if value is _MISSING:
            self.fail(f"{path}.{key}", f"missing required key {key!r}; expected {expected}")
        self.fail(f"{path}.{key}", f"expected {expected}, got {shown(value)}")

    def _length(self, text: str, key: str, path: str, most: int) -> None:
        if len(text) > most:
            self.fail(f"{path}.{key}", f"expected at most {most} characters, got {len(text)}")

    def name(self, table: Mapping[str, Any], key: str, path: str, form: tuple[re.Pattern, str]) -> str:
        """An id or name: at most MAX_ID characters of the ``form`` (a pattern matched whole and its words)."""
        value = table.get(key, _MISSING)
        pattern, words = form
        if not isinstance(value, str) or len(value) > MAX_ID or not pattern.fullmatch(value):
            self._wrong(value, key, path, f"{words}, at most {MAX_ID} characters")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {shown(value)}")
        return value

    def actor(self, table: Mapping[str, Any], key: str, path: str, known: Collection[str]) -> str:
        """The id of an actor in ``known`` (a dict or a set, to look it up at once)."""
        value = table.get(key, _MISSING)
        if not isinstance(value, str) or value not in known:
            got = f"missing required key {key!r}" if value is _MISSING else f"unknown actor {shown(value)}"
            self.fail(f"{path}.{key}", f"{got}; expected one of {listing(known)}")
        return value


def unknown_key(key: Any, allowed: Iterable[str]) -> str:
    """``unknown key 'KEY'``, with the closest of the ``allowed`` keys if it looks like a misspelling of one."""
    return f"unknown key {shown(key)}{did_you_mean(key, allowed)}"


def did_you_mean(name: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'CHOICE'?)`` for the closest of ``choices`` to the misspelt ``name``, or nothing."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6) if isinstance(name, str) else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_text(path: Path, limit: int, check: _Checker, field: str) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes, or a ScenarioError on ``field``.

    The file is opened without blocking and looked at before it is read: a FIFO, a device or a folder is
    refused, and no more than ``limit`` bytes are read (a file in /proc says it has none).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as err:               # ValueError: a NUL in the path
        check.fail(field, f"cannot read {path} ({getattr(err, 'strerror', None) or err})")
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            check.fail(field, f"{path} is not a regular file")
        data = file.read(limit + 1)
    _check_size(len(data), limit, check, field)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        check.fail(field, f"cannot read {path} ({err})")


def _check_size(size: int, limit: int, check: _Checker, field: str) -> None:
    if size > limit:
        check.fail(field, f"larger than {limit // 2**20} MiB")


def _toml(text: str, check: _Checker) -> dict:
    try:
        return tomllib.loads(text)
    except RecursionError:                  # tomllib recurses into nested arrays and inline tables
        check.fail("", "not valid TOML: nested too deeply")
    except ValueError as err:               # TOMLDecodeError, or an integer of more than 4,300 digits
        check.fail("", f"not valid TOML: {err}")
