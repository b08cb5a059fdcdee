"""The evaluation layer's storage: run tables created on demand, old stores upgraded, reads
that never write (read-only stores, stores without runs), and reports without a writable HOME.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mt.corpus.store import Store
from mt.errors import UserError
from mt.evaluate.history import history, metrics_in_store
from mt.evaluate.recipe import parse_recipe
from mt.evaluate.runs import RunOptions, load_run, resolve_run_id, run_recipe
from mt.evaluate.storage import NO_RUNS, RunStore, ensure_schema, has_schema
from tests.conftest import CORPORA, ROOT, dump
from tests.evaluate.test_runs import FakeTranslator, fake_recipe, one_error_line

# The run tables as mt 0.1's first migration made them (no details_json, no indexes).
OLD_TABLES = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT, recipe TEXT, params_json TEXT,
    started_at TEXT NOT NULL DEFAULT (datetime('now')), finished_at TEXT, status TEXT
);
CREATE TABLE systems (
    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL, src_lang TEXT, tgt_lang TEXT, model TEXT, revision TEXT, backend TEXT,
    params_json TEXT, status TEXT, error TEXT, seconds REAL
);
CREATE TABLE scores (
    id INTEGER PRIMARY KEY, system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    metric TEXT NOT NULL, doc_key TEXT, score REAL NOT NULL, ci_low REAL, ci_high REAL,
    signature TEXT, details_json TEXT
);
"""
DROP_TABLES = (
    "DROP TABLE IF EXISTS scores; DROP TABLE IF EXISTS systems; DROP TABLE IF EXISTS runs;"
)


def _sql(db: Path, script: str) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def _columns(db: Path, table: str) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    finally:
        conn.close()


def _indexes(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()


def _run(db: Path, **top) -> int:
    with Store.open(db) as store:
        return run_recipe(parse_recipe(fake_recipe(**top)), store,
                          RunOptions(limit=6, translator_factory=FakeTranslator))  # fmt: skip


@pytest.fixture(scope="module")
def _imported(tmp_path_factory) -> Path:
    """The bundled corpus imported once (no evaluation tables: simulated for old mt too)."""
    from mt.cli import main

    db = tmp_path_factory.mktemp("storage") / "corpus.sqlite"
    try:
        main(["corpus", "import", str(CORPORA), "--db", str(db)])
    except SystemExit as exc:
        assert not exc.code
    _sql(db, DROP_TABLES)  # a store of an mt that still made them in its migrations
    return db


@pytest.fixture(scope="module")
def _with_run(_imported, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("storage-run") / "corpus.sqlite"
    shutil.copy(_imported, db)
    assert _run(db) == 1
    return db


@pytest.fixture
def fresh(_imported, tmp_path) -> Path:
    """A corpus store without the run tables (as `mt corpus import` now makes them)."""
    db = tmp_path / "corpus.sqlite"
    shutil.copy(_imported, db)
    return db


@pytest.fixture
def with_run(_with_run, tmp_path) -> Path:
    """A corpus store holding evaluation run 1 (fake translators, en-ru and ru-en)."""
    db = tmp_path / "corpus.sqlite"
    shutil.copy(_with_run, db)
    return db


# ---------------------------------------------------------------------------- schema


def test_run_tables_are_created_on_demand(fresh):
    with Store.open(fresh) as store:
        assert not has_schema(store)
    assert _run(fresh) == 1
    assert {"details_json"} <= _columns(fresh, "runs") & _columns(fresh, "systems")
    assert {"systems_run", "scores_system"} <= _indexes(fresh)
    with Store.open(fresh) as store:
        assert has_schema(store)
        assert load_run(store, 1)["run"]["status"] == "ok"


def test_ensure_schema_is_idempotent_and_does_not_write_when_complete(fresh):
    with Store.open(fresh) as store:
        ensure_schema(store)
        cookie = store.conn.execute("PRAGMA schema_version").fetchone()[0]
        before = dump(fresh)
        ensure_schema(store)
        ensure_schema(store)
        assert store.conn.execute("PRAGMA schema_version").fetchone()[0] == cookie
    assert dump(fresh) == before


def test_old_store_gets_details_json_and_keeps_its_rows(fresh):
    _sql(
        fresh, OLD_TABLES + "INSERT INTO runs (kind, name, status) VALUES ('translate', 'x', 'ok');"
    )
    assert "details_json" not in _columns(fresh, "runs")
    with Store.open(fresh) as store:
        ensure_schema(store)
    assert "details_json" in _columns(fresh, "runs") and "details_json" in _columns(
        fresh, "systems"
    )
    assert {"systems_run", "scores_system"} <= _indexes(fresh)
    assert _run(fresh) == 2  # the old row is still run 1
    with Store.open(fresh) as store:
        assert resolve_run_id(store, "last") == 2
        assert RunStore.for_reading(store).run_kind(1) == "translate"
        assert load_run(store, 2)["directions"][0]["systems"][0]["worst"]


def test_old_store_is_read_without_being_upgraded(fresh, run_mt):
    """A run written by an old mt (no details_json columns) reads back, and reading it does not
    add the columns: reads never write."""
    _sql(fresh, OLD_TABLES + """
        INSERT INTO runs (kind, name, params_json, status)
            VALUES ('eval', 'old', '{"directions": ["en-ru"]}', 'ok');
        INSERT INTO systems (run_id, name, src_lang, tgt_lang, status)
            VALUES (1, 'a', 'en', 'ru', 'ok');
        INSERT INTO scores (system_id, metric, score) VALUES (1, 'bleu', 12.5);
    """)  # fmt: skip
    before = dump(fresh)
    with Store.open(fresh, readonly=True) as store:
        (row,) = history(store, "bleu")
        assert (row.run_id, row.system, row.direction, row.score) == (1, "a", "en-ru", 12.5)
        assert metrics_in_store(store) == ["bleu"]
        data = load_run(store, resolve_run_id(store, "last"))
    assert data["run"]["name"] == "old" and data["directions"] == []  # no per-run details
    code, out, err = run_mt("eval", "history", "--db", fresh, "--json")
    assert code == 0, err
    assert '"score": 12.5' in out
    assert dump(fresh) == before
    assert "details_json" not in _columns(fresh, "runs")


# ---------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    "args",
    [["history"], ["history", "--json", "--metric", "chrf"], ["report", "last"],
     ["report", "1", "--format", "json"]],
)  # fmt: skip
def test_reading_a_store_without_run_tables_is_one_line(fresh, run_mt, args):
    before = dump(fresh)
    code, out, err = run_mt("eval", *args, "--db", fresh)
    assert code == 2 and out == ""
    assert one_error_line(err) == f"mt: error: {NO_RUNS}"
    assert "no such table" not in err
    assert dump(fresh) == before


def test_reading_api_without_run_tables_raises_user_error(fresh):
    with Store.open(fresh, readonly=True) as store:
        calls = (lambda: history(store), lambda: metrics_in_store(store),
                 lambda: resolve_run_id(store, "last"), lambda: load_run(store, 1))  # fmt: skip
        for call in calls:
            with pytest.raises(UserError, match="no evaluation runs in the store"):
                call()


def test_history_and_report_leave_a_read_only_store_untouched(with_run, run_mt, tmp_path):
    before = dump(with_run)
    mtime, size = with_run.stat().st_mtime_ns, with_run.stat().st_size
    mode = with_run.stat().st_mode
    with_run.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        html = ["report", "last", "--format", "html", "--out", tmp_path / "r.html"]
        for args in (["history"], ["history", "--json", "--last", "1"],
                     ["history", "--metric", "chrf", "--system", "rev"],
                     ["report", "last", "--format", "md"], ["report", "1", "--format", "json"],
                     html):  # fmt: skip
            code, _, err = run_mt("eval", *args, "--db", with_run)
            assert code == 0, (args, err)
    finally:
        with_run.chmod(mode)
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<svg") == 3
    assert with_run.stat().st_mtime_ns == mtime and with_run.stat().st_size == size
    assert dump(with_run) == before


# ---------------------------------------------------------------------------- HOME


def test_report_needs_no_writable_home(with_run, tmp_path):
    """`mt eval report` draws its charts with matplotlib, whose caches default to $HOME: with
    MPLCONFIGDIR set they go there, and nothing is written into a read-only, empty HOME."""
    home = tmp_path / "home"
    home.mkdir()
    mpl = tmp_path / "mpl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env |= {"HOME": str(home), "MPLCONFIGDIR": str(mpl), "PYTHONPATH": str(ROOT)}
    out = tmp_path / "report.html"
    home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mt", "eval", "report", "last", "--db", str(with_run),
             "--format", "html", "--out", str(out)],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
        )  # fmt: skip
        written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    finally:
        home.chmod(stat.S_IRWXU)
    assert proc.returncode == 0, proc.stderr
    assert written == []
    assert "<svg" in out.read_text(encoding="utf-8")
    assert "Matplotlib" not in proc.stderr and "Traceback" not in proc.stderr
