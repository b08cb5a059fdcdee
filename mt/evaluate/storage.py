"""Where evaluation runs are kept: the tables ``runs``, ``systems`` and ``scores``, and all SQL.

Why a module of its own: the corpus store (:mod:`mt.corpus.store`) owns documents, segments
and alignments; evaluation runs are a client of that store, not part of its model. Keeping the
run tables' schema and every query on them here means

* the corpus store's migrations need not know that evaluation exists: the tables are created
  on demand (:func:`ensure_schema`) the first time a run is written, so a store that was only
  ever used for translation never grows them;
* the evaluation code (:mod:`mt.evaluate.runs`, :mod:`mt.evaluate.history`) works with dicts
  and rows, never with SQL or with how a dict is serialized into a column;
* reading never writes: :meth:`RunStore.for_reading` only looks at the schema, so
  ``mt eval history``/``report`` work on a store opened read-only, and a store without the
  tables is a clear :class:`~mt.errors.UserError` instead of "no such table".

Stores created by an older mt have the tables from its migrations (possibly without the
``details_json`` columns of its second migration); :func:`ensure_schema` upgrades them in
place, and reads cope with the missing columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mt.corpus.store import Store
from mt.errors import UserError

NO_RUNS = "no evaluation runs in the store (run `mt eval run RECIPE`)"
TABLES = ("runs", "systems", "scores")

# The same columns as the corpus store's migrations 1 and 2 of older mt versions, so that a
# store created there and one created here are indistinguishable. Written once for both
# backends: the store's dialect fills in {pk}, {ref}, {real} and {now}.
SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS runs (
        id {pk},
        kind TEXT NOT NULL,
        name TEXT, recipe TEXT, params_json TEXT,
        started_at TEXT NOT NULL DEFAULT {now},
        finished_at TEXT, status TEXT,
        details_json TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS systems (
        id {pk},
        run_id {ref} NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL, src_lang TEXT, tgt_lang TEXT,
        model TEXT, revision TEXT, backend TEXT, params_json TEXT,
        status TEXT, error TEXT, seconds {real},
        details_json TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS scores (
        id {pk},
        system_id {ref} NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
        metric TEXT NOT NULL, doc_key TEXT,
        score {real} NOT NULL, ci_low {real}, ci_high {real},
        signature TEXT, details_json TEXT
    )""",
)
# Columns added after the first version of the tables (stores of an old mt lack them).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("runs", "details_json", "TEXT"),
    ("systems", "details_json", "TEXT"),
)
# For `mt eval history` (systems of a run by direction) and reports (scores of a system).
INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS systems_run ON systems (run_id, src_lang, tgt_lang)",
    "CREATE INDEX IF NOT EXISTS scores_system ON scores (system_id, metric, doc_key)",
)
_INDEX_NAMES = ("systems_run", "scores_system")
_CORPUS_COLUMNS = ("score", "ci_low", "ci_high", "signature")


# ---------------------------------------------------------------------------- schema


def has_schema(store: Store) -> bool:
    """Whether the run tables exist (a read-only check: it never writes)."""
    return set(TABLES) <= store.table_names()


def _schema_complete(store: Store) -> bool:
    if not set(TABLES) <= store.table_names() or not set(_INDEX_NAMES) <= store.table_names(
        "index"
    ):
        return False
    return all(column in store.columns(table) for table, column, _ in ADDED_COLUMNS)


def ensure_schema(store: Store) -> None:
    """Create the run tables if missing, and add the columns an old mt's tables lack.

    Idempotent; a store that already has everything is not written to (no write lock taken),
    so calling this before every run costs one look at ``sqlite_master``.
    """
    if _schema_complete(store):
        return
    with store.transaction() as conn:
        for statement in SCHEMA:
            conn.execute(store.dialect.ddl(statement))
        for table, column, kind in ADDED_COLUMNS:
            if column not in store.columns(table):
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        for statement in INDEXES:
            conn.execute(statement)


# ---------------------------------------------------------------------------- JSON columns


def to_json(data: Any) -> str:
    """How dicts are stored in the ``*_json`` columns (numpy scalars and arrays made plain)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _from_json(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


# ---------------------------------------------------------------------------- the tables


class RunStore:
    """The evaluation runs of one corpus store.

    Build it with :meth:`for_writing` (creates or upgrades the tables) or :meth:`for_reading`
    (a :class:`UserError` when there are no tables, and never a write). Every write method
    runs in the store's transaction, or joins the one already open, so a caller can group
    several writes (a whole direction) into one commit with :meth:`transaction`.
    """

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.conn

    @classmethod
    def for_writing(cls, store: Store) -> RunStore:
        ensure_schema(store)
        return cls(store)

    @classmethod
    def for_reading(cls, store: Store) -> RunStore:
        if not has_schema(store):
            raise UserError(NO_RUNS)
        return cls(store)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.store.transaction() as conn:
            yield conn

    def _details_column(self, table: str) -> str:
        """``details_json``, or NULL on an old store read without upgrading it."""
        return "details_json" if "details_json" in self.store.columns(table) else "NULL"

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, kind: str, name: str | None, recipe: str | None,
                  params: Mapping[str, Any], details: Mapping[str, Any]) -> int:  # fmt: skip
        """Insert a run with status ``running``; returns its id."""
        with self.transaction():
            return self.store.insert_id(
                "INSERT INTO runs (kind, name, recipe, params_json, status, details_json)"
                " VALUES (?, ?, ?, ?, 'running', ?)",
                (kind, name, recipe, to_json(params), to_json(details)),
            )

    def run_details(self, run_id: int) -> dict[str, Any]:
        """The run's ``details_json`` ({} when there is none)."""
        row = self.conn.execute(
            f"SELECT {self._details_column('runs')} FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        return _from_json(row[0]) if row else {}

    def set_run_details(self, run_id: int, details: Mapping[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET details_json = ? WHERE id = ?",
                         (to_json(details), run_id))  # fmt: skip

    def finish_run(self, run_id: int, status: str) -> None:
        with self.transaction() as conn:
            conn.execute(f"UPDATE runs SET status = ?, finished_at = {self.store.dialect.now}"
                         " WHERE id = ?", (status, run_id))  # fmt: skip

    def last_run_id(self, kind: str) -> int | None:
        (run_id,) = self.conn.execute("SELECT max(id) FROM runs WHERE kind = ?",
                                      (kind,)).fetchone()  # fmt: skip
        return None if run_id is None else int(run_id)

    def run_kind(self, run_id: int) -> str | None:
        row = self.conn.execute("SELECT kind FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else row[0]

    def run(self, run_id: int) -> dict[str, Any] | None:
        """The run's row, JSON columns decoded (``params``, ``details``); None if absent."""
        row = self.conn.execute(
            "SELECT id, kind, name, recipe, params_json, started_at, finished_at, status,"
            f" {self._details_column('runs')} FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("id", "kind", "name", "recipe", "params", "started_at", "finished_at", "status")
        return dict(zip(keys, row[:8], strict=True)) | {
            "params": _from_json(row[4]), "details": _from_json(row[8])}  # fmt: skip

    # -- systems -------------------------------------------------------------------------

    def add_system(self, run_id: int, *, name: str, src_lang: str, tgt_lang: str,
                   model: str | None, revision: str | None, backend: str | None,
                   params: Mapping[str, Any], status: str, error: str | None,
                   seconds: float, details: Mapping[str, Any]) -> int:  # fmt: skip
        """One system's result in one direction; returns its id (for :meth:`add_scores`)."""
        with self.transaction():
            return self.store.insert_id(
                "INSERT INTO systems (run_id, name, src_lang, tgt_lang, model, revision, backend,"
                " params_json, status, error, seconds, details_json)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, name, src_lang, tgt_lang, model, revision, backend, to_json(params),
                 status, error, seconds, to_json(details)),
            )  # fmt: skip

    def systems(self, run_id: int, src_lang: str, tgt_lang: str) -> list[dict[str, Any]]:
        """The run's systems of one direction in insertion order, JSON columns decoded."""
        rows = self.conn.execute(
            "SELECT id, name, model, revision, backend, params_json, status, error, seconds,"
            f" {self._details_column('systems')} FROM systems"
            " WHERE run_id = ? AND src_lang = ? AND tgt_lang = ? ORDER BY id",
            (run_id, src_lang, tgt_lang),
        )
        keys = ("id", "name", "model", "revision", "backend", "params", "status", "error",
                "seconds")  # fmt: skip
        return [dict(zip(keys, row[:9], strict=True))
                | {"params": _from_json(row[5]), "details": _from_json(row[9])}
                for row in rows]  # fmt: skip

    # -- scores --------------------------------------------------------------------------

    def add_scores(self, system_id: int, corpus: Mapping[str, Mapping[str, Any]],
                   documents: Mapping[str, Mapping[str, float]]) -> None:  # fmt: skip
        """Corpus scores (metric → entry) and per-document scores (doc → metric → score).

        A corpus entry's ``score``/``ci_low``/``ci_high``/``signature`` get columns; the rest
        (p-value, mean, options...) goes to ``details_json`` and comes back merged.
        """
        rows = []
        for key, e in corpus.items():
            extra = {k: v for k, v in e.items() if k not in _CORPUS_COLUMNS}
            rows.append((system_id, key, None, e["score"], e.get("ci_low"), e.get("ci_high"),
                         e.get("signature"), to_json(extra)))  # fmt: skip
        for doc, per_metric in documents.items():
            for key, value in per_metric.items():
                rows.append((system_id, key, doc, value, None, None, None, None))
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO scores (system_id, metric, doc_key, score, ci_low, ci_high,"
                " signature, details_json) VALUES (?,?,?,?,?,?,?,?)", rows)  # fmt: skip

    def scores(self, system_id: int) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
        """(corpus metric → entry, doc_key → metric → score), as given to :meth:`add_scores`."""
        corpus: dict[str, Any] = {}
        docs: dict[str, dict[str, float]] = {}
        for metric, doc, value, lo, hi, sig, det in self.conn.execute(
            "SELECT metric, doc_key, score, ci_low, ci_high, signature, details_json FROM scores"
            " WHERE system_id = ? ORDER BY id", (system_id,),
        ):  # fmt: skip
            if doc is None:
                corpus[metric] = {"score": value, "ci_low": lo, "ci_high": hi, "signature": sig}
                corpus[metric] |= _from_json(det)
            else:
                docs.setdefault(doc, {})[metric] = value
        return corpus, docs

    def corpus_metrics(self, kind: str) -> list[str]:
        """Metric keys with a corpus score in some run of ``kind``, sorted."""
        return [m for (m,) in self.conn.execute(
            "SELECT DISTINCT sc.metric FROM scores sc JOIN systems s ON s.id = sc.system_id"
            " JOIN runs r ON r.id = s.run_id WHERE r.kind = ? AND sc.doc_key IS NULL"
            " ORDER BY 1", (kind,))]  # fmt: skip

    def history(self, kind: str, metric: str, direction: str | None = None,
                system: str | None = None, last: int | None = None) -> list[tuple]:  # fmt: skip
        """One row per run, system and direction, oldest run first.

        Columns: run id, run name, started_at, direction, system, model, status, error,
        score, ci_low, ci_high (the score columns are NULL for a system without that metric,
        e.g. a failed one).
        """
        sql = (
            "SELECT r.id, r.name, r.started_at, s.src_lang || '-' || s.tgt_lang, s.name,"
            " s.model, s.status, s.error, sc.score, sc.ci_low, sc.ci_high"
            " FROM runs r JOIN systems s ON s.run_id = r.id"
            " LEFT JOIN scores sc ON sc.system_id = s.id AND sc.metric = ?"
            " AND sc.doc_key IS NULL WHERE r.kind = ?"
        )
        args: list[Any] = [metric, kind]
        if direction:
            sql += " AND s.src_lang || '-' || s.tgt_lang = ?"
            args.append(direction)
        if system:
            sql += " AND s.name = ?"
            args.append(system)
        if last:
            sql += " AND r.id IN (SELECT id FROM runs WHERE kind = ? ORDER BY id DESC LIMIT ?)"
            args += [kind, last]
        sql += " ORDER BY r.id, s.src_lang, s.tgt_lang, s.id"
        return [tuple(row) for row in self.conn.execute(sql, args)]
