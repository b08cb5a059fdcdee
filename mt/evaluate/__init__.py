"""The evaluation layer: sacrebleu scores, significance, compare-mt analysis and statement QA.

Public API (imported lazily, so ``import mt.evaluate`` costs nothing until used)::

    from mt.evaluate import score, score_documents, compare, run_qa, ScoreOptions
    scored = score(hyps, [refs], ScoreOptions("ru"), metrics=("bleu", "chrf"))
    scored.results["bleu"].score, scored.results["bleu"].signature
    result = compare({"base": a, "new": b}, [refs], "ru", test="bs", n_samples=1000)
    report = run_qa(srcs, hyps, "en", "ru")

Modules: :mod:`.metrics` (one sacrebleu metric per file, per-segment statistics on both cores),
:mod:`.scoring`, :mod:`.significance`, :mod:`.analysis`, :mod:`.qa`; the ``mt eval`` commands
are :mod:`mt.cli.eval`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ScoreOptions": "mt.evaluate.metrics",
    "build_metrics": "mt.evaluate.metrics",
    "score": "mt.evaluate.scoring",
    "score_documents": "mt.evaluate.scoring",
    "read_inputs": "mt.evaluate.scoring",
    "CorpusScores": "mt.evaluate.scoring",
    "compare": "mt.evaluate.significance",
    "compare_stats": "mt.evaluate.significance",
    "Comparison": "mt.evaluate.significance",
    "length_buckets": "mt.evaluate.analysis",
    "word_accuracy_by_frequency": "mt.evaluate.analysis",
    "most_different": "mt.evaluate.analysis",
    "run_qa": "mt.evaluate.qa",
    "load_glossary": "mt.evaluate.qa",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mt.evaluate' has no attribute {name!r}")
