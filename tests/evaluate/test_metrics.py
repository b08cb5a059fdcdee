"""Scores are sacrebleu's: its README example, its CLI on the same files, its own formulas."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from mt.errors import UserError
from mt.evaluate.metrics import ScoreOptions, build_metrics, parse_metric_names
from mt.evaluate.metrics.bleu import bleu_from_stats
from mt.evaluate.metrics.chrf import chrf_from_stats
from mt.evaluate.scoring import read_inputs, score, score_documents

# sacrebleu's README example: 3 hypotheses, 2 references.
README_REFS = [
    ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
    ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]
README_SYS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]

RU_REF = [
    "МИД Азербайджана призвал международные правозащитные организации поддержать "
    "выполнение трехстороннего заявления от 10 ноября 2020 года.",
    "По словам пресс-секретаря Лейлы Абдуллаевой, заявление направлено на восстановление "
    "добрососедских отношений в регионе.",
    "Конституция, принятая 12 ноября 1995 года, содержит 48 статей о правах человека.",
    "«Наша страна является участницей основных международно-правовых документов», — добавила она.",
    "В результате освобождения земель около 95 000 вынужденных переселенцев вернутся домой.",
    "Министр иностранных дел провёл встречу с послом ОБСЕ в Баку.",
    "",
    "Стороны обсудили вопросы региональной безопасности и сотрудничества в сфере энергетики.",
]
RU_REF2 = [
    "Министерство иностранных дел Азербайджана призвало правозащитные организации "
    "поддержать трехстороннее заявление от 10 ноября 2020 года.",
    "Пресс-секретарь Лейла Абдуллаева отметила, что заявление нацелено на восстановление "
    "добрососедских отношений в регионе.",
    "Принятая 12 ноября 1995 года Конституция содержит 48 статей.",
    "«Наша страна участвует в основных международных правовых документах», — добавила она.",
    "После освобождения территорий примерно 95 000 переселенцев смогут вернуться.",
    "Глава МИД встретился с послом ОБСЕ в Баку.",
    "Брифинг завершился.",
    "Стороны обсудили региональную безопасность и энергетическое сотрудничество.",
]
RU_HYP = [
    "МИД Азербайджана призвал международные организации по правам человека поддержать "
    "выполнение трехстороннего заявления от 10 ноября 2020 года.",
    "По словам пресс-секретаря Лейлы Абдуллаевой, заявление нацелено на восстановление "
    "добрососедских отношений в регионе.",
    "Конституция, принятая 12 ноября 1995 года, содержит 48 статей.",
    "«Наша страна является стороной основных международных правовых инструментов», — добавила она.",
    "В результате освобождения земель около 95 000 ВПЛ вернутся домой.",
    "Министр Иностранных Дел провел встречу с послом OSCE в Баку.",
    "",
    "Стороны обсудили вопросы региональной безопасности и энергетического сотрудничества.",
]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ru_files(tmp_path):
    return (_write(tmp_path / "hyp.ru", RU_HYP), _write(tmp_path / "ref.ru", RU_REF),
            _write(tmp_path / "ref2.ru", RU_REF2))  # fmt: skip


def _sacrebleu_cli(refs, hyp, *args: str) -> dict[str, float]:
    """Scores printed by ``python -m sacrebleu`` (JSON, 10 decimals), keyed by score name."""
    cmd = [sys.executable, "-m", "sacrebleu", *map(str, refs), "-i", str(hyp), "-w", "10",
           "-f", "json", "-q", *args]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {d["name"]: d["score"] for d in (data if isinstance(data, list) else [data])}


# ------------------------------------------------------------------- published cases


@pytest.mark.parametrize(("tokenize", "expected"), [("13a", 48.53), ("none", 49.19),
                                                    ("intl", 43.92)])  # fmt: skip
def test_readme_example(tokenize, expected):
    s = score(README_SYS, README_REFS, ScoreOptions("en", tokenize=tokenize), ["bleu"])
    assert round(s.results["bleu"].score, 2) == expected
    assert f"tok:{tokenize}" in s.results["bleu"].signature
    assert s.results["bleu"].signature.startswith("nrefs:2|case:mixed|eff:no")


def test_intl_is_shown_alongside_13a_for_russian_and_azerbaijani():
    for tgt in ("ru", "az"):
        s = score(README_SYS, README_REFS, tgt, ["bleu"])
        assert round(s.results["bleu"].score, 2) == 48.53
        assert round(s.results["bleu@intl"].score, 2) == 43.92
        assert s.to_dict()["bleu"]["intl"]["signature"].endswith(
            "tok:intl|smooth:exp|version:" + s.results["bleu"].signature.split("version:")[1]
        )
    assert "bleu@intl" not in score(README_SYS, README_REFS, "en", ["bleu"]).results


# -------------------------------------------------------------- the sacrebleu CLI


def test_scores_equal_sacrebleu_cli(ru_files):
    hyp, ref, ref2 = ru_files
    ours = score(*read_inputs(hyp, [ref, ref2])[:2], "ru", ["bleu", "chrf", "ter"])
    theirs = _sacrebleu_cli([ref, ref2], hyp, "-m", "bleu", "chrf", "ter")
    assert theirs["BLEU"] == round(ours.results["bleu"].score, 10)
    assert theirs["chrF2"] == round(ours.results["chrf"].score, 10)
    assert theirs["TER"] == round(ours.results["ter"].score, 10)


@pytest.mark.parametrize(
    ("options", "metrics", "cli_args"),
    [
        (dict(tokenize="intl"), ["bleu"], ["-m", "bleu", "--tokenize", "intl"]),
        (dict(lowercase=True), ["bleu", "chrf"], ["-m", "bleu", "chrf", "-lc", "--chrf-lowercase"]),
        ({}, ["chrf++"], ["-m", "chrf", "--chrf-word-order", "2"]),
        (dict(ter_case_sensitive=True), ["ter"], ["-m", "ter", "--ter-case-sensitive"]),
    ],
)
def test_options_map_to_sacrebleu_cli_options(ru_files, options, metrics, cli_args):
    hyp, ref, _ = ru_files
    ours = score(RU_HYP, [RU_REF], ScoreOptions("ru", **options), metrics)
    theirs = _sacrebleu_cli([ref], hyp, *cli_args)
    ours_by_name = {r.name.split(" ")[0]: r.score for k, r in ours.results.items() if "@" not in k}
    assert theirs == {k: round(v, 10) for k, v in ours_by_name.items()}


def test_sentence_scores_equal_sacrebleu_cli(ru_files):
    hyp, ref, _ = ru_files
    s = score(RU_HYP, [RU_REF], "ru", ["bleu", "chrf"])
    for metric, key in (("bleu", "bleu"), ("chrf", "chrf")):
        cmd = [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", metric,
               "-sl", "-b", "-w", "10", "-q"]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        theirs = [float(x) for x in out.split()]
        assert theirs == [round(x, 10) for x in s.sentence_scores(key)]


# ------------------------------------------------- vectorized formulas = sacrebleu's


def _random_bleu_stats(rng, rows):
    hyp_len = rng.integers(0, 40, rows)
    totals = np.stack([np.maximum(hyp_len - n, 0) for n in range(4)], axis=1)
    correct = (totals * rng.random((rows, 4)) * rng.integers(0, 2, (rows, 1))).astype(int)
    correct[rng.random(rows) < 0.2, 2:] = 0  # zero higher-order matches: smoothing paths
    ref_len = np.maximum(hyp_len + rng.integers(-8, 9, rows), 0)
    return np.column_stack([hyp_len, ref_len, correct, totals])


@pytest.mark.parametrize("smooth", ["exp", "floor", "add-k", "none"])
@pytest.mark.parametrize("sentence", [False, True])
def test_vectorized_bleu_equals_sacrebleu(smooth, sentence):
    from sacrebleu.metrics import BLEU

    stats = _random_bleu_stats(np.random.default_rng(7), 400)
    sb = BLEU(smooth_method=smooth, effective_order=sentence)
    expected = [sb._compute_score_from_stats(row).score for row in stats.tolist()]
    got = bleu_from_stats(stats, smooth_method=smooth, effective_order=sentence)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("word_order", [0, 2])
def test_vectorized_chrf_equals_sacrebleu(word_order):
    from sacrebleu.metrics import CHRF

    rng = np.random.default_rng(3)
    order = 6 + word_order
    hyp = rng.integers(0, 30, (300, order)) * rng.integers(0, 2, (300, 1))
    ref = rng.integers(0, 30, (300, order))
    match = np.minimum(hyp, ref) * rng.random((300, order)) // 1
    stats = np.stack([hyp, ref, match], axis=2).reshape(300, -1).astype(int)
    sb = CHRF(word_order=word_order)
    expected = [sb._compute_score_from_stats(row).score for row in stats.tolist()]
    np.testing.assert_allclose(chrf_from_stats(stats, order), expected, rtol=1e-12, atol=1e-12)


def test_vectorized_ter_equals_sacrebleu():
    from sacrebleu.metrics import TER

    metric = build_metrics(["ter"], ScoreOptions("ru"))["ter"]
    stats = np.array([[3, 10.0], [0, 0.0], [2, 0.0], [5, 7.5]])
    expected = [TER()._compute_score_from_stats(row).score for row in stats.tolist()]
    np.testing.assert_allclose(metric.scores_from_sums(stats), expected)


def test_corpus_score_from_real_statistics_matches_vectorized():
    s = score(RU_HYP, [RU_REF, RU_REF2], "ru", ["bleu", "chrf", "chrf++", "ter"])
    for key, metric in s.metrics.items():
        summed = s.stats[key].sum(axis=0, keepdims=True)
        assert metric.scores_from_sums(summed)[0] == pytest.approx(s.results[key].score, 1e-12)


# ------------------------------------------------------------- language-aware options


def test_turkic_lowercasing_for_azerbaijani():
    hyp = ["İLHAM ƏLİYEV BAKIDA İDİ"]
    ref = ["ilham əliyev bakıda idi"]
    s = score(hyp, [ref], ScoreOptions("az", lowercase=True), ["bleu", "chrf"])
    assert s.results["bleu"].score == pytest.approx(100)
    assert s.results["chrf"].score == pytest.approx(100)
    # sacrebleu's own lowercasing (str.lower) gets I and İ wrong:
    from sacrebleu.metrics import BLEU

    assert BLEU(lowercase=True).corpus_score(hyp, [ref]).score < 100
    res = s.results["bleu"]
    assert "case:mixed" in res.signature  # sacrebleu saw text we had already lowercased
    assert res.options["case"].startswith("lc-turkic")
    assert "case:lc-az" in res.mt_signature


def test_ter_is_case_insensitive_by_default_and_warned():
    hyp, ref = ["МИНИСТР ПРОВЁЛ ВСТРЕЧУ."], ["Министр провёл встречу."]
    default = score(hyp, [ref], "ru", ["ter"])
    assert default.results["ter"].score == 0.0
    assert "case:lc" in default.results["ter"].signature
    assert any("TER is case-insensitive by default" in w for w in default.warnings)
    strict = score(hyp, [ref], ScoreOptions("ru", ter_case_sensitive=True), ["ter"])
    assert strict.results["ter"].score > 0 and "case:mixed" in strict.results["ter"].signature
    assert not any("TER" in w for w in strict.warnings)


def test_ter_lowercases_azerbaijani_with_turkic_rules():
    s = score(["İLHAM ƏLİYEV"], [["ilham əliyev"]], "az", ["ter"])
    assert s.results["ter"].score == 0.0
    assert s.results["ter"].options["case"].startswith("lc-turkic")


def test_yo_folding_for_russian():
    hyp, ref = ["Он ещё раз провёл встречу."], ["Он еще раз провел встречу."]
    assert score(hyp, [ref], "ru", ["bleu"]).results["bleu"].score < 100
    folded = score(hyp, [ref], ScoreOptions("ru", yo_fold=True), ["bleu"])
    assert folded.results["bleu"].score == pytest.approx(100)
    assert folded.results["bleu"].options["yo_fold"] is True
    with pytest.raises(UserError, match="Russian"):
        score(hyp, [ref], ScoreOptions("az", yo_fold=True), ["bleu"])


def test_nfc_normalization_is_on_by_default():
    composed = "Встреча в Баку состоялась в пятницу."
    decomposed = unicodedata.normalize("NFD", "Встреча в Баку состоялась в йуне.")
    ref = ["Встреча в Баку состоялась в йуне."]
    assert decomposed != ref[0]
    assert score([decomposed], [ref], "ru", ["chrf"]).results["chrf"].score == pytest.approx(100)
    off = score([decomposed], [ref], ScoreOptions("ru", nfc=False), ["chrf"])
    assert off.results["chrf"].score < 100
    assert score([composed], [ref], "ru", ["chrf"]).results["chrf"].options["nfc"] is True


def test_azerbaijani_schwa_lookalikes_are_normalized():
    hyp = ["Azәrbaycan Respublikası"]  # Cyrillic ә (U+04D9)
    s = score(hyp, [["Azərbaycan Respublikası"]], "az", ["chrf"])
    assert s.results["chrf"].score == pytest.approx(100)


# ------------------------------------------------------------------ checks and views


def test_line_count_mismatch_names_files_and_counts(tmp_path, ru_files):
    hyp, ref, _ = ru_files
    short = _write(tmp_path / "short.ru", RU_REF[:5])
    with pytest.raises(UserError) as exc:
        read_inputs(hyp, [ref, short])
    msg = exc.value.format()
    assert f"{hyp} has 8" in msg and f"{short} has 5" in msg and f"{ref} has 8" in msg


def test_non_utf8_file_is_refused(tmp_path, ru_files):
    hyp, _, _ = ru_files
    bad = tmp_path / "cp1251.ru"
    bad.write_bytes("Министр провёл встречу.\n".encode("cp1251"))
    with pytest.raises(UserError, match="not UTF-8"):
        read_inputs(hyp, [bad])


def test_empty_lines_are_counted():
    s = score(RU_HYP, [RU_REF, RU_REF2], "ru", ["bleu"])
    assert s.empty_hyp == 1 and s.empty_refs == [1, 0]
    assert "1 empty hypothesis line(s)" in s.warnings
    assert s.to_dict()["bleu"]["empty_lines"] == {"hyp": 1, "refs": [1, 0]}


def test_unknown_metric_and_tokenizer_and_language():
    with pytest.raises(UserError, match="unknown metric 'meteor'"):
        parse_metric_names("bleu,meteor")
    with pytest.raises(UserError, match="unknown tokenizer"):
        score(README_SYS, README_REFS, ScoreOptions("en", tokenize="moses"))
    with pytest.raises(UserError, match="unsupported language"):
        score(README_SYS, README_REFS, "de")


def test_document_scores_are_corpus_scores_of_each_document():
    from sacrebleu.metrics import BLEU, CHRF

    docs = ["a", "a", "a", "b", "b", "b", "c", "c"]
    per_doc = score_documents(RU_HYP, [RU_REF], docs, "ru", ["bleu", "chrf"])
    assert list(per_doc) == ["a", "b", "c"]
    for doc, rows in (("a", slice(0, 3)), ("b", slice(3, 6)), ("c", slice(6, 8))):
        hyps, refs = RU_HYP[rows], [RU_REF[rows]]
        assert per_doc[doc]["bleu"] == pytest.approx(BLEU().corpus_score(hyps, refs).score)
        assert per_doc[doc]["chrf"] == pytest.approx(CHRF().corpus_score(hyps, refs).score)
    with pytest.raises(UserError, match="doc ids"):
        score_documents(RU_HYP, [RU_REF], docs[:3], "ru")


def test_worst_segments_come_with_source_reference_and_hypothesis():
    s = score(RU_HYP, [RU_REF], "ru", ["bleu", "chrf"])
    srcs = [f"source {i}" for i in range(len(RU_HYP))]
    worst = s.worst(3, RU_HYP, [RU_REF], srcs)
    chrf = s.sentence_scores("chrf")
    assert [w.index for w in worst] == list(np.argsort(chrf, kind="stable")[:3])
    assert worst[0].src == srcs[worst[0].index] and worst[0].refs == [RU_REF[worst[0].index]]
    by_bleu = s.worst(2, RU_HYP, [RU_REF], by="bleu")
    assert by_bleu[0].score == min(s.sentence_scores("bleu"))


def test_parallel_and_blockwise_statistics_equal_sacrebleu(monkeypatch):
    from sacrebleu.metrics import BLEU, CHRF, TER

    from mt.evaluate.metrics import base
    from mt.evaluate.metrics import stats as stats_mod

    metrics = build_metrics(["bleu", "chrf", "ter"], ScoreOptions("ru"))
    hyps = [RU_HYP * 5, RU_REF2 * 5, RU_HYP * 2 + RU_REF2 * 3]  # the third repeats lines
    refs = [RU_REF * 5, RU_REF2[::-1] * 5]
    monkeypatch.setattr(stats_mod, "MIN_PARALLEL_WORK", 1)
    monkeypatch.setattr(base, "EXTRACT_BLOCK", 3)  # many blocks, one split mid-block
    parallel = stats_mod.segment_stats(metrics, hyps, refs, jobs=2)
    for sys_stats, sys_hyps in zip(parallel, hyps, strict=True):
        for key, sb in (("bleu", BLEU()), ("chrf", CHRF()), ("ter", TER())):
            expected = sb._extract_corpus_statistics(sys_hyps, refs)
            np.testing.assert_array_equal(sys_stats[key], np.array(expected))


def test_tokenized_output_is_warned_once():
    hyps = ["Министр провёл встречу ."] * 120
    s = score(hyps, [["Министр провёл встречу."] * 120], "ru", ["bleu"])
    assert [w for w in s.warnings if "tokenized period" in w] == [
        "120 lines end in a tokenized period (' .'); BLEU expects detokenized text"
    ]


def test_signature_counts_references():
    s = score(RU_HYP, [RU_REF, RU_REF2], "ru", ["bleu", "chrf"])
    assert all(re.match(r"nrefs:2\|", r.signature) for r in s.results.values())
