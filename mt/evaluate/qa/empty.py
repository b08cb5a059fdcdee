"""Empty output: a source segment with no translation (or a translation of nothing)."""

from __future__ import annotations

from typing import Any

from mt.evaluate.qa.base import CHECKS, ERROR, WARNING, QACheck, Segment


@CHECKS.register("empty")
class EmptyCheck(QACheck):
    """Flags an empty hypothesis for a non-empty source, and output for an empty source."""

    name = "empty"

    def score(self, seg: Segment) -> str:
        src, hyp = bool(seg.src.strip()), bool(seg.hyp.strip())
        if src and not hyp:
            return "empty"
        if hyp and not src:
            return "no-source"
        return "ok"

    def accept(self, score: str) -> bool:
        return score == "ok"

    def severity_of(self, score: Any) -> str:
        return ERROR if score == "empty" else WARNING

    def explain(self, score: Any) -> str:
        if score == "empty":
            return "empty hypothesis for a non-empty source"
        return "hypothesis for an empty source line"
