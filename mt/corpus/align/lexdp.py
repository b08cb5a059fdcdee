"""Banded dynamic program over beads scored by lexical similarity plus length.

Why a band: the DP cell (i, j) means "the first i source and j target sentences are aligned";
a real alignment stays near the path a cheaper pass found, so only cells within a margin of
that path are searched (vecalign's coarse-to-fine idea, with the coarse path from a
length-based or a first lexical pass). Time and memory are then linear in the document: about
``n * (2 * margin + 1)`` cells. If the best path comes near the band's edge the margin was too
small to be trusted; the caller doubles it and reruns.

Bead types: 1-0, 0-1, 1-1, 1-2, 2-1, 1-3, 3-1, 1-4, 4-1, 2-2, 2-3, 3-2, 5-1, 1-5, 6-1, 1-6 (see
:data:`BEAD_TYPES`; a caller's penalties may leave some out). The cost of a bead with both
sides is

    penalty(type) + w_len * length_cost + w_lex * clip(1 - z, z_floor, z_ceil)

where ``z`` rescales the cosine of the bead's summed sentence vectors so that 0 is what
unrelated sentences score in this document and 1 what its aligned sentence pairs score (see
:class:`Scale`): the same weights then work for any language pair and any amount of lexical
evidence. ``length_cost`` is Gale & Church's ``-log P(delta | match)``. Null beads cost a
constant, except that a run of nulls in the same direction is cheaper per short sentence
after its first (:func:`_extend`). Lower is better.

Row by row, every bead type that consumes a source sentence reads finished rows, so a row is a
handful of numpy operations over a ``types x band`` array; the 0-1 type reads the same row and
is the prefix-minimum recurrence of :mod:`galechurch` (``np.minimum.accumulate``). The last
five rows are kept in a ring of full-width arrays (infinite outside their band), so bands of
neighbouring rows need not line up. Bead costs do not depend on the DP's values, so they are
computed for batches of rows at once (:class:`_RowCosts`), and the trace reads the chosen
beads' costs kept during the fill instead of recomputing them: per-row numpy calls on ~100
columns are mostly call overhead (10,000 x 10,000 sentences: 3 passes in ~4 s instead of ~12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mt.corpus.align.base import Bead
from mt.corpus.align.galechurch import _tabulated_cost
from mt.corpus.align.vectors import cross_dots, window_norms

#: Bead types with both sides, as (source sentences, target sentences).
MATCH_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (1, 4), (4, 1), (2, 2), (2, 3), (3, 2),
    # dev sets: 5-1/1-5 (prior 0.0003) Text+Berg +0.005, TransRead +0.004; 6-1/1-6 (0.0001)
    # OPUS Books +0.0024, Text+Berg +0.001, TransRead -0.001; 5-2/2-5 lost on all but OPUS
    (5, 1), (1, 5), (6, 1), (1, 6),
)  # fmt: skip
BEAD_TYPES: tuple[tuple[int, int], ...] = (*MATCH_TYPES, (1, 0), (0, 1))
MAX_SIDE = 6
#: Shape of the null-run discount for short sentences (:func:`_extend`). Dev sets (1,024
#: buckets): 1.5 keeps Text+Berg's caption runs out of merges (strict F1 0.842 -> 0.879) and
#: costs subtitles (ParIce) least (-0.005); 1.0 lets runs of short dialogue lines go unaligned
#: (ParIce -0.011), 2.0 and up help Text+Berg less (0.871). OPUS and TransRead: +-0.001.
EXTEND_POWER = 1.5
#: Distance (in target sentences) from a band edge that counts as touching it.
EDGE_MARGIN = 2


@dataclass
class Scale:
    """Cosine -> log-likelihood ratio "aligned vs unrelated", measured per document.

    The cosines of aligned and of unrelated sentence pairs are modelled as two normal
    distributions with a pooled variance, so the ratio is linear in the cosine:
    ``slope * (cos - mid)`` with ``mid`` halfway between the means and ``slope`` their distance
    over the variance. Where words barely separate the two (short documents, a poor lexicon)
    the slope is small and lengths decide; where they separate well, words decide.
    """

    mid: float = 0.5
    slope: float = 1.0

    @staticmethod
    def fit(aligned: np.ndarray, unrelated: np.ndarray) -> Scale:
        """From cosines of (mostly) aligned pairs and of unrelated pairs (robust spreads)."""
        if not len(aligned) or not len(unrelated):
            return Scale(0.5, 0.0)
        mu1, mu0 = float(np.median(aligned)), float(np.median(unrelated))
        var = (float(np.var(aligned)) + float(np.var(unrelated))) / 2
        k = len(aligned)
        var = (k * var + PRIOR_PAIRS * PRIOR_VAR) / (k + PRIOR_PAIRS)
        return Scale((mu0 + mu1) / 2, max(mu1 - mu0, 0.0) / max(var, MIN_VAR))

    def z(self, cos: np.ndarray) -> np.ndarray:
        return self.slope * (cos - self.mid)


#: Floor of the pooled cosine variance: in a short document with few shared words most cosines
#: are exactly 0 and the measured spread would make every word decisive.
MIN_VAR = 0.005
#: The variance is shrunk toward PRIOR_VAR as if PRIOR_PAIRS pairs had shown it: a statement
#: of a dozen sentences must not make a few lucky cosines decisive.
PRIOR_VAR, PRIOR_PAIRS = 0.02, 20.0


@dataclass
class Params:
    """Everything the bead cost depends on except the document (see the module docstring)."""

    penalties: dict[tuple[int, int], float]
    null_cost: float
    c: float = 1.0
    s2: float = 6.8
    w_len: float = 1.0
    w_lex: float = 1.0
    z_floor: float = -10.0
    z_ceil: float = 10.0
    size_power: float = 1.0
    scale: Scale = field(default_factory=Scale)
    #: Cost of each null bead after the first of a run in the same direction (None: every
    #: null costs its type penalty plus ``null_cost``; see the module docstring).
    null_extend: float | None = None


@dataclass
class Band:
    """Inclusive target range ``lo[i]..hi[i]`` searched in source row ``i`` (0..n)."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def full(n: int, m: int) -> Band:
        return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @staticmethod
    def around(beads: list[Bead], n: int, m: int, margin: int) -> Band:
        """Every row spans the target positions its path cells use, widened by ``margin``."""
        jmin = np.full(n + 1, m, dtype=np.int64)
        jmax = np.zeros(n + 1, dtype=np.int64)
        i = j = 0
        for b in beads:
            i2, j2 = i + len(b.src), j + len(b.tgt)
            jmin[i : i2 + 1] = np.minimum(jmin[i : i2 + 1], j)
            jmax[i : i2 + 1] = np.maximum(jmax[i : i2 + 1], j2)
            i, j = i2, j2
        jmin[0], jmax[n] = 0, m
        lo = np.clip(jmin - margin, 0, m)
        hi = np.clip(jmax + margin, 0, m)
        return Band(np.minimum(lo, hi), hi)


class Document:
    """Per-document arrays the costs read: vectors, window norms and lengths, cross dots."""

    def __init__(
        self,
        u: np.ndarray,
        v: np.ndarray,
        src_len: np.ndarray,
        tgt_len: np.ndarray,
        bounds: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.u, self.v = u, v
        self.n, self.m = len(src_len), len(tgt_len)
        # cost of a bead boundary after r source / c target sentences (mt.corpus.align.boundaries)
        if bounds is None:
            bounds = np.zeros(self.n + 1), np.zeros(self.m + 1)
        self.src_b, self.tgt_b = (np.asarray(b, dtype=np.float64) for b in bounds)
        self.src_cum = np.concatenate(([0.0], np.cumsum(src_len, dtype=np.float64)))
        self.tgt_cum = np.concatenate(([0.0], np.cumsum(tgt_len, dtype=np.float64)))
        self.src_w = _evidence(np.asarray(src_len, dtype=np.float64))
        self.tgt_w = _evidence(np.asarray(tgt_len, dtype=np.float64))
        self.ns = window_norms(u, MAX_SIDE)
        self.nt = window_norms(v, MAX_SIDE)
        self.tgt_win = np.zeros((MAX_SIDE + 1, self.m + 1))
        for b in range(1, MAX_SIDE + 1):
            self.tgt_win[b, b:] = self.tgt_cum[b:] - self.tgt_cum[:-b]


def _evidence(lengths: np.ndarray) -> np.ndarray:
    """How much a sentence's lexical similarity counts: 1, less for short sentences.

    Why: a one-word line ("Wait,") matches nothing by chance and says little; counting its
    cosine like a long sentence's would make it a null bead instead of half of a 1-2.
    """
    if not len(lengths):
        return lengths
    ref = max(float(np.median(lengths)), 1.0)
    return np.minimum(lengths / ref, 1.0)


class CrossDots:
    """Running sums of sentence-pair dot products, row by row, over each row's band columns.

    Rows are stored in chunks: ``cum[k][r - start, p - c0]`` is ``sum(u[r] . v[c] for c in
    c0..p-1)`` over the chunk's column range ``c0..c1`` (the union of its rows' ranges
    ``clo[r]..chi[r]``, which cover every position the DP reads); positions outside it read the
    nearest end. One cumsum per chunk (not per row) and one gather for the four source rows a
    DP row reads keep the per-row Python work small.
    """

    CHUNK = 256

    def __init__(self, doc: Document, band: Band) -> None:
        n, m = doc.n, doc.m
        nxt_lo = np.array([band.lo[r + 1 : r + MAX_SIDE + 1].min() for r in range(n)], dtype=int)
        nxt_hi = np.array([band.hi[r + 1 : r + MAX_SIDE + 1].max() for r in range(n)], dtype=int)
        self.clo = np.maximum(nxt_lo - MAX_SIDE, 0)
        self.chi = np.minimum(nxt_hi, m)
        self.cum: list[np.ndarray] = []
        self.c0: list[int] = []
        for start in range(0, n, self.CHUNK):
            stop = min(n, start + self.CHUNK)
            c0, c1 = int(self.clo[start:stop].min()), int(self.chi[start:stop].max())
            block = cross_dots(doc.u[start:stop], doc.v[c0:c1])
            cum = np.zeros((stop - start, c1 - c0 + 1))
            np.cumsum(block, axis=1, out=cum[:, 1:])
            self.cum.append(cum)
            self.c0.append(c0)

    def window(self, i0: int, i1: int, pos: np.ndarray) -> np.ndarray:
        """``out[i - i0, a - 1]``: row ``i - a`` at ``pos``, for i in i0..i1-1, a = 1..MAX_SIDE.

        Rows before 0 read 0 (no source sentence there).
        """
        r0 = i0 - MAX_SIDE
        rows = np.zeros((i1 - r0, len(pos)))
        r, last = max(r0, 0), i1 - 1  # the rows read are r0 .. i1 - 2
        while r < last:
            k, off = divmod(r, self.CHUNK)
            stop = min(last, (k + 1) * self.CHUNK)
            cum = self.cum[k]
            cols = np.clip(pos - self.c0[k], 0, cum.shape[1] - 1)
            rows[r - r0 : stop - r0] = cum[off : off + stop - r][:, cols]
            r = stop
        idx = np.arange(i0, i1)[:, None] - r0 - np.array(_SIDES)[None, :]
        return rows[idx]


_SIDES = tuple(range(1, MAX_SIDE + 1))


class _Types:
    """The match types as index arrays, for computing every type's row in one go."""

    def __init__(self, params: Params) -> None:
        self.kinds = [k for k in MATCH_TYPES if k in params.penalties]
        self.a = np.array([a for a, _ in self.kinds])
        self.b = np.array([b for _, b in self.kinds])
        self.pen = np.array([params.penalties[k] for k in self.kinds])
        self.null10 = params.penalties[(1, 0)] + params.null_cost
        self.null01 = params.penalties[(0, 1)] + params.null_cost
        self.size = ((self.a + self.b) / 2.0) ** params.size_power


def _sentence_costs(cos: np.ndarray, params: Params) -> np.ndarray:
    """``-LLR``, clipped, of each sentence's cosine with the other side of its bead."""
    return np.clip(-params.scale.z(cos), params.z_floor, params.z_ceil)


def _lexical(
    i0: int,
    i1: int,
    lo: int,
    hi: int,
    doc: Document,
    dots: CrossDots,
    params: Params,
    types: _Types,
) -> np.ndarray:
    """Mean per-sentence lexical cost of every match type ending in rows i0..i1-1 at lo..hi.

    Each sentence of a bead is scored by the cosine between its own vector and the *sum* of
    the other side's vectors, so a bead is only cheap when every sentence in it is explained
    by the other side: merging an unrelated sentence into a good bead costs that sentence's
    full price (its cosine is ~0) and also dilutes its partners' cosines. Shape (rows, T, W):
    rows are computed together because per-row numpy calls on ~100 columns are mostly
    overhead.
    """
    i = np.arange(i0, i1)[:, None]  # (R, 1)
    sides = np.array(_SIDES)[None, :]  # (1, A)
    width = hi - lo + 1
    pos = np.arange(lo - MAX_SIDE, hi + 1)  # column positions; index k <-> pos[k]
    per_row = dots.window(i0, i1, pos)  # (R, a', W+4): cumulative dots of sentence i - a'
    jj = np.arange(width) + MAX_SIDE
    bb = np.arange(1, MAX_SIDE + 1)[:, None]
    # source side: sentence i-a' against the b target sentences ending at j
    src_dot = per_row[:, :, None, jj] - per_row[:, :, jj[None, :] - bb]  # (R, a', b, W)
    nt_b = doc.nt[1:, lo : hi + 1]  # (b, W)
    src_norm = np.sqrt(doc.ns[1, np.clip(i - sides + 1, 0, doc.n)])  # (R, a')
    den = src_norm[:, :, None, None] * np.sqrt(nt_b)[None, None]
    src_cost = _sentence_costs(np.where(den > 0, src_dot / np.maximum(den, 1e-300), 0.0), params)
    src_cost *= doc.src_w[np.clip(i - sides, 0, max(doc.n - 1, 0))][:, :, None, None]
    src_cum = np.cumsum(src_cost, axis=1)  # (R, a, b, W): sum over the a source sentences
    # target side: each target sentence against the sum of the a source sentences ending at i
    tgt_dot = np.diff(np.cumsum(per_row, axis=1), axis=2)  # (R, a, W+3), column pos[k]
    cols = np.clip(pos[:-1], 0, max(doc.m - 1, 0))
    tgt_norm = np.sqrt(doc.nt[1, cols + 1]) if doc.m else np.zeros(len(cols))
    den_t = np.sqrt(doc.ns[np.minimum(sides, i), i])[:, :, None] * tgt_norm[None, None]
    tgt_cost = _sentence_costs(
        np.where(den_t > 0, tgt_dot / np.maximum(den_t, 1e-300), 0.0), params
    )
    tgt_cost *= (doc.tgt_w[cols] if doc.m else np.zeros(len(cols)))[None, None]
    tgt_cum = np.concatenate((np.zeros((*tgt_cost.shape[:2], 1)), tgt_cost.cumsum(axis=2)), 2)
    a0, b0 = types.a - 1, types.b - 1
    src_part = src_cum[:, a0, b0]  # (R, T, W)
    a_row, j_end = a0[:, None], jj[None, :]
    tgt_part = tgt_cum[:, a_row, j_end] - tgt_cum[:, a_row, j_end - types.b[:, None]]
    return (src_part + tgt_part) / (types.a + types.b)[None, :, None]


def match_costs(
    i0: int,
    i1: int,
    lo: int,
    hi: int,
    doc: Document,
    dots: CrossDots,
    params: Params,
    types: _Types,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Costs of every match type ending in rows i0..i1-1 at columns lo..hi (rows x types x W).

    Also returns the mean per-sentence lexical cost and the length cost (for confidences).
    """
    lex = _lexical(i0, i1, lo, hi, doc, dots, params, types)
    i = np.arange(i0, i1)[:, None]
    a_idx = np.minimum(types.a[None, :], i)  # (R, T)
    l1 = (doc.src_cum[i] - doc.src_cum[i - a_idx])[:, :, None]
    l2 = doc.tgt_win[types.b[:, None], np.arange(lo, hi + 1)[None, :]][None]
    var = params.s2 * 0.5 * (l1 + l2 / params.c)
    delta = np.abs(l2 - params.c * l1) / np.sqrt(np.maximum(var, 1e-9))
    length = _tabulated_cost(delta)
    size = types.size[None, :, None]
    cost = types.pen[None, :, None] + params.w_len * length + params.w_lex * size * lex
    cost += doc.src_b[i][:, :, None] + doc.tgt_b[lo : hi + 1][None, None, :]
    cost[types.a[None, :] > i] = np.inf
    return cost, lex, length


@dataclass
class Path:
    """The DP's answer: beads, whether the band edge was touched, the per-bead components."""

    beads: list[Bead]
    touched: bool
    z: list[float]
    length: list[float]


class _RowCosts:
    """Match costs of the DP's rows, computed a batch of consecutive rows at a time.

    A batch spans the union of its rows' bands (rows x union columns at most ``CELLS``), so
    memory stays bounded however wide a band gets.
    """

    CELLS = 4096
    MAX_ROWS = 32

    def __init__(
        self, doc: Document, band: Band, dots: CrossDots, params: Params, types: _Types
    ) -> None:
        self.doc, self.band, self.dots, self.params, self.types = doc, band, dots, params, types
        self.i0 = self.i1 = self.lo = 0
        self.batch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def row(self, i: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cost, lex, length) of row ``i`` (types x lo..hi); ``i`` must not go backwards."""
        if not self.i0 <= i < self.i1:
            self._fill(i)
        assert self.batch is not None
        k, c = i - self.i0, slice(lo - self.lo, hi - self.lo + 1)
        cost, lex, length = self.batch
        return cost[k, :, c], lex[k, :, c], length[k, :, c]

    def _fill(self, i0: int) -> None:
        lo_b, hi_b = self.band.lo, self.band.hi
        lo, hi, i1 = int(lo_b[i0]), int(hi_b[i0]), i0 + 1
        while i1 <= self.doc.n and i1 - i0 < self.MAX_ROWS:
            lo2, hi2 = min(lo, int(lo_b[i1])), max(hi, int(hi_b[i1]))
            if (i1 + 1 - i0) * (hi2 - lo2 + 1) > self.CELLS:
                break
            lo, hi, i1 = lo2, hi2, i1 + 1
        self.i0, self.i1, self.lo = i0, i1, lo
        self.batch = match_costs(i0, i1, lo, hi, self.doc, self.dots, self.params, self.types)


def run(doc: Document, band: Band, params: Params) -> Path:
    """Fill the banded DP, trace back from (n, m); beads carry their cost as ``score``.

    Three states per cell (see :class:`_Row`): the best overall, the best whose last bead is
    not a 0-1 (``X``), and the best ending in a run of 1-0 beads (``G10``); runs of 0-1 beads
    are prefix minima within a row (:func:`_chain`).
    """
    types = _Types(params)
    costs = _RowCosts(doc, band, CrossDots(doc, band), params, types)
    n, m = doc.n, doc.m
    ext10 = _extend(types.null10, doc.src_w, params)
    # a 0-1 bead taking target sentence k ends a bead at k + 1: it pays that boundary's cost
    ext01 = _extend(types.null01, doc.tgt_w, params) + doc.tgt_b[1:]
    ext01_cum = np.concatenate(([0.0], np.cumsum(ext01), [0.0]))  # [m + 1]: unused pad
    open01 = types.null01 + np.concatenate((doc.tgt_b[1:], [0.0]))
    ring = np.full((MAX_SIDE + 2, m + 1 + MAX_SIDE), np.inf)
    ring_band = [(0, -1)] * (MAX_SIDE + 1)
    dead = MAX_SIDE + 1  # an all-infinite row for predecessors before row 0
    gap10 = np.full(m + 1, np.inf)  # previous row's G10 (ends in a run of 1-0 beads)
    rows: list[_Row] = []
    n_match = len(types.kinds)
    for i in range(n + 1):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        width = hi - lo + 1
        cols = np.arange(lo, hi + 1) + MAX_SIDE
        is_ext = np.zeros(width, dtype=bool)
        if i == 0:
            best = np.full(width, np.inf)
            back = np.full(width, -1, dtype=np.int8)
            chosen = np.zeros((3, width))
            if lo == 0:
                best[0] = 0.0
            run10 = np.full(width, np.inf)
        else:
            cost, lex, length = costs.row(i, lo, hi)
            slots = np.array([(i - a) % (MAX_SIDE + 1) if i >= a else dead for a in types.a])
            prev = ring[slots[:, None], cols[None, :] - types.b[:, None]]
            opened = ring[(i - 1) % (MAX_SIDE + 1), cols] + types.null10 + doc.src_b[i]
            extended = gap10[lo : hi + 1] + ext10[i - 1] + doc.src_b[i]
            is_ext = extended < opened
            run10 = np.where(is_ext, extended, opened)
            cands = np.vstack((prev + cost, run10[None]))
            back = cands.argmin(axis=0).astype(np.int8)
            best = cands[back, np.arange(width)]
            kind = np.minimum(back, n_match - 1), np.arange(width)
            chosen = np.array((cost[kind], lex[kind], length[kind]))
        back[np.isinf(best)] = -1
        gap10 = np.full(m + 1, np.inf)
        gap10[lo : hi + 1] = run10
        best, start = _chain(best, open01[lo : hi + 1], ext01_cum[lo : hi + 2])
        slot = i % (MAX_SIDE + 1)
        old_lo, old_hi = ring_band[slot]
        ring[slot, old_lo + MAX_SIDE : old_hi + MAX_SIDE + 1] = np.inf
        ring[slot, cols] = best
        ring_band[slot] = (lo, hi)
        rows.append(_Row(back, start, is_ext, chosen))
    return _trace(rows, band, m, types, (ext10, ext01))


def _extend(open_: float, weight: np.ndarray, params: Params) -> np.ndarray:
    """Per-sentence cost of a null bead that continues a run of the same direction.

    A full-length sentence pays the full price again; a short one (evidence weight ``w`` < 1,
    see :func:`_evidence`) pays less: ``open - (open - null_extend) * (1 - w) ** p`` with
    ``p`` = :data:`EXTEND_POWER`, down to ``null_extend`` for an empty line. Why: omitted
    material comes in blocks of short lines (captions, page furniture, OCR debris); priced one
    by one, a run of 30 such lines is dearer than smearing it over neighbouring beads as
    1-3/1-4 merges, which also loses those neighbours. Long sentences keep the full price, or
    a weak lexicon would trade runs of mediocre 1-1 beads for pairs of null runs.
    """
    if params.null_extend is None:
        return np.full(len(weight), open_)
    ext = min(params.null_extend, open_)
    return open_ - (open_ - ext) * (1.0 - weight) ** EXTEND_POWER


@dataclass
class _Row:
    """What the trace needs of one DP row (relative to the row's band start).

    ``back``: the ``X`` state's last bead (a match type's index, ``n_match`` for 1-0, -1 for
    none); ``start``: where the run of 0-1 beads ending here starts (-1: the cell is ``X``);
    ``ext10``: the cell's G10 state extends the previous row's run rather than opening one;
    ``chosen``: (cost, lex, length) of each cell's best match bead, kept from the fill.
    """

    back: np.ndarray
    start: np.ndarray
    ext10: np.ndarray
    chosen: np.ndarray


def _chain(x: np.ndarray, open_: np.ndarray, ext_cum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of 0-1 beads within a row, with affine costs (see :func:`_extend`).

    ``open_[k]``: cost of a run's first bead when it starts at the row's column ``k``;
    ``ext_cum[k]``: summed extension costs of the row's first ``k`` columns' target sentences
    (the sentence taken into cell ``k`` is the one before it). A run from cell ``j'`` to ``j``
    pays ``open_[j']`` and the extension costs of the rest, so
    ``G[j] = E[j] + min_{j' < j}(X[j'] + open_[j'] - E[j' + 1])`` with ``E = ext_cum``. The
    cell's best is ``min(X[j], G[j])``. Returns the best and, per cell, the run's start (-1:
    none).
    """
    width = len(x)
    idx = np.arange(width)
    via = x + open_ - ext_cum[1 : width + 1]
    low = np.minimum.accumulate(via)
    arg = np.zeros(width, dtype=np.int64)
    if width:
        is_new = np.concatenate(([True], via[1:] < low[:-1]))
        arg = np.maximum.accumulate(np.where(is_new, idx, 0))
    gap = np.full(width, np.inf)
    gap[1:] = ext_cum[1:width] + low[:-1]
    start = np.where(gap < x, np.concatenate(([-1], arg[:-1])), -1)
    return np.minimum(x, gap), start


def _trace(
    rows: list[_Row], band: Band, m: int, types: _Types, ext: tuple[np.ndarray, np.ndarray]
) -> Path:
    """Follow the back pointers from (n, m); match beads read their costs kept by :func:`run`.

    Why kept, not recomputed: recomputing one bead's costs is a whole row's worth of numpy
    calls, and the trace visits about as many beads as the DP has rows.
    """
    i, j = len(rows) - 1, m
    beads: list[Bead] = []
    zs: list[float] = []
    lens: list[float] = []
    touched = False
    n_match = len(types.kinds)
    nan = float("nan")
    state = "D"
    while i > 0 or j > 0:
        lo, hi = int(band.lo[i]), int(band.hi[i])
        touched |= (lo > 0 and j - lo < EDGE_MARGIN) or (hi < m and hi - j < EDGE_MARGIN)
        row = rows[i]
        if state == "D":
            start = lo + int(row.start[j - lo])
            state = "X"
            if start >= lo:
                for jj in range(j - 1, start - 1, -1):
                    first = jj == start
                    beads.append(Bead((), (jj,), types.null01 if first else float(ext[1][jj])))
                    zs.append(nan)
                    lens.append(nan)
                j = start
                continue
        if state == "G10":
            more = bool(row.ext10[j - lo])
            beads.append(Bead((i - 1,), (), float(ext[0][i - 1]) if more else types.null10))
            zs.append(nan)
            lens.append(nan)
            i, state = i - 1, ("G10" if more else "D")
            continue
        k = int(row.back[j - lo])
        if k < 0:
            raise RuntimeError(f"alignment DP has no path through cell ({i}, {j})")
        if k == n_match:
            state = "G10"
            continue
        a, b = types.kinds[k]
        cost, lex, length = row.chosen[:, j - lo].tolist()
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), cost))
        zs.append(-lex)  # z: mean per-sentence log-likelihood ratio, clipped
        lens.append(length)
        i, j, state = i - a, j - b, "D"
    beads.reverse()
    zs.reverse()
    lens.reverse()
    return Path(beads, touched, zs, lens)
