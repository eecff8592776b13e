"""A run directory loaded for reading: its tables as pandas DataFrames, its scenario and its summary.

`RunData` is what the plots (`sim.viz`) and the report (`sim.report.pages`) read. It holds the files of a
run as written by `sim.io.runfiles` and derives what both need: each field as a day-by-actor table, the
coalitions each actor is in, the ceasefires (when, brokered by whom, how they ended) and the mediation
threshold. It never changes a run directory. `ExperimentData` reads an ensemble's or a sweep's directory,
`StudyData` a sensitivity study's.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.fields import FIELDS, LARGEST, RANGES
from sim.core.outcomes import coalition_of
from sim.core.records import ARRIVALS, ENDINGS, Ceasefire, Happening
from sim.io.files import OutputError
from sim.io.tables import (
    EXPERIMENT_TABLES,
    INDICES_COLUMNS,
    METHOD_INDICES,
    QUANTILE_COLUMNS,
    RUN_FILES,
    experiment_columns,
    run_tables,
)
from sim.roles import Role, channel_holders, roles
from sim.scenario import Scenario, ScenarioError, loads

#: Columns of text; every other column of a table holds numbers.
TEXT_COLUMNS = frozenset({"date", "actor", "field", "rule", "kind", "actors", "note", "tie", "source", "target", "broker",
                          "brokers", "came", "ended_by"})
#: Columns whose cells may be blank (no number): the measures that are NaN when there is nothing to measure,
#: and the end of a ceasefire still in force.
MAY_BE_BLANK = frozenset({"friendly_share", "balance_index", "end"})


class _Cast:
    """Who is in the scenario behind a run or an experiment."""

    scenario: Scenario

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return self.scenario.actor_ids

    @property
    def sides(self) -> tuple[str, str]:
        return self.scenario.sides

    @cached_property
    def _names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.scenario.actors}

    def name(self, actor: str) -> str:
        """The actor's name as the scenario gives it (its id when it has none or is unknown)."""
        return self._names.get(actor, actor)


@dataclass(frozen=True)
class RunData(_Cast):
    """The files of one run, read: the tables, the resolved scenario and ``summary.json``."""

    scenario: Scenario
    summary: dict
    timeseries: pd.DataFrame
    model: pd.DataFrame
    contributions: pd.DataFrame
    events: pd.DataFrame
    ceasefire_table: pd.DataFrame
    ties: pd.DataFrame
    directory: Path | None = field(default=None, compare=False)

    # ------------------------------------------------------------------------------ loading

    @classmethod
    def from_files(cls, files: Mapping[str, str | bytes], directory: Path | None = None) -> RunData:
        """A run from its files' contents (as `sim.io.runfiles.run_files` returns them, or as read from disk)."""
        where = str(directory) if directory is not None else "<run>"
        text = _reader(files, where, "run directory")
        summary, scenario = _summary_and_scenario(text, where, "run directory")
        _check_summary(summary, scenario, where)
        tables = {}
        for name, columns in run_tables(scenario.sides).items():
            if name == "contributions.csv" and name not in files:
                tables[name] = pd.DataFrame({c: pd.Series(dtype=float if c == "change" else object)
                                             for c in columns})
                continue
            tables[name] = _table(text(name), name, columns, where)
        run = cls(scenario=scenario, summary=summary, timeseries=tables["timeseries.csv"],
                  model=tables["model.csv"], contributions=tables["contributions.csv"],
                  events=tables["events.csv"], ceasefire_table=tables["ceasefires.csv"], ties=tables["ties.csv"],
                  directory=directory)
        problem = run._problem("contributions.csv" in files)
        if problem:
            raise OutputError(f"{where}: damaged run directory ({problem})")
        return run

    @classmethod
    def load(cls, directory: str | Path) -> RunData:
        """Read the run directory ``directory``; `OutputError` if it is not a complete, sound one."""
        directory = Path(directory)
        files = _files(directory, RUN_FILES)
        missing = [name for name in ("summary.json", "scenario.toml") if name not in files]
        if missing:
            raise OutputError(f"{directory}: not a dipsim run directory (no {missing[0]})")
        return cls.from_files(files, directory)

    def _problem(self, contributions: bool) -> str | None:
        """What is wrong with the tables, read together (None: nothing): a row for every actor (and every
        tie, between actors of the scenario) on every day, day by day, in the order dipsim writes them;
        fields in their ranges; no unknown actor, field or day; and (when ``contributions`` were recorded)
        each field's change over the run the sum of its recorded contributions."""
        ids, days = list(self.actor_ids), self.steps + 1
        series = self.timeseries
        if not _day_by_day(series, "actor", days, np.array(ids, dtype=object)):
            return f"timeseries.csv: expected a row for each of the {len(ids)} actors on each day 0 to {days - 1}"
        if list(self.model["step"]) != list(range(days)):
            return f"model.csv: expected a row for each day 0 to {days - 1}"
        for name in FIELDS:
            low, high = RANGES[name]
            outside = ~series[name].between(low, high)
            if outside.any():
                row = series[outside].iloc[0]
                return (f"timeseries.csv: {name} of {row['actor']} on day {row['step']} is {row[name]:g}, "
                        f"outside [{low:g}, {high:g}]")
        ties = self.ties
        first = ties.iloc[:len(ties) // max(days, 1)]
        if not _day_by_day(ties, "tie", days, first["tie"].to_numpy()) or first["tie"].duplicated().any() \
                or not (first["source"].isin(ids) & first["target"].isin(ids)).all():
            return f"ties.csv: expected each tie, between actors of the scenario, once on each day 0 to {days - 1}"
        moves = self.contributions
        if not moves["actor"].isin(ids).all() or not moves["field"].isin(FIELDS).all() \
                or not moves["step"].between(0, days - 1).all():
            return "contributions.csv: a row of an unknown actor, field or day"
        if not self.events["step"].between(0, days - 1).all():
            return f"events.csv: an event outside the days 0 to {days - 1}"
        problem = self._ceasefire_problem(days)
        if problem:
            return problem
        if contributions:
            return _unaccounted(series, moves, ids)
        return None

    def _ceasefire_problem(self, days: int) -> str | None:
        """What is wrong with ``ceasefires.csv`` (None: nothing): each row a ceasefire within the run, in
        order, each ending before the next comes, only the last one in force, and as many as ``model.csv``
        counts."""
        table = self.ceasefire_table
        if not (table["came"].isin(ARRIVALS).all() and table["ended_by"].isin(("", *ENDINGS)).all()):
            return (f"ceasefires.csv: came must be one of {', '.join(ARRIVALS)}, ended_by one of {', '.join(ENDINGS)}"
                    " or blank")
        found = self.ceasefires
        previous = 0
        for k, c in enumerate(found):
            end = days - 1 if c.end is None else c.end
            if not previous <= c.start <= end <= days - 1 or (c.end is None) != (c.ended_by is None) \
                    or (c.end is None and k < len(found) - 1):
                return f"ceasefires.csv: ceasefire {k + 1} does not fit the run's days or the one before it"
            previous = end
        counted = int(self.model["ceasefire_count"].iloc[-1]), int(self.model["breakdowns"].iloc[-1])
        if (len(found), sum(c.end is not None for c in found)) != counted:
            return f"ceasefires.csv: {len(found)} ceasefires, but model.csv counts {counted[0]}"
        return None

    # ------------------------------------------------------------------------------ who is who

    @property
    def mediators(self) -> tuple[str, ...]:
        """Every actor that is not one of the two sides."""
        return tuple(a for a in self.actor_ids if a not in self.sides)

    @property
    def steps(self) -> int:
        """The last day of the run (day 0 is the start)."""
        return int(self.summary["steps"])

    @property
    def seed(self) -> int:
        return int(self.summary["seed"])

    def names(self, text: str) -> str:
        """``text`` with every actor id that stands as a word replaced by the actor's name (a name already
        written out stays as it is: "OSCE (Minsk Group)" does not become "OSCE (Minsk Group) (Minsk Group)")."""
        ids = set(self.actor_ids)
        return self._id_pattern.sub(lambda m: self.name(m.group(1)) if m.group(1) in ids else m.group(1), text)

    @cached_property
    def _id_pattern(self) -> re.Pattern:
        words = sorted({*self.actor_ids, *(self.name(a) for a in self.actor_ids)}, key=len, reverse=True)
        return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_])")

    # ------------------------------------------------------------------------------ tables

    def field(self, name: str) -> pd.DataFrame:
        """One field (a ``timeseries.csv`` column) as a table: a row per day, a column per actor (the file
        holds, as the loader checks, each day in turn and on it each actor in the scenario's order)."""
        ids = list(self.actor_ids)
        days = self.timeseries["step"].to_numpy()[::len(ids)]
        return pd.DataFrame(self.timeseries[name].to_numpy().reshape(len(days), len(ids)),
                            index=pd.Index(days, name="step"), columns=pd.Index(ids, name="actor"))

    def measure(self, name: str) -> pd.Series:
        """One ``model.csv`` column, indexed by day."""
        return self.model.set_index("step")[name].sort_index()

    def intensity(self, side: str) -> pd.Series:
        """A side's intensity of fighting, indexed by day."""
        column = f"intensity_{side}"
        if column in self.model.columns:
            return self.measure(column)
        return self.field("intensity")[side]

    @cached_property
    def sources(self) -> tuple[str, ...]:
        """What can move a field, in the engine's order: scenario events, each rule (by id), limits."""
        found = ("events", *(r.id for r in self.scenario.rules), "limits")
        extra = sorted(set(self.contributions["rule"].unique()) - set(found))
        return (*found, *extra)

    @cached_property
    def _rules(self) -> dict[str, str]:
        return {r.id: r.rule for r in self.scenario.rules}

    def rule_of(self, source: str) -> str:
        """The rule a source is an instance of (``influence`` for a rule with id ``influence-2``)."""
        return self._rules.get(source, source)

    def totals(self, field_name: str = "alignment") -> pd.DataFrame:
        """Each source's total contribution to ``field_name`` over the run: a row per actor, a column per source."""
        sums = self._sums[self._sums.index.get_level_values("field") == field_name].droplevel("field")
        table = sums.unstack("rule", fill_value=0.0) if len(sums) else pd.DataFrame()
        return table.reindex(index=list(self.actor_ids), columns=list(self.sources), fill_value=0.0).fillna(0.0)

    @cached_property
    def _sums(self) -> pd.Series:
        """Each source's total contribution to each field of each actor (the rows of every `totals`)."""
        return self.contributions.groupby(["field", "actor", "rule"])["change"].sum()

    def moved_most(self, field_name: str = "alignment", most: int = 8) -> list[str]:
        """The ``most`` actors that moved most in ``field_name``, most first.

        Ranked by the sum over sources of each source's |total| with random noise left out (noise moves
        everyone a little every day and mostly cancels); actors nothing moved are left out.
        """
        totals = self.totals(field_name)
        steady = [s for s in totals.columns if self.rule_of(s) != "noise"]
        score = (totals[steady] if steady else totals).abs().sum(axis=1)
        score = score[score > 1e-9]          # in the scenario's order, which the stable sort keeps for ties
        return sorted(score.index, key=lambda a: -round(float(score[a]), 12))[:most]

    # ------------------------------------------------------------------------------ outcomes

    @property
    def threshold(self) -> float | None:
        """The mediation rule's threshold of willingness (None when the scenario has no mediation rule)."""
        for spec in self.scenario.rules:
            if spec.rule == "mediation":
                return float(spec.params["threshold"])
        return None

    def coalitions(self, when: str = "end") -> list[list[str]]:
        """The coalitions of the lowest-energy configuration (landscape theory) at the start or the end."""
        found = self.summary.get("coalitions", {}).get(when) or []
        return [list(group) for group in found[0]["coalitions"]] if found else [list(self.actor_ids)]

    def coalition_of(self, when: str = "end") -> dict[str, int]:
        """Which coalition (an index into `coalitions`) each actor is in."""
        groups = self.coalitions(when)
        found = coalition_of(groups)
        return {a: found.get(a, len(groups)) for a in self.actor_ids}

    def roles(self, when: str = "end") -> dict[str, Role]:
        """What each actor does on the first or the last day (`sim.roles`): the side it backs, or none, and
        whether it mediates."""
        alignment = self.field("alignment")
        day = alignment.index[0 if when == "start" else -1]
        ties = self.ties[(self.ties["step"] == day) & (self.ties["active"] == 1)]
        return roles(self.sides, alignment.loc[day].to_dict(), self.field("ceasefire").loc[day].to_dict(),
                     channel_holders(ties.itertuples(index=False)))

    @cached_property
    def happenings(self) -> tuple[Happening, ...]:
        """Every row of ``events.csv``, in order."""
        return tuple(Happening(0, str(r.kind), tuple(str(r.actors).split()), str(r.note), int(r.step))
                     for r in self.events.itertuples(index=False))

    def event_marks(self) -> list[tuple[int, int, str]]:
        """The numbered event markers of the plots: ``(number, day, what)``, one per day with a scenario
        event or a tie change (ceasefires and breakdowns are marked apart); several on one day share a number."""
        days: dict[int, list[str]] = {}
        for h in self.happenings:
            if h.kind in ("event", "tie"):
                days.setdefault(h.step, []).append(self.names(h.note))
        return [(k + 1, day, "; ".join(notes)) for k, (day, notes) in enumerate(sorted(days.items()))]

    @cached_property
    def ceasefires(self) -> tuple[Ceasefire, ...]:
        """Every ceasefire of the run, in order (``ceasefires.csv``, the engine's one record of them)."""
        return tuple(Ceasefire(start=int(r.start), end=None if r.end != r.end else int(r.end), broker=r.broker or None,
                               brokers=tuple(r.brokers.split()), came=r.came, ended_by=r.ended_by or None,
                               note=r.note)
                     for r in self.ceasefire_table.itertuples(index=False))


def load_run(directory: str | Path) -> RunData:
    """Read the run directory ``directory`` (see `RunData.load`)."""
    return RunData.load(directory)


def _files(directory: Path, names: tuple[str, ...], kind: str = "run directory") -> dict[str, bytes]:
    """The contents of the files ``names`` that ``directory`` holds (`OutputError` when it is no directory)."""
    if not directory.is_dir():
        raise OutputError(f"{directory}: not a dipsim {kind} (no such directory)")
    return {name: (directory / name).read_bytes() for name in names if (directory / name).is_file()}


def _reader(files: Mapping[str, str | bytes], where: str, kind: str):
    """A function that gives a file of ``files`` as text, or fails (`OutputError`) saying which is missing
    or not UTF-8 text."""
    def text(name: str) -> str:
        content = files.get(name)
        if content is None:
            raise OutputError(f"{where}: not a complete dipsim {kind} (no {name})")
        try:
            return content.decode("utf-8") if isinstance(content, bytes) else content
        except UnicodeDecodeError:
            raise OutputError(f"{where}: damaged {kind} ({name} is not UTF-8 text)") from None

    return text


def _summary_and_scenario(text, where: str, kind: str) -> tuple[dict, Scenario]:
    """``summary.json`` and ``scenario.toml`` read with ``text`` (see `_reader`), or `OutputError`."""
    try:
        summary = json.loads(text("summary.json"))
    except json.JSONDecodeError as err:
        raise OutputError(f"{where}: damaged {kind} (summary.json: {err})") from None
    try:
        return summary, loads(text("scenario.toml"), f"{where}/scenario.toml")
    except ScenarioError as err:
        raise OutputError(f"{where}: damaged {kind} ({err})") from None


def _check_summary(summary, scenario: Scenario, where: str) -> None:
    """Fail (`OutputError`) unless ``summary.json`` holds what is read from it, of the right kinds."""
    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    def split(found) -> bool:           # a minimum: {"energy": number, "coalitions": [[actor, ...], ...]}
        groups = found.get("coalitions") if isinstance(found, dict) else None
        return isinstance(groups, list) and all(isinstance(g, list) and set(g) <= set(scenario.actor_ids)
                                                for g in groups) and _is_number(found.get("energy"))

    problem = None
    if not isinstance(summary, dict):
        problem = "expected a JSON object"
    elif not whole(summary.get("steps")) or not whole(summary.get("seed")):
        problem = "expected steps and seed, whole numbers"
    elif not isinstance(summary.get("coalitions"), dict) or not all(
            isinstance(summary["coalitions"].get(when), list) and all(map(split, summary["coalitions"][when]))
            for when in ("start", "end")):
        problem = "expected coalitions at the start and the end"
    elif not isinstance(summary.get("outcomes"), dict) or not isinstance(summary["outcomes"].get("brokers", []), list):
        problem = "expected outcomes, with a list of brokers"
    elif not isinstance(summary.get("manifest", {}), dict):
        problem = "expected a manifest, a JSON object"
    if problem:
        raise OutputError(f"{where}: damaged run directory (summary.json: {problem})")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= LARGEST


def _day_by_day(table: pd.DataFrame, column: str, days: int, each: np.ndarray) -> bool:
    """Whether ``table`` holds, for each day 0 to ``days - 1`` in turn, one row for each of ``each`` (its
    ``column``), in that order."""
    values = table[column].to_numpy()
    if len(values) != days * len(each):
        return False
    return bool((values.reshape(days, len(each)) == each).all()
                and (table["step"].to_numpy().reshape(days, len(each)) == np.arange(days)[:, None]).all())


def _unaccounted(series: pd.DataFrame, moves: pd.DataFrame, ids: list[str]) -> str | None:
    """Which field's change over the run its recorded contributions do not add up to (None: each does,
    to the 10 digits the files keep). ``series``: `_day_by_day` over ``ids``. Day 0 is recorded after its
    events, so theirs are left out."""
    moves = moves[moves["step"] > 0]
    shape = (len(ids), len(FIELDS))
    slot = (pd.Categorical(moves["actor"], ids).codes.astype(np.int64) * len(FIELDS)
            + pd.Categorical(moves["field"], FIELDS).codes)
    summed, scale = (np.bincount(slot, weights=w, minlength=shape[0] * shape[1]).reshape(shape)
                     for w in (moves["change"].to_numpy(), moves["change"].abs().to_numpy()))
    values = series[list(FIELDS)].to_numpy()
    first, last = values[:len(ids)], values[-len(ids):]
    wrong = np.argwhere(np.abs(last - first - summed) > 1e-8 * (np.abs(first) + np.abs(last) + scale) + 1e-9)
    if not len(wrong):
        return None
    actor, name = ids[wrong[0][0]], FIELDS[wrong[0][1]]
    return f"contributions.csv: the recorded changes of {actor}'s {name} do not add up to its change over the run"


def _table(text: str, name: str, columns: tuple[str, ...], where: str, kind: str = "run directory") -> pd.DataFrame:
    """A CSV file of a run (or an ensemble's quantiles) read as a table: text columns as strings (blank:
    ""), every other column numbers (blank only in `MAY_BE_BLANK`), steps whole (see `_numbers`)."""
    frame = _read_table(text, name, columns, TEXT_COLUMNS, where, kind)
    _numbers(frame, [c for c in frame.columns if c not in TEXT_COLUMNS], name, where, kind, whole=("step",),
             blank=MAY_BE_BLANK)
    return frame


def _read_table(text: str, name: str, columns: tuple[str, ...], strings, where: str, kind: str) -> pd.DataFrame:
    """A whole CSV file with ``columns`` (among others) read as a table, the columns ``strings`` as strings
    (blank: ""); `OutputError` when it is not one (or is cut short)."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={c: str for c in strings}, keep_default_na=False,
                            na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise OutputError(f"{where}: damaged {kind} ({name}: {err})") from None
    if not text.endswith("\n"):
        raise OutputError(f"{where}: damaged {kind} ({name} is cut short: its last line has no end)")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise OutputError(f"{where}: damaged {kind} ({name} has no column {missing[0]!r})")
    for column in set(strings) & set(frame.columns):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def _numbers(frame: pd.DataFrame, columns, name: str, where: str, kind: str, *, whole=(), blank=()) -> None:
    """Make ``columns`` of ``frame`` numbers, or fail (`OutputError`) naming the first cell that is not one:
    those in ``whole`` whole numbers, at least 0 (of any size: seeds are large); the others no larger than
    any a run makes (`sim.core.fields.LARGEST`, so that the plots can add and scale them), blank only in ``blank``."""
    for column in columns:
        numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
        if column in whole:
            bad = ~(numbers >= 0) | (numbers % 1 != 0)
            expected = "a whole number"
        else:
            bad = ~(numbers.abs() <= LARGEST) & (frame[column].notna() if column in blank else True)
            expected = f"a number between {-LARGEST:g} and {LARGEST:g}"
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0])
            cell = frame[column].iloc[line]
            shown = "blank" if pd.isna(cell) else repr(str(cell))
            raise OutputError(f"{where}: damaged {kind} ({name} line {line + 2}: {column} is {shown}, expected "
                              f"{expected})")
        if column in whole:
            frame[column] = pd.to_numeric(frame[column]).astype("int64")   # exact, where read as whole numbers
        else:
            frame[column] = numbers


# ------------------------------------------------------------------------------------ ensembles and sweeps

def is_experiment(directory: str | Path) -> bool:
    """Whether ``directory`` holds an ensemble's or a sweep's results (by its files)."""
    directory = Path(directory)
    return any((directory / name).is_file() for name in EXPERIMENT_TABLES)


@dataclass(frozen=True)
class ExperimentData(_Cast):
    """The files of an ensemble or a sweep (`sim.experiments.conduct`), read.

    ``runs`` is ``runs.csv`` (an ensemble) or ``experiments.csv`` (a sweep), one row per run;
    ``quantiles`` is ``quantiles.csv`` (ensembles only, None otherwise); ``varied`` names the keys a
    sweep varies, in the order they were given (empty for an ensemble).
    """

    scenario: Scenario
    summary: dict
    runs: pd.DataFrame
    quantiles: pd.DataFrame | None = None
    varied: tuple[str, ...] = ()
    directory: Path | None = field(default=None, compare=False)

    # ------------------------------------------------------------------------------ loading

    @classmethod
    def from_files(cls, files: Mapping[str, str | bytes], directory: Path | None = None) -> ExperimentData:
        """An experiment from its files' contents (``summary.json``, ``scenario.toml``, the runs table and,
        for an ensemble, ``quantiles.csv``)."""
        where = str(directory) if directory is not None else "<experiment>"

        text = _reader(files, where, "ensemble or sweep directory")
        table = next((name for name in EXPERIMENT_TABLES if name in files), None)
        if table is None:
            raise OutputError(f"{where}: not a dipsim ensemble or sweep directory (no runs.csv or experiments.csv)")
        missing = [name for name in ("summary.json", "scenario.toml") if name not in files]
        if missing:
            raise OutputError(f"{where}: not a complete dipsim ensemble or sweep directory (no {missing[0]})")
        summary, scenario = _summary_and_scenario(text, where, "ensemble or sweep directory")
        sweep = table == "experiments.csv"
        if sweep != ("points" in summary):
            raise OutputError(f"{where}: damaged ensemble or sweep directory ({table} does not match summary.json)")
        runs = _runs_table(text(table), table, where, scenario, sweep)
        varied: tuple[str, ...] = ()
        if sweep:
            columns = list(runs.columns)
            between = columns[columns.index("point") + 1:columns.index("run")]
            given = [k for point in summary["points"][:1] for k in point.get("levers", {})]
            varied = tuple(given if sorted(given) == sorted(between) else between)
        quantiles = None
        if "quantiles.csv" in files:
            quantiles = _table(text("quantiles.csv"), "quantiles.csv", QUANTILE_COLUMNS, where,
                               "ensemble or sweep directory")
        return cls(scenario=scenario, summary=summary, runs=runs, quantiles=quantiles, varied=varied,
                   directory=directory)

    @classmethod
    def load(cls, directory: str | Path) -> ExperimentData:
        """Read the ensemble or sweep directory ``directory``; `OutputError` if it is not one."""
        directory = Path(directory)
        names = ("summary.json", "scenario.toml", "quantiles.csv", *EXPERIMENT_TABLES)
        return cls.from_files(_files(directory, names, "ensemble or sweep directory"), directory)

    # ------------------------------------------------------------------------------ who is who

    @property
    def is_sweep(self) -> bool:
        return "points" in self.summary

    @property
    def kind(self) -> str:
        """``"ensemble"`` or ``"sweep"``."""
        return "sweep" if self.is_sweep else "ensemble"

    @property
    def steps(self) -> int:
        return int(self.scenario.steps)

    @property
    def seed(self) -> int:
        return int(self.summary.get("seed", self.scenario.seed))

    @property
    def complete(self) -> bool:
        return bool(self.summary.get("complete", True))

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished (failed runs left out), as every statistic of ``summary.json`` counts them."""
        return self.runs[self.runs["status"] == "ok"]

    # ------------------------------------------------------------------------------ ensembles

    def fan(self, actor: str, field_name: str = "alignment") -> pd.DataFrame:
        """An actor's quantiles of ``field_name`` over the runs: a row per day, columns q05 .. q95."""
        if self.quantiles is None:
            raise OutputError(f"{self.directory or '<experiment>'}: no quantiles.csv (a sweep, or no finished run)")
        rows = self.quantiles[(self.quantiles["actor"] == actor) & (self.quantiles["field"] == field_name)]
        return rows.set_index("step")[list(QUANTILE_COLUMNS[3:])].sort_index()

    def roles(self) -> dict[str, Role]:
        """What each actor does at the end, by its median over the runs (`sim.roles`); the mediation channels
        are the scenario's."""
        pressing = None
        if self.quantiles is not None and (self.quantiles["field"] == "ceasefire").any():
            pressing = {a: float(self.fan(a, "ceasefire")["q50"].iloc[-1]) for a in self.actor_ids}
        return roles(self.sides, {a: float(self.fan(a)["q50"].iloc[-1]) for a in self.actor_ids}, pressing,
                     channel_holders(self.scenario.ties))

    def first_ceasefire_days(self) -> pd.Series:
        """The first ceasefire's day of every finished run that reached one."""
        ok = self.ok
        return ok.loc[ok["ceasefire_reached"] == 1, "first_ceasefire_day"].astype(int)

    # ------------------------------------------------------------------------------ sweeps

    @property
    def points(self) -> list[dict]:
        """Each sweep point's statistics (``levers``, ``probabilities``, ...), in order."""
        return list(self.summary.get("points", []))

    def shares(self, outcome: str = "ceasefire_reached") -> pd.DataFrame:
        """Each sweep point's share of runs with ``outcome`` and its 95 % Wilson interval: a row per point,
        columns ``point``, one per varied key, ``p``, ``low``, ``high``, ``runs`` (with it) and ``runs_ok``."""
        rows = []
        for point in self.points:
            found = point["probabilities"].get(outcome)
            if found is None:
                known = ", ".join(point["probabilities"])
                raise ValueError(f"unknown outcome {outcome!r}; expected one of {known}")
            low, high = found["ci95"] if found["ci95"] is not None else (float("nan"), float("nan"))
            rows.append({"point": point["point"], **{k: point["levers"].get(k) for k in self.varied},
                         "p": float("nan") if found["p"] is None else float(found["p"]),
                         "low": float(low), "high": float(high), "runs": int(found["runs"]),
                         "runs_ok": int(point["runs_ok"])})
        return pd.DataFrame(rows, columns=["point", *self.varied, "p", "low", "high", "runs", "runs_ok"])

    @property
    def sample(self) -> str:
        """``"grid"`` when the points are every combination of each key's values (in the order
        `sim.experiments.grid_points` makes them), else ``"latin"`` (scattered points, e.g. ``--sample latin``).

        ``summary.json``'s ``sample`` is used when it says; else it is inferred from the points.
        """
        said = self.summary.get("sample")
        if said in ("grid", "latin"):
            return said
        levers = [tuple(p["levers"].get(k) for k in self.varied) for p in self.points]
        if not levers:
            return "grid"
        values = [list(dict.fromkeys(column)) for column in zip(*levers)]
        combinations = [()]
        for column in values:
            combinations = [(*c, v) for c in combinations for v in column]
        if levers != combinations:
            return "latin"
        # One key: a range A:B:N is made in order; a sample of a range almost never is.
        if len(values) == 1 and len(values[0]) > 2:
            numbers = [v for v in values[0] if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if len(numbers) == len(values[0]) and numbers not in (sorted(numbers), sorted(numbers, reverse=True)):
                return "latin"
        return "grid"


def load_experiment(directory: str | Path) -> ExperimentData:
    """Read the ensemble or sweep directory ``directory`` (see `ExperimentData.load`)."""
    return ExperimentData.load(directory)


def _runs_table(text: str, name: str, where: str, scenario: Scenario, sweep: bool) -> pd.DataFrame:
    """``runs.csv`` or ``experiments.csv``: outcomes as numbers (blank for a failed run's), ids and texts as
    strings (blank: ""), a sweep's varied keys as read."""
    strings = {"status", "first_broker", "coalitions", "error"}
    kind = "ensemble or sweep directory"
    frame = _read_table(text, name, (), strings, where, kind)
    header = list(frame.columns)
    ordered = sweep and "point" in header and "run" in header and header.index("point") < header.index("run")
    varied = header[header.index("point") + 1:header.index("run")] if ordered else []
    expected = experiment_columns(scenario.sides, scenario.actor_ids, varied if sweep else None)
    if tuple(header) != expected:
        missing = next((c for c in expected if c not in header), None)
        problem = f"has no column {missing!r}" if missing else "has other columns than dipsim writes"
        raise OutputError(f"{where}: damaged {kind} ({name} {problem})")
    whole = ("run", "seed", *(("point",) if sweep else ()))
    numeric = [c for c in header if c not in strings and c not in varied]
    _numbers(frame, numeric, name, where, kind, whole=whole, blank=numeric)
    return frame


# ------------------------------------------------------------------------------------ sensitivity studies

#: The files of a sensitivity directory that its report reads.
STUDY_FILES = ("summary.json", "design.csv", "indices.csv")


def is_study(directory: str | Path) -> bool:
    """Whether ``directory`` holds a sensitivity study, finished or not (by its files: the analysis, or the runs)."""
    directory = Path(directory)
    return any((directory / name).is_file() for name in STUDY_FILES[1:]) or (directory / "runs").is_dir()


@dataclass(frozen=True)
class StudyData:
    """The files of a finished sensitivity study (`sim.experiments.sensitivity.conduct_study`), read:
    ``summary.json``, ``design.csv`` (one row per design point) and ``indices.csv`` (the tidy indices)."""

    summary: dict
    design: pd.DataFrame
    indices: pd.DataFrame
    directory: Path | None = field(default=None, compare=False)

    kind = "sensitivity"

    @classmethod
    def from_files(cls, files: Mapping[str, str | bytes], directory: Path | None = None) -> StudyData:
        """A study from its files' contents; `OutputError` when one is missing or damaged."""
        where = str(directory) if directory is not None else "<study>"
        kind = "sensitivity directory"
        if "summary.json" not in files:
            raise OutputError(f"{where}: not a complete dipsim {kind} (no summary.json: an interrupted study; "
                              "finish it with dipsim sensitivity ... --resume)")
        text = _reader(files, where, kind)
        try:
            summary = json.loads(text("summary.json"))
        except json.JSONDecodeError as err:
            raise OutputError(f"{where}: damaged {kind} (summary.json: {err})") from None
        wanted = ("scenario", "method", "n", "seed", "runs_per_point", "points", "runs", "varied", "outcomes", "noise")
        if not isinstance(summary, dict) or any(k not in summary for k in wanted) \
                or summary["method"] not in METHOD_INDICES:
            raise OutputError(f"{where}: damaged {kind} (summary.json: expected {', '.join(wanted)})")
        names, outcomes = list(summary["varied"]), list(summary["outcomes"])
        indices = _read_table(text("indices.csv"), "indices.csv", INDICES_COLUMNS, {"parameter", "method", "outcome",
                                                                                   "index"}, where, kind)
        _numbers(indices, ["value", "conf_low", "conf_high"], "indices.csv", where, kind,
                 blank=("conf_low", "conf_high"))
        expected = {(p, o, i) for o in outcomes for p in names for i in METHOD_INDICES[summary["method"]]}
        if set(zip(indices["parameter"], indices["outcome"], indices["index"])) != expected:
            raise OutputError(f"{where}: damaged {kind} (indices.csv does not hold each index of each varied key "
                              "and outcome of summary.json)")
        columns = ("point", *names, "runs_ok", *(c for o in outcomes for c in (o, f"{o}_se")))
        design = _read_table(text("design.csv"), "design.csv", columns, (), where, kind)
        _numbers(design, list(columns), "design.csv", where, kind, whole=("point", "runs_ok"))
        return cls(summary=summary, design=design, indices=indices, directory=directory)

    @classmethod
    def load(cls, directory: str | Path) -> StudyData:
        """Read the sensitivity directory ``directory``; `OutputError` if it is not a finished one."""
        directory = Path(directory)
        return cls.from_files(_files(directory, STUDY_FILES, "sensitivity directory"), directory)

    @property
    def method(self) -> str:
        return str(self.summary["method"])

    @property
    def outcomes(self) -> list[str]:
        return list(self.summary["outcomes"])

    @property
    def varied(self) -> dict[str, tuple[float, float]]:
        """Each varied key and its range ``(low, high)``, in the order given."""
        return {k: (float(low), float(high)) for k, (low, high) in self.summary["varied"].items()}

    @property
    def ranking(self) -> str:
        """The index the keys are ranked by: the total ``ST`` (Sobol') or ``mu_star`` (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    def ranked(self, outcome: str) -> pd.DataFrame:
        """The indices of ``outcome``, a row per varied key, largest `ranking` first (ties in the order given):
        for each index its ``value``, ``conf_low`` and ``conf_high`` as columns ``(index, part)``."""
        rows = self.indices[self.indices["outcome"] == outcome]
        wide = rows.pivot(index="parameter", columns="index", values=["value", "conf_low", "conf_high"])
        wide = wide.swaplevel(axis=1).reindex(list(self.varied))
        order = sorted(range(len(wide)), key=lambda k: -float(wide[(self.ranking, "value")].iloc[k]))
        return wide.iloc[order]


def load_study(directory: str | Path) -> StudyData:
    """Read the sensitivity directory ``directory`` (see `StudyData.load`)."""
    return StudyData.load(directory)
