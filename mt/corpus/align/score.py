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

:func:`score_vecalign` reproduces vecalign's own figures (the ones published for Text+Berg,
BAF, ParIce...), which differ from both measures above: *precision* is taken over every
predicted bead, null ones included (a predicted ``[3]:[]`` is a hit only when gold has exactly
that bead); *recall* is taken over gold beads with both sides, matched against predicted beads
with both sides. Its *lax* measure is bead-level, not pair-level: a bead that is not an exact
match still counts when one of its source sentences is aligned in the other file to one of its
target sentences. :func:`score_files` applies it to a gold file and test files (for the CLI).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

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


def _vecalign_counts(ref: Sequence[Bead], test: Sequence[Bead]) -> tuple[Counts, Counts]:
    """Strict and lax hits of ``test`` beads measured against ``ref`` (one direction).

    A bead is a strict hit when ``ref`` holds it exactly, a lax hit when it is a strict hit or
    one of its source sentences is aligned in ``ref`` to one of its target sentences.
    """
    ref_keys = {(b.src, b.tgt) for b in ref if b.src or b.tgt}
    linked: dict[int, set[int]] = defaultdict(set)
    for b in ref:
        for i in b.src:
            linked[i].update(b.tgt)
    strict, lax = Counts(), Counts()
    for key in {(b.src, b.tgt) for b in test if b.src or b.tgt}:
        hit = key in ref_keys
        near = hit or any(j in linked.get(i, ()) for i in key[0] for j in key[1])
        strict.hits += hit
        lax.hits += near
        strict.predicted += 1
        lax.predicted += 1
    return strict, lax


def count_vecalign(gold: Sequence[Bead], pred: Sequence[Bead]) -> dict[str, tuple[Counts, Counts]]:
    """``{"strict"|"lax": (precision counts, recall counts)}`` for one document, summable."""
    p_strict, p_lax = _vecalign_counts(gold, pred)

    def full(beads: Sequence[Bead]) -> list[Bead]:
        return [b for b in beads if b.src and b.tgt]

    r_strict, r_lax = _vecalign_counts(full(pred), full(gold))
    return {"strict": (p_strict, r_strict), "lax": (p_lax, r_lax)}


def _vecalign_prf(p: Counts, r: Counts) -> dict[str, float]:
    """vecalign's arithmetic: 0 for an empty denominator, F1 from P and R."""
    prec = p.hits / p.predicted if p.predicted else 0.0
    rec = r.hits / r.predicted if r.predicted else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}


def score_vecalign(
    docs: Iterable[tuple[Sequence[Bead], Sequence[Bead]]],
) -> dict[str, dict[str, float]]:
    """vecalign-compatible strict/lax P/R/F1, micro-averaged over (gold, pred) documents."""
    totals = {name: (Counts(), Counts()) for name in ("strict", "lax")}
    for gold, pred in docs:
        for name, (p, r) in count_vecalign(gold, pred).items():
            totals[name][0].__iadd__(p)
            totals[name][1].__iadd__(r)
    return {name: _vecalign_prf(p, r) for name, (p, r) in totals.items()}


def score_files(
    gold_paths: Sequence[str | Path], test_paths: Sequence[str | Path]
) -> dict[str, float]:
    """Score test bead files against gold files (paired in order), vecalign style.

    Both are read leniently (published gold groups non-adjacent sentences). Returns a flat dict
    ``{"precision_strict", "recall_strict", "f1_strict", "precision_lax", ...,
    "documents", "gold_beads", "test_beads"}`` for printing or JSON.
    """
    from mt.corpus.align.beads import read_beads
    from mt.errors import UserError

    if len(gold_paths) != len(test_paths):
        raise UserError(f"{len(gold_paths)} gold files but {len(test_paths)} test files")
    docs = [
        (read_beads(g, lenient=True), read_beads(t, lenient=True))
        for g, t in zip(gold_paths, test_paths, strict=True)
    ]
    scores = score_vecalign(docs)
    flat: dict[str, float] = {
        f"{measure}_{kind}": value for kind, prf in scores.items() for measure, value in prf.items()
    }
    flat["documents"] = len(docs)
    flat["gold_beads"] = sum(len(g) for g, _ in docs)
    flat["test_beads"] = sum(len(t) for _, t in docs)
    return flat
