"""`mt translate`: formats, several targets, the store, and one clean line for bad input."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from tests.translate.fixtures import FakeEngine

RELEASE = """Statement of the Ministry of Foreign Affairs
Baku, 12 March 2024

The ministry welcomes the agreement. The next meeting will take place in Geneva.

The talks went well.
"""


@pytest.fixture
def fake_models(monkeypatch):
    """`load_engine` replaced by fake engines that upper-case (and tag) their input."""
    loaded: list[FakeEngine] = []

    def load(model, src, tgt, **kw):
        engine = FakeEngine(src, tgt, lambda s: f"{tgt.upper()}:{s.upper()}", model_id=str(model),
                            revision="abc123", backend="ct2")  # fmt: skip
        loaded.append(engine)
        return engine

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    return loaded


@pytest.fixture
def release(tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(RELEASE, encoding="utf-8")
    return path


def sent(engines) -> list[str]:
    return [s for e in engines for batch in e.calls for s in batch]


# ---------------------------------------------------------------------------- outputs


def test_text_output_keeps_the_layout(run_mt, fake_models, release):
    code, out, err = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0, err
    assert out == (
        "RU:STATEMENT OF THE MINISTRY OF FOREIGN AFFAIRS\nRU:BAKU, 12 MARCH 2024\n\n"
        "RU:THE MINISTRY WELCOMES THE AGREEMENT. RU:THE NEXT MEETING WILL TAKE PLACE IN GENEVA."
        "\n\nRU:THE TALKS WENT WELL.\n"
    )
    assert err == ""
    assert [e.model_id for e in fake_models] == ["Helsinki-NLP/opus-mt-en-ru"]


def test_standard_input(run_mt, fake_models, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Hello there.\n")))
    code, out, _ = run_mt("translate", "-", "--src", "en", "--tgt", "az", "--no-glossary")
    assert code == 0 and out == "AZ:HELLO THERE.\n"


def test_jsonl_output(run_mt, fake_models, release):
    code, out, _ = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--format", "jsonl",
                          "--no-glossary")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5
    assert rows[2] == {
        "src": "en", "tgt": "ru", "index": 2, "paragraph": 1,
        "source": "The ministry welcomes the agreement.",
        "translation": "RU:THE MINISTRY WELCOMES THE AGREEMENT.",
        "model": "Helsinki-NLP/opus-mt-en-ru", "from_tm": False, "glossary_issues": [],
    }  # fmt: skip


def test_several_targets_on_stdout(run_mt, fake_models, release):
    code, out, _ = run_mt("translate", release, "--src", "en", "--tgt", "ru,az", "--no-glossary")
    assert code == 0
    assert out.startswith("==> ru <==\nRU:STATEMENT")
    assert "\n\n==> az <==\nAZ:STATEMENT" in out
    assert out.endswith("AZ:THE TALKS WENT WELL.\n")


def test_several_targets_to_files(run_mt, fake_models, release, tmp_path):
    target = tmp_path / "out" / "release.txt"
    target.parent.mkdir()
    code, out, _ = run_mt("translate", release, "--src", "en", "--tgt", "ru,az", "--out", target,
                          "--no-glossary")  # fmt: skip
    assert code == 0 and out == ""
    assert sorted(p.name for p in target.parent.iterdir()) == ["release.az.txt", "release.ru.txt"]
    assert (target.parent / "release.az.txt").read_text(encoding="utf-8").startswith("AZ:")


def test_single_target_to_a_file_and_jsonl(run_mt, fake_models, release, tmp_path):
    target = tmp_path / "release.ru.jsonl"
    code, _, _ = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--out", target,
                        "--format", "jsonl", "--no-glossary")  # fmt: skip
    assert code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 5


def test_pivot_through_english(run_mt, fake_models, tmp_path):
    path = tmp_path / "az.txt"
    path.write_text("Bakı gözəldir.\n", encoding="utf-8")
    code, out, _ = run_mt("translate", path, "--src", "az", "--tgt", "ru", "--no-glossary")
    assert code == 0 and out == "RU:EN:BAKI GÖZƏLDIR.\n"
    assert [e.model_id for e in fake_models] == ["Helsinki-NLP/opus-mt-az-en",
                                                 "Helsinki-NLP/opus-mt-en-ru"]  # fmt: skip


def test_markdown_and_html_inputs(run_mt, fake_models, tmp_path):
    md = tmp_path / "note.md"
    md.write_text("# Title\n\nSome **bold** text.\n", encoding="utf-8")
    code, out, _ = run_mt("translate", md, "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0 and out == "# RU:TITLE\n\nRU:SOME **RU:BOLD** TEXT.\n"
    html = tmp_path / "note.txt"
    html.write_text("<p>Some <b>bold</b> text.</p>\n", encoding="utf-8")
    code, out, _ = run_mt("translate", html, "--src", "en", "--tgt", "ru", "--no-glossary",
                          "--input-format", "html")  # fmt: skip
    assert code == 0 and out == "<p>RU:SOME <b>RU:BOLD</b> TEXT.</p>\n"


def test_glossary_is_enforced_by_default(run_mt, fake_models, release):
    code, out, err = run_mt("translate", release, "--src", "en", "--tgt", "ru")
    assert code == 0 and err == ""
    assert "RU:БАКУ" not in out and "Баку, 12 MARCH 2024" in out and "IN Женева." in out


def test_glossary_issues_on_stderr_and_in_jsonl(run_mt, fake_models, release):
    code, out, err = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--format",
                            "jsonl", "--glossary-mode", "verify")  # fmt: skip
    assert code == 0
    assert "mt: glossary (en-ru): sentence 2: 'Baku' not rendered as 'Баку'" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {"source": "Geneva", "target": "Женева"} in rows[3]["glossary_issues"]


def test_user_glossary(run_mt, fake_models, release, tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("en\tru\nGeneva\tЖенева\n", encoding="utf-8")
    code, out, err = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--glossary",
                            glossary, "--glossary-mode", "mask")  # fmt: skip
    assert code == 0 and err == ""
    assert "RU:THE NEXT MEETING WILL TAKE PLACE IN Женева." in out


# ---------------------------------------------------------------------------- store and TM


def renderings(db):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT d.doc_key, r.lang, r.origin, r.model, r.revision, r.backend, r.params_json, r.text"
        " FROM renderings r JOIN documents d ON d.id = r.document_id ORDER BY r.id"
    ).fetchall()
    conn.close()
    return [dict(r) for r in rows]


def test_store_saves_a_machine_rendering_with_provenance(run_mt, fake_models, release, tmp_path):
    db = tmp_path / "corpus.sqlite"
    code, out, _ = run_mt("translate", release, "--src", "en", "--tgt", "ru,az", "--store",
                          "--db", db, "--beam", "2", "--no-glossary")  # fmt: skip
    assert code == 0 and out.startswith("==> ru <==")
    rows = renderings(db)
    assert [(r["doc_key"], r["lang"], r["origin"]) for r in rows] == [
        ("release", "en", "original"),
        ("release", "ru", "machine"),
        ("release", "az", "machine"),
    ]
    ru = rows[1]
    assert ru["model"] == "Helsinki-NLP/opus-mt-en-ru" and ru["revision"] == "abc123"
    assert ru["backend"] == "ct2" and ru["text"].startswith("RU:STATEMENT")
    params = json.loads(ru["params_json"])
    assert params["beam_size"] == 2 and params["route"][0]["model"] == "Helsinki-NLP/opus-mt-en-ru"
    assert params["tm"] is False and params["glossary"] is None
    # Again: the rendering is replaced, not duplicated; the document key can be given.
    assert run_mt("translate", release, "--src", "en", "--tgt", "ru", "--store", "--db", db,
                  "--no-glossary")[0] == 0  # fmt: skip
    assert len(renderings(db)) == 3
    assert run_mt("translate", release, "--src", "en", "--tgt", "ru", "--store", "--db", db,
                  "--doc", "other-key", "--no-glossary")[0] == 0  # fmt: skip
    assert {r["doc_key"] for r in renderings(db)} == {"release", "other-key"}


def test_store_of_a_corpus_file_uses_the_statement(run_mt, fake_models, make_statement):
    folder = make_statement()
    assert run_mt("corpus", "import", folder)[0] == 0
    code, _, _ = run_mt("translate", folder / "en.txt", "--src", "en", "--tgt", "az", "--store",
                        "--no-tm", "--no-glossary")  # fmt: skip
    assert code == 0
    from mt.corpus.store import Store

    with Store.open(None, create=False) as store:
        origins = [(r["lang"], r["origin"]) for r in store.renderings("test-small")]
    assert ("az", "machine") in origins and ("az", "human") in origins
    assert ("en", "original") in origins


def test_translation_memory_from_the_store(run_mt, fake_models, make_statement, tmp_path):
    folder = make_statement()
    assert run_mt("corpus", "import", folder)[0] == 0
    assert run_mt("corpus", "align", "--pair", "en-ru")[0] == 0
    path = tmp_path / "new.txt"
    path.write_text("The next meeting will take place in Geneva. Something new.\n",
                    encoding="utf-8")  # fmt: skip
    code, out, _ = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["from_tm"] for r in rows] == [True, False]
    assert rows[0]["translation"] == "Следующая встреча пройдёт в Женеве." and not rows[0]["model"]
    assert sent(fake_models) == ["Something new."]
    code, out, _ = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--format", "jsonl",
                          "--no-tm")  # fmt: skip
    assert [json.loads(line)["from_tm"] for line in out.splitlines()] == [False, False]


def test_no_store_is_created_just_to_look_for_a_memory(run_mt, fake_models, release, tmp_path):
    db = tmp_path / "absent.sqlite"
    assert run_mt("translate", release, "--src", "en", "--tgt", "ru", "--db", db)[0] == 0
    assert not db.exists()


# ---------------------------------------------------------------------------- bad input


def check_error(result, message: str) -> None:
    code, out, err = result
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("mt: error: "), err
    assert message in err


@pytest.fixture
def out_file(tmp_path):
    return tmp_path / "result.txt"


def test_empty_input(run_mt, fake_models, tmp_path, out_file):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    check_error(run_mt("translate", path, "--src", "en", "--tgt", "ru", "--out", out_file),
                "empty file")  # fmt: skip
    assert not out_file.exists() and not fake_models


def test_binary_input(run_mt, fake_models, tmp_path, out_file):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    check_error(run_mt("translate", path, "--src", "en", "--tgt", "ru", "--out", out_file),
                "binary file")  # fmt: skip
    assert not out_file.exists()


def test_missing_input(run_mt, fake_models, tmp_path):
    check_error(run_mt("translate", tmp_path / "nope.txt", "--src", "en", "--tgt", "ru"),
                "no such file")  # fmt: skip


@pytest.mark.parametrize("src, tgt, message", [
    ("en", "en", "unsupported direction en-en"),
    ("en", "ru,en", "unsupported direction en-en"),
    ("en", "fr", "unsupported language 'fr'"),
    ("de", "ru", "unsupported language 'de'"),
    ("en", ",", "names no language"),
])  # fmt: skip
def test_unsupported_direction(run_mt, fake_models, release, out_file, src, tgt, message):
    check_error(run_mt("translate", release, "--src", src, "--tgt", tgt, "--out", out_file),
                message)  # fmt: skip
    assert not out_file.exists()


def test_unknown_model(run_mt, empty_hub, release, out_file):
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--model",
                       "no-such-org/no-such-model", "--out", out_file),
                "no-such-org/no-such-model")  # fmt: skip
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--model",
                       "./no/such/dir", "--out", out_file),
                "model directory not found")  # fmt: skip
    assert not out_file.exists()


def test_model_for_the_wrong_direction(run_mt, empty_hub, release, out_file, tiny_marian_en_ru):
    check_error(run_mt("translate", release, "--src", "ru", "--tgt", "en", "--model",
                       "Helsinki-NLP/opus-mt-en-ru", "--out", out_file),
                "translates en-ru, not ru-en")  # fmt: skip
    code, _, err = run_mt("translate", release, "--src", "en", "--tgt", "az", "--model",
                          tiny_marian_en_ru, "--out", out_file)  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert not out_file.exists()


def test_cuda_asked_for_but_absent(run_mt, empty_hub, release, out_file, tiny_marian_en_ru):
    from mt.translate.backends import cuda_available

    if cuda_available():
        pytest.skip("this machine has CUDA")
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--model",
                       tiny_marian_en_ru, "--device", "cuda", "--out", out_file),
                "no CUDA device")  # fmt: skip
    assert not out_file.exists()


def test_glossary_with_wrong_columns(run_mt, fake_models, release, tmp_path, out_file):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("english\trussian\nBaku\tБаку\n", encoding="utf-8")
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--glossary", glossary,
                       "--out", out_file), f"{glossary}:1: glossary header")  # fmt: skip
    assert not out_file.exists() and not fake_models  # found before loading a model


def test_output_directory_missing(run_mt, fake_models, release, tmp_path):
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--out",
                       tmp_path / "nope" / "out.txt"),
                "output directory does not exist")  # fmt: skip
    assert not fake_models  # checked before any model was loaded


def test_store_from_stdin_needs_a_key(run_mt, fake_models, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Hello.\n")))
    check_error(run_mt("translate", "--src", "en", "--tgt", "ru", "--store"), "--doc KEY")


def test_failure_leaves_an_existing_output_untouched(run_mt, fake_models, release, out_file,
                                                     monkeypatch):  # fmt: skip
    out_file.write_text("old\n", encoding="utf-8")
    from mt.errors import UserError

    def broken(*a, **k):
        raise UserError("engine exploded")

    monkeypatch.setattr("mt.translate.pipeline.Translator.translate_text", broken)
    check_error(run_mt("translate", release, "--src", "en", "--tgt", "ru", "--out", out_file),
                "engine exploded")  # fmt: skip
    assert out_file.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in out_file.parent.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------------------- real models


def test_end_to_end_on_tiny_models(run_mt, tiny_hub, tmp_path):
    path = tmp_path / "release.md"
    path.write_text("# Statement\n\nThe parties discussed cooperation. **Heydar Aliyev** was "
                    "the national leader.\n\n- Baku\n- Shusha\n", encoding="utf-8")  # fmt: skip
    target = tmp_path / "out.md"
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru,az", "--out", target,
                            "--beam", "1", "--store", "--db", tmp_path / "c.sqlite")  # fmt: skip
    assert code == 0 and out == ""
    ru = (tmp_path / "out.ru.md").read_text(encoding="utf-8")
    assert ru.startswith("# ") and "\n\n- " in ru and ru.count("**") == 2
    assert (tmp_path / "out.az.md").exists()
    rows = renderings(tmp_path / "c.sqlite")
    assert [r["model"] for r in rows if r["origin"] == "machine"] == [
        "Helsinki-NLP/opus-mt-en-ru", "Helsinki-NLP/opus-mt-en-az"]  # fmt: skip
    assert all(r["revision"] and r["backend"] in ("ct2", "hf") for r in rows[1:])
