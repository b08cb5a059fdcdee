"""BLEU through sacrebleu, plus a vectorized score for summed statistics.

Statistics per segment (sacrebleu's layout): ``[hyp_len, ref_len, correct_1..N, total_1..N]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mt.evaluate.metrics.base import Metric

# Tokenizers that need nothing beyond sacrebleu itself (mecab/spm ones need extra packages
# or a model download, and none is meant for en/az/ru).
TOKENIZERS = ("13a", "intl", "none", "char")
_MY_LOG_FLOOR = -9999999999.0  # sacrebleu.utils.my_log(0)


@dataclass
class BLEU(Metric):
    """Corpus BLEU; sentence scores use effective order, as ``sacrebleu -sl`` does."""

    tokenize: str = "13a"
    lowercase: bool = False
    smooth_method: str = "exp"
    smooth_value: float | None = None
    max_order: int = 4
    name: ClassVar[str] = "BLEU"

    def _make(self, sentence: bool) -> Any:
        from sacrebleu.metrics import BLEU as SacreBLEU

        return SacreBLEU(
            lowercase=self.lowercase,
            tokenize=self.tokenize,
            smooth_method=self.smooth_method,
            smooth_value=self.smooth_value,
            max_ngram_order=self.max_order,
            effective_order=sentence,
        )

    @property
    def display(self) -> str:
        return "BLEU" if self.key == "bleu" else f"BLEU ({self.tokenize})"

    def scores_from_sums(self, sums: np.ndarray, sentence: bool = False) -> np.ndarray:
        return bleu_from_stats(
            sums,
            max_order=self.max_order,
            smooth_method=self.smooth_method,
            smooth_value=self.smooth_value,
            effective_order=sentence,
        )


def bleu_from_stats(
    stats: np.ndarray,
    *,
    max_order: int = 4,
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = False,
) -> np.ndarray:
    """sacrebleu's ``BLEU.compute_bleu`` for every row of ``stats`` at once.

    Mirrors the scalar code branch by branch (early zero when nothing matches, the break at
    the first order with no n-grams, effective order, the three smoothing methods) with masks
    instead of ``if``s, so 1,000 resamples cost one pass over a (1000, 10) array.
    """
    from sacrebleu.metrics import BLEU as SacreBLEU

    if smooth_value is None:
        smooth_value = SacreBLEU.SMOOTH_DEFAULTS[smooth_method]
    s = np.asarray(stats, dtype=float).reshape(-1, 2 + 2 * max_order)
    sys_len, ref_len = s[:, 0], s[:, 1]
    correct = s[:, 2 : 2 + max_order].copy()
    total = s[:, 2 + max_order :].copy()
    rows = s.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(
            sys_len < ref_len,
            np.where(sys_len > 0, np.exp(1 - ref_len / np.where(sys_len > 0, sys_len, 1)), 0.0),
            1.0,
        )
        any_match = (correct > 0).any(axis=1)
        alive = np.ones(rows, dtype=bool)
        eff = np.full(rows, max_order)
        smooth = np.ones(rows)
        prec = np.zeros((rows, max_order))
        for n in range(max_order):
            if smooth_method == "add-k" and n > 0:
                correct[:, n] += smooth_value
                total[:, n] += smooth_value
            alive &= total[:, n] > 0
            if effective_order:
                eff = np.where(alive, n + 1, eff)
            zero = correct[:, n] == 0
            safe_total = np.where(total[:, n] > 0, total[:, n], 1)
            p = 100.0 * correct[:, n] / safe_total
            if smooth_method == "exp":
                smooth = np.where(alive & zero, smooth * 2, smooth)
                p = np.where(zero, 100.0 / (smooth * safe_total), p)
            elif smooth_method == "floor":
                p = np.where(zero, 100.0 * smooth_value / safe_total, p)
            prec[:, n] = np.where(alive, p, 0.0)
        logs = np.where(prec > 0, np.log(np.where(prec > 0, prec, 1)), _MY_LOG_FLOOR)
        used = np.arange(max_order)[None, :] < eff[:, None]
        total_log = np.zeros(rows)
        for n in range(max_order):  # left to right, as sacrebleu's sum() does
            total_log = total_log + np.where(used[:, n], logs[:, n], 0.0)
        score = bp * np.exp(total_log / eff)
    return np.where(any_match, score, 0.0)
