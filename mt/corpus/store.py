"""The sentence-aligned corpus store, the one home of the corpus layer's SQL.

Two backends behind one :class:`Store`: a SQLite file (the default: one file, no server, WAL
for concurrent readers, FTS5 search) or a PostgreSQL database (``--db postgresql://...``, a
store shared by many machines). Queries are written once, with ``?`` placeholders, in the SQL
both share; what differs (opening, DDL and migrations, full-text search, write locking,
import staging) lives in :mod:`mt.corpus.dialects`. Transactions make every command
all-or-nothing; the schema carries a version and every change is a migration.

Model: a *document* has *renderings* (one text per language and provenance); each rendering
is cut into *segments* (sentences, 0-based over the document); an *alignment* links two
renderings with a list of *beads* (consecutive segment ranges on both sides). A rendering's
``source`` says who provides it, which is what a re-import may replace: ``statement`` (its
statement folder), ``translate`` (``mt translate --store``) or the resolved path of the pair
file it was imported from. Evaluation runs live in tables of their own, owned by
:mod:`mt.evaluate.storage`.

Concurrency: every connection waits for a busy store (``MT_BUSY_TIMEOUT`` seconds, default
120) instead of failing; schema creation and migrations run inside one write transaction
(SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``BEGIN`` + an advisory lock) that re-reads the
version, so concurrent first opens cannot race; imports parse into TEMP tables (SQLite's
temporary file, or the PostgreSQL session's temp tables, never the store) and take the write
lock only to copy the parsed rows in.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt.corpus.align.base import Bead
from mt.corpus.dialects import (
    DEFAULT_BUSY_TIMEOUT,
    POSTGRES,
    RECOVER_HINT,
    SCHEMA_VERSION,
    SQLITE,
    SQLITE_MIGRATIONS,
    Dialect,
    StoreURL,
    busy_timeout,
    explain_db_error,
    is_pg_url,
    redact,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError
from mt.lang import canonical_pair, check_lang, normalize

__all__ = ["DEFAULT_BUSY_TIMEOUT", "RECOVER_HINT", "SCHEMA_VERSION", "Store", "StoreURL",
           "busy_timeout", "explain_db_error", "store_target"]  # fmt: skip

DB_FILE = "corpus.sqlite"
# Which alignment to prefer for a pair when several methods aligned the same renderings.
METHOD_PREFERENCE = ("gold", "import")
#: Where a statement folder's renderings come from (a pair file's is its resolved path).
STATEMENT_SOURCE = "statement"
#: Where ``mt translate --store`` renderings come from.
TRANSLATE_SOURCE = "translate"
#: Tables that every mt store has (SQLite); a file without them is not an mt store.
CORE_TABLES = SQLITE.core_tables
#: Where a reviewed translation imported with ``mt corpus import --post-edit`` comes from.
POST_EDIT_SOURCE = "post-edit"
#: The SQLite schema's migrations (PostgreSQL's are :data:`mt.corpus.dialects.PG_MIGRATIONS`).
MIGRATIONS = SQLITE_MIGRATIONS
#: The corpus tables, parents first (the order :func:`copy_store` fills them in).
CORPUS_TABLES = ("documents", "renderings", "segments", "alignments", "beads", "post_edits")


def store_target(value: str | Path) -> Path | StoreURL:
    """What ``--db``/``MT_DB`` names: a ``postgresql://`` URL or a SQLite file path."""
    if isinstance(value, StoreURL):
        return value
    if is_pg_url(value) or (isinstance(value, str) and value.startswith("postgres:")):
        return StoreURL(str(value))
    return Path(value)


def default_db_path() -> Path | StoreURL:
    """``MT_DB`` (a file or a ``postgresql://`` URL) or ``<user data dir>/mt/corpus.sqlite``."""
    env = os.environ.get("MT_DB")
    if env:
        return store_target(env)
    from platformdirs import user_data_path

    return user_data_path("mt", appauthor=False) / DB_FILE


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    key: str
    title: str | None
    date: str | None
    split: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RenderingState:
    """What a re-import compares: a stored rendering's id, content hash and provenance."""

    id: int
    lang: str
    origin: str
    model: str | None
    translator: str | None
    content_hash: str


class Store:
    """A connection to the corpus store. Use :meth:`open`; every write runs in a transaction.

    ``dialect`` is :data:`~mt.corpus.dialects.SQLITE` or :data:`~mt.corpus.dialects.POSTGRES`;
    ``conn`` a ``sqlite3`` connection or a :class:`~mt.corpus.dialects.PgConnection` (same
    ``execute``/``executemany`` with ``?`` placeholders); ``path`` the SQLite file, or the
    PostgreSQL URL without its password.
    """

    #: The store most recently opened in this process, named by the CLI's error line when a
    #: SQLite failure surfaces outside the store's own methods.
    last_path: Path | str | None = None

    def __init__(self, conn: Any, path: Path | str, readonly: bool = False,
                 dialect: Dialect = SQLITE):  # fmt: skip
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self.dialect = dialect

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, create: bool = True, readonly: bool = False
    ) -> Store:
        """Open the store; create and migrate it unless ``readonly``.

        ``path`` is a SQLite file or a ``postgresql://`` URL (default: :func:`default_db_path`).
        ``readonly`` opens a file with ``mode=ro`` (falling back to ``immutable=1`` in a
        directory where SQLite cannot create its shared-memory file), and a PostgreSQL
        session with ``default_transaction_read_only``, so read-only commands never write. A
        database that is not an mt store is refused before anything is written to it.
        """
        target = store_target(path) if path is not None else default_db_path()
        if isinstance(target, StoreURL):
            return cls._open_postgres(target, readonly=readonly)
        db = target
        cls.last_path = db
        if db.is_dir():
            raise UserError("store path is a directory, expected a SQLite file", db)
        if not db.exists():
            if readonly or not create:
                raise UserError("no corpus store here (run `mt corpus import` first)", db)
            if path is None:
                db.parent.mkdir(parents=True, exist_ok=True)
            elif not db.parent.exists():
                raise UserError("directory of the store does not exist", db)
        if readonly and SQLITE.needs_upgrade(db):
            # A store made by an older mt is upgraded once, by whichever command opens it
            # first; in a read-only place the read-only open says how instead.
            cls.open(db).close()
        conn = SQLITE.open(db, readonly=readonly)
        store = cls(conn, db, readonly=readonly, dialect=SQLITE)
        if not readonly:
            try:
                store._migrate()
            except sqlite3.Error as exc:
                conn.close()
                raise explain_db_error(exc, db) from None
            except BaseException:
                conn.close()
                raise
        return store

    @classmethod
    def _open_postgres(cls, url: StoreURL, *, readonly: bool) -> Store:
        shown = redact(url)
        cls.last_path = shown
        conn = POSTGRES.open(url, readonly=readonly)
        store = cls(conn, shown, readonly=readonly, dialect=POSTGRES)
        if not readonly:
            try:
                store._migrate()
            except BaseException:
                conn.close()
                raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        """Bring the schema up to date in one transaction that re-reads the version, so
        that concurrent first opens of a new store serialize instead of racing."""
        if self.schema_version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise UserError(f"store schema version {version} is newer than this mt "
                                f"({SCHEMA_VERSION})", self.path)  # fmt: skip
            for number in range(version, SCHEMA_VERSION):
                for statement in self.dialect.statements(self.dialect.migrations[number]):
                    self.conn.execute(statement)
            self.dialect.set_schema_version(self.conn, SCHEMA_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A write transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``BEGIN`` and the
        writers' advisory lock) ... COMMIT, or ROLLBACK on any exception (nothing partial).

        SQLite may already have rolled back by itself (disk full): then there is nothing to
        roll back and the original error, not "cannot rollback", is what surfaces.
        """
        if self.readonly:
            raise RuntimeError("write on a store opened read-only")
        if self.conn.in_transaction:
            yield self.conn
            return
        self.dialect.begin_write(self.conn)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                with suppress(Exception):
                    self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def bulk(self) -> Iterator[Any]:
        """A write transaction for imports (SQLite: with a 64 MiB page cache, as imports
        touch many index pages; readers keep the small default, so exports stay flat)."""
        with self.dialect.bulk_settings(self.conn), self.transaction() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: every query inside sees the same state of the store."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN" if self.dialect is SQLITE else
                          "BEGIN ISOLATION LEVEL REPEATABLE READ")  # fmt: skip
        try:
            yield
        finally:
            with suppress(Exception):
                self.conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return self.dialect.schema_version(self.conn)

    def has_table(self, name: str) -> bool:
        return name in self.dialect.table_names(self.conn)

    def table_names(self, kind: str = "table") -> set[str]:
        """Names of the store's tables (or, with ``kind="index"``, indexes)."""
        return self.dialect.names(self.conn, kind)

    def columns(self, table: str) -> set[str]:
        return self.dialect.columns(self.conn, table)

    def insert_id(self, sql: str, params: Sequence) -> int:
        """Run an ``INSERT`` and return the new row's id (``RETURNING id``, both dialects)."""
        return int(self.conn.execute(sql + " RETURNING id", params).fetchall()[0][0])

    def rows(self, sql: str, params: Sequence = ()) -> list[dict[str, Any]]:
        """Query rows as dicts keyed by column name."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- documents and renderings ----------------------------------------------------------

    def document_id(self, doc_key: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE doc_key = ?", (doc_key,)).fetchone()
        return row[0] if row else None

    def document_hash(self, doc_key: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM documents WHERE doc_key = ?", (doc_key,)
        ).fetchone()
        return row[0] if row else None

    def upsert_document(self, doc_key: str, meta: dict, content_hash: str | None) -> int:
        """Insert or update a document's metadata; returns its id."""
        cols = {k: meta.get(k) or None for k in ("title", "date", "kind", "source", "url", "split")}
        meta_json = json.dumps(meta, ensure_ascii=False, sort_keys=True, default=str)
        doc_id = self.document_id(doc_key)
        if doc_id is None:
            return self.insert_id(
                "INSERT INTO documents (doc_key, title, date, kind, source, url, split, meta_json,"
                " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_key, *cols.values(), meta_json, content_hash),
            )
        self.conn.execute(
            "UPDATE documents SET title=?, date=?, kind=?, source=?, url=?, split=?, meta_json=?,"
            " content_hash=? WHERE id=?",
            (*cols.values(), meta_json, content_hash, doc_id),
        )
        return doc_id

    def ensure_document(self, doc_key: str, meta: dict) -> tuple[int, bool]:
        """The document's id, creating it with ``meta`` if it is new; (id, created)."""
        doc_id = self.document_id(doc_key)
        if doc_id is not None:
            return doc_id, False
        return self.upsert_document(doc_key, meta, None), True

    def insert_rendering(
        self,
        doc_id: int,
        lang: str,
        paragraphs: Sequence[Sequence[str]],
        *,
        text: str,
        origin: str,
        content_hash: str,
        model: str | None = None,
        revision: str | None = None,
        backend: str | None = None,
        params: dict | None = None,
        translator: str | None = None,
        source: str | None = None,
        src_lang: str | None = None,
        src_hash: str | None = None,
    ) -> int:
        """Replace the document's rendering with this lang/origin/model/source and its segments.

        ``source`` names who provides the rendering (see the module docstring), so that the
        English side of an en-ru TMX and of an en-az TMX of the same document, or of a
        statement folder and of a TMX, are kept as separate renderings. ``src_lang`` and
        ``src_hash`` say which source text a machine rendering was translated from.
        """
        self.conn.execute(
            "DELETE FROM renderings WHERE document_id=? AND lang=? AND origin=?"
            " AND coalesce(model, '') = coalesce(?, '') AND coalesce(source, '') = coalesce(?, '')",
            (doc_id, lang, origin, model, source),
        )
        rid = self._insert_rendering_row(
            doc_id, lang, origin, model, revision, backend, params, translator, source, text,
            content_hash, src_lang, src_hash,
        )  # fmt: skip
        rows = (
            (rid, i, p, normalize(sentence, lang))
            for i, (p, sentence) in enumerate(
                (p, s) for p, para in enumerate(paragraphs) for s in para
            )
        )
        self.conn.executemany(
            "INSERT INTO segments (rendering_id, idx, para, text) VALUES (?, ?, ?, ?)", rows
        )
        self.dialect.index_rendering(self.conn, rid)
        return rid

    def _insert_rendering_row(self, doc_id, lang, origin, model, revision, backend, params,
                              translator, source, text, content_hash, src_lang=None,
                              src_hash=None) -> int:  # fmt: skip
        return self.insert_id(
            "INSERT INTO renderings (document_id, lang, origin, model, revision, backend,"
            " params_json, translator, source, text, content_hash, src_lang, src_hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc_id, lang, origin, model, revision, backend,
                json.dumps(params, sort_keys=True, default=str) if params else None,
                translator, source, text, content_hash, src_lang, src_hash,
            ),
        )  # fmt: skip

    def add_rendering(
        self,
        doc_key: str,
        lang: str,
        text: str,
        *,
        origin: str = "machine",
        model: str | None = None,
        revision: str | None = None,
        backend: str | None = None,
        params: dict | None = None,
        title: str | None = None,
        source_lang: str | None = None,
        source_text: str | None = None,
    ) -> int:
        """Save a (usually machine-translated) rendering, creating the document if needed.

        ``source_lang``/``source_text`` record what it was translated from, so that a later
        re-import of a changed source marks it stale instead of deleting it.
        """
        from mt.corpus.segment import segment

        lang = check_lang(lang)
        paragraphs = segment(text, lang)
        src_hash = _sha256(source_text) if source_text is not None else None
        with self.transaction():
            doc_id, _ = self.ensure_document(doc_key, {"title": title or doc_key})
            return self.insert_rendering(
                doc_id, lang, paragraphs, text=text, origin=origin, content_hash=_sha256(text),
                model=model, revision=revision, backend=backend, params=params,
                source=TRANSLATE_SOURCE, src_lang=source_lang, src_hash=src_hash,
            )  # fmt: skip

    def provided_renderings(self, doc_id: int, source: str) -> dict[str, RenderingState]:
        """The renderings of a document that ``source`` provides, by language."""
        return {
            row[1]: RenderingState(*row)
            for row in self.conn.execute(
                "SELECT id, lang, origin, model, translator, content_hash FROM renderings"
                " WHERE document_id = ? AND source = ? ORDER BY id",
                (doc_id, source),
            )
        }

    def delete_rendering(self, rendering_id: int) -> None:
        """Remove a rendering with its segments and the alignments that use it."""
        self.conn.execute("DELETE FROM renderings WHERE id = ?", (rendering_id,))

    def mark_stale(self, doc_id: int, src_lang: str, src_hash: str) -> int:
        """Flag machine renderings translated from another text of ``src_lang`` than the one
        now stored (and clear the flag where the text is back); returns how many are stale."""
        self.conn.execute(
            "UPDATE renderings SET stale = CASE WHEN src_hash IS DISTINCT FROM ? THEN 1 ELSE 0"
            " END WHERE document_id = ?"
            " AND origin = 'machine' AND src_lang = ? AND src_hash IS NOT NULL",
            (src_hash, doc_id, src_lang),
        )
        return self.conn.execute(
            "SELECT count(*) FROM renderings WHERE document_id = ? AND origin = 'machine'"
            " AND src_lang = ? AND stale = 1",
            (doc_id, src_lang),
        ).fetchone()[0]

    def latest_machine_rendering(self, doc_id: int, lang: str) -> int | None:
        """The newest current (not stale) machine rendering of ``lang``: the draft that a
        post-edit of this document was made from."""
        row = self.conn.execute(
            "SELECT id FROM renderings WHERE document_id = ? AND lang = ? AND origin = 'machine'"
            " AND stale = 0 ORDER BY id DESC LIMIT 1",
            (doc_id, lang),
        ).fetchone()
        return row[0] if row else None

    def rendering_hash(self, doc_id: int, lang: str, source: str | None = None) -> dict[str, int]:
        """Content hash -> id of the document's renderings of ``lang`` (optionally of one
        source), to reuse an identical stored text instead of adding a copy."""
        return {h: rid for rid, h in self.conn.execute(
            "SELECT id, content_hash FROM renderings WHERE document_id = ? AND lang = ?"
            " AND (? IS NULL OR source = ?) ORDER BY id",
            (doc_id, lang, source, source),
        )}  # fmt: skip

    def save_post_edit(self, human_rid: int, machine_rid: int | None, sentences: int,
                       edits: float, words: float) -> None:  # fmt: skip
        """Record the edit distance between a machine draft and its post-edit."""
        self.conn.execute(
            "INSERT INTO post_edits (human_rendering_id, machine_rendering_id, sentences, edits,"
            " words) VALUES (?, ?, ?, ?, ?)",
            (human_rid, machine_rid, sentences, edits, words),
        )

    def post_edit_stats(self) -> dict[str, dict]:
        """Per target language: post-edited documents, sentences and HTER (edits / words)."""
        out: dict[str, dict] = {}
        for lang, docs, sents, edits, words in self.conn.execute(
            "SELECT r.lang, count(DISTINCT r.document_id), sum(p.sentences), sum(p.edits),"
            " sum(p.words) FROM post_edits p JOIN renderings r ON r.id = p.human_rendering_id"
            " WHERE p.machine_rendering_id IS NOT NULL GROUP BY r.lang ORDER BY r.lang"
        ):
            hter = 100.0 * edits / words if words else 0.0
            out[lang] = {"documents": docs, "sentences": sents, "edits": edits,
                         "words": words, "hter": round(hter, 2)}  # fmt: skip
        return out

    def delete_alignments(self, doc_id: int, method: str) -> None:
        """Drop a document's alignments of one method (a statement's gold before re-saving)."""
        self.conn.execute(
            "DELETE FROM alignments WHERE method = ? AND src_rendering_id IN"
            " (SELECT id FROM renderings WHERE document_id = ?)",
            (method, doc_id),
        )

    def documents(self, split: str | None = None) -> list[DocumentInfo]:
        """All documents (optionally of one split) with the languages they have."""
        from mt.corpus.split import split_of

        rows = self.conn.execute(
            "SELECT d.doc_key, d.title, d.date, d.split, "
            + self.dialect.distinct_list("r.lang")
            + " FROM documents d LEFT JOIN renderings r ON r.document_id = d.id"
            " GROUP BY d.id ORDER BY d.doc_key"
        ).fetchall()
        docs = [
            DocumentInfo(
                key, title, date, split_of(key, sp), tuple(sorted((langs or "").split(",")))
            )
            for key, title, date, sp, langs in rows
        ]
        return [d for d in docs if split is None or d.split == split]

    def renderings(self, doc_key: str, lang: str | None = None) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT r.id, r.lang, r.origin, r.model, r.revision, r.backend, r.params_json,"
            " r.source, r.stale FROM renderings r JOIN documents d ON d.id = r.document_id"
            " WHERE d.doc_key = ? AND (? IS NULL OR r.lang = ?) ORDER BY r.lang, r.id",
            (doc_key, lang, lang),
        )

    def _main_rendering(self, doc_key: str, lang: str, origin: str | None = None) -> int:
        """The rendering used when a command names only a document and a language.

        Human renderings (original, human) come before machine ones, current ones before
        stale ones.
        """
        rows = [
            r for r in self.renderings(doc_key, lang) if origin is None or r["origin"] == origin
        ]
        if not rows:
            if self.document_id(doc_key) is None:
                raise UserError(f"no document {doc_key!r} in the store")
            raise UserError(f"document {doc_key!r} has no {lang} rendering")
        rank = {"original": 0, "human": 1, "unknown": 2, "machine": 3}
        return min(rows, key=lambda r: (r["stale"], rank[r["origin"]], r["id"]))["id"]

    def paragraphs(self, rendering_id: int) -> list[list[str]]:
        paras: list[list[str]] = []
        for para, text in self.conn.execute(
            "SELECT para, text FROM segments WHERE rendering_id = ? ORDER BY idx", (rendering_id,)
        ):
            while len(paras) <= para:
                paras.append([])
            paras[para].append(text)
        return [p for p in paras if p] if paras else []

    def sentences(self, doc_key: str, lang: str, origin: str | None = None) -> list[str]:
        rid = self._main_rendering(doc_key, check_lang(lang), origin)
        return self._texts(rid)

    def _texts(self, rid: int) -> list[str]:
        return [t for (t,) in self.conn.execute(
            "SELECT text FROM segments WHERE rendering_id = ? ORDER BY idx", (rid,)
        )]  # fmt: skip

    def rendering_exists(self, rendering_id: int) -> bool:
        row = self.conn.execute("SELECT 1 FROM renderings WHERE id = ?", (rendering_id,))
        return row.fetchone() is not None

    # -- staged pair imports ---------------------------------------------------------------

    @contextmanager
    def staging(self) -> Iterator[PairStage]:
        """TEMP tables that hold parsed pairs until the write transaction copies them in.

        They live in SQLite's temporary file (``temp_store = FILE``): memory stays bounded
        whatever the input size, the store's write lock is not taken while parsing, and the
        file disappears with the connection, even after ``kill -9``.
        """
        stage = PairStage(self.conn, self.dialect)
        try:
            yield stage
        finally:
            stage.drop()

    def pair_hashes(self, doc_id: int, a: str, b: str, source: str) -> set[tuple[str, str]]:
        """Content hashes of the ``import`` alignments of ``source`` for this document."""
        return set(self.conn.execute(
            "SELECT rs.content_hash, rt.content_hash FROM alignments al"
            " JOIN renderings rs ON rs.id = al.src_rendering_id"
            " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
            " WHERE rs.document_id = ? AND rs.lang = ? AND rt.lang = ? AND al.method = 'import'"
            " AND rs.source = ?",
            (doc_id, a, b, source),
        ).fetchall())  # fmt: skip

    def other_sources(self, doc_id: int, a: str, b: str, source: str) -> list[str]:
        """Who else provides ``a`` or ``b`` text for this document (collision report)."""
        return [s for (s,) in self.conn.execute(
            "SELECT DISTINCT source FROM renderings WHERE document_id = ? AND lang IN (?, ?)"
            " AND coalesce(source, '') <> ? ORDER BY 1", (doc_id, a, b, source),
        )]  # fmt: skip

    def prepare_staged(self, doc: StagedDocument, doc_id: int) -> None:
        """Replace what ``doc.source`` provided for this document and pair: drop its old
        renderings, create the two new ones and their ``import`` alignment, and note their
        ids in the staging map; :meth:`copy_staged` then fills them all at once."""
        self.conn.execute(
            "DELETE FROM renderings WHERE document_id = ? AND source = ? AND lang IN (?, ?)",
            (doc_id, doc.source, doc.a, doc.b),
        )
        rids = []
        for side, (lang, origin, digest) in enumerate(doc.sides()):
            rid = self._insert_rendering_row(doc_id, lang, origin, None, None, None, None, None,
                                             doc.source, "", digest)  # fmt: skip
            self.conn.execute(f"INSERT INTO {self.dialect.temp}.stage_map VALUES (?, ?, ?)",
                              (doc.stage_id, side, rid))  # fmt: skip
            rids.append(rid)
        aid = self._new_alignment(rids[0], rids[1], "import", None)
        self.conn.execute(f"INSERT INTO {self.dialect.temp}.stage_align VALUES (?, ?)",
                          (doc.stage_id, aid))  # fmt: skip

    def copy_staged(self) -> None:
        """Copy the segments and beads of every prepared document in three statements (one
        pass over the staging tables each), and index the new segments for search."""
        t, order = self.dialect.temp, self.dialect.stage_order
        last = self.dialect.last_segment_id(self.conn)
        self.conn.execute(
            "INSERT INTO segments (rendering_id, idx, para, text)"
            f" SELECT m.rid, s.idx, 0, s.text FROM {t}.stage_seg s"
            f" JOIN {t}.stage_map m ON m.doc = s.doc AND m.side = s.side ORDER BY s.{order}"
        )
        self.dialect.index_segments_after(self.conn, last)
        self.conn.execute(
            "INSERT INTO beads (alignment_id, idx, src_start, src_len, tgt_start, tgt_len, score)"
            f" SELECT a.aid, b.idx, b.s0, b.sn, b.t0, b.tn, b.score FROM {t}.stage_beads b"
            f" JOIN {t}.stage_align a ON a.doc = b.doc ORDER BY b.{order}"
        )

    # -- alignments ------------------------------------------------------------------------

    def save_alignment(
        self,
        src_rid: int,
        tgt_rid: int,
        method: str,
        beads: Iterable[Bead],
        params: dict | None = None,
    ) -> int:
        """Store (replacing) the beads of one alignment method between two renderings."""
        aid = self._new_alignment(src_rid, tgt_rid, method, params)
        self.conn.executemany(
            "INSERT INTO beads (alignment_id, idx, src_start, src_len, tgt_start, tgt_len, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (aid, i, b.src[0] if b.src else -1, len(b.src),
                 b.tgt[0] if b.tgt else -1, len(b.tgt), b.score)
                for i, b in enumerate(beads)
            ),
        )  # fmt: skip
        return aid

    def _new_alignment(self, src_rid: int, tgt_rid: int, method: str, params: dict | None) -> int:
        self.conn.execute(
            "DELETE FROM alignments WHERE src_rendering_id=? AND tgt_rendering_id=? AND method=?",
            (src_rid, tgt_rid, method),
        )
        return self.insert_id(
            "INSERT INTO alignments (src_rendering_id, tgt_rendering_id, method, params_json)"
            " VALUES (?, ?, ?, ?)",
            (src_rid, tgt_rid, method, json.dumps(params) if params else None),
        )

    def has_alignment(self, src_rid: int, tgt_rid: int, methods: Sequence[str]) -> bool:
        """Whether the two renderings are aligned by one of ``methods``."""
        marks = ",".join("?" * len(methods))
        row = self.conn.execute(
            "SELECT 1 FROM alignments WHERE src_rendering_id = ? AND tgt_rendering_id = ?"
            f" AND method IN ({marks})",
            (src_rid, tgt_rid, *methods),
        ).fetchone()
        return row is not None

    def alignment_methods(self, src: str, tgt: str) -> list[str]:
        """Methods that have stored alignments for the pair (for checking ``--method``)."""
        (a, b), _ = canonical_pair(check_lang(src), check_lang(tgt))
        return sorted({row["method"] for row in self._alignments(a, b)})

    def alignment_candidates(self, src: str, tgt: str) -> list[tuple[str, int, int]]:
        """Per document, the (human first) renderings of ``src`` and ``tgt`` to align."""
        (a, b), _ = canonical_pair(src, tgt)
        out = []
        for doc in self.documents():
            if a in doc.languages and b in doc.languages:
                out.append(
                    (doc.key, self._main_rendering(doc.key, a), self._main_rendering(doc.key, b))
                )
        return out

    def beads(self, doc_key: str, src: str, tgt: str, method: str | None = None) -> list[Bead]:
        """Stored beads of a document's pair, in the order asked for (swapped for ru-en)."""
        (a, b), reversed_ = canonical_pair(check_lang(src), check_lang(tgt))
        aid = self._pick_alignment(doc_key, a, b, method)
        if aid is None:
            raise UserError(f"no {a}-{b} alignment stored for document {doc_key!r}"
                            + (f" with method {method!r}" if method else "")
                            + " (run `mt corpus align`)")  # fmt: skip
        beads = [
            Bead(tuple(range(s0, s0 + sn)), tuple(range(t0, t0 + tn)), score)
            for s0, sn, t0, tn, score in self.conn.execute(
                "SELECT src_start, src_len, tgt_start, tgt_len, score FROM beads"
                " WHERE alignment_id = ? ORDER BY idx",
                (aid,),
            )
        ]
        return [Bead(x.tgt, x.src, x.score) for x in beads] if reversed_ else beads

    def _alignments(self, a: str, b: str) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT al.id, al.method, d.doc_key, d.date, d.split, rs.id AS src_rid,"
            " rt.id AS tgt_rid, rs.origin AS src_origin, rt.origin AS tgt_origin,"
            " CASE WHEN rs.stale <> 0 OR rt.stale <> 0 THEN 1 ELSE 0 END AS stale"
            " FROM alignments al"
            " JOIN renderings rs ON rs.id = al.src_rendering_id"
            " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
            " JOIN documents d ON d.id = rs.document_id"
            " WHERE rs.lang = ? AND rt.lang = ? ORDER BY d.doc_key, al.id",
            (a, b),
        )

    def _pick_alignment(self, doc_key: str, a: str, b: str, method: str | None) -> int | None:
        rows = [r for r in self._alignments(a, b) if r["doc_key"] == doc_key]
        chosen = _choose(rows, method)
        return chosen[0]["id"] if chosen else None

    def iter_pairs(
        self,
        src: str,
        tgt: str,
        *,
        method: str | None = None,
        split: str | None = None,
        origins: Sequence[str] | None = None,
        doc_keys: Sequence[str] | None = None,
        min_score: float | None = None,
    ) -> Iterator[PairRecord]:
        """Stream aligned pairs of ``src``-``tgt``, one document in memory at a time.

        Per document and pair of renderings one alignment is used: ``method`` if given, else
        gold, then imported, then the most recent aligner run. ``origins`` keeps pairs whose
        both sides have an allowed origin. Stale machine renderings (translated from a source
        text that has since changed) are never exported. ``min_score`` keeps beads whose
        stored confidence is at least that; it applies to aligners whose scores are
        confidences (lexical, embedding, mt-assisted), not to Gale-Church's costs, and beads
        without a score (gold, imported) are kept.
        """
        from mt.corpus.split import split_of

        (a, b), reversed_ = canonical_pair(check_lang(src), check_lang(tgt))
        by_doc: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
        for row in self._alignments(a, b):
            if not row["stale"]:
                by_doc.setdefault((row["doc_key"], row["src_rid"], row["tgt_rid"]), []).append(row)
        wanted_docs = set(doc_keys) if doc_keys is not None else None
        confident: frozenset[str] = frozenset()
        if min_score is not None:
            from mt.corpus.align.base import confidence_methods

            confident = confidence_methods()
        for (doc_key, _src_rid, _tgt_rid), rows in by_doc.items():
            chosen = _choose(rows, method)
            if not chosen:
                continue
            row = chosen[0]
            if wanted_docs is not None and doc_key not in wanted_docs:
                continue
            if split is not None and split_of(doc_key, row["split"]) != split:
                continue
            if origins is not None and not (
                row["src_origin"] in origins and row["tgt_origin"] in origins
            ):
                continue
            threshold = min_score if row["method"] in confident else None
            yield from self._doc_pairs(row, a, b, reversed_, threshold)

    def _doc_pairs(self, row: dict[str, Any], a: str, b: str, reversed_: bool,
                   min_score: float | None) -> Iterator[PairRecord]:  # fmt: skip
        src_texts, tgt_texts = self._texts(row["src_rid"]), self._texts(row["tgt_rid"])
        doc_key, date, method = row["doc_key"], row["date"], row["method"]
        so, to = row["src_origin"], row["tgt_origin"]
        for s0, sn, t0, tn, score in self.conn.execute(
            "SELECT src_start, src_len, tgt_start, tgt_len, score FROM beads"
            " WHERE alignment_id = ? AND (? IS NULL OR score IS NULL OR score >= ?)"
            " ORDER BY idx",
            (row["id"], min_score, min_score),
        ):
            s_ids = tuple(range(s0, s0 + sn))
            t_ids = tuple(range(t0, t0 + tn))
            s_text = src_texts[s0] if sn == 1 else " ".join(src_texts[s0 : s0 + sn])
            t_text = tgt_texts[t0] if tn == 1 else " ".join(tgt_texts[t0 : t0 + tn])
            if reversed_:
                yield PairRecord(t_text, s_text, b, a, doc_key, date, to, so, score, method,
                                 t_ids, s_ids)  # fmt: skip
            else:
                yield PairRecord(s_text, t_text, a, b, doc_key, date, so, to, score, method,
                                 s_ids, t_ids)  # fmt: skip

    def translation_memory(self, src: str, tgt: str) -> dict[str, str]:
        """Normalized source sentence → a human translation, from 1-1 beads of human texts."""
        tm: dict[str, str] = {}
        for rec in self.iter_pairs(src, tgt, origins=("original", "human")):
            if len(rec.src_ids) == 1 and len(rec.tgt_ids) == 1:
                tm.setdefault(normalize(rec.src, src).strip(), rec.tgt)
        return tm

    # -- search and stats ------------------------------------------------------------------

    def search(self, query: str, lang: str | None = None, limit: int = 20) -> list[tuple]:
        """Full-text search: FTS5 syntax on SQLite (a query FTS5 cannot parse is searched as
        a phrase), ``websearch_to_tsquery`` on PostgreSQL (plain words, "phrases", OR, -not).

        Rows are (doc_key, lang, idx, text with matches in brackets). The marking is done
        here in one linear regex pass over at most a window of the segment, because FTS5's
        ``highlight()`` is quadratic in segment length (a 4 MB segment took 15 s).
        """
        from mt.corpus.highlight import mark_matches

        rows = self.dialect.search(self.conn, query, lang, limit)
        return [(key, lng, idx, mark_matches(text, query)) for key, lng, idx, text in rows]

    def stats(self) -> dict:
        """Counts of documents, sentences per language, beads per pair, method and type."""
        q = self.conn.execute
        langs = {
            lang: {"renderings": n, "sentences": s}
            for lang, n, s in q(
                "SELECT r.lang, count(DISTINCT r.id), count(s.id) FROM renderings r"
                " LEFT JOIN segments s ON s.rendering_id = r.id GROUP BY r.lang ORDER BY r.lang"
            )
        }
        pairs: dict[str, dict] = {}
        for a, b, method, sn, tn, n in q(
            "SELECT rs.lang, rt.lang, al.method, b.src_len, b.tgt_len, count(*) FROM beads b"
            " JOIN alignments al ON al.id = b.alignment_id"
            " JOIN renderings rs ON rs.id = al.src_rendering_id"
            " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
            " GROUP BY rs.lang, rt.lang, al.method, b.src_len, b.tgt_len"
            " ORDER BY rs.lang, rt.lang, al.method, b.src_len, b.tgt_len"
        ):
            entry = pairs.setdefault(f"{a}-{b}", {}).setdefault(method, {"beads": 0, "types": {}})
            entry["beads"] += n
            entry["types"][f"{sn}-{tn}"] = n
        return {
            "documents": q("SELECT count(*) FROM documents").fetchone()[0],
            "languages": langs,
            "pairs": pairs,
            "stale_machine_renderings": q(
                "SELECT count(*) FROM renderings WHERE stale = 1"
            ).fetchone()[0],
            "post_edits": self.post_edit_stats(),
        }


@dataclass(frozen=True, slots=True)
class StagedDocument:
    """One document's pairs from one source, parsed and waiting in the TEMP tables."""

    stage_id: int
    key: str
    source: str
    a: str
    b: str
    date: str | None
    a_origin: str
    b_origin: str
    a_hash: str
    b_hash: str
    pairs: int

    def sides(self) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
        return (self.a, self.a_origin, self.a_hash), (self.b, self.b_origin, self.b_hash)


class PairStage:
    """Parsed pairs in TEMP tables (see :meth:`Store.staging`)."""

    def __init__(self, conn: Any, dialect: Dialect = SQLITE):
        self.conn = conn
        self.dialect = dialect
        self.drop()
        for statement in dialect.stage_tables():
            conn.execute(statement)
        self._next = 0

    def new_document(self) -> int:
        self._next += 1
        return self._next

    def add(self, segments: list[tuple], beads: list[tuple]) -> None:
        """Append rows: segments (doc, side, idx, text), beads (doc, idx, s0, sn, t0, tn, score)."""
        t, append = self.dialect.temp, self.dialect.append_rows
        append(self.conn, f"{t}.stage_seg", ("doc", "side", "idx", "text"), segments)
        append(self.conn, f"{t}.stage_beads", ("doc", "idx", "s0", "sn", "t0", "tn", "score"),
               beads)  # fmt: skip

    def finish(self, doc: StagedDocument) -> None:
        data = json.dumps([getattr(doc, f) for f in StagedDocument.__slots__])
        self.conn.execute(f"INSERT INTO {self.dialect.temp}.stage_docs VALUES (?, ?)",
                          (doc.stage_id, data))  # fmt: skip

    def documents(self) -> list[StagedDocument]:
        return [StagedDocument(*json.loads(data)) for (data,) in self.conn.execute(
            f"SELECT data FROM {self.dialect.temp}.stage_docs ORDER BY id")]  # fmt: skip

    def drop(self) -> None:
        for table in ("stage_docs", "stage_seg", "stage_beads", "stage_map", "stage_align"):
            with suppress(Exception):
                self.conn.execute(f"DROP TABLE IF EXISTS {self.dialect.temp}.{table}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _choose(rows: list[dict[str, Any]], method: str | None) -> list[dict[str, Any]]:
    """Alignment rows in order of preference (or only ``method``'s)."""
    if method is not None:
        return [r for r in rows if r["method"] == method]

    def rank(r: dict[str, Any]) -> tuple[int, int]:
        m = r["method"]
        pref = METHOD_PREFERENCE.index(m) if m in METHOD_PREFERENCE else len(METHOD_PREFERENCE)
        return (pref, -r["id"])

    return sorted(rows, key=rank)


def store_is_empty(store: Store, tables: Sequence[str] = ("documents", "runs")) -> bool:
    """Whether the store holds no documents (and no evaluation runs)."""
    present = store.table_names()
    return not any(
        store.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in tables if t in present
    )


def copy_store(source: Store, target: Store, *, force: bool = False,
               tables: Sequence[str] = CORPUS_TABLES) -> dict[str, int]:  # fmt: skip
    """Copy every row of ``tables`` (parents first) from ``source`` into ``target``, ids
    included, in one write transaction on the target (joining the caller's, if open).

    A target that already holds documents or runs is refused unless ``force``, which first
    empties it (in the same transaction). Columns are matched by name, so a store of an
    older schema copies into a newer one. Returns the rows copied per table.
    """
    counts: dict[str, int] = {}
    with source.snapshot(), target.transaction() as conn:
        if not store_is_empty(target):
            if not force:
                raise UserError("the target store is not empty (use --force to replace its "
                                "contents)", target.path)  # fmt: skip
            present = target.table_names()
            for table in reversed(tables):
                if table in present:
                    conn.execute(f"DELETE FROM {table}")
        have = source.table_names()
        for table in tables:
            if table not in have:
                continue
            cols = sorted(source.columns(table) & target.columns(table))
            key = "id" if "id" in cols else "alignment_id, idx"
            rows = source.dialect.stream(
                source.conn, f"SELECT {', '.join(cols)} FROM {table} ORDER BY {key}"
            )
            counter = _Counted(rows)
            target.dialect.append_rows(conn, table, cols, counter)
            counts[table] = counter.n
        target.dialect.reset_ids(conn, [t for t in tables if t in have])
        target.dialect.reindex(conn)
    return counts


class _Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, rows: Iterable):
        self.rows = iter(rows)
        self.n = 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.n += 1
            yield row
