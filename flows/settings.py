"""The one place that reads the environment: data home, limits, retention, schedule,
Prefect setup.

`$BPW_HOME/bpw.toml` (optional) holds settings; an environment variable overrides it:

    [retention]          # how long superseded versions keep their rows (default: forever)
    keep_versions = 3    # BPW_KEEP_VERSIONS: the 3 most recently superseded per batch
    keep_days = 365      # BPW_KEEP_DAYS: those superseded less than a year ago

Everything else receives a `Settings` (or plain paths) from here.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.retention import KEEP_EVERYTHING, Retention

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "bpw-nightly"
# a scheduled run that fires during a manual one waits for it (up to 6 h) instead of failing
SCHEDULED_LOCK_WAIT_SECONDS = 6 * 3600
# `bpw serve` without PREFECT_API_URL starts its own Prefect server here (loopback only)
LOCAL_SERVER_HOST = "127.0.0.1"
LOCAL_SERVER_PORT = 4200


@dataclass(frozen=True)
class Limits:
    """Input limits: anything larger is rejected, never read into memory whole."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_cell_chars: int = 100_000
    max_rows: int = 200_000
    max_xlsx_uncompressed_bytes: int = 200 * 1024 * 1024


SETTINGS_FILE = "bpw.toml"


class SettingsError(ValueError):
    """bpw.toml or an environment variable holds a value bpw cannot use (one line)."""


@dataclass(frozen=True)
class Settings:
    home: Path
    limits: Limits = field(default_factory=Limits)
    retention: Retention = KEEP_EVERYTHING

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

    @property
    def aliases(self) -> Path:
        """Department aliases (alias_name,canonical_name), applied by the catalog."""
        return self.home / "aliases.csv"

    @property
    def report(self) -> Path:
        """Where `bpw report` writes its HTML by default."""
        return self.home / "report.html"

    def ensure(self) -> Settings:
        """Create the data-home folders (never touches their contents)."""
        for folder in (self.inbox, self.archive, self.lake, self.quarantine, self.runs, self.docs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def load_settings(home: str | Path | None = None) -> Settings:
    """Resolve the data home: explicit argument, else $BPW_HOME, else ./data; then read
    its bpw.toml (if any) and the environment over it."""
    chosen = Path(home or os.environ.get("BPW_HOME") or "data").expanduser().resolve()
    limits = Limits(
        max_file_bytes=_positive_int("BPW_MAX_FILE_BYTES", Limits.max_file_bytes),
        max_cell_chars=_positive_int("BPW_MAX_CELL_CHARS", Limits.max_cell_chars),
    )
    return Settings(home=chosen, limits=limits, retention=_retention(_settings_file(chosen)))


def _positive_int(variable: str, default: int) -> int:
    """A limit from the environment: a whole number above zero, else SettingsError."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{variable}={text!r}: give a whole number above zero")
    return value


def _settings_file(home: Path) -> dict:
    path = home / SETTINGS_FILE
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None


def _retention(config: dict) -> Retention:
    """[retention] keep_versions / keep_days of bpw.toml, under BPW_KEEP_VERSIONS /
    BPW_KEEP_DAYS (an empty variable means no limit)."""
    table = config.get("retention", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{SETTINGS_FILE}: [retention] must be a table")
    unknown = set(table) - {"keep_versions", "keep_days"}
    if unknown:
        raise SettingsError(f"{SETTINGS_FILE}: unknown [retention] key(s): {sorted(unknown)}")
    values: dict[str, object] = dict(table)
    for key, env in (("keep_versions", "BPW_KEEP_VERSIONS"), ("keep_days", "BPW_KEEP_DAYS")):
        if env in os.environ:
            values[key] = os.environ[env].strip() or None
    try:
        versions, days = values.get("keep_versions"), values.get("keep_days")
        return Retention(
            keep_versions=None if versions is None else int(str(versions)),
            keep_days=None if days is None else float(str(days)),
        )
    except ValueError as exc:
        raise SettingsError(f"retention: {exc}") from None


def prefect_api_url() -> str | None:
    """The Prefect server runs report to ($PREFECT_API_URL), or None: a temporary one."""
    return os.environ.get("PREFECT_API_URL") or None


def use_prefect_api(url: str) -> None:
    """Send this process's runs, and those of every process it starts, to server `url`.

    Must run before `prefect` is imported (Prefect reads its settings once, at import).
    """
    os.environ["PREFECT_API_URL"] = url


def configure_prefect() -> Path:
    """Quiet, offline Prefect: no telemetry, no event-flush noise, a deliberate PREFECT_HOME.

    Must run before `prefect` is imported. Returns PREFECT_HOME.
    """
    defaults = {
        "PREFECT_HOME": str(Path.home() / ".cache" / "bpw" / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "DASK_LOGGING__DISTRIBUTED": "warning",  # --task-runner dask: no per-connection INFO
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    prefect_home = Path(os.environ["PREFECT_HOME"])
    prefect_home.mkdir(parents=True, exist_ok=True)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return prefect_home
