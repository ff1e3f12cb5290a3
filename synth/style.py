"""How a logical table is printed: every presentational knob real tables vary on.

`SAMPLE_STYLE` (the defaults) prints exactly like the real sample; `random_style` draws
knobs from a seeded stream. Readers must find columns by name and fold widths, so none of
these knobs may change what the table *says*.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from synth.forms import FORM_KNOBS

# Column roles in the sample's order; packed tables use PACKED_ROLES, long tables LONG_ROLES.
AMOUNT_ROLES = ("total", "fiscal", "special", "other")
PACKED_ROLES = ("name", *AMOUNT_ROLES, "goal", "indicators")
LONG_ROLES = ("name", *AMOUNT_ROLES, "goal", "level1", "level2", "level3", "period", "annual")
ALL_ROLES = (*PACKED_ROLES, *LONG_ROLES[6:])

HEADER_NAMES: dict[str, str] = {
    "name": "项目名称（资金使用单位）",
    "total": "总计",
    "fiscal": "财政拨款",
    "special": "财政专户拨款",
    "other": "其他资金",
    "goal": "绩效目标",
    "indicators": "绩效指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "period": "实施周期指标值",
    "annual": "年度指标值",
}
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "total": ("合计", "金额合计"),
    "fiscal": ("一般公共预算",),
    "special": ("财政专户管理资金",),
    "goal": ("年度绩效目标",),
}
GROUP_HEADER = "资金来源"

LAYOUTS = ("packed", "long")
FORMATS = ("txt", "tsv", "csv", "xlsx", "xls")
TEXT_FORMATS = ("txt", "tsv", "csv")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Style:
    """Presentational knobs (defaults = the real sample).

    amount_unit: None prints the table's own unit; '万元' or '元' forces one.
    column_order: a permutation of (a superset of) the layout's roles; None = sample order.
    header_names: (role, text) overrides, e.g. (("total", "金额合计"),).
    two_row_header: a 资金来源 group cell over the four amount columns.
    notes: a 注：… row under the table.
    fullwidth_amounts: every third amount cell in full-width digits (５，３７３．５４).
    zero_mark: what a zero fund source shows ('' as in the sample, or '-').
    thousands: thousands separators in amounts (5,373.54).
    line_ending / final_newline: text files only (the sample: LF, no final newline).
    level_names: 'sample' (效益指标, 社会效益) or 'variant' (效果指标, 社会效益指标 …).
    level_codes: 'sample' (12-质量指标) or 'dotted' (1.2-质量指标), packed cells only.
    level2_separator: after the level-2 name: 'sample' (；for 满意度, ：otherwise), '：', '；'.
    omit_first_seq: the first packed record drops its SEQ (as in the sample).
    numeric_cells: xlsx/xls amounts as numbers formatted #,##0.00 instead of text.
    """

    amount_unit: str | None = None
    column_order: tuple[str, ...] | None = None
    header_names: tuple[tuple[str, str], ...] = ()
    two_row_header: bool = False
    notes: bool = False
    fullwidth_amounts: bool = False
    zero_mark: str = ""
    thousands: bool = True
    line_ending: str = "\n"
    final_newline: bool = False
    level_names: str = "sample"
    level_codes: str = "sample"
    level2_separator: str = "sample"
    omit_first_seq: bool = True
    numeric_cells: bool = False

    def header(self, role: str) -> str:
        return dict(self.header_names).get(role, HEADER_NAMES[role])

    def roles(self, layout: str) -> list[str]:
        """The layout's columns in this style's order (amounts kept together for groups)."""
        wanted = PACKED_ROLES if layout == "packed" else LONG_ROLES
        order = [r for r in (self.column_order or ()) if r in wanted]
        order += [r for r in wanted if r not in order]
        if self.two_row_header:
            first = min(order.index(r) for r in AMOUNT_ROLES)
            rest = [r for r in order if r not in AMOUNT_ROLES]
            amounts = [r for r in order if r in AMOUNT_ROLES]
            order = rest[:first] + amounts + rest[first:]
        return order

    def to_dict(self) -> dict[str, object]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["column_order"] = list(self.column_order) if self.column_order else None
        data["header_names"] = [list(pair) for pair in self.header_names]
        return data

    @staticmethod
    def from_dict(data: dict[str, object]) -> Style:
        known = {f.name for f in fields(Style)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("column_order") is not None:
            values["column_order"] = tuple(values["column_order"])  # type: ignore[arg-type]
        values["header_names"] = tuple(tuple(p) for p in values.get("header_names") or ())  # type: ignore[union-attr]
        return Style(**values)  # type: ignore[arg-type]


SAMPLE_STYLE = Style()

# knob → how often a file varies it from the sample (when the knob is allowed to vary)
KNOBS: dict[str, float] = {
    "unit": 1.0,  # 元 vs 万元 is decided per table by the generator; this lets it through
    "columns": 0.15,
    "synonyms": 0.25,
    "two_row_header": 0.1,
    "notes": 0.2,
    "fullwidth": 0.08,
    "dash": 0.15,
    "separators": 0.1,
    "crlf": 0.3,
    "final_newline": 0.5,
    "level_names": 0.1,
    "level_codes": 0.08,
    "level2_separator": 0.1,
    "first_seq": 0.1,
    "numeric_cells": 0.5,
}


def parse_vary(vary: str) -> set[str]:
    """'all', 'none', or a comma list of knob names (see KNOBS and forms.FORM_KNOBS)."""
    known = [*KNOBS, *FORM_KNOBS]
    text = vary.strip().lower()
    if text in ("", "none", "sample"):
        return set()
    if text == "all":
        return set(known)
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = names - set(known)
    if unknown:
        names_text = ", ".join(sorted(unknown))
        raise ValueError(f"unknown style knobs: {names_text} (known: {', '.join(known)})")
    return names


def random_style(rng: random.Random, vary: set[str] | frozenset[str] = frozenset(KNOBS)) -> Style:
    """A style whose knobs in `vary` each differ from the sample with its KNOBS rate."""

    def on(knob: str) -> bool:
        return knob in vary and rng.random() < KNOBS[knob]

    order = None
    if on("columns"):
        shuffled = list(ALL_ROLES)
        rng.shuffle(shuffled)
        order = tuple(shuffled)
    names = tuple(
        (role, rng.choice(choices)) for role, choices in HEADER_SYNONYMS.items() if on("synonyms")
    )
    return Style(
        amount_unit=None if "unit" in vary else "万元",
        column_order=order,
        header_names=names,
        two_row_header=on("two_row_header"),
        notes=on("notes"),
        fullwidth_amounts=on("fullwidth"),
        zero_mark="-" if on("dash") else "",
        thousands=not on("separators"),
        line_ending="\r\n" if on("crlf") else "\n",
        final_newline=on("final_newline"),
        level_names="variant" if on("level_names") else "sample",
        level_codes="dotted" if on("level_codes") else "sample",
        level2_separator=rng.choice(("：", "；")) if on("level2_separator") else "sample",
        omit_first_seq=not on("first_seq"),
        numeric_cells=on("numeric_cells"),
    )
