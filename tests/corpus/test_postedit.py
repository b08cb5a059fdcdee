"""Post-edits back into the store: the reviewed text becomes the human rendering, the
memory grows from it, and the edit distance to the machine draft is stored and shown."""

from __future__ import annotations

import json

import pytest

from tests.reliability.conftest import assert_one_line
from tests.translate.test_cli import fake_models, sent  # noqa: F401 - fixture

RELEASE = "The Ministry welcomes the agreement.\n\nThe meeting took place in Baku.\n"
EDITED = "Министерство приветствует соглашение.\n\nВстреча состоялась в Баку.\n"


def _translate(run_mt, path, db, *extra):
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--db", db,
                            "--no-glossary", "--format", "jsonl", *extra)  # fmt: skip
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_post_edit_grows_the_memory_and_measures_the_saving(run_mt, fake_models, tmp_path):  # noqa: F811
    release = tmp_path / "release.en.txt"
    release.write_text(RELEASE, encoding="utf-8")
    db = tmp_path / "office.sqlite"
    first = _translate(run_mt, release, db, "--store", "--doc", "rel-1")
    assert [r["from_tm"] for r in first] == [False, False]
    edited = tmp_path / "release.ru.txt"
    edited.write_text(EDITED, encoding="utf-8")
    code, _, err = run_mt("corpus", "import", "--post-edit", release, edited, "--src", "en",
                          "--tgt", "ru", "--doc", "rel-1", "--translator", "A. Reviewer",
                          "--date", "2026-12-01", "--db", db)  # fmt: skip
    assert code == 0, err
    assert "2 sentence pairs added to the memory" in err and "HTER" in err
    code, out, _ = run_mt("corpus", "stats", "--db", db, "--json")
    stats = json.loads(out)
    row = stats["post_edits"]["ru"]
    assert row["documents"] == 1 and row["sentences"] == 2
    # The fake engine wrote "RU:THE MINISTRY ..." : every word of the post-edit differs.
    assert row["hter"] == round(100.0 * row["edits"] / row["words"], 2) and row["hter"] > 50
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        kinds = sorted((r["lang"], r["origin"], r["source"]) for r in store.renderings("rel-1"))
    assert kinds == [("en", "original", "translate"), ("ru", "human", "post-edit"),
                     ("ru", "machine", "translate")]  # fmt: skip
    fake_models.clear()
    code, _, err = run_mt("translate", release, "--src", "en", "--tgt", "ru", "--db", db,
                          "--no-glossary")  # fmt: skip
    assert code == 0 and "ru: 2 of 2 sentences from the translation memory" in err, err
    second = _translate(run_mt, release, db)
    assert [r["from_tm"] for r in second] == [True, True]
    assert [r["translation"] for r in second] == [
        "Министерство приветствует соглашение.",
        "Встреча состоялась в Баку.",
    ]
    assert sent(fake_models) == []


def test_post_edit_without_a_draft_still_feeds_the_memory(run_mt, tmp_path):
    release = tmp_path / "r.en.txt"
    release.write_text(RELEASE, encoding="utf-8")
    edited = tmp_path / "r.ru.txt"
    edited.write_text(EDITED, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    code, _, err = run_mt("corpus", "import", "--post-edit", release, edited, "--src", "en",
                          "--tgt", "ru", "--doc", "new-doc", "--db", db)  # fmt: skip
    assert code == 0 and "no machine draft" in err, err
    code, out, _ = run_mt("corpus", "stats", "--db", db, "--json")
    assert json.loads(out)["post_edits"] == {}


def test_post_edit_usage_errors(run_mt, tmp_path):
    release = tmp_path / "r.en.txt"
    release.write_text(RELEASE, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    assert_one_line(run_mt("corpus", "import", "--post-edit", release, "--src", "en", "--tgt",
                           "ru", "--doc", "d", "--db", db), 2, "--post-edit")  # fmt: skip
    assert_one_line(run_mt("corpus", "import", "--post-edit", release, release, "--src", "en",
                           "--tgt", "ru", "--db", db), 2, "--doc")  # fmt: skip
    assert_one_line(run_mt("corpus", "import", "--post-edit", release, tmp_path / "no.txt",
                           "--src", "en", "--tgt", "ru", "--doc", "d", "--db", db), 2,
                    "no such file")  # fmt: skip
    assert not db.exists() or json.loads(run_mt("corpus", "stats", "--db", db, "--json")[1])[
        "documents"] == 0  # fmt: skip


XLIFF_12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="rel.txt" source-language="en" target-language="ru" datatype="plaintext">
  <body>
   <trans-unit id="1"><source>The Ministry welcomes the agreement.</source>
    <target state="translated">Министерство приветствует <g id="b">соглашение</g>.</target>
   </trans-unit>
   <trans-unit id="2"><source>The meeting took place in Baku.</source>
    <target state="translated">Встреча состоялась в Баку.</target></trans-unit>
   <trans-unit id="3" translate="no"><source>MFA</source><target>MFA</target></trans-unit>
  </body>
 </file>
</xliff>
"""


def _memory(db) -> dict[str, str]:
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        return store.translation_memory("en", "ru")


def test_post_edit_from_a_reviewed_xliff_file(tmp_path):
    from mt.corpus.postedit import import_post_edit
    from mt.corpus.store import Store

    xlf = tmp_path / "job.ru.xlf"
    xlf.write_text(XLIFF_12, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    with Store.open(db) as store:
        report = import_post_edit(store, xlf, None, None, None, doc="rel-x", translator="T")
    assert report.sentences == 2 and report.aligned == 2
    assert _memory(db) == {
        "The Ministry welcomes the agreement.": "Министерство приветствует соглашение.",
        "The meeting took place in Baku.": "Встреча состоялась в Баку.",
    }


def test_post_edit_from_word_files(tmp_path):
    docx = pytest.importorskip("docx")
    from mt.corpus.postedit import import_post_edit
    from mt.corpus.store import Store

    def word(path, paragraphs):
        document = docx.Document()
        document.add_heading(paragraphs[0], level=1)
        for text in paragraphs[1:]:
            run = document.add_paragraph().add_run(text)
            run.bold = True
        document.save(path)

    word(tmp_path / "rel.docx", ["Statement", "The meeting took place in Baku."])
    word(tmp_path / "rel.ru.docx", ["Заявление", "Встреча состоялась в Баку."])
    db = tmp_path / "s.sqlite"
    with Store.open(db) as store:
        report = import_post_edit(store, tmp_path / "rel.docx", tmp_path / "rel.ru.docx", "en",
                                  "ru", doc="rel-w")  # fmt: skip
    assert report.sentences == 2
    assert _memory(db)["The meeting took place in Baku."] == "Встреча состоялась в Баку."


def test_xliff_languages_must_agree(tmp_path):
    from mt.corpus.postedit import import_post_edit
    from mt.corpus.store import Store
    from mt.errors import UserError

    xlf = tmp_path / "job.xlf"
    xlf.write_text(XLIFF_12, encoding="utf-8")
    with Store.open(tmp_path / "s.sqlite") as store, pytest.raises(UserError, match="--tgt"):
        import_post_edit(store, xlf, None, "en", "az", doc="x")


def test_post_edit_of_an_xliff_file_through_the_cli(run_mt, tmp_path):
    xlf = tmp_path / "job.ru.xlf"
    xlf.write_text(XLIFF_12, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    code, _, err = run_mt("corpus", "import", "--post-edit", xlf, "--doc", "rel-x", "--db", db)
    assert code == 0 and "2 sentence pairs added to the memory" in err, err
    assert len(_memory(db)) == 2
