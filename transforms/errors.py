"""The one error type a table can raise while being read or normalized, and how an
OSError met while reading is told apart: one file's fault, or the disk's."""

from __future__ import annotations

import errno


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


# errno values that mean "this file", not "this disk": it vanished, is not ours to read,
# is a folder or a device now, or its name cannot be opened. Any other OSError (EIO,
# ENOSPC, EMFILE, ETIMEDOUT, ESTALE …) is the machine's and worth a retry.
FILE_ERRNOS = frozenset({
    errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENXIO,
    errno.ENODEV, errno.ELOOP, errno.ENAMETOOLONG, errno.EINVAL, errno.EFBIG,
    errno.EOVERFLOW,
})  # fmt: skip


def is_file_fault(exc: BaseException) -> bool:
    """An OSError about one file (see FILE_ERRNOS), or one a library raised without an
    errno (about the bytes); False for disk trouble and for anything not an OSError."""
    return isinstance(exc, OSError) and (exc.errno is None or exc.errno in FILE_ERRNOS)


def unreadable_message(name: str, exc: OSError) -> str:
    """One line: which file could not be read, and why."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOENT:
        reason += " (it vanished after it was found)"
    return " ".join(f"{name} could not be read: {reason}".split())
