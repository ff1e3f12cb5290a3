"""Amount cells (text) → exact decimals in 万元, vectorized. Never through floats.

`5,373.54` → 5373.54; full-width `５７２．９０` → 572.90; `-` / `—` → 0; blank → null.
Tables in 元 are converted by moving the decimal point four places in the text,
so the result is exact (polars decimal arithmetic would round).

Amounts as people type them (`854万`, `250万元`, `1,234.50元`, `854万(高标准农田建设
400万元,…)`) are *typed* amounts: the leading number in its stated unit, exact, with
a warning that keeps the raw text. The same amount typed twice (`854万854万(…)`) is
that amount; anything else after it (`854万300万`, `约854万`) is not a number.
"""

from __future__ import annotations

import polars as pl

AMOUNT_DTYPE = pl.Decimal(18, 6)
ZERO_MARKS = ("-", "—", "–", "－", "─", "——", "/")


def clean_amount_text(text: pl.Expr) -> pl.Expr:
    """Width-fold, drop separators and spaces; dash-only cells become '0'; blank → null."""
    cleaned = (
        text.str.normalize("NFKC")
        .str.replace_all(r"[,\s\u00a0\u3000]", "")
        .str.replace(r"^[−–]", "-")
    )
    return (
        pl.when(cleaned.is_in(ZERO_MARKS))
        .then(pl.lit("0"))
        .when(cleaned == "")
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(cleaned)
    )


def _shift_yuan_to_wan(number: pl.Expr) -> pl.Expr:
    """'-1234.5' (元) → '-0.12345' (万元) by moving the decimal point in the text."""
    parts = number.str.extract_groups(r"^(?P<sign>-?)(?P<int>\d+)(?:\.(?P<frac>\d*))?$")
    digits = parts.struct.field("int").str.zfill(5)
    n = digits.str.len_chars()
    return pl.concat_str(
        parts.struct.field("sign"),
        digits.str.slice(0, n - 4),
        pl.lit("."),
        digits.str.slice(n - 4, 4),
        parts.struct.field("frac").fill_null(""),
    )


def parse_amount(text: pl.Expr, amount_unit: pl.Expr | str = "万元") -> pl.Expr:
    """Exact DECIMAL(18,6) in 万元; null where the text is blank or not a number."""
    cleaned = clean_amount_text(text)
    valid = cleaned.str.contains(r"^-?\d+(\.\d{1,6})?$")
    unit = pl.lit(amount_unit) if isinstance(amount_unit, str) else amount_unit
    in_wan = pl.when(unit == "元").then(_shift_yuan_to_wan(cleaned)).otherwise(cleaned)
    return pl.when(valid).then(in_wan).otherwise(None).cast(AMOUNT_DTYPE, strict=False)


def is_bad_amount(text: pl.Expr, amount_unit: pl.Expr | str = "万元") -> pl.Expr:
    """True where a non-blank cell is neither a number nor a typed amount ('五百',
    '12万300万'); see `is_typed_amount`."""
    cleaned = clean_amount_text(text)
    plain = cleaned.str.contains(r"^-?\d+(\.\d{1,6})?$")
    return cleaned.is_not_null() & ~plain & ~is_typed_amount(text, amount_unit)


# a typed amount: number, stated unit, then nothing, a (…) remark, or the same again
_TYPED = r"^(?P<num>-?\d+(?:\.\d+)?)(?P<unit>万元|万|元)?(?P<rest>.*)$"
_REMARK = r"^(?:[(（].*[)）])?$"


def _typed_parts(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(number, unit or null, whether the cell is a well-formed typed amount)."""
    parts = clean_amount_text(text).str.extract_groups(_TYPED)
    number, unit = parts.struct.field("num"), parts.struct.field("unit")
    rest = parts.struct.field("rest").fill_null("")
    typed = pl.concat_str(number, unit.fill_null(""))
    again = pl.when(rest.str.starts_with(typed)).then(
        rest.str.slice(typed.str.len_chars())
    ).otherwise(rest)  # fmt: skip
    tail_ok = again.str.contains(_REMARK)
    has_more = (unit.is_not_null()) | (rest != "")
    well_formed = number.is_not_null() & tail_ok & has_more
    return number, unit, well_formed


def is_typed_amount(text: pl.Expr, amount_unit: pl.Expr | str = "万元") -> pl.Expr:
    """True where the cell is not a plain number but a typed amount (`854万(…)`) that
    converts exactly to 万元."""
    cleaned = clean_amount_text(text)
    plain = cleaned.str.contains(r"^-?\d+(\.\d{1,6})?$").fill_null(False)
    return ~plain & parse_typed_amount(text, amount_unit).is_not_null()


def parse_typed_amount(text: pl.Expr, amount_unit: pl.Expr | str = "万元") -> pl.Expr:
    """A typed amount in 万元 (its stated unit wins over the table's); null otherwise."""
    number, unit, well_formed = _typed_parts(text)
    table_unit = pl.lit(amount_unit) if isinstance(amount_unit, str) else amount_unit
    stated = unit.replace({"万": "万元"}).fill_null(table_unit)
    in_wan = pl.when(stated == "元").then(_shift_yuan_to_wan(number)).otherwise(number)
    exact = in_wan.str.contains(r"^-?\d+(\.\d{1,6})?$")
    return (
        pl.when(well_formed & exact).then(in_wan).otherwise(None).cast(AMOUNT_DTYPE, strict=False)
    )


def with_amounts(rows: pl.DataFrame, columns: dict[str, str], unit: str) -> pl.DataFrame:
    """`rows` plus, per `role → amount column` of `columns` (text in `<role>_text`), the
    exact amount in 万元, and the lists `bad_amount_roles` / `typed_amount_roles` (the
    roles whose cell is not a number / is a typed amount). Plain numbers are parsed
    vectorized; the few other cells are parsed as typed amounts once per distinct
    (text, unit), then joined back."""
    unit_col = pl.col(unit)
    text = {role: f"{role}_text" for role in columns}
    rows = rows.with_columns(
        parse_amount(pl.col(text[role]), unit_col).alias(name) for role, name in columns.items()
    )
    odd_cells = [
        pl.col(name).is_null() & clean_amount_text(pl.col(text[role])).is_not_null()
        for role, name in columns.items()
    ]
    odd = pl.concat(
        rows.filter(is_odd).select(pl.col(text[role]).alias("_text"), unit_col.alias("_unit"))
        for role, is_odd in zip(columns, odd_cells, strict=True)
    ).unique()
    odd = odd.with_columns(parse_typed_amount(pl.col("_text"), pl.col("_unit")).alias("_typed"))
    for role in columns:
        rows = rows.join(
            odd.rename({"_text": text[role], "_unit": unit, "_typed": f"_typed_{role}"}),
            on=[text[role], unit], how="left", maintain_order="left",
        )  # fmt: skip
    typed = {role: pl.col(f"_typed_{role}").is_not_null() for role in columns}
    bad = {role: is_odd & ~typed[role] for role, is_odd in zip(columns, odd_cells, strict=True)}
    return rows.with_columns(
        *(pl.coalesce(name, f"_typed_{role}").alias(name) for role, name in columns.items()),
        _roles(bad).alias("bad_amount_roles"),
        _roles(typed).alias("typed_amount_roles"),
    ).drop(f"_typed_{role}" for role in columns)


def _roles(flags: dict[str, pl.Expr]) -> pl.Expr:
    """The names of the flags that hold, as a list per row."""
    return pl.concat_list(
        pl.when(flag).then(pl.lit(role)) for role, flag in flags.items()
    ).list.drop_nulls()
