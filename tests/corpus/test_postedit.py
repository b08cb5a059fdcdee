"""Post-edits back into the store: the reviewed text becomes the human rendering, the
memory grows from it, and the edit distance to the machine draft is stored and shown."""

from __future__ import annotations

import json

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
