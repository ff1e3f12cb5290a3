"""Stable identities: normalized names and the ids derived from them.

An id is a hash of normalized names, so the same department / unit / project gets the
same id in every run and every year, with no state to keep.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import polars as pl

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Width-folded, trimmed, inner whitespace removed (names are compared this way)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name or ""))


def normalized_name(expr: pl.Expr) -> pl.Expr:
    """Vectorized `normalize_name`."""
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "")


# 指标匹配名 (the SQL macro indicator_key, sql/macros.sql): full-width ASCII folded — the
# same characters the macro's translate folds — then ASCII whitespace removed (RE2's \s)
_FULL_WIDTH = (
    "！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵ"
    "ＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～"
)
_FOLDED = [chr(ord(c) - 0xFEE0) for c in _FULL_WIDTH]


def indicator_key(name: pl.Expr) -> pl.Expr:
    """The name an indicator is matched by across years and versions: what the SQL macro
    `indicator_key` computes, stored at load so the views need not compute it again."""
    return name.str.replace_many(list(_FULL_WIDTH), _FOLDED).str.replace_all(r"[\t\n\f\r ]+", "")


def stable_id(*parts: str | None) -> int:
    """A positive 63-bit id from the given normalized parts."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()
    return int(digest[:15], 16)


def stable_ids(frame: pl.DataFrame, columns: list[str], kind: str) -> pl.Series:
    """`stable_id(kind, *row)` for every row; hashes each distinct key once."""
    keys = frame.select(columns)
    unique = keys.unique()
    ids = [stable_id(kind, *row) for row in unique.iter_rows()]
    mapping = unique.with_columns(pl.Series("__id", ids, dtype=pl.Int64))
    return keys.join(mapping, on=columns, how="left", nulls_equal=True, maintain_order="left")[
        "__id"
    ]


def source_file_id(sha256: str) -> int:
    """The id of a file version: its content hash, shortened to 63 bits."""
    return int(sha256[:15], 16)
