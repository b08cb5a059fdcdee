"""One progress bar for every command that may take more than a second.

Drawn with rich on stderr, and only when stderr is a terminal and ``--quiet`` is off: a log
file or a pipe never gets redrawn bars. Commands hand :meth:`Bar.update` to the library as a
``progress(done, total)`` callback; a disabled bar is a no-op with the same interface.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mt.cli.output import UI


class Bar:
    """``update(done, total)``, ``advance(n)`` and ``log(message)`` (above the bar)."""

    def __init__(self, progress: Any = None, task: Any = None):
        self._progress, self._task = progress, task

    @property
    def enabled(self) -> bool:
        return self._progress is not None

    def update(self, done: int, total: int | None = None) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def log(self, message: str) -> None:
        """A line on stderr (above a live bar); silenced by ``--quiet``."""
        if UI.quiet:
            return
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)


def enabled() -> bool:
    """Whether a bar would be drawn now: stderr is a terminal and not ``--quiet``."""
    if UI.quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(label: str, total: int | None = None, *, show: bool = True) -> Iterator[Bar]:
    """A transient bar labelled ``label``; ``show=False`` (or no terminal) draws nothing."""
    if not (show and enabled()):
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield Bar(bar, bar.add_task(label, total=total))
