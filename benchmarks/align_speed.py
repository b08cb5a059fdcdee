"""Alignment speed on a synthetic 5,000 x 5,000-sentence document pair (target: under 5 s).

Why synthetic: no real statement is that long, but archives of briefings concatenated into one
file are, and the DP must stay fast there. Sentence lengths follow a log-normal like official
prose (median ~110 characters); the target side is generated bead by bead with the en-ru
length model and some 1-2, 2-1, 1-0 and 0-1 perturbations, so the true alignment is known and
the printed F1 shows the band did not cut the path off.

Usage: python benchmarks/align_speed.py [--sentences 5000] [--paragraphs 1] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mt.corpus.align.base import Bead
from mt.corpus.align.galechurch import GaleChurchAligner
from mt.corpus.align.priors import get_priors
from mt.corpus.align.score import score_alignment

#: Share of each generated bead type (the rest are 1-1).
PERTURB = {(1, 2): 0.04, (2, 1): 0.04, (1, 0): 0.01, (0, 1): 0.01}


def _lengths(rng: np.random.Generator, k: int) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(110), 0.55, k), 12, 900).round()


def _target(rng: np.random.Generator, l1: float, c: float, s2: float) -> float:
    return max(5.0, round(c * l1 + rng.normal() * np.sqrt(s2 * max(l1, 1.0))))


def synthesize(n: int, seed: int) -> tuple[list[float], list[float], list[Bead]]:
    """Source lengths, target lengths and the true beads for about ``n`` sentences a side."""
    rng = np.random.default_rng(seed)
    pri = get_priors("en", "ru")
    kinds, probs = list(PERTURB), list(PERTURB.values())
    src: list[float] = []
    tgt: list[float] = []
    gold: list[Bead] = []
    while len(src) < n:
        r = rng.random()
        kind, acc = (1, 1), 0.0
        for k, p in zip(kinds, probs, strict=True):
            acc += p
            if r < acc:
                kind = k
                break
        a, b = kind
        s = list(_lengths(rng, a))
        total = _target(rng, sum(s), pri.c, pri.s2) if a else float(_lengths(rng, 1)[0])
        t = [total] if b == 1 else []
        if b == 2:
            cut = rng.uniform(0.3, 0.7)
            t = [max(5.0, round(total * cut)), max(5.0, round(total * (1 - cut)))]
        gold.append(
            Bead(tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b)))
        )
        src += s
        tgt += t
    return src, tgt, gold


def _paragraphs(lengths: list[float], cuts: list[int]) -> list[list[str]]:
    sents = ["x" * int(v) for v in lengths]
    bounds = [0, *cuts, len(sents)]
    return [sents[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=5000)
    ap.add_argument("--paragraphs", type=int, default=1, help="split both sides into N anchors")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    src, tgt, gold = synthesize(args.sentences, args.seed)
    step = max(1, len(gold) // args.paragraphs)
    cut_beads = [gold[k] for k in range(step, len(gold), step)][: args.paragraphs - 1]
    src_cuts = [b.src[0] if b.src else _next(gold, b, "src") for b in cut_beads]
    tgt_cuts = [b.tgt[0] if b.tgt else _next(gold, b, "tgt") for b in cut_beads]
    src_p, tgt_p = _paragraphs(src, src_cuts), _paragraphs(tgt, tgt_cuts)
    aligner = GaleChurchAligner()
    t0 = time.perf_counter()
    pred = aligner.align(src_p, tgt_p, "en", "ru")
    elapsed = time.perf_counter() - t0
    s = score_alignment(gold, pred)
    print(f"sentences: {len(src)} x {len(tgt)} in {len(src_p)} x {len(tgt_p)} paragraph(s)")
    print(f"alignment time: {elapsed:.2f} s (target < 5 s)")
    for name in ("strict", "lax"):
        m = s[name]
        print(f"{name:6s} P={m['precision']:.4f} R={m['recall']:.4f} F1={m['f1']:.4f}")


def _next(gold: list[Bead], bead: Bead, side: str) -> int:
    """First index of ``side`` at or after ``bead`` (for a cut that falls on a null bead)."""
    for b in gold[gold.index(bead) :]:
        ids = b.src if side == "src" else b.tgt
        if ids:
            return ids[0]
    return 0


if __name__ == "__main__":
    main()
