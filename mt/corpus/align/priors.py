"""Length priors per language pair for the Gale-Church aligner, fitted on the bundled gold.

Why per pair: how long a rendering is in characters, and how tightly its length follows the
original, depends on the pair; a wrong ratio accumulates over a document and pushes the DP
toward wrong merges. On the bundled gold Russian renderings run ~3% shorter than English or
Azerbaijani (abbreviations such as "г." and "тыс."), and lengths vary far less (s2 about 1.6
to 2.0) than in Gale & Church's Canadian Hansard (6.8), which makes every length mismatch
cost more. The model (Gale & Church 1993) is

    delta = (l2 - c * l1) / sqrt(s2 * (l1 + l2 / c) / 2)

with ``c`` the expected target characters per source character and ``s2`` the variance of
``l2 - c * l1`` per unit of length. The denominator uses the mean of both sides' lengths in
source units (as in the paper's own program) rather than ``l1`` alone, so ``delta`` stays
defined for 0-1 beads and swapping the pair maps (c, s2) to (1/c, s2/c**3) exactly.

Bead-type probabilities are the gold's bead-type frequencies with add-one-half smoothing, so a
type that the gold never shows (3-1, say) stays possible but costly; 2-2 is then discounted
(see :data:`TWO_TWO_FACTOR`).

``python -m mt.corpus.align.priors [CORPUS_DIR]`` refits and prints the values; the constants in
:data:`FITTED` were pasted from that output.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mt.corpus.align.base import Bead
from mt.errors import UserError
from mt.lang import PAIRS

#: The bead types the aligner considers, as (source sentences, target sentences).
BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1),
)  # fmt: skip

#: Canonical pairs (the store's order) with gold in the bundle; others are derived by inversion.
CANONICAL_PAIRS: tuple[tuple[str, str], ...] = PAIRS

SMOOTHING = 0.5

#: Factor on the fitted 2-2 probability. Why: the gold splits every n-n group into n 1-1 beads
#: unless they do not pair up (corpora/build.py), so a 2-2 bead is right only when neither 1-1
#: pairing is. Under the tight fitted length model two adjacent 1-1 beads that deviate in
#: opposite directions pay two length tails while a 2-2 pays one, so at the fitted frequency
#: the DP merges them. Chosen with leave-one-document-out priors (align_quality.py --cv):
#: strict F1 en-ru 0.980 -> 0.984, en-az and az-ru unchanged, for factors 0.5 down to 0.1.
TWO_TWO_FACTOR = 0.25

#: Flat length cost of a 1-0/0-1 bead (see galechurch.bead_cost for why it is flat), in nats
#: on top of -log P(type). Not fitted: chosen with align_quality.py --cv, where 1 to 2 is best
#: on every pair (0 makes omissions too cheap, 3 and more fold omitted sentences into their
#: neighbours' beads).
NULL_COST = 2.0


@dataclass(frozen=True)
class PairPriors:
    """Length model and bead-type probabilities for one ordered language pair."""

    c: float
    s2: float
    types: dict[tuple[int, int], float] = field(default_factory=dict)
    null_cost: float = 0.0

    def reversed(self) -> PairPriors:
        """The same model seen from the target side (see the module docstring for s2/c**3)."""
        return PairPriors(
            c=1.0 / self.c,
            s2=self.s2 / self.c**3,
            types={(b, a): p for (a, b), p in self.types.items()},
            null_cost=self.null_cost,
        )

    def penalty(self, kind: tuple[int, int]) -> float:
        """``-log P(type)``; a type missing from ``types`` is impossible (infinite cost)."""
        p = self.types.get(kind, 0.0)
        return -math.log(p) if p > 0 else math.inf


#: Gale & Church's published values (c = 1, s2 = 6.8 and their bead-type frequencies), for a
#: pair without gold. Their 0.0099 for 1-0 *or* 0-1 is split evenly, 3-1/1-3 get 0.001 from 1-1.
DEFAULT = PairPriors(
    c=1.0,
    s2=6.8,
    types={
        (1, 1): 0.889, (1, 0): 0.005, (0, 1): 0.005, (2, 1): 0.0445, (1, 2): 0.0445,
        (2, 2): 0.011, (1, 3): 0.0005, (3, 1): 0.0005,
    },
    null_cost=NULL_COST,
)  # fmt: skip

#: Fitted on the bundled gold (corpora/*/gold, texts segmented with mt.corpus.segment): the
#: output of ``python -m mt.corpus.align.priors``, pasted. Fitted on 14 statements with 349
#: (en-az), 349 (en-ru) and 342 (az-ru) gold beads; the command also prints their type counts.
#: With them the aligner reaches strict F1 0.990 (en-az), 0.984 (en-ru) and 0.996 (az-ru) on
#: the same gold, and the same when each document is left out of the fit in turn (--cv).
FITTED: dict[tuple[str, str], PairPriors] = {
    ("en", "az"): PairPriors(
        c=1.0032,
        s2=1.9949,
        types={
            (1, 1): 0.93158,
            (1, 0): 0.00425,
            (0, 1): 0.00993,
            (2, 1): 0.02978,
            (1, 2): 0.02127,
            (2, 2): 0.00035,
            (1, 3): 0.00142,
            (3, 1): 0.00142,
        },
        null_cost=NULL_COST,
    ),
    ("en", "ru"): PairPriors(
        c=0.9731,
        s2=1.8109,
        types={
            (1, 1): 0.92789,
            (1, 0): 0.00995,
            (0, 1): 0.00426,
            (2, 1): 0.02131,
            (1, 2): 0.03268,
            (2, 2): 0.00107,
            (1, 3): 0.00142,
            (3, 1): 0.00142,
        },
        null_cost=NULL_COST,
    ),
    ("az", "ru"): PairPriors(
        c=0.9706,
        s2=1.5512,
        types={
            (1, 1): 0.87713,
            (1, 0): 0.01595,
            (0, 1): 0.00435,
            (2, 1): 0.03914,
            (1, 2): 0.05944,
            (2, 2): 0.00109,
            (1, 3): 0.00145,
            (3, 1): 0.00145,
        },
        null_cost=NULL_COST,
    ),
}


def get_priors(src_lang: str, tgt_lang: str) -> PairPriors:
    """Priors for an ordered pair: fitted, inverted from the fitted reverse, or the default."""
    if (src_lang, tgt_lang) in FITTED:
        return FITTED[(src_lang, tgt_lang)]
    if (tgt_lang, src_lang) in FITTED:
        return FITTED[(tgt_lang, src_lang)].reversed()
    return DEFAULT


@dataclass
class GoldDocument:
    """One statement's pair with its gold beads, segmented with the project segmenter."""

    name: str
    src_lang: str
    tgt_lang: str
    src: list[list[str]]
    tgt: list[list[str]]
    beads: list[Bead]


def _segment(folder: Path, lang: str) -> list[list[str]]:
    from mt.corpus.segment import segment
    from mt.textio import read_text

    return segment(read_text(folder / f"{lang}.txt"), lang)


def gold_documents(
    corpus_dir: str | Path, pairs: Sequence[tuple[str, str]] = CANONICAL_PAIRS
) -> Iterator[GoldDocument]:
    """Every statement folder's gold for the given pairs, checked against the segmentation."""
    from mt.corpus.align.beads import read_beads

    for gold_dir in sorted(Path(corpus_dir).glob("*/gold")):
        folder = gold_dir.parent
        cache: dict[str, list[list[str]]] = {}
        for a, b in pairs:
            path = gold_dir / f"{a}-{b}.beads"
            if not path.exists():
                continue
            for lang in (a, b):
                if lang not in cache:
                    cache[lang] = _segment(folder, lang)
            src, tgt = cache[a], cache[b]
            n_src, n_tgt = sum(map(len, src)), sum(map(len, tgt))
            beads = read_beads(path, n_src, n_tgt)
            yield GoldDocument(folder.name, a, b, src, tgt, beads)


def _bead_lengths(doc: GoldDocument) -> Iterator[tuple[int, int, Bead]]:
    src = [len(s) for p in doc.src for s in p]
    tgt = [len(s) for p in doc.tgt for s in p]
    for bead in doc.beads:
        yield sum(src[i] for i in bead.src), sum(tgt[j] for j in bead.tgt), bead


def fit_pair(docs: Sequence[GoldDocument]) -> tuple[PairPriors, dict[str, int]]:
    """Fit (c, s2, type probabilities) for one pair from its gold documents."""
    lengths = [(l1, l2) for d in docs for l1, l2, b in _bead_lengths(d) if b.src and b.tgt]
    kinds = Counter((len(b.src), len(b.tgt)) for d in docs for b in d.beads)
    if not lengths:
        raise UserError("no gold beads with both sides to fit length priors on")
    c = sum(l2 for _, l2 in lengths) / sum(l1 for l1, _ in lengths)
    s2 = sum((l2 - c * l1) ** 2 / ((l1 + l2 / c) / 2) for l1, l2 in lengths) / len(lengths)
    weight = {k: kinds[k] + SMOOTHING for k in BEAD_TYPES}
    weight[(2, 2)] *= TWO_TWO_FACTOR
    total = sum(weight.values())
    types = {k: w / total for k, w in weight.items()}
    counts = {f"{a}-{b}": n for (a, b), n in sorted(kinds.items())}
    return PairPriors(c=c, s2=s2, types=types), counts


def fit_priors(corpus_dir: str | Path) -> dict:
    """Fit every canonical pair on the gold under ``corpus_dir``.

    Returns ``{"en-az": {"priors": PairPriors, "counts": {...}, "docs": n}, ...}``; pairs
    without gold are left out.
    """
    docs = list(gold_documents(corpus_dir))
    result: dict[str, dict] = {}
    for a, b in CANONICAL_PAIRS:
        mine = [d for d in docs if (d.src_lang, d.tgt_lang) == (a, b)]
        if mine:
            priors, counts = fit_pair(mine)
            result[f"{a}-{b}"] = {"priors": priors, "counts": counts, "docs": len(mine)}
    return result


def _literal(a: str, b: str, p: PairPriors) -> str:
    """Source text for one FITTED entry, laid out as ``ruff format`` would."""
    types = "".join(f"            {k}: {v:.5f},\n" for k, v in p.types.items())
    return (
        f'    ("{a}", "{b}"): PairPriors(\n        c={p.c:.4f},\n        s2={p.s2:.4f},\n'
        f"        types={{\n{types}        }},\n        null_cost=NULL_COST,\n    ),"
    )


def main(argv: list[str]) -> int:
    """Print the fitted values, then a ``FITTED = {...}`` literal ready to paste."""
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "corpora"
    fitted = fit_priors(corpus)
    if not fitted:
        print(f"no gold alignments under {corpus}", file=sys.stderr)
        return 1
    for pair, info in fitted.items():
        p = info["priors"]
        print(f"{pair}: docs={info['docs']} c={p.c:.4f} s2={p.s2:.4f} beads={info['counts']}")
    print("\nFITTED = {")
    for pair, info in fitted.items():
        print(_literal(*pair.split("-"), info["priors"]))
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
