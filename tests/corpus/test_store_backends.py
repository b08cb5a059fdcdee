"""The same store on SQLite and PostgreSQL: identical exports, search in all three
languages, concurrent writers, migration between backends, read-only opens that never
write, post-edits and stale renderings, and one-line errors for a server that is not there.

PostgreSQL runs in a throw-away server (``tests/pg.py``); without one these tests skip.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from mt.corpus.store import Store
from mt.errors import EnvironmentFault, UserError
from tests.conftest import CORPORA
from tests.reliability.conftest import (
    assert_one_line,
    mt_cmd,
    mt_env,
    run_proc,
    synthetic_pairs,
    write_moses,
)

FORMATS = ("tmx", "moses", "tsv", "jsonl", "parquet")


def _table_rows(store: Store) -> list:
    return [(t, sorted(map(repr, store.conn.execute(f"SELECT * FROM {t}"))))
            for t in sorted(store.table_names())]  # fmt: skip


def _inputs(tmp_path, make_statement) -> list:
    """The bundled statements, a small one and a Moses pair (named by its path)."""
    files = write_moses(tmp_path / "pairs" / "extra", synthetic_pairs(30))
    return [CORPORA, make_statement(), *files]


def _build(run_mt, db, inputs) -> None:
    """Statements, a pair file and aligner runs: every kind of alignment."""
    for args in (
        ("corpus", "import", *inputs[:2]),
        ("corpus", "import", *inputs[2:]),
        ("corpus", "align", "--pair", "en-ru"),
        ("corpus", "align", "--pair", "en-az"),
    ):
        code, _, err = run_mt(*args, "--db", db)
        assert code == 0, err


def _exports(run_mt, db, out_dir) -> dict[str, bytes]:
    """Every format of three pairs (every method, or gold only), as bytes."""
    out_dir.mkdir()
    got = {}
    for pair, method in (("en-ru", None), ("en-az", "gold"), ("ru-en", None)):
        for fmt in FORMATS:
            out = out_dir / f"{pair}-{method}.{fmt}"
            extra = ("--method", method) if method else ()
            code, _, err = run_mt("corpus", "export", "--pair", pair, "--format", fmt, "--out",
                                  out, "--db", db, *extra)  # fmt: skip
            assert code == 0, err
            for path in sorted(out_dir.glob(out.name + "*")):
                got[path.name] = path.read_bytes()
    return got


def _same_exports(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b) and len(a) >= 15
    for name in a:
        if name.endswith("parquet"):
            import pyarrow.parquet as pq

            left = pq.read_table(__import__("io").BytesIO(a[name]))
            right = pq.read_table(__import__("io").BytesIO(b[name]))
            assert left.equals(right), name
        else:
            assert a[name] == b[name], name


def test_identical_exports_on_both_backends(run_mt, tmp_path, make_statement, pg_url):
    sqlite_db = tmp_path / "s.sqlite"
    inputs = _inputs(tmp_path, make_statement)
    _build(run_mt, sqlite_db, inputs)
    _build(run_mt, pg_url, inputs)
    left = _exports(run_mt, sqlite_db, tmp_path / "out-sqlite")
    right = _exports(run_mt, pg_url, tmp_path / "out-pg")
    _same_exports(left, right)
    stats = [json.loads(run_mt("corpus", "stats", "--json", "--db", db)[1])
             for db in (sqlite_db, pg_url)]  # fmt: skip
    assert stats[0] == stats[1]
    docs = [run_mt("corpus", "docs", "--db", db)[1] for db in (sqlite_db, pg_url)]
    assert docs[0] == docs[1]


def test_search_russian_and_azerbaijani_on_postgres(run_mt, make_statement, pg_url):
    assert run_mt("corpus", "import", make_statement(), "--db", pg_url)[0] == 0
    for query, lang, word in (
        ("Женеве", "ru", "[Женеве]"),
        ("женеве", "ru", "[Женеве]"),  # case-insensitive
        ("Cenevrədə", "az", "[Cenevrədə]"),
        ("iştirak edib", "az", "[iştirak]"),
        ("Geneva", "en", "[Geneva]"),
        ("Minist*", "en", "[Ministry]"),
    ):
        code, out, err = run_mt("corpus", "search", query, "--lang", lang, "--db", pg_url)
        assert code == 0 and word in out, (query, out, err)
        assert out.startswith("test-small\t" + lang), out
    code, out, err = run_mt("corpus", "search", '"unbalanced OR', "--db", pg_url)
    assert code == 0 and "no matches" in err


def test_concurrent_writers_on_postgres(tmp_path, pg_url):
    """Four processes create the store and import at once: all succeed, nothing is lost."""
    groups = [write_moses(tmp_path / f"w{i}" / "train", synthetic_pairs(2000, tag=f"w{i}-"))
              for i in range(4)]  # fmt: skip
    procs = [subprocess.Popen(mt_cmd("corpus", "import", "--db", pg_url, *files), env=mt_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for files in groups]  # fmt: skip
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Store.open(pg_url, readonly=True) as store:
        assert len(store.documents()) == 4
        pairs = list(store.iter_pairs("en", "ru"))
    assert len(pairs) == 8000
    assert {p.src for p in pairs} == {a for i in range(4) for a, _ in
                                      synthetic_pairs(2000, tag=f"w{i}-")}  # fmt: skip


def test_migrate_copies_everything(run_mt, tmp_path, make_statement, pg_url):
    from mt.evaluate.storage import RunStore

    db = tmp_path / "s.sqlite"
    _build(run_mt, db, _inputs(tmp_path, make_statement))
    with Store.open(db) as store:
        store.add_rendering("test-small", "ru", "Машинный перевод.", model="m",
                            source_lang="en", source_text="old text")  # fmt: skip
        runs = RunStore.for_writing(store)
        run_id = runs.start_run("eval", "r1", None, {"a": 1}, {})
        sid = runs.add_system(run_id, name="s", src_lang="en", tgt_lang="ru", model="m",
                              revision=None, backend=None, params={}, status="ok", error=None,
                              seconds=1.5, details={})  # fmt: skip
        runs.add_scores(sid, {"bleu": {"score": 31.25, "signature": "x"}}, {"d": {"bleu": 3.0}})
        runs.finish_run(run_id, "done")
    code, _, err = run_mt("corpus", "migrate", "--from", db, "--to", pg_url)
    assert code == 0 and "copied" in err, err
    _same_exports(_exports(run_mt, db, tmp_path / "o1"), _exports(run_mt, pg_url, tmp_path / "o2"))
    with Store.open(db, readonly=True) as a, Store.open(pg_url, readonly=True) as b:
        tables = {t for t in a.table_names() if not t.startswith("segments_fts")}
        assert {"runs", "systems", "scores", "post_edits"} <= tables <= b.table_names()
        for table in sorted(tables):
            cols = ", ".join(sorted(a.columns(table)))
            rows = [sorted(map(repr, s.conn.execute(f"SELECT {cols} FROM {table}")))
                    for s in (a, b)]  # fmt: skip
            assert rows[0] == rows[1], table
        assert RunStore.for_reading(b).scores(sid) == RunStore.for_reading(a).scores(sid)
    # The copied ids do not collide with new rows.
    code, _, err = run_mt("corpus", "import", make_statement("later"), "--db", pg_url)
    assert code == 0, err
    # A non-empty target is refused unless --force.
    assert_one_line(run_mt("corpus", "migrate", "--from", db, "--to", pg_url), 2, "not empty")
    code, _, err = run_mt("corpus", "migrate", "--from", db, "--to", pg_url, "--force")
    assert code == 0, err
    with Store.open(pg_url, readonly=True) as b:
        assert "later" not in {d.key for d in b.documents()}


def test_read_only_opens_never_write_on_postgres(run_mt, tmp_path, pg_url):
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(20))
    assert run_mt("corpus", "import", *files, "--db", pg_url)[0] == 0
    with Store.open(pg_url) as store:
        before = _table_rows(store)
    for args in (("corpus", "stats"), ("corpus", "docs"), ("corpus", "search", "agreement"),
                 ("corpus", "export", "--out", tmp_path / "o.tsv", "--format", "tsv"),
                 ("eval", "history")):  # fmt: skip
        code, _, err = run_mt(*args, "--db", pg_url)
        assert code in (0, 2), err  # eval history: "no evaluation runs" (exit 2)
    with Store.open(pg_url, readonly=True) as store:
        assert _table_rows(store) == before
        with pytest.raises(EnvironmentFault, match="read-only"):
            store.conn.execute("DELETE FROM documents")
        with pytest.raises(RuntimeError), store.transaction():
            pass


def test_post_edits_and_stale_renderings_on_postgres(run_mt, tmp_path, make_statement, pg_url):
    folder = make_statement()
    assert run_mt("corpus", "import", folder, "--db", pg_url)[0] == 0
    en = (folder / "en.txt").read_text(encoding="utf-8")
    with Store.open(pg_url) as store:
        store.add_rendering("test-small", "ru", "Черновик машинного перевода.", model="m",
                            source_lang="en", source_text=en)  # fmt: skip
    (folder / "en.txt").write_text(en + "\nA new closing sentence.\n", encoding="utf-8")
    code, _, err = run_mt("corpus", "import", folder, "--db", pg_url)
    assert code == 0 and "1 machine renderings marked stale" in err, err
    stats = json.loads(run_mt("corpus", "stats", "--json", "--db", pg_url)[1])
    assert stats["stale_machine_renderings"] == 1
    # Back to the text it was translated from: no longer stale.
    (folder / "en.txt").write_text(en, encoding="utf-8")
    assert run_mt("corpus", "import", folder, "--db", pg_url)[0] == 0
    stats = json.loads(run_mt("corpus", "stats", "--json", "--db", pg_url)[1])
    assert stats["stale_machine_renderings"] == 0
    # A post-edit of the machine draft: stored as human, HTER measured.
    release, edited = tmp_path / "r.en.txt", tmp_path / "r.ru.txt"
    release.write_text("The Ministry welcomes the agreement.\n", encoding="utf-8")
    edited.write_text("Министерство приветствует соглашение.\n", encoding="utf-8")
    with Store.open(pg_url) as store:
        store.add_rendering("rel-1", "ru", "Министерство приветствовать соглашение.",
                            model="m", source_lang="en",
                            source_text="The Ministry welcomes the agreement.\n")  # fmt: skip
    code, _, err = run_mt("corpus", "import", "--post-edit", release, edited, "--src", "en",
                          "--tgt", "ru", "--doc", "rel-1", "--db", pg_url)  # fmt: skip
    assert code == 0 and "HTER" in err, err
    stats = json.loads(run_mt("corpus", "stats", "--json", "--db", pg_url)[1])
    assert stats["post_edits"]["ru"]["documents"] == 1
    assert 0 < stats["post_edits"]["ru"]["hter"] < 100


def test_postgres_errors_are_one_line(run_mt, pg_server, monkeypatch, tmp_path):
    port = pg_server.port
    # connection refused: a port nothing listens on
    from tests.pg import _free_port

    dead = f"postgresql://postgres@127.0.0.1:{_free_port()}/x"
    assert_one_line(run_proc("corpus", "stats", "--db", dead), 1, "cannot connect")
    missing = f"postgresql://postgres@127.0.0.1:{port}/no_such_db"
    line = assert_one_line(run_mt("corpus", "stats", "--db", missing), 2, "does not exist")
    assert "createdb" in line
    empty = pg_server.new_database()
    assert_one_line(run_mt("corpus", "stats", "--db", empty), 2, "not an mt corpus store")
    # MT_DB works like --db
    monkeypatch.setenv("MT_DB", empty)
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(5))
    code, _, err = run_mt("corpus", "import", *files)
    assert code == 0 and "127.0.0.1" in err, err
    # a database holding someone else's tables is refused untouched
    foreign = pg_server.new_database()
    import psycopg

    with psycopg.connect(foreign, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (body text)")
    assert_one_line(run_mt("corpus", "import", *files, "--db", foreign), 2, "other tables: notes")


def test_missing_psycopg_is_one_line(run_mt, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)
    assert_one_line(run_mt("corpus", "stats", "--db", "postgresql://localhost/x"), 2,
                    "PostgreSQL stores need psycopg", '[postgres]')  # fmt: skip
    with pytest.raises(UserError, match="psycopg"):
        Store.open("postgresql://localhost/x")
