"""One durable-write path: every file bpw writes is written whole through warehouse.fsio
(temp file beside it, fsync, rename, fsync the folder), and nothing else writes files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warehouse import fsio

ROOT = Path(__file__).parent.parent
PACKAGES = ("flows", "interface", "pipeline", "expectations", "transforms", "warehouse")
# a plain write of a whole file, outside the one module that writes durably
_PLAIN_WRITE = re.compile(r"\.write_(?:text|bytes)\(|\bopen\([^)]*[\"'][wx]b?\+?[\"']")
ALLOWED = {
    # the crash report's fallback when warehouse.fsio itself cannot be imported
    ("interface/cli.py", 'path.write_text(text, encoding="utf-8")'),
}


def test_write_text_atomic_replaces_the_whole_file_and_leaves_no_temp_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "aliases.csv"
    fsio.write_text_atomic(target, "旧\n" * 1000, "test")
    fsio.write_text_atomic(target, "新\n", "test")
    assert target.read_text(encoding="utf-8") == "新\n"
    fsio.write_bytes_atomic(tmp_path / "page.html", b"<p>1</p>", "test")
    assert (tmp_path / "page.html").read_bytes() == b"<p>1</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aliases.csv", "page.html"]


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    fsio.write_text_atomic(target, "old", "test")
    with pytest.raises(UnicodeEncodeError):
        fsio.write_text_atomic(target, "half \ud800 written", "test")  # not encodable
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_no_module_writes_a_file_around_the_durable_path() -> None:
    for line in ('p.write_text("x")', "p.write_bytes(b)", 'open(p, "w")', "open(p, 'wb')"):
        assert _PLAIN_WRITE.search(line), line
    for line in ('open(p, "a+")', "open(p)", 'p.open("ab")', "fsio.write_text_atomic(p, t, l)"):
        assert not _PLAIN_WRITE.search(line), line
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "warehouse/fsio.py":
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if _PLAIN_WRITE.search(line) and (rel, line.strip()) not in ALLOWED:
                    found.append(f"{rel}: {line.strip()}")
    assert not found, "write through warehouse.fsio instead:\n" + "\n".join(found)
