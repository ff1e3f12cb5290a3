"""The one place that reads the environment: data home, limits, retention, log level,
schedule, Prefect setup.

Every setting in `SETTINGS` can be set in `$BPW_HOME/bpw.toml` (optional) and by an
environment variable, which overrides the file:

    [limits]                       # anything larger is refused unread, with its rule
    max_file_bytes = 52428800      # BPW_MAX_FILE_BYTES
    max_cell_chars = 100000        # BPW_MAX_CELL_CHARS
    max_rows = 200000              # BPW_MAX_ROWS
    max_uncompressed_bytes = 209715200  # BPW_MAX_UNCOMPRESSED_BYTES (an .xlsx unpacked)

    [retention]          # how long superseded versions keep their rows (default: forever)
    keep_versions = 3    # BPW_KEEP_VERSIONS: the 3 most recently superseded per batch
    keep_days = 365      # BPW_KEEP_DAYS: those superseded less than a year ago

    [logging]
    level = "INFO"       # BPW_LOG_LEVEL (or `bpw --log-level`): the flow run's log

Every value is checked when the settings load: a bad one raises `SettingsError`, one
line naming the variable (or file and key) and the value. Everything else receives a
`Settings` (or plain paths) from here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from transforms.grid import ReadLimits
from warehouse.retention import KEEP_EVERYTHING, Retention

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "bpw-nightly"
# a scheduled run that fires during a manual one waits for it (up to 6 h) instead of failing
SCHEDULED_LOCK_WAIT_SECONDS = 6 * 3600
# `bpw serve` without PREFECT_API_URL starts its own Prefect server here (loopback only)
LOCAL_SERVER_HOST = "127.0.0.1"
LOCAL_SERVER_PORT = 4200

SETTINGS_FILE = "bpw.toml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LOG_LEVEL = "INFO"
LogLevel = StrEnum("LogLevel", {level: level for level in LOG_LEVELS})  # `--log-level` choices


@dataclass(frozen=True)
class Limits:
    """Input limits: anything larger is rejected, never read into memory whole. The
    file size is checked before a file is opened; `read` goes to the readers."""

    max_file_bytes: int = 50 * 1024 * 1024
    read: ReadLimits = field(default_factory=ReadLimits)


class SettingsError(ValueError):
    """bpw.toml or an environment variable holds a value bpw cannot use (one line)."""


@dataclass(frozen=True)
class Settings:
    home: Path
    limits: Limits = field(default_factory=Limits)
    retention: Retention = KEEP_EVERYTHING
    log_level: str = DEFAULT_LOG_LEVEL

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


# --- the settings, each once: where it is set, its default, how it is checked ----------


def positive_int(value: object) -> int:
    """A whole number above zero (`50_000` reads as 50000)."""
    if isinstance(value, bool):
        raise ValueError
    number = int(value.replace("_", "")) if isinstance(value, str) else value
    if not isinstance(number, int) or number <= 0:
        raise ValueError
    return number


def count_or_none(value: object) -> int | None:
    """A whole number, 0 or more; empty (`BPW_KEEP_VERSIONS=`) means no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(value.replace("_", "")) if isinstance(value, str) else value
    if not isinstance(number, int) or number < 0:
        raise ValueError
    return number


def days_or_none(value: object) -> float | None:
    """A number of days, 0 or more; empty means no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError
    number = float(value)
    if not number >= 0 or number == float("inf"):  # also refuses nan
        raise ValueError
    return number


def log_level(value: object) -> str:
    """One of LOG_LEVELS, in any case."""
    if not isinstance(value, str) or value.strip().upper() not in LOG_LEVELS:
        raise ValueError
    return value.strip().upper()


@dataclass(frozen=True)
class Setting:
    table: str
    key: str
    env: str
    default: Any
    parse: Callable[[object], Any]
    expected: str  # what a good value looks like, for the error line
    meaning: str  # what it does (the README's settings table says so)

    @property
    def optional(self) -> bool:
        """An empty environment variable means "no limit" (else: not set)."""
        return self.default is None


_READ = ReadLimits()
_WHOLE = "a whole number above zero"
SETTINGS: tuple[Setting, ...] = (
    Setting("limits", "max_file_bytes", "BPW_MAX_FILE_BYTES", Limits.max_file_bytes,
            positive_int, _WHOLE, "a larger file is refused unread (`file_too_large`)"),
    Setting("limits", "max_cell_chars", "BPW_MAX_CELL_CHARS", _READ.max_cell_chars,
            positive_int, _WHOLE, "a longer cell rejects its file (`cell_too_large`)"),
    Setting("limits", "max_rows", "BPW_MAX_ROWS", _READ.max_rows, positive_int, _WHOLE,
            "a table with more rows rejects its file (`too_many_rows`)"),
    Setting("limits", "max_uncompressed_bytes", "BPW_MAX_UNCOMPRESSED_BYTES",
            _READ.max_uncompressed_bytes, positive_int, _WHOLE,
            "an `.xlsx` or `.docx` that unpacks to more is refused (`zip_bomb`)"),
    Setting("retention", "keep_versions", "BPW_KEEP_VERSIONS", None, count_or_none,
            "a whole number, 0 or more (empty: no limit)",
            "superseded versions kept per batch"),
    Setting("retention", "keep_days", "BPW_KEEP_DAYS", None, days_or_none,
            "a number of days, 0 or more (empty: no limit)",
            "superseded versions kept this many days"),
    Setting("logging", "level", "BPW_LOG_LEVEL", DEFAULT_LOG_LEVEL, log_level,
            "one of " + ", ".join(LOG_LEVELS),
            "the lowest level in the flow run's log on the Prefect server"),
)  # fmt: skip


def load_settings(home: str | Path | None = None) -> Settings:
    """Resolve the data home: explicit argument, else $BPW_HOME, else ./data; then read
    its bpw.toml (if any) and the environment over it, every value checked."""
    chosen = Path(home or os.environ.get("BPW_HOME") or "data").expanduser().resolve()
    values = resolve(chosen)
    limits = Limits(
        max_file_bytes=values["limits", "max_file_bytes"],
        read=ReadLimits(
            max_cell_chars=values["limits", "max_cell_chars"],
            max_rows=values["limits", "max_rows"],
            max_uncompressed_bytes=values["limits", "max_uncompressed_bytes"],
        ),
    )
    retention = Retention(
        keep_versions=values["retention", "keep_versions"],
        keep_days=values["retention", "keep_days"],
    )
    return Settings(chosen, limits, retention, values["logging", "level"])


def resolve(home: Path) -> dict[tuple[str, str], Any]:
    """Each setting's value: its environment variable, else bpw.toml, else its default."""
    path = home / SETTINGS_FILE
    config = _settings_file(path)
    values: dict[tuple[str, str], Any] = {}
    for setting in SETTINGS:
        text = os.environ.get(setting.env)
        if text is not None and (text.strip() or setting.optional):
            values[setting.table, setting.key] = _checked(setting, text, f"{setting.env}={text!r}")
        elif setting.key in config.get(setting.table, {}):
            value = config[setting.table][setting.key]
            where = f"{path}: [{setting.table}] {setting.key} = {value!r}"
            values[setting.table, setting.key] = _checked(setting, value, where)
        else:
            values[setting.table, setting.key] = setting.default
    return values


def _checked(setting: Setting, value: object, where: str) -> Any:
    try:
        return setting.parse(value)
    except (ValueError, TypeError, OverflowError):
        raise SettingsError(
            f"{where}: {setting.table}.{setting.key} must be {setting.expected}"
        ) from None


def _settings_file(path: Path) -> dict[str, dict[str, Any]]:
    """bpw.toml as tables of known keys (a typo is an error, not a silent default)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    import tomllib  # only for a home that has the file: off every command's start-up

    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None
    known: dict[str, set[str]] = {}
    for setting in SETTINGS:
        known.setdefault(setting.table, set()).add(setting.key)
    for table, keys in config.items():
        if table not in known:
            raise SettingsError(
                f"{path}: unknown table [{table}] (known: {', '.join(sorted(known))})"
            )
        if not isinstance(keys, dict):
            raise SettingsError(f"{path}: {table} must be a table ([{table}])")
        unknown = sorted(set(keys) - known[table])
        if unknown:
            raise SettingsError(
                f"{path}: unknown [{table}] key(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known[table]))})"
            )
    return config


# --- Prefect ---------------------------------------------------------------------------


def prefect_api_url() -> str | None:
    """The Prefect server runs report to ($PREFECT_API_URL), or None: a temporary one."""
    return os.environ.get("PREFECT_API_URL") or None


def use_prefect_api(url: str) -> None:
    """Send this process's runs, and those of every process it starts, to server `url`.

    Must run before `prefect` is imported (Prefect reads its settings once, at import).
    """
    os.environ["PREFECT_API_URL"] = url


def console_level(level: str) -> str:
    """Prefect's own console lines: warnings and errors only (bpw shows its stages and
    summary itself); a stricter `level` applies there too."""
    import logging

    if level.upper() not in LOG_LEVELS:
        return "WARNING"
    return max(level.upper(), "WARNING", key=logging.getLevelName)


def configure_prefect(level: str | None = None) -> Path:
    """Quiet, offline Prefect: no telemetry, no event-flush noise, a deliberate PREFECT_HOME;
    the flow run's log at `level` (else $BPW_LOG_LEVEL, else INFO), Prefect's console at
    WARNING.

    Must run before `prefect` is imported. Returns PREFECT_HOME.
    """
    defaults = {
        "PREFECT_HOME": str(Path.home() / ".cache" / "bpw" / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_LEVEL": DEFAULT_LOG_LEVEL,
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "DASK_LOGGING__DISTRIBUTED": "warning",  # --task-runner dask: no per-connection INFO
    }
    chosen = level or os.environ.get("BPW_LOG_LEVEL", "").strip()
    if chosen:  # bpw's level wins over a PREFECT_LOGGING_LEVEL of the environment
        setting = next(s for s in SETTINGS if s.env == "BPW_LOG_LEVEL")
        chosen = _checked(setting, chosen, f"BPW_LOG_LEVEL={chosen!r}")
        os.environ["PREFECT_LOGGING_LEVEL"] = chosen
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = console_level(chosen)
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault(
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", console_level(os.environ["PREFECT_LOGGING_LEVEL"])
    )
    prefect_home = Path(os.environ["PREFECT_HOME"])
    prefect_home.mkdir(parents=True, exist_ok=True)
    import logging

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return prefect_home
