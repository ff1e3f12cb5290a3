"""A corpus on disk: each logical table written in one seeded form, plus its truth.

Every table gets ONE file (`out/<year>/<department>.<ext>`): its format, layout,
encoding and style are drawn from the allowed lists by a stream seeded with the seed,
year and department — so a corpus holds one version of each department-year, as a real
inbox would, and the same seed always writes the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from synth.cards import effective_arrangement
from synth.forms import FORM_LAYOUTS, FormStyle, random_form_style
from synth.model import ZERO, Corpus, LogicalTable
from synth.self_eval import evaluate
from synth.self_eval_cards import self_eval_bytes
from synth.self_eval_truth import TRUTH_EXECUTIONS, TRUTH_RESULTS, write_self_eval_truth
from synth.style import (
    ENCODINGS,
    LAYOUTS,
    TEXT_FORMATS,
    Style,
    parse_vary,
    random_style,
)
from synth.truth import TRUTH_JSON, file_record, write_truth
from synth.writers import ALL_FORMATS, render_sheets, sheets_bytes

ALL_LAYOUTS = (*LAYOUTS, *FORM_LAYOUTS)
SELF_EVAL_SUFFIX = "-自评.xlsx"  # out/<year>/<department>-自评.xlsx beside its 目标表


def split_list(value: str | Sequence[str], allowed: Sequence[str], what: str) -> list[str]:
    """'txt,csv' → ['txt', 'csv'], checked against the allowed names."""
    items = [v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value)]
    items = [v for v in items if v]
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        given = ", ".join(unknown) or "(none)"
        raise ValueError(f"{what}: {given} (allowed: {', '.join(allowed)})")
    return list(dict.fromkeys(items))


def choose_form(
    table: LogicalTable,
    seed: int,
    formats: Sequence[str],
    layouts: Sequence[str],
    encodings: Sequence[str],
    vary: set[str],
) -> tuple[str, str, str | None, Style]:
    """(format, layout, encoding or None for spreadsheets, style) for one table."""
    rng = random.Random(f"{seed}:{table.year}:{table.department}:form")
    fmt = rng.choice(list(formats))
    layout = rng.choice(list(layouts))
    encoding = rng.choice(list(encodings))
    style = random_style(rng, vary)
    return fmt, layout, (encoding if fmt in TEXT_FORMATS else None), style


def choose_form_style(
    table: LogicalTable, seed: int, layout: str, vary: set[str]
) -> FormStyle | None:
    """The card / list knobs of one table's file (None for the summary layouts).

    Drawn from a stream of its own, so adding the forms changed no summary-layout file."""
    if layout not in FORM_LAYOUTS:
        return None
    rng = random.Random(f"{seed}:{table.year}:{table.department}:national-form")
    return random_form_style(rng, vary).for_layout(layout)


def form_record(fmt: str, layout: str, form: FormStyle, sheets: list) -> dict[str, Any]:
    """What truth.json adds for a card or list file: the knobs, how the cards are laid
    out, and per printed project where it is and how it was printed (see cards.py)."""
    printed = [item for sheet in sheets for item in sheet.meta]
    return {
        "form_style": form.to_dict(),
        "arrangement": effective_arrangement(fmt, layout, form),
        "sheets": len(sheets),
        "declared_printed": layout == "list",
        "printed": printed,
    }


def forget_previous(out: Path) -> None:
    """Delete the table files (目标表 and 自评表) an earlier run listed in out/truth.json
    (and nothing else), so a regenerated folder never mixes two corpora."""
    for name in (TRUTH_EXECUTIONS, TRUTH_RESULTS):
        (out / name).unlink(missing_ok=True)
    truth = out / TRUTH_JSON
    if not truth.is_file():
        return
    try:
        document = json.loads(truth.read_text(encoding="utf-8"))
        files = [*document.get("files", []), *document.get("self_evaluations", [])]
    except (OSError, ValueError, AttributeError):
        return
    root = out.resolve()
    for record in files:
        path = (out / str(record.get("path", ""))).resolve()
        if path.is_relative_to(root) and path.is_file() and not path.is_symlink():
            path.unlink()


def write_corpus(
    corpus: Corpus,
    out: Path,
    formats: str | Sequence[str] = ("txt",),
    layouts: str | Sequence[str] = ("packed",),
    encodings: str | Sequence[str] = ("utf-8",),
    seed: int | None = None,
    vary: str = "all",
    meta: dict[str, Any] | None = None,
    self_eval_years: Collection[int] = (),
) -> list[Path]:
    """Write every table once (form drawn per table) and the truth; returns the table paths.

    `seed` (default: the corpus's) seeds the choice of forms; `vary` says which style
    knobs may differ from the sample ('all', 'none' or a comma list, see style.KNOBS).
    For the years in `self_eval_years`, each department's 自评表 too (`<department>-自评.xlsx`,
    listed under `self_evaluations` in truth.json, truth in truth_executions/results.parquet).
    """
    out = Path(out)
    seed = corpus.seed if seed is None else seed
    fmts = split_list(formats, ALL_FORMATS, "formats")
    lays = split_list(layouts, ALL_LAYOUTS, "layouts")
    encs = split_list(encodings, ENCODINGS, "encodings")
    knobs = parse_vary(vary)
    out.mkdir(parents=True, exist_ok=True)
    forget_previous(out)
    paths: list[Path] = []
    items: list[tuple[LogicalTable, dict[str, Any]]] = []
    for table in corpus.tables:
        fmt, layout, encoding, style = choose_form(table, seed, fmts, lays, encs, knobs)
        form = choose_form_style(table, seed, layout, knobs)
        relative = Path(str(table.year)) / f"{table.department}.{fmt}"
        sheets = render_sheets(table, fmt, layout, style, form)
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sheets_bytes(sheets, fmt, encoding or "utf-8", style, form))
        paths.append(path)
        record = file_record(
            table,
            path=relative.as_posix(),
            amount_unit=style.amount_unit or table.amount_unit,
            format=fmt,
            layout=layout,
            encoding=encoding,
            style=style.to_dict(),
        )
        if form is not None:
            record.update(form_record(fmt, layout, form, sheets))
        items.append((table, record))
    info = {
        "generator": "bpw synth",
        "truth_version": 1,
        "seed": seed,
        "years": list(corpus.years),
        "departments": len(corpus.departments),
        "formats": fmts,
        "layouts": lays,
        "encodings": encs,
        "vary": sorted(knobs),
        "amounts": "exact decimal strings in 万元",
        **(meta or {}),
    }
    evaluations = write_self_evaluations(corpus, out, seed, self_eval_years)
    if evaluations:
        info["self_eval_years"] = sorted({int(r["year"]) for _, r in evaluations})
    extra = {"self_evaluations": [r for _, r in evaluations]} if evaluations else None
    write_truth(out, items, info, extra)
    if evaluations:
        write_self_eval_truth(out, [(e, r["path"]) for e, r in evaluations])
    return paths + [out / r["path"] for _, r in evaluations]


def write_self_evaluations(
    corpus: Corpus, out: Path, seed: int, years: Collection[int]
) -> list[tuple[Any, dict[str, Any]]]:
    """Each department's 自评表 for the given years (one .xlsx each) → (evaluation, record)."""
    written = []
    for table in corpus.tables:
        if table.year not in years:
            continue
        evaluation = evaluate(table, seed)
        relative = Path(str(table.year)) / f"{table.department}{SELF_EVAL_SUFFIX}"
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(self_eval_bytes(evaluation, seed))
        record = {
            "path": relative.as_posix(),
            "year": table.year,
            "department": table.department,
            "format": "xlsx",
            "kind": "self_evaluation",
            "n_projects": len(evaluation.projects),
            "n_indicators": sum(len(p.indicators) for p in evaluation.projects),
            "adjusted_total": str(sum((p.adjusted for p in evaluation.projects), ZERO)),
            "executed_total": str(sum((p.executed for p in evaluation.projects), ZERO)),
        }
        written.append((evaluation, record))
    return written
