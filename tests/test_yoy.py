"""Year-over-year views against the generator's ground truth, aliases, and `bpw yoy`.

A multi-year corpus is generated (one department published under an old name for its
first years, with that rename declared in aliases.csv), ingested through the pipeline's
steps, and every figure of every v_* view is compared, exactly, with figures computed
here independently from `truth_frames(corpus)` with polars and plain Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from demo_warehouse import ingest
from typer.testing import CliRunner

from flows.settings import Settings
from interface.cli import app
from synth import LogicalTable, Unit, generate, truth_frames, write_corpus
from transforms.identity import normalize_name, stable_id
from transforms.normalize import project_family
from warehouse.aliases import (
    TEMPLATE,
    AliasError,
    alias_file_for,
    load_aliases,
    read_aliases,
    resolve,
)
from warehouse.catalog import build_catalog
from warehouse.lake import read_manifest

YEARS = range(2019, 2025)
RENAMED_UNTIL = 2021  # department 2 was published under its old name until this year
AMOUNTS = ("total_amount", "fiscal_amount", "special_account_amount", "other_amount")


@dataclass(frozen=True)
class Built:
    settings: Settings
    truth: dict[str, pl.DataFrame]  # canonical names, plus the printed project names
    old_name: str
    new_name: str
    rounded: set[tuple[str, int]]  # (printed department, year) whose 合计 is a cent off

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        con = duckdb.connect(str(self.settings.warehouse), read_only=True)
        try:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()


def published_under(table: LogicalTable, old: str) -> LogicalTable:
    """The same table as printed before the department's rename: the old name everywhere."""
    new = table.department
    units = tuple(
        Unit(
            u.name.replace(new, old),
            tuple(replace(p, name=p.name.replace(new, old)) for p in u.projects),
            u.declared,
        )
        for u in table.units
    )
    return replace(table, department=old, units=units)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("yoy")
    corpus = generate(3, YEARS, seed=29)  # a seed whose corpus has gaps and rounded totals
    new_name = corpus.departments[1]
    old_name = f"原{new_name}"
    printed = replace(
        corpus,
        tables=tuple(
            published_under(t, old_name)
            if t.department == new_name and t.year <= RENAMED_UNTIL
            else t
            for t in corpus.tables
        ),
    )
    write_corpus(printed, root / "synth", formats="txt,csv,xlsx", layouts="packed,long",
                 encodings="utf-8,gb18030")  # fmt: skip
    home = root / "home"
    home.mkdir()
    (home / "aliases.csv").write_text(f"{TEMPLATE}{old_name},{new_name}\n", encoding="utf-8")
    settings = ingest(home, [root / "synth"])
    truth = truth_frames(corpus)
    names = truth_frames(printed)["projects"]["project_name"].alias("printed_name")
    truth["projects"] = truth["projects"].with_columns(names)
    rounded = {(t.department, t.year) for t in printed.tables if t.declared != t.funds}
    return Built(settings, truth, old_name, new_name, rounded)


# --- the expected figures, from the truth alone ----------------------------------------


def keyed_projects(built: Built) -> pl.DataFrame:
    """Truth projects with the ids the contract promises (hashes of normalized names)."""
    rows = built.truth["projects"].with_columns(
        pl.col("department_name").map_elements(normalize_name, pl.String).alias("dkey"),
        pl.col("project_name").map_elements(normalize_name, pl.String).alias("pkey"),
        project_family(pl.col("project_name")).alias("project_family"),
    )
    return rows.with_columns(
        pl.col("dkey").map_elements(lambda k: stable_id("department", k), pl.Int64)
        .alias("department_id"),
        pl.struct("dkey", "pkey").map_elements(
            lambda r: stable_id("project", r["dkey"], r["pkey"]), pl.Int64
        ).alias("project_id"),
    )  # fmt: skip


def pct(change: Decimal, base: Decimal | None) -> float | None:
    """change / base × 100 as the views compute it (DOUBLE), None without a base."""
    if base is None or base == 0:
        return None
    return float(change) / float(base) * 100


def with_previous(rows: list[dict], key: tuple[str, ...], fields: tuple[str, ...]) -> None:
    """Add prev_<field> from the row of the same key in year−1 (None if there is none)."""
    index = {(*(r[k] for k in key), r["year"]): r for r in rows}
    for row in rows:
        prev = index.get((*(row[k] for k in key), row["year"] - 1))
        for field in fields:
            row[f"prev_{field}"] = prev[field] if prev else None


def yearly_sums(frame: pl.DataFrame, keys: list[str]) -> list[dict]:
    return (
        frame.group_by(*keys, "year")
        .agg(*(pl.col(a).sum() for a in AMOUNTS), pl.len().alias("n_rows"),
             pl.col("n_indicators").sum().alias("n_indicators"))
        .sort(*keys, "year")
        .to_dicts()
    )  # fmt: skip


def assert_same(got: list[dict], want: list[dict], key: tuple[str, ...]) -> None:
    """The same rows, matched by `key`, every field equal (Decimals by value, floats exactly)."""
    got_rows = {tuple(r[k] for k in key): r for r in got}
    want_rows = {tuple(r[k] for k in key): r for r in want}
    assert len(got_rows) == len(got) and len(want_rows) == len(want), "key is not unique"
    assert got_rows.keys() == want_rows.keys()
    for k, w in want_rows.items():
        assert got_rows[k] == w, k


# --- the views, figure by figure ---------------------------------------------------------


def test_department_yoy_equals_the_truth(built: Built) -> None:
    want = yearly_sums(keyed_projects(built), ["department_name"])
    with_previous(want, ("department_name",), ("total_amount",))
    expected = [
        {
            "department_name": r["department_name"],
            "year": r["year"],
            "total_amount": r["total_amount"],
            "prev_total_amount": r["prev_total_amount"],
            "yoy_change": None
            if r["prev_total_amount"] is None
            else r["total_amount"] - r["prev_total_amount"],
            "yoy_pct": None
            if r["prev_total_amount"] is None
            else pct(r["total_amount"] - r["prev_total_amount"], r["prev_total_amount"]),
            "n_projects": r["n_rows"],
            "n_indicators": r["n_indicators"],
        }
        for r in want
    ]
    assert_same(
        built.rows("select * from v_department_yoy"), expected, ("department_name", "year")
    )
    firsts = built.rows("select * from v_department_yoy where year = 2019")
    assert firsts and all(r["prev_total_amount"] is None for r in firsts)


def expected_projects(built: Built) -> list[dict]:
    projects = keyed_projects(built)
    latest = (
        projects.sort("year")
        .group_by("project_id")
        .agg(pl.col("printed_name").last(), pl.col("year").min().alias("first_year"))
    )
    rows = yearly_sums(projects, ["department_name", "department_id", "project_id",
                                  "project_family"])  # fmt: skip
    with_previous(rows, ("project_id",), ("total_amount",))
    info = {r["project_id"]: r for r in latest.to_dicts()}
    expected = []
    for r in rows:
        prev, first = r["prev_total_amount"], info[r["project_id"]]["first_year"]
        status = "new" if r["year"] == first else "continuing" if prev is not None else "resumed"
        expected.append(
            {
                "department_id": r["department_id"],
                "department_name": r["department_name"],
                "project_id": r["project_id"],
                "project_name": info[r["project_id"]]["printed_name"],
                "project_family": r["project_family"],
                "year": r["year"],
                "total_amount": r["total_amount"],
                "prev_total_amount": prev,
                "yoy_change": None if prev is None else r["total_amount"] - prev,
                "yoy_pct": None if prev is None else pct(r["total_amount"] - prev, prev),
                "fiscal_amount": r["fiscal_amount"],
                "special_account_amount": r["special_account_amount"],
                "other_amount": r["other_amount"],
                "first_year": first,
                "status": status,
                "n_indicators": r["n_indicators"],
            }
        )
    return expected


def test_project_yoy_equals_the_truth(built: Built) -> None:
    expected = expected_projects(built)
    statuses = {r["status"] for r in expected}
    assert statuses == {"new", "continuing", "resumed"}, "the corpus should have gaps"
    assert_same(built.rows("select * from v_project_yoy"), expected, ("project_id", "year"))


def test_project_family_yoy_equals_the_truth(built: Built) -> None:
    projects = expected_projects(built)
    groups: dict[tuple, list[dict]] = {}
    for p in projects:
        groups.setdefault((p["department_id"], p["project_family"], p["year"]), []).append(p)
    rows = []
    for (department_id, family, year), members in groups.items():
        rows.append(
            {
                "department_id": department_id,
                "department_name": members[0]["department_name"],
                "project_family": family,
                "year": year,
                "total_amount": sum((m["total_amount"] for m in members), Decimal(0)),
                "n_members": len(members),
                "n_new_members": sum(m["first_year"] == year for m in members),
                "member_names": "；".join(sorted(m["project_name"] for m in members)),
            }
        )
    with_previous(rows, ("department_id", "project_family"), ("total_amount",))
    first = {}
    for r in rows:
        key = (r["department_id"], r["project_family"])
        first[key] = min(first.get(key, r["year"]), r["year"])
    for r in rows:
        prev = r["prev_total_amount"]
        r["yoy_change"] = None if prev is None else r["total_amount"] - prev
        r["yoy_pct"] = None if prev is None else pct(r["total_amount"] - prev, prev)
        r["first_year"] = first[(r["department_id"], r["project_family"])]
    assert max(r["n_members"] for r in rows) > 1, "a family should fund several members at once"
    key = ("department_id", "project_family", "year")
    assert_same(built.rows("select * from v_project_family_yoy"), rows, key)


# --- targets: parsed here with the generator's own shapes, not the warehouse's parser ---

_TARGET = re.compile(r"^(≥|≤|不低于|不高于)?(\d+(?:\.\d+)?)(.*)$")
_OPS = {"≥": ">=", "不低于": ">=", "≤": "<=", "不高于": "<="}
_DURATIONS = {"秒", "分钟", "小时", "天", "日", "工作日", "个工作日", "周"}


def parse(text: str) -> tuple[str | None, float | None, str | None]:
    """(op, value, unit) of a generated target text; words and dates have no value."""
    match = _TARGET.match(text)
    if not match or re.match(r"^\d+月", text):
        return None, None, None
    unit = match.group(3).removesuffix("为优") or None
    return _OPS.get(match.group(1) or ""), float(match.group(2)), unit


def demanding_sign(op: str | None, unit: str | None) -> int:
    if op in (">=", ">"):
        return 1
    if op in ("<=", "<"):
        return -1
    return -1 if unit in _DURATIONS else 1


def change_of(prev: str | None, text: str, had_prev: bool) -> tuple[str | None, float | None]:
    """(target_change, value_change) between two years' annual targets."""
    if not had_prev:
        return None, None
    (op0, v0, u0), (op1, v1, u1) = parse(prev), parse(text)
    comparable = (
        v0 is not None and v1 is not None and u0 == u1
        and demanding_sign(op0, u0) == demanding_sign(op1, u1)
    )  # fmt: skip
    delta = v1 - v0 if comparable else None
    if prev == text:
        return "unchanged", delta
    if comparable and v1 != v0:
        return ("raised" if (v1 - v0) * demanding_sign(op1, u1) > 0 else "lowered"), delta
    return "reworded", delta


def keyed_indicators(built: Built) -> pl.DataFrame:
    ids = keyed_projects(built).select(
        "year", "department_name", "project_name", "department_id", "project_id", "printed_name"
    )
    return built.truth["indicators"].join(
        ids, on=["year", "department_name", "project_name"], how="left"
    )


def test_indicator_target_yoy_equals_the_truth(built: Built) -> None:
    rows = keyed_indicators(built).sort("project_id", "year", "indicator_seq").to_dicts()
    latest_name = {}
    occurrences: dict[tuple, int] = {}
    for r in rows:
        latest_name[r["project_id"]] = r["printed_name"]  # sorted by year: the last wins
        key = (r["project_id"], r["year"], normalize_name(r["indicator_name"]))
        occurrences[key] = occurrences.get(key, 0) + 1
        r["key"] = (r["project_id"], normalize_name(r["indicator_name"]), occurrences[key])
    index = {(r["key"], r["year"]): r for r in rows}
    expected = []
    for r in rows:
        prev = index.get((r["key"], r["year"] - 1))
        prev_text = prev["annual_target_text"] if prev else None
        change, delta = change_of(prev_text, r["annual_target_text"], prev is not None)
        op, value, unit = parse(r["annual_target_text"])
        p_op, p_value, p_unit = parse(prev_text) if prev else (None, None, None)
        expected.append(
            {
                "department_id": r["department_id"],
                "department_name": r["department_name"],
                "project_id": r["project_id"],
                "project_name": latest_name[r["project_id"]],
                "year": r["year"],
                "indicator_seq": r["indicator_seq"],
                "category_code": r["category_code"],
                "indicator_name": r["indicator_name"],
                "prev_annual_target_text": prev_text,
                "annual_target_text": r["annual_target_text"],
                "target_change": change,
                "prev_annual_target_op": p_op,
                "annual_target_op": op,
                "prev_annual_target_value": p_value,
                "annual_target_value": value,
                "prev_annual_target_unit": p_unit,
                "annual_target_unit": unit,
                "value_change": delta,
            }
        )
    changes = {r["target_change"] for r in expected}
    assert {"raised", "lowered", "reworded", "unchanged", None} <= changes
    key = ("project_id", "year", "indicator_seq")
    assert_same(built.rows("select * from v_indicator_target_yoy"), expected, key)


def test_a_smaller_number_under_at_most_is_a_raised_target(built: Built) -> None:
    rows = built.rows(
        "select * from v_indicator_target_yoy where annual_target_op = '<=' "
        "and target_change in ('raised', 'lowered')"
    )
    assert rows
    for r in rows:
        smaller = r["annual_target_value"] < r["prev_annual_target_value"]
        assert r["target_change"] == ("raised" if smaller else "lowered"), r


def test_indicator_mix_equals_the_truth(built: Built) -> None:
    names = {
        r["category_code"]: r
        for r in built.rows("select * from dim_indicator_category")
    }
    rows = keyed_indicators(built).to_dicts()
    counts: dict[tuple, list[int]] = {}
    totals: dict[tuple, int] = {}
    for r in rows:
        key = (r["department_id"], r["department_name"], r["year"], r["category_code"])
        entry = counts.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += parse(r["annual_target_text"])[1] is not None
        totals[key[:3]] = totals.get(key[:3], 0) + 1
    expected = [
        {
            "department_id": d, "department_name": name, "year": y,
            "level1_code": names[c]["level1_code"], "level1_name": names[c]["level1_name"],
            "category_code": c, "level2_name": names[c]["level2_name"],
            "n_indicators": n, "n_quantitative": q,
            "quantitative_pct": q / n * 100, "category_pct": n / totals[(d, name, y)] * 100,
        }
        for (d, name, y, c), (n, q) in counts.items()
    ]  # fmt: skip
    key = ("department_id", "year", "category_code")
    assert_same(built.rows("select * from v_indicator_mix"), expected, key)


def test_fund_source_mix_equals_the_truth(built: Built) -> None:
    rows = yearly_sums(keyed_projects(built), ["department_id", "department_name"])
    for r in rows:
        for source in ("fiscal", "special_account", "other"):
            r[f"{source}_pct"] = float(r[f"{source}_amount"]) / float(r["total_amount"]) * 100
        del r["n_rows"], r["n_indicators"]
    with_previous(rows, ("department_id",), ("fiscal_pct", "special_account_pct", "other_pct"))
    assert any(r["special_account_amount"] or r["other_amount"] for r in rows)
    assert_same(built.rows("select * from v_fund_source_mix"), rows, ("department_id", "year"))


def test_quality_findings_are_the_tables_printed_with_a_rounded_total(built: Built) -> None:
    rows = built.rows(
        "select distinct department_name, year from v_quality_finding "
        "where rule = 'declared_total_rounding'"
    )
    assert built.rounded, "the corpus should print some rounded totals"
    assert {(r["department_name"], r["year"]) for r in rows} == built.rounded


# --- aliases --------------------------------------------------------------------------------


def test_the_alias_joins_the_renamed_years_and_without_it_they_are_apart(
    built: Built, tmp_path: Path
) -> None:
    names = [r["department_name"] for r in built.rows("select * from dim_department")]
    assert built.new_name in names and built.old_name not in names and len(names) == 3
    applied = built.rows("select alias_name, canonical_name from bpw_department_alias")
    assert applied == [{"alias_name": built.old_name, "canonical_name": built.new_name}]
    series = built.rows(
        "select year, prev_total_amount from v_department_yoy where department_name = ? "
        "order by year",
        [built.new_name],
    )
    assert [r["year"] for r in series] == list(YEARS)
    assert all(r["prev_total_amount"] is not None for r in series[1:])
    # the same lake, catalogued without the alias file: two departments again
    lake, catalog = built.settings.lake, tmp_path / "warehouse.duckdb"
    build_catalog(lake, catalog, read_manifest(lake))
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        apart = con.execute(
            "select department_name, min(year), max(year) from v_department_yoy group by 1"
        ).fetchall()
        assert (built.old_name, 2019, RENAMED_UNTIL) in apart
        assert (built.new_name, RENAMED_UNTIL + 1, max(YEARS)) in apart
        first = con.execute(
            "select prev_total_amount from v_department_yoy where department_name = ? "
            "and year = ?",
            [built.new_name, RENAMED_UNTIL + 1],
        ).fetchall()
        assert first == [(None,)]
    finally:
        con.close()


def test_lake_views_stay_plain_unless_an_aliased_name_is_loaded(
    built: Built, tmp_path: Path
) -> None:
    def lake_projects_sql(aliases: str) -> str:
        folder = tmp_path / str(len(aliases))
        folder.mkdir()
        (folder / "aliases.csv").write_text(TEMPLATE + aliases, encoding="utf-8")
        build_catalog(built.settings.lake, folder / "w.duckdb", read_manifest(built.settings.lake))
        con = duckdb.connect(str(folder / "w.duckdb"), read_only=True)
        try:
            return con.execute(
                "select sql from duckdb_views() where view_name = 'lake_projects'"
            ).fetchone()[0]
        finally:
            con.close()

    assert "bpw_id_alias" not in lake_projects_sql("从未加载的部门,另一个部门\n")
    assert "bpw_id_alias" in lake_projects_sql(f"{built.old_name},{built.new_name}\n")


def test_alias_files_are_read_strictly(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    assert read_aliases(path) == []
    path.write_text(TEMPLATE + "旧名 , 新名\n老名,旧名\n\n# note\n", encoding="utf-8")
    resolved = load_aliases(path)
    assert [(a.alias_name, a.canonical_name) for a in resolved] == [
        ("旧名", "新名"), ("老名", "新名")
    ]  # chains resolve to the last name
    path.write_text(TEMPLATE + "甲,乙\n乙,甲\n", encoding="utf-8")
    with pytest.raises(AliasError, match="circle"):
        load_aliases(path)
    path.write_text(TEMPLATE + "甲,乙\n甲,丙\n", encoding="utf-8")
    with pytest.raises(AliasError, match="line 8"):
        load_aliases(path)
    path.write_text("old,new\n甲,乙\n", encoding="utf-8")
    with pytest.raises(AliasError, match="line 1: the header"):
        load_aliases(path)
    path.write_text(TEMPLATE + "甲\n", encoding="utf-8")
    with pytest.raises(AliasError, match="two non-empty names"):
        load_aliases(path)
    assert resolve([]) == []


def test_the_alias_file_lives_beside_the_catalog(built: Built) -> None:
    assert built.settings.aliases == alias_file_for(built.settings.warehouse)


# --- bpw yoy and bpw aliases -----------------------------------------------------------------

runner = CliRunner()


def bpw(settings: Settings, *args: str):
    result = runner.invoke(app, ["--home", str(settings.home), *args])
    return result


def test_yoy_shows_department_totals_signed_and_rounded(built: Built) -> None:
    result = bpw(built.settings, "yoy", "--department", built.new_name, "--from", "2022")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if built.new_name in line]
    assert len(lines) == max(YEARS) - 2022 + 1
    assert re.search(r"[+-][\d,]+\.\d\d\b", lines[0])  # a signed change
    assert re.search(r"[+-]\d+\.\d%", lines[0])  # a percentage with one decimal
    assert "2021" not in result.output


def test_yoy_json_and_csv_keep_exact_figures(built: Built) -> None:
    result = bpw(built.settings, "yoy", "--department", built.new_name, "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    want = built.rows(
        "select year, total_amount from v_department_yoy where department_name = ? order by 1",
        [built.new_name],
    )
    assert [(r["year"], Decimal(r["total_amount"])) for r in records] == [
        (w["year"], w["total_amount"]) for w in want
    ]
    csv_out = bpw(built.settings, "yoy", "--family", "信息化", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    header = csv_out.output.splitlines()[0].split(",")
    assert header[:4] == ["department_name", "project_family", "year", "n_members"]


def test_yoy_by_project_and_by_family(built: Built) -> None:
    project = built.rows(
        "select project_name from v_project_yoy where status = 'continuing' limit 1"
    )[0]["project_name"]
    result = bpw(built.settings, "yoy", "--project", project, "--format", "json")
    records = json.loads(result.output)
    assert records and {r["project_name"] for r in records} == {project}
    assert {"status", "yoy_change", "yoy_pct"} <= set(records[0])
    family = bpw(built.settings, "yoy", "--family", "信息化", "--to", "2020")
    assert family.exit_code == 0 and "信息化" in family.output and "2021" not in family.output
    both = bpw(built.settings, "yoy", "--project", "x", "--family", "y")
    assert both.exit_code == 2


def test_yoy_without_a_warehouse_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path), "yoy"])
    assert result.exit_code == 2 and "no warehouse" in result.output


def test_aliases_command_creates_the_file_adds_and_applies(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = runner.invoke(app, ["--home", str(home), "aliases"])
    assert first.exit_code == 0, first.output
    assert (home / "aliases.csv").read_text(encoding="utf-8") == TEMPLATE
    assert "no aliases" in first.output
    added = runner.invoke(app, ["--home", str(home), "aliases", "--add", "旧名", "新名"])
    assert added.exit_code == 0, added.output
    assert "旧名" in added.output and "新名" in added.output
    assert read_aliases(home / "aliases.csv")[0].canonical_name == "新名"
    (home / "aliases.csv").write_text("bad header\n", encoding="utf-8")
    broken = runner.invoke(app, ["--home", str(home), "aliases"])
    assert broken.exit_code == 2 and "header" in broken.output
