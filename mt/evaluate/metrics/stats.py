"""Per-segment statistics for several systems and metrics, computed once, on both cores.

Extracting n-gram statistics is sacrebleu's pure-Python hot loop and the only expensive part of
scoring and significance testing. Segments are independent, so the corpus is cut into one
contiguous slice per worker; each forked worker builds the reference cache for its slice once
and extracts every system's statistics against it. The arrays that come back are all later
steps need (corpus, sentence, document and bucket scores, resampling).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from mt.evaluate.metrics.base import Metric

# Below this many segment×system units a process pool costs more than it saves.
MIN_PARALLEL_WORK = 4000
_JOB: tuple | None = None  # (metrics, systems, refs) handed to forked workers


def default_jobs() -> int:
    """Workers to use: the CPUs this process may run on (at most 2 pays off here)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 2))


def segment_stats(
    metrics: Mapping[str, Metric],
    systems: Sequence[Sequence[str]],
    refs: Sequence[Sequence[str]],
    jobs: int | None = None,
) -> list[dict[str, np.ndarray]]:
    """For each system, ``{metric key: (n_segments, n_stats) array}``.

    ``refs`` is a list of reference streams, each as long as every system.
    """
    n = len(refs[0])
    for metric in metrics.values():
        metric.num_refs = len(refs)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    chunks = _chunks(n, jobs if n * len(systems) >= MIN_PARALLEL_WORK else 1)
    if len(chunks) == 1 or "fork" not in mp.get_all_start_methods():
        parts = [_extract(metrics, systems, refs, 0, n)]
    else:
        parts = _parallel(metrics, systems, refs, chunks)
    return [
        {key: np.concatenate([p[s][key] for p in parts]) for key in metrics}
        for s in range(len(systems))
    ]


def _chunks(n: int, parts: int) -> list[tuple[int, int]]:
    step = -(-n // parts) if n else 1
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)] or [(0, 0)]


def _extract(metrics, systems, refs, lo: int, hi: int) -> list[dict[str, np.ndarray]]:
    """Statistics of rows ``lo:hi`` for every system, per metric."""
    ref_slice = [stream[lo:hi] for stream in refs]
    sys_slice = [hyps[lo:hi] for hyps in systems]
    with _gc_paused():
        per_metric = {key: m.extract(sys_slice, ref_slice) for key, m in metrics.items()}
    return [{key: per_metric[key][s] for key in metrics} for s in range(len(systems))]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while extracting: millions of short-lived Counters (no cycles, freed by
    reference counting) otherwise trigger collections that rescan everything alive; pausing
    saves about a fifth of sacrebleu's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _work(bounds: tuple[int, int]) -> list[dict[str, np.ndarray]]:
    metrics, systems, refs = _JOB  # type: ignore[misc]
    return _extract(metrics, systems, refs, *bounds)


def _parallel(metrics, systems, refs, chunks) -> list[list[dict[str, np.ndarray]]]:
    """Run the slices in forked workers that inherit the texts instead of pickling them."""
    global _JOB
    _JOB = (metrics, systems, refs)
    try:
        ctx = mp.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=ctx) as pool:
            futures = [pool.submit(_work, c) for c in chunks[1:]]
            first = _extract(metrics, systems, refs, *chunks[0])  # the parent works too
            return [first] + [f.result() for f in futures]
    finally:
        _JOB = None
