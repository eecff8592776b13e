"""How dipsim writes to a user's disk: only into what it wrote itself, whole or not at all.

Every directory dipsim makes (a run, an ensemble, a sweep, a comparison, a folder of plots) carries a
small manifest, ``.dipsim``, naming its kind. ``--force`` replaces a directory only when it is empty,
or carries the manifest of the same kind and holds nothing but the files dipsim writes into that kind.
The working directory, its ancestors, the home directory and ``/`` are never replaced, whatever is
asked. Files are written to a temporary name and renamed into place; a directory is staged beside its
target and moved into place at the end. A process that dies leaves its staging behind under a name
only dipsim uses, and the next command on the same target sweeps it away (a staging that a live
process still holds is locked, and left alone).
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

try:  # POSIX; without it (Windows) directories are not locked
    import fcntl
except ImportError:  # pragma: no cover - not on the machines CI runs on
    fcntl = None

from sim import __version__

#: The manifest file in every directory dipsim writes.
MANIFEST = ".dipsim"
#: The kinds of directory dipsim writes, and the files (glob patterns, relative) each may hold.
KINDS: Mapping[str, tuple[str, ...]] = {
    "run": ("timeseries.csv", "model.csv", "contributions.csv", "events.csv", "ceasefires.csv", "ties.csv",
            "summary.json", "scenario.toml", "report.html", "report.md", "plots", "plots/*"),
    "ensemble": ("runs.csv", "quantiles.csv", "summary.json", "scenario.toml", "report.html", "report.md", "chunks",
                 "chunks/*", "plots", "plots/*"),
    "sweep": ("experiments.csv", "summary.json", "scenario.toml", "report.html", "report.md", "chunks", "chunks/*",
              "plots", "plots/*"),
    "compare": ("compare.html", "compare.md", "plots", "plots/*"),
    "sensitivity": ("design.csv", "indices.csv", "interactions.csv", "summary.json", "report.html", "report.md",
                    "plots", "plots/*", "runs", "runs/*"),
    "plots": ("*.png", "*.svg", "*.pdf"),
    "discovery": ("boxes.csv", "trajectory.csv", "summary.json", "*.png", "*.svg", "*.pdf"),
}
#: The directories of their own kind that dipsim writes inside one of another kind: the scenario
#: discoveries `dipsim discover` writes into a sweep or a sensitivity directory (``discovery-OUTCOME``).
#: Such a folder is dipsim's only when it carries the manifest of its kind and nothing else of a user's.
NESTED: Mapping[str, tuple[tuple[str, str], ...]] = {"sweep": (("discovery-*", "discovery"),),
                                                     "sensitivity": (("discovery-*", "discovery"),)}
#: The suffix of a file being written (renamed into place when whole).
TEMPORARY = ".tmp"
_STAGES = ("partial", "old")


class OutputError(Exception):
    """A directory or file that may not or cannot be written or read; the message says which and why."""


def manifest_text(kind: str) -> str:
    return json.dumps({"kind": kind, "dipsim": __version__}) + "\n"


def kind_of(directory: Path) -> str | None:
    """The kind named by ``directory``'s manifest (None: not a directory dipsim wrote)."""
    try:
        with open(Path(directory) / MANIFEST, "rb") as handle:
            found = json.loads(handle.read(4096))
    except (OSError, ValueError):
        return None
    kind = found.get("kind") if isinstance(found, dict) else None
    return kind if kind in KINDS else None


def foreign(directory: Path, kind: str) -> list[str]:
    """The entries of ``directory`` (relative paths) that dipsim does not write into a ``kind`` directory."""
    allowed = (MANIFEST, *KINDS[kind])
    strays = []
    for root, folders, files in os.walk(directory):
        if Path(root) == Path(directory):
            for name in list(folders):
                nested = next((k for pattern, k in NESTED.get(kind, ()) if fnmatch.fnmatchcase(name, pattern)), None)
                if nested is not None and kind_of(Path(root) / name) == nested:
                    folders.remove(name)        # dipsim's own folder of another kind: checked as that kind
                    strays += [f"{name}/{stray}" for stray in foreign(Path(root) / name, nested)]
        for name in (*folders, *files):
            relative = (Path(root) / name).relative_to(directory).as_posix()
            if not any(fnmatch.fnmatchcase(relative, pattern) for pattern in allowed) \
                    and not _temporary(name):
                strays.append(relative)
    return sorted(strays)


def _temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMPORARY)


def protected(directory: Path) -> str | None:
    """Why ``directory`` may never be replaced (None when it may): root, home, the working directory or
    an ancestor of it."""
    resolved = Path(os.path.abspath(directory)).resolve()
    if resolved == Path(resolved.anchor):
        return "is the root of the file system"
    if resolved == Path.home().resolve():
        return "is the home directory"
    here = Path.cwd().resolve()
    if resolved == here:
        return "is the working directory"
    if resolved in here.parents:
        return "holds the working directory"
    return None


def check_target(directory: Path, kind: str, *, force: bool = False, resume: bool = False) -> None:
    """Fail (`OutputError`) before any work if dipsim may not write a ``kind`` directory at ``directory``.

    A missing or empty directory may be written. An existing one needs ``force`` (to replace it) or
    ``resume`` (to complete it), and either only when it is dipsim's own: the manifest of the same kind
    and no file dipsim did not write.
    """
    directory = Path(directory)
    if directory.is_symlink():
        raise OutputError(f"{directory}: is a symbolic link; choose the directory itself")
    if not directory.exists():
        if resume:
            raise OutputError(f"{directory}: nothing to resume (no such directory)")
        return
    if not directory.is_dir():
        raise OutputError(f"{directory}: exists and is not a directory")
    why = protected(directory)
    if why:
        raise OutputError(f"{directory}: {why}; dipsim never writes over it, choose another --out")
    if not resume and not any(directory.iterdir()):
        return
    if not (force or resume):
        also = ", --resume to complete it" if kind in ("ensemble", "sweep") else ""
        raise OutputError(f"{directory}: already exists; use --force to replace it{also}, or --out to choose another")
    found = kind_of(directory)
    if found != kind:
        what = f"a dipsim {found} directory" if found else "not a directory dipsim wrote (no .dipsim manifest)"
        verb = "completes" if resume else "replaces"
        raise OutputError(f"{directory}: {what}; {'--resume' if resume else '--force'} {verb} only a dipsim "
                          f"{kind} directory, choose another --out")
    strays = foreign(directory, kind)
    if strays:
        more = f" and {len(strays) - 1} more" if len(strays) > 1 else ""
        raise OutputError(f"{directory}: holds {strays[0]}{more}, which dipsim did not write; move it away or "
                          "choose another --out")


# ---------------------------------------------------------------------------------------- locks

@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold ``directory`` for this process: another dipsim that tries gets `OutputError`. The lock is the
    kernel's (``flock``), so it leaves no file behind and ends with the process, however it ends."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(f"{directory}: another dipsim is writing it; wait for it to end") from None
        yield
    finally:
        os.close(handle)


def _held(directory: Path) -> bool:
    """Whether a live process holds ``directory`` (see `locked`)."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


def sweep_stages(directory: Path) -> None:
    """Remove the staging and retired directories an earlier dipsim left beside ``directory`` when it died
    while writing it (only those that carry dipsim's manifest and no live process holds)."""
    directory = Path(directory)
    parent = directory.parent
    if parent.is_dir():
        for stage in _STAGES:
            for left in parent.glob(f".{glob_escape(directory.name)}.{stage}-*"):
                if left.is_dir() and not left.is_symlink() and kind_of(left) and not _held(left):
                    shutil.rmtree(left, ignore_errors=True)


def sweep_temporary(directory: Path) -> None:
    """Remove the temporary files an earlier dipsim left inside ``directory`` (when it is dipsim's). Call it
    while holding ``directory`` (`locked`): then no live process is writing them."""
    if directory.is_dir() and not directory.is_symlink() and kind_of(directory):
        for root, _, files in os.walk(directory):
            for name in files:
                if _temporary(name):
                    (Path(root) / name).unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# --------------------------------------------------------------------------------------- writing

def signature(by: str) -> str:
    """The start of the last line of a file that ``by`` (a dipsim command) writes for a person to edit."""
    return f"# written by {by}; unedited while this matches the text above: sha256 "


def sign(text: str, by: str) -> str:
    """``text`` with a last line, after a blank one, that lets `unedited` tell it from a changed file: the
    SHA-256 of all above it. ``by`` names the command that wrote it (``dipsim new``, ``dipsim draft``)."""
    body = text.rstrip("\n") + "\n\n"
    return f"{body}{signature(by)}{hashlib.sha256(body.encode()).hexdigest()}\n"


def unedited(text: str, by: str) -> bool:
    """Whether ``text`` is a file ``by`` wrote, unchanged since (so that --force may replace it)."""
    head, _, last = text.rstrip("\n").rpartition("\n")
    return last == signature(by) + hashlib.sha256(f"{head}\n".encode()).hexdigest()


def write_file(path: Path, content: str | bytes | Iterable[str]) -> None:
    """Write one file atomically: to a temporary name beside it, then renamed into place. ``content`` may
    be pieces of text, written as they come (a table of many rows, never held whole)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in [content] if isinstance(content, (str, bytes)) else content:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(directory: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (relative names) into an existing ``directory``, each file whole or not at all."""
    written = []
    for name, content in files.items():
        target = Path(directory) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, content)
        written.append(target)
    return written


def write_directory(directory: Path, files: Mapping[str, str | bytes], kind: str, *, force: bool = False) -> Path:
    """Write a ``kind`` directory holding ``files``, all at once: staged beside it, then moved into place.

    An existing directory is replaced only as `check_target` allows.
    """
    directory = Path(directory)
    check_target(directory, kind, force=force)
    directory.parent.mkdir(parents=True, exist_ok=True)
    sweep_stages(directory)
    with _stage(directory, "partial", kind) as staging:
        write_files(staging, files)
        os.chmod(staging, 0o777 & ~_umask())
        if directory.exists():
            check_target(directory, kind, force=force)  # again: it may have changed while we worked
            with _stage(directory, "old", kind) as retired:
                directory.rename(retired / directory.name)
                staging.rename(directory)
        else:
            staging.rename(directory)
    return directory


@contextlib.contextmanager
def _stage(directory: Path, stage: str, kind: str) -> Iterator[Path]:
    """A locked directory beside ``directory`` named ``.NAME.STAGE-XXXX``, carrying the manifest; removed
    on leaving (by then a staging has been moved into place, so only a failure leaves files to remove)."""
    path = Path(tempfile.mkdtemp(prefix=f".{directory.name}.{stage}-", dir=directory.parent))
    try:
        (path / MANIFEST).write_text(manifest_text(kind), encoding="utf-8")
        with locked(path):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_plots(folder: Path, rundir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write plot ``files`` of the directory ``rundir`` into ``folder``: its own ``plots/`` (when dipsim
    wrote ``rundir``), or a folder of plots of dipsim's own (missing, empty, or one dipsim made)."""
    folder, rundir = Path(folder), Path(rundir)
    if os.path.abspath(folder) == os.path.abspath(rundir / "plots"):
        if kind_of(rundir) not in ("run", "ensemble", "sweep"):
            raise OutputError(f"{rundir}: not a directory dipsim wrote (no .dipsim manifest); draw its plots "
                              "elsewhere with --out")
        return write_files(folder, files)
    check_target(folder, "plots", force=True)
    folder.mkdir(parents=True, exist_ok=True)
    return write_files(folder, {MANIFEST: manifest_text("plots"), **files})[1:]


def prepare_directory(directory: Path, kind: str) -> None:
    """Make ``directory`` an empty ``kind`` directory that this process writes into as it goes (an
    ensemble or a sweep): created, or emptied of dipsim's files when `check_target` allows replacing it.
    Call while holding it (`locked`) when it exists."""
    directory = Path(directory)
    for entry in sorted(directory.iterdir()) if directory.exists() else ():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    write_file(directory / MANIFEST, manifest_text(kind))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
