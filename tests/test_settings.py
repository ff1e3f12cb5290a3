"""Settings come from one place (`flows.settings`): each from `$BPW_HOME/bpw.toml` or its
BPW_* variable (which wins), every value checked, a bad one a single line and exit 2."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from flows.settings import (
    SETTINGS,
    Limits,
    Settings,
    SettingsError,
    configure_prefect,
    load_settings,
)
from tests.conftest import SAMPLE
from transforms.grid import ReadLimits
from warehouse.retention import Retention

ROOT = Path(__file__).resolve().parent.parent
BPW = str(Path(sys.executable).with_name("bpw"))

# per setting: (a value in bpw.toml, what it resolves to), (a variable's text, its value)
GOOD = {
    "BPW_MAX_FILE_BYTES": (("1_000_000", 1_000_000), ("2000000", 2_000_000)),
    "BPW_MAX_CELL_CHARS": (("5000", 5000), ("7_000", 7000)),
    "BPW_MAX_ROWS": (("1000", 1000), ("30", 30)),
    "BPW_MAX_UNCOMPRESSED_BYTES": (("10_000_000", 10_000_000), ("4096", 4096)),
    "BPW_KEEP_VERSIONS": (("3", 3), ("0", 0)),
    "BPW_KEEP_DAYS": (("30.5", 30.5), ("7", 7.0)),
    "BPW_LOG_LEVEL": (('"debug"', "DEBUG"), ("error", "ERROR")),
}
BAD = {
    "BPW_MAX_FILE_BYTES": ["abc", "0", "-5", "1.5", "1e6"],
    "BPW_MAX_CELL_CHARS": ["many", "-1", "0"],
    "BPW_MAX_ROWS": ["ten", "0", "2.0"],
    "BPW_MAX_UNCOMPRESSED_BYTES": ["200MB", "-1"],
    "BPW_KEEP_VERSIONS": ["-1", "three", "1.5"],
    "BPW_KEEP_DAYS": ["-2", "a year", "nan", "inf"],
    "BPW_LOG_LEVEL": ["loud", "VERBOSE", "20"],
}
BAD_IN_FILE = {  # toml values of the wrong kind
    "BPW_MAX_FILE_BYTES": ['"50MB"', "1.5", "true", "0"],
    "BPW_MAX_ROWS": ["[1, 2]", "-3"],
    "BPW_KEEP_DAYS": ["-1", "false"],
    "BPW_LOG_LEVEL": ["20", '"chatty"'],
}


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)


def _value(settings: Settings, table: str, key: str) -> object:
    """A setting's value as the rest of bpw receives it."""
    if table == "limits":
        limits = settings.limits
        return limits.max_file_bytes if key == "max_file_bytes" else getattr(limits.read, key)
    if table == "retention":
        return getattr(settings.retention, key)
    return settings.log_level


def _setting(env: str):
    return next(s for s in SETTINGS if s.env == env)


def test_every_setting_is_tested_here():
    assert {s.env for s in SETTINGS} == set(GOOD) == set(BAD)
    assert all(s.env == f"BPW_{s.key.upper()}" or s.table == "logging" for s in SETTINGS)


def test_without_a_file_or_variables_the_defaults_hold(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    settings = load_settings(tmp_path)
    assert settings.limits == Limits() and settings.limits.read == ReadLimits()
    assert settings.retention == Retention()
    assert settings.log_level == "INFO"
    for setting in SETTINGS:
        assert _value(settings, setting.table, setting.key) == setting.default


@pytest.mark.parametrize("env", sorted(GOOD))
def test_each_setting_comes_from_bpw_toml_and_its_variable_overrides_it(env, tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    setting = _setting(env)
    (in_file, from_file), (in_env, from_env) = GOOD[env]
    assert from_file != setting.default and from_env != from_file
    (tmp_path / "bpw.toml").write_text(f"[{setting.table}]\n{setting.key} = {in_file}\n")
    assert _value(load_settings(tmp_path), setting.table, setting.key) == from_file
    monkeypatch.setenv(env, in_env)
    assert _value(load_settings(tmp_path), setting.table, setting.key) == from_env
    others = [s for s in SETTINGS if s is not setting]
    assert all(  # one setting moves one value
        _value(load_settings(tmp_path), s.table, s.key) == s.default for s in others
    )


def test_an_empty_variable_means_no_limit_for_retention_and_unset_for_the_rest(
    tmp_path, monkeypatch
):
    _clean_env(monkeypatch)
    (tmp_path / "bpw.toml").write_text("[retention]\nkeep_days = 30\n[limits]\nmax_rows = 1000\n")
    monkeypatch.setenv("BPW_KEEP_DAYS", "")
    monkeypatch.setenv("BPW_MAX_ROWS", " ")
    settings = load_settings(tmp_path)
    assert settings.retention.keep_days is None
    assert settings.limits.read.max_rows == 1000


@pytest.mark.parametrize(
    ("env", "text"), [(env, text) for env, texts in sorted(BAD.items()) for text in texts]
)
def test_a_bad_variable_is_one_line_naming_it_and_its_value(env, text, tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv(env, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{env}={text!r}: ")
    assert _setting(env).key in message  # and what it should be


@pytest.mark.parametrize(
    ("env", "text"),
    [(env, text) for env, texts in sorted(BAD_IN_FILE.items()) for text in texts],
)
def test_a_bad_value_in_bpw_toml_is_one_line_naming_the_file_key_and_value(
    env, text, tmp_path, monkeypatch
):
    _clean_env(monkeypatch)
    setting = _setting(env)
    path = tmp_path / "bpw.toml"
    path.write_text(f"[{setting.table}]\n{setting.key} = {text}\n")
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: [{setting.table}] {setting.key} = ")


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[limit]\nmax_rows = 5\n", "[limit]"),
        ("[limits]\nmax_row = 5\n", "max_row"),
        ("[retention]\nkeep_version = 3\n", "keep_version"),
        ("limits = 5\n", "limits"),
        ("[limits\nmax_rows = 5\n", "bpw.toml"),
    ],
)
def test_a_typo_or_broken_bpw_toml_is_an_error_not_a_silent_default(
    toml, named, tmp_path, monkeypatch
):
    _clean_env(monkeypatch)
    (tmp_path / "bpw.toml").write_text(toml)
    with pytest.raises(SettingsError, match=re.escape(named)):
        load_settings(tmp_path)


def test_limits_hold_the_readers_limits_instead_of_repeating_them():
    names = {f.name for f in dataclasses.fields(Limits)}
    assert names == {"max_file_bytes", "read"}
    assert isinstance(Limits().read, ReadLimits)
    read_keys = {s.key for s in SETTINGS if s.table == "limits"} - {"max_file_bytes"}
    assert read_keys == {f.name for f in dataclasses.fields(ReadLimits)}


# --- the limits reach the readers -------------------------------------------------------


def _rules(home: Path, folder: Path) -> set[str]:
    from pipeline.run import validate

    outcome = validate([folder], load_settings(home).limits)
    return set(outcome.findings.filter(pl.col("severity") == "error")["rule"].to_list())


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "in" / "2026"
    folder.mkdir(parents=True)
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    return folder


@pytest.mark.parametrize(
    ("env", "value", "rule"),
    [
        ("BPW_MAX_FILE_BYTES", "1000", "file_too_large"),
        ("BPW_MAX_CELL_CHARS", "40", "cell_too_large"),
        ("BPW_MAX_ROWS", "5", "too_many_rows"),
    ],
)
def test_a_lower_limit_rejects_the_sample_with_its_rule(env, value, rule, inbox, monkeypatch):
    _clean_env(monkeypatch)
    home = inbox.parent.parent
    assert _rules(home, inbox) == set()
    monkeypatch.setenv(env, value)
    assert _rules(home, inbox) == {rule}
    monkeypatch.delenv(env)
    setting = _setting(env)
    (home / "bpw.toml").write_text(f"[{setting.table}]\n{setting.key} = {value}\n")
    assert _rules(home, inbox) == {rule}


def test_the_unpacked_size_limit_reaches_the_workbook_reader(tmp_path, monkeypatch):
    import openpyxl

    _clean_env(monkeypatch)
    folder = tmp_path / "in" / "2026"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        book.active.append(line.split("\t"))
    book.save(folder / "广州互联网法院.xlsx")
    assert "zip_bomb" not in _rules(tmp_path, folder)
    (tmp_path / "bpw.toml").write_text("[limits]\nmax_uncompressed_bytes = 4096\n")
    assert _rules(tmp_path, folder) == {"zip_bomb"}


# --- Prefect's levels -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "run_log", "console"),
    [("DEBUG", "DEBUG", "WARNING"), ("INFO", "INFO", "WARNING"), ("ERROR", "ERROR", "ERROR")],
)
def test_the_log_level_sets_the_run_log_and_prefects_console_shows_warnings_at_least(
    level, run_log, console, tmp_path, monkeypatch
):
    touched = ("PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "BPW_LOG_LEVEL",
               "PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_SERVER_LOGGING_LEVEL",
               "PREFECT_RESULTS_PERSIST_BY_DEFAULT", "DASK_LOGGING__DISTRIBUTED",
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")  # fmt: skip
    for name in touched:  # restored after the test, whatever configure_prefect sets
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    configure_prefect(level)
    assert os.environ["PREFECT_LOGGING_LEVEL"] == run_log
    assert os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] == console
    configure_prefect()  # as flows.nightly does on import: the chosen level stays
    assert os.environ["PREFECT_LOGGING_LEVEL"] == run_log


# --- the command line -------------------------------------------------------------------


def _bpw(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    for setting in SETTINGS:
        if setting.env not in env:
            environment.pop(setting.env, None)
    environment.pop("BPW_HOME", None)
    return subprocess.run([BPW, "--home", str(home), *args], env=environment,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_bad_bpw_toml_is_bad_usage_in_one_line_without_a_traceback(tmp_path):
    (tmp_path / "bpw.toml").write_text("[limits]\nmax_rows = -3\n")
    result = _bpw(tmp_path, "status")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "bpw.toml" in line and "max_rows" in line and "-3" in line
    assert "Traceback" not in result.stderr
    (tmp_path / "bpw.toml").unlink()
    result = _bpw(tmp_path, "status", BPW_LOG_LEVEL="chatty")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "BPW_LOG_LEVEL" in line and "chatty" in line


def test_log_level_is_a_global_option_with_its_choices(tmp_path):
    result = _bpw(tmp_path, "--log-level", "loud", "status")
    assert result.returncode == 2
    assert "--log-level" in result.stderr and "loud" in result.stderr
    assert "Traceback" not in result.stderr
    assert _bpw(tmp_path, "--log-level", "debug", "status").returncode == 0


# --- the README -------------------------------------------------------------------------


def test_the_readme_table_documents_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[2].strip(" `"): line
        for line in readme.splitlines()
        if line.startswith("| `[") and "| `BPW_" in line
    }
    assert set(rows) == {s.env for s in SETTINGS}
    for setting in SETTINGS:
        row = rows[setting.env]
        assert f"`[{setting.table}] {setting.key}`" in row
        assert setting.meaning in row
        if setting.default is not None:
            assert str(setting.default) in row
