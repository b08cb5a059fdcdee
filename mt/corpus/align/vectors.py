"""Sentence vectors in one shared, hashed space: lexical evidence the DP can score with numpy.

Why vectors: the DP must score every candidate bead (up to 4 sentences a side) in a band
around the diagonal; with a vector per sentence, a bead's vector is the sum of its sentences'
vectors and its similarity a cosine, which needs only sentence-pair dot products (one matrix
product per block of rows) and dot products between neighbouring sentences of one side. This
is vecalign's idea with bag-of-words vectors instead of neural embeddings.

What a vector holds (each feature weighted by its inverse document frequency):

* the sentence's own stems (namespace ``E:`` for the source side, ``F:`` for the target);
* its stems *translated* by the bitext's Model 1 lexicon into the other side's namespace, each
  weighted by ``t(f | e)`` (so a source sentence and its translation share ``F:`` features,
  and symmetrically ``E:`` ones with the reverse lexicon);
* the cross-lingual keys of :mod:`tokens` (numbers, cognate prefixes, name skeletons,
  glossary entries), which need no lexicon and drive the first pass.

Features are hashed (CRC-32, with a hashed sign) into ``dim`` dimensions and the vectors are
sparse (``scipy.sparse`` CSR), so memory is the number of features the sentences hold, linear
in the document whatever ``dim`` is. ``DIM`` = 4,096 was chosen on the dev sets; strict F1
at 1,024 buckets (dense, before) / 4,096 / 2^24 (no collisions): TransRead 0.894 / 0.902 /
0.904, ParIce 0.841 / 0.853 / 0.852, OPUS Books 0.923 / 0.925 / 0.924. At 1,024, collisions
among a few thousand stems and their translations are noise the DP has to score. Text+Berg,
one OCR'd document of 422 beads, moves with the hash layout alone: 0.863-0.881 over seven
bucket counts from 2,048 to 2^24 (mean 0.874, 4,096 at the top; before the anchor joins of
:mod:`anchors`; 0.891-0.921 with today's aligner), so its figure says more about that
document's knife-edge beads than about the bucket count.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mt.corpus.align.model1 import Lexicon
from mt.corpus.align.tokens import SentenceTokens

DIM = 4096


@dataclass
class Weights:
    """Relative weight of the three kinds of features (tuned on the dev sets)."""

    own: float = 1.0
    translated: float = 1.0
    keys: float = 1.0


def _bucket(feature: str, dim: int) -> tuple[int, float]:
    h = zlib.crc32(feature.encode("utf-8"))
    return h % dim, 1.0 if (h >> 31) & 1 else -1.0


def idf(units: Sequence[Sequence[str]]) -> dict[str, float]:
    """``log((N + 1) / (df + 0.5))`` over the given sentences' distinct units."""
    df = Counter(u for s in units for u in set(s))
    n = len(units)
    return {u: math.log((n + 1) / (c + 0.5)) for u, c in df.items()}


def _translations(lex: Lexicon | None) -> dict[str, list[tuple[str, float]]]:
    if lex is None or not len(lex.src):
        return {}
    inv_t = {i: w for w, i in lex.tgt_vocab.items()}
    inv_s = {i: w for w, i in lex.src_vocab.items()}
    out: dict[str, list[tuple[str, float]]] = {}
    for e, f, p in zip(lex.src.tolist(), lex.tgt.tolist(), lex.prob.tolist(), strict=True):
        out.setdefault(inv_s[e], []).append((inv_t[f], p))
    return out


@dataclass
class SideSpec:
    """How to turn one side's tokens into features."""

    own_ns: str
    other_ns: str
    own_idf: dict[str, float]
    other_idf: dict[str, float]
    key_idf: dict[str, float]
    lexicon: Lexicon | None


def _unit_features(
    unit: str, is_key: bool, spec: SideSpec, trans: dict, w: Weights, dim: int
) -> list[tuple[int, float]]:
    """(bucket, signed weight) pairs contributed by one occurrence of a stem or a key."""
    if is_key:
        b, sign = _bucket(unit, dim)
        return [(b, sign * w.keys * spec.key_idf.get(unit, 1.0))]
    feats = []
    if w.own:
        b, sign = _bucket(spec.own_ns + unit, dim)
        feats.append((b, sign * w.own * spec.own_idf.get(unit, 1.0)))
    for f, p in trans.get(unit, ()):
        b, sign = _bucket(spec.other_ns + f, dim)
        feats.append((b, sign * w.translated * p * spec.other_idf.get(f, 1.0)))
    return feats


def embed(
    sents: Sequence[SentenceTokens],
    spec: SideSpec,
    weights: Weights,
    dim: int = DIM,
    *,
    use_stems: bool = True,
) -> np.ndarray:
    """``len(sents) x dim`` sparse (CSR) matrix of hashed feature vectors (see the module doc)."""
    trans = _translations(spec.lexicon)
    table: dict[tuple[str, bool], int] = {}
    ptr, buckets, values = [0], [], []
    rows, units = [], []
    for r, s in enumerate(sents):
        items = [(k, True) for k in s.keys]
        if use_stems:
            items += [(t, False) for t in s.stems]
        for item in items:
            uid = table.get(item)
            if uid is None:
                uid = table[item] = len(table)
                feats = _unit_features(item[0], item[1], spec, trans, weights, dim)
                buckets += [b for b, _ in feats]
                values += [v for _, v in feats]
                ptr.append(len(buckets))
            rows.append(r)
            units.append(uid)
    return _scatter(len(sents), dim, np.asarray(ptr), buckets, values, rows, units)


def _scatter(
    n: int, dim: int, ptr: np.ndarray, buckets: list, values: list, rows: list, units: list
) -> sp.csr_matrix:
    """Sum each occurrence's features into its sentence row (duplicates add up in CSR)."""
    if not rows or not buckets:
        return sp.csr_matrix((n, dim), dtype=np.float64)
    units_a = np.asarray(units, dtype=np.int64)
    counts = ptr[units_a + 1] - ptr[units_a]
    occ_rows = np.repeat(np.asarray(rows, dtype=np.int64), counts)
    starts = np.repeat(ptr[units_a], counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    feat = starts + offsets
    cols = np.asarray(buckets, dtype=np.int64)[feat]
    vals = np.asarray(values, dtype=np.float64)[feat]
    out = sp.csr_matrix((vals, (occ_rows, cols)), shape=(n, dim))
    out.sum_duplicates()
    return out


def row_dots(a: np.ndarray | sp.spmatrix, b: np.ndarray | sp.spmatrix) -> np.ndarray:
    """``a[i] . b[i]`` for every row, dense or sparse."""
    if sp.issparse(a):
        return np.asarray(a.multiply(b).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", a.astype(np.float64), b.astype(np.float64))


def cross_dots(a: np.ndarray | sp.spmatrix, b: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Dense ``a @ b.T`` (float64), dense or sparse inputs."""
    out = a @ b.T
    return out.toarray() if sp.issparse(out) else np.asarray(out, dtype=np.float64)


def window_norms(x: np.ndarray, width: int = 4) -> np.ndarray:
    """``out[a, i] = |x[i-a] + ... + x[i-1]|^2`` for a = 0..width (0 where i < a).

    From dot products of sentences up to ``width - 1`` apart: linear in the document.
    """
    n = x.shape[0]
    gram = [row_dots(x[: n - k], x[k:]) if n > k else np.zeros(0) for k in range(width)]
    cums = [np.concatenate(([0.0], np.cumsum(g))) for g in gram]
    out = np.zeros((width + 1, n + 1))
    for a in range(1, width + 1):
        i = np.arange(a, n + 1)
        total = cums[0][i] - cums[0][i - a]
        for k in range(1, a):
            # pairs (r, r + k) with i - a <= r and r + k <= i - 1
            total = total + 2 * (cums[k][i - k] - cums[k][i - a])
        out[a, a:] = total
    return out


def pair_cosines(u: np.ndarray, v: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosines of sentence pairs ``(rows[k], cols[k])`` (0 where a vector is zero)."""
    return shifted_cosines(u, v, rows, cols, (0,))[0]


def shifted_cosines(
    u: np.ndarray, v: np.ndarray, rows: np.ndarray, cols: np.ndarray, shifts: Sequence[int]
) -> list[np.ndarray]:
    """For each shift ``d``: cosines of pairs ``(rows[k], (cols[k] + d) % len(v))``.

    The source rows are gathered and converted once for all shifts (a third of the time
    :class:`~mt.corpus.align.lexical` spent calibrating a long document).
    """
    if not len(rows):
        return [np.zeros(0) for _ in shifts]
    a = u[rows]
    norm_a = row_dots(a, a)
    out = []
    for d in shifts:
        b = v[(cols + d) % v.shape[0]]
        den = np.sqrt(norm_a * row_dots(b, b))
        out.append(np.where(den > 0, row_dots(a, b) / np.maximum(den, 1e-300), 0.0))
    return out
