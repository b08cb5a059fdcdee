"""How scores moved across evaluation runs: one row per run, system and direction.

The question a maintainer asks after changing a model, a glossary or the TM is "did it get
better, and by more than the noise?", so each row carries the corpus score, its bootstrap
interval and the change since the previous run of the same system in the same direction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mt.corpus.store import Store
from mt.evaluate.runs import RUN_KIND


@dataclass
class HistoryRow:
    run_id: int
    run_name: str | None
    started_at: str
    direction: str
    system: str
    model: str | None
    status: str | None
    metric: str
    score: float | None
    ci_low: float | None
    ci_high: float | None
    delta: float | None = None  # against the previous run of this system and direction
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def history(
    store: Store,
    metric: str = "bleu",
    direction: str | None = None,
    system: str | None = None,
    last: int | None = None,
) -> list[HistoryRow]:
    """Rows oldest first; failed systems appear with no score and their error."""
    sql = (
        "SELECT r.id, r.name, r.started_at, s.src_lang || '-' || s.tgt_lang, s.name, s.model,"
        " s.status, s.error, sc.score, sc.ci_low, sc.ci_high"
        " FROM runs r JOIN systems s ON s.run_id = r.id"
        " LEFT JOIN scores sc ON sc.system_id = s.id AND sc.metric = ? AND sc.doc_key IS NULL"
        " WHERE r.kind = ?"
    )
    args: list[Any] = [metric, RUN_KIND]
    if direction:
        sql += " AND s.src_lang || '-' || s.tgt_lang = ?"
        args.append(direction)
    if system:
        sql += " AND s.name = ?"
        args.append(system)
    if last:
        sql += " AND r.id IN (SELECT id FROM runs WHERE kind = ? ORDER BY id DESC LIMIT ?)"
        args += [RUN_KIND, last]
    sql += " ORDER BY r.id, s.src_lang, s.tgt_lang, s.id"
    rows = [HistoryRow(*row[:7], metric, *row[8:], error=row[7])
            for row in store.conn.execute(sql, args)]  # fmt: skip
    _deltas(rows)
    return rows


def _deltas(rows: list[HistoryRow]) -> None:
    previous: dict[tuple[str, str], float] = {}
    for row in rows:
        key = (row.system, row.direction)
        if row.score is None:
            continue
        if key in previous:
            row.delta = row.score - previous[key]
        previous[key] = row.score


def metrics_in_store(store: Store) -> list[str]:
    """Metric keys that have corpus scores in some evaluation run (for error messages)."""
    return [m for (m,) in store.conn.execute(
        "SELECT DISTINCT sc.metric FROM scores sc JOIN systems s ON s.id = sc.system_id"
        " JOIN runs r ON r.id = s.run_id WHERE r.kind = ? AND sc.doc_key IS NULL ORDER BY 1",
        (RUN_KIND,))]  # fmt: skip


def rows_json(rows: list[HistoryRow]) -> str:
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2)
