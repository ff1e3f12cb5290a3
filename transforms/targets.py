"""Split budget-performance target texts (指标值) into comparator, number and unit.

``≥95%`` -> op ``>=``, value ``95.0``, unit ``%``, kind ``quantitative``.
Texts without a leading number are ``qualitative`` (达标), ``date`` (6月30日前),
``placeholder`` (unfilled template such as ``≥**%`` or ``XX``) or ``empty``.
Everything is vectorized polars (Rust regex: no look-around, no backreferences).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

TARGET_FIELDS = ("op", "value", "unit", "kind")

# Full-width ASCII block (！..～) -> ASCII, ideographic space -> space, odd minus/percent forms.
_FW_FROM = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\u2212", "\ufe6a"]
_FW_TO = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" ", "-", "%"]

_SYMBOL_OPS: dict[str, str] = {
    ">=": ">=", "=>": ">=", "≥": ">=", "≧": ">=", "⩾": ">=", "≮": ">=",
    "<=": "<=", "=<": "<=", "≤": "<=", "≦": "<=", "⩽": "<=", "≯": "<=",
    ">": ">", "<": "<", "=": "=",
}  # fmt: skip
_WORD_OPS: dict[str, str] = {
    "不低于": ">=", "不少于": ">=", "至少": ">=", "不小于": ">=", "达到": ">=",
    "不高于": "<=", "不超过": "<=", "至多": "<=", "不大于": "<=", "不多于": "<=",
    "大于": ">", "高于": ">", "超过": ">", "多于": ">",
    "小于": "<", "低于": "<", "少于": "<",
    "等于": "=",
}  # fmt: skip
_POST_OPS: dict[str, str] = {
    "及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=",
    "内": "<=",
}  # fmt: skip
_PRE_OPS = {**_SYMBOL_OPS, **_WORD_OPS}

KNOWN_UNITS: tuple[str, ...] = (
    "%", "‰", "百分比", "百分点", "个百分点", "个", "台", "次", "分", "秒", "平方米", "万元", "元",
    "亿元", "千元", "天", "人", "件", "份", "场", "篇", "期", "户", "小时", "工作日", "个工作日",
    "年", "月", "个月", "项", "套", "批", "家", "册", "条", "名", "人次", "万人次", "万人", "公里",
    "千米", "米", "亩", "万亩", "平方公里", "分钟", "周", "所", "座", "辆", "吨", "万吨", "株",
    "棵", "处", "种", "本", "张", "部", "间", "支", "只", "头", "块", "节", "门", "位", "例",
    "起", "课时", "学时", "学分", "岁", "倍", "届", "轮", "季度", "立方米", "千瓦", "千克",
)  # fmt: skip
# Short "per" suffixes allowed after a known unit: 次/年, 元/人.
_PER = ("年度", "季度", "年", "月", "日", "天", "周", "次", "人", "户", "台", "个", "件", "亩")
_COMMENTARY = ("为", "左右", "上下", "或", "且", "即", "的", "合格", "达标", "完成", "及", "则")
_UNIT_ALIASES = {"百分比": "%"}


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first so that e.g. 不低于 wins over 低于."""
    items = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(w.replace("*", r"\*") for w in items) + ")"


_CMP = _alt(_PRE_OPS)
_POST = _alt(_POST_OPS)
_NUM = r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)"
_QUANT_RE = rf"(?s)^(?P<cmp>{_CMP})?(?P<num>{_NUM})(?P<rest>.*)$"
_KNOWN_RE = rf"(?s)^(?P<u>{_alt(KNOWN_UNITS)}(?:/{_alt(_PER)})?)(?P<post>{_POST})?"
_UNIT_CHARS = r"\p{L}℃°²³·/"
_GENERIC_RE = (
    rf"(?s)^(?P<u>[\p{{L}}℃°][{_UNIT_CHARS}]{{0,3}}?)??(?P<post>{_POST})?"
    rf"(?:[^{_UNIT_CHARS}%‰].*|{_alt(_COMMENTARY)}.*)?$"
)
_MARK = r"[Xx×*]"
_TEMPLATE = rf"(?:\.{_MARK}+)?(?:%|‰|\p{{Han}}{{1,4}})?{_POST}?$"
# "**" anywhere, or a whole-text template: ≥XX个, xx%, XX; a lone X needs a comparator or %.
_PLACEHOLDER_RE = (
    rf"\*\*|^{_CMP}{_MARK}+{_TEMPLATE}|^{_MARK}{{2,}}{_TEMPLATE}|^{_MARK}(?:\.{_MARK}+)?[%‰]?$"
)
_YEAR = r"(?:19|20)[0-9]{2}"
_DATE_RE = (
    rf"^{_CMP}?(?:{_YEAR}年"
    rf"|{_YEAR}(?:[-/][0-9]{{1,2}}|\.[0-9]{{1,2}}\.[0-9]{{1,2}})"
    r"|[0-9]{1,2}月(?:[0-9]{1,2}[日号]|[底末初]|[上中下]旬)"
    r"|[0-9]{1,2}月份?[之以]?前"
    r"|[当本今]?年度?[底末初内中]"
    r"|[当本今]?年?[上下]半年)"
)


def _normalize(text: pl.Expr) -> pl.Expr:
    """Full-width -> ASCII, then drop all whitespace (``≥ 95 %`` == ``≥95%``)."""
    return text.cast(pl.String).str.replace_many(_FW_FROM, _FW_TO).str.replace_all(r"\s+", "")


def split_target(text: pl.Expr) -> pl.Expr:
    """Vectorized split of target texts into a Struct(op, value, unit, kind).

    op: '>=', '<=', '>', '<', '=' or null; value: Float64 or null; unit: normalized unit
    or null; kind: 'quantitative' | 'qualitative' | 'date' | 'placeholder' | 'empty'.
    Only quantitative rows carry op/value/unit; other kinds have them all null.
    """
    s = _normalize(text)
    quant = s.str.extract_groups(_QUANT_RE)
    rest = quant.struct.field("rest")
    known = rest.str.extract_groups(_KNOWN_RE)
    generic = rest.str.extract_groups(_GENERIC_RE)
    known_u = known.struct.field("u")

    value = quant.struct.field("num").str.replace_all(",", "").cast(pl.Float64, strict=False)
    raw_unit = pl.coalesce(known_u, generic.struct.field("u"))
    unit = raw_unit.replace(_UNIT_ALIASES)
    post = pl.when(known_u.is_not_null()).then(known.struct.field("post"))
    post = post.otherwise(generic.struct.field("post"))
    op = pl.coalesce(
        quant.struct.field("cmp").replace_strict(_PRE_OPS, default=None, return_dtype=pl.String),
        post.replace_strict(_POST_OPS, default=None, return_dtype=pl.String),
    )

    kind = (
        pl.when(s.is_null() | (s == ""))
        .then(pl.lit("empty"))
        .when(s.str.contains(_PLACEHOLDER_RE))
        .then(pl.lit("placeholder"))
        .when(s.str.contains(_DATE_RE))
        .then(pl.lit("date"))
        .when(value.is_not_null())
        .then(pl.lit("quantitative"))
        .otherwise(pl.lit("qualitative"))
    )
    is_quant = kind == "quantitative"
    return pl.struct(
        op=pl.when(is_quant).then(op),
        value=pl.when(is_quant).then(value),
        unit=pl.when(is_quant).then(unit),
        kind=kind,
    )


def split_target_texts(texts: list[str | None]) -> pl.DataFrame:
    """Parse a list of texts; returns columns op, value, unit, kind (one row per text)."""
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    return frame.select(split_target(pl.col("text")).alias("_t")).unnest("_t")
