"""Exit codes tell a crash from a rejection: 0 ok, 1 files rejected, 2 usage, 75 locked
(tests/test_lock.py), 70 internal error — one line on stderr naming a file under
`$BPW_HOME/runs/` that holds the full traceback — and 130 for Ctrl-C.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from interface import cli

BPW = str(Path(sys.executable).with_name("bpw"))
INTERNAL = re.compile(r"^bpw: internal error: (\w+): (.*) \(traceback: (.+)\)$")


def bpw(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("BPW_HOME", None)
    return subprocess.run(
        [BPW, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=120
    )


def internal_error(stderr: str) -> tuple[str, str, Path]:
    """(exception type, message, traceback file) from the one line an internal error prints."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr  # one line, no traceback on screen
    match = INTERNAL.match(lines[0])
    assert match, lines[0]
    return match.group(1), match.group(2), Path(match.group(3))


def test_a_crash_exits_70_with_one_line_and_the_traceback_under_runs(tmp_path: Path) -> None:
    """A real one: a data home whose catalog is not a DuckDB file (a damaged disk, a bad
    copy) cannot be read by `bpw status`."""
    home = tmp_path / "home"
    (home / "runs").mkdir(parents=True)
    (home / "warehouse.duckdb").write_bytes(b"this is not a DuckDB database\n" * 200)
    result = bpw(home, "status")
    assert result.returncode == 70, (result.stdout, result.stderr)
    kind, message, report = internal_error(result.stderr)
    assert "Exception" in kind and message
    assert report.parent == home / "runs" and report.name.startswith("crash-")
    text = report.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert f"{kind}: " in text and "status" in text  # the error and the command
    assert [p.name for p in (home / "runs").iterdir()] == [report.name]  # no partial file


def test_a_crash_in_process_keeps_to_one_line_whatever_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()

    def broken(settings: object) -> None:
        raise RuntimeError("the first line\nthe second line\n  and a third")

    monkeypatch.setattr("interface.status.loaded_matrix", broken)
    monkeypatch.setattr(sys, "argv", ["bpw", "--home", str(home), "status"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 70
    kind, message, report = internal_error(capsys.readouterr().err)
    assert (kind, message) == ("RuntimeError", "the first line …")
    assert report.parent == home / "runs"  # runs/ is created in an existing home
    text = report.read_text(encoding="utf-8")
    assert "the second line" in text and "in broken" in text


def test_without_a_data_home_the_traceback_goes_to_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    missing = tmp_path / "no-home"

    def broken(settings: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("interface.status.loaded_matrix", broken)
    monkeypatch.setattr(sys, "argv", ["bpw", "--home", str(missing), "status"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 70
    kind, _, report = internal_error(capsys.readouterr().err)
    assert kind == "KeyError" and report.parent == temp
    assert "KeyError: 'boom'" in report.read_text(encoding="utf-8")
    assert not missing.exists()  # no data home is created just for the report


def test_ctrl_c_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(settings: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("interface.status.loaded_matrix", interrupted)
    monkeypatch.setattr(sys, "argv", ["bpw", "--home", str(tmp_path), "status"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 130
    assert "internal error" not in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_a_bad_option_or_argument_is_usage_not_a_crash(tmp_path: Path) -> None:
    for args in (["status", "--no-such-option"], ["ingest", str(tmp_path / "missing.xlsx")]):
        result = bpw(tmp_path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "internal error" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_version_prints_the_package_version_and_exits_0():
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).parent.parent
    declared = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    bpw = Path(sys.executable).parent / "bpw"
    result = subprocess.run([str(bpw), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"bpw {declared}"


def test_a_limit_that_is_not_a_positive_number_is_bad_usage_in_one_line(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    bpw = Path(sys.executable).parent / "bpw"
    for variable, value in (("BPW_MAX_FILE_BYTES", "abc"), ("BPW_MAX_CELL_CHARS", "-1")):
        env = {**os.environ, variable: value}
        result = subprocess.run([str(bpw), "--home", str(tmp_path), "status"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and variable in lines[0] and value in lines[0]
