"""The two SQL dialects of the corpus store: SQLite (a file) and PostgreSQL (a server).

:class:`~mt.corpus.store.Store` writes each query once, with ``?`` placeholders, in the SQL
both databases share (``coalesce``, ``RETURNING``, ``IS DISTINCT FROM``, ``CASE``). What
differs lives here, one small class per database:

* opening: SQLite's pragmas, WAL and read-only URIs; PostgreSQL's connection options
  (``lock_timeout``, ``default_transaction_read_only``) and one-line connection errors;
* the schema: each dialect's migrations (SQLite keeps ``PRAGMA user_version``, PostgreSQL a
  one-row ``mt_schema`` table) and how a foreign database is recognized and refused;
* write transactions: ``BEGIN IMMEDIATE`` on SQLite; ``BEGIN`` plus
  ``pg_advisory_xact_lock`` on PostgreSQL, so writers from several processes wait for each
  other (up to ``MT_BUSY_TIMEOUT``) exactly as SQLite's busy timeout makes them;
* full-text search: FTS5 on SQLite; on PostgreSQL a GIN index over
  ``to_tsvector('simple', text)`` (no stemming, so Russian and Azerbaijani words are found as
  written, case-insensitively) queried with ``websearch_to_tsquery``;
* import staging (TEMP tables filled by ``executemany`` or by ``COPY``), the bulk cache,
  ``group_concat`` versus ``string_agg``.

:class:`PgConnection` gives a psycopg connection the small part of the ``sqlite3`` API the
store uses (``execute``/``executemany`` with ``?``, ``in_transaction``), and turns every
psycopg error into the store's one-line errors.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from mt.errors import EnvironmentFault, UserError

#: Seconds a connection waits for another writer before giving up.
DEFAULT_BUSY_TIMEOUT = 120.0
RECOVER_HINT = "recover it with `sqlite3 STORE .recover | sqlite3 NEW.sqlite` or restore a backup"
PG_SCHEMES = ("postgresql://", "postgres://")
PSYCOPG_MISSING = 'PostgreSQL stores need psycopg: pip install -e ".[postgres]"'
_FTS_QUERY_ERROR = re.compile(r"fts5|syntax error|no such column|unterminated|unknown special")
# Key of the advisory lock that serializes writers of one PostgreSQL database ("mt" + 1).
_PG_WRITE_LOCK = 0x6D7401


def busy_timeout() -> float:
    """Seconds to wait for a busy store: ``MT_BUSY_TIMEOUT`` or the default."""
    raw = os.environ.get("MT_BUSY_TIMEOUT")
    try:
        value = float(raw) if raw else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        raise UserError(f"MT_BUSY_TIMEOUT={raw!r} is not a number of seconds") from None
    if not 0 <= value < 1e6:
        raise UserError(f"MT_BUSY_TIMEOUT={raw!r} is out of range")
    return value


def is_pg_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(PG_SCHEMES)


class StoreURL(str):
    """A ``postgresql://`` store named by ``--db``/``MT_DB``: a ``str`` (never a ``Path``,
    which would fold ``//``), that answers the two questions callers ask of a store path."""

    __slots__ = ()

    def is_file(self) -> bool:  # "is there a store to open": the server decides
        return True

    def exists(self) -> bool:
        return True

    @property
    def shown(self) -> str:
        """The URL without its password, for messages and run parameters."""
        return redact(self)


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


# ---------------------------------------------------------------------------- SQLite

SQLITE_MIGRATIONS: list[str] = [
    # 1: documents, renderings, segments (+FTS5), alignments, beads. (Stores made by mt 0.1
    # also got the evaluation tables here; they now belong to mt.evaluate.storage.)
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        doc_key TEXT NOT NULL UNIQUE,
        title TEXT, date TEXT, kind TEXT, source TEXT, url TEXT, split TEXT,
        meta_json TEXT NOT NULL DEFAULT '{}',
        content_hash TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE renderings (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        lang TEXT NOT NULL CHECK (lang IN ('en', 'az', 'ru')),
        origin TEXT NOT NULL CHECK (origin IN ('original', 'human', 'machine', 'unknown')),
        model TEXT, revision TEXT, backend TEXT, params_json TEXT, translator TEXT,
        source TEXT,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE UNIQUE INDEX renderings_key
        ON renderings (document_id, lang, origin, ifnull(model, ''), ifnull(source, ''));
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        rendering_id INTEGER NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        para INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (rendering_id, idx)
    );
    CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TABLE alignments (
        id INTEGER PRIMARY KEY,
        src_rendering_id INTEGER NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        tgt_rendering_id INTEGER NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        params_json TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        UNIQUE (src_rendering_id, tgt_rendering_id, method)
    );
    CREATE INDEX alignments_tgt ON alignments (tgt_rendering_id);
    CREATE TABLE beads (
        alignment_id INTEGER NOT NULL REFERENCES alignments(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        src_start INTEGER NOT NULL, src_len INTEGER NOT NULL,
        tgt_start INTEGER NOT NULL, tgt_len INTEGER NOT NULL,
        score REAL,
        PRIMARY KEY (alignment_id, idx)
    ) WITHOUT ROWID;
    """,
    # 2: evaluation-run columns; moved to mt.evaluate.storage (kept so numbering holds).
    "",
    # 3: who provides each rendering (re-imports replace only their own) and staleness of
    # machine renderings whose source text changed after they were made.
    """
    ALTER TABLE renderings ADD COLUMN src_lang TEXT;
    ALTER TABLE renderings ADD COLUMN src_hash TEXT;
    ALTER TABLE renderings ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
    UPDATE renderings SET source = 'statement' WHERE source IS NULL AND origin <> 'machine'
        AND document_id IN (SELECT id FROM documents WHERE content_hash IS NOT NULL);
    UPDATE renderings SET source = 'translate' WHERE source IS NULL;
    CREATE INDEX renderings_doc ON renderings (document_id, source);
    """,
    # 4: post-edits: how far a reviewed (human) rendering is from the machine draft it was
    # made from (HTER: TER edits over the post-edit's words), so the office sees the saving.
    """
    CREATE TABLE post_edits (
        id INTEGER PRIMARY KEY,
        human_rendering_id INTEGER NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        machine_rendering_id INTEGER REFERENCES renderings(id) ON DELETE SET NULL,
        sentences INTEGER NOT NULL,
        edits REAL NOT NULL,
        words REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX post_edits_human ON post_edits (human_rendering_id);
    """,
]
SCHEMA_VERSION = len(SQLITE_MIGRATIONS)


def explain_db_error(exc: sqlite3.Error, path: str | Path | None) -> EnvironmentFault | UserError:
    """One line for a SQLite failure, naming the real cause and what to do about it."""
    text = str(exc)
    low = text.lower()
    where = path if path is not None else None
    if "disk is full" in low or "disk full" in low:
        return EnvironmentFault("disk full (or file size limit reached) while writing the "
                                "store; nothing was changed", where)  # fmt: skip
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return EnvironmentFault(f"the store is corrupted ({text}); {RECOVER_HINT}", where)
    if "no such table" in low or "no such column" in low:
        return EnvironmentFault(f"the store is damaged or not an mt store ({text}); "
                                f"{RECOVER_HINT}", where)  # fmt: skip
    if "locked" in low or "busy" in low:
        return EnvironmentFault(_busy_line(), where)
    if "readonly" in low or "read-only" in low:
        return EnvironmentFault("the store is read-only here (file or directory permissions)",
                                where)  # fmt: skip
    if "disk i/o" in low:
        name = getattr(exc, "sqlite_errorname", "") or "disk I/O error"
        why = f"{name}: disk full, file size limit or a failing disk"
        return EnvironmentFault(f"could not read or write the store ({why}); nothing was changed",
                                where)  # fmt: skip
    if "unable to open" in low:
        return EnvironmentFault(f"cannot open the store ({text})", where)
    return EnvironmentFault(f"store error: {text}", where)


def _busy_line() -> str:
    return (f"the store stayed busy for longer than {busy_timeout():g} s (another mt is "
            "writing; raise MT_BUSY_TIMEOUT)")  # fmt: skip


class Dialect:
    """What the two databases do differently (see the module docstring)."""

    name: str
    migrations: list[str]
    core_tables: tuple[str, ...]
    #: Schema of TEMP tables, and the column that keeps staged rows in insertion order.
    temp: str
    stage_order: str
    #: DDL words for :meth:`ddl`: an id primary key, a reference to one, a float, "now".
    types: dict[str, str]

    def ddl(self, text: str) -> str:
        """``{pk}``, ``{ref}``, ``{real}``, ``{now}`` in DDL written once for both."""
        return text.format(**self.types)

    @property
    def now(self) -> str:
        """An expression for the current UTC time as ``YYYY-MM-DD HH:MM:SS`` text."""
        return self.types["now"]

    def distinct_list(self, expr: str) -> str:
        raise NotImplementedError


class SQLiteDialect(Dialect):
    name = "sqlite"
    migrations = SQLITE_MIGRATIONS
    core_tables = ("documents", "renderings", "segments", "segments_fts", "alignments", "beads")
    temp = "temp"
    stage_order = "rowid"
    types = {"pk": "INTEGER PRIMARY KEY", "ref": "INTEGER", "real": "REAL",
             "now": "(datetime('now'))"}  # fmt: skip

    def distinct_list(self, expr: str) -> str:
        return f"group_concat(DISTINCT {expr})"

    # -- opening -------------------------------------------------------------------------

    def open(self, db: Path, *, readonly: bool) -> sqlite3.Connection:
        try:
            return self._open_readonly(db) if readonly else self._open_writable(db)
        except sqlite3.Error as exc:
            if "not a database" in str(exc):
                raise UserError("cannot open corpus store: not an SQLite database", db) from None
            raise explain_db_error(exc, db) from None

    def _open_writable(self, db: Path) -> sqlite3.Connection:
        folder = db.parent if str(db.parent) else Path(".")
        if not os.access(folder, os.W_OK) or (db.exists() and not os.access(db, os.W_OK)):
            raise UserError("the store (or its directory) is read-only here; commands that "
                            "only read it still work", db)  # fmt: skip
        conn = _sqlite_connect(str(db), uri=False)
        try:
            self.check_kind(conn, db, readonly=False)
            conn.execute("PRAGMA foreign_keys = ON")
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA temp_store = FILE")  # staging tables spill to disk, not RAM
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_readonly(self, db: Path) -> sqlite3.Connection:
        base = "file:" + quote(str(db.resolve())) + "?mode=ro"
        for uri in (base, base + "&immutable=1"):
            conn = _sqlite_connect(uri, uri=True)
            try:
                self.check_kind(conn, db, readonly=True)
            except sqlite3.OperationalError as exc:
                conn.close()
                if "unable to open" in str(exc) or "readonly" in str(exc):
                    continue  # WAL store in a read-only directory: no -shm can be made
                raise
            except BaseException:
                conn.close()
                raise
            conn.execute("PRAGMA query_only = ON")
            return conn
        raise UserError("cannot open the store read-only here", db)

    def needs_upgrade(self, db: Path) -> bool:
        """An mt store of an older schema in a place where it can be upgraded."""
        folder = db.parent if str(db.parent) else Path(".")
        if not (db.is_file() and os.access(db, os.W_OK) and os.access(folder, os.W_OK)):
            return False
        try:
            conn = _sqlite_connect("file:" + quote(str(db.resolve())) + "?mode=ro", uri=True)
            try:
                version = self.schema_version(conn)
                tables = self.table_names(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            return False  # not a database, or damaged: the normal open says so
        return 0 < version < SCHEMA_VERSION and "documents" in tables

    def check_kind(self, conn: sqlite3.Connection, db: Path, *, readonly: bool) -> None:
        """Refuse, before writing anything, a database that is not (or no longer) an mt store.

        Version and tables are read in one read transaction (one snapshot): read apart,
        another process creating the store in between would look like a foreign database.
        """
        conn.execute("BEGIN")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = self.table_names(conn)
        finally:
            conn.execute("COMMIT")
        check_version(version, tables, self.core_tables, db, readonly, RECOVER_HINT)

    # -- schema --------------------------------------------------------------------------

    def schema_version(self, conn) -> int:
        return conn.execute("PRAGMA user_version").fetchone()[0]

    def set_schema_version(self, conn, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    def statements(self, script: str) -> list[str]:
        """Split a migration into statements, keeping trigger bodies (``BEGIN ... END;``)."""
        statements, current = [], []
        for line in script.strip().splitlines():
            current.append(line)
            text = "\n".join(current).strip()
            if text.endswith(";") and sqlite3.complete_statement(text):
                statements.append(text)
                current = []
        if "\n".join(current).strip():
            statements.append("\n".join(current))
        return statements

    def table_names(self, conn) -> set[str]:
        return self.names(conn, "table")

    def names(self, conn, kind: str) -> set[str]:
        """Tables (``kind="table"``) or indexes (``"index"``) of the store."""
        return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = ?",
                                           (kind,))}  # fmt: skip

    def columns(self, conn, table: str) -> set[str]:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}

    # -- transactions --------------------------------------------------------------------

    def begin_write(self, conn) -> None:
        conn.execute("BEGIN IMMEDIATE")

    @contextmanager
    def bulk_settings(self, conn) -> Iterator[None]:
        """A 64 MiB page cache for the write (imports touch many index pages); readers keep
        SQLite's small default, so streaming an export stays flat in memory."""
        (default,) = conn.execute("PRAGMA main.cache_size").fetchone()
        conn.execute("PRAGMA main.cache_size = -65536")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA main.cache_size = {int(default)}")

    # -- full-text search ----------------------------------------------------------------

    def index_rendering(self, conn, rid: int) -> None:
        """Index the rendering in one statement: ~3x faster than a per-row trigger."""
        conn.execute("INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments"
                     " WHERE rendering_id = ?", (rid,))  # fmt: skip

    def last_segment_id(self, conn) -> int:
        return conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]

    def index_segments_after(self, conn, last: int) -> None:
        conn.execute("INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments"
                     " WHERE id > ?", (last,))  # fmt: skip

    def reindex(self, conn) -> None:
        """Rebuild the search index from the segments (after a bulk copy)."""
        conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")

    def search(self, conn, query: str, lang: str | None, limit: int) -> list[tuple]:
        """FTS5 syntax; a query FTS5 cannot parse is searched as a phrase."""
        sql = (
            "SELECT d.doc_key, r.lang, s.idx, s.text"
            " FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid"
            " JOIN renderings r ON r.id = s.rendering_id JOIN documents d ON d.id = r.document_id"
            " WHERE segments_fts MATCH ? AND (? IS NULL OR r.lang = ?)"
            " ORDER BY rank LIMIT ?"
        )
        try:
            return conn.execute(sql, (query, lang, lang, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            if not _FTS_QUERY_ERROR.search(str(exc)):
                raise
            phrase = '"' + query.replace('"', '""') + '"'
            return conn.execute(sql, (phrase, lang, lang, limit)).fetchall()

    # -- staging and copying -------------------------------------------------------------

    def stage_tables(self) -> list[str]:
        # Append-only rowid tables: staging never searches them, the copy scans them once.
        return [
            "CREATE TEMP TABLE stage_docs (id INTEGER PRIMARY KEY, data TEXT NOT NULL)",
            "CREATE TEMP TABLE stage_seg (doc INTEGER, side INTEGER, idx INTEGER, text TEXT)",
            "CREATE TEMP TABLE stage_beads (doc INTEGER, idx INTEGER, s0 INTEGER, sn INTEGER,"
            " t0 INTEGER, tn INTEGER, score REAL)",
            "CREATE TEMP TABLE stage_map (doc INTEGER, side INTEGER, rid INTEGER,"
            " PRIMARY KEY (doc, side)) WITHOUT ROWID",
            "CREATE TEMP TABLE stage_align (doc INTEGER PRIMARY KEY, aid INTEGER)",
        ]

    def append_rows(self, conn, table: str, columns: Sequence[str], rows: Iterable) -> None:
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def stream(self, conn, sql: str) -> Iterator[tuple]:
        yield from conn.execute(sql)

    def reset_ids(self, conn, tables: Sequence[str]) -> None:
        """Nothing to do: SQLite's next rowid is always max(id) + 1."""

    def errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch a store (a new one: its first openers race here) to WAL, in short tries.

    Why not one ``PRAGMA journal_mode = WAL`` under the busy timeout: the switch needs an
    exclusive lock, and while another process holds the rollback journal's write lock (the
    first opener creating the schema) SQLite does not wait for it but fails at once ("database
    is locked"): waiting would deadlock, as that writer's commit waits for our shared lock.
    A failed try ends its statement and drops its locks; the next, after a short random
    pause, finds the file in WAL (the other won) or free.
    """
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + busy_timeout()
    conn.execute("PRAGMA busy_timeout = 50")
    try:
        while True:
            with suppress(sqlite3.OperationalError):  # "database is locked": try again
                if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                    return
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError("database is locked")
            time.sleep(random.uniform(0.01, 0.1))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")


def _sqlite_connect(target: str, *, uri: bool) -> sqlite3.Connection:
    return sqlite3.connect(target, uri=uri, timeout=busy_timeout(), isolation_level=None,
                           check_same_thread=False)  # fmt: skip


def check_version(version: int, tables: set[str], core: Sequence[str], where, readonly: bool,
                  hint: str) -> None:  # fmt: skip
    """The checks both dialects make of an existing database before touching it."""
    if version == 0:
        if tables:
            shown = ", ".join(sorted(tables)[:4])
            raise UserError(f"not an mt corpus store (it holds other tables: {shown}); "
                            "refusing to touch it", where)  # fmt: skip
        if readonly:
            raise UserError("empty database, not an mt corpus store yet", where)
        return
    if version > SCHEMA_VERSION:
        raise UserError(f"store schema version {version} is newer than this mt "
                        f"({SCHEMA_VERSION}); upgrade mt", where)  # fmt: skip
    missing = [t for t in core if t not in tables]
    if missing:
        raise EnvironmentFault(f"not an mt store, or a damaged one: table {', '.join(missing)} "
                               f"missing; {hint}", where)  # fmt: skip
    if readonly and version < SCHEMA_VERSION:
        raise UserError(f"store made by an older mt (schema {version}); run a writing command "
                        "such as `mt corpus import` once to upgrade it", where)  # fmt: skip


# ---------------------------------------------------------------------------- PostgreSQL

_PG_NOW = "(to_char(timezone('UTC', now()), 'YYYY-MM-DD HH24:MI:SS'))"

# The same schema, version by version, in PostgreSQL's DDL. Keys and sources sort by bytes
# (COLLATE "C"), as in SQLite, so exports list documents in the same order on both.
PG_MIGRATIONS: list[str] = [
    f"""
    CREATE TABLE documents (
        id BIGSERIAL PRIMARY KEY,
        doc_key TEXT COLLATE "C" NOT NULL UNIQUE,
        title TEXT, date TEXT, kind TEXT, source TEXT, url TEXT, split TEXT,
        meta_json TEXT NOT NULL DEFAULT '{{}}',
        content_hash TEXT,
        created_at TEXT NOT NULL DEFAULT {_PG_NOW}
    );
    CREATE TABLE renderings (
        id BIGSERIAL PRIMARY KEY,
        document_id BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        lang TEXT NOT NULL CHECK (lang IN ('en', 'az', 'ru')),
        origin TEXT NOT NULL CHECK (origin IN ('original', 'human', 'machine', 'unknown')),
        model TEXT, revision TEXT, backend TEXT, params_json TEXT, translator TEXT,
        source TEXT COLLATE "C",
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT {_PG_NOW}
    );
    CREATE UNIQUE INDEX renderings_key
        ON renderings (document_id, lang, origin, coalesce(model, ''), coalesce(source, ''));
    CREATE TABLE segments (
        id BIGSERIAL PRIMARY KEY,
        rendering_id BIGINT NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        para INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (rendering_id, idx)
    );
    CREATE INDEX segments_fts ON segments USING gin (to_tsvector('simple', text));
    CREATE TABLE alignments (
        id BIGSERIAL PRIMARY KEY,
        src_rendering_id BIGINT NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        tgt_rendering_id BIGINT NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        params_json TEXT,
        created_at TEXT NOT NULL DEFAULT {_PG_NOW},
        UNIQUE (src_rendering_id, tgt_rendering_id, method)
    );
    CREATE INDEX alignments_tgt ON alignments (tgt_rendering_id);
    CREATE TABLE beads (
        alignment_id BIGINT NOT NULL REFERENCES alignments(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        src_start INTEGER NOT NULL, src_len INTEGER NOT NULL,
        tgt_start INTEGER NOT NULL, tgt_len INTEGER NOT NULL,
        score DOUBLE PRECISION,
        PRIMARY KEY (alignment_id, idx)
    );
    """,
    "",
    """
    ALTER TABLE renderings ADD COLUMN src_lang TEXT;
    ALTER TABLE renderings ADD COLUMN src_hash TEXT;
    ALTER TABLE renderings ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX renderings_doc ON renderings (document_id, source);
    """,
    f"""
    CREATE TABLE post_edits (
        id BIGSERIAL PRIMARY KEY,
        human_rendering_id BIGINT NOT NULL REFERENCES renderings(id) ON DELETE CASCADE,
        machine_rendering_id BIGINT REFERENCES renderings(id) ON DELETE SET NULL,
        sentences INTEGER NOT NULL,
        edits DOUBLE PRECISION NOT NULL,
        words DOUBLE PRECISION NOT NULL,
        created_at TEXT NOT NULL DEFAULT {_PG_NOW}
    );
    CREATE INDEX post_edits_human ON post_edits (human_rendering_id);
    """,
]
assert len(PG_MIGRATIONS) == SCHEMA_VERSION
PG_HINT = "restore a backup (pg_restore) or migrate into a new database"


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise UserError(PSYCOPG_MISSING) from None
    return psycopg


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` as ``%%``)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A psycopg connection with the part of ``sqlite3``'s API the store uses.

    Autocommit, like ``sqlite3`` with ``isolation_level=None``: the store opens its own
    transactions. Parameters are bound on the client (``ClientCursor``), so ``? IS NULL``
    and ``coalesce(?, '')`` work as in SQLite. Every psycopg error becomes the store's
    one-line :class:`~mt.errors.EnvironmentFault` (or :class:`~mt.errors.UserError`).
    """

    def __init__(self, raw: Any, where: str):
        self.raw = raw
        self.where = where

    def execute(self, sql: str, params: Sequence | None = None):
        cur = self.raw.cursor()
        try:
            if params:
                cur.execute(_pg_sql(sql), tuple(params))
            else:
                cur.execute(sql)
        except _psycopg().Error as exc:
            raise explain_pg_error(exc, self.where) from None
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        cur = self.raw.cursor()
        try:
            cur.executemany(_pg_sql(sql), [tuple(r) for r in rows])
        except _psycopg().Error as exc:
            raise explain_pg_error(exc, self.where) from None

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        cur = self.raw.cursor()
        try:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except _psycopg().Error as exc:
            raise explain_pg_error(exc, self.where) from None

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def explain_pg_error(exc: BaseException, where: str | None) -> EnvironmentFault | UserError:
    """One line for a PostgreSQL failure (connecting, a lock wait, a damaged schema...)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    low = text.lower()
    state = getattr(exc, "sqlstate", None) or ""
    if state == "55P03" or "lock timeout" in low:
        return EnvironmentFault(_busy_line(), where)
    if state == "25006" or "read-only transaction" in low:
        return EnvironmentFault("write on a store opened read-only", where)
    if state in ("42P01", "42703"):
        return EnvironmentFault(f"the store is damaged or not an mt store ({text}); {PG_HINT}",
                                where)  # fmt: skip
    if state == "53100" or "no space left" in low:
        return EnvironmentFault("the PostgreSQL server's disk is full; nothing was changed",
                                where)  # fmt: skip
    if "connection refused" in low or "could not connect" in low or "no such file" in low:
        return EnvironmentFault("cannot connect to the PostgreSQL server (connection refused:"
                                " is it running, and is the host/port right?)", where)  # fmt: skip
    if (
        "password authentication failed" in low
        or "authentication failed" in low
        or ("no pg_hba.conf entry" in low or "no password supplied" in low)
    ):
        return UserError("PostgreSQL refused the login (authentication failed: check the "
                         "user and password in the URL, or ~/.pgpass)", where)  # fmt: skip
    if "does not exist" in low and "database" in low:
        return UserError(f"{text} (create it first: createdb NAME)", where)
    if "server closed the connection" in low or "terminating connection" in low:
        return EnvironmentFault(f"the PostgreSQL server closed the connection ({text}); "
                                "nothing was changed", where)  # fmt: skip
    return EnvironmentFault(f"store error: {text}", where)


class PostgresDialect(Dialect):
    name = "postgres"
    migrations = PG_MIGRATIONS
    core_tables = ("documents", "renderings", "segments", "alignments", "beads")
    temp = "pg_temp"
    stage_order = "n"
    types = {"pk": "BIGSERIAL PRIMARY KEY", "ref": "BIGINT", "real": "DOUBLE PRECISION",
             "now": _PG_NOW}  # fmt: skip

    def distinct_list(self, expr: str) -> str:
        return f"string_agg(DISTINCT {expr}, ',')"

    # -- opening -------------------------------------------------------------------------

    def open(self, url: str, *, readonly: bool) -> PgConnection:
        psycopg = _psycopg()
        where = redact(url)
        options = f"-c lock_timeout={int(busy_timeout() * 1000)}"
        if readonly:
            options += " -c default_transaction_read_only=on"
        try:
            raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor,
                                  options=options, connect_timeout=30,
                                  application_name="mt")  # fmt: skip
        except psycopg.Error as exc:
            raise explain_pg_error(exc, where) from None
        except psycopg.ProgrammingError as exc:  # a malformed URL
            raise UserError(f"not a PostgreSQL URL ({exc})", where) from None
        conn = PgConnection(raw, where)
        try:
            conn.execute("SET client_min_messages = warning")  # no NOTICE lines on stderr
            self.check_kind(conn, where, readonly=readonly)
        except BaseException:
            conn.close()
            raise
        return conn

    def check_kind(self, conn: PgConnection, where: str, *, readonly: bool) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            tables = self.table_names(conn)
            version = self.schema_version(conn) if "mt_schema" in tables else 0
        finally:
            conn.execute("COMMIT")
        tables.discard("mt_schema")
        check_version(version, tables, self.core_tables, where, readonly, PG_HINT)

    # -- schema --------------------------------------------------------------------------

    def schema_version(self, conn) -> int:
        if "mt_schema" not in self.table_names(conn):
            return 0
        row = conn.execute("SELECT max(version) FROM mt_schema").fetchone()
        return int(row[0] or 0)

    def set_schema_version(self, conn, version: int) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS mt_schema (version INTEGER NOT NULL)")
        conn.execute("DELETE FROM mt_schema")
        conn.execute("INSERT INTO mt_schema (version) VALUES (?)", (int(version),))

    def statements(self, script: str) -> list[str]:
        return [s.strip() for s in script.split(";") if s.strip()]

    def table_names(self, conn) -> set[str]:
        return self.names(conn, "table")

    def names(self, conn, kind: str) -> set[str]:
        if kind == "index":
            sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        else:
            sql = ("SELECT table_name FROM information_schema.tables"
                   " WHERE table_schema = current_schema()")  # fmt: skip
        return {n for (n,) in conn.execute(sql)}

    def columns(self, conn, table: str) -> set[str]:
        return {n for (n,) in conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?", (table,))}  # fmt: skip

    # -- transactions --------------------------------------------------------------------

    def begin_write(self, conn) -> None:
        """Writers queue on one advisory lock (released at COMMIT/ROLLBACK), so a second
        writer waits (``lock_timeout``) rather than failing on a unique key or a deadlock."""
        conn.execute("BEGIN")
        try:
            conn.execute(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
        except BaseException:
            with suppress(Exception):
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def bulk_settings(self, conn) -> Iterator[None]:
        yield

    # -- full-text search ----------------------------------------------------------------

    def index_rendering(self, conn, rid: int) -> None:
        """Nothing to do: the GIN expression index follows the segments table."""

    def last_segment_id(self, conn) -> int:
        return 0

    def index_segments_after(self, conn, last: int) -> None:
        pass

    def reindex(self, conn) -> None:
        pass

    def search(self, conn, query: str, lang: str | None, limit: int) -> list[tuple]:
        """Plain words (and ``"phrases"``, ``OR``, ``-word``) through ``websearch_to_tsquery``;
        FTS5's prefix form ``minist*`` becomes a prefix query. Never a syntax error."""
        terms = re.findall(r"(\w+)\*", query)
        if terms:
            words = [w + (":*" if star else "") for w, star in re.findall(r"(\w+)(\*?)", query)
                     if w not in ("AND", "OR", "NOT", "NEAR")]  # fmt: skip
            tsq, arg = "to_tsquery('simple', ?)", " & ".join(words)
        else:
            tsq, arg = "websearch_to_tsquery('simple', ?)", query
        sql = (
            f"SELECT d.doc_key, r.lang, s.idx, s.text FROM (SELECT {tsq} AS q) query"
            " JOIN segments s ON to_tsvector('simple', s.text) @@ query.q"
            " JOIN renderings r ON r.id = s.rendering_id JOIN documents d ON d.id = r.document_id"
            " WHERE (? IS NULL OR r.lang = ?)"
            " ORDER BY ts_rank(to_tsvector('simple', s.text), query.q) DESC, s.id LIMIT ?"
        )
        return conn.execute(sql, (arg, lang, lang, limit)).fetchall()

    # -- staging and copying -------------------------------------------------------------

    def stage_tables(self) -> list[str]:
        return [
            "CREATE TEMP TABLE stage_docs (id INTEGER PRIMARY KEY, data TEXT NOT NULL)",
            "CREATE TEMP TABLE stage_seg (n BIGSERIAL, doc INTEGER, side INTEGER, idx INTEGER,"
            " text TEXT)",
            "CREATE TEMP TABLE stage_beads (n BIGSERIAL, doc INTEGER, idx INTEGER, s0 INTEGER,"
            " sn INTEGER, t0 INTEGER, tn INTEGER, score DOUBLE PRECISION)",
            "CREATE TEMP TABLE stage_map (doc INTEGER, side INTEGER, rid BIGINT,"
            " PRIMARY KEY (doc, side))",
            "CREATE TEMP TABLE stage_align (doc INTEGER PRIMARY KEY, aid BIGINT)",
        ]

    def append_rows(self, conn: PgConnection, table: str, columns: Sequence[str],
                    rows: Iterable) -> None:  # fmt: skip
        conn.copy_rows(table, columns, rows)

    def stream(self, conn: PgConnection, sql: str) -> Iterator[tuple]:
        """Rows of a big query through a server-side cursor (inside the caller's
        transaction), so memory stays flat."""
        cur = conn.raw.cursor(name="mt_stream")
        try:
            cur.itersize = 5000
            cur.execute(sql)
            yield from cur
        except _psycopg().Error as exc:
            raise explain_pg_error(exc, conn.where) from None
        finally:
            with suppress(Exception):
                cur.close()

    def reset_ids(self, conn, tables: Sequence[str]) -> None:
        """Point each id sequence past the ids copied in explicitly."""
        for table in tables:
            if "id" in self.columns(conn, table):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                             f" coalesce(max(id), 0) + 1, false) FROM {table}")  # fmt: skip

    def errors(self) -> tuple[type[BaseException], ...]:
        return (_psycopg().Error,)


SQLITE = SQLiteDialect()
POSTGRES = PostgresDialect()
