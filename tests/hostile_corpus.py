"""The run tests' inputs, generated in code: good tables (variants of the real sample)
and the hostile corpus — files that must each be rejected with their own rule.

`build_hostile(folder)` writes the corpus and returns what each file must give: the
rule it is rejected with, or, for the tricky-but-valid tables, the literal texts that
must come back byte-identical from the warehouse.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

SAMPLE = Path(__file__).parent / "fixtures" / "2026" / "广州互联网法院.txt"
SAMPLE_DEPARTMENT = "广州互联网法院"
SAMPLE_TOTAL = Decimal("5373.54")  # the declared 合计 (its 17 projects sum to 5373.55)
FIRST_AMOUNTS = "572.90\t572.90"  # 机构运行辅助经费: 总计, 财政拨款
DECLARED = "5,373.54\t5,373.54"  # the 合计 row and the unit row
TOTAL_ROW = "合计\t" + DECLARED


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def budget_text(department: str = SAMPLE_DEPARTMENT, extra: Decimal = Decimal(0)) -> str:
    """The sample as `department`'s table, its first project `extra` 万元 larger (and the
    declared totals with it: the table stays valid)."""
    text = sample_text().replace(SAMPLE_DEPARTMENT, department)
    if extra:
        first = Decimal("572.90") + extra
        total = SAMPLE_TOTAL + extra
        text = text.replace(FIRST_AMOUNTS, f"{first:.2f}\t{first:.2f}", 1)
        text = text.replace(DECLARED, f"{total:,.2f}\t{total:,.2f}")
    return text


def total_off_text(department: str = SAMPLE_DEPARTMENT) -> str:
    """A table whose 合计 is 1000 万元 off its parts: rejected (declared_total_matches)."""
    return budget_text(department).replace(TOTAL_ROW, "合计\t6,373.54\t6,373.54", 1)


def write(path: Path, data: str | bytes, mtime: float | None = None) -> Path:
    """Write a file (UTF-8 for text), creating its folder; optionally set its mtime."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


# --- the hostile corpus -------------------------------------------------------------


@dataclass
class Expected:
    """What one corpus file must give."""

    rule: str | None  # the rule it is rejected with; None: it loads
    literals: list[str] = field(default_factory=list)  # texts that must load byte-identical


@dataclass
class Corpus:
    inbox: Path  # the folder to ingest
    files: dict[str, Expected]  # path relative to `inbox` → what it must give
    outside: Path  # a folder beside the inbox a symlink points into (never read)

    def rejected(self) -> dict[str, str]:
        return {name: e.rule for name, e in self.files.items() if e.rule}

    def loading(self) -> dict[str, Expected]:
        return {name: e for name, e in self.files.items() if e.rule is None}


HEADER = "项目名称\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标"
INDICATOR = "1-产出指标：11-数量指标：完成事项；实施周期指标值：=1项；年度指标值：=1项"
CELL_LIMIT = 100_000  # ReadLimits().max_cell_chars, the default
FILE_LIMIT = 1_000_000  # BPW_MAX_FILE_BYTES the hostile run is given
XLSX_LIMIT = 200 * 1024 * 1024  # ReadLimits().max_uncompressed_bytes, the default


def table(department: str, rows: list[str], total: str = "10.00", title: bool = True) -> str:
    """A small valid-looking packed table: preamble, header, 合计, the given project rows."""
    lines = ["项目支出绩效目标表"] if title else []
    lines += [f"部门名称：{department}\t\t\t\t\t单位：万元", HEADER]
    lines += [f"合计\t{total}\t{total}\t\t\t\t", *rows]
    return "\n".join(lines) + "\n"


def project(name: str, amount: str = "10.00", goal: str = "完成年度工作任务",
            indicators: str = INDICATOR) -> str:  # fmt: skip
    return f"{name}\t{amount}\t{amount}\t\t\t{goal}\t{indicators}"


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A minimal real .xlsx (inline strings), written with the standard library only."""

    def col(i: int) -> str:
        return chr(ord("A") + i)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    cells = "".join(
        f'<row r="{r + 1}">'
        + "".join(
            f'<c r="{col(c)}{r + 1}" t="inlineStr"><is><t>{esc(v)}</t></is></c>'
            for c, v in enumerate(row)
            if v
        )
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override'
            ' PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
            '-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{cells}'
            "</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_bomb(inflated: int) -> bytes:
    """An .xlsx-shaped zip whose sheet inflates to `inflated` bytes of zeros (a few
    hundred KB on disk), with honest sizes in its headers."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["x"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, good.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\0" * (1 << 20)
            for _ in range(inflated // len(block)):
                sheet.write(block)
    return buffer.getvalue()



# the tricky-but-valid texts: they must load, and come back byte-identical
FORMULA_DEPARTMENT = "广州'; DROP TABLE x; --局"
LITERALS = [
    '=HYPERLINK("http://example.com/?q=1","点我")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '项目"甲"; DELETE FROM fact_project_budget; --',
    "+1+1 ' OR '1'='1",
]
XLSX_DEPARTMENT = '天河区"测试"局; --'


def _tricky_rows() -> list[str]:
    names = LITERALS[:3] + LITERALS[4:]
    rows = [project(name, "2.00") for name in names]
    rows.append(project("宣传经费", "2.00", goal=LITERALS[3]))
    return rows


def build_hostile(root: Path) -> Corpus:
    """Write the hostile corpus under `root`: `root/inbox` (to ingest) and `root/outside`."""
    inbox, outside = root / "inbox", root / "outside"
    year = inbox / "2026"
    files: dict[str, Expected] = {}

    def add(name: str, data: str | bytes, rule: str | None, literals=()) -> None:
        write(inbox / name, data)
        files[name] = Expected(rule, list(literals))

    good = [project("办公经费")]
    valid = table("某区测试局", good)
    add("2026/空文件.txt", b"", "empty")
    add("2026/只有标题.txt", "项目支出绩效目标表\n\n", "header")
    add("2026/只有表头.txt", "\n".join(valid.splitlines()[:3]) + "\n", "no_projects")
    add("2026/乱码.xlsx", bytes(range(256)) * 16, "format")
    whole = xlsx_bytes([line.split("\t") for line in valid.splitlines()])
    add("2026/截断.xlsx", whole[: len(whole) // 2], "unreadable")
    add("2026/UTF16.txt", valid.encode("utf-16"), "encoding")
    no_goal = ["部门名称：某区测试局", "项目名称\t总计\t财政拨款", "合计\t10\t10", "办公\t10\t10"]
    add("2026/缺列.txt", "\n".join(no_goal), "required_columns")
    add("2026/金额是文字.txt", table("某区测试局", [project("办公经费", "十万元")]),
        "amount_is_number")  # fmt: skip
    add("2026/负数金额.txt", table("某区测试局", [project("办公经费", "-10.00")], "-10.00"),
        "amounts_not_negative")  # fmt: skip
    add("2026/合计不符.txt", total_off_text("某区合计局"), "declared_total_matches")
    add("2026/重复项目.txt", table("某区测试局", good * 2, "20.00"), "no_duplicate_project")
    add("2026/指标无结构.txt", table("某区测试局", [project("办公经费", indicators="效果很好")]),
        "indicator_structure")  # fmt: skip
    unknown = "9-奇怪指标：91-数量指标：完成事项数；实施周期指标值：≥1项；年度指标值：≥1项。"
    add("2026/未知级别.txt", table("某区测试局", [project("办公经费", indicators=unknown)]),
        "known_level1_code")  # fmt: skip
    add("2026/无名称.txt", table("某区测试局", [project("")]), "required_project_name")
    add("2026/无指标.txt", table("某区测试局", [project("办公经费", indicators="")]),
        "project_has_indicators")  # fmt: skip
    gap = "办公经费\t10.00\t4.00\t\t\t完成\t" + INDICATOR
    add("2026/资金来源不符.txt", table("某区测试局", [gap]), "total_equals_fund_sources")
    add("无年份/某局.txt", valid, "year")
    padding = "注：" + "很长的说明" * 40 + "\n"
    add("2026/超大文件.txt", valid + padding * (FILE_LIMIT // len(padding.encode()) + 1),
        "file_too_large")  # fmt: skip
    long_goal = project("办公经费", goal="长" * (CELL_LIMIT + 1))
    add("2026/超长单元格.txt", table("某区测试局", [long_goal]), "cell_too_large")
    add("2026/行太多.txt", valid + "\t\n" * 200_001, "too_many_rows")
    add("2026/压缩炸弹.xlsx", zip_bomb(XLSX_LIMIT + (8 << 20)), "zip_bomb")
    add("2026/分号.csv", valid.replace("\t", ";"), "delimiter")
    add("2026/图片.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "encoding")
    add("2026/非法编码.txt", b"\x81\xff\x80" * 100 + "项目".encode(), "encoding")
    add("2026/假的.xls", valid.replace("测试", "假表"), "format")
    add("2026/含NUL.txt", valid + "注：" + "说明" * 3000 + "\x00\n", "encoding")
    header_only = [line.split("\t") for line in valid.splitlines()[:3]]
    add("2026/只有表头.xlsx", xlsx_bytes(header_only), "no_projects")
    write(outside / "secret.txt", valid.replace("某区测试局", "外部机密局"))
    (year / "链接.txt").symlink_to(outside / "secret.txt")
    files["2026/链接.txt"] = Expected("symlink")
    # valid, tricky: formulas, quotes and semicolons are data, loaded as literal text
    add("2026/公式与引号.txt", table(FORMULA_DEPARTMENT, _tricky_rows(), "10.00"), None,
        [FORMULA_DEPARTMENT, *LITERALS])  # fmt: skip
    rows = [line.split("\t") for line in table(XLSX_DEPARTMENT, _tricky_rows()).splitlines()]
    add("2026/公式与引号.xlsx", xlsx_bytes(rows), None, [XLSX_DEPARTMENT, *LITERALS])
    return Corpus(inbox, files, outside)
