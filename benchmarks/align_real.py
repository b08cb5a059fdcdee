"""Aligners on real translations: Gale-Church vs. the lexical default, side by side.

Why: the bundled gold is clean (written for this corpus, near-literal), and every aligner
scores 0.98+ on it; real renderings (literature, OCR'd yearbooks, subtitles) are where a
length-only aligner breaks down. The published gold sets live outside the repository
(``../shared/align-dev``, or ``$MT_SHARED/align-dev``; GPL/CC licensed, never copied in):
Text+Berg de-fr dev, OPUS Books en-ru (Anna Karenina, CroCoAlign's validation half),
TransRead literary en-fr/es/el and ParIce en-is. Each is presplit one sentence per line.

Figures are vecalign's strict and lax P/R/F1 (``mt.corpus.align.score.score_vecalign``, null
beads count in precision only), micro-averaged over a set's documents, and the aligner's time
per 1,000 sentences (source and target averaged). The bundle (corpora/*/gold) is scored the
same way. Last, a synthetic 10,000 x 10,000-sentence document with a known alignment is aligned
in a child process, for wall time and that process's peak memory (targets: < 30 s, < 1 GB).

Targets for the default (lexical): strict F1 >= 0.90 Text+Berg, >= 0.93 OPUS Books, >= 0.98
bundle (strict F1 is printed to four decimals, so that no target is met by rounding).
Usage: python benchmarks/align_real.py [--sets NAME,...] [--no-synthetic] [--size N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mt.corpus.align.api import align_presplit, align_segmented
from mt.corpus.align.base import Bead
from mt.corpus.align.devdata import dev_root, load_set, set_names
from mt.corpus.align.priors import gold_documents
from mt.corpus.align.score import score_vecalign

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("gale-church", "lexical")


def _row(name: str, method: str, scores: dict, seconds: float, sentences: float) -> str:
    st, lx = scores["strict"], scores["lax"]
    per_k = 1000 * seconds / max(sentences, 1)
    return (
        f"{name:22s} {method:12s} strict P={st['precision']:.3f} R={st['recall']:.3f} "
        f"F1={st['f1']:.4f} | lax P={lx['precision']:.3f} R={lx['recall']:.3f} "
        f"F1={lx['f1']:.3f} | {per_k:6.2f} s/1k"
    )


def dev_set(name: str, method: str) -> tuple[dict, float, float]:
    """Scores, seconds and sentence count (mean of both sides) of one set."""
    docs = list(load_set(name))
    pairs, seconds = [], 0.0
    for d in docs:
        t0 = time.perf_counter()
        pred = align_presplit(d.src, d.tgt, d.src_lang, d.tgt_lang, method)
        seconds += time.perf_counter() - t0
        pairs.append((d.gold, pred))
    sentences = sum(len(d.src) + len(d.tgt) for d in docs) / 2
    return score_vecalign(pairs), seconds, sentences


def bundle(method: str) -> dict[str, tuple[dict, float, float]]:
    """Per pair of the bundled gold: scores, seconds, sentences."""
    out: dict[str, tuple[dict, float, float]] = {}
    groups: dict[str, list] = {}
    for doc in gold_documents(ROOT / "corpora"):
        groups.setdefault(f"{doc.src_lang}-{doc.tgt_lang}", []).append(doc)
    for pair, docs in groups.items():
        pairs, seconds = [], 0.0
        for d in docs:
            t0 = time.perf_counter()
            pred = align_segmented(d.src, d.tgt, d.src_lang, d.tgt_lang, method)
            seconds += time.perf_counter() - t0
            pairs.append((d.beads, pred))
        n = sum(sum(map(len, d.src)) + sum(map(len, d.tgt)) for d in docs) / 2
        out[pair] = (score_vecalign(pairs), seconds, n)
    return out


# ------------------------------------------------------------------ synthetic scale test

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu")


def _word(k: int, side: int) -> str:
    r = np.random.default_rng(2 * k + side)
    return "".join(r.choice(_SYLLABLES, size=int(r.integers(1, 4)))) + ("" if side else "n")


def synthesize(n: int, seed: int = 0) -> tuple[list[str], list[str], list[Bead]]:
    """Two invented languages with a word-for-word mapping (10% of words dropped), Zipfian
    vocabulary, ~14 words a sentence, 1-2/2-1/1-0/0-1 beads mixed in; the true beads too."""
    rng = np.random.default_rng(seed)
    vocab = 20_000
    zipf = 1 / np.arange(1, vocab + 1)
    zipf /= zipf.sum()
    words = {}
    kinds = [(1, 1)] * 90 + [(1, 2)] * 4 + [(2, 1)] * 4 + [(1, 0), (0, 1)]
    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []

    def text(ids: np.ndarray, side: int) -> str:
        out = []
        for w in ids.tolist():
            key = (w, side)
            if key not in words:
                words[key] = _word(w, side)
            out.append(words[key])
        return " ".join(out).capitalize() + "."

    while len(src) < n:
        a, b = kinds[int(rng.integers(len(kinds)))]
        sents = [
            rng.choice(vocab, size=max(3, int(rng.lognormal(np.log(14), 0.5))), p=zipf)
            for _ in range(a)
        ]
        ids = np.concatenate(sents) if sents else rng.choice(vocab, size=10, p=zipf)
        kept = ids[rng.random(len(ids)) > 0.1]
        parts = [kept] if b == 1 else [kept[: len(kept) // 2], kept[len(kept) // 2 :]][:b]
        gold.append(
            Bead(tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b)))
        )
        src += [text(s, 0) for s in sents]
        tgt += [text(p, 1) for p in parts]
    return src, tgt, gold


def _peak_mib() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would survive exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _synthetic_child(n: int, method: str) -> None:
    src, tgt, gold = synthesize(n)
    before = _peak_mib()
    t0 = time.perf_counter()
    pred = align_presplit(src, tgt, "xx", "yy", method)
    seconds = time.perf_counter() - t0
    f1 = score_vecalign([(gold, pred)])["strict"]["f1"]
    print(
        f"synthetic {len(src):,} x {len(tgt):,} {method:12s} {seconds:6.1f} s, "
        f"peak RSS {_peak_mib():6.0f} MiB (before aligning {before:.0f} MiB), strict F1 {f1:.3f}"
    )


def synthetic(n: int) -> None:
    for method in METHODS:
        cmd = [sys.executable, __file__, "--synthetic-child", str(n), "--method", method]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        print((res.stdout or res.stderr).strip())


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", help="comma-separated set names (default: all present)")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--size", type=int, default=10_000, help="synthetic sentences per side")
    ap.add_argument("--synthetic-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--method", default="lexical", help=argparse.SUPPRESS)
    return ap.parse_args()


def main() -> int:
    args = _args()
    if args.synthetic_child:
        _synthetic_child(args.synthetic_child, args.method)
        return 0
    names = args.sets.split(",") if args.sets else set_names()
    if not names:
        print(f"no dev sets under {dev_root()} (set MT_SHARED); scoring the bundle only")
    print("vecalign-style scores (null beads count in precision only), micro-averaged\n")
    for name in names:
        for method in METHODS:
            print(_row(name, method, *dev_set(name, method)))
    for method in METHODS:
        for pair, (scores, seconds, n) in bundle(method).items():
            print(_row(f"bundle {pair}", method, scores, seconds, n))
    if not args.no_synthetic:
        print()
        synthetic(args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
