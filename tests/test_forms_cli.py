"""The national forms through the command line: a folder of cards and a list form, as
departments post them (PDF, Word, Excel), ingested in one run. What loads is queryable
to the cent; a list form whose department subtotal is not met and a card filed under
the wrong year are each rejected with one line naming both values, and the others load."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from tests.test_cli import bpw, csv_of

FIXTURES = Path(__file__).parent / "fixtures"
FILES = {
    "2022": [FIXTURES / "realworld" / "2022" / "岳阳县农业农村局-高标准农田.pdf"],
    "2020": [
        FIXTURES / "forms" / "湖北-武汉市青山区教育局-2020年两张卡片.docx",
        FIXTURES / "forms" / "湖南-湘潭市环境卫生管理处-雾炮车降尘抑尘服务.xlsx",  # says 2023
    ],
    "2023": [FIXTURES / "forms" / "四川-井研县马踏镇-部门预算项目绩效目标申报表.xlsx"],
}


def test_a_folder_of_national_forms_loads_exactly_and_rejects_what_disagrees(tmp_path: Path):
    for year, paths in FILES.items():
        folder = tmp_path / "inbox" / year
        folder.mkdir(parents=True)
        for path in paths:
            shutil.copy(path, folder / path.name)
    home = tmp_path / "home"
    result = bpw(home, "ingest", str(tmp_path / "inbox"))
    assert result.returncode == 1, result.stderr
    rejected = sorted(line for line in result.stderr.splitlines() if line.startswith("rejected:"))
    assert len(rejected) == 2, result.stderr
    assert "四川-井研县马踏镇" in rejected[0] and "declared_total_matches" in rejected[0]
    assert "882.762053" in rejected[0] and "396.984" in rejected[0]
    assert "湖南-湘潭市" in rejected[1] and "year_mismatch" in rejected[1]
    assert "2020" in rejected[1] and "2023" in rejected[1]
    rows = list(csv.DictReader(io.StringIO(csv_of(home, """
        select d.department_name, f.year, count(*) as projects, sum(f.total_amount) as total,
               sum(f.fiscal_amount) as fiscal
        from fact_project_budget f join dim_department d using (department_id)
        group by all order by f.year"""))))
    assert [(r["department_name"], r["year"], r["projects"]) for r in rows] == [
        ("武汉市青山区教育局", "2020", "2"), ("岳阳县农业农村局", "2022", "1"),
    ]  # fmt: skip
    assert [r["total"].rstrip("0").rstrip(".") for r in rows] == ["10016", "854"]
    indicators = csv_of(home, "select count(*) as n from fact_indicator_target")
    assert indicators.splitlines()[1] == "28"
