"""The national forms' presentational knobs: how a card or a list prints a table.

The real tables in tests/fixtures/forms show what varies between departments and
provinces; `FormStyle` holds one choice per variant, `random_form_style` draws them like
`style.random_style` draws the summary layout's knobs. None of them changes what the
table *says*: the truth is the same `LogicalTable` whatever the form.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, fields, replace
from decimal import Decimal

FORM_LAYOUTS = ("card", "list")
ARRANGEMENTS = ("sheets", "stacked")  # cards in a workbook; a Word file has one table each
AMOUNT_TYPING = ("plain", "wan", "wanyuan", "yuan")  # 854.00 | 854万 | 854万元 | 8,540,000.00元
EXTRA_COLUMNS = ("权重", "绩效标准", "指标方向")

DEPARTMENT_LABELS = ("主管部门", "预算部门", "部门名称")
UNIT_LABELS = ("实施单位", "项目单位", "项目执行单位")
# card level names: the national templates print 指标 after every level-2 name
CARD_LEVEL1 = {"1": "产出指标", "2": "效益指标", "3": "满意度指标"}
CARD_LEVEL2 = {
    "11": "数量指标", "12": "质量指标", "13": "时效指标", "14": "成本指标",
    "21": "经济效益指标", "22": "社会效益指标", "23": "生态效益指标", "24": "可持续影响指标",
    "31": "服务对象满意度指标",
}  # fmt: skip
LEVEL1_WEIGHTS = {"1": 50, "2": 30, "3": 10}  # 产出指标（50分）…; the other 10 are budget execution
STANDARDS = ("计划标准", "行业标准", "历史标准", "其他标准")
FORM_NOTES = (
    "注：各单位请根据实际情况，从上述绩效指标中选择适合的填报，也可自行增加或适当调整。",
    "注：1.本表由预算单位填报；2.绩效指标值为预算编制时设定的目标值。",
)

# knob → how often a file varies it from the defaults (when allowed to vary)
FORM_KNOBS: dict[str, float] = {
    "arrangement": 0.5,
    "title": 0.5,
    "labels": 0.5,
    "amount_typing": 0.5,
    "amount_note": 0.15,
    "weights": 0.3,
    "split_levels": 0.3,
    "satisfaction_span": 0.3,
    "split_targets": 0.3,
    "period": 0.3,
    "extras": 0.35,
    "form_notes": 0.3,
    "codes": 0.3,
    "list_amounts": 0.4,
    "empty_levels": 0.25,
    "inline_amounts": 0.15,
    "repeat_levels": 0.2,
    "ascii_ops": 0.15,
    "satisfaction_under_benefit": 0.1,
}


@dataclass(frozen=True)
class FormStyle:
    """How a card or list prints (defaults: the plainest 财政部 card).

    arrangement: cards one per sheet ('sheets') or all on one sheet ('stacked').
    title: 'year_row' (项目支出绩效目标申报表 + （2026年度）) or 'year_in_title'
      (2026年项目支出绩效目标申报表).
    department_label: 主管部门 / 预算部门 / 部门名称.
    unit_label: 实施单位 / 项目单位 / 项目执行单位.
    amount_typing: 'plain' (854.00 under a 金额单位 line), 'wan' (854万), 'wanyuan' (854万元),
      'yuan' (8,540,000.00元).
    amount_note: 年度资金总额 carries its breakdown: 854万(财政拨款800万元,其他资金54万元).
    weights: level-1 names carry their weight: 产出指标（50分）.
    split_levels: '' or the text between a level-2 name and its 指标 (' ', '\\n').
    satisfaction_span: the 满意度 cell spans 一级 and 二级.
    split_targets: targets as 指标性质 (≥ = ≤ 定性) + 指标值 + 度量单位 columns.
    period: 中期资金总额, 中期目标 and 中期指标值 beside the year's.
    extras: extra columns among 权重, 绩效标准, 指标方向.
    notes: a 注： line below each card (below the list).
    codes: codes before the department's and units' names ([801]…, (801)…(部门), 801-…).
    list_amounts: the list form prints 'total' (预算数) or 'sources' (合计 + three sources).
    empty_levels: a card prints a level-2 row or two with no indicator (blank 三级 and value).
    inline_amounts: a card's amount shares its label's cell (年度资金总额：16).
    repeat_levels: level names repeated on every row instead of merged down.
    ascii_ops: whole targets typed with >=, <= and = (>=95%, =100%) instead of ≥ and ≤.
    satisfaction_under_benefit: 2015 template: satisfaction is a level-2
      (社会公众或服务对象满意度指标) under 效益指标.
    """

    arrangement: str = "sheets"
    title: str = "year_row"
    department_label: str = "主管部门"
    unit_label: str = "实施单位"
    amount_typing: str = "plain"
    amount_note: bool = False
    weights: bool = False
    split_levels: str = ""
    satisfaction_span: bool = False
    split_targets: bool = False
    period: bool = False
    extras: tuple[str, ...] = ()
    notes: bool = False
    codes: bool = False
    list_amounts: str = "total"
    empty_levels: bool = False
    inline_amounts: bool = False
    repeat_levels: bool = False
    ascii_ops: bool = False
    satisfaction_under_benefit: bool = False

    def for_layout(self, layout: str) -> FormStyle:
        """The knobs that layout prints, the others back to their defaults (so the truth
        never claims a variant the file does not show)."""
        if layout == "list":
            return replace(
                self, arrangement="sheets", title="year_row", department_label="主管部门",
                unit_label="实施单位", amount_typing="plain", amount_note=False, weights=False,
                satisfaction_span=False, empty_levels=False, inline_amounts=False,
                repeat_levels=False, satisfaction_under_benefit=False,
            )  # fmt: skip
        if self.satisfaction_under_benefit:  # a level-2 under 效益 spans nothing
            return replace(self, list_amounts="total", satisfaction_span=False)
        return replace(self, list_amounts="total")

    def to_dict(self) -> dict[str, object]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["extras"] = list(self.extras)
        return data

    @staticmethod
    def from_dict(data: dict[str, object]) -> FormStyle:
        known = {f.name for f in fields(FormStyle)}
        values = {k: v for k, v in data.items() if k in known}
        values["extras"] = tuple(values.get("extras") or ())  # type: ignore[arg-type]
        return FormStyle(**values)  # type: ignore[arg-type]


def random_form_style(rng: random.Random, vary: set[str] | frozenset[str]) -> FormStyle:
    """A form style whose knobs in `vary` each differ from the default at its rate."""

    def on(knob: str) -> bool:
        return knob in vary and rng.random() < FORM_KNOBS[knob]

    labels = on("labels")
    extras: tuple[str, ...] = ()
    if on("extras"):
        extras = tuple(c for c in EXTRA_COLUMNS if rng.random() < 0.6) or ("权重",)
    return FormStyle(
        arrangement="stacked" if on("arrangement") else "sheets",
        title="year_in_title" if on("title") else "year_row",
        department_label=rng.choice(DEPARTMENT_LABELS[1:]) if labels else "主管部门",
        unit_label=rng.choice(UNIT_LABELS[1:]) if labels else "实施单位",
        amount_typing=rng.choice(AMOUNT_TYPING[1:]) if on("amount_typing") else "plain",
        amount_note=on("amount_note"),
        weights=on("weights"),
        split_levels=rng.choice((" ", "\n")) if on("split_levels") else "",
        satisfaction_span=on("satisfaction_span"),
        split_targets=on("split_targets"),
        period=on("period"),
        extras=extras,
        notes=on("form_notes"),
        codes=on("codes"),
        list_amounts="sources" if on("list_amounts") else "total",
        empty_levels=on("empty_levels"),
        inline_amounts=on("inline_amounts"),
        repeat_levels=on("repeat_levels"),
        ascii_ops=on("ascii_ops"),
        satisfaction_under_benefit=on("satisfaction_under_benefit"),
    )


# --- targets split into 指标性质 / 指标值 / 度量单位 ----------------------------------------

_TARGET = re.compile(r"^(?P<op>≥|≤|不低于|不高于)?(?P<num>\d+(?:\.\d+)?)(?P<unit>\D*)$")
_OPS = {"≥": "≥", "不低于": "≥", "≤": "≤", "不高于": "≤", "": "="}
_NOT_A_UNIT = ("为", "以", "内", "（", "(")


def split_target(text: str) -> tuple[str, str, str]:
    """`≥95%` → (≥, 95, %); `12个` → (=, 12, 个); `达标`, `不低于99%为优` → (定性, text, '')."""
    match = _TARGET.match(text)
    if match and not any(word in match["unit"] for word in _NOT_A_UNIT):
        return _OPS[match["op"] or ""], match["num"], match["unit"]
    return "定性", text, ""


def ascii_ops(text: str) -> str:
    """≥95% → >=95%, 100% → =100%: targets typed on a keyboard, as 临邑's card has them."""
    text = text.replace("≥", ">=").replace("≤", "<=")
    return "=" + text if text[:1].isdigit() else text


def with_code(name: str, code: str, pattern: int, department: bool) -> str:
    """A name with its budget code in front, in one of the real spellings:
    [015001]武汉市青山区教育局, (433)乌海市供销合作社联合社(部门), 820-马踏镇部门."""
    if pattern == 0:
        return f"[{code}]{name}"
    if pattern == 1:
        return f"({code}){name}" + ("(部门)" if department else "")
    return f"{code}-{name}"


def direction(op: str) -> str:
    """指标方向: a ceiling (≤) is 反向, everything else 正向."""
    return "反向指标" if op == "≤" else "正向指标"


# --- amounts as people type them ------------------------------------------------------------

_TEN_THOUSAND = Decimal(10000)


def plain_number(value: Decimal) -> str:
    """854 for 854.00, 12.5 for 12.50: how a person types a round amount."""
    return format(value.normalize(), "f")


def amount_text(value: Decimal, typing: str, unit: str = "万元", thousands: bool = True) -> str:
    """One amount cell (value in 万元); '' for zero, as real cards leave it blank."""
    if not value:
        return ""
    if typing == "wan":
        return f"{plain_number(value)}万"
    if typing == "wanyuan":
        return f"{plain_number(value)}万元"
    if typing == "yuan":
        return f"{value * _TEN_THOUSAND:,.2f}元"
    shown = value * _TEN_THOUSAND if unit == "元" else value
    return f"{shown:,.2f}" if thousands else f"{shown:.2f}"
