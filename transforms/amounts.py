"""Amount cells (text) → exact decimals in 万元, vectorized. Never through floats.

`5,373.54` → 5373.54; full-width `５７２．９０` → 572.90; `-` / `—` → 0; blank → null.
Tables in 元 are converted by moving the decimal point four places in the text,
so the result is exact (polars decimal arithmetic would round).
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


def is_bad_amount(text: pl.Expr) -> pl.Expr:
    """True where a non-blank cell is not a number (e.g. '五百', '12万')."""
    cleaned = clean_amount_text(text)
    return cleaned.is_not_null() & ~cleaned.str.contains(r"^-?\d+(\.\d{1,6})?$")
