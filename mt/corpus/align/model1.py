"""IBM Model 1 (Brown et al. 1993) trained with numpy on the bitext's own confident beads.

Why Model 1: Moore (2002) showed that a lexicon learnt from the sentence pairs a length-based
pass is sure of is enough to make a second pass far more accurate, with no outside resource;
Model 1 is the simplest model that learns word translation probabilities from sentence pairs
and converges in a few EM iterations. It runs here on stems (see :mod:`tokens`).

Implementation: every (source word, target word) co-occurrence of every training pair is one
entry of flat arrays, the distinct word pairs are numbered once with ``np.unique``, and an EM
iteration is three ``np.bincount`` calls (normalise over the source words of each target
token, collect expected counts per word pair, normalise per source word). Memory is linear in
the number of co-occurrences; long sentences are cut and the number of pairs capped so that a
10,000-sentence document trains in about a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Tokens per sentence used for training (longer ones are cut).
MAX_LEN = 60
#: Training pairs used at most (the most confident first, as passed in).
MAX_PAIRS = 20_000
ITERATIONS = 5


@dataclass
class Lexicon:
    """Sparse translation table ``t(f | e)``: for source word ``e``, its likely targets.

    ``src``/``tgt`` are parallel arrays of word ids (vocabularies ``src_vocab``/``tgt_vocab``)
    and ``prob`` the probabilities, pruned to the best few targets per source word.
    """

    src_vocab: dict[str, int]
    tgt_vocab: dict[str, int]
    src: np.ndarray
    tgt: np.ndarray
    prob: np.ndarray

    def table(self) -> dict[str, list[tuple[str, float]]]:
        """``{source word: [(target word, prob), ...]}``, best first (for inspection/tests)."""
        inv_s = {i: w for w, i in self.src_vocab.items()}
        inv_t = {i: w for w, i in self.tgt_vocab.items()}
        out: dict[str, list[tuple[str, float]]] = {}
        for e, f, p in zip(self.src, self.tgt, self.prob, strict=True):
            out.setdefault(inv_s[int(e)], []).append((inv_t[int(f)], float(p)))
        for v in out.values():
            v.sort(key=lambda x: -x[1])
        return out


def _vocab(sents: Sequence[Sequence[str]]) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for s in sents:
        for w in s:
            vocab.setdefault(w, len(vocab))
    return vocab


def _cooccurrences(
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]], null: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat (source word, target word, target-token id) of every pair, NULL word included.

    Target-token major (each target token meets all of its pair's source words, NULL last),
    built with a few ``np.repeat`` calls over all pairs at once: per-pair numpy calls were
    most of the training time on a long document.
    """
    e_flat: list[int] = []
    f_flat: list[int] = []
    e_len: list[int] = []
    f_len: list[int] = []
    for e_ids, f_ids in pairs:
        f = f_ids[:MAX_LEN]
        if not len(f):
            continue
        e = [*e_ids[:MAX_LEN], null]
        e_flat += e
        f_flat += f
        e_len.append(len(e))
        f_len.append(len(f))
    if not f_flat:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    le = np.repeat(np.asarray(e_len, dtype=np.int64), f_len)  # per target token
    e_start = np.repeat(np.cumsum(e_len) - e_len, f_len)
    occ = np.repeat(np.arange(len(f_flat)), le)
    first = np.cumsum(le) - le  # first entry of each target token
    e_idx = np.repeat(e_start, le) + np.arange(int(le.sum())) - np.repeat(first, le)
    fs = np.repeat(np.asarray(f_flat, dtype=np.int64), le)
    return np.asarray(e_flat, dtype=np.int64)[e_idx], fs, occ


def train(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    iterations: int = ITERATIONS,
    min_prob: float = 0.02,
    top: int = 6,
) -> Lexicon:
    """Model 1 ``t(f | e)`` from (source words, target words) pairs, pruned for use.

    Keeps for every source word its ``top`` targets with probability >= ``min_prob``.
    """
    pairs = list(pairs)[:MAX_PAIRS]
    sv, tv = _vocab([p[0] for p in pairs]), _vocab([p[1] for p in pairs])
    null = len(sv)
    ids = [([sv[w] for w in e], [tv[w] for w in f]) for e, f in pairs]
    e, f, occ = _cooccurrences(ids, null)
    if not len(e):
        empty = np.zeros(0, dtype=np.int64)
        return Lexicon(sv, tv, empty, empty, np.zeros(0))
    uniq, inv = np.unique(e * (len(tv) + 1) + f, return_inverse=True)
    ue, uf = uniq // (len(tv) + 1), uniq % (len(tv) + 1)
    t = np.ones(len(uniq))
    for _ in range(iterations):
        p = t[inv]
        post = p / np.bincount(occ, p)[occ]
        counts = np.bincount(inv, post, minlength=len(uniq))
        t = counts / np.bincount(ue, counts, minlength=null + 1)[ue]
    return _prune(sv, tv, ue, uf, t, null, min_prob, top)


def _prune(
    sv: dict[str, int],
    tv: dict[str, int],
    ue: np.ndarray,
    uf: np.ndarray,
    t: np.ndarray,
    null: int,
    min_prob: float,
    top: int,
) -> Lexicon:
    """The best ``top`` targets of each real source word with ``t >= min_prob``."""
    keep = (ue != null) & (t >= min_prob)
    ue, uf, t = ue[keep], uf[keep], t[keep]
    order = np.lexsort((-t, ue))
    ue, uf, t = ue[order], uf[order], t[order]
    starts = np.r_[0, np.flatnonzero(np.diff(ue)) + 1] if len(ue) else np.zeros(0, int)
    rank = np.arange(len(ue)) - np.repeat(starts, np.diff(np.r_[starts, len(ue)]))
    sel = rank < top
    return Lexicon(sv, tv, ue[sel], uf[sel], t[sel])
