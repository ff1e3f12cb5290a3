"""`bpw status` without typer: the command people run most often to look, answered in
a fraction of a second.

Typer (0.29) builds a pydantic validator for each option it parses, so any command it
parses first imports pydantic (≈ 0.2 s of CPU), and the command definitions import
typer itself (≈ 0.1 s): together more than `bpw status` then does. So the entry point
(`interface.cli`) first offers the arguments here. Only the plain forms are taken:

    bpw [--home HOME] status [--format|-f FORMAT]

(`--home=HOME` and `--format=FORMAT` too; a format as typer accepts it, any case).
Anything else — another command, --help, --log-level, an unknown or malformed option —
is not taken, and typer parses it as always, with its own messages. What is printed is
the same function's output (`interface.render.print_status`) on the same consoles.
"""

from __future__ import annotations

from interface.formats import Format

COMMAND = "status"


def parse_status(argv: list[str]) -> tuple[str | None, Format] | None:
    """(home, format) when `argv` is a plain `bpw status` (see the module's docstring);
    else None. `home` None: the default data home."""
    home: str | None = None
    at = 0
    while at < len(argv) and argv[at] != COMMAND:
        word = argv[at]
        if word == "--home" and at + 1 < len(argv):
            home, at = argv[at + 1], at + 2
        elif word.startswith("--home="):
            home, at = word.removeprefix("--home="), at + 1
        else:
            return None
    if at == len(argv):
        return None
    chosen = Format.table.value
    rest = argv[at + 1 :]
    at = 0
    while at < len(rest):
        word = rest[at]
        if word in ("--format", "-f") and at + 1 < len(rest):
            chosen, at = rest[at + 1], at + 2
        elif word.startswith("--format="):
            chosen, at = word.removeprefix("--format="), at + 1
        else:
            return None
    found = [fmt for fmt in Format if fmt.value == chosen.lower()]
    return (home, found[0]) if found else None


def run(argv: list[str]) -> bool:
    """Answer `argv` here if it is a plain `bpw status` (True: done, exit 0); False: leave
    it to typer."""
    parsed = parse_status(argv)
    if parsed is None:
        return False
    from interface.invocation import State, out, settings
    from interface.render import print_status

    State.home, fmt = parsed
    print_status(out, settings(), fmt)
    return True
