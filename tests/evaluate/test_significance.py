"""Paired tests agree with sacrebleu's (same seed), and the compare-mt style analysis."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import numpy as np
import pytest

from mt.errors import UserError
from mt.evaluate.analysis import length_buckets, most_different, word_accuracy_by_frequency
from mt.evaluate.metrics import ScoreOptions, build_metrics
from mt.evaluate.significance import bootstrap_sums, compare, estimate_ci

_SUBJECTS = [
    "The Ministry of Foreign Affairs",
    "The spokesperson",
    "The delegation",
    "The President of the Republic",
    "The Foreign Minister",
    "The embassy",
]
_VERBS = ["welcomed", "condemned", "supported", "discussed", "reaffirmed", "noted"]
_OBJECTS = [
    "the trilateral statement of November 10, 2020",
    "regional cooperation",
    "the protection of human rights",
    "the return of 95,000 displaced persons",
    "the resolution of the Security Council",
    "the results of the talks in Baku",
    "the new agreement on energy security",
    "the principles of international law",
]
_TAILS = ["", " on Friday", " in a statement", " at the briefing", " once again",
          " during the meeting with the OSCE delegation"]  # fmt: skip


def _statements(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f"{rng.choice(_TAILS)}." for _ in range(n)]  # fmt: skip


def _noisy(refs: list[str], p: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = " ".join(refs).split()
    out = []
    for ref in refs:
        words = [w if rng.random() > p else rng.choice(vocab) for w in ref.split()]
        if rng.random() < p / 2 and len(words) > 3:
            del words[rng.randrange(len(words))]
        out.append(" ".join(words))
    return out


@pytest.fixture(scope="module")
def corpus():
    refs = _statements(240)
    systems = {"base": _noisy(refs, 0.20, 2), "close": _noisy(refs, 0.19, 3),
               "worse": _noisy(refs, 0.30, 4)}  # fmt: skip
    return refs, systems


def _sacrebleu_paired(refs, systems, test, n, confidence=-1):
    from sacrebleu.metrics import BLEU, CHRF
    from sacrebleu.significance import PairedTest

    metrics = {"BLEU": BLEU(references=[refs]), "chrF2": CHRF(references=[refs])}
    _, scores = PairedTest(list(systems.items()), metrics, None, test_type=test, n_samples=n,
                           n_ar_confidence=confidence)()  # fmt: skip
    return scores


@pytest.mark.parametrize(("test", "n"), [("bs", 1000), ("ar", 2000)])
def test_p_values_agree_with_sacrebleu(corpus, test, n):
    refs, systems = corpus
    ours = compare(systems, [refs], "en", ["bleu", "chrf"], test=test, n_samples=n, seed=12345)
    theirs = _sacrebleu_paired(refs, systems, test, n, confidence=1000 if test == "ar" else -1)
    for i in range(len(systems)):
        for key, name in (("bleu", "BLEU"), ("chrf", "chrF2")):
            mine, ref = ours.results[i][key], theirs[name][i]
            assert mine.score == ref.score  # corpus scores: bit-identical
            assert mine.mean == pytest.approx(ref.mean, abs=1e-3)
            assert mine.ci == pytest.approx(ref.ci, abs=1e-3)
            if i:
                assert abs(mine.p_value - ref.p_value) <= 0.01
    # the test data should exercise both outcomes
    assert ours.results[2]["bleu"].p_value < 0.05 < ours.results[1]["chrf"].p_value


def _parse_sacrebleu_table(text: str) -> tuple[list[float], list[float]]:
    """Scores and p-values, row by row, from sacrebleu's paired-test table.

    (sacrebleu 2.6 cannot print paired results as JSON: its means are float32.)
    """
    scores = [float(x) for x in re.findall(r"([\d.]+) \([\d.]+ ± [\d.]+\)", text)]
    p_values = [float(x) for x in re.findall(r"\(p = ([\d.]+)\)", text)]
    return scores, p_values


def test_p_values_agree_with_sacrebleu_cli(corpus, tmp_path, run_mt):
    refs, systems = corpus
    paths = {}
    for name, lines in {"ref": refs, **systems}.items():
        paths[name] = tmp_path / f"{name}.en"
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    hyps = [paths[n] for n in systems]
    options = ["-m", "bleu", "chrf", "--paired-bs", "-f", "text", "-q", "--no-color", "-w", "4"]
    cmd = [sys.executable, "-m", "sacrebleu", str(paths["ref"]), "-i", *map(str, hyps), *options]
    env = os.environ | {"SACREBLEU_SEED": "12345"}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    their_scores, their_p = _parse_sacrebleu_table(out)
    args = ["eval", "compare", "--ref", paths["ref"], "--tgt", "en", "--paired-bs", "1000",
            "--seed", "12345", "--format", "json"]  # fmt: skip
    for h in hyps:
        args += ["--hyp", h]
    code, out, err = run_mt(*args)
    assert code == 0, err
    ours = json.loads(out)
    my_scores = [s[k]["score"] for s in ours["systems"] for k in ("bleu", "chrf")]
    my_p = [s[k]["p_value"] for s in ours["systems"][1:] for k in ("bleu", "chrf")]
    assert their_scores == [round(x, 4) for x in my_scores]
    assert len(their_p) == len(my_p) == 4
    assert all(abs(a - b) <= 0.01 for a, b in zip(my_p, their_p, strict=True))
    assert ours["metrics"]["bleu"]["signature"].startswith("nrefs:1|bs:1000|seed:12345|case:")


def test_bootstrap_sums_equal_explicit_resampling():
    rng = np.random.default_rng(0)
    matrix = rng.integers(0, 20, (57, 5)).astype(float)
    sums = bootstrap_sums(matrix, 300, np.random.default_rng(12345))
    idx = np.random.default_rng(12345).choice(57, size=(300, 57), replace=True)
    np.testing.assert_array_equal(sums, matrix[idx].sum(axis=1))


def test_estimate_ci_matches_sacrebleu():
    from sacrebleu.significance import estimate_ci as sb_estimate_ci

    scores = np.random.default_rng(1).normal(40, 2, 1000)
    mean, ci, low, high = estimate_ci(scores)
    assert (mean, ci) == pytest.approx(sb_estimate_ci(scores))
    assert high - low == pytest.approx(2 * ci)


def test_a_system_against_itself_is_not_called_significant(corpus):
    refs, systems = corpus
    pair = {"a": systems["base"], "a again": systems["base"]}
    result = compare(pair, [refs], "en", ["bleu"], test="bs", n_samples=200)
    # multeval/sacrebleu: no sample exceeds a zero difference, so p = 1/(n+1) ...
    theirs = _sacrebleu_paired(refs, pair, "bs", 200)
    assert result.results[1]["bleu"].p_value == theirs["BLEU"][1].p_value == 1 / 201
    # ... but a zero difference is not marked significant
    assert not result.significant(1, "bleu")


def test_compare_input_errors(corpus):
    refs, systems = corpus
    with pytest.raises(UserError, match="at least two"):
        compare({"only": systems["base"]}, [refs], "en")
    with pytest.raises(UserError, match="line counts differ"):
        compare({"a": systems["base"], "b": systems["close"][:-1]}, [refs], "en")
    with pytest.raises(UserError, match="unknown test"):
        compare(systems, [refs], "en", test="t-test")


# ------------------------------------------------------------------------------ analysis


def test_length_buckets_partition_the_segments(corpus):
    refs, systems = corpus
    result = compare(systems, [refs], "en", ["bleu"], n_samples=10)
    buckets = length_buckets(result.metrics, result.stats, refs, edges=(8, 12))
    assert sum(b.segments for b in buckets) == len(refs)
    assert {b.label for b in buckets} <= {"0-7", "8-11", "12+"}
    lengths = [len(r.split()) for r in refs]
    rows = [i for i, n in enumerate(lengths) if n >= 12]
    from sacrebleu.metrics import BLEU

    expected = BLEU().corpus_score([systems["worse"][i] for i in rows], [[refs[i] for i in rows]])
    last = next(b for b in buckets if b.label == "12+")
    assert last.scores[2]["bleu"] == pytest.approx(expected.score)


def test_word_accuracy_by_frequency():
    refs = ["Baku hosted the summit .", "the summit ended", "the talks ended"]
    hyps = ["Baku hosted the summit .", "the meeting ended", "the talks ended"]
    buckets = {b.label: b for b in word_accuracy_by_frequency([hyps], refs, "en")}
    assert buckets["3"].fmeasure[0] == pytest.approx(1.0)  # "the" occurs 3 times
    assert buckets["1"].recall[0] == pytest.approx(1.0)  # baku, hosted, talks
    assert buckets["2"].recall[0] == pytest.approx(3 / 4)  # summit ×2, ended ×2: one missed
    assert buckets["0"].precision[0] == 0.0  # "meeting" is not in the references
    az = word_accuracy_by_frequency([["İRƏVAN"]], ["irəvan"], "az")
    assert az[0].fmeasure[0] == pytest.approx(1.0)  # Turkic lowercasing


def test_most_different_segments():
    metric = build_metrics(["chrf"], ScoreOptions("en"))["chrf"]
    refs = [["the talks ended in Baku", "the minister met the ambassador", "a joint statement"]]
    a = metric.extract([["the talks ended in Baku", "minister ambassador", "a statement"]], refs)
    b = metric.extract([["talks", "the minister met the ambassador", "a joint statement"]], refs)
    b_better, a_better = most_different(metric, a[0], b[0], n=5)
    assert [d.index for d in b_better] == [1, 2]
    assert [d.index for d in a_better] == [0]
    assert b_better[0].delta > 0 > a_better[0].delta
