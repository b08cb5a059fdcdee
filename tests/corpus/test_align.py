"""The Gale-Church aligner on constructed documents: bead types, anchors, band, invariants."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from mt.corpus.align import get_aligner
from mt.corpus.align.base import Bead
from mt.corpus.align.galechurch import (
    GaleChurchAligner,
    align_lengths,
    align_paragraphs,
    bead_cost,
    log_erfc,
    match_cost,
)
from mt.corpus.align.priors import BEAD_TYPES, DEFAULT, PairPriors, get_priors
from mt.errors import UserError

PRIORS = PairPriors(c=1.0, s2=6.8, types=DEFAULT.types)


def sents(*lengths: int) -> list[str]:
    """Sentences of the given character lengths (content is irrelevant to a length model)."""
    return ["x" * n for n in lengths]


def check_coverage(beads: list[Bead], n: int, m: int) -> None:
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n))
    assert tgt == list(range(m))
    assert all(b.src or b.tgt for b in beads)


def naive_dp(src: list[int], tgt: list[int], priors: PairPriors) -> float:
    """Reference: the textbook per-cell recurrence, to check the vectorised one against."""
    n, m = len(src), len(tgt)
    d = [[math.inf] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for a, b in BEAD_TYPES:
                if (a or b) and a <= i and b <= j and d[i - a][j - b] < math.inf:
                    l1, l2 = sum(src[i - a : i]), sum(tgt[j - b : j])
                    cost = bead_cost((a, b), l1, l2, priors.penalty((a, b)), priors)
                    d[i][j] = min(d[i][j], d[i - a][j - b] + cost)
    return d[n][m]


CONTEXT_SRC = [73, 121, 45]
CONTEXT_TGT = [75, 118, 47]
SPECIAL = {
    (1, 1): ([90], [92]),
    (1, 0): ([60], []),
    (0, 1): ([], [60]),
    (2, 1): ([70, 64], [136]),
    (1, 2): ([140], [66, 72]),
    (2, 2): ([70, 40], [35, 77]),
    (1, 3): ([180], [55, 62, 61]),
    (3, 1): ([52, 66, 58], [178]),
}


@pytest.mark.parametrize("kind", BEAD_TYPES)
def test_every_bead_type_recovered(kind: tuple[int, int]) -> None:
    s_mid, t_mid = SPECIAL[kind]
    src = CONTEXT_SRC + s_mid + CONTEXT_SRC[::-1]
    tgt = CONTEXT_TGT + t_mid + CONTEXT_TGT[::-1]
    beads = align_lengths(src, tgt, PRIORS)
    check_coverage(beads, len(src), len(tgt))
    expected = Bead(tuple(range(3, 3 + kind[0])), tuple(range(3, 3 + kind[1])))
    assert (expected.src, expected.tgt) in [(b.src, b.tgt) for b in beads], beads
    assert sum(b.kind == "1-1" for b in beads) == 6 + (kind == (1, 1))


def test_scores_present_and_sum_to_path_cost() -> None:
    rng = random.Random(3)
    src = [rng.randint(20, 200) for _ in range(12)]
    tgt = [rng.randint(20, 200) for _ in range(10)]
    beads = align_lengths(src, tgt, PRIORS)
    assert all(b.score is not None and b.score >= 0 for b in beads)
    assert sum(b.score for b in beads) == pytest.approx(naive_dp(src, tgt, PRIORS))


@pytest.mark.parametrize("seed", range(8))
def test_matches_naive_dp(seed: int) -> None:
    rng = random.Random(seed)
    src = [rng.randint(5, 150) for _ in range(rng.randint(0, 14))]
    tgt = [rng.randint(5, 150) for _ in range(rng.randint(0, 14))]
    priors = PairPriors(c=1.2, s2=5.0, types=DEFAULT.types)
    beads = align_lengths(src, tgt, priors)
    check_coverage(beads, len(src), len(tgt))
    total = sum(b.score for b in beads)
    assert total == pytest.approx(naive_dp(src, tgt, priors), abs=1e-6)


def test_empty_sides() -> None:
    assert align_lengths([], [], PRIORS) == []
    assert [b.kind for b in align_lengths([], [10, 20], PRIORS)] == ["0-1", "0-1"]
    assert [b.kind for b in align_lengths([10], [], PRIORS)] == ["1-0"]


def _paragraph_of(paragraphs: list[list[str]]) -> list[int]:
    return [k for k, p in enumerate(paragraphs) for _ in p]


def test_paragraph_anchors_are_hard_boundaries() -> None:
    # The short sentence ends paragraph 1 in the source but opens paragraph 2 in the target;
    # unanchored it pairs with its twin, anchored no bead may cross the paragraph boundary.
    src = [sents(100, 40), sents(100)]
    tgt = [sents(100), sents(40, 100)]
    beads = align_paragraphs(src, tgt, PRIORS)
    check_coverage(beads, 3, 3)
    sp, tp = _paragraph_of(src), _paragraph_of(tgt)
    for b in beads:
        assert len({sp[i] for i in b.src} | {tp[j] for j in b.tgt}) == 1, beads
    flat = align_paragraphs([sents(100, 40, 100)], [sents(100, 40, 100)], PRIORS)
    assert [(b.src, b.tgt) for b in flat] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_same_count_with_a_moved_boundary_is_not_anchored() -> None:
    # Same paragraph count, but a whole sentence moved across the break: the paragraph
    # lengths contradict k-k pairing, so the aligner must not force 1-0 + 0-1 beads.
    src = [sents(100, 80), sents(100)]
    tgt = [sents(100), sents(80, 100)]
    beads = align_paragraphs(src, tgt, PRIORS)
    assert [b.kind for b in beads] == ["1-1"] * 3


def test_one_side_without_paragraphs_aligns_flat() -> None:
    src = [sents(100), sents(80), sents(120), sents(60), sents(90)]
    tgt = [sents(101, 79, 118, 62, 93)]
    beads = align_paragraphs(src, tgt, PRIORS)
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(5)]


def test_paragraph_count_mismatch_falls_back() -> None:
    # The target splits the source's first paragraph in two: no anchors, still all 1-1.
    src = [sents(100, 80), sents(120, 60), sents(90)]
    tgt = [sents(101), sents(79), sents(118, 62), sents(93)]
    beads = align_paragraphs(src, tgt, PRIORS)
    check_coverage(beads, 5, 5)
    assert [b.kind for b in beads] == ["1-1"] * 5
    assert [b.src for b in beads] == [(i,) for i in range(5)]


def test_paragraph_fallback_with_dropped_paragraph() -> None:
    src = [sents(100, 80), sents(300, 280, 260), sents(120, 60)]
    tgt = [sents(102, 79), sents(121, 59)]
    beads = align_paragraphs(src, tgt, PRIORS)
    check_coverage(beads, 7, 4)
    assert [b.kind for b in beads] == ["1-1", "1-1", "1-0", "1-0", "1-0", "1-1", "1-1"]


def test_band_widens_to_the_full_result() -> None:
    """A long deletion pushes the path far off the length diagonal; widening must find it."""
    rng = np.random.default_rng(7)
    src = list(rng.integers(40, 200, 700))
    tgt = [x + int(rng.integers(-3, 4)) for x in src]
    del tgt[200:260]  # the target drops 60 sentences in a row
    narrow = align_lengths(src, tgt, PRIORS, half_band=4)
    full = align_lengths(src, tgt, PRIORS, half_band=len(tgt))
    assert [(b.src, b.tgt) for b in narrow] == [(b.src, b.tgt) for b in full]
    check_coverage(narrow, len(src), len(tgt))
    assert sum(len(b.src) - len(b.tgt) for b in full[:300]) == 60


@pytest.mark.parametrize("seed", range(5))
def test_coverage_invariant_random_documents(seed: int) -> None:
    rng = random.Random(seed)

    def doc() -> list[list[str]]:
        return [sents(*[rng.randint(1, 300) for _ in range(rng.randint(1, 6))])
                for _ in range(rng.randint(0, 5))]  # fmt: skip

    src, tgt = doc(), doc()
    beads = GaleChurchAligner().align(src, tgt, "en", "ru")
    check_coverage(beads, sum(map(len, src)), sum(map(len, tgt)))
    assert all(b.score is not None and math.isfinite(b.score) for b in beads)


def test_registry_and_unknown_method() -> None:
    assert get_aligner("gale-church").name == "gale-church"
    with pytest.raises(UserError, match="unknown aligner"):
        get_aligner("nope")


def test_log_erfc_matches_math() -> None:
    for z in (0.0, 0.3, 1.0, 2.5, 6.0):
        assert float(log_erfc(z)) == pytest.approx(math.log(math.erfc(z)), abs=1e-6)
    assert math.isfinite(float(log_erfc(40.0)))


def test_reversed_priors_are_symmetric() -> None:
    p = PairPriors(c=1.3, s2=7.0, types=DEFAULT.types)
    r = p.reversed()
    assert float(match_cost(100, 140, p.c, p.s2)) == pytest.approx(
        float(match_cost(140, 100, r.c, r.s2))
    )
    assert r.reversed().c == pytest.approx(p.c) and r.reversed().s2 == pytest.approx(p.s2)


def test_priors_lookup() -> None:
    for a, b in (("en", "az"), ("en", "ru"), ("az", "ru")):
        fwd, back = get_priors(a, b), get_priors(b, a)
        assert back.c == pytest.approx(1 / fwd.c)
        assert sum(fwd.types.values()) == pytest.approx(1.0, abs=1e-3)


def test_align_documents_api() -> None:
    from mt.corpus.align.api import align_documents, bead_texts

    en = "The Ministry welcomes the agreement. It was signed today.\n\nTalks will continue."
    ru = "Министерство приветствует соглашение, подписанное сегодня.\n\nПереговоры продолжатся."
    src, tgt, beads = align_documents(en, ru, "en", "ru")
    assert src == ["The Ministry welcomes the agreement.", "It was signed today.",
                   "Talks will continue."]  # fmt: skip
    assert len(tgt) == 2
    assert [(b.src, b.tgt) for b in beads] == [((0, 1), (0,)), ((2,), (1,))]
    assert bead_texts(src, tgt, beads)[1] == ("Talks will continue.", "Переговоры продолжатся.")


def test_align_documents_rejects_bad_input() -> None:
    from mt.corpus.align.api import align_documents

    with pytest.raises(UserError, match="invalid language code"):
        align_documents("A.", "B.", "en", "d3")
    with pytest.raises(UserError, match="unknown aligner"):
        align_documents("A.", "B.", "en", "ru", method="bleualign")
    with pytest.raises(UserError, match="unsupported language"):
        GaleChurchAligner().align([["A."]], [["B."]], "en", "fr")
