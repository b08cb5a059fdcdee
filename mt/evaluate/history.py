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
from mt.evaluate.storage import RunStore


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
    """Rows oldest first; failed systems appear with no score and their error.

    A store without evaluation runs (no run tables yet) is a :class:`UserError`.
    """
    db = RunStore.for_reading(store)
    rows = [HistoryRow(*row[:7], metric, *row[8:], error=row[7])
            for row in db.history(RUN_KIND, metric, direction, system, last)]  # fmt: skip
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
    return RunStore.for_reading(store).corpus_metrics(RUN_KIND)


def rows_json(rows: list[HistoryRow]) -> str:
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2)
