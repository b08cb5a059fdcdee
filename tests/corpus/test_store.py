"""The store: schema, migrations, idempotent and transactional import, pairs, TM, search.

Every test that takes ``store`` runs twice: on a SQLite file and on a PostgreSQL database
(``tests/pg.py``; skipped when no PostgreSQL server can be started).
"""

from __future__ import annotations

import sqlite3

import pytest

from mt.corpus.importer import import_paths
from mt.corpus.store import SCHEMA_VERSION, Store
from mt.errors import UserError
from tests.conftest import dump


@pytest.fixture
def store(store_url):
    with Store.open(store_url) as s:
        yield s


def snapshot(store: Store) -> list:
    """The whole store (SQL dump for SQLite, every table's rows for PostgreSQL), to assert
    that a command left it exactly as it was."""
    if store.dialect.name == "sqlite":
        return dump(store.path)
    return [(table, sorted(map(repr, store.conn.execute(f"SELECT * FROM {table}"))))
            for table in sorted(store.table_names())]  # fmt: skip


def test_schema_pragmas(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    assert store.schema_version == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_postgres_schema_and_newer_version(pg_url):
    with Store.open(pg_url) as store:
        assert store.dialect.name == "postgres" and store.schema_version == SCHEMA_VERSION
        assert {"mt_schema", "documents", "segments"} <= store.table_names()
        assert "segments_fts" in store.table_names("index")  # the GIN index
        store.conn.execute("UPDATE mt_schema SET version = ?", (SCHEMA_VERSION + 5,))
    with pytest.raises(UserError, match="newer"):
        Store.open(pg_url)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(UserError, match="newer"):
        Store.open(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="cannot open"):
        Store.open(path)


def test_import_is_idempotent(store, make_statement):
    folder = make_statement()
    first = import_paths(store, [folder])
    assert first.added == ["test-small"]
    before = snapshot(store)
    second = import_paths(store, [folder])
    assert second.unchanged == ["test-small"] and not second.added
    assert snapshot(store) == before


def test_changed_statement_is_updated(store, make_statement):
    folder = make_statement()
    import_paths(store, [folder])
    en = folder / "en.txt"
    en.write_text(en.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
    report = import_paths(store, [folder])
    assert report.updated == ["test-small"]
    assert store.sentences("test-small", "en")[-1] == "A new closing sentence."
    # one rendering per language, not two
    assert len(store.renderings("test-small", "en")) == 1


def test_bad_file_leaves_store_unchanged(store, make_statement, tmp_path):
    good = make_statement("good")
    import_paths(store, [good])
    before = snapshot(store)
    bad = make_statement("bad")
    (bad / "ru.txt").write_bytes("Заявление".encode("cp1251"))
    with pytest.raises(UserError, match="not UTF-8"):
        import_paths(store, [make_statement("another"), bad])
    assert snapshot(store) == before


def test_segments_and_paragraphs(store, make_statement):
    import_paths(store, [make_statement()])
    rid = store.renderings("test-small", "ru")[0]["id"]
    paras = store.paragraphs(rid)
    assert [len(p) for p in paras] == [1, 2, 2]
    assert paras[1][0].startswith("Министерство иностранных дел приветствует")
    assert "в г. Баку 3 марта 2024 года." in paras[1][0]


def test_align_and_iter_pairs(store, make_statement):
    from mt.corpus.aligning import align_store

    import_paths(store, [make_statement()])
    counts = align_store(store, [("en", "ru")])
    assert counts[("en", "ru")] == (1, 0)
    pairs = list(store.iter_pairs("en", "ru"))
    assert len(pairs) == 5
    assert pairs[1].src.startswith("The Ministry of Foreign Affairs welcomes")
    assert pairs[1].tgt.startswith("Министерство иностранных дел")
    assert all(p.score is not None for p in pairs)
    # the reverse direction swaps the sides
    back = list(store.iter_pairs("ru", "en"))
    assert back[1].src == pairs[1].tgt and back[1].src_lang == "ru"
    # aligning again is skipped unless forced
    assert align_store(store, [("en", "ru")])[("en", "ru")] == (0, 1)


def test_translation_memory_uses_human_renderings(store, make_statement):
    from mt.corpus.aligning import align_store

    import_paths(store, [make_statement()])
    align_store(store, [("en", "az")])
    tm = store.translation_memory("en", "az")
    assert tm["Mr. J. Smith attended the ceremony."] == "Mərasimdə cənab C. Smit iştirak edib."
    store.add_rendering("test-small", "az", "Maşın tərcüməsi.", origin="machine", model="x")
    assert store.translation_memory("en", "az") == tm


def test_add_rendering_creates_document(store):
    rid = store.add_rendering("new-release", "ru", "Первое предложение. Второе предложение.",
                              model="Helsinki-NLP/opus-mt-en-ru", backend="ct2",
                              params={"beam": 4})  # fmt: skip
    row = store.conn.execute("SELECT origin, model, backend, params_json FROM renderings"
                             " WHERE id = ?", (rid,)).fetchone()  # fmt: skip
    assert row == ("machine", "Helsinki-NLP/opus-mt-en-ru", "ct2", '{"beam": 4}')
    assert store.sentences("new-release", "ru") == ["Первое предложение.", "Второе предложение."]


def test_search(store, make_statement):
    import_paths(store, [make_statement()])
    hits = store.search("Женеве", "ru")
    assert len(hits) == 1 and hits[0][0] == "test-small" and "[Женеве]" in hits[0][3]
    assert store.search("Женеве", "en") == []
    # a query FTS5 cannot parse is searched as a phrase, not an error
    assert store.search('"unbalanced', None) == []


def test_stats(store, make_statement):
    from mt.corpus.aligning import align_store

    import_paths(store, [make_statement()])
    align_store(store, [("en", "ru"), ("en", "az")])
    stats = store.stats()
    assert stats["documents"] == 1
    assert stats["languages"]["en"]["sentences"] == 5
    assert stats["pairs"]["en-ru"]["lexical"]["beads"] == 5
