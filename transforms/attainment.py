"""Attainment: a target (op, value, unit) against its reported actual, vectorized.

Rules, in order:

- no actual reported (blank) → `not_reported`;
- a target that is not a number (`达标`, `优`, a date, a template placeholder), or an
  actual that is not one (`已完成`) → `qualitative`;
- units must agree once converted (元 ↔ 万元; `百分比` is `%`); an actual with no unit
  takes the target's; any other pair → `unit_mismatch`, never a guess;
- the comparator decides: `≥ > ≤ <` as written; `=` means equal (`=100%` is missed
  by 98%); a bare number takes the indicator's 指标方向 (正向 → ≥, 反向 → ≤);
  otherwise a bare 0 is a ceiling (`0` incidents: none allowed, missed by 1) and any
  other bare number a floor (≥), the way targets are usually set;
- → `met` or `missed`.
"""

from __future__ import annotations

import polars as pl

ATTAINMENTS = ("met", "missed", "qualitative", "not_reported", "unit_mismatch")
# (target unit, actual unit) → factor taking the actual into the target's unit
CONVERSIONS: dict[tuple[str, str], float] = {
    ("万元", "元"): 1e-4,
    ("元", "万元"): 1e4,
    ("%", "百分比"): 1.0,
    ("百分比", "%"): 1.0,
}
_TOLERANCE = 1e-9
_DIRECTIONS = {"正向": ">=", "反向": "<=", "正向指标": ">=", "反向指标": "<="}


def _factor(target_unit: pl.Expr, actual_unit: pl.Expr) -> pl.Expr:
    """The conversion factor, 1 for the same unit or an actual with none; null when the
    units cannot be compared."""
    pair = pl.concat_str(target_unit, pl.lit("|"), actual_unit)
    known = {f"{a}|{b}": f for (a, b), f in CONVERSIONS.items()}
    return (
        pl.when(actual_unit.is_null() | target_unit.is_null() | (actual_unit == target_unit))
        .then(pl.lit(1.0))
        .otherwise(pair.replace_strict(known, default=None, return_dtype=pl.Float64))
    )


def effective_op(op: pl.Expr, direction: pl.Expr, value: pl.Expr) -> pl.Expr:
    """The comparator a target is judged by (see the module's rules)."""
    from_direction = direction.str.strip_chars().replace_strict(
        _DIRECTIONS, default=None, return_dtype=pl.String
    )
    bare = pl.when(value == 0).then(pl.lit("<=")).otherwise(pl.lit(">="))
    return pl.coalesce(op, from_direction, bare)


def attainment(
    target_kind: pl.Expr,
    op: pl.Expr,
    value: pl.Expr,
    unit: pl.Expr,
    actual_text: pl.Expr,
    actual_value: pl.Expr,
    actual_unit: pl.Expr,
    direction: pl.Expr,
) -> pl.Expr:
    """`met` / `missed` / `qualitative` / `not_reported` / `unit_mismatch`."""
    factor = _factor(unit, actual_unit)
    actual = actual_value * factor
    comparator = effective_op(op, direction, value)
    met = (
        pl.when(comparator == ">=").then(actual >= value - _TOLERANCE)
        .when(comparator == ">").then(actual > value)
        .when(comparator == "<=").then(actual <= value + _TOLERANCE)
        .when(comparator == "<").then(actual < value)
        .otherwise((actual - value).abs() <= _TOLERANCE)
    )  # fmt: skip
    blank = actual_text.is_null() | (actual_text.str.strip_chars() == "")
    return (
        pl.when(blank).then(pl.lit("not_reported"))
        .when((target_kind != "quantitative") | actual_value.is_null()).then(pl.lit("qualitative"))
        .when(factor.is_null()).then(pl.lit("unit_mismatch"))
        .when(met).then(pl.lit("met"))
        .otherwise(pl.lit("missed"))
    )  # fmt: skip
