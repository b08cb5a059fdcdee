"""Truncated output: a translation that stops before the sentence does.

Beam search that hits a length limit, or a model that gives up on a long sentence, leaves an
output without its final punctuation, ending on a comma or a connective, or with a quotation
opened and never closed: statements are full of long quoted sentences, so these matter.
"""

from __future__ import annotations

from typing import Any

from mt.evaluate.qa.base import CHECKS, ERROR, WARNING, QACheck, Segment

_FINAL = tuple('.!?…»"”’)]')
_DANGLING = (",", ";", ":", "-", "–", "—", "(", "«", "“")
_CONNECTIVES = {
    "en": {"and", "or", "of", "the", "to", "in", "on", "with", "for", "a", "an", "that"},
    "ru": {"и", "или", "в", "на", "с", "по", "к", "о", "об", "для", "что", "а", "но", "от",
           "до", "из", "за", "при", "у"},
    "az": {"və", "ya", "ilə", "üçün", "ki", "həm", "da", "də"},
}  # fmt: skip
_CLOSERS = {"»": "«", "”": "“", ")": "("}


def _unbalanced(text: str) -> bool:
    """A quotation mark or parenthesis opened and not closed.

    Russian nests „…“ inside «…», so “ closes an open „ and otherwise opens an English quote.
    """
    stack: list[str] = []
    for ch in text:
        if ch in "«(„":
            stack.append(ch)
        elif ch == "“":
            if stack and stack[-1] == "„":
                stack.pop()
            else:
                stack.append(ch)
        elif ch in _CLOSERS and stack and stack[-1] == _CLOSERS[ch]:
            stack.pop()
    return bool(stack)


@CHECKS.register("truncated")
class TruncatedCheck(QACheck):
    """Flags outputs that end mid-sentence while the source ends properly."""

    name = "truncated"

    def score(self, seg: Segment) -> list[str]:
        src, hyp = seg.src.strip(), seg.hyp.strip()
        if not src or not hyp:
            return []  # the empty check reports these
        reasons = []
        last_word = hyp.split()[-1].lower()
        if hyp.endswith(_DANGLING):
            reasons.append(f"ends with {hyp[-1]!r}")
        elif last_word in _CONNECTIVES.get(seg.tgt_lang, set()):
            reasons.append(f"ends with {last_word!r}")
        elif src.endswith(_FINAL) and not hyp.endswith(_FINAL):
            reasons.append("no final punctuation")
        if _unbalanced(hyp) and not _unbalanced(src):
            reasons.append("quotation or parenthesis left open")
        return reasons

    def accept(self, score: list[str]) -> bool:
        return not score

    def severity_of(self, score: Any) -> str:
        return WARNING if score == ["no final punctuation"] else ERROR

    def explain(self, score: Any) -> str:
        return "possibly truncated: " + "; ".join(score)
