"""Alignment quality against gold: strict bead F1 and lax sentence-pair F1.

*Strict*: a predicted bead counts only if a gold bead has exactly the same source and target
indexes. *Lax*: every bead expands to all its (source, target) sentence pairs and precision and
recall are taken over those pairs, so a 2-1 bead predicted as a 1-1 still earns partial credit.

Null beads (1-0 / 0-1) *count* in strict F1 here by default. Vecalign's scorer drops them, but
in this corpus an omitted sentence is a real editorial fact (a rendering that skips a clause),
and deciding it is part of the aligner's job: predicting ``[3]:[]`` where gold has ``[3]:[]``
is a hit, and absorbing that sentence into a neighbour's bead is a miss on both sides. Pass
``include_null=False`` for figures comparable with vecalign's. Null beads have no sentence
pairs, so they never enter lax F1 either way.

Several documents are combined by summing counts (micro average), so long documents weigh
more, as in vecalign's ``score_multiple``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mt.corpus.align.base import Bead


@dataclass
class Counts:
    """True positives and the two totals for one measure (summable across documents)."""

    hits: int = 0
    predicted: int = 0
    gold: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.hits += other.hits
        self.predicted += other.predicted
        self.gold += other.gold
        return self

    def prf(self) -> dict[str, float]:
        """Precision, recall, F1; an empty side counts as perfect only if both are empty."""
        if self.predicted == 0 and self.gold == 0:
            return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
        p = self.hits / self.predicted if self.predicted else 0.0
        r = self.hits / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f}


def _keys(beads: Iterable[Bead], include_null: bool) -> set[tuple[tuple[int, ...], ...]]:
    return {(b.src, b.tgt) for b in beads if include_null or (b.src and b.tgt)}


def _pairs(beads: Iterable[Bead]) -> set[tuple[int, int]]:
    return {(i, j) for b in beads for i in b.src for j in b.tgt}


def _count(gold: set, pred: set) -> Counts:
    return Counts(len(gold & pred), len(pred), len(gold))


def count_alignment(
    gold: Sequence[Bead], pred: Sequence[Bead], *, include_null: bool = True
) -> dict[str, Counts]:
    """Raw counts for ``strict`` and ``lax`` (add them up to score several documents)."""
    return {
        "strict": _count(_keys(gold, include_null), _keys(pred, include_null)),
        "lax": _count(_pairs(gold), _pairs(pred)),
    }


def score_counts(counts: dict[str, Counts]) -> dict[str, dict[str, float]]:
    """``{"strict": {"precision", "recall", "f1"}, "lax": {...}}`` from summed counts."""
    return {name: c.prf() for name, c in counts.items()}


def score_alignment(
    gold: Sequence[Bead], pred: Sequence[Bead], *, include_null: bool = True
) -> dict[str, dict[str, float]]:
    """Strict bead and lax sentence-pair precision/recall/F1 of ``pred`` against ``gold``."""
    return score_counts(count_alignment(gold, pred, include_null=include_null))


def score_many(
    docs: Iterable[tuple[Sequence[Bead], Sequence[Bead]]], *, include_null: bool = True
) -> dict[str, dict[str, float]]:
    """Micro-averaged scores over (gold, pred) document pairs."""
    total = {"strict": Counts(), "lax": Counts()}
    for gold, pred in docs:
        for name, c in count_alignment(gold, pred, include_null=include_null).items():
            total[name] += c
    return score_counts(total)
