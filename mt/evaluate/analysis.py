"""Fine-grained comparison in the spirit of compare-mt (Neubig et al., 2019).

A single corpus score hides *where* systems differ. Three views, all cheap because they reuse
the per-segment statistics of :mod:`mt.evaluate.significance`:

* scores bucketed by reference length (long official sentences are where NMT drops clauses);
* word F-measure bucketed by how often a word occurs in the references (or a training corpus):
  rare words are names, institutions and terms, the words statements cannot get wrong;
* the segments where two systems differ most by sentence score.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mt.evaluate.metrics import Metric
from mt.lang import lower

LENGTH_EDGES = (10, 20, 30, 40, 50)
FREQ_EDGES = (1, 2, 3, 4, 5, 10, 100, 1000)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass
class LengthBucket:
    """Corpus scores of each system over the segments whose reference length is in range."""

    label: str
    segments: int
    scores: list[dict[str, float]]  # one dict per system, keyed by metric


@dataclass
class WordBucket:
    """Word precision/recall/F of each system for words of one frequency band."""

    label: str
    ref_words: int
    fmeasure: list[float]
    precision: list[float]
    recall: list[float]


@dataclass
class DiffSegment:
    """A segment with both systems' sentence scores (``delta = b - a``)."""

    index: int
    score_a: float
    score_b: float

    @property
    def delta(self) -> float:
        return self.score_b - self.score_a


def _bands(edges: Sequence[int]) -> list[tuple[int, int | None, str]]:
    """``(lo, hi, label)`` half-open bands from ascending edges (first band starts at 0)."""
    bands, lo = [], 0
    for edge in edges:
        label = str(lo) if edge - lo == 1 else f"{lo}-{edge - 1}"
        bands.append((lo, edge, label))
        lo = edge
    bands.append((lo, None, f"{lo}+"))
    return bands


def length_buckets(
    metrics: Mapping[str, Metric],
    stats: Sequence[Mapping[str, np.ndarray]],
    refs: Sequence[str],
    edges: Sequence[int] = LENGTH_EDGES,
) -> list[LengthBucket]:
    """Corpus scores per reference-length band (words), for every system and metric."""
    lengths = np.array([len(r.split()) for r in refs])
    out = []
    for lo, hi, label in _bands(edges):
        rows = np.nonzero((lengths >= lo) & ((lengths < hi) if hi is not None else True))[0]
        if len(rows) == 0:
            continue
        scores = [
            {k: float(m.corpus_score(s[k][rows]).score) for k, m in metrics.items()} for s in stats
        ]
        out.append(LengthBucket(label, len(rows), scores))
    return out


def tokenize_words(text: str, lang: str) -> list[str]:
    """Lowercased word tokens (Turkic-aware for az); punctuation is not a word."""
    return _WORD.findall(lower(text, lang))


def word_accuracy_by_frequency(
    systems: Sequence[Sequence[str]],
    refs: Sequence[str],
    lang: str,
    freq_corpus: Sequence[str] | None = None,
    edges: Sequence[int] = FREQ_EDGES,
) -> list[WordBucket]:
    """Word F-measure per frequency band, frequencies counted in ``freq_corpus`` or the refs.

    Matching is per sentence and clipped (a word counts as correct at most as often as the
    reference has it), like unigram BLEU; hypothesis words unseen in the frequency source fall
    in band ``0`` and only lower precision there.
    """
    ref_tokens = [tokenize_words(r, lang) for r in refs]
    freq: Counter[str] = Counter()
    source = ref_tokens if freq_corpus is None else (tokenize_words(x, lang) for x in freq_corpus)
    for sent in source:
        freq.update(sent)
    bands = _bands(edges)
    band_of = _band_lookup(bands)
    n = len(bands)
    ref_count = np.zeros(n)
    for sent in ref_tokens:
        for w in sent:
            ref_count[band_of(freq[w])] += 1
    out_p, out_r, out_f = [], [], []
    for hyps in systems:
        match, hyp_count = np.zeros(n), np.zeros(n)
        for hyp, ref in zip(hyps, ref_tokens, strict=True):
            h, r = Counter(tokenize_words(hyp, lang)), Counter(ref)
            for w, c in h.items():
                b = band_of(freq[w])
                hyp_count[b] += c
                match[b] += min(c, r.get(w, 0))
        p, r, f = _prf(match, hyp_count, ref_count)
        out_p.append(p)
        out_r.append(r)
        out_f.append(f)
    return [
        WordBucket(label, int(ref_count[i]), [f[i] for f in out_f], [p[i] for p in out_p],
                   [r[i] for r in out_r])
        for i, (_, _, label) in enumerate(bands)
        if ref_count[i] or any(_has_hyp(out_p, i))
    ]  # fmt: skip


def _has_hyp(precisions: list[np.ndarray], i: int) -> list[bool]:
    return [not np.isnan(p[i]) for p in precisions]


def _band_lookup(bands: list[tuple[int, int | None, str]]):
    def band_of(count: int) -> int:
        for i, (lo, hi, _) in enumerate(bands):
            if count >= lo and (hi is None or count < hi):
                return i
        return len(bands) - 1

    return band_of


def _prf(match: np.ndarray, hyp: np.ndarray, ref: np.ndarray):
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(hyp > 0, match / np.where(hyp > 0, hyp, 1), np.nan)
        r = np.where(ref > 0, match / np.where(ref > 0, ref, 1), np.nan)
        f = np.where((p + r) > 0, 2 * p * r / (p + r), 0.0)
    f = np.where(np.isnan(p) | np.isnan(r), np.nan, f)
    return p, r, f


def most_different(
    metric: Metric, stats_a: np.ndarray, stats_b: np.ndarray, n: int = 10
) -> tuple[list[DiffSegment], list[DiffSegment]]:
    """Segments where B beats A most, and where A beats B most, by sentence score.

    Sentence scores use sacrebleu's sentence semantics (BLEU with effective order).
    """
    a = metric.scores_from_sums(stats_a, sentence=True)
    b = metric.scores_from_sums(stats_b, sentence=True)
    delta = b - a if metric.higher_is_better else a - b
    order = np.argsort(-delta, kind="stable")
    b_better = [DiffSegment(int(i), float(a[i]), float(b[i])) for i in order[:n] if delta[i] > 0]
    a_better = [
        DiffSegment(int(i), float(a[i]), float(b[i])) for i in order[::-1][:n] if delta[i] < 0
    ]
    return b_better, a_better


def compare_analysis(result: Any, systems: Sequence[tuple[str, Sequence[str]]],
                     refs: Sequence[Sequence[str]], srcs: Sequence[str] | None, lang: str,
                     n: int = 5) -> dict[str, Any]:  # fmt: skip
    """``mt eval compare --analysis``: scores by reference length, word F-measure by
    reference frequency, and the ``n`` segments where each system gained or lost most
    against the baseline (the first system), as one JSON-ready dict.

    ``result`` is the :class:`~mt.evaluate.significance.Comparison` of ``systems``
    ((name, hypotheses) pairs, the baseline first) against ``refs``.
    """
    buckets = length_buckets(result.metrics, result.stats, refs[0])
    words = word_accuracy_by_frequency([h for _, h in systems], refs[0], lang)
    key = next(k for k in ("chrf", "chrf++", "bleu", "ter") if k in result.metrics)
    gaps = []
    for s in range(1, len(systems)):
        better, worse = most_different(result.metrics[key], result.stats[0][key],
                                       result.stats[s][key], n)  # fmt: skip
        for label, rows in (("better", better), ("worse", worse)):
            gaps.append({"system": systems[s][0], "direction": label, "metric": key,
                         "segments": [_gap_row(d, systems[0][1], systems[s][1], refs, srcs)
                                      for d in rows]})  # fmt: skip
    return {
        "length_buckets": [{"reference_words": b.label, "segments": b.segments,
                            "scores": dict(zip(result.systems, b.scores, strict=True))}
                           for b in buckets],
        "word_fmeasure_by_frequency": [{"frequency": w.label, "reference_words": w.ref_words,
                                        "fmeasure": dict(zip(result.systems, w.fmeasure,
                                                             strict=True))}
                                       for w in words],
        "most_different": gaps,
    }  # fmt: skip


def _gap_row(
    d: Any,
    base_hyps: Sequence[str],
    sys_hyps: Sequence[str],
    refs: Sequence[Sequence[str]],
    srcs: Sequence[str] | None,
) -> dict[str, Any]:
    row = {
        "index": d.index,
        "baseline_score": d.score_a,
        "system_score": d.score_b,
        "ref": refs[0][d.index],
        "baseline": base_hyps[d.index],
        "system": sys_hyps[d.index],
    }
    if srcs is not None:
        row["src"] = srcs[d.index]
    return row
