"""What every command shares about output: quiet/verbose state, stderr messages, JSON.

Standard output carries the result (text, JSON, an exported file with ``--out -``); progress,
summaries and details go to standard error, so a pipe only ever sees the result.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Ui:
    """The current command's ``--quiet``/``--verbose`` (set by the options' callbacks)."""

    quiet: bool = False
    verbose: bool = False
    started: float = field(default_factory=time.perf_counter)
    ctx: Any = None  # the click context the flags belong to

    def reset(self) -> None:
        self.quiet = self.verbose = False
        self.ctx = None


UI = Ui()


def info(message: str) -> None:
    """A summary line on stderr (silenced by ``--quiet``)."""
    if not UI.quiet:
        print(message, file=sys.stderr)


def detail(message: str) -> None:
    """A detail on stderr, only with ``--verbose``."""
    if UI.verbose:
        print(f"mt: {message}", file=sys.stderr)


def warn(message: str) -> None:
    """A warning on stderr (shown even with ``--quiet``)."""
    print(f"mt: warning: {message}", file=sys.stderr)


def elapsed() -> float:
    return time.perf_counter() - UI.started


def clean_json(value: Any) -> Any:
    """JSON has no NaN: missing values become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    return value


def dump_json(data: Any, *, indent: int | None = 2) -> None:
    """``data`` as JSON on stdout (UTF-8 kept, NaN as null)."""
    print(json.dumps(clean_json(data), ensure_ascii=False, indent=indent))


def is_stdio(path: object) -> bool:
    """``-`` stands for stdin or stdout wherever a file is taken."""
    return path is not None and str(path) == "-"
