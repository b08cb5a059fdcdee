"""The one exception type for mistakes a user can fix.

The CLI turns a :class:`UserError` into a single line on stderr and exit code 2, so every
layer raises it (never ``sys.exit``) and the Python API gets a normal exception instead.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem with the user's input: bad file, unknown language, mismatched lines, ..."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        """``path:line: message`` with the parts that are known."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return where + self.message


class EnvironmentFault(UserError):
    """The machine or the store failed, not the user's input: disk full, a corrupted store.

    Still one line on stderr (saying what happened and how to recover), but exit code 1, so
    scripts can tell "fix your command" (2) from "fix your machine" (1).
    """

    exit_code = 1


def write_fault(exc: OSError, target: str | Path) -> UserError:
    """The one line for a file that could not be written (its temporary file is gone)."""
    import errno

    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return EnvironmentFault(f"cannot write: {reason}; no file was written", target)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"cannot write: {reason}", target)
    return EnvironmentFault(f"cannot write: {reason}", target)
