"""The README documents every command the CLI has, and nothing it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from interface.cli import app

README = Path(__file__).parent.parent / "README.md"


def cli_commands() -> set[str]:
    return {command.name or command.callback.__name__ for command in app.registered_commands}


def readme_commands() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Command line", 1)[1].split("\n\n", 2)[1]
    return set(re.findall(r"^\| `bpw (\w+)", table, flags=re.MULTILINE))


def test_every_command_is_in_the_readme_table():
    assert cli_commands() == readme_commands()


def test_the_readme_opens_with_the_two_commands():
    head = README.read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head
