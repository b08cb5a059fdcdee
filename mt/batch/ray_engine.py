"""The Ray engine: the same shards, translated by a pool of Ray actors (one engine each).

The dataset has one row per pending shard (a few numbers: file, start, rows, offset), one
block each, so Ray Data hands shards to whichever actor is free. ``map_batches`` with a
callable class makes a fixed pool of actors (``compute=ActorPoolStrategy(size=N)``; the
``concurrency=`` argument is deprecated in recent Ray): each loads its engine once, then
reads its shard from the input and returns the shard translated as one row of list columns
(one row, so Ray can never split a shard across blocks). The driver writes the shards and
the manifest as results stream back, exactly as with the local engine.

Actors take ``num_gpus=1`` each when the cluster has GPUs (``--device auto``) or when
``--device cuda``; on CPU each takes ``CPUs / N`` cores and as many threads. The input must
be readable at the same path on every node (a shared filesystem); the output is written
only by the driver. ``--ray-address`` (or ``RAY_ADDRESS``) joins a running cluster; without
one, a local cluster is started for the job and shut down after it.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import socket
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from mt.batch.shards import Shard
from mt.batch.worker import JobConfig, ShardResult, ShardWorker
from mt.errors import EnvironmentFault, UserError

NEEDS_RAY = '--engine ray needs Ray: pip install -e ".[ray]"'
THREADS_PER_CPU_ACTOR = 4  # default pool on CPU: one actor per 4 cores


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or the one-line error saying how to install it."""
    try:
        ray = importlib.import_module("ray")
        importlib.import_module("ray.data")
    except ImportError:
        raise UserError(NEEDS_RAY) from None
    return ray


class ShardActor:
    """The callable class given to ``map_batches``: one ShardWorker per actor."""

    def __init__(self, config: dict[str, Any]):
        self.worker = ShardWorker(JobConfig(**config))

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        results = [self.worker.translate(Shard(**row)) for row in batch.to_pylist()]
        texts = pa.list_(pa.string())
        schema = pa.schema([("key", pa.string()), ("ids", texts), ("docs", texts),
                            ("sources", texts), ("translations", texts),
                            ("seconds", pa.list_(pa.float64())), ("worker", pa.string()),
                            ("model", pa.string()), ("cpu_seconds", pa.float64())])  # fmt: skip
        return pa.Table.from_pylist([vars(r) for r in results], schema=schema)


def run_ray(shards: Iterable[Shard], config: JobConfig, workers: int | None = None,
            address: str | None = None) -> Iterator[ShardResult]:  # fmt: skip
    """Translated shards, as each completes, from an actor pool on a Ray cluster."""
    ray = import_ray()
    items = [s.as_dict() for s in shards]
    if not items:
        return
    started = not ray.is_initialized()
    if started:
        given = address or os.environ.get("RAY_ADDRESS")
        _check_reachable(given or _last_started(), recorded=not given)
        try:
            ray.init(address=address, include_dashboard=False, logging_level=logging.ERROR,
                     log_to_driver=False)  # fmt: skip
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f" at {address}" if address else ""
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise EnvironmentFault(f"cannot start or join a Ray cluster{where}: {reason} "
                                   "(Ray's own messages: _ray.log in --out)") from None  # fmt: skip
    try:
        config, n, resources = _pool(ray, config, workers)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # ours is on stderr already
        dataset = _from_items(ray, items).map_batches(
            ShardActor, fn_constructor_kwargs={"config": config.as_dict()}, batch_size=1,
            batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=n), **resources,
        )  # fmt: skip
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
                for row in batch.to_pylist():
                    yield ShardResult(**row)
        except Exception as exc:
            raise _user_error(exc) or exc from None
    finally:
        if started:
            ray.shutdown()


@contextlib.contextmanager
def ray_logs(path: Path) -> Iterator[IO[str]]:
    """Point file descriptors 1 and 2 at ``path`` while Ray runs; yield the real stderr.

    Ray's processes, its C++ core, its error listener and Ray Data print notices, warnings
    and whole tracebacks to the driver's stdout and stderr (no setting silences them all),
    which would bury our progress lines and turn one error into pages. So both descriptors
    point at the job's ``_ray.log`` (a local cluster started now inherits them) and our
    progress goes to the stream yielded: a copy of the real stderr. Errors still reach the
    user, as exceptions turned into one line once the descriptors are back.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        real = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # replaced (tests, embedding)
        real = False
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    for fd in saved:
        os.dup2(log, fd)
    os.close(log)
    try:
        with open(saved[2], "w", buffering=1, encoding="utf-8", errors="replace",
                  closefd=False) as ours:  # fmt: skip
            yield ours if real else sys.stderr
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)


def _check_reachable(address: str | None, *, recorded: bool = False) -> None:
    """A ``host:port`` that does not answer is one line within seconds; ``ray.init`` would
    retry for minutes before saying so. ``recorded``: the address is the one ``ray start``
    left in Ray's temporary directory, which ``ray.init()`` joins when given no address."""
    if not address or address in ("auto", "local") or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        if recorded:
            raise EnvironmentFault(
                f"the Ray cluster last started on this machine ({address}) does not answer: "
                f"{reason}; start it again, or run `ray stop`, or pass --ray-address local"
            ) from None
        raise EnvironmentFault(f"cannot join the Ray cluster at {address}: {reason}") from None


def _last_started() -> str | None:
    """The address ``ray start`` recorded on this machine (None if none, or unreadable)."""
    try:
        from ray._private.utils import read_ray_address

        return read_ray_address()
    except Exception:  # a private helper: if it moves, Ray decides as before
        return None


def _pool(ray: Any, config: JobConfig, workers: int | None
          ) -> tuple[JobConfig, int, dict[str, float]]:  # fmt: skip
    """(worker config, pool size, resources per actor) for the cluster at hand."""
    cluster = ray.cluster_resources()
    gpus, cpus = int(cluster.get("GPU", 0)), max(1, int(cluster.get("CPU", 1)))
    if config.device == "cuda" and not gpus:
        raise UserError("--device cuda: the Ray cluster has no GPU")
    if config.device == "cuda" or (config.device == "auto" and gpus):
        n = workers or gpus
        return replace(config, device="cuda"), n, {"num_gpus": 1, "num_cpus": 1}
    n = workers or max(1, cpus // THREADS_PER_CPU_ACTOR)
    share = cpus / n
    threads = config.threads or max(1, int(share))
    return replace(config, device="cpu", threads=threads), n, {"num_cpus": share}


def _from_items(ray: Any, items: list[dict[str, Any]]) -> Any:
    """One block per shard (``override_num_blocks``; ``parallelism`` before Ray 2.10)."""
    try:
        return ray.data.from_items(items, override_num_blocks=len(items))
    except TypeError:
        return ray.data.from_items(items, parallelism=len(items))


def _user_error(exc: BaseException) -> UserError | None:
    """The UserError an actor raised, out of Ray's wrappers (so the CLI prints one line).

    Ray re-raises it wrapped (``RayTaskError``, ``UserCodeException``), sometimes as a class
    derived from both; the original is somewhere down the ``cause`` chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    found: list[UserError] = []
    while todo:
        cur = todo.pop(0)
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, UserError):
            found.append(cur)
        todo += [getattr(cur, "cause", None), cur.__cause__, cur.__context__]
    plain = [e for e in found if type(e) in (UserError, EnvironmentFault)]
    if plain:
        return plain[0]
    # An actor that died in its constructor comes back as text only (ActorDiedError).
    named = _NAMED.findall(str(found[0] if found else exc))
    if named:
        kind, message = named[-1]
        return (EnvironmentFault if kind == "EnvironmentFault" else UserError)(message)
    return None


_NAMED = re.compile(r"^mt\.errors\.(UserError|EnvironmentFault): (.+)$", re.M)
