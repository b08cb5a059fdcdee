"""chrF++: chrF with word unigrams and bigrams (Popović 2017), via sacrebleu."""

from __future__ import annotations

from dataclasses import dataclass

from mt.evaluate.metrics.chrf import ChrF


@dataclass
class ChrFPlusPlus(ChrF):
    """Same statistics layout as chrF with two word orders appended."""

    word_order: int = 2
