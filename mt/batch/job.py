"""A batch job from start to end: plan, skip what is done, translate the rest, commit.

Engines only produce :class:`~mt.batch.worker.ShardResult`s; committing is here, in one
place, in this order: the shard file by rename, then the manifest by rename. A job killed at
any moment therefore leaves complete shards that are recorded, at most one complete shard
that is not (discarded on the next start) and temporary files (removed on the next start).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mt.batch.manifest import FORMATS, Manifest, output_name, write_shard
from mt.batch.progress import Progress
from mt.batch.shards import Shard, plan
from mt.batch.worker import JobConfig, ShardResult
from mt.errors import UserError

ENGINES = ("local", "ray")
RAY_LOG = "_ray.log"


@dataclass
class Summary:
    """What a run did (the rows of shards an earlier run finished are ``skipped_rows``)."""

    rows: int
    shards: int
    skipped_rows: int
    skipped_shards: int
    discarded: int
    seconds: float
    out: Path

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        text = f"translated {self.rows} rows in {self.shards} shards"
        if self.skipped_shards:
            text += f" ({self.skipped_rows} rows in {self.skipped_shards} shards done before)"
        if self.discarded:
            text += f", redid {self.discarded} unrecorded shard file(s)"
        return f"{text} in {self.seconds:.1f} s ({rate:.1f} rows/s) -> {self.out}"


def run_batch(source: Path, out: Path, config: JobConfig, *, fmt: str = "parquet",
              shard_rows: int = 1000, engine: str = "local", workers: int | None = None,
              ray_address: str | None = None, progress: bool = True,
              interval: float = 10.0) -> Summary:  # fmt: skip
    """Translate every row of ``source`` into shards under ``out``, resuming a killed job."""
    _check(source, out, fmt, engine, ray_address)
    if engine == "ray":
        from mt.batch.ray_engine import import_ray

        import_ray()  # before the input is read: a missing extra is the first thing to say
    config, model = _resolve_model(config)
    if engine == "local" or not (ray_address or os.environ.get("RAY_ADDRESS")):
        _preflight(config)  # a missing model is one line here, not one error per worker
    cut = plan(source, shard_rows)
    job = {"src": config.src, "tgt": config.tgt, "model": model, "shard_rows": shard_rows,
           "format": fmt, "inputs": [[f.rel, f.rows, f.size] for f in cut.files]}  # fmt: skip
    start = time.perf_counter()
    with Manifest.open(out, job) as manifest:
        pending = [s for s in cut.shards if s.key not in manifest.done]
        by_key = {s.key: s for s in pending}
        before = cut.rows - sum(s.rows for s in pending)
        with _engine_logs(engine, out, bool(pending)) as stream:
            meter = Progress(cut.rows, before, enabled=progress, stream=stream,
                             interval=interval)  # fmt: skip
            try:
                for result in _results(pending, config, engine, workers, ray_address):
                    commit(manifest, by_key[result.key], result, config, fmt)
                    meter.advance(len(result.ids))
            finally:
                meter.close()
        return Summary(cut.rows - before, len(pending), before, len(cut.shards) - len(pending),
                       manifest.discarded, time.perf_counter() - start, out)  # fmt: skip


def _results(pending: list[Shard], config: JobConfig, engine: str, workers: int | None,
             address: str | None) -> Iterator[ShardResult]:  # fmt: skip
    if not pending:
        return iter(())
    if engine == "ray":
        from mt.batch.ray_engine import run_ray

        return run_ray(pending, config, workers, address)
    from mt.batch.local import run_local

    return run_local(pending, config, min(workers or 1, len(pending)))


def _engine_logs(engine: str, out: Path, running: bool) -> contextlib.AbstractContextManager:
    """Ray's own output goes to ``out/_ray.log`` (see :func:`mt.batch.ray_engine.ray_logs`);
    the context gives the stream for progress (None: stderr)."""
    if engine != "ray" or not running:
        return contextlib.nullcontext(None)
    from mt.batch.ray_engine import ray_logs

    return ray_logs(out / RAY_LOG)


def commit(manifest: Manifest, shard: Shard, result: ShardResult, config: JobConfig,
           fmt: str) -> None:  # fmt: skip
    """Write a translated shard, then record it: the only way a shard becomes done."""
    n = len(result.ids)
    if n != shard.rows:
        raise UserError(f"shard {shard.key} came back with {n} rows, not {shard.rows}")
    columns: dict[str, list[Any]] = {
        "id": result.ids, "doc": result.docs, "source": result.sources,
        "translation": result.translations, "model": [result.model] * n,
        "src_lang": [config.src] * n, "tgt_lang": [config.tgt] * n,
        "seconds": result.seconds, "worker": [result.worker] * n, "shard": [shard.key] * n,
    }  # fmt: skip
    name = output_name(shard.key, fmt)
    size = write_shard(manifest.out, name, columns, fmt)
    manifest.record(shard.key, {"file": name, "rows": n, "bytes": size, "worker": result.worker,
                                "seconds": round(sum(result.seconds), 3),
                                "cpu_seconds": round(result.cpu_seconds, 3)})  # fmt: skip


def _check(source: Path, out: Path, fmt: str, engine: str, address: str | None) -> None:
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r} (choose {', '.join(ENGINES)})")
    if address and engine != "ray":
        raise UserError("--ray-address needs --engine ray")
    src, dst = source.resolve(), out.resolve()
    if dst == src or src in dst.parents:
        raise UserError("--out must be a folder outside the input", out)


def _resolve_model(config: JobConfig) -> tuple[JobConfig, str]:
    """A local model directory made absolute (workers may run elsewhere), and the model(s)
    the job translates with, for the manifest: a rerun must use the same."""
    from mt.translate.models import is_local, route

    if config.model is not None and is_local(config.model):
        config = replace(config, model=str(Path(config.model).expanduser().resolve()))
    return config, "+".join(step.id for step in route(config.src, config.tgt, config.model))


def _preflight(config: JobConfig) -> None:
    """Find (or download, once) every model of the route, and read the glossary, on this
    machine before workers start: N workers would each fail, or fetch the same files."""
    from mt.translate.models import resolve_model_dir, route

    if isinstance(config.glossary, str):
        from mt.translate.glossary import Glossary

        Glossary.load(config.glossary)
    for step in route(config.src, config.tgt, config.model):
        resolve_model_dir(step.id)
