"""Synthetic 项目支出绩效目标表: realistic tables in every form, with exact ground truth.

    corpus = generate(departments=5, years=range(2019, 2027), seed=0)   # logical, no I/O
    paths = write_corpus(corpus, Path("synth"), formats="txt,csv")      # files + truth
    truth = load_truth(Path("synth"))                                   # per-file dicts
    frames = truth_frames(corpus)                                       # polars frames

Invented figures never wear a real name: every generated department is called 虚构市…
(`is_fictional`), and every file starts with the line 数据性质：虚构示例数据…, which the
readers recognise (the warehouse marks those batches `is_synthetic`).

Layouts: packed and long (the summary table, render), card and list (the national
forms, cards): `write_corpus(..., layouts="card,list", formats="xlsx,docx")`.

Year-end 项目支出绩效自评表 for some years: `write_corpus(..., self_eval_years=[2024])`
writes `<year>/<department>-自评.xlsx` beside each 目标表, its attainment decided by seed
(self_eval), printed as cards (self_eval_cards), with its truth and the rows the
attainment views must hold (self_eval_truth).

Modules: vocabulary (words from the real sample), values (target texts), model (the
dataclasses), generate (seeded plans over years), style (presentational knobs), forms
(the national forms' knobs), render (grid of cells), cards (cards and lists as grids),
writers (bytes per format), word (docx), pinning (reproducible zips), corpus (files +
truth), truth, cli.
"""

from synth.cards import form_sheets, render_cards, render_list
from synth.corpus import write_corpus
from synth.forms import FormStyle, random_form_style
from synth.generate import (
    department_names,
    generate,
    generate_department,
    is_fictional,
)
from synth.model import Corpus, Funds, Indicator, LogicalTable, Project, Unit
from synth.render import Sheet, render
from synth.sample import sample_table
from synth.self_eval import SelfEvaluation, evaluate
from synth.self_eval_truth import (
    expected_department_attainment_yoy,
    expected_target_attainment,
    load_self_eval_truth,
)
from synth.style import SAMPLE_STYLE, Style, random_style
from synth.truth import load_truth, load_truth_frames, truth_frames
from synth.writers import table_bytes, write_table

__all__ = [
    "SAMPLE_STYLE",
    "Corpus",
    "FormStyle",
    "Funds",
    "Indicator",
    "LogicalTable",
    "Project",
    "SelfEvaluation",
    "Sheet",
    "Style",
    "Unit",
    "department_names",
    "evaluate",
    "expected_department_attainment_yoy",
    "expected_target_attainment",
    "form_sheets",
    "generate",
    "generate_department",
    "is_fictional",
    "load_self_eval_truth",
    "load_truth",
    "load_truth_frames",
    "random_form_style",
    "random_style",
    "render",
    "render_cards",
    "render_list",
    "sample_table",
    "table_bytes",
    "truth_frames",
    "write_corpus",
    "write_table",
]
