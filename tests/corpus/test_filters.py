"""Export filters on pairs in the style of ministry statements (en, az, ru)."""

from __future__ import annotations

from collections import Counter

import pytest

from mt.corpus.filters import (
    ExactDedup,
    LengthFilter,
    LengthRatioFilter,
    NormalizedDedup,
    OriginFilter,
    ScriptFilter,
    apply_filters,
    build_filters,
    normalized_text,
    script_fraction,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError

EN = "The Ministry of Foreign Affairs of the Republic of Azerbaijan strongly condemns the attack."
AZ = "Azərbaycan Respublikasının Xarici İşlər Nazirliyi hücumu qətiyyətlə pisləyir."
RU = "Министерство иностранных дел Азербайджанской Республики решительно осуждает нападение."
EN2 = "The parties reaffirmed their commitment to the principles of the OSCE and NATO."
RU2 = "Стороны подтвердили приверженность принципам ОБСЕ и NATO."
AZ_CYRILLIC = "Азәрбајҹан Республикасынын Хариҹи Ишләр Назирлији һүҹуму гәтијјәтлә писләјир."


def pair(src: str, tgt: str, src_lang: str = "en", tgt_lang: str = "ru", **kw) -> PairRecord:
    return PairRecord(src, tgt, src_lang, tgt_lang, **kw)


# ------------------------------------------------------------------------- length


def test_length_filter_per_side():
    flt = LengthFilter(min_words=3, max_words=20)
    assert flt.accept(pair(EN, RU))
    assert flt.score(pair(EN, RU)) == (14, 8)
    assert not flt.accept(pair("Baku.", "Баку."))  # a dateline, not a sentence
    assert not flt.accept(pair(EN, "Да."))  # one side too short is enough
    long_en = " ".join([EN] * 3)
    assert not flt.accept(pair(long_en, RU))


def test_length_filter_without_upper_bound():
    assert LengthFilter(min_words=1).accept(pair(" ".join([EN] * 20), RU))


def test_length_ratio_filter():
    flt = LengthRatioFilter(max_ratio=2.0)
    assert flt.accept(pair(EN, RU))
    assert flt.accept(pair(EN, AZ, "en", "az"))
    assert 0.9 < flt.score(pair(EN, RU)) < 1.1
    assert not flt.accept(pair(EN, "Осуждает."))
    assert flt.score(pair(EN, " ")) == float("inf")
    assert not flt.accept(pair(EN, ""))


# ------------------------------------------------------------------------- script


def test_script_filter_accepts_each_language_in_its_script():
    flt = ScriptFilter()
    assert flt.accept(pair(EN, RU))
    assert flt.accept(pair(EN, AZ, "en", "az"))
    assert flt.accept(pair(AZ, RU, "az", "ru"))
    assert flt.score(pair(AZ, RU, "az", "ru")) == (1.0, 1.0)


def test_script_filter_tolerates_latin_acronyms_in_russian():
    src_share, tgt_share = ScriptFilter().score(pair(EN2, RU2))
    assert src_share == 1.0 and 0.8 < tgt_share < 1.0
    assert ScriptFilter().accept(pair(EN2, RU2))


def test_script_filter_rejects_untranslated_text():
    flt = ScriptFilter()
    assert not flt.accept(pair(EN, EN))  # English left in the Russian column
    assert not flt.accept(pair(RU, RU))  # Russian in the English column
    assert not flt.accept(pair(EN, RU, "en", "az"))  # Russian where Azerbaijani belongs


def test_script_filter_rejects_azerbaijani_in_cyrillic():
    assert script_fraction(AZ_CYRILLIC, "az") == 0.0
    assert not ScriptFilter().accept(pair(EN, AZ_CYRILLIC, "en", "az"))


def test_script_filter_ignores_digits_and_punctuation():
    assert script_fraction("12.06.2024 — 15:30", "ru") == 1.0  # no letters: no evidence
    assert script_fraction("Bakı, 18 iyun 2024-cü il", "az") == 1.0


def test_script_filter_threshold():
    mixed = "Заявление МИД: Statement of the Ministry."
    assert ScriptFilter(threshold=0.3).accept(pair(EN, mixed))
    assert not ScriptFilter(threshold=0.8).accept(pair(EN, mixed))


# ------------------------------------------------------------------------- dedup


def test_exact_dedup_drops_repeats_only():
    flt = ExactDedup()
    first = pair(EN, RU, doc_key="mfa-1")
    again = pair(EN, RU, doc_key="mfa-2")  # the same boilerplate in another statement
    assert flt.score(first) == 0.0
    assert flt.accept(first)
    assert flt.score(again) == 1.0
    assert not flt.accept(again)
    assert flt.accept(pair(EN2, RU2))
    assert flt.accept(pair(EN + " ", RU))  # not identical: exact dedup keeps it


def test_dedup_stores_eight_byte_hashes():
    flt = NormalizedDedup()
    for i in range(100):
        flt.accept(pair(f"Statement number {'I' * (i + 1)}.", "Заявление."))
    assert len(flt.seen) == 100
    assert {len(key) for key in flt.seen} == {8}
    assert all(isinstance(key, bytes) for key in flt.seen)


def test_normalized_dedup_ignores_case_punctuation_and_spacing_not_figures():
    flt = NormalizedDedup()
    assert flt.accept(
        pair("Baku, 18 June 2024, 95,000 people.", "Баку, 18 июня 2024 г., 95 000 человек.")
    )
    assert not flt.accept(
        pair("BAKU  18 june 2024 95 000 people!", "баку — 18 июня 2024 г 95,000 человек")
    )
    # a different date or figure is a different statement sentence
    assert flt.accept(
        pair("Baku, 19 June 2024, 95,000 people.", "Баку, 19 июня 2024 г., 95 000 человек.")
    )
    assert flt.accept(pair("Baku, June.", "Москва, июнь."))  # different text


def test_normalized_dedup_is_turkic_aware_for_azerbaijani():
    assert normalized_text("XARİCİ İŞLƏR NAZİRLİYİ", "az") == "xarici işlər nazirliyi"
    assert normalized_text("İSTİQLAL", "az") == "istiqlal"
    assert normalized_text("QIZ", "az") == "qız"
    flt = NormalizedDedup()
    assert flt.accept(pair(AZ, RU, "az", "ru"))
    shouted = "AZƏRBAYCAN RESPUBLİKASININ XARİCİ İŞLƏR NAZİRLİYİ HÜCUMU QƏTİYYƏTLƏ PİSLƏYİR"
    assert not flt.accept(pair(shouted, RU, "az", "ru"))


def test_normalized_dedup_unifies_schwa_lookalikes_and_nfc():
    flt = NormalizedDedup()
    assert flt.accept(pair("Bəyanat.", "Заявление.", "az", "ru"))
    assert not flt.accept(pair("B\u04d9yanat.", "Заявление.", "az", "ru"))  # Cyrillic ә typed in
    decomposed = "Bəyanat verdi: Şuşa."  # ş as s + combining cedilla
    assert flt.accept(pair(decomposed.replace("ş", "s\u0327"), "Шуша.", "az", "ru"))
    assert not flt.accept(pair(decomposed, "Шуша.", "az", "ru"))


# ------------------------------------------------------------------------- origin


def test_origin_filter_excludes_machine_translation():
    human = pair(EN, RU, src_origin="original", tgt_origin="human")
    machine = pair(EN, RU, src_origin="original", tgt_origin="machine")
    machine_src = pair(RU, EN, "ru", "en", src_origin="machine", tgt_origin="original")
    flt = OriginFilter()
    assert flt.accept(human) and flt.score(human) == 0.0
    assert not flt.accept(machine) and flt.score(machine) == 1.0
    assert not flt.accept(machine_src)
    assert flt.accept(pair(EN, RU))  # unknown provenance (imported) is kept
    assert OriginFilter(allow_machine=True).accept(machine)


# ------------------------------------------------------------------------- chain


def test_build_filters_order_and_options():
    names = [f.name for f in build_filters(1, 80, 2.5, True, "normalized", False)]
    assert names == ["origin", "length", "length_ratio", "script", "dedup_normalized"]
    assert build_filters(include_machine=True) == []
    assert [f.name for f in build_filters(dedup="exact", include_machine=True)] == ["dedup_exact"]
    [script] = build_filters(script=0.6, include_machine=True)
    assert script.threshold == 0.6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dedup": "fuzzy"}, "unknown dedup mode 'fuzzy'"),
        ({"min_len": 10, "max_len": 5}, "above maximum length"),
        ({"max_len": 0}, "positive"),
        ({"max_ratio": 0.5}, "at least 1"),
        ({"max_ratio": float("nan")}, "finite number"),
        ({"max_ratio": float("inf")}, "finite number"),
        ({"script": 1.5}, "between 0 and 1"),
    ],
)
def test_build_filters_rejects_bad_options(kwargs, message):
    with pytest.raises(UserError, match=message):
        build_filters(**kwargs)


def test_apply_filters_counts_rejections_per_filter():
    records = [
        pair(EN, RU, src_origin="original", tgt_origin="human"),
        pair(EN, RU, src_origin="original", tgt_origin="human"),  # duplicate
        pair(EN2, RU2, src_origin="original", tgt_origin="machine"),  # machine
        pair("Baku.", "Баку."),  # too short
        pair(EN, "Нет.", src_origin="original", tgt_origin="human"),  # too short and ratio
        pair(EN, EN.replace("attack", "assault")),  # untranslated
        pair(EN2, RU2),
    ]
    stats: Counter = Counter()
    filters = build_filters(3, 60, 2.0, True, "exact", False)
    kept = list(apply_filters(iter(records), filters, stats))
    assert kept == [records[0], records[6]]
    assert stats == Counter(
        {"dedup_exact": 1, "origin": 1, "length": 2, "script": 1}
    )  # "Нет." fails length first: a pair is charged to the first filter that rejects it


def test_apply_filters_streams():
    def endless():
        while True:
            yield pair(EN, RU)

    first = next(apply_filters(endless(), [LengthFilter(1)], Counter()))
    assert first.src == EN
