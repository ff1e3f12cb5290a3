"""The one place that reads the environment: data home, limits, schedule, Prefect setup.

Everything else receives a `Settings` (or plain paths) from here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "bpw-nightly"


@dataclass(frozen=True)
class Limits:
    """Input limits: anything larger is rejected, never read into memory whole."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_cell_chars: int = 100_000
    max_rows: int = 200_000
    max_xlsx_uncompressed_bytes: int = 200 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    home: Path
    limits: Limits = field(default_factory=Limits)

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def lake(self) -> Path:
        return self.home / "lake"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def runs(self) -> Path:
        return self.home / "runs"

    @property
    def docs(self) -> Path:
        return self.home / "docs"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def ensure(self) -> Settings:
        """Create the data-home folders (never touches their contents)."""
        for folder in (self.inbox, self.archive, self.lake, self.quarantine, self.runs, self.docs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def load_settings(home: str | Path | None = None) -> Settings:
    """Resolve the data home: explicit argument, else $BPW_HOME, else ./data."""
    chosen = home or os.environ.get("BPW_HOME") or "data"
    limits = Limits(
        max_file_bytes=int(os.environ.get("BPW_MAX_FILE_BYTES", Limits.max_file_bytes)),
        max_cell_chars=int(os.environ.get("BPW_MAX_CELL_CHARS", Limits.max_cell_chars)),
    )
    return Settings(home=Path(chosen).expanduser().resolve(), limits=limits)


def fault_after_writes() -> int | None:
    """Test hook: SIGKILL the process after this many publish writes (fault injection)."""
    value = os.environ.get("BPW_FAULT_AFTER_WRITES")
    return int(value) if value else None


def configure_prefect() -> None:
    """Quiet, offline Prefect: no telemetry, no event-flush noise, a deliberate PREFECT_HOME.

    Must run before `prefect` is imported.
    """
    defaults = {
        "PREFECT_HOME": str(Path.home() / ".cache" / "bpw" / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
