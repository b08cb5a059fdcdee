"""Cases 1-2: same-named files never overwrite each other; re-importing a statement folder
replaces only what the folder provides."""

from __future__ import annotations

import json

from mt.corpus.importer import import_paths
from mt.corpus.store import Store
from tests.conftest import SMALL
from tests.reliability.conftest import write_moses


def _export(run_mt, db, *extra) -> list[dict]:
    code, out, err = run_mt("corpus", "export", "--db", db, "--format", "jsonl", "--out",
                            db.parent / "out.jsonl", "--dedup", "none", *extra)  # fmt: skip
    assert code == 0, err
    lines = (db.parent / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_same_named_files_in_two_commands_are_two_documents(run_mt, tmp_path):
    a = write_moses(tmp_path / "A" / "train", [("One.", "Один."), ("Two.", "Два.")])
    b = write_moses(tmp_path / "B" / "train", [("Three.", "Три.")])
    db = tmp_path / "x.db"
    code, _, err = run_mt("corpus", "import", "--db", db, *a)
    assert code == 0, err
    code, _, err = run_mt("corpus", "import", "--db", db, *b)
    assert code == 0 and "1 added, 0 updated" in err, err
    rows = _export(run_mt, db)
    assert sorted(r["en"] for r in rows) == ["One.", "Three.", "Two."]
    assert {r["doc"] for r in rows} == {
        str((tmp_path / "A" / "train").resolve()),
        str((tmp_path / "B" / "train").resolve()),
    }


def test_same_named_files_in_one_command_keep_all_pairs(run_mt, tmp_path):
    a = write_moses(tmp_path / "A" / "train", [("One.", "Один."), ("Two.", "Два.")])
    b = write_moses(tmp_path / "B" / "train", [("Three.", "Три.")])
    db = tmp_path / "x.db"
    code, _, err = run_mt("corpus", "import", "--db", db, *a, *b)
    assert code == 0 and "2 added" in err and "3 pairs imported" in err, err
    assert len(_export(run_mt, db)) == 3


def test_explicit_doc_key(run_mt, tmp_path):
    a = write_moses(tmp_path / "A" / "train", [("One.", "Один.")])
    db = tmp_path / "x.db"
    assert run_mt("corpus", "import", "--db", db, "--doc", "mfa-2024-07", *a)[0] == 0
    code, out, _ = run_mt("corpus", "docs", "--db", db)
    assert code == 0 and out.split("\t")[0] == "mfa-2024-07"


def test_reimport_of_same_file_replaces_only_that_file(run_mt, tmp_path):
    a = write_moses(tmp_path / "A" / "train", [("One.", "Один.")])
    b = write_moses(tmp_path / "B" / "train", [("Three.", "Три.")])
    db = tmp_path / "x.db"
    run_mt("corpus", "import", "--db", db, *a, *b)
    write_moses(tmp_path / "A" / "train", [("One, edited.", "Один, исправлено.")])
    code, _, err = run_mt("corpus", "import", "--db", db, *a)
    assert code == 0 and "1 updated" in err, err
    assert sorted(r["en"] for r in _export(run_mt, db)) == ["One, edited.", "Three."]


def _statement_with_extras(tmp_path, make_statement):
    """A statement, a machine rendering from `mt translate --store`, and a TMX of the same
    document (x-doc) imported from another tool."""
    folder = make_statement()
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        import_paths(store, [folder])
        store.add_rendering("test-small", "ru", "Машинный перевод. Второе предложение.",
                            model="opus-mt-en-ru", source_lang="en",
                            source_text=SMALL["en"])  # fmt: skip
    tmx = tmp_path / "extra.tmx"
    tmx.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="en" adminlang="en" '
        'segtype="sentence" o-tmf="x" creationtool="x" creationtoolversion="1" '
        'datatype="plaintext"/><body><tu><prop type="x-doc">test-small</prop>'
        '<tuv xml:lang="en"><seg>An extra sentence.</seg></tuv>'
        '<tuv xml:lang="ru"><seg>Дополнительное предложение.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    with Store.open(db) as store:
        report = import_paths(store, [tmx])
    assert report.shared, "joining a statement document is reported"
    return folder, db


def test_reimport_of_edited_statement_keeps_other_data(tmp_path, make_statement, run_mt):
    folder, db = _statement_with_extras(tmp_path, make_statement)
    en = folder / "en.txt"
    en.write_text(en.read_text(encoding="utf-8") + "\nA new closing sentence.\n",
                  encoding="utf-8")  # fmt: skip
    with Store.open(db) as store:
        report = import_paths(store, [folder])
        assert report.updated == ["test-small"]
        assert report.renderings == {"replaced": 1, "kept": 2}
        assert report.stale == 1
        rows = store.renderings("test-small")
        sources = sorted((r["lang"], r["origin"], r["source"] or "", r["stale"]) for r in rows)
    tmx_source = str((tmp_path / "extra.tmx").resolve())
    assert sources == [
        ("az", "human", "statement", 0),
        ("en", "original", "statement", 0),
        ("en", "unknown", tmx_source, 0),
        ("ru", "human", "statement", 0),
        ("ru", "machine", "translate", 1),
        ("ru", "unknown", tmx_source, 0),
    ]
    # The TMX's pairs and its alignment are still exported; the stale rendering is not.
    pairs = _export(run_mt, db, "--include-machine", "--method", "import")
    assert [p["en"] for p in pairs] == ["An extra sentence."]
    code, out, _ = run_mt("corpus", "stats", "--db", db, "--json")
    assert json.loads(out)["stale_machine_renderings"] == 1


def test_reimport_summary_says_what_happened(tmp_path, make_statement, run_mt):
    folder, db = _statement_with_extras(tmp_path, make_statement)
    (folder / "az.txt").unlink()
    ru = folder / "ru.txt"
    ru.write_text(ru.read_text(encoding="utf-8").replace("Женеве", "Вене"), encoding="utf-8")
    code, _, err = run_mt("corpus", "import", "--db", db, folder)
    assert code == 0, err
    assert "renderings: 1 replaced, 1 kept, 1 removed" in err, err


def test_machine_rendering_becomes_current_again(tmp_path, make_statement):
    folder, db = _statement_with_extras(tmp_path, make_statement)
    en = folder / "en.txt"
    original = en.read_text(encoding="utf-8")
    en.write_text(original + "\nMore.\n", encoding="utf-8")
    with Store.open(db) as store:
        assert import_paths(store, [folder]).stale == 1
    en.write_text(original, encoding="utf-8")
    with Store.open(db) as store:
        assert import_paths(store, [folder]).stale == 0
