"""A run's progress, stage by stage: a rich progress bar on a terminal, plain lines elsewhere.

On a terminal (stderr is a tty) each stage is a line of a live rich display with a bar
for counted stages (read: chunks done of all). Anywhere else — cron, `bpw serve`, CI,
a pipe — each stage writes one plain, timestamped line when it ends, and a long counted
stage also writes a line at most every `PLAIN_EVERY_SECONDS`, so logs stay readable:

    2026-11-28 02:00:03 bpw 20261128T020000-1a2b3c read: 7/7 chunks, 130 files (4.2 s)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

PLAIN_EVERY_SECONDS = 10.0


@dataclass
class Stage:
    """One stage of a run: advance it as items finish, leave a note for its last line."""

    name: str
    total: int | None
    progress: RunProgress
    done: int = 0
    note: str = ""
    started: float = field(default_factory=time.monotonic)
    _task: Any = None
    _last_line: float = field(default_factory=time.monotonic)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self.progress._advanced(self)

    @property
    def counted(self) -> str:
        return f"{self.done}/{self.total}" if self.total is not None else ""


class RunProgress:
    """Progress display for one run; use as a context manager around the run's stages."""

    def __init__(self, run_id: str, stream: TextIO | None = None, live: bool | None = None):
        self.run_id = run_id
        self.stream = stream if stream is not None else sys.stderr
        self.live = _is_terminal(self.stream) if live is None else live
        self._rich: Any = None

    def __enter__(self) -> RunProgress:
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._rich = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[note]}"),
                console=Console(file=self.stream),
            )
            self._rich.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        """A stage: shown while it runs, one line (or a finished bar) when it ends."""
        stage = Stage(name, total, self)
        if self._rich is not None:
            stage._task = self._rich.add_task(name, total=total, note="")
        try:
            yield stage
        except BaseException:
            stage.note = (stage.note + " — failed").strip(" —")
            self._finished(stage, failed=True)
            raise
        self._finished(stage)

    def _advanced(self, stage: Stage) -> None:
        if self._rich is not None:
            self._rich.update(stage._task, completed=stage.done, note=stage.note)
            return
        now = time.monotonic()
        if now - stage._last_line >= PLAIN_EVERY_SECONDS:
            stage._last_line = now
            self._line(f"{stage.name}: {stage.counted} …")

    def _finished(self, stage: Stage, failed: bool = False) -> None:
        seconds = time.monotonic() - stage.started
        if self._rich is not None:
            total = stage.total if stage.total is not None else 1
            done = stage.done if stage.total is not None or failed else 1
            self._rich.update(stage._task, total=total, completed=done, note=stage.note)
            return
        parts = ", ".join(p for p in (stage.counted, stage.note) if p)
        self._line(f"{stage.name}: {parts or 'done'} ({seconds:.1f} s)")

    def _line(self, text: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.stream.write(f"{stamp} bpw {self.run_id} {text}\n")
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or file-like without isatty
        return False
