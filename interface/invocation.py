"""What every command of one `bpw` invocation shares: the data home it was given
(`--home`), its two consoles, and the exit status of an internal error. Light (rich's
console and bpw's settings only), so the quick path (`interface.quick`) can use it
without loading the command definitions (`interface.commands`: typer, pydantic).
"""

from __future__ import annotations

import sys

from rich.console import Console

from flows.settings import Settings, load_settings

INTERNAL_ERROR = 70  # EX_SOFTWARE: bpw itself failed (a bug, or a broken data home)

# piped output keeps natural table widths (a terminal folds to its own width)
# highlighting only adds colour: where there is none it is pure cost (≈ 0.4 ms a line)
out = Console(
    soft_wrap=True, width=None if sys.stdout.isatty() else 1000,
    highlight=Console().is_terminal,
)  # fmt: skip
err = Console(
    stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 1000,
    highlight=Console(stderr=True).is_terminal,
)  # fmt: skip


class State:
    home: str | None = None


def settings() -> Settings:
    """The settings of the data home this invocation was given (else $BPW_HOME, ./data)."""
    return load_settings(State.home)
