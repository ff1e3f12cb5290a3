"""The one error type a table can raise while being read or normalized."""

from __future__ import annotations


class TableError(Exception):
    """A file that cannot become a batch: the rule it broke, where, and with what value.

    `row` is the 1-based row of the source file (None when the whole file is at fault).
    """

    def __init__(
        self,
        rule: str,
        message: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.row = row
        self.column = column
        self.value = value
