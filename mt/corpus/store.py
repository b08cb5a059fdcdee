"""The sentence-aligned corpus store (SQLite).

Why SQLite: one file, no server, transactions (a failed import leaves the store exactly as
it was), WAL for concurrent readers, and FTS5 for full-text search over segments. The schema
carries a version and every change is a migration, so old stores keep opening.

Model: a *document* has *renderings* (one text per language and origin, with provenance);
each rendering is cut into *segments* (sentences, 0-based over the document); an *alignment*
links two renderings with a list of *beads* (consecutive segment ranges on both sides).
Translation and evaluation runs hang off *runs*/*systems*/*scores*.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mt.corpus.align.base import Bead
from mt.corpus.records import PairRecord
from mt.errors import UserError
from mt.lang import canonical_pair, check_lang, normalize

DB_FILE = "corpus.sqlite"
# Which alignment to prefer for a pair when several methods aligned the same renderings.
METHOD_PREFERENCE = ("gold", "import")

MIGRATIONS: list[str] = [
    # 1: documents, renderings, segments (+FTS5), alignments, beads, runs, systems, scores
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
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT, recipe TEXT, params_json TEXT,
        started_at TEXT NOT NULL DEFAULT (datetime('now')),
        finished_at TEXT, status TEXT
    );
    CREATE TABLE systems (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL, src_lang TEXT, tgt_lang TEXT,
        model TEXT, revision TEXT, backend TEXT, params_json TEXT,
        status TEXT, error TEXT, seconds REAL
    );
    CREATE TABLE scores (
        id INTEGER PRIMARY KEY,
        system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
        metric TEXT NOT NULL, doc_key TEXT,
        score REAL NOT NULL, ci_low REAL, ci_high REAL,
        signature TEXT, details_json TEXT
    );
    """,
    # 2 (evaluation runs, additive): report details per run and per system (length buckets,
    # worst segments, QA summary, hypotheses, timings), and indexes for `mt eval history`.
    """
    ALTER TABLE runs ADD COLUMN details_json TEXT;
    ALTER TABLE systems ADD COLUMN details_json TEXT;
    CREATE INDEX systems_run ON systems (run_id, src_lang, tgt_lang);
    CREATE INDEX scores_system ON scores (system_id, metric, doc_key);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """``MT_DB`` or ``<user data dir>/mt/corpus.sqlite`` (platformdirs)."""
    env = os.environ.get("MT_DB")
    if env:
        return Path(env)
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
class SegmentRow:
    rendering_id: int
    idx: int
    para: int
    text: str


class Store:
    """A connection to the corpus store. Use :meth:`open`; every write runs in a transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> Store:
        """Open (and create or migrate) the store; an unusable file is a UserError."""
        db = Path(path) if path is not None else default_db_path()
        if db.is_dir():
            raise UserError("store path is a directory, expected a SQLite file", db)
        if not db.exists():
            if not create:
                raise UserError("no corpus store here (run `mt corpus import` first)", db)
            if path is None:
                db.parent.mkdir(parents=True, exist_ok=True)
            elif not db.parent.exists():
                raise UserError("directory of the store does not exist", db)
        try:
            conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, db)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"cannot open corpus store: {exc}", db) from None
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UserError(
                f"store schema version {version} is newer than this mt ({SCHEMA_VERSION})",
                self.path,
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (nothing partial)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def bulk(self) -> Iterator[sqlite3.Connection]:
        """A write transaction with a 64 MiB page cache (imports touch many index pages).

        Readers keep SQLite's small default cache, so streaming an export stays flat in
        memory however large the store grows.
        """
        (default,) = self.conn.execute("PRAGMA cache_size").fetchone()
        self.conn.execute("PRAGMA cache_size = -65536")
        try:
            with self.transaction() as conn:
                yield conn
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(default)}")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

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
            cur = self.conn.execute(
                "INSERT INTO documents (doc_key, title, date, kind, source, url, split, meta_json,"
                " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_key, *cols.values(), meta_json, content_hash),
            )
            return int(cur.lastrowid)
        self.conn.execute(
            "UPDATE documents SET title=?, date=?, kind=?, source=?, url=?, split=?, meta_json=?,"
            " content_hash=? WHERE id=?",
            (*cols.values(), meta_json, content_hash, doc_id),
        )
        return doc_id

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
    ) -> int:
        """Replace the document's rendering with this lang/origin/model/source and its segments.

        ``source`` names the file a pair import came from, so that the English side of an
        en-ru TMX and of an en-az TMX of the same document are kept as separate renderings.
        """
        self.conn.execute(
            "DELETE FROM renderings WHERE document_id=? AND lang=? AND origin=?"
            " AND ifnull(model, '') = ifnull(?, '') AND ifnull(source, '') = ifnull(?, '')",
            (doc_id, lang, origin, model, source),
        )
        cur = self.conn.execute(
            "INSERT INTO renderings (document_id, lang, origin, model, revision, backend,"
            " params_json, translator, source, text, content_hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc_id, lang, origin, model, revision, backend,
                json.dumps(params, sort_keys=True, default=str) if params else None,
                translator, source, text, content_hash,
            ),
        )  # fmt: skip
        rid = int(cur.lastrowid)
        rows = (
            (rid, i, p, normalize(sentence, lang))
            for i, (p, sentence) in enumerate(
                (p, s) for p, para in enumerate(paragraphs) for s in para
            )
        )
        self.conn.executemany(
            "INSERT INTO segments (rendering_id, idx, para, text) VALUES (?, ?, ?, ?)", rows
        )
        # Index the rendering in one statement: ~3x faster than a per-row trigger.
        self.conn.execute(
            "INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments"
            " WHERE rendering_id = ?",
            (rid,),
        )
        return rid

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
    ) -> int:
        """Save a (usually machine-translated) rendering, creating the document if needed."""
        import hashlib

        from mt.corpus.segment import segment

        lang = check_lang(lang)
        paragraphs = segment(text, lang)
        digest = hashlib.sha256(text.encode()).hexdigest()
        with self.transaction():
            doc_id = self.document_id(doc_key)
            if doc_id is None:
                doc_id = self.upsert_document(doc_key, {"title": title or doc_key}, None)
            return self.insert_rendering(
                doc_id, lang, paragraphs, text=text, origin=origin, content_hash=digest,
                model=model, revision=revision, backend=backend, params=params,
            )  # fmt: skip

    def documents(self, split: str | None = None) -> list[DocumentInfo]:
        """All documents (optionally of one split) with the languages they have."""
        from mt.corpus.split import split_of

        rows = self.conn.execute(
            "SELECT d.doc_key, d.title, d.date, d.split, group_concat(DISTINCT r.lang)"
            " FROM documents d LEFT JOIN renderings r ON r.document_id = d.id"
            " GROUP BY d.id ORDER BY d.doc_key"
        ).fetchall()
        docs = [
            DocumentInfo(
                key, title, date, split_of(key, sp), tuple(sorted((langs or "").split(",")))
            )
            for key, title, date, sp, langs in rows
        ]
        return [d for d in docs if split is None or d.split == split]

    def renderings(self, doc_key: str, lang: str | None = None) -> list[sqlite3.Row]:
        cur = self.conn.execute(
            "SELECT r.id, r.lang, r.origin, r.model, r.revision, r.backend, r.params_json"
            " FROM renderings r JOIN documents d ON d.id = r.document_id"
            " WHERE d.doc_key = ? AND (? IS NULL OR r.lang = ?) ORDER BY r.lang, r.id",
            (doc_key, lang, lang),
        )
        cur.row_factory = sqlite3.Row
        return cur.fetchall()

    def _main_rendering(self, doc_key: str, lang: str, origin: str | None = None) -> int:
        """The rendering used when a command names only a document and a language.

        Human renderings (original, human) come before machine ones.
        """
        rows = [
            r for r in self.renderings(doc_key, lang) if origin is None or r["origin"] == origin
        ]
        if not rows:
            if self.document_id(doc_key) is None:
                raise UserError(f"no document {doc_key!r} in the store")
            raise UserError(f"document {doc_key!r} has no {lang} rendering")
        rank = {"original": 0, "human": 1, "unknown": 2, "machine": 3}
        return min(rows, key=lambda r: (rank[r["origin"]], r["id"]))["id"]

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
        return [t for (t,) in self.conn.execute(
            "SELECT text FROM segments WHERE rendering_id = ? ORDER BY idx", (rid,)
        )]  # fmt: skip

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
        self.conn.execute(
            "DELETE FROM alignments WHERE src_rendering_id=? AND tgt_rendering_id=? AND method=?",
            (src_rid, tgt_rid, method),
        )
        cur = self.conn.execute(
            "INSERT INTO alignments (src_rendering_id, tgt_rendering_id, method, params_json)"
            " VALUES (?, ?, ?, ?)",
            (src_rid, tgt_rid, method, json.dumps(params) if params else None),
        )
        aid = int(cur.lastrowid)
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

    def _alignments(self, a: str, b: str) -> list[sqlite3.Row]:
        cur = self.conn.execute(
            "SELECT al.id, al.method, d.doc_key, d.date, d.split, rs.id AS src_rid,"
            " rt.id AS tgt_rid, rs.origin AS src_origin, rt.origin AS tgt_origin"
            " FROM alignments al"
            " JOIN renderings rs ON rs.id = al.src_rendering_id"
            " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
            " JOIN documents d ON d.id = rs.document_id"
            " WHERE rs.lang = ? AND rt.lang = ? ORDER BY d.doc_key, al.id",
            (a, b),
        )
        cur.row_factory = sqlite3.Row
        return cur.fetchall()

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
    ) -> Iterator[PairRecord]:
        """Stream aligned pairs of ``src``-``tgt``, one document in memory at a time.

        Per document and pair of renderings one alignment is used: ``method`` if given, else
        gold, then imported, then the most recent aligner run. ``origins`` keeps pairs whose
        both sides have an allowed origin.
        """
        from mt.corpus.split import split_of

        (a, b), reversed_ = canonical_pair(check_lang(src), check_lang(tgt))
        by_doc: dict[tuple[str, int, int], list[sqlite3.Row]] = {}
        for row in self._alignments(a, b):
            by_doc.setdefault((row["doc_key"], row["src_rid"], row["tgt_rid"]), []).append(row)
        wanted_docs = set(doc_keys) if doc_keys is not None else None
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
            yield from self._doc_pairs(row, a, b, reversed_)

    def _doc_pairs(self, row: sqlite3.Row, a: str, b: str, reversed_: bool) -> Iterator[PairRecord]:
        def texts(rid: int) -> list[str]:
            return [t for (t,) in self.conn.execute(
                "SELECT text FROM segments WHERE rendering_id = ? ORDER BY idx", (rid,)
            )]  # fmt: skip

        src_texts, tgt_texts = texts(row["src_rid"]), texts(row["tgt_rid"])
        doc_key, date, method = row["doc_key"], row["date"], row["method"]
        so, to = row["src_origin"], row["tgt_origin"]
        for s0, sn, t0, tn, score in self.conn.execute(
            "SELECT src_start, src_len, tgt_start, tgt_len, score FROM beads"
            " WHERE alignment_id = ? ORDER BY idx",
            (row["id"],),
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
        """Full-text search (FTS5 syntax; a query FTS5 cannot parse is searched as a phrase)."""
        sql = (
            "SELECT d.doc_key, r.lang, s.idx, highlight(segments_fts, 0, '[', ']')"
            " FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid"
            " JOIN renderings r ON r.id = s.rendering_id JOIN documents d ON d.id = r.document_id"
            " WHERE segments_fts MATCH ? AND (? IS NULL OR r.lang = ?)"
            " ORDER BY rank LIMIT ?"
        )
        try:
            return self.conn.execute(sql, (query, lang, lang, limit)).fetchall()
        except sqlite3.OperationalError:
            phrase = '"' + query.replace('"', '""') + '"'
            return self.conn.execute(sql, (phrase, lang, lang, limit)).fetchall()

    def stats(self) -> dict:
        """Counts of documents, sentences per language, beads per pair, method and type."""
        q = self.conn.execute
        langs = {
            lang: {"renderings": n, "sentences": s}
            for lang, n, s in q(
                "SELECT r.lang, count(DISTINCT r.id), count(s.id) FROM renderings r"
                " LEFT JOIN segments s ON s.rendering_id = r.id GROUP BY r.lang"
            )
        }
        pairs: dict[str, dict] = {}
        for a, b, method, sn, tn, n in q(
            "SELECT rs.lang, rt.lang, al.method, b.src_len, b.tgt_len, count(*) FROM beads b"
            " JOIN alignments al ON al.id = b.alignment_id"
            " JOIN renderings rs ON rs.id = al.src_rendering_id"
            " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
            " GROUP BY rs.lang, rt.lang, al.method, b.src_len, b.tgt_len"
        ):
            entry = pairs.setdefault(f"{a}-{b}", {}).setdefault(method, {"beads": 0, "types": {}})
            entry["beads"] += n
            entry["types"][f"{sn}-{tn}"] = n
        return {
            "documents": q("SELECT count(*) FROM documents").fetchone()[0],
            "languages": langs,
            "pairs": pairs,
        }


def _choose(rows: list[sqlite3.Row], method: str | None) -> list[sqlite3.Row]:
    """Alignment rows in order of preference (or only ``method``'s)."""
    if method is not None:
        return [r for r in rows if r["method"] == method]

    def rank(r: sqlite3.Row) -> tuple[int, int]:
        m = r["method"]
        pref = METHOD_PREFERENCE.index(m) if m in METHOD_PREFERENCE else len(METHOD_PREFERENCE)
        return (pref, -r["id"])

    return sorted(rows, key=rank)


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (``BEGIN ... END;``) whole."""
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
