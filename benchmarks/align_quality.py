"""Aligner quality on the bundled gold: strict bead and lax sentence-pair P/R/F1 per pair.

Why per pair: the length ratio differs between en-az, en-ru and az-ru, so one pair can regress
while the average looks fine. Target: strict F1 >= 0.97 on every pair. Null beads (1-0/0-1)
count in strict F1 (see mt.corpus.align.score); ``--no-null`` gives vecalign-style figures.

The committed priors are fitted on this same gold, so ``--cv`` refits them without each
document in turn (leave-one-out) for an honest estimate on unseen statements. ``--perturb``
changes the target's paragraphing (the gold beads stay valid, they index sentences) to show
how the paragraph anchors and their fallback behave when renderings paragraph differently.

Usage: python benchmarks/align_quality.py [--verbose] [--cv] [--perturb KIND] [--no-null]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mt.corpus.align.api import align_segmented
from mt.corpus.align.base import DEFAULT_METHOD
from mt.corpus.align.galechurch import GaleChurchAligner
from mt.corpus.align.priors import (
    CANONICAL_PAIRS,
    NULL_COST,
    GoldDocument,
    fit_pair,
    gold_documents,
)
from mt.corpus.align.score import Counts, count_alignment, score_counts

ROOT = Path(__file__).resolve().parents[1]
Paragraphs = list[list[str]]


def _merge(paras: Paragraphs, rng: random.Random) -> Paragraphs:
    """Two adjacent paragraphs become one (counts now differ)."""
    if len(paras) < 2:
        return paras
    k = rng.randrange(len(paras) - 1)
    return [*paras[:k], paras[k] + paras[k + 1], *paras[k + 2 :]]


def _split(paras: Paragraphs, rng: random.Random) -> Paragraphs:
    """One paragraph is cut in two (counts now differ)."""
    ks = [k for k, p in enumerate(paras) if len(p) > 1]
    if not ks:
        return paras
    k = rng.choice(ks)
    cut = rng.randrange(1, len(paras[k]))
    return [*paras[:k], paras[k][:cut], paras[k][cut:], *paras[k + 1 :]]


def _shift(paras: Paragraphs, rng: random.Random) -> Paragraphs:
    """A paragraph's last sentence moves to the next one (counts still agree)."""
    ks = [k for k in range(len(paras) - 1) if len(paras[k]) > 1]
    if not ks:
        return paras
    k = rng.choice(ks)
    return [*paras[:k], paras[k][:-1], [paras[k][-1], *paras[k + 1]], *paras[k + 2 :]]


def _flatten(paras: Paragraphs, rng: random.Random) -> Paragraphs:
    """No paragraph breaks at all."""
    return [[s for p in paras for s in p]]


PERTURB: dict[str, Callable[[Paragraphs, random.Random], Paragraphs]] = {
    "merge": _merge, "split": _split, "shift": _shift, "flatten": _flatten,
}  # fmt: skip


def _fmt(s: dict[str, float]) -> str:
    return f"P={s['precision']:.4f} R={s['recall']:.4f} F1={s['f1']:.4f}"


def _errors(doc: GoldDocument, pred: list) -> str:
    """Missed gold beads and wrong predictions, by bead type (what to tune next)."""
    gold = {(b.src, b.tgt) for b in doc.beads}
    mine = {(b.src, b.tgt) for b in pred}
    missed = Counter(f"{len(s)}-{len(t)}" for s, t in gold - mine)
    wrong = Counter(f"{len(s)}-{len(t)}" for s, t in mine - gold)
    return f"missed {dict(missed)} wrong {dict(wrong)}" if missed or wrong else ""


def _predict(doc: GoldDocument, others: list[GoldDocument], args: argparse.Namespace) -> list:
    tgt = doc.tgt
    if args.perturb:
        tgt = PERTURB[args.perturb](doc.tgt, random.Random(f"{doc.name}-{doc.tgt_lang}"))
    if args.cv:
        priors, _ = fit_pair(others)
        aligner = GaleChurchAligner(replace(priors, null_cost=NULL_COST))
        return aligner.align(doc.src, tgt, doc.src_lang, doc.tgt_lang)
    return align_segmented(doc.src, tgt, doc.src_lang, doc.tgt_lang, args.method)


def evaluate(docs: list[GoldDocument], args: argparse.Namespace) -> dict:
    """Score every gold document per pair; print per-document lines when verbose."""
    results = {}
    for a, b in CANONICAL_PAIRS:
        total = {"strict": Counts(), "lax": Counts()}
        mine = [d for d in docs if (d.src_lang, d.tgt_lang) == (a, b)]
        for doc in mine:
            pred = _predict(doc, [d for d in mine if d is not doc], args)
            counts = count_alignment(doc.beads, pred, include_null=not args.no_null)
            for name, c in counts.items():
                total[name] += c
            if args.verbose:
                s = score_counts(counts)
                print(f"  {a}-{b} {doc.name:40s} strict {_fmt(s['strict'])}  "
                      f"lax F1={s['lax']['f1']:.4f}  {_errors(doc, pred)}")  # fmt: skip
        if mine:
            results[f"{a}-{b}"] = (len(mine), score_counts(total), total["strict"].gold)
    return results


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora")
    ap.add_argument("--method", default=DEFAULT_METHOD)
    ap.add_argument("--verbose", "-v", action="store_true", help="per-document figures")
    ap.add_argument("--no-null", action="store_true", help="exclude 1-0/0-1 from strict F1")
    ap.add_argument("--cv", action="store_true", help="leave-one-document-out priors")
    ap.add_argument("--perturb", choices=sorted(PERTURB), help="re-paragraph the target side")
    return ap.parse_args()


def main() -> int:
    args = _args()
    t0 = time.perf_counter()
    results = evaluate(list(gold_documents(args.corpus)), args)
    if not results:
        print(f"no gold alignments under {args.corpus}")
        return 1
    notes = [f"method {args.method}" + (" (leave-one-out priors)" if args.cv else "")]
    notes.append(f"null beads {'excluded' if args.no_null else 'counted'}")
    if args.perturb:
        notes.append(f"target paragraphs perturbed: {args.perturb}")
    print(", ".join(notes))
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
