"""The README stays true: every example in its analysis sections runs on the demo data
(every table under samples/, as `bpw demo --history` loads them) and prints exactly the
output shown under it; the examples of "Targets against results" run on the 目标表 and
自评表 of tests/attainment_home.py, and return the rows that home was written with.

An example is a ```sql block (run with `bpw sql`) or a ```sh block whose one line is
`$ .venv/bin/bpw [--home DIR] …`, followed by a ```text block with the output. After
the demo data change, rewrite the outputs with
`.venv/bin/python tests/test_readme.py --update` and review the diff.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from attainment_home import DEVELOPMENT, EVALUATIONS, attainment_home, write_files  # noqa: E402
from demo_warehouse import SAMPLES, demo_home, ingest  # noqa: E402

from interface.cli import app  # noqa: E402
from warehouse.catalog import ALL_VIEWS, PUBLIC_VIEWS  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = ("## Star schema", "## Example queries", "## Year over year")  # on the demo home
RESULTS_SECTIONS = ("## Targets against results",)  # on tests/attainment_home.py's home
EXAMPLE = re.compile(r"```(sql|sh)\n(.*?)```\n\s*```text\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    kind: str  # sql or sh
    code: str
    output: str
    start: int  # where the output text starts in the README
    end: int


def section(text: str, heading: str) -> tuple[int, int]:
    """(start, end) of a `## ` section of the README."""
    start = text.index(f"\n{heading}\n") + 1
    following = text.find("\n## ", start + len(heading))
    return start, len(text) if following < 0 else following + 1


def examples(text: str, sections: tuple[str, ...] = SECTIONS) -> list[Example]:
    found = []
    for heading in sections:
        start, end = section(text, heading)
        for match in EXAMPLE.finditer(text, start, end):
            found.append(Example(match.group(1), match.group(2), match.group(3),
                                 match.start(3), match.end(3)))  # fmt: skip
    return found


def clean(output: str) -> str:
    """Output as the README shows it: no trailing spaces, no blank edges."""
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines()) + "\n"


def run(example: Example, home: Path, fmt: str = "table") -> str:
    if example.kind == "sql":
        args = ["sql", example.code.strip(), "--format", fmt]
    else:
        line = example.code.strip()
        words = shlex.split(line.removeprefix("$ "))
        assert line.startswith("$ ") and words[0].endswith("bpw"), f"not a `$ bpw …` line: {line}"
        args = words[3:] if words[1] == "--home" else words[1:]  # the demo home stands in
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return clean(result.output)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_home(tmp_path_factory).home


@pytest.fixture(scope="module")
def results_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return attainment_home(tmp_path_factory).home


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_the_readme_has_the_analysis_sections(readme: str) -> None:
    for heading in SECTIONS + RESULTS_SECTIONS:
        assert f"\n{heading}\n" in readme, heading
    start, end = section(readme, "## Star schema")
    diagram = readme[start:end]
    assert "```mermaid\nerDiagram\n" in diagram
    for view in PUBLIC_VIEWS:
        if view.startswith(("dim_", "fact_")):
            assert f"    {view} {{" in diagram, f"{view} missing from the diagram"
    for view in ALL_VIEWS:
        if view.startswith("v_"):
            assert f"`{view}`" in readme, f"{view} is not described"


def test_there_are_at_least_eight_example_queries(readme: str) -> None:
    assert sum(e.kind == "sql" for e in examples(readme)) >= 8


def test_every_example_prints_what_the_readme_shows(readme: str, home: Path) -> None:
    wrong = []
    for example in examples(readme):
        got = run(example, home)
        if got != clean(example.output):
            wrong.append(f"{example.code.strip()}\n--- README\n{example.output}--- got\n{got}")
    assert not wrong, "\n\n".join(wrong) + "\n(run tests/test_readme.py --update if intended)"


def test_every_results_example_prints_what_the_readme_shows(
    readme: str, results_home: Path
) -> None:
    wrong = []
    for example in examples(readme, RESULTS_SECTIONS):
        got = run(example, results_home)
        if got != clean(example.output):
            wrong.append(f"{example.code.strip()}\n--- README\n{example.output}--- got\n{got}")
    assert not wrong, "\n\n".join(wrong) + "\n(run tests/test_readme.py --update if intended)"


def rows(example: Example, home: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run(example, home, "csv"))))


def test_the_results_examples_answer_their_questions(readme: str, results_home: Path) -> None:
    missed, restated, execution = examples(readme, RESULTS_SECTIONS)
    # which targets were missed in 2025, and why: each one its 自评表 gave a reason for
    assert sorted(
        (r["department_name"], r["indicator_name"], r["target_text"], r["deviation_reason"])
        for r in rows(missed, results_home)
    ) == sorted(
        (e.department, i.name, i.target, i.reason)
        for e in EVALUATIONS if e.year == 2025 for i in e.missed
    )  # fmt: skip
    # who restated targets at year end: every indicator whose 自评表 target differs
    assert sorted(
        (r["year"], r["department_name"], r["indicator_name"], r["target_text"],
         r["reported_target_text"])
        for r in rows(restated, results_home)
    ) == sorted(
        (str(e.year), e.department, i.name, i.target, i.reported_target)
        for e in EVALUATIONS for i in e.restated
    )  # fmt: skip
    # is execution getting better: 2025 beside 2024, as the forms' 执行率 printed them
    rates = {(e.department, e.year): f"{float(e.rate.rstrip('%')):.1f}" for e in EVALUATIONS}
    assert {
        r["department_name"]: (r["prev_execution_rate"], r["execution_rate"])
        for r in rows(execution, results_home)
    } == {
        department: (rates[department, 2024], rates[department, 2025])
        for department in {e.department for e in EVALUATIONS}
    }
    assert float(rates[DEVELOPMENT, 2025]) < float(rates[DEVELOPMENT, 2024])  # as the README says


def update() -> None:
    """Rewrite every example's output from fresh warehouses: the demo's, and the results
    home for "Targets against results"."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        home = ingest(Path(tmp) / "home", [SAMPLES / "2026", SAMPLES / "synthetic"]).home
        results = ingest(Path(tmp) / "results", [write_files(Path(tmp) / "files")]).home
        found = [(e, home) for e in examples(text)]
        found += [(e, results) for e in examples(text, RESULTS_SECTIONS)]
        for example, where in sorted(found, key=lambda f: f[0].start, reverse=True):
            text = text[: example.start] + run(example, where) + text[example.end :]
    README.write_text(text, encoding="utf-8")
    print(f"updated {README}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {sys.argv[0]} --update")
    update()
