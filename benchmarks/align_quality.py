"""Aligner quality on the bundled gold: strict bead and lax sentence-pair P/R/F1 per pair.

Why per pair: the length ratio differs between en-az, en-ru and az-ru, so one pair can regress
while the average looks fine. Target: strict F1 >= 0.97 on every pair. Null beads (1-0/0-1)
count in strict F1 (see mt.corpus.align.score); ``--no-null`` gives vecalign-style figures.

Usage: python benchmarks/align_quality.py [--verbose] [--method gale-church] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from mt.corpus.align.api import align_segmented
from mt.corpus.align.priors import CANONICAL_PAIRS, GoldDocument, gold_documents
from mt.corpus.align.score import count_alignment, score_counts

ROOT = Path(__file__).resolve().parents[1]


def _fmt(s: dict[str, float]) -> str:
    return f"P={s['precision']:.4f} R={s['recall']:.4f} F1={s['f1']:.4f}"


def _errors(doc: GoldDocument, pred: list) -> str:
    """Missed gold beads and wrong predictions, by bead type (what to tune next)."""
    gold = {(b.src, b.tgt) for b in doc.beads}
    mine = {(b.src, b.tgt) for b in pred}
    missed = Counter(f"{len(s)}-{len(t)}" for s, t in gold - mine)
    wrong = Counter(f"{len(s)}-{len(t)}" for s, t in mine - gold)
    return f"missed {dict(missed)} wrong {dict(wrong)}" if missed or wrong else ""


def evaluate(corpus: Path, method: str, include_null: bool, verbose: bool) -> dict:
    """Score every gold document; print per-document lines when verbose."""
    results = {}
    docs = list(gold_documents(corpus))
    for a, b in CANONICAL_PAIRS:
        total: dict = {}
        mine = [d for d in docs if (d.src_lang, d.tgt_lang) == (a, b)]
        for doc in mine:
            pred = align_segmented(doc.src, doc.tgt, a, b, method)
            counts = count_alignment(doc.beads, pred, include_null=include_null)
            for name, c in counts.items():
                total.setdefault(name, type(c)())
                total[name] += c
            if verbose:
                s = score_counts(counts)
                print(f"  {a}-{b} {doc.name:40s} strict {_fmt(s['strict'])}  "
                      f"lax F1={s['lax']['f1']:.4f}  {_errors(doc, pred)}")  # fmt: skip
        if mine:
            results[f"{a}-{b}"] = (len(mine), score_counts(total), total["strict"].gold)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora")
    ap.add_argument("--method", default="gale-church")
    ap.add_argument("--verbose", "-v", action="store_true", help="per-document figures")
    ap.add_argument("--no-null", action="store_true", help="exclude 1-0/0-1 from strict F1")
    args = ap.parse_args()
    t0 = time.perf_counter()
    results = evaluate(args.corpus, args.method, not args.no_null, args.verbose)
    if not results:
        print(f"no gold alignments under {args.corpus}")
        return 1
    print(f"method {args.method}, null beads {'excluded' if args.no_null else 'counted'}")
    ok = True
    for pair, (n_docs, s, n_gold) in results.items():
        ok &= s["strict"]["f1"] >= 0.97
        print(f"{pair}: {n_docs} docs, {n_gold} gold beads | strict {_fmt(s['strict'])} | "
              f"lax {_fmt(s['lax'])}")  # fmt: skip
    print(f"target strict F1 >= 0.97 on every pair: {'met' if ok else 'NOT met'} "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
