"""The README stays true: every example in its analysis sections runs on the demo data
(every table under samples/, as `bpw demo --history` loads them) and prints exactly the
output shown under it.

An example is a ```sql block (run with `bpw sql`) or a ```sh block whose one line is
`$ .venv/bin/bpw [--home DIR] …`, followed by a ```text block with the output. After
the demo data change, rewrite the outputs with
`.venv/bin/python tests/test_readme.py --update` and review the diff.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from demo_warehouse import SAMPLES, demo_home, ingest  # noqa: E402

from interface.cli import app  # noqa: E402
from warehouse.catalog import ALL_VIEWS, PUBLIC_VIEWS  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = ("## Star schema", "## Example queries", "## Year over year")
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


def examples(text: str) -> list[Example]:
    found = []
    for heading in SECTIONS:
        start, end = section(text, heading)
        for match in EXAMPLE.finditer(text, start, end):
            found.append(Example(match.group(1), match.group(2), match.group(3),
                                 match.start(3), match.end(3)))  # fmt: skip
    return found


def clean(output: str) -> str:
    """Output as the README shows it: no trailing spaces, no blank edges."""
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines()) + "\n"


def run(example: Example, home: Path) -> str:
    if example.kind == "sql":
        args = ["sql", example.code.strip()]
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
def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_the_readme_has_the_analysis_sections(readme: str) -> None:
    for heading in SECTIONS:
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


def update() -> None:
    """Rewrite every example's output from a fresh demo warehouse."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        home = ingest(Path(tmp) / "home", [SAMPLES]).home
        for example in sorted(examples(text), key=lambda e: e.start, reverse=True):
            text = text[: example.start] + run(example, home) + text[example.end :]
    README.write_text(text, encoding="utf-8")
    print(f"updated {README}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {sys.argv[0]} --update")
    update()
