"""The real 2026 table of 广州互联网法院 as a `LogicalTable`.

Rendering it with `SAMPLE_STYLE` must give the sample file byte for byte: that pins the
packed layout (preamble, padding, separators, the 0.01 rounding gap) to reality.
"""

from __future__ import annotations

from decimal import Decimal

from synth import vocabulary as vocab
from synth.model import ZERO, Funds, Indicator, LogicalTable, Project, Unit


def _indicators(items: vocab.Indicators) -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            seq=seq,
            level1_code=code[0],
            level1_name=vocab.LEVEL1_NAMES[code[0]],
            level2_code=code,
            level2_name=vocab.LEVEL2_NAMES[code],
            name=name,
            period_target=value,
            annual_target=value,
        )
        for seq, (code, name, value) in enumerate(items, 1)
    )


def sample_table() -> LogicalTable:
    """广州互联网法院, 2026: 17 projects, 71 indicators, declared 5,373.54 (sum 5,373.55)."""
    department = vocab.SAMPLE_DEPARTMENT
    projects = tuple(
        Project(
            name=name.replace("{dept}", department),
            fiscal=Decimal(amount),
            special=ZERO,
            other=ZERO,
            goal=goal.replace("{dept}", department),
            indicators=_indicators(indicators),
        )
        for name, amount, goal, indicators in vocab.SAMPLE_PROJECTS
    )
    declared_total = Decimal(vocab.SAMPLE_DECLARED_TOTAL)
    declared = Funds(declared_total, declared_total, ZERO, ZERO)
    unit = Unit(department, projects, declared)
    return LogicalTable(2026, department, "万元", (unit,), declared, synthetic=False)
