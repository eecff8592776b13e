"""The chunk store on disk: each finished chunk's record (``NAME.json``: what it was made from, the
outcomes, the SHA-256 of its trajectories) and, for an ensemble, its trajectories (``NAME.npy``), written
as chunks come back from the workers, checked before an experiment resumes, and read back."""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sim.experiments.chunks import Chunk
from sim.io.files import OutputError, write_file


def chunk_name(point: int, first: int) -> str:
    return f"point{point:04d}-run{first:07d}"


def store_chunk(folder: Path, chunk: Chunk, fields: np.ndarray | None, origin: dict) -> None:
    """Store a finished chunk: its trajectories if it has them (``NAME.npy``) and then its record
    (``NAME.json``: what it was made from, the trajectories' SHA-256, the outcomes). The record, written
    last and atomically, is what makes a chunk count as done."""
    name = chunk_name(chunk.point, chunk.first)
    digest = None
    if fields is not None:
        stream = io.BytesIO()
        np.save(stream, np.ascontiguousarray(fields, dtype=np.float64))
        data = stream.getvalue()
        write_file(folder / f"{name}.npy", data)
        digest = hashlib.sha256(data).hexdigest()
    record = {"made_from": origin, "fields_sha256": digest, "outcomes": chunk.outcomes, "failures": chunk.failures}
    write_file(folder / f"{name}.json", json.dumps(record))


def read_chunk(path: Path) -> tuple[Chunk, dict, str | None]:
    """A stored chunk's outcomes, what it was made from and its trajectories' SHA-256 (None: a sweep's
    chunk, stored without them); `OutputError` (one line naming the file) if the record is damaged."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        origin = record["made_from"]
        first = origin["runs"][0]
        chunk = Chunk(int(origin["point"]), int(first), [int(s) for s in origin["seeds"]], record["outcomes"],
                      [tuple(f) for f in record["failures"]])
        if len(chunk.outcomes) != len(chunk.seeds):
            raise ValueError("outcomes and seeds differ in number")
        digest = record["fields_sha256"]
        return chunk, origin, None if digest is None else str(digest)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as err:
        raise OutputError(f"{path}: damaged chunk record ({type(err).__name__}: {err}); start again with --force") \
            from None


class Trajectories:
    """A stored chunk's trajectories ``(steps + 1, runs, n_fields, n_actors)``, read a block of steps at a
    time by ``[start:stop]`` (explicit reads rather than a memory map, whose pages would stay resident)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with self.path.open("rb") as handle:
                version = np.lib.format.read_magic(handle)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, fortran, dtype = read_header(handle)
                self.offset = handle.tell()
            size = self.path.stat().st_size
        except (OSError, ValueError) as err:
            raise OutputError(f"{path}: damaged chunk ({err}); start again with --force") from None
        if fortran or dtype != np.float64 or len(shape) != 4 or size != self.offset + 8 * math.prod(shape):
            raise OutputError(f"{path}: damaged chunk (not the trajectories dipsim stores); start again with --force")
        self.shape = shape

    def __getitem__(self, steps: slice) -> np.ndarray:
        start, stop, _ = steps.indices(self.shape[0])
        row = math.prod(self.shape[1:])
        with self.path.open("rb") as handle:
            handle.seek(self.offset + 8 * row * start)
            values = np.fromfile(handle, dtype=np.float64, count=row * max(0, stop - start))
        return values.reshape((max(0, stop - start), *self.shape[1:]))


def check_chunks(expected: Mapping[tuple[int, int], dict], store: Path) -> set[tuple[int, int]]:
    """The ``(point, first run)`` of the chunks in ``store`` that may be used to resume the experiment
    whose chunks are ``expected`` (each chunk's ``made_from`` by its ``(point, first run)``).

    A chunk made from anything else (another scenario, seed or run range, another dipsim) or damaged
    raises `OutputError` naming it; trajectories whose record was never written (the process died
    between the two) are removed, and their runs are made again.
    """
    done = set()
    for path in sorted(Path(store).glob("point*-run*.json")):
        chunk, origin, digest = read_chunk(path)
        key = (chunk.point, chunk.first)
        if expected.get(key) != origin:
            raise OutputError(f"{path}: made by {_difference(expected.get(key), origin)}; --resume uses only "
                              "chunks of the same experiment, start again with --force")
        fields = path.with_suffix(".npy")
        if digest is not None and (not fields.is_file() or _sha256(fields) != digest):
            raise OutputError(f"{fields}: damaged or missing chunk (its SHA-256 differs from its record); start "
                              "again with --force")
        done.add(key)
    for path in Path(store).glob("point*-run*.npy"):
        if not path.with_suffix(".json").is_file():
            path.unlink()
    return done


def _difference(expected: dict | None, found: dict) -> str:
    """What differs between what a chunk should have been made from and what it was made from."""
    if expected is None:
        return f"another experiment (runs {found.get('runs')} of point {found.get('point')} are not in this one)"
    for key, what in (("dipsim", "dipsim"), ("seed", "seed"), ("scenario_sha256", "scenario"),
                      ("overrides", "values"), ("runs", "runs"), ("seeds", "seeds")):
        if expected.get(key) != found.get(key):
            return f"another experiment ({what} {found.get(key)!r}, not {expected.get(key)!r})"
    return "another experiment (another number of runs or chunk size)"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
