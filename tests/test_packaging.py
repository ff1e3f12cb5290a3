"""A plain (not editable) install of the package runs `bpw demo`: the code, the suites,
the SQL, the page templates and the bundled samples all ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_plain_install_runs_the_demo_from_its_own_files(tmp_path: Path) -> None:
    target = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    assert (target / "samples" / "2026" / "广州互联网法院.txt").is_file()
    env = {**os.environ, "PYTHONPATH": str(target), "COLUMNS": "200"}
    env.pop("BPW_HOME", None)
    where = subprocess.run(
        [sys.executable, "-c", "import interface.cli as c; print(c.__file__); print(c.SAMPLES)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert where.stdout.splitlines() == [
        str(target / "interface" / "cli.py"), str(target / "samples"),
    ]  # fmt: skip
    demo = subprocess.run(
        [sys.executable, "-m", "interface.cli", "--home", str(tmp_path / "home"), "demo"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "17 projects, 71 indicators" in demo.stdout
    assert "5373.55" in demo.stdout
