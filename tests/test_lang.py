"""mt.lang: language codes, NFC, Azerbaijani schwa look-alikes, Turkic casing, transliteration.

Why these matter: a schwa typed as Cyrillic ә or a decomposed letter makes the same word
two different strings to the store, deduplication and BLEU; str.lower() breaks Azerbaijani
dotted/dotless i.
"""

from __future__ import annotations

import unicodedata

import pytest

from mt.errors import UserError
from mt.lang import (
    LANGS,
    PAIRS,
    az_cyrillic_to_latin,
    canonical_pair,
    check_lang,
    lower,
    normalize,
    parse_pair,
    upper,
)

# --- codes and pairs ----------------------------------------------------------------------


def test_supported_languages_and_pairs() -> None:
    assert LANGS == ("en", "az", "ru")
    assert PAIRS == (("en", "az"), ("en", "ru"), ("az", "ru"))


@pytest.mark.parametrize(("code", "want"), [("en", "en"), (" AZ ", "az"), ("Ru", "ru")])
def test_check_lang_normalizes(code: str, want: str) -> None:
    assert check_lang(code) == want


@pytest.mark.parametrize("code", ["de", "", "english", "az-Cyrl", "tr"])
def test_check_lang_rejects_unknown_codes_naming_the_supported_ones(code: str) -> None:
    with pytest.raises(UserError, match=r"unsupported language .*\(supported: en, az, ru\)"):
        check_lang(code)


@pytest.mark.parametrize(
    ("pair", "want"),
    [("en-ru", ("en", "ru")), ("ru_en", ("ru", "en")), ("AZ-RU", ("az", "ru"))],
)
def test_parse_pair_keeps_the_given_order(pair: str, want: tuple[str, str]) -> None:
    assert parse_pair(pair) == want


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("en", "invalid language pair 'en'"),
        ("en-ru-az", "invalid language pair"),
        ("", "invalid language pair"),
        ("en-en", "both sides are en"),
        ("ru_RU", "both sides are ru"),
        ("en-de", "unsupported language 'de'"),
    ],
)
def test_parse_pair_errors_are_user_errors(pair: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_pair(pair)


def test_user_error_is_one_line_with_location() -> None:
    err = UserError("bad pair", path="corpora/x/en.txt", line=3)
    assert str(err) == "corpora/x/en.txt:3: bad pair"
    assert "\n" not in str(err)


def test_canonical_pair_orders_en_az_ru() -> None:
    assert canonical_pair("en", "ru") == (("en", "ru"), False)
    assert canonical_pair("ru", "en") == (("en", "ru"), True)
    assert canonical_pair("ru", "az") == (("az", "ru"), True)
    assert canonical_pair("az", "ru") == (("az", "ru"), False)


# --- Turkic casing ------------------------------------------------------------------------


def test_turkic_lower_differs_from_str_lower() -> None:
    assert lower("İSTANBUL", "az") == "istanbul"
    assert "İSTANBUL".lower() == "i\u0307stanbul"  # a stray combining dot
    assert lower("ILIQ", "az") == "ılıq"
    assert "ILIQ".lower() == "iliq"  # wrong for Azerbaijani: dotless ı lost


def test_turkic_upper_differs_from_str_upper() -> None:
    assert upper("istiqlal ılıq", "az") == "İSTİQLAL ILIQ"
    assert "istiqlal".upper() == "ISTIQLAL"


def test_casing_round_trips_azerbaijani_words() -> None:
    for word in ["İlham", "Işıq", "Əliyev", "Şuşa", "Gəncə", "Ağdam", "Ümid", "Çin", "Ölkə"]:
        assert lower(upper(word, "az"), "az") == lower(word, "az")
        assert upper(lower(word, "az"), "az") == upper(word, "az")


def test_casing_without_az_is_plain_python() -> None:
    assert lower("Istanbul", "en") == "istanbul"
    assert lower("ИСТАНБУЛ", "ru") == "истанбул"
    assert upper("iliq") == "ILIQ"


def test_turkic_lower_of_decomposed_dotted_capital_i() -> None:
    decomposed = unicodedata.normalize("NFD", "İSTANBUL")
    assert lower(decomposed, "az") == "istanbul"


# --- normalization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Azәrbaycan", "Azərbaycan"),  # Cyrillic ә U+04D9
        ("ӘLİYEV", "ƏLİYEV"),  # Cyrillic Ә U+04D8
        ("Gäncä", "Gəncə"),  # Latin a-umlaut, an old substitute
        ("ÄLİYEV", "ƏLİYEV"),
        ("\u018eliyev", "Əliyev"),  # reversed E U+018E, whose lowercase is not ə
        ("Gənc\u01dd", "Gəncə"),  # turned e U+01DD
    ],
)
def test_schwa_lookalikes_become_the_azerbaijani_schwa(text: str, want: str) -> None:
    assert normalize(text, "az") == want
    assert "ə" in lower(normalize(text, "az"), "az")


def test_schwa_lookalikes_are_kept_outside_azerbaijani() -> None:
    assert normalize("Gäncä", "en") == "Gäncä"
    assert normalize("Азәрбајҹан", "ru") == "Азәрбајҹан"
    assert normalize("Gäncä") == "Gäncä"


@pytest.mark.parametrize("lang", [None, "en", "az", "ru"])
def test_normalize_composes_decomposed_input(lang: str | None) -> None:
    for word in ["Şuşa", "Gəncə", "İçərişəhər", "Ağdam", "Göygöl", "Йемен", "Ёлка", "café"]:
        decomposed = unicodedata.normalize("NFD", word)
        assert decomposed != word or word == "Gəncə"  # ə has no decomposition
        assert normalize(decomposed, lang) == word


def test_normalize_changes_nothing_else() -> None:
    text = "“Mr. Aliyev,” — 95 000 manat; «Привет»!"
    assert normalize(text, "az") == text


# --- Azerbaijani Cyrillic -> Latin --------------------------------------------------------


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Азәрбајҹан Республикасы", "Azərbaycan Respublikası"),
        ("Һејдәр Әлијев", "Heydər Əliyev"),
        ("Хариҹи Ишләр Назирлији", "Xarici İşlər Nazirliyi"),
        ("Гарабағ, Шуша вә Ҝәнҹә", "Qarabağ, Şuşa və Gəncə"),
        ("Бакы шәһәри, Үмид күчәси", "Bakı şəhəri, Ümid küçəsi"),
        ("Өлкәмиз Чин илә әмәкдашлыг едир.", "Ölkəmiz Çin ilə əməkdaşlıq edir."),
        ("Јени ил, Жалә, Фүзули", "Yeni il, Jalə, Füzuli"),
        ("ЈУХАРЫ ГАРАБАҒ", "YUXARI QARABAĞ"),
        ("Юсиф вә Яшар", "Yusif və Yaşar"),
        ("1991-ҹи илдә", "1991-ci ildə"),
    ],
)
def test_az_cyrillic_to_latin(cyrillic: str, latin: str) -> None:
    assert az_cyrillic_to_latin(cyrillic) == latin


def test_az_cyrillic_to_latin_composes_decomposed_input() -> None:
    assert az_cyrillic_to_latin(unicodedata.normalize("NFD", "Тојуғ вә Йемен")) == "Toyuğ və Yemen"


def test_az_cyrillic_to_latin_leaves_latin_text_and_punctuation() -> None:
    text = "News.Az, 10.11.2020 — “OK”!"
    assert az_cyrillic_to_latin(text) == text
