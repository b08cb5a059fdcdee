"""TER through sacrebleu (its Tercom re-implementation).

Statistics per segment: ``[edits, average reference length]``. Note the default: sacrebleu's
TER, like Tercom, is case-*insensitive* (``case_sensitive=False`` lowercases with Python's
``str.lower``, signature ``case:lc``) even when BLEU and chrF are case-sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mt.evaluate.metrics.base import Metric


@dataclass
class TER(Metric):
    """Translation edit rate; lower is better."""

    case_sensitive: bool = False
    name: ClassVar[str] = "TER"
    higher_is_better: ClassVar[bool] = False
    stats_dtype: ClassVar[type] = np.float64

    def _make(self, sentence: bool) -> Any:
        from sacrebleu.metrics import TER as SacreTER

        return SacreTER(case_sensitive=self.case_sensitive)

    def scores_from_sums(self, sums: np.ndarray, sentence: bool = False) -> np.ndarray:
        s = np.asarray(sums, dtype=float).reshape(-1, 2)
        edits, ref_len = s[:, 0], s[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(ref_len > 0, edits / np.where(ref_len > 0, ref_len, 1), 0.0)
        rate = np.where((ref_len <= 0) & (edits > 0), 1.0, rate)
        return 100 * rate
