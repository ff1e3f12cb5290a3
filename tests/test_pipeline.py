"""The pipeline is plain Python: a whole run, and a validation, with no Prefect at all.

The Prefect flow (`flows.nightly`) makes each step one task; here the same steps run as
plain calls (`pipeline.run`), as the tests that start many runs drive them
(`tests/inline_flow.py`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from flows.settings import Limits
from tests.conftest import SAMPLE

TESTS = Path(__file__).resolve().parent


def test_a_whole_run_never_imports_prefect(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(TESTS)!r})\n"
        "from inline_flow import run_nightly\n"
        f"summary = run_nightly(home={str(home)!r}, paths=[{str(SAMPLE.parent)!r}])\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'prefect')\n"
        "print(json.dumps({'prefect': loaded, 'summary': summary}, default=str))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    assert answer["prefect"] == []
    summary = answer["summary"]
    assert summary["exit_status"] == 0 and summary["manifest_version"] == 1
    assert summary["rows"]["projects"] == 17
    # the run's records, as the flow leaves them (bar the Prefect artifact)
    assert Path(summary["reports"]["run_json"]).is_file()
    assert Path(summary["reports"]["run_html"]).is_file()


def test_validate_reads_and_gates_and_writes_nothing(tmp_path: Path) -> None:
    from pipeline.run import validate

    folder = tmp_path / "2026"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.txt")
    (folder / "x.txt").write_text(
        SAMPLE.read_text(encoding="utf-8").replace("572.90\t572.90", "-1\t-1"), encoding="utf-8"
    )
    before = sorted(tmp_path.rglob("*"))
    outcome = validate([folder], Limits())
    errors = outcome.findings.filter(pl.col("severity") == "error")
    assert errors["file_name"].unique().to_list() == ["x.txt"]
    assert "amounts_not_negative" in errors["rule"].to_list()
    assert len(outcome.rejected_ids) == 1
    assert outcome.accepted.files["file_name"].to_list() == ["good.txt"]
    assert sorted(tmp_path.rglob("*")) == before


def test_a_run_keeps_its_rows_in_scratch_parts_and_leaves_none(tmp_path: Path) -> None:
    """The chunks' rows wait as scratch parts in the lake until the publish; a run
    removes its parts, a killed run's parts are removed by the next run and never
    loaded, and a failed run removes its own too."""
    import pytest

    from flows.settings import load_settings
    from pipeline import steps
    from tests.inline_flow import run_nightly
    from warehouse import lake
    from warehouse.scratch import SCRATCH_PREFIX, scan_parts, scratch_dir, write_parts

    home = tmp_path / "home"
    settings = load_settings(str(home)).ensure()
    (home / "inbox" / "2026").mkdir(parents=True)
    shutil.copy2(SAMPLE, home / "inbox" / "2026" / SAMPLE.name)
    seen: list[dict] = []
    real_check = steps.check_chunk

    def check_chunk(sources, limits=None, scratch=None):  # what the chunk hands back
        outcome = real_check(sources, limits, scratch)
        seen.append({t: Path(p).parent.parent == scratch for t, p in outcome.parts.items()})
        assert outcome.frames.files.height == 1 and not outcome.frames.projects.width
        return outcome

    # a killed run's parts: rows of a file no run ever accepted
    killed = scratch_dir(settings.lake, "killed")
    stray = steps.check_chunk([source_of_sample()])
    write_parts(killed, {"projects": stray.frames.projects.with_columns(pl.lit(7).alias("year"))})
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(steps, "check_chunk", check_chunk)
        summary = run_nightly(home=str(home))
    assert seen == [{"units": True, "projects": True, "indicators": True}]
    assert summary["rows"]["projects"] == 17 and not list(settings.lake.glob(f"{SCRATCH_PREFIX}*"))
    projects = pl.concat(
        [pl.read_parquet(settings.lake / rel) for rel in lake.read_manifest(settings.lake)
         ["tables"]["projects"]]
    )  # fmt: skip
    assert projects.height == 17 and set(projects["year"]) == {2026}
    assert scan_parts([]) is None

    (home / "inbox" / "2026" / "again.txt").write_text(
        SAMPLE.read_text(encoding="utf-8") + "\n注：更正\n", "utf-8"
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(lake, "publish", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
        with pytest.raises(OSError, match="disk"):
            run_nightly(home=str(home))
    assert not list(settings.lake.glob(f"{SCRATCH_PREFIX}*"))


def source_of_sample():
    from tests.conftest_warehouse import source_of

    return source_of(SAMPLE)
