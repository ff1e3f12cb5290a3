"""Computed once: every v_* view reads the derived Parquet a publish wrote, and says
exactly what its reference definition (sql/v_*.sql, computed from the lake) says.

A realistic home (a synthetic corpus over four years, the real 广州 table for two
years, and the 青神 目标表 with its 自评表 for two years) is ingested through the
pipeline; then a run that touches one department-year (an earlier year of 广州, which
changes first years and statuses of its later rows), an alias edit, and a resubmission
(a corrected 广州 2026 table: a revision). After each, every v_* view of the live
catalog is compared row for row with the same view computed from the lake; the
untouched departments keep their derived files; and `--as-of` the first version still
answers what the first version said.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest_warehouse import SAMPLE_DEPARTMENT, Variant, write_variant
from demo_warehouse import ingest
from self_eval_forms import self_eval_rows, target_card_rows, write_rows

from flows.settings import Settings
from synth import generate, write_corpus
from warehouse.aliases import TEMPLATE
from warehouse.asof import as_of_catalog, moments
from warehouse.catalog import build_catalog
from warehouse.derived import DERIVED, bucket_of, derived_views, entries
from warehouse.lake import read_manifest, rebuild_catalog_if_stale
from warehouse.manifest import write_manifest

YEARS = range(2021, 2025)
# views a realistic home fills (the others need revisions or 自评表: checked per step)
ALWAYS_FILLED = {
    "v_department_yoy", "v_fund_source_mix", "v_indicator_mix", "v_indicator_target_yoy",
    "v_project_family_yoy", "v_project_yoy", "v_target_attainment",
    "v_department_attainment_yoy",
}  # fmt: skip


@dataclass
class Steps:
    settings: Settings
    departments: list[str]  # the synthetic departments
    manifests: list[dict]  # the manifest after each step
    v1_rows: dict[str, list[tuple]]  # every v_* view's rows after the first run
    reports: list[dict[str, tuple[int, int, int, bool]]]  # compare() after each step


def view_sql(con: duckdb.DuckDBPyConnection, view: str) -> str:
    return con.execute(
        "select sql from duckdb_views() where view_name = ? and not internal "
        "and database_name = current_database()",
        [view],
    ).fetchone()[0]


def rows_of(catalog: Path, view: str) -> list[tuple]:
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        return sorted(con.execute(f"select * from {view}").fetchall(), key=repr)
    finally:
        con.close()


def compare(settings: Settings, tmp: Path) -> dict[str, tuple[int, int, int, bool]]:
    """view → (rows, rows only in the live catalog, rows only in the reference, whether
    the live view reads derived Parquet). The reference is a catalog of the same manifest
    and aliases without its derived entries: every view computed from the lake."""
    manifest = read_manifest(settings.lake)
    reference = {k: v for k, v in manifest.items() if k != DERIVED}
    folder = Path(tempfile.mkdtemp(prefix=f"reference-v{manifest['version']}-", dir=tmp))
    build_catalog(settings.lake, folder / "ref.duckdb", reference, settings.aliases)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        con.execute(f"attach '{folder / 'ref.duckdb'}' as ref (read_only)")
        report = {}
        for view in derived_views():
            n = con.execute(f"select count(*) from {view}").fetchone()[0]
            live_only = con.execute(
                f"select count(*) from (from {view} except all from ref.{view})"
            ).fetchone()[0]
            ref_only = con.execute(
                f"select count(*) from (from ref.{view} except all from {view})"
            ).fetchone()[0]
            report[view] = (n, live_only, ref_only, "read_parquet" in view_sql(con, view))
        assert (
            "read_parquet"
            not in con.execute(
                "select sql from duckdb_views() where database_name = 'ref' "
                "and view_name = 'v_project_yoy'"
            ).fetchone()[0]
        )
        return report
    finally:
        con.close()


def write_forms(root: Path) -> None:
    """The 青神 目标表 and its filled 自评表 for 2023 and 2024 (spent a little less in 2024)."""
    for year, executed, rate in ((2023, "251.89", "100.00%"), (2024, "240.00", "95.28%")):
        write_rows(root / str(year) / "青神县发展和改革局.xlsx", target_card_rows(year))
        write_rows(
            root / str(year) / "青神县发展和改革局-自评.xlsx",
            self_eval_rows(year, executed=executed, rate=rate),
        )


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> Steps:
    root = tmp_path_factory.mktemp("derived")
    corpus = generate(4, YEARS, seed=31)
    write_corpus(corpus, root / "synth", formats="txt,csv", layouts="packed,long")
    write_forms(root / "forms")
    for year in (2025, 2026):
        write_variant(root / "gz", Variant(year=year, tag=f"y{year}"))
    home = root / "home"
    home.mkdir()
    settings = ingest(home, [root / "synth", root / "forms", root / "gz"])
    manifests = [read_manifest(settings.lake)]
    reports = [compare(settings, root)]
    v1_rows = {view: rows_of(settings.warehouse, view) for view in derived_views()}

    # a run that touches one department-year: 广州's 2024, before its first year
    ingest(home, [write_variant(root / "gz", Variant(year=2024, tag="y2024"))])
    manifests.append(read_manifest(settings.lake))
    reports.append(compare(settings, root))

    # an alias edit: the catalog computes until a publish has recomputed with it
    departments = list(corpus.departments)
    settings.aliases.write_text(f"{TEMPLATE}{departments[0]},{departments[1]}\n", "utf-8")
    rebuild_catalog_if_stale(settings.lake, settings.warehouse)
    reports.append(compare(settings, root))

    # a resubmission: a corrected 广州 2026 table replaces the first (a revision)
    corrected = Variant(year=2026, extra=Decimal("10"), tag="rev", mtime=1_800_000_000.0)
    ingest(home, [write_variant(root / "gz", corrected)])
    manifests.append(read_manifest(settings.lake))
    reports.append(compare(settings, root))
    return Steps(settings, departments, manifests, v1_rows, reports)


def test_the_first_publish_materializes_every_view_and_each_equals_its_reference(
    steps: Steps,
) -> None:
    report = steps.reports[0]
    assert set(report) == set(derived_views())
    for view, (n, live_only, ref_only, reads_parquet) in report.items():
        assert (live_only, ref_only, reads_parquet) == (0, 0, True), view
        if view in ALWAYS_FILLED:
            assert n > 0, view


def test_a_run_touching_one_department_year_recomputes_its_bucket_only(steps: Steps) -> None:
    for view, (_, live_only, ref_only, reads_parquet) in steps.reports[1].items():
        assert (live_only, ref_only, reads_parquet) == (0, 0, True), view
    before, after = entries(steps.manifests[0]), entries(steps.manifests[1])
    touched: set[int] = set()
    for view in derived_views():
        old = {bucket_of(rel): rel for rel in before[view]["files"]}
        new = {bucket_of(rel): rel for rel in after[view]["files"]}
        assert old.keys() == new.keys()
        touched |= {bucket for bucket in new if new[bucket] != old[bucket]}
    assert len(touched) == 1  # 广州's bucket, in every view; the others kept their files
    # and its rows changed: 广州's 2025 projects are no longer new
    assert steps.reports[1]["v_project_yoy"][0] > steps.reports[0]["v_project_yoy"][0]


def test_an_alias_edit_makes_the_catalog_compute_until_the_next_publish(steps: Steps) -> None:
    for view, (_, live_only, ref_only, reads_parquet) in steps.reports[2].items():
        assert (live_only, ref_only, reads_parquet) == (0, 0, False), view
    # the next publish recomputed every view with the alias: derived again, still equal
    for view, (_, live_only, ref_only, reads_parquet) in steps.reports[3].items():
        assert (live_only, ref_only, reads_parquet) == (0, 0, True), view
    con = duckdb.connect(str(steps.settings.warehouse), read_only=True)
    try:
        names = {
            r[0] for r in con.execute("select department_name from v_department_yoy").fetchall()
        }
    finally:
        con.close()
    assert steps.departments[1] in names and steps.departments[0] not in names


def test_a_resubmission_shows_its_revision_from_the_derived_files(steps: Steps) -> None:
    n, live_only, ref_only, reads_parquet = steps.reports[3]["v_revision_change"]
    assert n > 0 and (live_only, ref_only, reads_parquet) == (0, 0, True)
    con = duckdb.connect(str(steps.settings.warehouse), read_only=True)
    try:
        kinds = con.execute(
            "select distinct department_name, year, change_kind from v_revision_change"
        ).fetchall()
    finally:
        con.close()
    assert (SAMPLE_DEPARTMENT, 2026, "amount_changed") in kinds


def test_as_of_the_first_version_answers_what_it_said_then(steps: Steps) -> None:
    settings = steps.settings
    first = moments(settings.lake)[0]
    shutil.copy(settings.aliases, settings.aliases.with_suffix(".bak"))
    settings.aliases.write_text(TEMPLATE, "utf-8")  # the first version had no aliases
    try:
        with as_of_catalog(settings.lake, settings.aliases, first) as catalog:
            con = duckdb.connect(str(catalog), read_only=True)
            try:
                computed = {
                    view: "read_parquet" not in view_sql(con, view) for view in derived_views()
                }
            finally:
                con.close()
            then = {view: rows_of(catalog, view) for view in derived_views()}
    finally:
        shutil.move(settings.aliases.with_suffix(".bak"), settings.aliases)
    assert all(computed.values())
    for view in derived_views():
        assert then[view] == steps.v1_rows[view], view


def test_a_derived_entry_of_another_definition_is_not_read(steps: Steps, tmp_path: Path) -> None:
    """Derived files written by another version of a view's SQL are stale: the catalog
    computes that view (and only that one) from the lake."""
    settings = steps.settings
    lake = tmp_path / "home" / "lake"
    shutil.copytree(settings.lake, lake)
    shutil.copy(settings.aliases, tmp_path / "home" / "aliases.csv")
    manifest = json.loads(json.dumps(read_manifest(lake)))
    manifest[DERIVED]["v_project_yoy"]["definition"] = "an older definition"
    write_manifest(lake, manifest)
    catalog = tmp_path / "home" / "warehouse.duckdb"
    build_catalog(lake, catalog, manifest)
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        reads = {view: "read_parquet" in view_sql(con, view) for view in derived_views()}
    finally:
        con.close()
    assert reads == {view: view != "v_project_yoy" for view in derived_views()}
    assert rows_of(catalog, "v_project_yoy") == rows_of(settings.warehouse, "v_project_yoy")
