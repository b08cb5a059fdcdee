"""Progress of a batch job on stderr: rows done, rows/s and the time left.

A terminal gets a live rich bar; anything else (a log file, a CI job, ``nohup``) gets one
plain line every ``interval`` seconds, because a redrawn bar turns into megabytes of
carriage returns in a log. Rates count only this run's rows, so a resumed job's ETA is not
flattered by the shards an earlier run finished.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts rows as shards complete and reports them (``enabled=False``: silent)."""

    def __init__(self, total: int, done: int = 0, *, enabled: bool = True,
                 stream: IO[str] | None = None, interval: float = 10.0):  # fmt: skip
        self.total, self.done, self.before = total, done, done
        self.stream = stream or sys.stderr
        self.enabled, self.interval = enabled, interval
        self.start = time.perf_counter()
        self._last = self.start - interval  # the first completed shard is reported at once
        self._bar: Any = None
        if enabled and self.stream.isatty():
            self._bar = self._rich_bar()

    def _rich_bar(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        bar = Bar(
            TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            console=Console(file=self.stream), transient=True,
        )  # fmt: skip
        bar.start()
        self._task = bar.add_task("rows", total=self.total, completed=self.done, rate="")
        return bar

    @property
    def rate(self) -> float:
        """Rows per second in this run."""
        elapsed = time.perf_counter() - self.start
        return (self.done - self.before) / elapsed if elapsed > 0 else 0.0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, rate=f"{self.rate:.1f}/s")
        elif self.enabled and time.perf_counter() - self._last >= self.interval:
            self._last = time.perf_counter()
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        rate = self.rate
        left = self.total - self.done
        eta = _clock(left / rate) if rate > 0 else "?"
        share = 100 * self.done / self.total if self.total else 100.0
        return (f"mt batch: {self.done}/{self.total} rows ({share:.0f}%), "
                f"{rate:.1f} rows/s, ETA {eta}")  # fmt: skip

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
