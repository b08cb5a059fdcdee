"""chrF through sacrebleu, plus a vectorized score for summed statistics.

Statistics per segment (sacrebleu's layout): ``[hyp, ref, match]`` for each character order
and then each word order. The corpus score is computed from the *summed* statistics (not an
average of sentence scores), exactly as sacrebleu does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mt.evaluate.metrics.base import Metric


@dataclass
class ChrF(Metric):
    """chrF (character n-grams up to 6, beta 2); chrF++ is the same with word bigrams."""

    lowercase: bool = False
    char_order: int = 6
    word_order: int = 0
    beta: int = 2
    name: ClassVar[str] = "chrF2"

    def _make(self, sentence: bool) -> Any:
        from sacrebleu.metrics import CHRF

        return CHRF(
            char_order=self.char_order,
            word_order=self.word_order,
            beta=self.beta,
            lowercase=self.lowercase,
        )

    @property
    def display(self) -> str:
        return f"chrF{self.beta}" + "+" * self.word_order

    def scores_from_sums(self, sums: np.ndarray, sentence: bool = False) -> np.ndarray:
        return chrf_from_stats(sums, self.char_order + self.word_order, self.beta)


def chrf_from_stats(stats: np.ndarray, order: int, beta: int = 2) -> np.ndarray:
    """sacrebleu's ``CHRF._compute_f_score`` (effective-order averaging) for every row.

    Precision and recall are averaged over the orders where both sides have n-grams, then
    combined into one F-beta; the same with or without sentence semantics.
    """
    s = np.asarray(stats, dtype=float).reshape(-1, 3 * order)
    n_hyp, n_ref, n_match = s[:, 0::3], s[:, 1::3], s[:, 2::3]
    factor = beta**2
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(n_hyp > 0, n_match / np.where(n_hyp > 0, n_hyp, 1), 1e-16)
        rec = np.where(n_ref > 0, n_match / np.where(n_ref > 0, n_ref, 1), 1e-16)
        both = (n_hyp > 0) & (n_ref > 0)
        eff = both.sum(axis=1)
        sum_prec = np.zeros(s.shape[0])
        sum_rec = np.zeros(s.shape[0])
        for i in range(order):  # left to right, as sacrebleu accumulates
            sum_prec = sum_prec + np.where(both[:, i], prec[:, i], 0.0)
            sum_rec = sum_rec + np.where(both[:, i], rec[:, i], 0.0)
        safe_eff = np.where(eff > 0, eff, 1)
        avg_prec = np.where(eff > 0, sum_prec / safe_eff, 0.0)
        avg_rec = np.where(eff > 0, sum_rec / safe_eff, 0.0)
        num = (1 + factor) * avg_prec * avg_rec
        den = factor * avg_prec + avg_rec
        score = 100 * (num / np.where(den > 0, den, 1))
    return np.where(avg_prec + avg_rec > 0, score, 0.0)
