"""The local engine: the batch pipeline on this machine, without Ray.

One worker translates in this process. Several (``--workers N``) are separate processes,
each with its own engine and ``cores / N`` threads: CTranslate2 on CPU scales better across
processes than across ever more threads of one. Processes are spawned (not forked) because
a fork of a process that may already hold OpenMP or CUDA state can deadlock.

Workers only translate; the parent writes every output shard and the manifest, so a job's
bookkeeping lives in one process whatever the engine.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterable, Iterator
from dataclasses import replace

from mt.batch.shards import Shard
from mt.batch.worker import JobConfig, ShardResult, ShardWorker

_WORKER: ShardWorker | BaseException | None = None


def run_local(shards: Iterable[Shard], config: JobConfig, workers: int = 1
              ) -> Iterator[ShardResult]:  # fmt: skip
    """Translated shards, as each completes (in any order when ``workers`` > 1)."""
    if workers <= 1:
        worker = ShardWorker(config)
        for shard in shards:
            yield worker.translate(shard)
        return
    from mt.translate.backends import cpu_count

    if config.threads is None:
        config = replace(config, threads=max(1, cpu_count() // workers))
    pool = multiprocessing.get_context("spawn").Pool(workers, _init, (config,))
    try:
        yield from pool.imap_unordered(_translate, shards, chunksize=1)
    finally:
        pool.terminate()  # on an error or Ctrl-C, shards in flight are simply redone later
        pool.join()


def _init(config: JobConfig) -> None:
    """Load the engine once per process. A failure is kept and raised by the first shard:
    a pool whose initializer raises restarts the process forever."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        _WORKER = ShardWorker(config)
    except Exception as exc:
        _WORKER = exc


def _translate(shard: Shard) -> ShardResult:
    if isinstance(_WORKER, BaseException):
        raise _WORKER
    assert _WORKER is not None
    return _WORKER.translate(shard)
