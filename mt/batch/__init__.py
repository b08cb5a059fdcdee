"""Batch translation past one machine: ``mt batch translate`` over JSONL/Parquet shards.

``shards`` reads the input and cuts it into stable shards; ``manifest`` owns the output
folder (atomic shard files, the manifest of completed shards, the lock); ``worker`` is the
engine every worker runs; ``local`` and ``ray_engine`` are the two ways of running workers;
``job`` ties them together and ``cli`` holds the command. Ray is optional (the ``ray`` extra)
and imported only by ``--engine ray``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mt.batch.job import Summary, run_batch
    from mt.batch.worker import JobConfig

__all__ = ["JobConfig", "Summary", "run_batch"]

_WHERE = {"run_batch": "mt.batch.job", "Summary": "mt.batch.job", "JobConfig": "mt.batch.worker"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'mt.batch' has no attribute {name!r}")
