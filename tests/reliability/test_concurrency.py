"""Cases 3-4: concurrent writers wait for each other instead of crashing, and concurrent
first opens of a store that does not exist yet cannot race on creating the schema."""

from __future__ import annotations

import sqlite3
import subprocess

from tests.reliability.conftest import mt_cmd, mt_env, synthetic_pairs, write_moses


def _import_all(db, groups) -> list[subprocess.CompletedProcess]:
    procs = [subprocess.Popen(mt_cmd("corpus", "import", "--db", db, *files), env=mt_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for files in groups]  # fmt: skip
    for p in procs:
        p.wait(timeout=300)
    return procs


def _rows(db) -> dict[str, list[tuple[str, str]]]:
    """Per document, its exported (en, ru) pairs straight from the tables."""
    conn = sqlite3.connect(db)
    try:
        out: dict[str, list[tuple[str, str]]] = {}
        for key, lang, text in conn.execute(
            "SELECT d.doc_key, r.lang, s.text FROM segments s"
            " JOIN renderings r ON r.id = s.rendering_id JOIN documents d ON d.id = r.document_id"
            " ORDER BY d.doc_key, r.lang, s.idx"
        ):
            out.setdefault((key, lang), []).append(text)
        return {k: list(zip(out[(k, "en")], out[(k, "ru")], strict=True))
                for k, lang in out if lang == "en"}  # fmt: skip
    finally:
        conn.close()


def _concurrent_imports(tmp_path, writers: int, pairs_each: int) -> None:
    """``writers`` processes import their own Moses pair into one store at the same time;
    every process succeeds and every row of every file is in the store."""
    groups, expected = [], {}
    for i in range(writers):
        pairs = synthetic_pairs(pairs_each, tag=f"w{i}-")
        groups.append(write_moses(tmp_path / f"w{i}" / "train", pairs))
        expected[str((tmp_path / f"w{i}" / "train").resolve())] = pairs
    db = tmp_path / "store.sqlite"
    for p in _import_all(db, groups):
        assert p.returncode == 0, p.stderr.read()
    assert _rows(db) == expected


def test_four_concurrent_importers_into_a_new_store(tmp_path):
    """No store yet: four processes create it at once (the schema cannot race)."""
    _concurrent_imports(tmp_path, writers=4, pairs_each=3000)


def test_two_large_concurrent_imports_both_land(tmp_path):
    """The second writer waits for the first (busy timeout) instead of 'database is locked'."""
    _concurrent_imports(tmp_path, writers=2, pairs_each=40_000)


def test_busy_store_beyond_the_timeout_is_one_line(tmp_path):
    """A writer that holds the lock longer than MT_BUSY_TIMEOUT: one line, exit 1."""
    db = tmp_path / "held.sqlite"
    files = write_moses(tmp_path / "p" / "x", synthetic_pairs(10))
    first = subprocess.run(mt_cmd("corpus", "import", "--db", db, *files), env=mt_env(),
                           capture_output=True, text=True)  # fmt: skip
    assert first.returncode == 0, first.stderr
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = write_moses(tmp_path / "q" / "y", synthetic_pairs(10, "q"))
        proc = subprocess.run(mt_cmd("corpus", "import", "--db", db, *other),
                              env=mt_env(MT_BUSY_TIMEOUT="0.5"), capture_output=True,
                              text=True)  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "busy" in proc.stderr and "Traceback" not in proc.stderr


def test_switching_a_new_store_to_wal_cannot_deadlock_with_a_writer(tmp_path, monkeypatch):
    """A writer holds the rollback journal's write lock while another opener switches the
    new file to WAL. One ``PRAGMA journal_mode = WAL`` fails at once there ("database is
    locked": SQLite refuses to wait on a lock the waiter itself blocks), which an importer
    racing another to create the store reported as a busy store; the switch now retries."""
    import threading
    import time

    from mt.corpus.dialects import _enable_wal, _sqlite_connect

    monkeypatch.setenv("MT_BUSY_TIMEOUT", "6")
    db = tmp_path / "new.sqlite"
    writer = _sqlite_connect(str(db), uri=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    opener = _sqlite_connect(str(db), uri=False)
    errors: list[BaseException] = []

    def switch() -> None:
        try:
            _enable_wal(opener)
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)

    thread = threading.Thread(target=switch)
    t0 = time.monotonic()
    thread.start()
    time.sleep(0.3)  # the opener is now trying to switch
    writer.execute("COMMIT")  # needs the opener's shared lock gone
    thread.join(timeout=10)
    elapsed = time.monotonic() - t0
    assert not errors and not thread.is_alive()
    assert elapsed < 3, f"writer and opener waited on each other for {elapsed:.1f} s"
    assert opener.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert opener.execute("SELECT x FROM t").fetchall() == [(1,)]
    writer.close()
    opener.close()
