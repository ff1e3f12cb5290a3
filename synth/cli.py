"""`bpw synth`: write a synthetic corpus of tables plus its ground truth.

A plain function with typer-style options, so the CLI owner registers it with
`app.command()(synth)`; it is equally callable from Python with plain values.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from synth.corpus import write_corpus
from synth.generate import generate


def parse_years(text: str) -> range:
    """'2019-2026' → range(2019, 2027); '2026' → range(2026, 2027)."""
    text = text.strip()
    first, sep, last = text.partition("-")
    try:
        start = int(first)
        stop = int(last) if sep else start
    except ValueError:
        raise typer.BadParameter(f"years must look like 2019-2026 or 2026, not {text!r}") from None
    if not 1990 <= start <= stop <= 2100:
        raise typer.BadParameter(f"years out of order or range: {text!r}")
    return range(start, stop + 1)


def self_eval_years(text: str, years: range) -> list[int]:
    """--self-eval: '' or 'none' → no 自评表; 'all' → every year; '2024-2025' → those
    (each must be a generated year)."""
    text = text.strip().lower()
    if text in ("", "none"):
        return []
    if text == "all":
        return list(years)
    chosen = list(parse_years(text))
    if not set(chosen) <= set(years):
        raise typer.BadParameter(f"--self-eval {text}: not within --years {years[0]}-{years[-1]}")
    return chosen


def synth(
    departments: Annotated[
        int, typer.Option("--departments", "-n", min=1, help="How many departments.")
    ] = 5,
    years: Annotated[
        str, typer.Option("--years", help="Budget years, e.g. 2019-2026.")
    ] = "2019-2026",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("synth"),
    formats: Annotated[
        str,
        typer.Option(
            "--formats", help="Comma list from txt,tsv,csv,xlsx,xls,docx,pdf (one per file)."
        ),
    ] = "txt",
    layouts: Annotated[
        str,
        typer.Option(
            "--layouts",
            help="Comma list from packed,long,card,list (card: one card per project, the "
            "national 项目支出绩效目标申报表; list: one row per indicator).",
        ),
    ] = "packed",
    encodings: Annotated[
        str,
        typer.Option("--encodings", help="Comma list from utf-8,utf-8-sig,gb18030 (text files)."),
    ] = "utf-8",
    units_per_department: Annotated[
        int, typer.Option("--units-per-department", min=1, help="Fund-using units per department.")
    ] = 1,
    vary: Annotated[
        str,
        typer.Option(
            "--vary",
            help="Style knobs that may differ from the sample: all, none, or a comma list "
            "(unit,columns,synonyms,two_row_header,notes,fullwidth,dash,separators,crlf,"
            "final_newline,level_names,level_codes,level2_separator,first_seq,numeric_cells; "
            "card and list forms: arrangement,title,labels,amount_typing,amount_note,weights,"
            "split_levels,satisfaction_span,split_targets,period,extras,form_notes,codes,"
            "list_amounts).",
        ),
    ] = "all",
    self_eval: Annotated[
        str,
        typer.Option(
            "--self-eval",
            help="Also write each department's year-end 项目支出绩效自评表 "
            "(out/<year>/<department>-自评.xlsx: some targets met, some missed, some "
            "restated, some not reported) for these years: all, or e.g. 2024-2025. "
            "Default: none.",
        ),
    ] = "",
) -> None:
    """Generate realistic 项目支出绩效目标表 files (out/<year>/<department>.<ext>) and
    out/truth.json (+ truth_projects.parquet, truth_indicators.parquet)."""
    started = time.perf_counter()
    budget_years = parse_years(years)
    evaluated = self_eval_years(self_eval, budget_years)
    try:
        corpus = generate(departments, budget_years, seed, units_per_department)
        paths = write_corpus(corpus, out, formats, layouts, encodings, seed=seed, vary=vary,
                             meta={"units_per_department": units_per_department},
                             self_eval_years=evaluated)  # fmt: skip
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    elapsed = time.perf_counter() - started
    n_projects = sum(sum(len(u.projects) for u in t.units) for t in corpus.tables)
    typer.echo(
        f"wrote {len(corpus.tables)} tables ({departments} departments × {len(corpus.years)} "
        f"years, {n_projects} projects)"
        + (f", {len(paths) - len(corpus.tables)} 自评表" if evaluated else "")
        + f" and truth.json to {out} in {elapsed:.1f}s"
    )
