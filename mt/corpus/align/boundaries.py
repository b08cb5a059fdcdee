"""How likely a sentence boundary is a *bead* boundary, from what surrounds it.

Why: real sentence splits disagree with the translation's. An OCR'd yearbook is split after
"Ch ." and "( London :", a novel's dialogue after "'What?", and the published gold then
keeps the fragments together (a 2-2 or 3-2 bead) because the other side does not break
there. Words cannot tell those fragments apart from sentences that happen to translate one to
one. The surface around the split can: a next "sentence" that starts in lower case, or a
previous one that ends in a colon or an initial, is a continuation more often than the
document's other boundaries are; a quotation that closes right before another opens (a change
of speaker, "*turn*") is a bead boundary more often (OPUS Books, English side: 99% against
88%; a translation's dialogue lines start where the speaker changes).

How often depends on the document (Text+Berg: after a colon 52% of source splits are bead
boundaries, against 86% overall; TransRead: 88% against 84%), so nothing is fixed in
advance: each boundary gets a *cue* class (:func:`cue_classes`), and the share of each class
that the previous pass's path used as bead boundaries, shrunk toward the document's overall
share, gives the DP a cost per bead boundary: the log-odds of "bead boundary" for that class
against the overall rate (:func:`boundary_costs`). Adding it to every bead that ends at a
boundary is exact: summed over all boundaries, "not a bead boundary" costs are a constant
plus the negated log-odds at the boundaries used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from mt.corpus.align.base import Bead

#: Cue classes of the boundary between two consecutive sentences (see :func:`cue_of`).
CUES = ("plain", "next_lower", "next_digit", "ends_colon", "ends_short", "no_final", "turn")
_OPENERS = "«»\"'„“”‘’()[]{}-–—*. "
_SHORT_END = re.compile(r"(?:^|[\s(.])\w{1,2}\s?\.$")
_FINAL = re.compile(r"[.!?…»\"'”’)\]]$")
_CLOSERS = ("'", '"', "”", "»", "’")
_QUOTE_OPENERS = ("'", '"', "“", "«", "‘", "„", "—", "–", "-")
#: Pseudo-count of the document's overall rate in a class's estimate: a class seen 10 times
#: moves a third of the way from the overall rate to its own.
PRIOR_COUNT = 20.0
#: Estimates are kept within these bounds: a rate of 0 or 1 would forbid or force a split.
RATE_BOUNDS = (0.02, 0.995)


def cue_of(current: str, following: str) -> int:
    """The cue class (index into :data:`CUES`) of the boundary between two sentences."""
    cur, nxt = current.rstrip(), following.lstrip().lstrip(_OPENERS)
    if nxt[:1].islower():
        return 1
    if nxt[:1].isdigit():
        return 2
    if cur.endswith((":", ";", ",")):
        return 3
    if _SHORT_END.search(cur):
        return 4
    if cur and not _FINAL.search(cur):
        return 5
    if cur.endswith(_CLOSERS) and following.lstrip().startswith(_QUOTE_OPENERS):
        return 6  # a turn: one quotation closes, the next opens
    return 0


def cue_classes(sentences: Sequence[str]) -> np.ndarray:
    """``out[r]`` for r = 1..n-1: the cue between sentences ``r - 1`` and ``r`` (-1 at the ends)."""
    out = np.full(len(sentences) + 1, -1, dtype=np.int64)
    for r in range(1, len(sentences)):
        out[r] = cue_of(sentences[r - 1], sentences[r])
    return out


def used_boundaries(path: Sequence[Bead], n: int, side: int) -> np.ndarray:
    """``out[r]``: the path has a bead boundary after ``r`` sentences of one side (0: source)."""
    out = np.zeros(n + 1, dtype=bool)
    for b in path:
        ids = b.src if side == 0 else b.tgt
        if ids:
            out[max(ids) + 1] = True
    return out


def boundary_costs(classes: np.ndarray, used: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """Cost of a bead boundary at each position: minus the log-odds against the overall rate.

    ``classes`` from :func:`cue_classes`, ``used`` from :func:`used_boundaries` on the previous
    pass's path. The document's ends (class -1) cost nothing.
    """
    inner = classes >= 0
    out = np.zeros(len(classes))
    if inner.sum() < 2:
        return out
    lo, hi = RATE_BOUNDS
    overall = float(np.clip(used[inner].mean(), lo, hi))
    base = np.log(overall / (1 - overall))
    for k in range(len(CUES)):
        mask = classes == k
        if not mask.any():
            continue
        rate = (used[mask].sum() + PRIOR_COUNT * overall) / (mask.sum() + PRIOR_COUNT)
        rate = float(np.clip(rate, lo, hi))
        out[mask] = -weight * (np.log(rate / (1 - rate)) - base)
    return out
