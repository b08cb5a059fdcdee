"""The aligner on the bundled gold: strict F1 >= 0.97 per pair, and the API end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from mt.corpus.align.api import align_documents, align_segmented, bead_texts
from mt.corpus.align.beads import check_beads
from mt.corpus.align.priors import CANONICAL_PAIRS, FITTED, fit_priors, gold_documents
from mt.corpus.align.score import score_many

CORPUS = Path(__file__).resolve().parents[2] / "corpora"


@pytest.fixture(scope="module")
def gold() -> list:
    docs = list(gold_documents(CORPUS))
    assert docs, f"no gold alignments under {CORPUS}"
    return docs


@pytest.mark.parametrize(("src", "tgt"), CANONICAL_PAIRS)
def test_strict_f1_per_pair(gold: list, src: str, tgt: str) -> None:
    docs = [d for d in gold if (d.src_lang, d.tgt_lang) == (src, tgt)]
    assert docs
    results = []
    for d in docs:
        pred = align_segmented(d.src, d.tgt, src, tgt)
        check_beads(pred, sum(map(len, d.src)), sum(map(len, d.tgt)))
        results.append((d.beads, pred))
    assert score_many(results)["strict"]["f1"] >= 0.97


@pytest.mark.parametrize(("src", "tgt"), CANONICAL_PAIRS)
def test_reverse_direction_mirrors(gold: list, src: str, tgt: str) -> None:
    """Aligning ru->en must give the en->ru beads mirrored (the priors invert exactly)."""
    for d in [d for d in gold if (d.src_lang, d.tgt_lang) == (src, tgt)][:3]:
        fwd = align_segmented(d.src, d.tgt, src, tgt)
        back = align_segmented(d.tgt, d.src, tgt, src)
        assert [(b.tgt, b.src) for b in back] == [(b.src, b.tgt) for b in fwd]


def test_committed_priors_match_a_refit() -> None:
    """The constants come from this gold; a large drift means: rerun the priors module.

    Loose on purpose: an edited sentence moves the fit a little without making it stale.
    """
    fitted = fit_priors(CORPUS)
    assert set(fitted) == {f"{a}-{b}" for a, b in CANONICAL_PAIRS}
    for pair, info in fitted.items():
        a, b = pair.split("-")
        got, want = info["priors"], FITTED[(a, b)]
        assert got.c == pytest.approx(want.c, rel=0.02), pair
        assert got.s2 == pytest.approx(want.s2, rel=0.2), pair
        assert got.types[(1, 1)] == pytest.approx(want.types[(1, 1)], abs=0.03), pair


def test_align_documents_end_to_end() -> None:
    folder = next(p.parent for p in sorted(CORPUS.glob("*/gold")))
    en = (folder / "en.txt").read_text(encoding="utf-8")
    ru = (folder / "ru.txt").read_text(encoding="utf-8")
    src, tgt, beads = align_documents(en, ru, "en", "ru")
    check_beads(beads, len(src), len(tgt))
    assert all(b.score is not None for b in beads)
    pairs = bead_texts(src, tgt, beads)
    assert len(pairs) == len(beads) and all(s or t for s, t in pairs)
