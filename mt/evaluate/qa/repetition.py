"""Repetition: the NMT failure mode that loops on a word or phrase ("в целях в целях в целях").

Looks for a word n-gram repeated back to back: a single word three times, or a longer phrase
twice when the repeated stretch covers at least four words. The same pattern in the source
(a deliberate "step by step" or a quoted slogan) excuses it.
"""

from __future__ import annotations

import re
from typing import Any

from mt.evaluate.qa.base import CHECKS, QACheck, Segment
from mt.lang import lower

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def max_repeat(text: str, lang: str, max_n: int = 6) -> tuple[int, int, str]:
    """Longest back-to-back repetition ``(n, times, phrase)``; ``(0, 0, "")`` if none counts."""
    words = _WORD.findall(lower(text, lang))
    best = (0, 0, "")
    for n in range(1, max_n + 1):
        for i in range(len(words) - 2 * n + 1):
            times = 1
            while words[i + times * n : i + (times + 1) * n] == words[i : i + n]:
                times += 1
            counts = times >= 3 if n == 1 else (times >= 2 and n * times >= 4)
            if counts and n * times > best[0] * best[1]:
                best = (n, times, " ".join(words[i : i + n]))
    return best


@CHECKS.register("repetition")
class RepetitionCheck(QACheck):
    """Flags looping output that the source does not have."""

    name = "repetition"

    def score(self, seg: Segment) -> dict[str, Any]:
        n, times, phrase = max_repeat(seg.hyp, seg.tgt_lang)
        src_n, src_times, _ = max_repeat(seg.src, seg.src_lang)
        excused = times > 0 and src_times >= times and src_n == n
        return {"n": n, "times": times if not excused else 0, "phrase": phrase}

    def accept(self, score: dict[str, Any]) -> bool:
        return score["times"] == 0

    def explain(self, score: Any) -> str:
        return f"{score['phrase']!r} repeated {score['times']} times in a row"
