"""Strict bead F1 and lax sentence-pair F1 on hand-computed examples."""

from __future__ import annotations

import pytest

from mt.corpus.align.base import Bead
from mt.corpus.align.score import score_alignment, score_many


def B(src: tuple[int, ...], tgt: tuple[int, ...]) -> Bead:
    return Bead(src, tgt)


GOLD = [B((0,), (0,)), B((1, 2), (1,)), B((3,), ()), B((4,), (2,))]


def test_perfect() -> None:
    s = score_alignment(GOLD, GOLD)
    assert s["strict"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert s["lax"]["f1"] == 1.0


def test_split_bead_partial_credit() -> None:
    # 2-1 predicted as 1-1 + 1-0; the null bead [3]:[] is right.
    pred = [B((0,), (0,)), B((1,), (1,)), B((2,), ()), B((3,), ()), B((4,), (2,))]
    s = score_alignment(GOLD, pred)
    # strict: hits {0-0, 3-, 4-2} = 3; predicted 5, gold 4
    assert s["strict"]["precision"] == pytest.approx(3 / 5)
    assert s["strict"]["recall"] == pytest.approx(3 / 4)
    assert s["strict"]["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    # lax pairs: gold {(0,0),(1,1),(2,1),(4,2)}, pred {(0,0),(1,1),(4,2)}
    assert s["lax"]["precision"] == 1.0
    assert s["lax"]["recall"] == pytest.approx(3 / 4)


def test_null_beads_excluded_on_request() -> None:
    pred = [B((0,), (0,)), B((1, 2), (1,)), B((3, 4), (2,))]
    with_null = score_alignment(GOLD, pred)["strict"]
    without = score_alignment(GOLD, pred, include_null=False)["strict"]
    assert with_null["precision"] == pytest.approx(2 / 3)
    assert with_null["recall"] == pytest.approx(2 / 4)
    assert without["precision"] == pytest.approx(2 / 3)
    assert without["recall"] == pytest.approx(2 / 3)


def test_empty_sides() -> None:
    assert score_alignment([], [])["strict"]["f1"] == 1.0
    assert score_alignment(GOLD, [])["strict"]["f1"] == 0.0
    assert score_alignment([], GOLD)["lax"]["precision"] == 0.0


def test_micro_average() -> None:
    doc1 = (GOLD, GOLD)
    doc2 = ([B((0,), (0,)), B((1,), (1,))], [B((0, 1), (0, 1))])
    s = score_many([doc1, doc2])
    assert s["strict"]["precision"] == pytest.approx(4 / 5)
    assert s["strict"]["recall"] == pytest.approx(4 / 6)
    # lax: doc1 4/4 pairs; doc2 pred 4 pairs of which 2 gold
    assert s["lax"]["precision"] == pytest.approx(6 / 8)
    assert s["lax"]["recall"] == pytest.approx(6 / 6)
