"""The docs run: every `dipsim` command of the README and the lessons, with the output they promise.

In a document's ```sh blocks, every line that starts with `dipsim` is run with click's CliRunner, in
document order, in one temporary working directory per document (so `dipsim explain` can read the run
that an earlier `dipsim run` wrote). A comment line `# prints: TEXT` after a command promises that TEXT
appears in its output. A ```toml block whose info string says `file=NAME` is written to NAME first
(a lesson's example what-if), and the lessons' ```python blocks run too (in one namespace per
document), with their `# prints:` lines checked against what they print.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.scenario import bundled

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "docs" / "lessons").glob("*.md"))
#: The lessons themselves (README.md of docs/lessons is their index).
PAGES = [p for p in LESSONS if p.name != "README.md"]
#: Documents whose commands are run; python blocks run only in those after the README.
DOCS = [ROOT / "README.md", *LESSONS, ROOT / "docs" / "history-2020.md"]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
PROMISE = "# prints:"


@dataclass
class Step:
    """One thing a document asks to do: run a command or a python block, or write a file."""

    kind: str                      # "dipsim", "python" or "file"
    text: str                      # the command line, the code, or the file's content
    line: int                      # where it is in the document (1-based)
    name: str = ""                 # the file to write
    promises: list[str] = field(default_factory=list)


def steps(path: Path) -> list[Step]:
    """The commands, python blocks and files of a markdown document, in order."""
    text = path.read_text(encoding="utf-8")
    found: list[Step] = []
    for block in FENCE.finditer(text):
        info, body = block.group(1).split(), block.group(2)
        start = text.count("\n", 0, block.start()) + 2
        language = info[0] if info else ""
        if language == "toml":
            name = next((w.split("=", 1)[1] for w in info[1:] if w.startswith("file=")), None)
            if name:
                found.append(Step("file", body, start, name=name))
        elif language == "python" and path.name != "README.md":
            promises = [line.split(PROMISE, 1)[1].strip() for line in body.splitlines()
                        if line.strip().startswith(PROMISE)]
            found.append(Step("python", body, start, promises=promises))
        elif language in ("sh", "bash", "console", "shell"):
            found.extend(_commands(body, start))
    return found


def _commands(body: str, start: int) -> list[Step]:
    commands: list[Step] = []
    pending = ""
    for offset, raw in enumerate(body.splitlines()):
        line = raw.strip()
        if line.startswith(PROMISE):
            assert commands, f"line {start + offset}: '# prints:' before any dipsim command"
            commands[-1].promises.append(line[len(PROMISE):].strip())
            continue
        line = pending + line
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        words = line.split(None, 1)
        if words and words[0] in ("dipsim", ".venv/bin/dipsim"):
            commands.append(Step("dipsim", line, start + offset))
    return commands


def run_step(step: Step, namespace: dict) -> str:
    """Do one step in the working directory; return its output (assert it succeeded)."""
    where = f"line {step.line}"
    if step.kind == "file":
        Path(step.name).write_text(step.text, encoding="utf-8")
        return ""
    if step.kind == "python":
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(step.text, where, "exec"), namespace)  # noqa: S102 - the docs' own code
        return out.getvalue()
    args = shlex.split(step.text, comments=True)[1:]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"{where}: `{step.text}` exited {result.exit_code}:\n{result.output}"
    return result.output


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_of_the_doc_runs_and_prints_what_it_promises(doc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import uvicorn

    # `dipsim serve` prints its addresses, then would serve until stopped: the server is not started here
    # (tests/web/ run it for real).
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    monkeypatch.setattr("sim.web.launch.plot_pool", lambda: None)
    namespace: dict = {"__name__": "__docs__"}
    todo = steps(doc)
    assert any(s.kind == "dipsim" for s in todo), f"{doc.name} has no dipsim command in a ```sh block"
    for step in todo:
        output = run_step(step, namespace)
        for promise in step.promises:
            assert promise in output, (f"{doc.name} line {step.line}: `{step.text.splitlines()[0]}` "
                                       f"does not print {promise!r}; it printed:\n{output}")


def test_the_extractor_finds_commands_promises_files_and_continuations(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("\n".join([
        "Text.", "```sh", "make demo", "dipsim run baseline --steps 5   # a comment",
        "# prints: baseline: 5 days", "dipsim ensemble baseline \\", "    --runs 3", "```",
        "```toml file=mine.toml", "[scenario]", "```", "```python", "print(1)", "# prints: 1", "```",
        "```", "dipsim list", "```", ""]), encoding="utf-8")
    found = steps(doc)
    assert [(s.kind, shlex.split(s.text, comments=True)) for s in found] == [
        ("dipsim", ["dipsim", "run", "baseline", "--steps", "5"]),
        ("dipsim", ["dipsim", "ensemble", "baseline", "--runs", "3"]),
        ("file", ["[scenario]"]), ("python", ["print(1)"])]
    assert found[0].promises == ["baseline: 5 days"] and found[0].line == 4
    assert found[2].name == "mine.toml" and found[3].promises == ["1"]


@pytest.mark.parametrize("lesson", PAGES, ids=lambda p: p.name)
def test_each_lesson_has_goals_commands_plots_questions_and_an_exercise(lesson):
    text = lesson.read_text(encoding="utf-8")
    headings = [h.lower() for h in re.findall(r"^##\s+(.*)$", text, re.MULTILINE)]
    for wanted in ("learning goals", "run it", "in the plots", "questions for discussion", "exercise"):
        assert any(h.startswith(wanted) for h in headings), f"{lesson.name}: no '## {wanted}' section"
    assert text.count(PROMISE) >= 2, f"{lesson.name}: promises too little output to check"


def test_there_are_four_lessons_or_more_and_they_use_the_whole_library():
    assert len(PAGES) >= 4
    used = " ".join(s.text for p in PAGES + [ROOT / "docs" / "history-2020.md"] for s in steps(p))
    unused = [name for name, _, _ in bundled() if not re.search(rf"\b{re.escape(name)}\b", used)]
    assert not unused, f"bundled scenarios no lesson runs: {unused}"
