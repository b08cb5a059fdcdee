"""Untranslated or copied source: the system echoed its input instead of translating it.

NMT systems fall back to copying on unknown or out-of-domain input; in statements that means an
English sentence left in the Russian release. Names, acronyms and numbers legitimately repeat
across languages, so only ordinary words count, and a segment is flagged when it is the source
itself or when most of its words are copied.
"""

from __future__ import annotations

import re
from typing import Any

from mt.evaluate.qa.base import CHECKS, QACheck, Segment
from mt.lang import lower, normalize

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _words(text: str, lang: str) -> list[str]:
    """Ordinary words: 3+ letters, not all-caps acronyms, lowercased."""
    return [lower(w, lang) for w in _WORD.findall(text) if len(w) >= 3 and not w.isupper()]


@CHECKS.register("untranslated")
class UntranslatedCheck(QACheck):
    """Flags hypotheses identical to the source or made mostly of source words."""

    name = "untranslated"

    def __init__(self, max_copied: float = 0.5, min_words: int = 3):
        self.max_copied = max_copied
        self.min_words = min_words

    def score(self, seg: Segment) -> dict[str, Any]:
        src, hyp = normalize(seg.src).strip(), normalize(seg.hyp).strip()
        if src and lower(src, seg.src_lang) == lower(hyp, seg.tgt_lang) and _WORD.search(src):
            return {"identical": True, "copied": 1.0, "words": []}
        src_words = set(_words(src, seg.src_lang))
        hyp_words = _words(hyp, seg.tgt_lang)
        copied = [w for w in hyp_words if w in src_words]
        ratio = len(copied) / len(hyp_words) if hyp_words else 0.0
        return {"identical": False, "copied": ratio, "words": copied,
                "n_words": len(hyp_words)}  # fmt: skip

    def accept(self, score: dict[str, Any]) -> bool:
        if score["identical"]:
            return False
        return len(score["words"]) < self.min_words or score["copied"] <= self.max_copied

    def explain(self, score: Any) -> str:
        if score["identical"]:
            return "hypothesis is the source, untranslated"
        sample = ", ".join(dict.fromkeys(score["words"]))
        return f"{score['copied']:.0%} of the words are copied from the source ({sample})"
