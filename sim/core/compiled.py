"""The one way dipsim compiles its arithmetic: numba's ``njit``, cached on disk, numpy's error semantics.

A day of a 14-actor crisis is a few hundred tiny array operations; in numpy each costs a microsecond
or two of call overhead whatever the array's size, which is most of a run's time. The rules' and the
engine's arithmetic is therefore written as `kernel` functions: loops over the ``(runs, ...)`` arrays
compiled by numba, one call a rule a day. The formulas inside them are small kernels too, each tested
by hand on its own; the elementwise ones work on numbers as well as arrays, so a rule's kernel calls
the same formula for each actor and each formula exists once.

Compiled code is cached in the package's ``__pycache__`` folders (the first run on a machine compiles for
some seconds); where they cannot be written (a system-wide install), in the user's cache folder, see
`cache_folder`. numba keys a cached kernel on its own file only, so a kernel calls kernels of its own
module alone; whatever it needs from another module is passed in as an array (tests/test_kernels.py
checks the globals each kernel reads).

A kernel means the same run as plain Python, under ``NUMBA_DISABLE_JIT=1`` (for debugging and coverage),
where its scalars are numpy's: so no arithmetic on booleans (numpy's True + True is True, numba's 2;
count with ``int(flag)``), a dtype wherever a value's type would choose it, and no ``math`` call that
raises where numba returns inf or nan. ``make test`` runs the rule and golden tests both ways, and
benchmarks/jit_compare.py compares every bundled scenario's runs.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

#: The folders of the modules that hold kernels; numba caches each one's kernels in its ``__pycache__``.
KERNEL_FOLDERS = (Path(__file__).parent, Path(__file__).parent.parent / "rules")


def user_cache_folder() -> Path | None:
    """dipsim's folder for compiled code in the platform's user cache folder (None without a home)."""
    try:
        if sys.platform == "win32":
            base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = Path.home() / "Library" / "Caches"
        else:   # the XDG base directories: a relative XDG_CACHE_HOME is to be ignored
            xdg = os.environ.get("XDG_CACHE_HOME", "")
            base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    except RuntimeError:                                 # no home directory to be found
        return None
    return base / "dipsim" / "numba"


def _writable(folder: Path) -> bool:
    """Whether ``folder`` can be made and written in (numba's own test of a cache folder)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def cache_folder() -> str | None:
    """The folder to give numba as ``NUMBA_CACHE_DIR``, or None to leave numba's choice alone.

    numba caches a kernel in the ``__pycache__`` beside its module; when that cannot be written (a system
    install), dipsim's folder in the user's cache folder (``$XDG_CACHE_HOME/dipsim/numba``, else
    ``~/.cache/dipsim/numba``; ``~/Library/Caches/dipsim/numba`` on macOS,
    ``%LOCALAPPDATA%\\dipsim\\numba`` on Windows). A ``NUMBA_CACHE_DIR`` the user set is never overridden.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or all(_writable(f / "__pycache__") for f in KERNEL_FOLDERS):
        return None
    folder = user_cache_folder()
    return str(folder) if folder is not None and _writable(folder) else None


class Kernel:
    """A function compiled by numba the first time a kernel of its module is called.

    Until then numba is not even imported, so what only reads (a scenario's validation, a run
    directory's plots and report) never loads the compiler. On that first call every kernel of the
    module is compiled and bound to its name in the module, so kernels calling kernels find compiled
    ones, and the module's own code calls them directly; a kernel imported elsewhere by name is this
    object, which hands each call on.
    """

    def __init__(self, function) -> None:
        functools.update_wrapper(self, function)
        self.py_func = function
        self.compiled = None
        _KERNELS.setdefault(function.__module__, []).append(self)

    def __call__(self, *args):
        if self.compiled is None:
            _compile(self.py_func.__module__)
        return self.compiled(*args)


#: Every kernel not compiled yet, by module.
_KERNELS: dict[str, list[Kernel]] = {}


def kernel(function) -> Kernel:
    """Decorator for compiled functions. ``error_model="numpy"``: division by zero gives inf or nan, as in
    numpy, rather than raising; no ``fastmath``, so the arithmetic is IEEE's, in the order written."""
    return Kernel(function)


def _compile(module: str) -> None:
    """Compile every kernel of ``module`` (on the first call of one) and bind each to its name there."""
    numba = _numba()
    namespace = sys.modules[module].__dict__
    for each in _KERNELS.pop(module, ()):
        each.compiled = numba.njit(cache=True, error_model="numpy")(each.py_func)
        namespace[each.__name__] = each.compiled


@functools.cache
def _numba():
    """numba, imported once NUMBA_CACHE_DIR says where its cache goes (numba reads the variable when it is
    imported; it also reaches the worker processes of ensembles and sweeps)."""
    imported = "numba" in sys.modules
    folder = cache_folder()
    if folder is not None:
        os.environ["NUMBA_CACHE_DIR"] = folder
    import numba

    if folder is not None and imported:         # imported before dipsim was: read the variable again
        numba.config.reload_config()
    return numba
