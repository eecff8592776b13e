"""dipsim installs like real software: the wheel carries every package and the bundled scenarios, and runs
from an empty folder of a fresh virtual environment; the compiled kernels' cache works where the package's
folder is read-only.

All offline: the wheel is built with this environment's setuptools (``--no-build-isolation``) and installed
``--no-deps --no-index``; the fresh environment reaches this one's dependencies through a ``.pth`` file.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from sim.core import compiled

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(path.stem for path in (ROOT / "scenarios").glob("*.toml"))
SOURCES = sorted(path.name for path in (ROOT / "scenarios" / "sources").iterdir())
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would point Python or numba elsewhere, plus ``extra``."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "NUMBA_CACHE_DIR"}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **extra}


def ran(command: list, cwd: Path, env: dict[str, str]) -> str:
    """The standard output of ``command``, which must succeed."""
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel ``pip wheel --no-deps`` builds, from a copy of the checkout's files that go into it.

    A copy, so that the build's ``build/`` and ``*.egg-info`` stay out of the checkout, and a stale
    ``build/lib`` there cannot hide a file missing from the wheel.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("sim", "scenarios"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    build = ["wheel", "--no-deps", "--no-index", "--no-build-isolation", "-w", dist, source]
    ran([*PIP, *build], source, clean_env())
    (built,) = dist.glob("dipsim-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel alone; the dependencies are this environment's."""
    home = tmp_path_factory.mktemp("venv")
    ran([sys.executable, "-m", "venv", "--without-pip", home], home, clean_env())
    python = home / "bin" / "python"
    ran([*PIP, "--python", python, "install", "--no-deps", "--no-index", wheel], home, clean_env())
    purelib = ran([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], home, clean_env())
    ours = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    (Path(purelib.strip()) / "dipsim-dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return home


def test_the_wheel_carries_every_module_and_the_bundled_scenarios(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = [path.relative_to(ROOT).as_posix() for path in (ROOT / "sim").rglob("*.py")
               if "__pycache__" not in path.parts]
    assert "sim/rules/__init__.py" in modules                  # the checkout's packages are looked at
    assert [m for m in modules if m not in names] == []        # the hand-made package list misses none
    assert {f"sim/scenarios/{name}.toml" for name in SCENARIOS} <= names
    assert {f"sim/scenarios/sources/{name}" for name in SOURCES} <= names
    assert "sim/py.typed" in names
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sim" / "web").rglob("*")
             if p.suffix in (".html", ".css", ".js")}
    assert "sim/web/templates/play.html" in pages and "sim/web/static/game.js" in pages
    assert pages <= names                                      # the class game's pages and their script


def test_the_installed_wheel_works_from_an_empty_folder(venv, tmp_path):
    work = tmp_path / "empty"
    work.mkdir()
    # The kernels run as plain Python here (their compiled cache is the next tests' subject): compiling them
    # anew for the wheel's copy would take most of this test's time and check nothing more.
    env = clean_env(XDG_CACHE_HOME=str(tmp_path / "cache"), NUMBA_DISABLE_JIT="1")
    dipsim = venv / "bin" / "dipsim"

    # `import sim` is the venv's copy, the checkout is not on the path, the scenarios come with it.
    where = ran([venv / "bin" / "python", "-c", "import sim, sim.scenario.library as s; print(sim.__file__); "
                 "print(s.BUNDLED_DIR)"], work, env).split()
    site_packages = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert where == [str(site_packages / "sim" / "__init__.py"), str(site_packages / "sim" / "scenarios")]

    assert ran([dipsim, "--version"], work, env).strip() == f"dipsim, version {VERSION}"
    listed = [line.split()[0] for line in ran([dipsim, "list"], work, env).splitlines() if line.startswith("  ")]
    assert sorted(listed) == SCENARIOS

    # The baseline checks its quotations against the bundled article; a what-if extends it by name.
    whatif = next(name for name in SCENARIOS if name.startswith("whatif-"))
    classic = next(name for name in SCENARIOS if name.startswith("classic-"))
    for name in ("baseline", whatif, classic):
        out = ran([dipsim, "run", name, "--steps", "5", "--no-plots"], work, env)
        directory = work / out.splitlines()[0].split(" -> ")[1]
        assert directory.parent == work / "runs"
        summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
        assert (summary["scenario"]["name"], summary["steps"]) == (name, 5)
        assert (directory / "timeseries.csv").is_file()

    # The installed package serves the class game's pages, templates and static files from its own copy.
    served = ran([venv / "bin" / "python", "-c", SERVED], work, env).split()
    assert served == ["200", "200", "200", str(site_packages / "sim" / "web" / "server.py")]

    assert ran([dipsim, "actors", "baseline"], work, env).startswith("id ")
    ran([dipsim, "new", "x"], work, env)
    assert 'extends = "baseline"' in (work / "x.toml").read_text(encoding="utf-8")
    assert ran([dipsim, "validate", "x.toml"], work, env).startswith("ok: x: ")
    assert sorted(path.name for path in work.iterdir()) == ["classroom.sqlite", "runs", "x.toml"]


# Starts the class game's app on a classroom file in the working folder and asks for a page, the script and
# the style sheet (Starlette's TestClient: no network).
SERVED = """
from starlette.testclient import TestClient
import sim.web.server as server
from sim.classroom.classroom import Classroom
from sim.classroom.store import Store
from sim.scenario import load
app = server.make_app(Classroom(Store("classroom.sqlite")), load("baseline"), explore=False)
with TestClient(app) as client:
    print(*(client.get(path).status_code for path in ("/join", "/static/game.js", "/static/dipsim.css")))
print(server.__file__)
"""


# Runs two kernels, one of sim/ and one of sim/rules/, and says where numba caches them and whether it
# read them from the cache.
KERNELS = """
import numpy as np, sim
from sim.core.measures import outside_backing
from sim.rules.influence import toward
backing = outside_backing(np.array([[-0.5, 0.5]]), np.array([[2.0, 1.0]]), np.array([True, True]))
print(sim.__file__)
print(backing.tolist(), toward(0.5, 0.0, 0.0, 1.0, 0.1))
print(outside_backing.compiled.stats.cache_path)
print(sum(outside_backing.compiled.stats.cache_hits.values()) + sum(toward.compiled.stats.cache_hits.values()))
"""


def run_kernels(package: Path, work: Path, before: str = "", **env: str) -> tuple[str, str, Path, int]:
    script = before + KERNELS
    lines = ran([sys.executable, "-c", script], work, clean_env(PYTHONPATH=str(package), **env)).splitlines()
    return lines[0], lines[1], Path(lines[2]), int(lines[3])


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def cached(folder: Path) -> list[str]:
    """The kernels cached under ``folder``, by numba's index files (``MODULE.FUNCTION-LINE.pyXY.nbi``)."""
    return sorted({path.name.split("-")[0] for path in folder.rglob("*.nbi")})


def test_the_compiled_cache_goes_to_the_user_cache_folder_where_the_package_is_read_only(tmp_path):
    package = tmp_path / "site"
    shutil.copytree(ROOT / "sim", package / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # Read-only: no write permission (enough for a user), and a file where each __pycache__ folder would go
    # (enough for root, whom permissions do not stop, as in CI).
    for folder in compiled.KERNEL_FOLDERS:
        (package / "sim" / folder.relative_to(ROOT / "sim") / "__pycache__").write_text("", encoding="utf-8")
    paths = [package, *package.rglob("*")]
    before = files_under(package)
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    work, home, cache = tmp_path / "work", tmp_path / "home", tmp_path / "cache"
    for folder in (work, home):
        folder.mkdir()
    try:
        env = {"HOME": str(home), "XDG_CACHE_HOME": str(cache)}
        where, values, cache_path, hits = run_kernels(package, work, **env)
        assert where == str(package / "sim" / "__init__.py")
        assert values == "[[1.0, 0.5]] 0.05"
        assert cache_path.is_relative_to(cache / "dipsim" / "numba")
        assert cached(cache / "dipsim" / "numba") == ["influence.toward", "measures.outside_backing"]
        assert hits == 0
        assert files_under(package) == before                         # nothing written into the package
        assert not (cache / "numba").exists() and not (home / ".cache").exists()   # not numba's own

        # The next process reads both kernels from there rather than compiling them again, also when it
        # imported numba before dipsim.
        assert run_kernels(package, work, **env)[1:] == (values, cache_path, 2)
        assert run_kernels(package, work, "import numba", **env)[1:] == (values, cache_path, 2)

        # A NUMBA_CACHE_DIR the user set wins.
        mine = tmp_path / "mine"
        assert run_kernels(package, work, NUMBA_CACHE_DIR=str(mine), **env)[2].is_relative_to(mine)
        assert cached(mine) == ["influence.toward", "measures.outside_backing"]
    finally:
        for path in paths:
            path.chmod(stat.S_IRWXU)


def test_the_compiled_cache_stays_beside_the_code_where_the_package_is_writable(tmp_path):
    package = tmp_path / "site"
    shutil.copytree(ROOT / "sim", package / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    cache_path = run_kernels(package, work, XDG_CACHE_HOME=str(cache))[2]
    assert cache_path == package / "sim" / "core" / "__pycache__"
    assert cached(package / "sim") == ["influence.toward", "measures.outside_backing"]
    assert not (cache / "dipsim").exists()


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"XDG_CACHE_HOME": "/x/cache"}, "/x/cache/dipsim/numba"),
    ("linux", {"XDG_CACHE_HOME": "relative"}, "HOME/.cache/dipsim/numba"),      # the XDG spec ignores it
    ("linux", {}, "HOME/.cache/dipsim/numba"),
    ("darwin", {"XDG_CACHE_HOME": "/x/cache"}, "HOME/Library/Caches/dipsim/numba"),
    ("win32", {"LOCALAPPDATA": "/x/local"}, "/x/local/dipsim/numba"),
])
def test_the_user_cache_folder_is_the_platforms(monkeypatch, tmp_path, platform, env, expected):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert compiled.user_cache_folder() == Path(expected.replace("HOME", str(tmp_path)))
