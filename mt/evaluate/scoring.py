"""Corpus, sentence, document and worst-segment scores: the scoring API behind ``mt eval score``.

Every number comes from sacrebleu (see :mod:`mt.evaluate.metrics`); this module adds the checks
sacrebleu lacks (equal line counts, empty lines, UTF-8 through :mod:`mt.textio`), the
language-aware preparation (NFC, Turkic lowercasing, ё/е folding) and the bookkeeping that lets
one statistics pass serve corpus, sentence and document scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mt.errors import UserError
from mt.evaluate.metrics import DEFAULT_METRICS, Metric, ScoreOptions, build_metrics
from mt.evaluate.metrics.stats import segment_stats
from mt.lang import normalize
from mt.textio import read_lines

Refs = Sequence[Sequence[str]]


@dataclass
class MetricResult:
    """One corpus score with sacrebleu's signature and our options beside it."""

    key: str
    name: str
    score: float
    signature: str
    verbose: str
    mt_signature: str
    options: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": self.score,
            "signature": self.signature,
            "mt_signature": self.mt_signature,
            "options": self.options,
            "verbose": self.verbose,
        }


@dataclass
class WorstSegment:
    """A low-scoring segment with everything needed to look at it."""

    index: int
    score: float
    hyp: str
    refs: list[str]
    src: str | None = None

    def to_dict(self) -> dict[str, Any]:
        ref: str | list[str] = self.refs[0] if len(self.refs) == 1 else self.refs
        return {"index": self.index, "score": self.score, "src": self.src, "ref": ref,
                "hyp": self.hyp}  # fmt: skip


@dataclass
class CorpusScores:
    """Results of :func:`score`; keeps the per-segment statistics for further views."""

    results: dict[str, MetricResult]
    metrics: dict[str, Metric]
    stats: dict[str, np.ndarray]
    options: ScoreOptions
    n_segments: int
    empty_hyp: int
    empty_refs: list[int]
    warnings: list[str] = field(default_factory=list)

    def sentence_scores(self, key: str) -> np.ndarray:
        """sacrebleu's sentence-level scores (BLEU with effective order) for every segment."""
        return self.metrics[key].sentence_scores(self.stats[key])

    def worst(
        self, n: int, hyps: Sequence[str], refs: Refs, srcs: Sequence[str] | None = None,
        by: str | None = None,
    ) -> list[WorstSegment]:  # fmt: skip
        """The ``n`` segments with the worst sentence score (``by``: chrF unless absent)."""
        key = by or next(k for k in ("chrf", "chrf++", "bleu", "ter") if k in self.metrics)
        if key not in self.metrics:
            raise UserError(f"--worst-by {key!r} is not among the computed metrics")
        scores = self.sentence_scores(key)
        sign = 1 if self.metrics[key].higher_is_better else -1
        order = np.argsort(sign * scores, kind="stable")[: max(0, n)]
        return [
            WorstSegment(int(i), float(scores[i]), hyps[i], [r[i] for r in refs],
                         srcs[i] if srcs is not None else None)
            for i in order
        ]  # fmt: skip

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """JSON shape: keyed by metric name; alongside variants nested (``bleu`` → ``intl``)."""
        out: dict[str, dict[str, Any]] = {}
        info = {"segments": self.n_segments,
                "empty_lines": {"hyp": self.empty_hyp, "refs": self.empty_refs},
                "warnings": self.warnings}  # fmt: skip
        for key, res in self.results.items():
            base, _, variant = key.partition("@")
            if variant:
                out[base][variant] = res.to_dict()
            else:
                out[key] = res.to_dict() | info
        return out


def read_inputs(
    hyp: str | Path, refs: Sequence[str | Path], src: str | Path | None = None
) -> tuple[list[str], list[list[str]], list[str] | None]:
    """Read hypothesis, references (and source) as UTF-8 lines; line counts must agree."""
    hyps, ref_lines, src_lines = read_systems([hyp], refs, src)
    return hyps[0], ref_lines, src_lines


def read_systems(
    hyps: Sequence[str | Path], refs: Sequence[str | Path], src: str | Path | None = None
) -> tuple[list[list[str]], list[list[str]], list[str] | None]:
    """Read several hypothesis files against the same references, each file once."""
    if not refs:
        raise UserError("at least one reference (--ref) is needed")
    named = [(str(p), _read(p)) for p in [*hyps, *refs]]
    if src is not None:
        named.append((str(src), _read(src)))
    check_line_counts([(name, len(lines)) for name, lines in named])
    texts = [lines for _, lines in named]
    src_lines = texts[-1] if src is not None else None
    return texts[: len(hyps)], texts[len(hyps) : len(hyps) + len(refs)], src_lines


def _read(path: str | Path) -> list[str]:
    """Lines of a file; a file of blank lines is allowed (a system may output nothing)."""
    lines = read_lines(path, allow_empty=True)
    if not lines:
        raise UserError("empty file", path)
    return lines


def check_line_counts(named: Sequence[tuple[str, int]]) -> None:
    """Refuse to score files of different lengths (sacrebleu would stop or misalign)."""
    counts = {n for _, n in named}
    if len(counts) > 1:
        detail = ", ".join(f"{name} has {n}" for name, n in named)
        raise UserError(f"line counts differ: {detail}")


def prepare(lines: Sequence[str], options: ScoreOptions) -> list[str]:
    """What every metric sees: trailing space removed (as sacrebleu's CLI does), then NFC."""
    if options.nfc:
        return [normalize(x.rstrip(), options.tgt) for x in lines]
    return [x.rstrip() for x in lines]


def as_streams(refs: Sequence[str] | Refs) -> list[list[str]]:
    """Accept one reference list or a list of reference streams."""
    if refs and isinstance(refs[0], str):
        return [list(refs)]  # type: ignore[arg-type]
    return [list(r) for r in refs]


def ref_counts(streams: Refs) -> list[tuple[str, int]]:
    """``("reference 1", lines), ...`` for line-count checks of in-memory references."""
    return [(f"reference {i + 1}", len(r)) for i, r in enumerate(streams)]


def score(
    hyps: Sequence[str],
    refs: Sequence[str] | Refs,
    options: ScoreOptions | str = "en",
    metrics: Sequence[str] = DEFAULT_METRICS,
    jobs: int | None = None,
) -> CorpusScores:
    """Corpus scores of one system. ``options`` may be just the target language code."""
    opts = (ScoreOptions(options) if isinstance(options, str) else options).validated()
    streams = as_streams(refs)
    check_line_counts([("hypothesis", len(hyps)), *ref_counts(streams)])
    if not hyps:
        raise UserError("nothing to score: no segments")
    built = build_metrics(metrics, opts)
    p_hyps = prepare(hyps, opts)
    p_refs = [prepare(r, opts) for r in streams]
    stats = segment_stats(built, [p_hyps], p_refs, jobs=jobs)[0]
    results = {key: _result(key, m, stats[key], opts) for key, m in built.items()}
    empty_hyp = sum(1 for x in p_hyps if not x.strip())
    empty_refs = [sum(1 for x in r if not x.strip()) for r in p_refs]
    warnings = _warnings(built, opts, empty_hyp, empty_refs)
    tokenized = sum(1 for x in p_hyps if x.endswith(" ."))
    if "bleu" in built and tokenized >= 100:  # sacrebleu's own threshold
        warnings.append(f"{tokenized} lines end in a tokenized period (' .'); BLEU expects "
                        "detokenized text")  # fmt: skip
    return CorpusScores(results, built, stats, opts, len(hyps), empty_hyp, empty_refs, warnings)


def _result(key: str, metric: Metric, stats: np.ndarray, opts: ScoreOptions) -> MetricResult:
    sc = metric.corpus_score(stats)
    options = metric_options(key, metric, opts)
    return MetricResult(key, metric.display, float(sc.score), metric.signature(),
                        getattr(sc, "_verbose", ""), mt_signature(options), options)  # fmt: skip


def metric_options(key: str, metric: Metric, opts: ScoreOptions) -> dict[str, Any]:
    """The language-aware options that shaped this metric's number."""
    options = opts.as_dict()
    del options["tokenize"]
    if key == "ter":
        case_sensitive = metric.case_sensitive  # type: ignore[attr-defined]
        options["case"] = (
            "mixed"
            if case_sensitive
            else ("lc-turkic (mt.lang.lower before sacrebleu)" if opts.turkic else "lc (sacrebleu)")
        )
    if key.startswith("bleu"):
        options["tokenize"] = metric.tokenize  # type: ignore[attr-defined]
    return options


def mt_signature(options: dict[str, Any]) -> str:
    """Compact companion to sacrebleu's signature, e.g. ``mt:nfc:yes|case:lc-az|yo:no|lang:az``."""
    yes = {True: "yes", False: "no"}
    case = str(options["case"])
    case = "lc-az" if case.startswith("lc-turkic") else case.split(" ")[0]
    return (
        f"mt:nfc:{yes[bool(options['nfc'])]}|case:{case}|yo:{yes[bool(options['yo_fold'])]}"
        f"|lang:{options['tgt']}"
    )


def _warnings(metrics: dict[str, Metric], opts: ScoreOptions, empty_hyp: int,
              empty_refs: list[int]) -> list[str]:  # fmt: skip
    out = []
    if empty_hyp:
        out.append(f"{empty_hyp} empty hypothesis line(s)")
    for i, n in enumerate(empty_refs):
        if n:
            out.append(f"{n} empty line(s) in reference {i + 1}")
    ter = metrics.get("ter")
    if ter is not None and not ter.case_sensitive:  # type: ignore[attr-defined]
        msg = ("TER is case-insensitive by default (sacrebleu/Tercom lowercase it, "
               "signature case:lc) even where BLEU/chrF are case-sensitive; "
               "use --ter-case-sensitive to keep case")  # fmt: skip
        if opts.turkic:
            msg += "; for az its lowercasing is done with Turkic rules (I→ı, İ→i) by mt"
        out.append(msg)
    return out


def score_documents(
    hyps: Sequence[str],
    refs: Sequence[str] | Refs,
    doc_ids: Sequence[str],
    options: ScoreOptions | str = "en",
    metrics: Sequence[str] = DEFAULT_METRICS,
    scored: CorpusScores | None = None,
) -> dict[str, dict[str, float]]:
    """Corpus scores per document (in order of first appearance), from one statistics pass.

    ``doc_ids`` gives the document of every segment; pass ``scored`` to reuse its statistics.
    """
    if len(doc_ids) != len(hyps):
        raise UserError(f"line counts differ: {len(hyps)} segments but {len(doc_ids)} doc ids")
    if scored is None:
        scored = score(hyps, refs, options, metrics)
    groups: dict[str, list[int]] = {}
    for i, doc in enumerate(doc_ids):
        groups.setdefault(doc, []).append(i)
    out: dict[str, dict[str, float]] = {}
    for doc, rows in groups.items():
        idx = np.asarray(rows)
        out[doc] = {
            key: float(m.corpus_score(scored.stats[key][idx]).score)
            for key, m in scored.metrics.items()
        }
    return out
