"""The logical tables: what a 项目支出绩效目标表 says, independent of how it is written.

Amounts are exact `Decimal`s with 2 places, always in 万元; a table published in 元 is
the same logical table rendered differently. Every rendering (txt/csv/xlsx, packed/long,
any style) of one `LogicalTable` must read back to exactly these values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class Funds(NamedTuple):
    """A row's four amounts (万元): total and its three fund sources."""

    total: Decimal
    fiscal: Decimal
    special: Decimal
    other: Decimal

    @staticmethod
    def of(projects: Iterator[Project] | tuple[Project, ...]) -> Funds:
        """The exact sum of some projects' funds."""
        fiscal = special = other = ZERO
        for project in projects:
            fiscal += project.fiscal
            special += project.special
            other += project.other
        return Funds(fiscal + special + other, fiscal, special, other)


@dataclass(slots=True)
class Indicator:
    """One performance indicator; `level2_code` is the canonical category code (11..31)."""

    seq: int
    level1_code: str
    level1_name: str
    level2_code: str
    level2_name: str
    name: str
    period_target: str
    annual_target: str


@dataclass(slots=True)
class Project:
    """A project row: its three fund sources (total is their exact sum), goal, indicators."""

    name: str
    fiscal: Decimal
    special: Decimal
    other: Decimal
    goal: str
    indicators: tuple[Indicator, ...]

    @property
    def total(self) -> Decimal:
        return self.fiscal + self.special + self.other

    @property
    def funds(self) -> Funds:
        return Funds(self.total, self.fiscal, self.special, self.other)


@dataclass(slots=True)
class Unit:
    """A fund-using unit (资金使用单位) and its projects.

    `declared` is the subtotal row as printed; None means the exact sum of the projects.
    """

    name: str
    projects: tuple[Project, ...]
    declared: Funds | None = None

    @property
    def funds(self) -> Funds:
        return Funds.of(self.projects)

    @property
    def subtotal(self) -> Funds:
        return self.declared or self.funds


@dataclass(slots=True)
class LogicalTable:
    """One department's table for one budget year.

    `declared` is the 合计 row as printed: the exact sum, or (as in real tables,
    rounding) off by 0.01 in its total and fiscal columns. `synthetic`: the figures are
    invented (every generated table), so every rendering carries the `SYNTHETIC_MARK`
    line; only the transcribed real sample is not.
    """

    year: int
    department: str
    amount_unit: str
    units: tuple[Unit, ...]
    declared: Funds
    synthetic: bool = True

    @property
    def declared_total(self) -> Decimal:
        return self.declared.total

    @property
    def funds(self) -> Funds:
        return Funds.of(self.projects())

    def projects(self) -> Iterator[Project]:
        for unit in self.units:
            yield from unit.projects


@dataclass(frozen=True)
class Corpus:
    """All generated tables, ordered by (year, department); `seed` made them."""

    seed: int
    years: tuple[int, ...]
    departments: tuple[str, ...]
    tables: tuple[LogicalTable, ...]
