"""`mt align` and `mt corpus ...` end to end, and every user error: one line, exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CORPORA, SMALL, dump


def assert_user_error(result, *needles: str) -> None:
    code, out, err = result
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mt: error:") and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_align_two_files(run_mt, make_statement):
    folder = make_statement()
    code, out, err = run_mt("align", folder / "en.txt", folder / "ru.txt", "--src", "en",
                            "--tgt", "ru")  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]", "[4]:[4]"]
    code, out, _ = run_mt("align", folder / "en.txt", folder / "az.txt", "--src", "en",
                          "--tgt", "az", "--format", "tsv")  # fmt: skip
    assert code == 0
    assert out.splitlines()[4] == "The next meeting will take place in Geneva.\t" \
                                  "Növbəti görüş Cenevrədə keçiriləcək."  # fmt: skip
    code, out, _ = run_mt("align", folder / "en.txt", folder / "az.txt", "--src", "en",
                          "--tgt", "az", "--format", "json")  # fmt: skip
    row = json.loads(out.splitlines()[0])
    assert row["src"] == [0] and row["az"] == "Xarici İşlər Nazirliyinin bəyanatı"


def test_corpus_workflow(run_mt, make_statement, tmp_path):
    folder = make_statement()
    assert run_mt("corpus", "import", folder)[0] == 0
    assert run_mt("corpus", "align", "--pair", "en-ru")[0] == 0
    code, out, _ = run_mt("corpus", "beads", "test-small", "--pair", "en-ru")
    assert code == 0 and out.splitlines()[0].startswith("[0]:[0]")
    code, out, _ = run_mt("corpus", "stats", "--json")
    assert json.loads(out)["pairs"]["en-ru"]["lexical"]["beads"] == 5
    code, out, _ = run_mt("corpus", "search", "Geneva")
    assert code == 0 and "test-small\ten" in out
    out_path = tmp_path / "x"
    code, _, err = run_mt("corpus", "export", "--pair", "en-ru", "--format", "moses",
                          "--out", out_path)  # fmt: skip
    assert code == 0, err
    en = (tmp_path / "x.en").read_text(encoding="utf-8").splitlines()
    ru = (tmp_path / "x.ru").read_text(encoding="utf-8").splitlines()
    assert len(en) == len(ru) == 5 and ru[4] == "Следующая встреча пройдёт в Женеве."


def test_split_export_by_document(run_mt, make_statement, tmp_path):
    a = make_statement("doc-a", meta=SMALL_SPLIT.replace("SPLIT", "dev"))
    b = make_statement("doc-b", meta=SMALL_SPLIT.replace("SPLIT", "test"))
    assert run_mt("corpus", "import", a, b)[0] == 0
    assert run_mt("corpus", "align", "--pair", "en-az")[0] == 0
    for split in ("dev", "test"):
        out = tmp_path / f"{split}.jsonl"
        code, _, err = run_mt("corpus", "export", "--pair", "en-az", "--format", "jsonl",
                              "--split", split, "--dedup", "none", "--out", out)  # fmt: skip
        assert code == 0, err
        docs = {json.loads(line)["doc"] for line in out.read_text(encoding="utf-8").splitlines()}
        assert docs == {"doc-a" if split == "dev" else "doc-b"}


SMALL_SPLIT = """title = "t"
split = "SPLIT"
[renderings.en]
origin = "original"
"""


@pytest.mark.skipif(not any(CORPORA.glob("*/meta.toml")), reason="bundle not written yet")
def test_bundle_imports_and_exports(run_mt, tmp_path):
    code, _, err = run_mt("corpus", "import", CORPORA)
    assert code == 0, err
    code, out, _ = run_mt("corpus", "stats", "--json")
    stats = json.loads(out)
    assert stats["documents"] >= 13
    assert all(stats["languages"][lang]["sentences"] >= 300 for lang in ("en", "az", "ru"))
    assert {"en-az", "en-ru", "az-ru"} <= set(stats["pairs"])
    code, _, err = run_mt("corpus", "export", "--pair", "ru-en", "--format", "tmx",
                          "--method", "gold", "--out", tmp_path / "b.tmx")  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "b.tmx").read_text(encoding="utf-8").count("<tu>") >= 250


# -- user errors ------------------------------------------------------------------------------


def test_missing_file(run_mt, tmp_path):
    assert_user_error(run_mt("align", tmp_path / "nope.txt", tmp_path / "nope2.txt",
                             "--src", "en", "--tgt", "ru"), "nope.txt", "no such file")  # fmt: skip


def test_empty_file(run_mt, make_statement):
    folder = make_statement()
    (folder / "en.txt").write_text("\n\n", encoding="utf-8")
    assert_user_error(run_mt("align", folder / "en.txt", folder / "ru.txt", "--src", "en",
                             "--tgt", "ru"), "en.txt", "empty")  # fmt: skip
    assert_user_error(run_mt("corpus", "import", folder), "en.txt", "empty")


def test_not_utf8(run_mt, make_statement):
    folder = make_statement()
    (folder / "ru.txt").write_bytes("Заявление министерства".encode("cp1251"))
    assert_user_error(run_mt("corpus", "import", folder), "ru.txt", "not UTF-8")


def test_bom_is_accepted(run_mt, make_statement):
    folder = make_statement()
    en = folder / "en.txt"
    en.write_bytes(b"\xef\xbb\xbf" + en.read_bytes())
    code, out, err = run_mt("align", en, folder / "ru.txt", "--src", "en", "--tgt", "ru")
    assert code == 0, err
    assert out.splitlines()[0] == "[0]:[0]"


def test_unsupported_language(run_mt, make_statement):
    folder = make_statement()
    assert_user_error(run_mt("align", folder / "en.txt", folder / "ru.txt", "--src", "deutsch",
                             "--tgt", "ru"), "invalid language code", "'deutsch'")  # fmt: skip
    assert_user_error(run_mt("corpus", "export", "--pair", "en-fr", "--out", "x.tmx"),
                      "unsupported language")  # fmt: skip
    (folder / "de.txt").write_text("Erklärung.", encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", folder), "de.txt", "unsupported language")


def test_store_cannot_be_opened(run_mt, tmp_path, make_statement):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 50)
    assert_user_error(run_mt("corpus", "import", make_statement(), "--db", junk),
                      "junk.sqlite", "cannot open")  # fmt: skip
    assert_user_error(run_mt("corpus", "stats", "--db", tmp_path / "missing.sqlite"),
                      "missing.sqlite")  # fmt: skip


def test_malformed_gold(run_mt, make_statement, tmp_path):
    folder = make_statement()
    (folder / "gold").mkdir()
    (folder / "gold" / "en-ru.beads").write_text("[0]:[0]\n[1]:[1\n", encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", folder), "en-ru.beads:2")
    (folder / "gold" / "en-ru.beads").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", folder), "en-ru.beads", "cover")


def test_invalid_meta(run_mt, make_statement):
    folder = make_statement()
    (folder / "meta.toml").write_text('title = "x"\n[renderings.en]\norigin = "robot"\n',
                                      encoding="utf-8")  # fmt: skip
    assert_user_error(run_mt("corpus", "import", folder), "meta.toml", "origin")
    (folder / "meta.toml").write_text('title = "x\n', encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", folder), "meta.toml", "invalid TOML")


def test_moses_line_mismatch_leaves_store_unchanged(run_mt, make_statement, tmp_path):
    assert run_mt("corpus", "import", make_statement())[0] == 0
    import os

    db = os.environ["MT_DB"]
    before = dump(db)
    (tmp_path / "c.en").write_text("One.\nTwo.\nThree.\n", encoding="utf-8")
    (tmp_path / "c.ru").write_text("Один.\nДва.\n", encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", tmp_path / "c.en", tmp_path / "c.ru"),
                      "c.en", "c.ru", "3", "2")  # fmt: skip
    assert dump(db) == before


def test_invalid_tmx(run_mt, tmp_path):
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><header/><body><tu>", encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", bad), "bad.tmx")
    other = tmp_path / "other.tmx"
    other.write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
    assert_user_error(run_mt("corpus", "import", other), "other.tmx")


def test_unknown_import_format(run_mt, tmp_path):
    f = tmp_path / "data.docx"
    f.write_bytes(b"PK\x03\x04")
    assert_user_error(run_mt("corpus", "import", f), "data.docx", "cannot tell the format")


def test_unknown_document_and_aligner(run_mt, make_statement):
    assert run_mt("corpus", "import", make_statement())[0] == 0
    assert_user_error(run_mt("corpus", "beads", "no-such-doc"), "no-such-doc")
    assert_user_error(run_mt("corpus", "align", "--method", "magic"), "unknown aligner")


def test_usage_errors_are_one_line(run_mt):
    assert_user_error(run_mt("corpus", "export", "--bogus"), "--bogus")
    assert_user_error(run_mt("corpus", "export", "--format", "xyz", "--out", "x"), "--format")
    assert_user_error(run_mt("corpus", "export", "--split", "holdout", "--out", "x"), "split")
    code, out, _ = run_mt("corpus")
    assert code == 0 and "import" in out


def test_cyrillic_azerbaijani_is_transliterated_on_import(run_mt, make_statement):
    texts = dict(SMALL)
    texts["az"] = (
        "Хариҹи Ишләр Назирлијинин бәјанаты\n\nХариҹи Ишләр Назирлији 3 март 2024-ҹү илдә "
        "Бакыда имзаланмыш сазиши алгышлајыр. Мәрасимдә ҹәнаб Ҹ. Смит иштирак едиб.\n"
    )
    folder = make_statement(texts=texts)
    assert run_mt("corpus", "import", folder)[0] == 0
    code, out, _ = run_mt("corpus", "search", "Nazirliyi", "--lang", "az")
    assert code == 0 and "Xarici İşlər [Nazirliyi] 3 mart 2024-cü ildə Bakıda" in out


def test_other_tool_tmx_imports(run_mt):
    from tests.conftest import ROOT

    tmx = ROOT / "tests" / "data" / "formats_other_tool.tmx"
    # three languages in the file: the pair must be named
    assert_user_error(run_mt("corpus", "import", tmx), "formats_other_tool.tmx", "languages")
    code, _, err = run_mt("corpus", "import", tmx, "--src", "en", "--tgt", "ru")
    assert code == 0, err
    code, out, _ = run_mt("corpus", "stats", "--json")
    stats = json.loads(out)
    assert sum(m["beads"] for m in stats["pairs"]["en-ru"].values()) >= 1
