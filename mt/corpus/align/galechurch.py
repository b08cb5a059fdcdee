"""Gale & Church (1993) length-based sentence alignment, the default aligner ("gale-church").

Why length-based: translated sentences have proportional character lengths, which needs no
dictionary or model and works for every pair here, including the Latin-script/Cyrillic az-ru.

Method, from the paper: a dynamic program over (source sentence, target sentence) positions
where each step is a bead of type 1-1, 1-0, 0-1, 2-1, 1-2, 2-2, 1-3 or 3-1 with cost
``-log P(type) - log P(delta | match)``; ``delta`` is the normalised length difference (see
:mod:`mt.corpus.align.priors`) and ``P(delta | match) = 2 (1 - Phi(|delta|))``.

Implementation notes (why it is fast enough for 5,000 x 5,000 sentences on one core):

* Rows are computed with numpy over a *band* of target positions around the path expected
  from cumulative character lengths. Every bead type that consumes a source sentence reads
  finished rows, so it vectorises directly. The 0-1 type reads the same row; that chain is a
  prefix-minimum recurrence, ``D[j] = S[j] + min_{j' <= j}(X[j'] - S[j'])`` with ``S`` the
  running 0-1 cost, which ``np.minimum.accumulate`` solves in one pass.
* If the best path comes within a bead of the band's edge the band was too narrow to be
  trusted: it is doubled and the DP rerun, up to the full matrix.
* Paragraphs are hard anchors when both sides have the same number of them (and their lengths
  do not contradict that pairing). Otherwise the paragraphs themselves are first aligned with
  the same DP (paragraph lengths, paragraph-level type priors), and sentences are aligned
  within each group of aligned paragraphs; when that grouping leaves a paragraph unmatched,
  the flattened documents are aligned in one DP. See :func:`_groups` for the measurements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mt.corpus.align.base import Bead, register
from mt.corpus.align.priors import BEAD_TYPES, PairPriors, get_priors
from mt.lang import check_lang

_SQRT2 = math.sqrt(2.0)
#: Below this many DP cells the whole matrix is searched (no band bookkeeping needed).
FULL_SEARCH_CELLS = 250_000
#: Distance (in target sentences) from a band edge that counts as "touching" it.
EDGE_MARGIN = 3

#: How much worse (in nats) pairing paragraphs k-k may be than the best paragraph alignment
#: before same-count paragraphs stop being trusted as anchors; chosen on the gold with
#: perturbed paragraphing (one boundary moved), see benchmarks/align_quality.py --perturb.
ANCHOR_MARGIN = 4.0

#: Paragraph-level bead priors for the fallback: paragraphs are mostly kept whole, sometimes
#: split or merged, rarely dropped.
PARAGRAPH_TYPES: dict[tuple[int, int], float] = {
    (1, 1): 0.80, (2, 1): 0.07, (1, 2): 0.07, (1, 0): 0.01, (0, 1): 0.01,
    (2, 2): 0.01, (3, 1): 0.015, (1, 3): 0.015,
}  # fmt: skip

# Chebyshev fit of erfc (Press et al., Numerical Recipes, "erfcc"), relative error < 1.2e-7;
# written as log erfc(z) = log t - z^2 + poly(t) so that it never underflows for large z.
_ERFC_COEFFS = (
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
)  # fmt: skip


def log_erfc(z: np.ndarray | float) -> np.ndarray:
    """``log(erfc(z))`` for ``z >= 0``, accurate and finite where erfc itself underflows."""
    z = np.asarray(z, dtype=np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.full_like(t, _ERFC_COEFFS[-1])
    for coef in _ERFC_COEFFS[-2::-1]:
        poly = poly * t + coef
    return np.log(t) - z * z + poly


def match_cost(l1: np.ndarray | float, l2: np.ndarray | float, c: float, s2: float) -> np.ndarray:
    """``-log P(delta | match)``: 0 for lengths in the expected ratio, growing ~delta**2/2."""
    l1 = np.asarray(l1, dtype=np.float64)
    mean = np.maximum((l1 + np.asarray(l2) / c) * 0.5, 1e-9)
    delta = np.abs(l2 - c * l1) / np.sqrt(s2 * mean)
    return np.maximum(-log_erfc(delta / _SQRT2), 0.0)


#: ``match_cost`` as a function of |delta| on a fine grid: the DP's inner loop interpolates in
#: it (a few numpy calls instead of the ~20 of the erfc series; error < 1e-6). Beyond the grid
#: the cost is clamped, at a value (~1800) no real alignment path ever pays.
_DELTA_STEP = 1e-3
_DELTA_GRID = np.arange(0.0, 60.0 + _DELTA_STEP, _DELTA_STEP)
_COST_GRID = np.maximum(-log_erfc(_DELTA_GRID / _SQRT2), 0.0)
_COST_SLOPE = np.append(np.diff(_COST_GRID), 0.0)
_GRID_LAST = float(len(_DELTA_GRID) - 1)


def _tabulated_cost(delta: np.ndarray) -> np.ndarray:
    """Linear interpolation in the grid by direct indexing (np.interp searches: far slower)."""
    pos = np.minimum(delta * (1.0 / _DELTA_STEP), _GRID_LAST)
    idx = pos.astype(np.intp)
    return _COST_GRID[idx] + (pos - idx) * _COST_SLOPE[idx]


def bead_cost(
    kind: tuple[int, int], l1: float, l2: float, penalty: float, priors: PairPriors
) -> float:
    """``-log P(type)`` plus the length term: ``-log P(delta | match)`` or the flat null cost.

    Why flat for 1-0/0-1: the paper's program scores an unmatched sentence with the match
    formula as if it were translated into nothing, so its cost grows faster with length than
    absorbing it into a neighbour's 2-1 bead and a dropped sentence is never found. Nothing is
    translated in a null bead, so no length ratio applies; a constant (``null_cost``) lets a
    long omitted sentence come out as 1-0 while a short fragment still joins its neighbour.
    """
    if kind[0] == 0 or kind[1] == 0:
        return penalty + priors.null_cost
    return penalty + float(match_cost(l1, l2, priors.c, priors.s2))


@dataclass
class _Band:
    """Inclusive target range ``lo[i]..hi[i]`` searched in source row ``i``."""

    lo: np.ndarray
    hi: np.ndarray


def _band(src_cum: np.ndarray, tgt_cum: np.ndarray, half: int) -> _Band:
    """A band around the diagonal implied by cumulative character lengths.

    Following characters rather than sentence counts keeps the band centred when one side
    splits sentences more often than the other. ``lo[i] <= hi[i-1]`` keeps it connected.
    """
    n, m = len(src_cum) - 1, len(tgt_cum) - 1
    if src_cum[-1] > 0 and tgt_cum[-1] > 0:
        scaled = src_cum * (tgt_cum[-1] / src_cum[-1])
        center = np.searchsorted(tgt_cum, scaled).astype(np.int64)
    else:
        center = np.round(np.arange(n + 1) * (m / max(n, 1))).astype(np.int64)
    lo = np.clip(center - half, 0, m)
    hi = np.clip(center + half, 0, m)
    lo[0], hi[-1] = 0, m
    lo[1:] = np.minimum(lo[1:], hi[:-1])
    return _Band(lo, hi)


class _Model:
    """Bead costs for one pair as arrays over target positions, precomputed once per DP."""

    def __init__(
        self, src_cum: np.ndarray, tgt_cum: np.ndarray, priors: PairPriors, types: dict
    ) -> None:
        self.priors = priors
        self.c, self.s2, self.null_cost = priors.c, priors.s2, priors.null_cost
        self.src_cum, self.tgt_cum = src_cum, tgt_cum
        self.types = [(k, -math.log(p)) for k, p in types.items() if p > 0]
        self.penalty = dict(self.types)
        self.widths = {b: _window_sum(tgt_cum, b) for b in range(4)}
        # delta's variance term s2 * (l1 + l2 / c) / 2, target part precomputed per width
        self.var_tgt = {b: w * (self.s2 / (2 * self.c)) for b, w in self.widths.items()}
        kinds = [kind for kind, _ in self.types]
        self.chain_k = kinds.index((0, 1)) if (0, 1) in kinds else -1
        self.chain = np.full(len(tgt_cum), self.penalty.get((0, 1), np.inf) + self.null_cost)

    def match_row(self, l1: float, b: int, lo: int, hi: int) -> np.ndarray:
        """``match_cost(l1, l2)`` for the ``b``-sentence targets ending at lo..hi (tabulated)."""
        var = self.var_tgt[b][lo : hi + 1] + (self.s2 * 0.5 * l1)
        delta = np.abs(self.widths[b][lo : hi + 1] - self.c * l1)
        delta /= np.sqrt(np.maximum(var, 1e-9))
        return _tabulated_cost(delta)

    def cost(self, kind: tuple[int, int], i: int, j: int) -> float:
        """The cost of the bead of type ``kind`` ending at cell (i, j)."""
        a, b = kind
        l1 = float(self.src_cum[i] - self.src_cum[i - a])
        l2 = float(self.tgt_cum[j] - self.tgt_cum[j - b])
        return bead_cost(kind, l1, l2, self.penalty[kind], self.priors)


def _window_sum(cum: np.ndarray, b: int) -> np.ndarray:
    """``cum[j] - cum[j - b]`` for each j: the length of the ``b`` sentences ending at j.

    0 where ``j < b``; those cells read an infinite predecessor and never matter.
    """
    out = np.zeros(len(cum))
    if b > 0:
        out[b:] = cum[b:] - cum[:-b]
    return out


def _row(
    i: int, rows: dict[int, tuple[np.ndarray, int]], lo: int, hi: int, model: _Model
) -> tuple[np.ndarray, np.ndarray]:
    """Costs and back-pointers (index into ``model.types``) of row ``i`` over ``lo..hi``.

    One candidate row per bead type, stacked, then a single min/argmin: fewer numpy calls per
    DP row than comparing the types one by one.
    """
    width = hi - lo + 1
    cands = np.full((len(model.types) + 1, width), np.inf)
    if i == 0 and lo == 0:
        cands[-1, 0] = 0.0
    for k, ((a, b), pen) in enumerate(model.types):
        if a == 0 or a > i:
            continue
        prev, prev_lo = rows[i - a]
        start, stop = max(lo - b, prev_lo), min(hi - b + 1, prev_lo + len(prev))
        if stop <= start:
            continue
        row = cands[k]
        row[start - lo + b : stop - lo + b] = prev[start - prev_lo : stop - prev_lo]
        l1 = model.src_cum[i] - model.src_cum[i - a]
        row += pen + (model.null_cost if b == 0 else model.match_row(l1, b, lo, hi))
    back = cands.argmin(axis=0).astype(np.int8)
    best = cands[back, np.arange(width)]
    back[back == len(model.types)] = -1
    return _chain(best, back, model, lo, hi)


def _chain(
    best: np.ndarray, back: np.ndarray, model: _Model, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """Add runs of 0-1 beads within the row (the prefix-minimum trick of the module doc)."""
    if model.chain_k < 0:
        back[np.isinf(best)] = -1
        return best, back
    run = np.concatenate(([0.0], np.cumsum(model.chain[lo + 1 : hi + 1])))
    via = best - run
    low = np.minimum.accumulate(via)
    back[via > low] = model.chain_k
    best = run + low
    back[np.isinf(best)] = -1  # unreachable: the trace must never step into such a cell
    return best, back


def _dp(band: _Band, model: _Model) -> list[np.ndarray]:
    """Fill the banded DP row by row; return the back-pointers of every row."""
    rows: dict[int, tuple[np.ndarray, int]] = {}
    backs: list[np.ndarray] = []
    for i in range(len(model.src_cum)):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        best, back = _row(i, rows, lo, hi, model)
        rows[i] = (best, lo)
        rows.pop(i - 3, None)
        backs.append(back)
    return backs


def _trace(backs: list[np.ndarray], band: _Band, model: _Model) -> tuple[list[Bead], bool]:
    """Follow back-pointers from (n, m); also report whether the path touched the band edge."""
    m = len(model.tgt_cum) - 1
    i, j = len(backs) - 1, m
    beads: list[Bead] = []
    touched = False
    while i > 0 or j > 0:
        lo, hi = int(band.lo[i]), int(band.hi[i])
        touched |= (lo > 0 and j - lo < EDGE_MARGIN) or (hi < m and hi - j < EDGE_MARGIN)
        k = int(backs[i][j - lo])
        if k < 0:
            raise RuntimeError(f"alignment DP has no path through cell ({i}, {j})")
        (a, b), _ = model.types[k]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), model.cost((a, b), i, j)))
        i, j = i - a, j - b
    beads.reverse()
    return beads, touched


def align_lengths(
    src_lens: Sequence[float],
    tgt_lens: Sequence[float],
    priors: PairPriors,
    *,
    types: dict[tuple[int, int], float] | None = None,
    half_band: int | None = None,
) -> list[Bead]:
    """Align two sequences of lengths; beads use 0-based indexes into the sequences.

    ``types`` overrides the priors' bead-type probabilities (the paragraph level uses its own);
    ``half_band`` sets the initial band half-width (default: from the sizes, widened on need).
    """
    src_cum = np.concatenate(([0.0], np.cumsum(np.asarray(src_lens, dtype=np.float64))))
    tgt_cum = np.concatenate(([0.0], np.cumsum(np.asarray(tgt_lens, dtype=np.float64))))
    n, m = len(src_cum) - 1, len(tgt_cum) - 1
    if n == 0 and m == 0:
        return []
    model = _Model(src_cum, tgt_cum, priors, types if types is not None else priors.types)
    full = (n + 1) * (m + 1) <= FULL_SEARCH_CELLS
    half = m if full else (half_band or max(50, int(3 * math.sqrt(max(n, m)))))
    while True:
        band = _band(src_cum, tgt_cum, half)
        beads, touched = _trace(_dp(band, model), band, model)
        if not touched or half >= m:
            return beads
        half *= 2


def _shift(beads: Sequence[Bead], src_off: int, tgt_off: int) -> list[Bead]:
    return [
        Bead(tuple(i + src_off for i in b.src), tuple(j + tgt_off for j in b.tgt), b.score)
        for b in beads
    ]


def _lengths(paragraphs: Sequence[Sequence[str]]) -> list[list[int]]:
    return [[len(s) for s in p] for p in paragraphs]


def _paragraph_beads(src: list[list[int]], tgt: list[list[int]], priors: PairPriors) -> list[Bead]:
    """Paragraphs aligned as units by their total lengths, with paragraph-level type priors."""
    return align_lengths(
        [sum(p) for p in src], [sum(p) for p in tgt], priors, types=PARAGRAPH_TYPES
    )


def _diagonal_cost(src: list[list[int]], tgt: list[list[int]], priors: PairPriors) -> float:
    """Cost of pairing paragraph k with paragraph k throughout (the anchors' assumption)."""
    pen = -math.log(PARAGRAPH_TYPES[(1, 1)])
    return sum(
        bead_cost((1, 1), sum(a), sum(b), pen, priors) for a, b in zip(src, tgt, strict=True)
    )


def _groups(
    src: list[list[int]], tgt: list[list[int]], priors: PairPriors
) -> list[tuple[list[int], list[int]]]:
    """The blocks to align one by one: anchored paragraph pairs, paragraph groups, or all.

    Same paragraph count: paragraph k pairs with paragraph k, unless that pairing costs more
    than ``ANCHOR_MARGIN`` above the best paragraph-level alignment (a boundary moved, so the
    counts agree by accident). Otherwise paragraphs are aligned as units and sentences within
    each group; if that leaves a paragraph unmatched (or the counts differ by more than 3-1
    merges can explain) the whole document is aligned as one block.
    """
    par = _paragraph_beads(src, tgt, priors) if src and tgt else []
    if len(src) == len(tgt):
        best = sum(b.score or 0.0 for b in par)
        if _diagonal_cost(src, tgt, priors) - best <= ANCHOR_MARGIN:
            return list(zip(src, tgt, strict=True))
    if par and all(b.src and b.tgt for b in par):
        return [
            ([x for i in b.src for x in src[i]], [y for j in b.tgt for y in tgt[j]]) for b in par
        ]
    return [([x for p in src for x in p], [y for p in tgt for y in p])]


def align_paragraphs(
    src: Sequence[Sequence[str]], tgt: Sequence[Sequence[str]], priors: PairPriors
) -> list[Bead]:
    """Align paragraphs of sentences; beads index the flattened documents."""
    beads: list[Bead] = []
    src_off = tgt_off = 0
    for s_lens, t_lens in _groups(_lengths(src), _lengths(tgt), priors):
        beads.extend(_shift(align_lengths(s_lens, t_lens, priors), src_off, tgt_off))
        src_off += len(s_lens)
        tgt_off += len(t_lens)
    return beads


@register("gale-church")
class GaleChurchAligner:
    """The length-only baseline: Gale-Church over character lengths with per-pair priors."""

    name = "gale-church"
    #: ``Bead.score`` is a cost in nats (lower is better), not a confidence.
    scores = "cost"

    def __init__(self, priors: PairPriors | None = None) -> None:
        self.priors = priors

    def align(
        self,
        src: Sequence[Sequence[str]],
        tgt: Sequence[Sequence[str]],
        src_lang: str,
        tgt_lang: str,
    ) -> list[Bead]:
        """Beads covering every sentence of both documents once, in order, each with its cost."""
        src_lang, tgt_lang = check_lang(src_lang), check_lang(tgt_lang)
        priors = self.priors or get_priors(src_lang, tgt_lang)
        return align_paragraphs(src, tgt, priors)

    def align_presplit(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str
    ) -> list[Bead]:
        """Sentence lists in any language: fitted priors for en/az/ru pairs, otherwise
        G&C's defaults with the length ratio ``c`` taken from the document itself."""
        from dataclasses import replace

        from mt.corpus.align.lexical import check_code
        from mt.corpus.align.priors import FITTED

        sl, tl = check_code(src_lang), check_code(tgt_lang)
        priors = self.priors or get_priors(sl, tl)
        if self.priors is None and (sl, tl) not in FITTED and (tl, sl) not in FITTED:
            s_chars, t_chars = sum(map(len, src)), sum(map(len, tgt))
            if s_chars and t_chars:
                priors = replace(priors, c=t_chars / s_chars)
        return align_paragraphs([list(src)], [list(tgt)], priors)


__all__ = ["BEAD_TYPES", "GaleChurchAligner", "align_lengths", "align_paragraphs", "match_cost"]
