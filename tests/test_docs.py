"""The README documents every command the CLI has, and nothing it lacks."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from interface.cli import app
from interface.formats import Format

README = Path(__file__).parent.parent / "README.md"


def cli_commands() -> set[str]:
    return {command.name or command.callback.__name__ for command in app.registered_commands}


def readme_rows() -> dict[str, str]:
    """The README's command table: command name → its row (the first row of each)."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Command line", 1)[1].split("\n\n", 2)[1]
    rows: dict[str, str] = {}
    for row, name in re.findall(r"^(\| `bpw (\w+).*)$", table, flags=re.MULTILINE):
        rows.setdefault(name, row)
    return rows


def readme_commands() -> set[str]:
    return set(readme_rows())


def test_every_command_is_in_the_readme_table():
    assert cli_commands() == readme_commands()


def commands_with_format() -> set[str]:
    return {
        command.name or command.callback.__name__
        for command in app.registered_commands
        if "format" in inspect.signature(command.callback).parameters
    }


def test_every_command_with_a_format_says_so_in_the_readme_table():
    with_format = commands_with_format()
    assert {"status", "validate", "ingest", "nightly", "sql", "yoy", "diff", "runs"} <= with_format
    rows = readme_rows()
    assert sorted(name for name in with_format if "--format" not in rows[name]) == []
    formats = README.read_text(encoding="utf-8").split("## Command line", 1)[1]
    assert all(f"`{fmt.value}`" in formats.split("\n## ", 1)[0] for fmt in Format)


def test_the_readme_opens_with_the_two_commands():
    head = README.read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head
