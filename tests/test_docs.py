"""The docs run: every `dipsim` command of the README and the lessons, with the output they promise.

In a document's ```sh blocks, every line that starts with `dipsim` is run with click's CliRunner, in
document order, in one temporary working directory per document (so `dipsim explain` can read the run
that an earlier `dipsim run` wrote). A comment line `# prints: TEXT` after a command promises that TEXT
appears in its output. A ```toml block whose info string says `file=NAME` is written to NAME first
(a lesson's example what-if), and the lessons' ```python blocks run too (in one namespace per
document), with their `# prints:` lines checked against what they print.

A lesson's prose may state a figure of a run (a share, a day, a value to two decimals or more) only if
one of the page's commands printed it (or its code shows it): the figures a page claims are checked
against the runs, not only its `# prints:` lines. A figure that is an input of the model (a judgement
or a parameter, not a result) is declared as such in a comment in its paragraph, `<!-- inputs: 0.6
30% -->`, and must appear in that paragraph.

The instructor's pages (docs/lessons/instructor/) run the same way, and both kinds of page are checked
for the parts a lecturer needs: assessable goals, plans that add up, a quiz with answers, a rubric.
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
#: The instructor's page of each lesson, by the lesson's file name.
KITS = sorted((ROOT / "docs" / "lessons" / "instructor").glob("*.md"))
#: Documents whose commands are run; python blocks run only in those after the README.
DOCS = [ROOT / "README.md", *LESSONS, *KITS, ROOT / "docs" / "history-2020.md", ROOT / "docs" / "drafting.md"]
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
    assert any(s.kind == "dipsim" for s in todo) or doc in KITS, f"{doc.name} has no dipsim command in a ```sh block"
    printed = []
    for step in todo:
        output = run_step(step, namespace)
        printed.append(output)
        for promise in step.promises:
            assert promise in output, (f"{doc.name} line {step.line}: `{step.text.splitlines()[0]}` "
                                       f"does not print {promise!r}; it printed:\n{output}")
    if doc in PAGES or doc in KITS:
        text = doc.read_text(encoding="utf-8")
        shown = plain("\n".join(printed + [b.group(2) for b in FENCE.finditer(text)]))
        unbacked = [(line, claim) for line, claim in claims(text) if not backed(claim, shown)]
        assert not unbacked, (f"{doc.name}: figures the prose states that no command of the page printed "
                              f"(a judgement or parameter goes in an '<!-- inputs: ... -->' comment): {unbacked}")


@pytest.mark.parametrize("heading, commands", [
    ("## Which combinations give a lasting ceasefire?", ["sweep", "discover", "discover"]),
    ("## A page for a class: `--report`", ["ensemble", "sweep", "report", "sensitivity"]),
])
def test_a_section_of_experiments_md_runs_and_prints_what_it_promises(heading, commands, tmp_path, monkeypatch):
    """docs/experiments.md is not run whole (its ensembles and studies take minutes); these sections are."""
    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    start = text.index(heading)
    section = tmp_path / "section.md"
    section.write_text(text[start:text.index("\n## ", start)], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    todo = steps(section)
    assert [s.text.split()[1] for s in todo] == commands
    for step in todo:
        output = run_step(step, {})
        for promise in step.promises:
            assert promise in output, f"experiments.md: `{step.text}` does not print {promise!r}; it printed:\n{output}"


#: A figure of a run, as prose states it: a share in percent, a day, a value with two decimals or more,
#: a count with thousands separators.
CLAIM = re.compile(r"(?<![\w.,])[−+-]?\d+(?:\.\d+)?%|\bdays? \d+\b|(?<![\w.,])[−+-]?\d+\.\d{2,}\b"
                   r"|(?<![\w.,])\d{1,3}(?:,\d{3})+\b")
INPUTS = re.compile(r"<!--\s*inputs:(.*?)-->", re.DOTALL)


def plain(text: str) -> str:
    """Text with typographic minus signs as ASCII, so that −0.40 in prose matches -0.40 in output."""
    return text.replace("−", "-")


def claims(text: str) -> list[tuple[int, str]]:
    """The figures a page's prose states (outside code blocks), with their lines, less the declared inputs."""
    found = []
    for paragraph in re.split(r"\n\s*\n", FENCE.sub(lambda b: "\n" * b.group(0).count("\n"), text)):
        line = text.count("\n", 0, text.find(paragraph)) + 1
        inputs = " ".join(INPUTS.findall(paragraph)).split()
        body = INPUTS.sub("", paragraph)
        for figure in inputs:
            assert figure in body, f"line {line}: the input {figure!r} is not in its paragraph"
        found += [(line, m.group(0)) for m in CLAIM.finditer(body) if m.group(0) not in inputs]
    return found


def backed(claim: str, shown: str) -> bool:
    """Whether the page's output (or code) shows the figure: a day as 'day N', the rest as written."""
    claim = plain(claim)
    if claim.startswith("day"):
        return re.search(rf"\bday {claim.split()[1]}\b", shown) is not None
    return re.search(rf"(?<![\d.]){re.escape(claim.lstrip('+'))}(?![\d])", shown) is not None


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


def test_there_are_four_lessons_or_more_and_they_use_the_whole_library():
    assert len(PAGES) >= 4
    used = " ".join(s.text for p in PAGES + [ROOT / "docs" / "history-2020.md"] for s in steps(p))
    unused = [name for name, _, _ in bundled() if not re.search(rf"\b{re.escape(name)}\b", used)]
    assert not unused, f"bundled scenarios no lesson runs: {unused}"


def test_the_claims_checker_finds_figures_and_honours_declared_inputs():
    text = ("A ceasefire in 72% of runs, first on day 29, Azerbaijan at 0.23 and 4,023 dead.\n\n"
            "The threshold is 0.6 and a breakdown costs 30%. <!-- inputs: 30% -->\n\n```sh\nday 99 1.234\n```\n")
    assert [c for _, c in claims(text)] == ["72%", "day 29", "0.23", "4,023"]
    assert backed("day 29", "first on day 29, brokered") and not backed("day 2", "first on day 29")
    assert backed("−0.284", "alliance -0.284") and not backed("0.28", "alliance -0.284")
    with pytest.raises(AssertionError, match="not in its paragraph"):
        claims("Text with 5%.\n<!-- inputs: 6% -->")


# ------------------------------------------------------------------------------------- the kits

#: What each lesson page holds, in this order, and what each instructor's page holds.
STUDENT_SECTIONS = ("learning goals", "run it", "in the plots", "what the model assumes",
                    "questions for discussion", "things to notice", "things to try", "extending the model",
                    "exercise")
KIT_SECTIONS = ("plan for a 50-minute class", "plan for a 90-minute class", "assessing the learning goals",
                "common misconceptions", "pre/post quiz", "decision memo", "answers to the exercise",
                "notes on the questions for discussion", "readings")
#: Verbs a learning goal may start with: each names something a student does that can be assessed.
ASSESSABLE = {"explain", "predict", "compute", "calculate", "trace", "identify", "distinguish", "compare",
              "measure", "interpret", "argue", "design", "write", "critique", "evaluate", "derive", "name",
              "judge", "read", "use", "test", "state", "run", "recommend", "play", "draft", "defend"}


def sections(text: str) -> dict[str, str]:
    """A page's `##` sections, by lower-cased heading."""
    parts = re.split(r"^##\s+(.*)$", FENCE.sub(lambda b: re.sub(r"^#", " #", b.group(0), flags=re.M), text),
                     flags=re.MULTILINE)
    return {heading.strip().lower(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def in_order(found: list[str], wanted: tuple[str, ...], name: str) -> dict[str, str]:
    order = [next((h for h in found if h.startswith(w)), None) for w in wanted]
    missing = [w for w, h in zip(wanted, order, strict=True) if h is None]
    assert not missing, f"{name}: no '## ...' section for {missing}"
    assert [found.index(h) for h in order] == sorted(found.index(h) for h in order), f"{name}: sections out of order"
    return dict(zip(wanted, order, strict=True))


@pytest.mark.parametrize("lesson", PAGES, ids=lambda p: p.name)
def test_each_lesson_has_assessable_goals_the_sections_in_order_and_its_answers_elsewhere(lesson):
    text = lesson.read_text(encoding="utf-8")
    found = sections(text)
    heading = in_order(list(found), STUDENT_SECTIONS, lesson.name)
    goals = re.findall(r"^- (?:\*\*)?(\w+)", found[heading["learning goals"]], re.MULTILINE)
    assert len(goals) >= 2, f"{lesson.name}: fewer than two learning goals"
    vague = [g for g in goals if g.lower() not in ASSESSABLE]
    assert not vague, f"{lesson.name}: learning goals that cannot be assessed as written, starting {vague}"
    exercise = found[heading["exercise"]]
    assert f"instructor/{lesson.name}#answers-to-the-exercise" in exercise, \
        f"{lesson.name}: the exercise does not point to its answers on the instructor's page"
    assert "file=" not in exercise and "answer:" not in exercise.lower(), \
        f"{lesson.name}: the exercise gives its answer away"
    assert text.count(PROMISE) >= 2, f"{lesson.name}: promises too little output to check"


def test_every_lesson_has_an_instructors_page_and_no_page_is_orphaned():
    assert [k.name for k in KITS] == [p.name for p in PAGES]


@pytest.mark.parametrize("kit", KITS, ids=lambda p: p.name)
def test_each_instructors_page_has_plans_that_add_up_a_quiz_with_answers_and_a_four_criterion_rubric(kit):
    found = sections(kit.read_text(encoding="utf-8"))
    heading = in_order(list(found), KIT_SECTIONS, kit.name)
    for minutes in (50, 90):
        plan = found[heading[f"plan for a {minutes}-minute class"]]
        rows = re.findall(r"^\|\s*(\d+)\s*\|", plan, re.MULTILINE)
        assert len(rows) >= 3 and sum(map(int, rows)) == minutes, \
            f"{kit.name}: the {minutes}-minute plan's rows add up to {sum(map(int, rows))} minutes"
    quiz = found[heading["pre/post quiz"]]
    questions = re.split(r"^\d+\.\s", quiz, flags=re.MULTILINE)[1:]
    assert len(questions) >= 5, f"{kit.name}: a quiz of {len(questions)} questions"
    assert all("*Answer:*" in q for q in questions), f"{kit.name}: a quiz question without its answer"
    rubric = found[heading["decision memo"]]
    header = re.search(r"^\|\s*criterion\s*\|.*$", rubric, re.MULTILINE | re.IGNORECASE)
    assert header, f"{kit.name}: no rubric table (| criterion | excellent | adequate | weak |)"
    body = rubric[header.end():].strip().splitlines()
    criteria = [r for r in body[1:] if r.startswith("|")]
    assert len(criteria) == 4, f"{kit.name}: the rubric has {len(criteria)} criteria, not four"
    assert all(len([c for c in r.strip().strip("|").split("|") if c.strip()]) == 4 for r in criteria), \
        f"{kit.name}: a rubric row without all three levels"
    assert len(re.findall(r"^- ", found[heading["common misconceptions"]], re.MULTILINE)) >= 3
