"""Each QA check fires on a real-looking faulty statement sentence and stays quiet on a good one."""

from __future__ import annotations

import pytest

from mt.errors import UserError
from mt.evaluate.qa import (
    DatesCheck,
    EmptyCheck,
    GlossaryCheck,
    LengthRatioCheck,
    NumbersCheck,
    RepetitionCheck,
    Segment,
    TruncatedCheck,
    TsvGlossary,
    UntranslatedCheck,
    WrongScriptCheck,
    find_dates,
    find_numbers,
    load_glossary,
    run_qa,
)

EN = ("Azerbaijan’s Foreign Ministry called on international human rights organizations to "
      "support the trilateral statement signed on November 10, 2020.")  # fmt: skip
RU = ("МИД Азербайджана призвал международные правозащитные организации поддержать "
      "трехстороннее заявление, подписанное 10 ноября 2020 года.")  # fmt: skip
AZ = ("Azərbaycan XİN beynəlxalq insan hüquqları təşkilatlarını 10 noyabr 2020-ci il tarixində "
      "imzalanmış üçtərəfli bəyanata dəstək verməyə çağırıb.")  # fmt: skip


def seg(src: str, hyp: str, src_lang: str = "en", tgt_lang: str = "ru") -> Segment:
    return Segment(0, src, hyp, src_lang, tgt_lang)


def fires(check, segment: Segment) -> bool:
    return check.check(segment) is not None


# ------------------------------------------------------------------------ numbers/dates


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("About 95,000 people returned.", "en", ["95000"]),
        ("Вернулись около 95 000 человек.", "ru", ["95000"]),
        ("Təxminən 95 min nəfər qayıdıb.", "az", ["95000"]),
        ("Təxminən 95.000 nəfər qayıdıb.", "az", ["95000"]),
        ("Growth of 1.5 per cent and 3.2%.", "en", ["1.5%", "3.2%"]),
        ("Рост на 1,5 процента и 3,2%.", "ru", ["1.5%", "3.2%"]),
        ("İnflyasiya %3,2 və 1,5 faiz təşkil edib.", "az", ["3.2%", "1.5%"]),
        ("Aid worth 1.5 million manat.", "en", ["1500000"]),
        ("Помощь на сумму 1,5 млн манатов и 2 млрд долларов.", "ru", ["1500000", "2000000000"]),
        ("1,5 milyon manat yardım.", "az", ["1500000"]),
        ("In 2021 the 10th session took place.", "en", ["2021", "10"]),
        ("2021-ci ildə 10-cu sessiya keçirilib.", "az", ["2021", "10"]),
        ("COVID-19 and the 48 articles of 1995.", "en", ["19", "48", "1995"]),
    ],
)
def test_numbers_are_read_the_way_each_language_writes_them(text, lang, expected):
    assert find_numbers(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("signed on November 10, 2020 in Moscow", "en", ["2020-11-10"]),
        ("signed on 10 November 2020", "en", ["2020-11-10"]),
        ("in November 2020 and on June 18", "en", ["2020-11", "--06-18"]),
        ("подписанное 10 ноября 2020 года", "ru", ["2020-11-10"]),
        ("в ноябре 2020 года, 18 июня и 1 мая", "ru", ["2020-11", "--06-18", "--05-01"]),
        ("10 noyabr 2020-ci il tarixində", "az", ["2020-11-10"]),
        ("2020-ci il noyabrın 10-da imzalanıb", "az", ["2020-11-10"]),
        ("İyunun 18-i İnsan Hüquqları Günüdür", "az", ["--06-18"]),
        ("dated 18.06.2007 and 2007-06-18", "en", ["2007-06-18", "2007-06-18"]),
    ],
)
def test_dates_are_canonical_in_every_language(text, lang, expected):
    assert [d for d, _ in find_dates(text, lang)] == expected


def test_numbers_and_dates_carried_over_en_ru_az():
    numbers, dates = NumbersCheck(), DatesCheck()
    assert not fires(dates, seg(EN, RU)) and not fires(numbers, seg(EN, RU))
    assert not fires(dates, seg(EN, AZ, tgt_lang="az"))
    assert not fires(dates, seg(RU, AZ, "ru", "az"))
    wrong_day = RU.replace("10 ноября", "11 ноября")
    finding = dates.check(seg(EN, wrong_day))
    assert (
        finding is not None and "2020-11-10" in finding.message and "2020-11-11" in finding.message
    )
    src = "The Constitution adopted on November 12, 1995 contains 48 articles."
    good = "Принятая 12 ноября 1995 года Конституция содержит 48 статей."
    bad = "Принятая 12 ноября 1995 года Конституция содержит 84 статьи."
    assert not fires(numbers, seg(src, good))
    finding = numbers.check(seg(src, bad))
    assert finding.score == {"missing": ["48"], "extra": ["84"]}


def test_number_formats_that_change_the_value_are_caught():
    src = "About 95,000 displaced persons will return."
    assert not fires(NumbersCheck(), seg(src, "Около 95 000 вынужденных переселенцев вернутся."))
    # "95,000" written English-style in Russian reads as 95: the check says so
    finding = NumbersCheck().check(seg(src, "Около 95,000 вынужденных переселенцев вернутся."))
    assert finding.score == {"missing": ["95000"], "extra": ["95"]}
    az_ok = "Təxminən 95 min məcburi köçkün qayıdacaq."
    assert not fires(NumbersCheck(), seg(src, az_ok, tgt_lang="az"))


# ------------------------------------------------------------------------------ glossary


def test_glossary_terms_honoured_with_inflection():
    glossary = load_glossary()  # the translation layer's configs/glossary.tsv
    if glossary is None:
        pytest.skip("no bundled glossary")
    check = GlossaryCheck(glossary)
    src = "The Ministry of Foreign Affairs of Azerbaijan issued a statement."
    good = "Министерство иностранных дел Азербайджана распространило заявление."
    inflected = "В заявлении Министерства иностранных дел Азербайджана говорится об этом."
    bad = "Внешнеполитическое ведомство Азербайджана распространило заявление."
    assert not fires(check, seg(src, good))
    assert not fires(check, seg(src, inflected))
    finding = check.check(seg(src, bad))
    assert finding is not None and "Министерство иностранных дел" in finding.message


def test_fallback_tsv_glossary(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("# terms\nen\taz\tru\nForeign Ministry\tXarici İşlər Nazirliyi\tМИД\n",
                    encoding="utf-8")  # fmt: skip
    check = GlossaryCheck(TsvGlossary.read(path))
    src = "The Foreign Ministry said."
    assert not fires(check, Segment(0, src, "Xarici İşlər Nazirliyinin bəyanatı.", "en", "az"))
    assert fires(check, Segment(0, src, "Xarici Siyasət İdarəsi bildirib.", "en", "az"))
    assert not fires(check, Segment(0, "The ministry said.", "Nazirlik bildirib.", "en", "az"))


# ------------------------------------------------------------------------- other checks


def test_untranslated_or_copied_source():
    check = UntranslatedCheck()
    assert not fires(check, seg(EN, RU))
    assert fires(check, seg(EN, EN))
    half = ("МИД Азербайджана called on international human rights organizations to support "
            "the trilateral statement.")  # fmt: skip
    assert fires(check, seg(EN, half))
    # names and acronyms repeat legitimately between English and Azerbaijani
    src = "The OSCE Minsk Group co-chairs met Ilham Aliyev in Baku."
    hyp = "ATƏT-in Minsk qrupunun həmsədrləri Bakıda İlham Əliyev ilə görüşüb."
    assert not fires(check, seg(src, hyp, tgt_lang="az"))


def test_wrong_script():
    check = WrongScriptCheck()
    assert not fires(check, seg(EN, RU))
    assert not fires(check, seg(EN, AZ, tgt_lang="az"))
    ok_acronyms = "Встреча прошла в формате OSCE и COVID-19, подробнее на www.mfa.gov.az."
    assert not fires(check, seg("The meeting took place.", ok_acronyms))
    leftover = "Министр подчеркнул важность human rights в регионе."
    assert check.check(seg("The minister stressed human rights.", leftover)).severity == "error"
    kept_name = "Заявление опубликовано в Twitter министерства."
    finding = check.check(seg("The statement was posted on the ministry's Twitter.", kept_name))
    assert finding.severity == "warning" and "Twitter" in finding.message
    cyr_in_az = "Azərbaycan Respublikasının Xarici İşlər Назирлийи bəyanat yayıb."
    assert fires(check, seg(EN, cyr_in_az, tgt_lang="az"))
    schwa = "Azәrbaycan bəyanat yayıb."  # Cyrillic ә
    assert fires(check, seg(EN, schwa, tgt_lang="az"))
    assert fires(check, seg(AZ, "Ilham Əliyev met the minister.", "az", "en"))
    assert not fires(check, seg(AZ, "Ilham Aliyev met the minister.", "az", "en"))


def test_empty_output():
    check = EmptyCheck()
    assert not fires(check, seg(EN, RU))
    assert check.check(seg(EN, "   ")).severity == "error"
    assert check.check(seg("", "Лишний текст.")).severity == "warning"
    assert not fires(check, seg("", ""))


def test_truncated_output():
    check = TruncatedCheck()
    assert not fires(check, seg(EN, RU))
    cut = "МИД Азербайджана призвал международные правозащитные организации поддержать"
    assert fires(check, seg(EN, cut))
    assert check.check(seg(EN, RU[:60] + " и")).severity == "error"
    assert fires(check, seg(EN, "МИД Азербайджана призвал организации,"))
    open_quote = "«Наша страна является участницей основных документов, — добавила она."
    src = "“Our country is a party to major instruments,” she added."
    assert fires(check, seg(src, open_quote))
    az_cut = "Azərbaycan XİN beynəlxalq təşkilatları bəyanata dəstək verməyə və"
    assert fires(check, seg(EN, az_cut, tgt_lang="az"))


def test_length_ratio_outliers():
    check = LengthRatioCheck()
    assert not fires(check, seg(EN, RU))
    assert not fires(check, seg("Yes.", "Да."))
    assert fires(check, seg(EN, "МИД призвал."))
    assert fires(check, seg("Baku welcomed it.", RU))
    # fitted on a batch, the expectation is the batch's own median ratio
    segments = [Segment(i, EN, RU, "en", "ru") for i in range(30)]
    check.fit(segments)
    assert check.expected == pytest.approx((len(RU) + 10) / (len(EN) + 10))


def test_repetition():
    check = RepetitionCheck()
    assert not fires(check, seg(EN, RU))
    looped = "Стороны обсудили вопросы в целях в целях в целях сотрудничества."
    assert fires(check, seg("The sides discussed cooperation.", looped))
    assert fires(check, seg("Peace is needed.", "Нужен мир мир мир."))
    assert not fires(check, seg("step by step", "шаг за шагом"))
    chant = "Qarabağ Azərbaycandır, Qarabağ Azərbaycandır!"
    src = "Karabakh is Azerbaijan, Karabakh is Azerbaijan!"
    assert not fires(check, seg(src, "Карабах — это Азербайджан, Карабах — это Азербайджан!"))
    assert not fires(check, Segment(0, chant, chant.replace("!", "."), "az", "az"))


# -------------------------------------------------------------------------- the runner


def test_run_qa_reports_and_summarizes():
    srcs = [
        EN,
        "The Constitution adopted on November 12, 1995 contains 48 articles.",
        "The ministry expressed its deep concern.",
        "Peace is needed in the region.",
    ]
    hyps = [
        RU,
        "Конституция, принятая 12 ноября 1995 года, содержит 84 статьи.",
        "",
        "В регионе нужен мир мир мир.",
    ]
    report = run_qa(srcs, hyps, "en", "ru")
    summary = report.summary()
    assert summary["numbers"] == 1 and summary["empty"] == 1 and summary["repetition"] == 1
    assert summary["dates"] == 0 and 0 not in report.by_segment()
    data = report.to_dict()
    assert data["segments"] == 4 and data["flagged_segments"] == 3
    assert {f["check"] for row in data["flagged"] for f in row["findings"]} >= {"numbers", "empty"}


def test_run_qa_input_errors():
    with pytest.raises(UserError, match="line counts differ"):
        run_qa([EN, EN], [RU], "en", "ru")
    with pytest.raises(UserError, match="unsupported language"):
        run_qa([EN], [RU], "en", "de")
    with pytest.raises(UserError, match="both en"):
        run_qa([EN], [EN], "en", "en")


def _gold_pairs(src: str, tgt: str) -> list[tuple[str, str]]:
    """Sentence pairs of the bundled corpus from its hand-checked beads."""
    import re

    from mt.corpus.segment import segment
    from tests.conftest import CORPORA

    pairs = []
    for doc in sorted(CORPORA.glob("*/gold")):
        beads = doc / f"{src}-{tgt}.beads"
        if not beads.exists():
            continue
        sents = {lang: [s for para in segment((doc.parent / f"{lang}.txt").read_text(), lang)
                        for s in para] for lang in (src, tgt)}  # fmt: skip
        for line in beads.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\[([\d,]*)\]:\[([\d,]*)\]", line)
            if m and m[1] and m[2]:
                pairs.append(tuple(" ".join(sents[lang][int(i)] for i in ids.split(","))
                                   for lang, ids in ((src, m[1]), (tgt, m[2]))))  # fmt: skip
    return pairs


@pytest.mark.parametrize(("src", "tgt"), [("en", "ru"), ("en", "az"), ("az", "ru")])
def test_human_translations_of_the_bundled_corpus_raise_no_errors(src, tgt):
    """Real statements, human-translated: the checks must not cry wolf (warnings allowed)."""
    pairs = _gold_pairs(src, tgt)
    if len(pairs) < 100:
        pytest.skip("bundled corpus not available")
    for flip in (False, True):
        rows = [(y, x) for x, y in pairs] if flip else pairs
        a, b = (tgt, src) if flip else (src, tgt)
        srcs = [r[0] for r in rows]
        report = run_qa(srcs, [r[1] for r in rows], a, b)
        errors = [f for f in report.findings if f.severity == "error"]
        assert errors == [], [(f.check, f.message, srcs[f.index]) for f in errors[:3]]
