"""Length-ratio outliers: translations far shorter or longer than the source warrants.

Characters per sentence differ by language (Russian and Azerbaijani run longer than English),
so the expected ratio comes from a per-language factor; given a batch, the check recentres on the
batch's median ratio, which absorbs a system's or a text's own habits. Short segments get
slack (ten characters on both sides) so that "Yes." → "Да." is not an outlier.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from mt.evaluate.qa.base import CHECKS, WARNING, QACheck, Segment

# Rough characters per sentence relative to English, from parallel statement text.
LENGTH_FACTOR = {"en": 1.0, "az": 1.05, "ru": 1.1}
_SLACK = 10


def length_ratio(seg: Segment) -> float:
    """Smoothed hypothesis/source character ratio."""
    return (len(seg.hyp.strip()) + _SLACK) / (len(seg.src.strip()) + _SLACK)


@CHECKS.register("length")
class LengthRatioCheck(QACheck):
    """Flags ratios more than ``factor`` times off the expected one (both directions)."""

    name = "length"
    severity = WARNING

    def __init__(self, factor: float = 2.0, min_batch: int = 20):
        self.factor = factor
        self.min_batch = min_batch
        self.expected: float | None = None

    def fit(self, segments: Sequence[Segment]) -> None:
        ratios = [length_ratio(s) for s in segments if s.src.strip() and s.hyp.strip()]
        self.expected = statistics.median(ratios) if len(ratios) >= self.min_batch else None

    def score(self, seg: Segment) -> float | None:
        if not seg.src.strip() or not seg.hyp.strip():
            return None
        expected = self.expected or LENGTH_FACTOR[seg.tgt_lang] / LENGTH_FACTOR[seg.src_lang]
        return length_ratio(seg) / expected

    def accept(self, score: float | None) -> bool:
        return score is None or abs(math.log(score)) <= math.log(self.factor)

    def explain(self, score: Any) -> str:
        side = "short" if score < 1 else "long"
        return f"hypothesis is {score:.2f}× the expected length (too {side})"
