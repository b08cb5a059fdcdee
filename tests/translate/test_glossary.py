"""The glossary: its file, finding terms (inflected too), verifying translations, enforcing."""

from __future__ import annotations

import re

import pytest

from mt.errors import UserError
from mt.translate.glossary import TYPES, Glossary, GlossaryIssue, Term, parse_tsv
from mt.translate.pipeline import Translator

HEADER = "en\taz\tru\ttype\n"


@pytest.fixture(scope="module")
def bundled() -> Glossary:
    return Glossary.default()


def write(tmp_path, text: str, name: str = "g.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- the file


def test_bundled_glossary_is_complete(bundled):
    assert len(bundled) >= 60
    assert {t.type for t in bundled.terms} == set(TYPES)
    assert all(set(t.forms) == {"en", "az", "ru"} for t in bundled.terms)
    forms = {t.forms["en"]: t.forms for t in bundled.terms}
    assert forms["Heydar Aliyev"] == {"en": "Heydar Aliyev", "az": "Heydər Əliyev",
                                      "ru": "Гейдар Алиев"}  # fmt: skip
    assert forms["Ilham Aliyev"]["az"] == "İlham Əliyev"
    assert forms["Ministry of Foreign Affairs"]["ru"] == "Министерство иностранных дел"
    assert forms["Milli Majlis"]["az"] == "Milli Məclis"
    assert forms["OSCE"] == {"en": "OSCE", "az": "ATƏT", "ru": "ОБСЕ"}
    assert forms["trilateral statement"]["ru"] == "трёхстороннее заявление"
    for name in ("Baku", "Ganja", "Shusha", "Nakhchivan", "Karabakh", "Constitution",
                 "Cabinet of Ministers", "UN Security Council", "Council of Europe",
                 "European Union"):  # fmt: skip
        assert name in forms
    sources = [t.forms["en"].lower() for t in bundled.terms]
    assert len(sources) == len(set(sources)), "duplicate English entries"


def test_columns_in_any_order_and_comments(tmp_path):
    g = Glossary.load(write(tmp_path, "# names\nru\ten\nБаку\tBaku\n\n# more\nШуша\tShusha\n"))
    assert [t.forms for t in g.terms] == [{"ru": "Баку", "en": "Baku"},
                                          {"ru": "Шуша", "en": "Shusha"}]  # fmt: skip
    assert g.terms[1].line == 6 and g.terms[0].type is None
    assert len(g.pair("en", "ru")) == 2 and len(g.pair("en", "az")) == 0


@pytest.mark.parametrize("text, line, message", [
    ("english\tazeri\trussian\nBaku\tBakı\tБаку\n", 1, "header must name"),
    ("en\taz\tru\tnote\n", 1, "header must name"),
    ("en\n", 1, "at least two"),
    ("en\ten\tru\n", 1, "header must name"),
    (HEADER + "Baku\tBakı\tБаку\tplace\nGanja\tGəncə\tГянджа\n", 3, "expected 4 tab-separated"),
    (HEADER + "Baku Bakı Баку place\n", 2, "expected 4 tab-separated"),
    (HEADER + "Baku\tBakı\tБаку\tcity\n", 2, "unknown term type"),
    (HEADER + "Baku\t\t\tplace\n", 2, "at least two languages"),
])  # fmt: skip
def test_wrong_columns_name_the_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(UserError, match=message) as exc:
        Glossary.load(path)
    assert exc.value.line == line and exc.value.path == str(path)
    assert "\n" not in exc.value.format()


def test_empty_and_binary_glossaries(tmp_path):
    with pytest.raises(UserError, match="empty"):
        Glossary.load(write(tmp_path, "# only a comment\n"))
    binary = tmp_path / "g.bin"
    binary.write_bytes(b"en\x00az\x00")
    with pytest.raises(UserError, match="binary"):
        Glossary.load(binary)


def test_forms_are_normalized():
    (term,) = parse_tsv("en\taz\nGanja\tGәncә\n")  # Cyrillic schwa typed by mistake
    assert term.forms["az"] == "Gəncə"


# ---------------------------------------------------------------------------- finding


def found(pair, text):
    return [(m.term.forms[pair.src], text[m.start : m.end], m.exact) for m in pair.find(text)]


def test_longest_term_wins(bundled):
    pair = bundled.pair("en", "ru")
    text = "The OSCE Minsk Group and the OSCE met in the UN Security Council."
    assert found(pair, text) == [
        ("OSCE Minsk Group", "OSCE Minsk Group", True), ("OSCE", "OSCE", True),
        ("UN Security Council", "UN Security Council", True),
    ]  # fmt: skip


def test_acronyms_match_exactly(bundled):
    pair = bundled.pair("en", "ru")
    assert found(pair, "Under the UN's rules, unlike EU law") == [
        ("UN", "UN", True), ("EU", "EU", True)]  # fmt: skip
    assert found(pair, "an un-official eulogy") == []


def test_english_plurals_but_not_derived_words(bundled):
    pair = bundled.pair("en", "ru")
    assert found(pair, "Both Constitutions") == [("Constitution", "Constitutions", False)]
    assert found(pair, "Russian and Armenian troops") == []


def test_inflected_source_terms(bundled):
    az = bundled.pair("az", "en")
    text = "Heydər Əliyevin adını daşıyan Bakıdakı Xarici İşlər Nazirliyinin binası"
    assert found(az, text) == [
        ("Heydər Əliyev", "Heydər Əliyevin", False), ("Bakı", "Bakıdakı", False),
        ("Xarici İşlər Nazirliyi", "Xarici İşlər Nazirliyinin", False),
    ]  # fmt: skip
    ru = bundled.pair("ru", "en")
    assert found(ru, "Встреча Гейдара Алиева в Шуше") == [
        ("Гейдар Алиев", "Гейдара Алиева", False), ("Шуша", "Шуше", False)]  # fmt: skip


def test_words_of_a_term_must_be_adjacent(bundled):
    pair = bundled.pair("en", "ru")
    assert found(pair, "Heydar, Aliyev") == []
    assert found(pair, "the First  Vice-President") == [
        ("First Vice-President", "First  Vice-President", True)]  # fmt: skip


# ---------------------------------------------------------------------------- verifying


@pytest.mark.parametrize("tgt, form, translation, ok", [
    ("ru", "Гейдар Алиев", "встреча с Гейдаром Алиевым", True),
    ("ru", "Гейдар Алиев", "наследие Гейдара Алиева", True),
    ("ru", "Гейдар Алиев", "Хейдар Алиев", False),
    ("ru", "трёхстороннее заявление", "трехстороннего заявления", True),
    ("ru", "Министерство иностранных дел", "Министерства иностранных дел", True),
    ("ru", "Минская группа ОБСЕ", "сопредседатели Минской группы ОБСЕ", True),
    ("ru", "Минская группа ОБСЕ", "сопредседатели Минской группы", False),
    ("ru", "Россия", "российский", False),
    ("az", "Xarici İşlər Nazirliyi", "XARİCİ İŞLƏR NAZİRLİYİNİN", True),
    ("az", "Bakı", "Bakıda keçirilib", True),
    ("az", "Qarabağ", "Qarabağın", True),
    ("az", "ATƏT", "ATƏT-in", True),
    ("en", "Heydar Aliyev", "Heydar Aliyev's legacy", True),
    ("en", "Baku", "Bakuvian", False),
])  # fmt: skip
def test_honoured_handles_inflection(tgt, form, translation, ok):
    src = "en" if tgt != "en" else "ru"
    term = Term({src: "x", tgt: form})
    assert Glossary([term]).pair(src, tgt).honoured(term, translation) is ok


def test_check_reports_missing_terms_once(bundled):
    pair = bundled.pair("en", "ru")
    issues = pair.check("Baku and Shusha; Baku again.", "Баку и Шушинский район.")
    assert issues == [GlossaryIssue("Shusha", "Шуша")]


# ---------------------------------------------------------------------------- enforcing


def fake_model(mapping):
    """A model that translates words it knows and copies the rest (placeholders too)."""

    def translate(sentence):
        for en, ru in mapping.items():
            sentence = sentence.replace(en, ru)
        return sentence

    return translate


MODEL = {"met": "встретился с", "in": "в", "said": "заявил", "President": "Президент"}


def sent(engine):
    return [s for batch in engine.calls for s in batch]


def test_mask_mode_masks_and_restores(fake_engine, bundled):
    engine = fake_engine("en", "ru", fake_model(MODEL))
    t = Translator.from_engines([engine], glossary=bundled, glossary_mode="mask")
    result = t.translate_text("President Ilham Aliyev met Antonio Guterres in Baku.\n")
    assert sent(engine) == ["President [1] met [2] in [3]."]
    assert result.text == "Президент Ильхам Алиев встретился с Антониу Гутерриш в Баку.\n"
    assert result.glossary_issues == []


def test_repair_mode_masks_only_the_misses(fake_engine, bundled):
    model = dict(MODEL, **{"Ilham Aliyev": "Ильхамом Алиевым", "Baku": "Бейку"})
    engine = fake_engine("en", "ru", fake_model(model))
    t = Translator.from_engines([engine], glossary=bundled)  # repair is the default
    result = t.translate_text("President met Ilham Aliyev in Baku.\n")
    # first as it is; then again with the terms masked, because "Baku" was missed
    assert sent(engine) == ["President met Ilham Aliyev in Baku.", "President met [1] in [2]."]
    assert result.text == "Президент встретился с Ильхам Алиев в Баку.\n"
    assert result.glossary_issues == []


def test_repair_mode_keeps_a_good_inflected_translation(fake_engine, bundled):
    model = dict(MODEL, **{"Ilham Aliyev": "Ильхамом Алиевым"})
    engine = fake_engine("en", "ru", fake_model(model))
    result = Translator.from_engines([engine], glossary=bundled).translate_text(
        "President met Ilham Aliyev.\n"
    )
    assert len(engine.calls) == 1
    assert result.text == "Президент встретился с Ильхамом Алиевым.\n"


def test_lost_placeholder_falls_back_and_is_reported(fake_engine, bundled):
    def drops_placeholders(s):
        return re.sub(r"\[\d+\]", "", fake_model(MODEL)(s))

    engine = fake_engine("en", "ru", drops_placeholders)
    t = Translator.from_engines([engine], glossary=bundled, glossary_mode="mask")
    result = t.translate_text("President met Ilham Aliyev.\n")
    assert sent(engine) == ["President met [1].", "President met Ilham Aliyev."]
    assert result.text == "Президент встретился с Ilham Aliyev.\n"
    assert result.glossary_issues == [(0, GlossaryIssue("Ilham Aliyev", "Ильхам Алиев"))]
    assert result.sentences[0].glossary_issues[0].as_dict() == {
        "source": "Ilham Aliyev", "target": "Ильхам Алиев"}  # fmt: skip


def test_verify_mode_only_reports(fake_engine, bundled):
    engine = fake_engine("en", "ru", fake_model(MODEL))
    t = Translator.from_engines([engine], glossary=bundled, glossary_mode="verify")
    result = t.translate_text("President met Ilham Aliyev.\n")
    assert len(engine.calls) == 1
    assert [i.target for _, i in result.glossary_issues] == ["Ильхам Алиев"]


def test_a_term_that_is_the_whole_sentence_needs_no_model(fake_engine, bundled):
    engine = fake_engine("en", "ru", lambda s: "???")
    t = Translator.from_engines([engine], glossary=bundled, glossary_mode="mask")
    assert t.translate_sentences(["Ministry of Foreign Affairs"]) == [
        "Министерство иностранных дел"]  # fmt: skip
    assert engine.calls == []


def test_pivot_carries_placeholders_through_english(fake_engine, bundled):
    first = fake_engine("az", "en", lambda s: s.replace("görüşüb", "met"))
    second = fake_engine("en", "ru", fake_model(MODEL))
    t = Translator.from_engines([first, second], glossary=bundled, glossary_mode="mask")
    out = t.translate_sentences(["İlham Əliyev Bakıda görüşüb."])
    assert sent(first) == ["[1] [2] met."] or sent(first) == ["[1] [2] görüşüb."]
    assert out == ["Ильхам Алиев Баку встретился с."]


def test_user_glossary_replaces_the_bundled_one(fake_engine, tmp_path):
    path = write(tmp_path, "en\tru\nthe Minister\tгосподин министр\n")
    engine = fake_engine("en", "ru", lambda s: s)
    t = Translator.from_engines([engine], glossary=path, glossary_mode="mask")
    assert t.translate_sentences(["Baku welcomed the Minister."]) == [
        "Baku welcomed господин министр."]  # fmt: skip
    assert t.provenance()["glossary"] == str(path)


def test_glossary_can_be_switched_off(fake_engine):
    engine = fake_engine("en", "ru", lambda s: s)
    t = Translator.from_engines([engine], glossary=False)
    result = t.translate_text("Baku.\n")
    assert result.glossary_issues == [] and t.provenance()["glossary"] is None
