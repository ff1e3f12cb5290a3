"""`bpw`, the command line's entry point (`bpw = interface.cli:main`).

A plain `bpw status` is answered by `interface.quick` without loading the command
definitions; everything else goes to typer's app (`interface.commands`), which loads on
first use — also as `interface.cli.app` (and the module's other names), for tests and
`python -m interface.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flows.settings import SettingsError
from interface.invocation import INTERNAL_ERROR, err, settings


def __getattr__(name: str) -> Any:
    """`interface.cli.app` and the command module's other names, loaded on first use."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import interface.commands

    try:
        return getattr(interface.commands, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def main() -> None:
    """Console-script entry point.

    Exit status: 0 ok, 1 files rejected, 2 usage (or a refused query), 75 another run
    holds the data home, 70 internal error, 130 interrupted.
    """
    try:
        from interface.quick import run

        if run(sys.argv[1:]):
            sys.exit(0)
        from interface.commands import app

        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, the trace in a file
        query = sys.modules.get("warehouse.query")  # imported if it raised
        if query and isinstance(exc, query.QueryRefused):  # a read outside the warehouse
            err.print(f"bpw: refused: {exc}", markup=False)
            sys.exit(2)
        if isinstance(exc, SettingsError):  # bpw.toml or a variable bpw cannot use
            err.print(f"bpw: settings: {exc}", markup=False)
            sys.exit(2)
        report = _write_crash_report(exc)
        where = f"traceback: {report}" if report else "no traceback file could be written"
        err.print(
            f"bpw: internal error: {type(exc).__name__}: {_first_line(exc)} ({where})",
            markup=False,
        )
        sys.exit(INTERNAL_ERROR)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else "(no message)"


def _write_crash_report(exc: BaseException) -> Path | None:
    """The full traceback in `$BPW_HOME/runs/crash-<UTC time>-<pid>.txt` (written whole,
    via `warehouse.fsio`), or in the temp folder when the data home has no usable runs/;
    None if neither can be written."""
    import os
    import tempfile
    import traceback
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    text = (
        f"bpw internal error at {now.isoformat(timespec='seconds')}\n"
        f"command: {sys.argv!r}\n\n" + "".join(traceback.format_exception(exc))
    )
    name = f"crash-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.txt"
    folders: list[Path] = []
    try:
        home = settings()
        if home.home.is_dir():
            folders.append(home.runs)
    except Exception:  # the settings themselves may be what failed
        pass
    folders.append(Path(tempfile.gettempdir()))
    try:
        from warehouse.fsio import write_text_atomic
    except Exception:  # a broken install: a plain write still beats no report

        def write_text_atomic(path: Path, text: str, label: str) -> None:
            path.write_text(text, encoding="utf-8")

    for folder in folders:
        try:
            folder.mkdir(exist_ok=True)
            path = folder / name
            write_text_atomic(path, text, "crash report")
            return path
        except Exception:  # try the next folder
            continue
    return None


if __name__ == "__main__":  # `python -m interface.cli …` (e.g. with -X importtime)
    main()
