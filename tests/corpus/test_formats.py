"""Exchange formats: round trips, TMX validity and interop, hostile XML, bad input, atomicity."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from mt import __version__
from mt.corpus.formats import (
    SKIPPED_BLANK,
    SKIPPED_EMPTY,
    SKIPPED_MISSING,
    WRITERS,
    detect_and_read,
    detect_sources,
    lang_from_tag,
    output_paths,
    read_jsonl,
    read_moses,
    read_parquet,
    read_tmx,
    read_tsv,
    write_jsonl,
    write_moses,
    write_parquet,
    write_tmx,
    write_tsv,
)
from mt.corpus.formats.tmx import XML_LANG, _events
from mt.corpus.records import PairRecord
from mt.errors import UserError

DATA = Path(__file__).resolve().parent.parent / "data"

PAIRS_EN_RU = [
    (
        "The Ministry of Foreign Affairs of the Republic of Azerbaijan issued a statement.",
        "Министерство иностранных дел Азербайджанской Республики распространило заявление.",
    ),
    (
        "Baku calls on international organizations to abandon a selective approach. "
        "It stresses dialogue.",
        "Баку призывает международные организации отказаться от избирательного подхода.",
    ),
    (
        "The Constitution adopted on 12 November 1995 contains 48 articles on human rights.",
        "Конституция, принятая 12 ноября 1995 г., содержит 48 статей о правах человека.",
    ),
    (
        "“We remain committed to the principles of the OSCE,” the spokesperson said.",
        "«Мы по-прежнему привержены принципам ОБСЕ», — заявила пресс-секретарь.",
    ),
]


def sample_records() -> list[PairRecord]:
    """Pairs with every kind of provenance: beads 1-1 and 2-1, origins, scores, no doc."""
    recs = []
    for i, (en, ru) in enumerate(PAIRS_EN_RU):
        recs.append(
            PairRecord(
                en,
                ru,
                "en",
                "ru",
                doc_key=f"mfa-2024-06-{18 + i}" if i < 3 else None,
                date="2024-06-18" if i < 3 else None,
                src_origin="original",
                tgt_origin="machine" if i == 2 else "human",
                score=None if i == 3 else -0.125 * (i + 1),
                method="galechurch",
                src_ids=(2 * i, 2 * i + 1) if i == 1 else (2 * i,),
                tgt_ids=(2 * i,),
            )
        )
    return recs


def write(fmt: str, records, tmp_path: Path) -> tuple[int, Path]:
    out = tmp_path / ("corpus" if fmt == "moses" else f"corpus.{fmt}")
    return WRITERS[fmt](iter(records), out, "en", "ru"), out


def read_back(out: Path, src="en", tgt="ru", stats=None) -> list[PairRecord]:
    """Through detection, as ``mt corpus import`` reads (Moses: by the prefix)."""
    return list(detect_and_read([out], src, tgt, stats))


# What each format carries besides the two texts.
KEPT = {
    "tmx": ("doc_key", "date", "src_origin", "tgt_origin", "score", "method", "src_ids", "tgt_ids"),
    "jsonl": ("doc_key", "date", "src_origin", "tgt_origin", "score", "method", "src_ids",
              "tgt_ids"),
    "parquet": ("doc_key", "date", "src_origin", "tgt_origin", "score", "method", "src_ids",
                "tgt_ids"),
    "tsv": ("doc_key", "date", "src_origin", "tgt_origin", "score"),
    "moses": (),
}  # fmt: skip


# ------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip_keeps_pairs_and_provenance(fmt, tmp_path):
    recs = sample_records()
    count, out = write(fmt, recs, tmp_path)
    assert count == len(recs)
    back = read_back(out)
    assert [(r.src, r.tgt, r.src_lang, r.tgt_lang) for r in back] == [
        (r.src, r.tgt, "en", "ru") for r in recs
    ]
    for field in KEPT[fmt]:
        assert [getattr(r, field) for r in back] == [getattr(r, field) for r in recs], field
    if "src_ids" in KEPT[fmt]:
        assert [r.bead_type for r in back] == ["1-1", "2-1", "1-1", "1-1"]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip_read_in_the_other_direction(fmt, tmp_path):
    _, out = write(fmt, sample_records(), tmp_path)
    back = read_back(out, "ru", "en")
    assert [(r.src_lang, r.tgt_lang) for r in back] == [("ru", "en")] * len(PAIRS_EN_RU)
    assert [(r.tgt, r.src) for r in back] == PAIRS_EN_RU


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip_languages_from_the_file(fmt, tmp_path):
    """No languages given: the file says which pair it holds (Moses by its extensions)."""
    _, out = write(fmt, sample_records(), tmp_path)
    paths = output_paths(fmt, out, "en", "ru")
    back = list(detect_and_read(paths))
    assert {(r.src_lang, r.tgt_lang) for r in back} == {("en", "ru")}
    assert len(back) == len(PAIRS_EN_RU)


@pytest.mark.parametrize("fmt", ["moses", "tsv"])
def test_line_formats_keep_one_segment_per_line(fmt, tmp_path):
    rec = PairRecord("First line\nsecond\tpart\u2028end.", "Первая\r\nстрока.", "en", "ru")
    _, out = write(fmt, [rec, *sample_records()], tmp_path)
    back = read_back(out)
    assert (back[0].src, back[0].tgt) == ("First line second part end.", "Первая строка.")
    assert len(back) == 1 + len(PAIRS_EN_RU)


@pytest.mark.parametrize("fmt", ["tmx", "jsonl", "parquet"])
def test_markup_and_quotes_survive_as_text(fmt, tmp_path):
    rec = PairRecord('Use <b> & "quotes" \\ {braces}', "Текст <i>&amp;</i> «кавычки»", "en", "ru")
    _, out = write(fmt, [rec], tmp_path)
    [back] = read_back(out)
    assert (back.src, back.tgt) == (rec.src, rec.tgt)


def test_empty_input_writes_valid_empty_files(tmp_path):
    for fmt in WRITERS:
        count, out = write(fmt, [], tmp_path)
        assert count == 0
        for path in output_paths(fmt, out, "en", "ru"):
            assert path.exists()
    assert list(read_tmx(tmp_path / "corpus.tmx")) == []
    assert list(read_parquet(tmp_path / "corpus.parquet", "en", "ru")) == []


def test_writer_refuses_records_of_another_pair(tmp_path):
    rec = PairRecord("Salam.", "Привет.", "az", "ru")
    for fmt in WRITERS:
        with pytest.raises(ValueError, match="az-ru"):
            write(fmt, [rec], tmp_path)


# ------------------------------------------------------------------------- atomicity


def failing(records, after: int):
    """Yields ``after`` records, then fails as a broken store read would."""
    for i, rec in enumerate(records):
        if i == after:
            raise RuntimeError("store went away")
        yield rec


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_failure_half_way_leaves_no_file_and_no_temp(fmt, tmp_path):
    recs = sample_records() * 3
    out = tmp_path / ("corpus" if fmt == "moses" else f"corpus.{fmt}")
    with pytest.raises(RuntimeError, match="store went away"):
        WRITERS[fmt](failing(recs, 6), out, "en", "ru")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_failure_keeps_the_previous_export_intact(fmt, tmp_path):
    _, out = write(fmt, sample_records(), tmp_path)
    paths = output_paths(fmt, out, "en", "ru")
    before = {p: p.read_bytes() for p in paths}
    with pytest.raises(RuntimeError):
        WRITERS[fmt](failing(sample_records() * 2, 5), out, "en", "ru")
    assert {p: p.read_bytes() for p in paths} == before
    assert sorted(tmp_path.iterdir()) == sorted(paths)


def test_writer_into_missing_directory_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="directory does not exist"):
        write_tsv(sample_records(), tmp_path / "nope" / "out.tsv", "en", "ru")


# ------------------------------------------------------------------------- TMX output


def test_tmx_output_is_valid_tmx_14b(tmp_path):
    _, out = write("tmx", sample_records(), tmp_path)
    doc = etree.parse(str(out), etree.XMLParser(load_dtd=False, no_network=True))
    dtd = etree.DTD(str(DATA / "tmx14.dtd"))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()
    root = doc.getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert dict(header.attrib) == {
        "creationtool": "mt", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "mt", "adminlang": "en", "srclang": "en", "datatype": "plaintext",
    }  # fmt: skip
    tus = root.findall("body/tu")
    assert len(tus) == len(PAIRS_EN_RU)
    for tu in tus:
        tuvs = tu.findall("tuv")
        assert [tuv.get(XML_LANG) for tuv in tuvs] == ["en", "ru"]
        assert all(len(tuv.findall("seg")) == 1 for tuv in tuvs)
    props = {p.get("type"): p.text for p in tus[1].findall("prop")}
    assert props == {"x-doc": "mfa-2024-06-19", "x-date": "2024-06-18", "x-score": "-0.25",
                     "x-bead": "2-1", "x-method": "galechurch"}  # fmt: skip
    tuv_props = {p.get("type"): p.text for p in tus[1].find("tuv").findall("prop")}
    assert tuv_props == {"x-origin": "original", "x-ids": "2 3"}
    assert "x-score" not in {p.get("type") for p in tus[3].findall("prop")}


def test_tmx_control_characters_do_not_break_xml(tmp_path):
    rec = PairRecord("Bell\x07 and\x0bvertical tab.", "Звонок\x00.", "en", "ru")
    _, out = write("tmx", [rec], tmp_path)
    [back] = read_tmx(out)
    assert (back.src, back.tgt) == ("Bell and vertical tab.", "Звонок .")


# ------------------------------------------------------------------------- TMX from other tools


def test_tmx_from_another_tool_with_inline_tags():
    stats = Counter()
    recs = list(read_tmx(DATA / "formats_other_tool.tmx", "en", "ru", stats))
    assert [(r.src, r.tgt) for r in recs] == [
        (
            "The Ministry of Foreign Affairs of the Republic of Azerbaijan issued a statement "
            "on Friday.",
            "Министерство иностранных дел Азербайджанской Республики в пятницу распространило "
            "заявление.",
        ),
        ("Read the full text on the website.", "Полный текст опубликован на сайте."),
        ("The spokesperson stressed the importance of dialogue.",
         "Пресс-секретарь подчеркнул важность диалога."),
    ]  # fmt: skip
    assert stats == Counter({SKIPPED_MISSING: 1})  # the unit without Russian
    assert all(r.src_origin == r.tgt_origin == "unknown" and r.doc_key is None for r in recs)


def test_tmx_other_tool_az_pair_and_header_source_language():
    recs = list(read_tmx(DATA / "formats_other_tool.tmx", tgt_lang="az"))
    assert {(r.src_lang, r.tgt_lang) for r in recs} == {("en", "az")}  # srclang="en-US"
    assert recs[0].tgt.startswith("Azərbaycan Respublikasının Xarici İşlər Nazirliyi cümə")
    assert recs[1].tgt == "Tam mətn saytda dərc olunub."  # <it> native code dropped
    assert len(recs) == 4


def test_tmx_three_languages_and_no_choice_is_ambiguous():
    with pytest.raises(UserError, match="more than two languages") as err:
        list(read_tmx(DATA / "formats_other_tool.tmx"))
    assert err.value.path.endswith("formats_other_tool.tmx")


def test_tmx_11_lang_attribute_and_azerbaijani_cyrillic(tmp_path):
    path = tmp_path / "old.tmx"
    path.write_text(
        '<?xml version="1.0"?>\n<tmx version="1.1"><header srclang="AZ-CYRL-AZ" '
        'creationtool="old" segtype="sentence"/><body>\n'
        '<tu><tuv lang="az-Cyrl-AZ"><seg>Хариҹи Ишләр Назирлији бәјанат јајыб.</seg></tuv>'
        '<tuv lang="ru_RU"><seg>МИД распространил заявление.</seg></tuv></tu>\n'
        "</body></tmx>\n",
        encoding="utf-8",
    )
    [rec] = read_tmx(path)
    assert (rec.src_lang, rec.tgt_lang) == ("az", "ru")
    assert rec.src == "Xarici İşlər Nazirliyi bəyanat yayıb."


def test_tmx_reader_streams(tmp_path):
    """The first pairs come out before the parser reaches a fault at the end of the file."""
    _, out = write("tmx", sample_records(), tmp_path)
    text = out.read_text(encoding="utf-8")
    out.write_text(text[: text.rindex("</tu>") + 5], encoding="utf-8")  # cut off
    pairs = read_tmx(out)
    assert next(pairs).src == PAIRS_EN_RU[0][0]
    with pytest.raises(UserError, match="not valid XML") as err:
        list(pairs)
    assert err.value.line is not None


# ------------------------------------------------------------------------- hostile XML


def test_billion_laughs_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(UserError, match="declares entities"):
        list(read_tmx(DATA / "formats_billion_laughs.tmx"))
    assert time.perf_counter() - start < 1.0


def _xxe_file(tmp_path: Path, doctype: str, seg: str) -> Path:
    path = tmp_path / "xxe.tmx"
    path.write_text(
        f'<?xml version="1.0"?>\n{doctype}\n<tmx version="1.4"><header srclang="en"/><body>'
        f'<tu><tuv xml:lang="en"><seg>{seg}</seg></tuv>'
        '<tuv xml:lang="ru"><seg>Текст.</seg></tuv></tu></body></tmx>\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    return path


def _all_text(path: Path) -> str:
    """Everything the raw (safe) parser produces, before our DTD check could intervene."""
    parts = []
    for event, el in _events(path):
        if event == "end":
            parts += [el.text or "", el.tail or ""]
    return "".join(parts)


def test_xxe_external_entity_is_refused_and_never_read(tmp_path, secret):
    path = _xxe_file(tmp_path, f'<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
                     "Leak: &xxe;")  # fmt: skip
    with pytest.raises(UserError, match="declares entities") as err:
        list(read_tmx(path))
    assert "TOP-SECRET" not in str(err.value)
    assert "TOP-SECRET" not in _all_text(path)


def test_xxe_parameter_entity_is_refused_and_never_read(tmp_path, secret):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    path = _xxe_file(tmp_path, f'<!DOCTYPE tmx [<!ENTITY % ext SYSTEM "{dtd.as_uri()}"> %ext;]>',
                     "Leak: &leak;")  # fmt: skip
    with pytest.raises(UserError, match="declares entities"):
        list(read_tmx(path))
    assert "TOP-SECRET" not in _all_text(path)


def test_external_dtd_is_not_loaded(tmp_path, secret):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    path = _xxe_file(tmp_path, f'<!DOCTYPE tmx SYSTEM "{dtd.as_uri()}">', "Leak: &leak;")
    with pytest.raises(UserError, match="entity reference &leak;"):
        list(read_tmx(path))
    assert "TOP-SECRET" not in _all_text(path)


def test_doctype_without_entities_is_accepted():
    """Real TMX files carry ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``; that alone is harmless."""
    assert len(list(read_tmx(DATA / "formats_other_tool.tmx", "en", "az"))) == 4


# ------------------------------------------------------------------------- bad TMX


def test_not_xml_is_a_user_error_with_file_and_line(tmp_path):
    path = tmp_path / "notes.tmx"
    path.write_text("Statement of the Ministry of Foreign Affairs\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid XML") as err:
        read_tmx(path)
    assert err.value.path == str(path) and err.value.line == 1


def test_xml_but_not_tmx_is_a_user_error(tmp_path):
    path = tmp_path / "page.tmx"
    path.write_text("<html><body><p>Statement</p></body></html>", encoding="utf-8")
    with pytest.raises(UserError, match="not a TMX file: the root element is <html>"):
        read_tmx(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<tmx version="1.4"><body/></tmx>', "<body> without a <header>"),
        ('<tmx version="1.4"><header srclang="en"/></tmx>', "no <body>"),
        ('<tmx version="1.4"></tmx>', "no <header> and <body>"),
        ('<tmx version="2.0"><header/><body/></tmx>', "unsupported TMX version '2.0'"),
    ],
)
def test_tmx_structure_errors(tmp_path, body, message):
    path = tmp_path / "bad.tmx"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        read_tmx(path)


@pytest.mark.parametrize("version", ["1.1", "1.2", "1.3", "1.4", "1.4b"])
def test_tmx_versions_11_to_14_are_read(tmp_path, version):
    path = tmp_path / "v.tmx"
    path.write_text(
        f'<tmx version="{version}"><header srclang="en"/><body><tu>'
        '<tuv xml:lang="en"><seg>Yes.</seg></tuv><tuv xml:lang="ru"><seg>Да.</seg></tuv>'
        "</tu></body></tmx>",
        encoding="utf-8",
    )
    assert [(r.src, r.tgt) for r in read_tmx(path)] == [("Yes.", "Да.")]


def test_tmx_missing_and_empty_files(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_tmx(tmp_path / "missing.tmx")
    (tmp_path / "empty.tmx").write_bytes(b"")
    with pytest.raises(UserError, match="empty file"):
        read_tmx(tmp_path / "empty.tmx")


def test_tmx_unit_with_empty_side_is_skipped(tmp_path):
    path = tmp_path / "e.tmx"
    path.write_text(
        '<tmx version="1.4"><header srclang="en"/><body>'
        '<tu><tuv xml:lang="en"><seg>Text.</seg></tuv><tuv xml:lang="ru"><seg> </seg></tuv></tu>'
        '<tu><tuv xml:lang="en"><seg>Yes.</seg></tuv><tuv xml:lang="ru"><seg>Да.</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    stats = Counter()
    assert len(list(read_tmx(path, stats=stats))) == 1
    assert stats == Counter({SKIPPED_EMPTY: 1})


# ------------------------------------------------------------------------- Moses


def test_moses_different_line_counts_name_both_files_and_counts(tmp_path):
    en, ru = tmp_path / "c.en", tmp_path / "c.ru"
    en.write_text("One.\nTwo.\nThree.\n", encoding="utf-8")
    ru.write_text("Один.\nДва.\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_moses(en, ru, "en", "ru")
    message = str(err.value)
    assert str(en) in message and str(ru) in message
    assert "3 lines" in message and "has 2" in message


def test_moses_empty_lines(tmp_path):
    en, ru = tmp_path / "c.en", tmp_path / "c.ru"
    en.write_text("One.\n\nThree.\nFour.", encoding="utf-8")  # no final newline
    ru.write_text("\ufeffОдин.\n\n\nЧетыре.\n", encoding="utf-8")  # BOM accepted
    stats = Counter()
    recs = list(read_moses(en, ru, "en", "ru", stats))
    assert [(r.src, r.tgt) for r in recs] == [("One.", "Один."), ("Four.", "Четыре.")]
    assert stats == Counter({SKIPPED_BLANK: 1, SKIPPED_EMPTY: 1})


def test_moses_not_utf8_names_file_and_line(tmp_path):
    en, ru = tmp_path / "c.en", tmp_path / "c.ru"
    en.write_text("One.\nTwo.\n", encoding="utf-8")
    ru.write_bytes("Один.\n".encode() + "Два.\n".encode("cp1251"))
    with pytest.raises(UserError, match="not UTF-8") as err:
        list(read_moses(en, ru, "en", "ru"))
    assert (err.value.path, err.value.line) == (str(ru), 2)


def test_moses_writes_both_files_line_aligned(tmp_path):
    assert write_moses(sample_records(), tmp_path / "train", "en", "ru") == 4
    en = (tmp_path / "train.en").read_text(encoding="utf-8").splitlines()
    ru = (tmp_path / "train.ru").read_text(encoding="utf-8").splitlines()
    assert list(zip(en, ru, strict=True)) == PAIRS_EN_RU


# ------------------------------------------------------------------------- TSV


def test_tsv_bad_column_count_names_the_line(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("en\tru\nOne.\tОдин.\nTwo.\tДва.\textra\n", encoding="utf-8")
    with pytest.raises(UserError, match="expected 2 tab-separated columns, found 3") as err:
        list(read_tsv(path))
    assert (err.value.path, err.value.line) == (str(path), 3)


def test_tsv_without_header_needs_languages(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("One.\tОдин.\n", encoding="utf-8")
    with pytest.raises(UserError, match="no header naming the languages"):
        read_tsv(path)
    assert [(r.src, r.tgt) for r in read_tsv(path, "en", "ru")] == [("One.", "Один.")]


def test_tsv_header_with_region_tags_and_extra_columns(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text(
        "ru-RU\ten-US\tdoc\tnote\tscore\nОдин.\tOne.\td1\tchecked\t0.9\n\n", encoding="utf-8"
    )
    stats = Counter()
    [rec] = read_tsv(path, "en", "ru", stats)
    assert (rec.src, rec.tgt, rec.doc_key, rec.score) == ("One.", "Один.", "d1", 0.9)
    assert stats == Counter({SKIPPED_BLANK: 1})


def test_tsv_bad_score_and_origin_name_the_line(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("en\tru\tscore\nOne.\tОдин.\thigh\n", encoding="utf-8")
    with pytest.raises(UserError, match="score 'high' is not a number") as err:
        list(read_tsv(path))
    assert err.value.line == 2
    path.write_text("en\tru\torigin_ru\nOne.\tОдин.\tgoogle\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown origin 'google'"):
        list(read_tsv(path))


def test_tsv_header_is_the_language_codes(tmp_path):
    write_tsv(sample_records(), tmp_path / "p.tsv", "en", "ru")
    first = (tmp_path / "p.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert first[:2] == ["en", "ru"]
    assert first[2:] == ["doc", "date", "score", "bead", "origin_en", "origin_ru"]


# ------------------------------------------------------------------------- JSONL


def test_jsonl_bad_line_names_the_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"en": "One.", "ru": "Один."}\n{"en": "Two.", "ru": \n', encoding="utf-8")
    pairs = read_jsonl(path)
    assert next(pairs).src == "One."
    with pytest.raises(UserError, match="bad JSON") as err:
        list(pairs)
    assert (err.value.path, err.value.line) == (str(path), 2)


def test_jsonl_first_line_errors_raise_at_call(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('["en", "ru"]\n', encoding="utf-8")
    with pytest.raises(UserError, match="expected a JSON object") as err:
        read_jsonl(path)
    assert err.value.line == 1


def test_jsonl_translation_form_and_missing_sides(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"translation": {"en": "One.", "az": "Bir."}}\n'
        '{"translation": {"en": "Two."}}\n'
        "\n"
        '{"translation": {"en": "Three.", "az": "Üç."}, "doc": 7}\n',
        encoding="utf-8",
    )
    stats = Counter()
    recs = list(read_jsonl(path, stats=stats))
    assert [(r.src, r.tgt, r.doc_key) for r in recs] == [("One.", "Bir.", None),
                                                         ("Three.", "Üç.", "7")]  # fmt: skip
    assert stats == Counter({SKIPPED_MISSING: 1, SKIPPED_BLANK: 1})


def test_jsonl_wrong_types_are_user_errors(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"en": "One.", "ru": "Один."}\n{"en": 1, "ru": "Два."}\n', encoding="utf-8")
    with pytest.raises(UserError, match="not a string") as err:
        list(read_jsonl(path))
    assert err.value.line == 2


# ------------------------------------------------------------------------- Parquet


def test_parquet_writes_in_batches_and_names_columns_by_language(tmp_path):
    import pyarrow.parquet as pq

    recs = sample_records() * 5
    out = tmp_path / "p.parquet"
    assert write_parquet(recs, out, "en", "ru", batch_rows=3) == 20
    pf = pq.ParquetFile(out)
    assert pf.schema_arrow.names[:2] == ["en", "ru"]
    assert pf.schema_arrow.metadata[b"mt.src_lang"] == b"en"
    assert pf.num_row_groups > 1
    assert [r.src for r in read_parquet(out)] == [r.src for r in recs]


def test_parquet_not_parquet_is_a_user_error(tmp_path):
    path = tmp_path / "p.parquet"
    path.write_text("en\tru\n", encoding="utf-8")
    with pytest.raises(UserError, match="not a Parquet file"):
        read_parquet(path)


# ------------------------------------------------------------------------- detection


def test_detect_every_format_in_one_import(tmp_path):
    recs = sample_records()
    write_tmx(recs, tmp_path / "a.tmx", "en", "ru")
    write_tsv(recs, tmp_path / "b.tsv", "en", "ru")
    write_jsonl(recs, tmp_path / "c.jsonl", "en", "ru")
    write_parquet(recs, tmp_path / "d.parquet", "en", "ru")
    write_moses(recs, tmp_path / "e", "en", "ru")
    (tmp_path / "f.xml").write_bytes((tmp_path / "a.tmx").read_bytes())  # sniffed
    paths = [tmp_path / n for n in ("a.tmx", "b.tsv", "c.jsonl", "d.parquet", "e.en", "e.ru",
                                    "f.xml")]  # fmt: skip
    sources = detect_sources(paths)
    assert sorted(s.format for s in sources) == ["jsonl", "moses", "parquet", "tmx", "tmx", "tsv"]
    assert len(list(detect_and_read(paths, "en", "ru"))) == 6 * len(recs)


def test_detect_moses_single_file_or_prefix_finds_the_other_side(tmp_path):
    write_moses(sample_records(), tmp_path / "e", "en", "ru")
    for given in ([tmp_path / "e.ru"], [tmp_path / "e"]):
        [source] = detect_sources(given)
        assert source.format == "moses"
        assert {p.name for p in source.paths} == {"e.en", "e.ru"}
    recs = list(detect_and_read([tmp_path / "e.ru"], "en", "ru"))
    assert recs[0].src == PAIRS_EN_RU[0][0]


def test_detect_moses_three_languages_needs_a_choice(tmp_path):
    write_moses(sample_records(), tmp_path / "e", "en", "ru")
    (tmp_path / "e.az").write_text("Bir.\nİki.\nÜç.\nDörd.\n", encoding="utf-8")
    with pytest.raises(UserError, match="cannot choose the two files"):
        detect_sources([tmp_path / "e"])
    recs = list(detect_and_read([tmp_path / "e"], "az", "ru"))
    assert (recs[0].src, recs[0].src_lang) == ("Bir.", "az")


def test_detect_unknown_format_is_a_user_error(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UserError, match="cannot tell the format"):
        detect_sources([path])
    with pytest.raises(UserError, match="no such file"):
        detect_sources([tmp_path / "missing.tmx2"])


def test_detect_bad_language_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="unsupported language 'de'"):
        detect_and_read([tmp_path / "x.tsv"], "de", "ru")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", ("en", False)),
        ("EN-us", ("en", False)),
        ("ru_RU", ("ru", False)),
        ("az-Latn-AZ", ("az", False)),
        ("az-Cyrl-AZ", ("az", True)),
        ("rus", ("ru", False)),
        ("de-DE", (None, False)),
        ("*all*", (None, False)),
        ("ru_origin", (None, False)),  # a column name, not a language tag
    ],
)
def test_language_tags_from_other_tools(tag, expected):
    assert lang_from_tag(tag) == expected


def test_jsonl_keys_that_only_start_with_a_code_are_not_texts(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"ru_note": "x", "en": "One.", "ru": "Один."}\n', encoding="utf-8")
    [rec] = read_jsonl(path)
    assert (rec.src, rec.tgt) == ("One.", "Один.")
