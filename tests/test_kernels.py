"""The kernels (sim/core/compiled.py): each reads only kernels and globals of its own module, and they mean the same
compiled and as plain Python (``NUMBA_DISABLE_JIT=1``)."""

import ast
import builtins
import dis
import importlib
import importlib.util
import math
import sys
import textwrap
from pathlib import Path

import numpy as np

import sim
from sim.scenario import bundled

COMPARE = Path(__file__).resolve().parent.parent / "benchmarks" / "jit_compare.py"
spec = importlib.util.spec_from_file_location("jit_compare", COMPARE)
jit_compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jit_compare)

#: The modules a kernel may read as globals besides its own: numba compiles their functions itself.
SHARED = (np, math)


def syntax(path: str | Path) -> ast.Module:
    """The syntax tree of a Python file."""
    return ast.parse(Path(path).read_text(encoding="utf-8"))


def kernel_names(tree: ast.Module) -> list[str]:
    """The functions of a module's syntax tree decorated with ``@kernel``."""
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(isinstance(d, ast.Name) and d.id == "kernel" for d in node.decorator_list)]


def defined_names(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level itself: by def, class or assignment, not by import."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def globals_read(function) -> set[str]:
    """The global names a function (or the Python function of a numba dispatcher) reads, nested code included."""
    codes, names = [getattr(function, "py_func", function).__code__], set()
    while codes:
        code = codes.pop()
        names |= {i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
        codes += [c for c in code.co_consts if hasattr(c, "co_code")]
    return names


def foreign_globals(module) -> dict[str, set[str]]:
    """The globals each kernel of ``module`` reads that are neither a kernel or another global its module
    defines itself, nor numpy or math, nor a builtin; kernels that read none are left out."""
    tree = syntax(module.__file__)
    kernels, own = kernel_names(tree), defined_names(tree)
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}

    def allowed(name: str) -> bool:
        if name in own:
            return name in kernels or name not in functions
        if name in vars(module):
            return any(vars(module)[name] is shared for shared in SHARED)
        return hasattr(builtins, name)

    found = {name: {g for g in globals_read(getattr(module, name)) if not allowed(g)} for name in kernels}
    return {name: wrong for name, wrong in found.items() if wrong}


def kernel_modules() -> dict[str, object]:
    """Every module of the package that defines a kernel, by name."""
    root = Path(sim.__file__).parent
    names = [".".join(("sim", *path.relative_to(root).with_suffix("").parts)) for path in sorted(root.rglob("*.py"))
             if kernel_names(syntax(path))]
    return {name: importlib.import_module(name) for name in names}


def test_every_kernel_reads_only_its_own_modules_kernels_and_globals():
    modules = kernel_modules()
    # the search finds the kernels of the engine, the measures and the rules
    assert {"sim.core.engine", "sim.core.measures", "sim.rules.balance", "sim.rules.mediation"} <= set(modules)
    assert {"apply_changes", "add_settled"} <= set(kernel_names(syntax(modules["sim.core.engine"].__file__)))
    assert {name: foreign_globals(module) for name, module in modules.items()} == {name: {} for name in modules}


FAKE_HELPERS = """
from sim.core.compiled import kernel

SCALE = 2.0


@kernel
def double(x):
    return SCALE * x
"""

FAKE_RULE = """
import math

import numpy as np

from sim.core.compiled import kernel
from fake_helpers import SCALE, double

OFFSET = 1.0
HOLDS, BREAKS = 0, 1


def plain(x):
    return x


@kernel
def right(x):
    return np.sqrt(x) + math.pi + OFFSET + BREAKS + abs(x) + max(x, 0.0) + sum(range(3))


@kernel
def calls_right(x):
    return right(x) * HOLDS


@kernel
def wrong(x):
    return double(x) + SCALE + right(x) + plain(x) + len([y for y in np.arange(3) if y > SCALE])
"""


def test_the_check_finds_what_a_kernel_reads_from_another_module(tmp_path, monkeypatch):
    (tmp_path / "fake_helpers.py").write_text(textwrap.dedent(FAKE_HELPERS), encoding="utf-8")
    (tmp_path / "fake_rule.py").write_text(textwrap.dedent(FAKE_RULE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        rule = importlib.import_module("fake_rule")
        helpers = importlib.import_module("fake_helpers")
    finally:
        for name in ("fake_rule", "fake_helpers"):
            sys.modules.pop(name, None)
    # an imported kernel and constant, and a function that is not a kernel, even inside a comprehension
    assert foreign_globals(rule) == {"wrong": {"double", "SCALE", "plain"}}
    assert foreign_globals(helpers) == {}


# ------------------------------------------------------------------------ compiled and plain Python


def test_every_bundled_scenario_runs_the_same_with_and_without_the_compiler():
    names = [name for name, _, _ in bundled()]
    assert len(names) >= 10
    found = jit_compare.differences(names, seeds=2)
    assert {key: text for key, text in found.items() if not text.startswith(jit_compare.ROUNDING)} == {}


def run_record(happenings, weight):
    return {"happenings": happenings, "arrays": {"weight": np.array(weight), "active": np.array([True, False])}}


def test_the_comparison_tells_events_values_and_rounding_apart():
    same = run_record([(1, "tie", ("A", "B"), "turns hostile")], [0.5, -0.25])
    assert jit_compare.difference(same, run_record([(1, "tie", ("A", "B"), "turns hostile")], [0.5, -0.25])) is None
    assert jit_compare.difference(same, run_record([], [0.5, -0.25])).startswith("events differ from event 1")
    assert jit_compare.difference(same, run_record(same["happenings"], [0.5, 0.25])) == "weight differs by up to 0.5"
    nearly = run_record(same["happenings"], [np.nextafter(0.5, 1.0), -0.25])
    assert jit_compare.difference(same, nearly) == jit_compare.ROUNDING + "weight by 1 ulp"
    flipped = dict(same, arrays={**same["arrays"], "active": np.array([True, True])})
    assert jit_compare.difference(same, flipped) == "active differs in 1 of 2 entries"
