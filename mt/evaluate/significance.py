"""Paired significance tests (bootstrap resampling, approximate randomization), vectorized.

Same tests, same random draws, same p-value formula as ``sacrebleu --paired-bs/--paired-ar``
(so p-values agree on the same seed), but organised around the statistics instead of the
systems:

* per-segment statistics are extracted once per system (on both cores, see
  :mod:`mt.evaluate.metrics.stats`) and stacked into one ``(segments, columns)`` matrix that
  holds every system and every metric;
* a bootstrap resample is a vector of segment counts, so ``counts @ matrix`` gives the summed
  statistics of *all* systems and metrics for a block of resamples in one BLAS call (sacrebleu
  materialises a ``(resamples, segments, stats)`` array per system and metric instead);
* approximate randomization is ``mask @ (baseline - system) + system totals``, likewise;
* scores of all resamples come from the vectorized formulas of each metric module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mt.errors import UserError
from mt.evaluate.metrics import DEFAULT_METRICS, Metric, ScoreOptions, build_metrics
from mt.evaluate.metrics.stats import segment_stats
from mt.evaluate.scoring import as_streams, check_line_counts, prepare, ref_counts

DEFAULT_SEED = 12345  # sacrebleu's default SACREBLEU_SEED
_BLOCK = 4_000_000  # resample×segment cells per block: bounds memory at ~100 MB


@dataclass
class MetricStat:
    """One system's result for one metric."""

    score: float
    mean: float | None = None
    ci: float | None = None  # half-width of the 95% interval, as sacrebleu prints "μ ± ci"
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None  # None for the baseline

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Comparison:
    """Result of :func:`compare`: the baseline first, then the other systems in order."""

    systems: list[str]
    metrics: dict[str, Metric]
    results: list[dict[str, MetricStat]]
    test: str
    n_samples: int
    seed: int | None
    stats: list[dict[str, np.ndarray]] = field(repr=False, default_factory=list)
    n_confidence: int = 1000
    alpha: float = 0.05

    def significant(self, system: int, key: str) -> bool:
        """p < alpha and a real difference.

        Two identical outputs get p = 1/(n+1) from the multeval/sacrebleu formula (no sample
        exceeds a zero difference); we keep that p-value for agreement with sacrebleu but do
        not call a zero difference significant.
        """
        stat, base = self.results[system][key], self.results[0][key]
        return stat.p_value is not None and stat.p_value < self.alpha and stat.score != base.score

    def signatures(self) -> dict[str, str]:
        """sacrebleu's signature per metric, with the test, its size and the seed added."""
        updates: dict[str, Any] = {"seed": str(self.seed).lower(), self.test: self.n_samples}
        if self.test == "ar" and self.n_confidence > 0:
            updates["bs"] = self.n_confidence
        return {key: m.signature(**updates) for key, m in self.metrics.items()}

    def to_dict(self) -> dict[str, Any]:
        sigs = self.signatures()
        return {
            "test": {"bs": "paired bootstrap", "ar": "approximate randomization"}[self.test],
            "n_samples": self.n_samples,
            "seed": self.seed,
            "alpha": self.alpha,
            "baseline": self.systems[0],
            "metrics": {
                k: {"name": m.display, "signature": sigs[k]} for k, m in self.metrics.items()
            },  # fmt: skip
            "systems": [
                {"system": name}
                | {
                    k: r[k].to_dict() | ({"significant": self.significant(i, k)} if i else {})
                    for k in self.metrics
                }
                for i, (name, r) in enumerate(zip(self.systems, self.results, strict=True))
            ],  # fmt: skip
        }


def estimate_ci(scores: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, half-width and bounds of the 95% interval, with sacrebleu's indexing (n // 40)."""
    s = np.sort(scores)
    lo = len(s) // 40
    low, high = float(s[lo]), float(s[len(s) - lo - 1])
    return float(s.mean()), 0.5 * (high - low), low, high


def p_value(samples: np.ndarray, real_difference: float) -> float:
    """(count of samples above the real difference + 1) / (samples + 1), as in multeval."""
    return (int(np.sum(samples > real_difference)) + 1) / (len(samples) + 1)


def bootstrap_sums(matrix: np.ndarray, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """Summed statistics of ``n_samples`` bootstrap resamples, ``(n_samples, columns)``.

    The indices are drawn exactly as sacrebleu draws them (``rng.choice(n, (samples, n))``,
    generated block by block, which yields the same stream), turned into per-segment counts
    with one ``bincount`` and multiplied with the statistics matrix.
    """
    n = matrix.shape[0]
    mat = np.ascontiguousarray(matrix, dtype=np.float64)
    rows = max(1, _BLOCK // max(n, 1))
    out = np.empty((n_samples, mat.shape[1]))
    for start in range(0, n_samples, rows):
        r = min(rows, n_samples - start)
        idx = rng.choice(n, size=(r, n), replace=True)
        idx += (np.arange(r) * n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=r * n).reshape(r, n)
        out[start : start + r] = counts.astype(np.float64) @ mat
    return out


def randomization_sums(diff: np.ndarray, n_trials: int, rng: np.random.Generator) -> np.ndarray:
    """``mask @ diff`` for sacrebleu's AR masks (``rng.integers(2, (trials, n), bool)``).

    Blocks are a multiple of 32 rows, so block-wise drawing consumes the generator exactly as
    one big draw does (booleans come 32 to a random word).
    """
    n = diff.shape[0]
    mat = np.ascontiguousarray(diff, dtype=np.float64)
    rows = max(32, (_BLOCK // max(n, 1)) // 32 * 32)
    out = np.empty((n_trials, mat.shape[1]))
    for start in range(0, n_trials, rows):
        r = min(rows, n_trials - start)
        mask = rng.integers(2, size=(r, n), dtype=bool)
        out[start : start + r] = mask.astype(np.float64) @ mat
    return out


def compare(
    systems: Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]],
    refs: Sequence[str] | Sequence[Sequence[str]],
    options: ScoreOptions | str = "en",
    metrics: Sequence[str] = DEFAULT_METRICS,
    test: str = "bs",
    n_samples: int = 1000,
    seed: int | None = DEFAULT_SEED,
    jobs: int | None = None,
    n_confidence: int = 1000,
) -> Comparison:
    """Score every system, with 95% CIs and p-values against the first (the baseline).

    ``test``: ``bs`` (paired bootstrap, ``n_samples`` resamples, default 1000) or ``ar``
    (approximate randomization, ``n_samples`` trials; CIs then come from ``n_confidence``
    bootstrap resamples, as sacrebleu's API does with ``n_ar_confidence``).
    """
    if test not in ("bs", "ar"):
        raise UserError(f"unknown test {test!r} (bs or ar)")
    if n_samples < 1:
        raise UserError("the number of resamples/trials must be positive")
    named = list(systems.items()) if isinstance(systems, Mapping) else list(systems)
    if named and not named[0][1]:
        raise UserError("nothing to compare: no segments")
    if len(named) < 2:
        raise UserError("comparing needs at least two systems (the first is the baseline)")
    opts = (ScoreOptions(options, intl_alongside=False) if isinstance(options, str)
            else options).validated()  # fmt: skip
    streams = as_streams(refs)
    check_line_counts([(name, len(h)) for name, h in named] + ref_counts(streams))
    built = build_metrics(metrics, opts)
    hyps = [prepare(h, opts) for _, h in named]
    stats = segment_stats(built, hyps, [prepare(r, opts) for r in streams], jobs=jobs)
    results = compare_stats(built, stats, test, n_samples, seed, n_confidence)
    names = [n for n, _ in named]
    return Comparison(names, built, results, test, n_samples, seed, stats, n_confidence)


def compare_stats(
    metrics: Mapping[str, Metric],
    stats: Sequence[Mapping[str, np.ndarray]],
    test: str = "bs",
    n_samples: int = 1000,
    seed: int | None = DEFAULT_SEED,
    n_confidence: int = 1000,
) -> list[dict[str, MetricStat]]:
    """The tests on precomputed per-segment statistics (system 0 is the baseline)."""
    layout = _Layout(metrics, len(stats))
    matrix = layout.stack(stats)
    totals = matrix.sum(axis=0)
    results = [
        {k: MetricStat(float(m.corpus_score(s[k]).score)) for k, m in metrics.items()}
        for s in stats
    ]
    if test == "bs":
        sums = bootstrap_sums(matrix, n_samples, np.random.default_rng(seed))
        _fill_bootstrap(layout, results, sums, totals)
    else:
        _fill_randomization(layout, results, matrix, totals, n_samples, n_confidence, seed)
    return results


class _Layout:
    """Where each (system, metric) block of statistics sits in the stacked matrix."""

    def __init__(self, metrics: Mapping[str, Metric], n_systems: int):
        self.metrics = dict(metrics)
        self.n_systems = n_systems
        self.slices: dict[tuple[int, str], slice] = {}

    def columns(self, s: int) -> np.ndarray:
        """Column indexes of system ``s`` (all its metrics, in metric order)."""
        return np.concatenate([np.arange(self.slices[(s, k)].start, self.slices[(s, k)].stop)
                               for k in self.metrics])  # fmt: skip

    def stack(self, stats: Sequence[Mapping[str, np.ndarray]]) -> np.ndarray:
        blocks, col = [], 0
        for s, per_metric in enumerate(stats):
            for key in self.metrics:
                block = np.asarray(per_metric[key], dtype=np.float64)
                self.slices[(s, key)] = slice(col, col + block.shape[1])
                blocks.append(block)
                col += block.shape[1]
        return np.hstack(blocks)

    def scores(self, sums: np.ndarray, s: int, key: str) -> np.ndarray:
        return self.metrics[key].scores_from_sums(sums[:, self.slices[(s, key)]])


def _fill_bootstrap(layout: _Layout, results, sums: np.ndarray, totals: np.ndarray) -> None:
    """Paired bootstrap: CIs for everyone, p-values against the baseline (sacrebleu's rule)."""
    for key in layout.metrics:
        base = layout.scores(sums, 0, key)
        base_real = layout.scores(totals[None, :], 0, key)[0]
        _set_ci(results[0][key], base)
        for s in range(1, layout.n_systems):
            sys_scores = layout.scores(sums, s, key)
            real = abs(base_real - layout.scores(totals[None, :], s, key)[0])
            diffs = np.abs(sys_scores - base)
            results[s][key].p_value = p_value(diffs - diffs.mean(), real)
            _set_ci(results[s][key], sys_scores)


def _fill_randomization(layout, results, matrix, totals, n_trials, n_confidence, seed) -> None:
    """Approximate randomization: swap each segment's pair of outputs with probability 1/2."""
    n_sys = layout.n_systems
    base_cols = layout.columns(0)
    diff_blocks, cols = [], []
    for s in range(1, n_sys):
        sys_cols = layout.columns(s)
        diff_blocks.append(matrix[:, base_cols] - matrix[:, sys_cols])
        cols.append(sys_cols)
    rng = np.random.default_rng(seed)
    shuf = randomization_sums(np.hstack(diff_blocks), n_trials, rng)
    width = len(base_cols)
    for i, s in enumerate(range(1, n_sys)):
        a = shuf[:, i * width : (i + 1) * width] + totals[cols[i]]
        b = totals[base_cols] + totals[cols[i]] - a
        _p_values_ar(layout, results[s], a, b, totals, base_cols, cols[i])
    if n_confidence > 0:
        # As sacrebleu: baseline CI from a fresh generator, systems' from the AR generator.
        base_sums = bootstrap_sums(matrix[:, base_cols], n_confidence,
                                   np.random.default_rng(seed))  # fmt: skip
        sys_cols = np.concatenate(cols)
        sys_sums = bootstrap_sums(matrix[:, sys_cols], n_confidence, rng)
        _ci_from_columns(layout, results, base_sums, base_cols, sys_sums, cols)


def _p_values_ar(layout, result, a, b, totals, base_cols, sys_cols) -> None:
    off = 0
    for key in layout.metrics:
        w = layout.slices[(0, key)].stop - layout.slices[(0, key)].start
        m = layout.metrics[key]
        real = abs(m.scores_from_sums(totals[None, base_cols[off : off + w]])[0]
                   - m.scores_from_sums(totals[None, sys_cols[off : off + w]])[0])  # fmt: skip
        sa = m.scores_from_sums(a[:, off : off + w])
        sb = m.scores_from_sums(b[:, off : off + w])
        result[key].p_value = p_value(np.abs(sa - sb), real)
        off += w


def _ci_from_columns(layout, results, base_sums, base_cols, sys_sums, cols) -> None:
    width = len(base_cols)
    for key in layout.metrics:
        sl = layout.slices[(0, key)]
        off = int(np.where(base_cols == sl.start)[0][0])
        w = sl.stop - sl.start
        m = layout.metrics[key]
        _set_ci(results[0][key], m.scores_from_sums(base_sums[:, off : off + w]))
        for i in range(len(cols)):
            block = sys_sums[:, i * width + off : i * width + off + w]
            _set_ci(results[i + 1][key], m.scores_from_sums(block))


def _set_ci(stat: MetricStat, samples: np.ndarray) -> None:
    stat.mean, stat.ci, stat.ci_low, stat.ci_high = estimate_ci(samples)
