"""What every metric shares: sacrebleu does the counting, we keep the counts.

A metric here is a thin wrapper around one sacrebleu metric object. sacrebleu extracts the
per-segment sufficient statistics and turns summed statistics into the corpus score, so every
number we print is sacrebleu's own. What the wrapper adds is the *shape* the rest of the
toolkit needs: statistics as a NumPy array (one row per segment) that can be computed once and
then re-summed for documents, length buckets and thousands of bootstrap resamples, plus a
vectorized score function for those resamples (checked against sacrebleu in the tests).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from mt.lang import lower as lang_lower

EXTRACT_BLOCK = 2000  # segments whose reference n-grams are held at once


@dataclass(frozen=True)
class Prep:
    """Language-aware text preparation applied *before* sacrebleu sees a segment.

    ``turkic_lower`` replaces sacrebleu's ``str.lower`` (wrong for Azerbaijani I/İ) with
    :func:`mt.lang.lower`; ``yo_fold`` maps ё→е for Russian, where both spellings are correct
    and a reference may use either.
    """

    turkic_lower: bool = False
    yo_fold: bool = False

    def __call__(self, text: str) -> str:
        if self.turkic_lower:
            text = lang_lower(text, "az")
        if self.yo_fold:
            text = text.replace("ё", "е").replace("Ё", "Е")
        return text

    @property
    def active(self) -> bool:
        return self.turkic_lower or self.yo_fold


@dataclass
class Metric(ABC):
    """One sacrebleu metric with fixed options.

    ``key`` names the metric in results (``bleu``, ``chrf``, ``bleu@intl`` for an alongside
    variant); ``prep`` is the preparation that must run before sacrebleu.
    """

    key: str
    prep: Prep = field(default_factory=Prep)
    name: ClassVar[str] = ""
    higher_is_better: ClassVar[bool] = True
    stats_dtype: ClassVar[type] = np.int64

    def __post_init__(self) -> None:
        self._sb = self._make(sentence=False)
        self._sb_sentence = self._make(sentence=True)
        self.num_refs = 1

    # -- what each metric file provides ------------------------------------------------
    @abstractmethod
    def _make(self, sentence: bool) -> Any:
        """The sacrebleu metric object (``sentence=True``: sacrebleu's sentence-level flavour)."""

    @abstractmethod
    def scores_from_sums(self, sums: np.ndarray, sentence: bool = False) -> np.ndarray:
        """Scores for many summed-statistics rows at once (resamples, buckets, sentences)."""

    # -- shared behaviour -----------------------------------------------------------------
    def extract(self, systems: Sequence[Sequence[str]], refs: Sequence[Sequence[str]]) -> list:
        """Per-segment statistics of each system against the same references.

        The reference side (n-grams, lengths) is extracted once per block of segments and
        shared by all systems, as sacrebleu's reference cache is. Working block by block keeps
        a few thousand reference Counters alive instead of all of them (sacrebleu's CLI holds
        ~6 GB for chrF on 100,000 segments), which is also faster. A line that an earlier
        system translated identically reuses that system's row (common between checkpoints).
        """
        n = len(refs[0])
        blocks: list[list[np.ndarray]] = [[] for _ in systems]
        sb = self._make(sentence=False)
        for lo in range(0, n, EXTRACT_BLOCK):
            hi = min(n, lo + EXTRACT_BLOCK)
            cache = sb._cache_references([self._prep(s[lo:hi]) for s in refs])
            memo: dict[tuple[int, str], list] = {}
            for out, hyps in zip(blocks, systems, strict=True):
                pairs = enumerate(zip(self._prep(hyps[lo:hi]), cache, strict=True))
                rows = [self._segment(sb, memo, j, h, kw) for j, (h, kw) in pairs]
                out.append(np.array(rows, dtype=self.stats_dtype).reshape(hi - lo, -1))
        return [np.concatenate(b) if b else np.zeros((0, 0), self.stats_dtype) for b in blocks]

    @staticmethod
    def _segment(sb: Any, memo: dict, j: int, hyp: str, ref_info: dict) -> list:
        """sacrebleu's statistics of one segment (what its ``_extract_corpus_statistics``
        does per line), memoized on (segment, hypothesis)."""
        row = memo.get((j, hyp))
        if row is None:
            row = memo[(j, hyp)] = sb._compute_segment_statistics(
                sb._preprocess_segment(hyp), ref_info
            )
        return row

    def _prep(self, lines: Sequence[str]) -> Sequence[str]:
        return [self.prep(x) for x in lines] if self.prep.active else lines

    def corpus_score(self, stats: np.ndarray) -> Any:
        """sacrebleu's corpus score from per-segment statistics, summed exactly as it does."""
        return self._sb._compute_score_from_stats(exact_sums(stats))

    def sentence_scores(self, stats: np.ndarray) -> np.ndarray:
        """Sentence-level scores as sacrebleu computes them (``-sl``), one per segment row."""
        fn = self._sb_sentence._compute_score_from_stats
        return np.array([fn(row).score for row in stats.tolist()], dtype=float)

    def signature(self, sentence: bool = False, **updates: Any) -> str:
        """sacrebleu's signature string for this metric and reference count.

        ``updates`` adds entries the way sacrebleu's paired tests do (``seed``, ``bs``, ``ar``).
        """
        sb = self._sb_sentence if sentence else self._sb
        sb.num_refs = self.num_refs
        sig = sb.get_signature()
        for key, value in updates.items():
            sig.update(key, value)
        return sig.format()

    @property
    def display(self) -> str:
        """Name as printed (sacrebleu's score name, e.g. ``BLEU``, ``chrF2++``)."""
        return self.name


def exact_sums(stats: np.ndarray) -> list:
    """Column sums as Python numbers, in sacrebleu's order (left to right for floats).

    Integer statistics sum exactly in any order; float ones (TER's averaged reference
    lengths) are summed sequentially so the corpus score is bit-identical to sacrebleu's.
    """
    if stats.shape[0] == 0:
        return [0] * stats.shape[1]
    if np.issubdtype(stats.dtype, np.integer):
        return [int(x) for x in stats.sum(axis=0)]
    return [sum(col) for col in stats.T.tolist()]
