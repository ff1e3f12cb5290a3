"""Packed indicator cells → raw records, with the conservation law checked per cell.

A packed cell (the summary layout) holds records like

    1-产出指标：12-质量指标：非编人员年度考核合格率；实施周期指标值：≥95%；年度指标值：≥95%。
    2-3-满意度指标：31-服务对象满意度；法官…满意度；实施周期指标值：≥90%；年度指标值：≥90%。

i.e. `SEQ-L1CODE-L1NAME：L2CODE-L2NAME(：|；)L3NAME；实施周期指标值：V；年度指标值：V。`
with the first record's SEQ often missing. Real tables separate the records by `。`,
`；`, line breaks, spaces or nothing at all, so a boundary is found by what *starts* a
record (`N-N-名称：N-`), never by what ends one; a value may hold `。` inside （…）.

The fast path splits every cell at once in polars. A cell whose split breaks the
conservation law (text left over, a count of `年度指标值` markers different from the
number of records, sequence numbers not 1…n) is split again by the sequential
reference splitter, which knows the next record's number (`…≥95%2-3-…` is value `≥95%`
then record 2, `…1002-1-…` is value `100` then record 2). What still breaks the law is
reported on the project (`unaccounted`), and the gate rejects the file: a packed cell
is either read exactly or not loaded.
"""

from __future__ import annotations

import re

import polars as pl

RECORD_SEPARATOR = "\x1e"
_DASH = r"\s*[-－]\s*"
_L1NAME = r"[^\d\s：:；;。，,\-－][^：:；;。\n]{0,30}?"
_L2CODE = r"\d+(?:\.\d+)?"
# what opens a record: [SEQ-]L1CODE-L1NAME：L2CODE-
_START = rf"(?:\d+{_DASH})?\d+{_DASH}{_L1NAME}\s*[：:]\s*{_L2CODE}{_DASH}"
# a target value: anything but a record separator, with （…） / (…) allowed to hold them
_VALUE = r"(?:[^。；;\n（(]|（[^）\n]*）|\([^)\n]*\))*"
_RECORD = (
    rf"^(?:(?P<seq>\d+){_DASH})?(?P<l1code>\d+){_DASH}(?P<l1name>[^：:；;]+?)\s*[：:]\s*"
    rf"(?P<l2code>{_L2CODE}){_DASH}(?P<l2name>[^：:；;]+?)\s*[：:；;]\s*"
    r"(?P<name>(?s:.*?))\s*[；;]\s*实施周期指标值\s*[：:]\s*(?P<period>" + _VALUE + r")\s*[；;]\s*"
    r"年度指标值\s*[：:]\s*(?P<annual>" + _VALUE + r")(?P<tail>(?s:.*))$"
)
_SEPARATORS = r"[\s。；;，,]"
_MARKER = "年度指标值"
_PERIOD_MARKER = "实施周期指标值"
_START_RE = re.compile(_START)
_MARKER_RE = re.compile(_MARKER + r"\s*[：:]")
_GROUPS = ("seq", "l1code", "l1name", "l2code", "l2name", "name", "period", "annual", "tail")


def _fold_breaks(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all("\r\n|\r", "\n")


def _split_fast(cells: pl.LazyFrame) -> pl.LazyFrame:
    """cell_id, prefix (text before the first record), record (one row per record)."""
    marked = _fold_breaks(pl.col("indicator_text")).str.replace_all(
        _START, RECORD_SEPARATOR + "$0"
    )
    return (
        cells.with_columns(marked.str.split(RECORD_SEPARATOR).alias("pieces"))
        .with_columns(
            pl.when(pl.col("pieces").list.len() > 1)
            .then(pl.col("pieces").list.first())
            .otherwise(pl.lit(""))
            .alias("prefix"),
            pl.when(pl.col("pieces").list.len() > 1)
            .then(pl.col("pieces").list.slice(1))
            .otherwise(pl.col("pieces"))
            .alias("record"),
        )
        .select("cell_id", "prefix", "record")
        .explode("record")
    )


def split_sequential(text: str) -> tuple[str, list[str]]:
    """The reference splitter: (text before the first record, records).

    Record k ends where record k+1 starts, searched only after record k's `年度指标值`
    marker and preferring the start numbered k+1, so digits that end a value are not
    taken for the next sequence number.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = _START_RE.search(text)
    if first is None:
        return "", [text]
    starts, numbered = [first.start()], False
    while True:
        k = len(starts) + 1
        marker = _MARKER_RE.search(text, starts[-1])
        if marker is None:
            break
        explicit = re.compile(rf"{k}{_DASH}\d+{_DASH}{_L1NAME}\s*[：:]\s*{_L2CODE}{_DASH}")
        found = explicit.search(text, marker.end())
        if found is None and not numbered:
            found = _START_RE.search(text, marker.end())
        elif found is not None:
            numbered = True
        if found is None:
            break
        starts.append(found.start())
    ends = [*starts[1:], len(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, ends, strict=True)]


def _sequential(failed: pl.DataFrame) -> pl.LazyFrame:
    """The reference split of the cells the fast path could not account for."""
    ids, prefixes, records = [], [], []
    for cell_id, text in failed.select("cell_id", "indicator_text").iter_rows():
        prefix, pieces = split_sequential(text)
        ids.extend([cell_id] * len(pieces))
        prefixes.extend([prefix] * len(pieces))
        records.extend(pieces)
    return pl.LazyFrame(
        {"cell_id": ids, "prefix": prefixes, "record": records},
        schema={"cell_id": pl.UInt32, "prefix": pl.String, "record": pl.String},
    )


def _parse_records(records: pl.LazyFrame) -> pl.LazyFrame:
    """Each record's captured groups, its position in the cell and what it leaves over."""
    records = (
        records.with_columns(pl.col("record").str.strip_chars())
        .filter(pl.col("record") != "")
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("cell_id").alias("indicator_pos")
        )
        .with_columns(pl.col("record").str.extract_groups(_RECORD).alias("parts"))
        .unnest("parts")
    )
    joined = [
        pl.col(c).str.replace_all(r"\s*\n\s*", "").str.strip_chars().alias(c)
        for c in ("l1name", "l2name", "name")
    ]
    leftover = pl.col("tail").str.replace_all(_SEPARATORS, "")
    return records.with_columns(
        *joined,
        pl.col("period").str.strip_chars(),
        pl.col("annual").str.strip_chars(),
        pl.when(leftover != "").then(pl.col("tail").str.strip_chars()).alias("tail"),
    )


def _law(records: pl.LazyFrame, cells: pl.LazyFrame) -> pl.LazyFrame:
    """Per cell: null when the records account for the whole cell, else why not."""
    per_cell = records.group_by("cell_id").agg(
        pl.len().alias("n_records"),
        pl.col("prefix").first().str.strip_chars().alias("prefix"),
        pl.col("tail").drop_nulls().first().alias("tail"),
        pl.col("seq").alias("seqs"),  # as written: `06` is not 6
        pl.col("l1code").is_null().all().alias("unstructured"),
    )
    checked = cells.select(
        "cell_id",
        pl.col("indicator_text").str.count_matches(_MARKER).alias("n_markers"),
        pl.col("indicator_text").str.count_matches(_PERIOD_MARKER).alias("n_period_markers"),
    ).join(
        per_cell, on="cell_id", how="inner"
    )
    later = pl.col("seqs").list.slice(1)
    numbered_later = later.list.drop_nulls().list.len()
    positions = pl.int_ranges(2, pl.col("n_records") + 1).cast(pl.List(pl.String))
    seq_ok = (
        (pl.col("seqs").list.first().is_null() | (pl.col("seqs").list.first() == "1"))
        & (
            (numbered_later == 0)
            | ((numbered_later == pl.col("n_records") - 1) & (later == positions))
        )
    )
    reason = (
        pl.when(pl.col("unstructured") & (pl.col("n_markers") == 0))
        .then(pl.lit(None, dtype=pl.String))  # no structure at all: indicator_structure
        .when(pl.col("prefix") != "")
        .then(pl.concat_str(pl.lit("text before the first indicator: "), pl.col("prefix")))
        .when(pl.col("tail").is_not_null())
        .then(pl.concat_str(pl.lit("text after an indicator's 年度指标值: "), pl.col("tail")))
        .when(
            (pl.col("n_markers") != pl.col("n_records"))
            | (pl.col("n_period_markers") != pl.col("n_records"))
        )
        .then(
            pl.format(
                "{} 年度指标值 and {} 实施周期指标值 markers but {} indicator records",
                pl.col("n_markers"), pl.col("n_period_markers"), pl.col("n_records"),
            )
        )
        .when(~seq_ok)
        .then(
            pl.format(
                "sequence numbers {} are not 1…{}",
                pl.col("seqs").list.eval(pl.element().fill_null("-"))
                .list.join(","),
                pl.col("n_records"),
            )
        )
    )
    return checked.select("cell_id", reason.alias("unaccounted"))


def split_packed_cells(cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`cells` (cell_id, indicator_text) → (records, unaccounted).

    records: cell_id, indicator_pos, record and the groups seq, l1code, l1name, l2code,
    l2name, name, period, annual; unaccounted: cell_id and why the cell's records do not
    account for all of its text (only cells that break the law).
    """
    lazy = cells.lazy()
    fast = _parse_records(_split_fast(lazy))
    law = _law(fast, lazy).collect()
    failed_ids = law.filter(pl.col("unaccounted").is_not_null())["cell_id"]
    if failed_ids.is_empty():
        records = fast
        unaccounted = law.filter(pl.col("unaccounted").is_not_null())
    else:
        failed = cells.filter(pl.col("cell_id").is_in(failed_ids.implode()))
        again = _parse_records(_sequential(failed))
        records = pl.concat(
            [fast.filter(~pl.col("cell_id").is_in(failed_ids.implode())), again]
        )
        unaccounted = _law(again, failed.lazy()).filter(
            pl.col("unaccounted").is_not_null()
        ).collect()
    columns = ["cell_id", "indicator_pos", "record", *_GROUPS[:-1]]
    return records.select(columns).sort("cell_id", "indicator_pos").collect(), unaccounted
