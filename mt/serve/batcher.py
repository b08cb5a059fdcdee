"""Dynamic batching: sentences of concurrent requests decoded together.

A server that decodes each request on its own wastes the engine: a request of two sentences
fills a batch meant for dozens. :class:`BatchingEngine` wraps an engine
and keeps its interface, so the whole pipeline (segmentation, memory, glossary, placeholders)
runs unchanged per request in its own thread; only the decoding call is shared. Each
``translate_batch`` call is queued; one worker thread per engine takes the first call, keeps
gathering for at most ``max_wait_ms`` or until the token budget of one engine call is full,
cuts what it gathered with the pipeline's one batching function
(:func:`~mt.translate.batching.make_batches`, same budget: ``batch_tokens`` ×
:data:`~mt.translate.batching.BATCHES_PER_CALL`) and hands each cut to the engine, which
spreads it over its worker pool. Calls with different decoding options are never merged.

``enabled=False`` (the benchmark's baseline) decodes each call on its own, one at a time.
:meth:`BatchingEngine.close` finishes everything queued before the worker stops, so a server
shutting down completes its in-flight requests.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from mt.translate.batching import BATCHES_PER_CALL, batch_budget, make_batches


@dataclass
class _Call:
    sentences: list[str]
    options: dict[str, Any]
    future: Future = field(default_factory=Future)
    tokens: int = 0
    key: tuple = ()


_STOP = object()


class BatchingEngine:
    """An Engine whose ``translate_batch`` merges concurrent calls (see the module doc)."""

    def __init__(
        self,
        engine: Any,
        *,
        batch_tokens: int | None = None,
        max_wait_ms: float = 5.0,
        enabled: bool = True,
    ):
        self.engine = engine
        self.batch_tokens = batch_budget(engine.device, batch_tokens)
        self.call_budget = self.batch_tokens * BATCHES_PER_CALL
        self.max_wait = max(0.0, max_wait_ms) / 1000.0
        self.enabled = enabled
        self.engine_calls = 0  # calls made to the wrapped engine (tests, metrics)
        self.merged_calls = 0  # translate_batch calls received
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()  # serializes direct (unbatched) decoding
        self._closed = False
        self._worker: threading.Thread | None = None
        if enabled:
            self._worker = threading.Thread(
                target=self._run,
                name=f"mt-batcher-{engine.src_lang}-{engine.tgt_lang}",
                daemon=True,
            )
            self._worker.start()

    # -- the Engine interface -------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:  # model_id, revision, backend, device, ...
        return getattr(self.engine, name)

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return self.engine.count_tokens(sentences)

    def translate_batch(self, sentences: Sequence[str], **options: Any) -> list[str]:
        sentences = list(sentences)
        if not sentences:
            return []
        self.merged_calls += 1
        if not self.enabled:
            with self._lock:
                self.engine_calls += 1
                return self.engine.translate_batch(sentences, **options)
        if self._closed:
            raise RuntimeError("the server is shutting down")
        options.pop("max_batch_tokens", None)  # the batcher's budget applies
        call = _Call(sentences, options)
        call.key = tuple(sorted(options.items()))
        call.tokens = sum(self.engine.count_tokens(sentences))
        self._queue.put(call)
        return call.future.result()

    # -- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        pending: list[Any] = []  # calls taken from the queue with other options, in order
        while True:
            first = pending.pop(0) if pending else self._queue.get()
            if first is _STOP:
                self._drain_and_stop(pending)
                return
            # Calls already waiting with the same options join first's group.
            same = [c for c in pending if c is not _STOP and c.key == first.key]
            pending = [c for c in pending if not (c is not _STOP and c.key == first.key)]
            group, later, stop = self._gather([first, *same])
            pending.extend(later)
            self._decode(group)
            if stop:
                pending.append(_STOP)

    def _gather(self, group: list[_Call]) -> tuple[list[_Call], list[Any], bool]:
        """Calls with the group's options that arrive within the wait, up to the budget."""
        first = group[0]
        later: list[Any] = []
        tokens = sum(c.tokens for c in group)
        deadline = time.monotonic() + self.max_wait
        while tokens < self.call_budget:
            left = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return group, later, True
            if item.key != first.key:
                later.append(item)
                continue
            group.append(item)
            tokens += item.tokens
        return group, later, False

    def _decode(self, group: list[_Call]) -> None:
        texts = [s for c in group for s in c.sentences]
        try:
            counts = self.engine.count_tokens(texts)
            outputs: list[str] = [""] * len(texts)
            for batch in make_batches(counts, self.call_budget):
                self.engine_calls += 1
                result = self.engine.translate_batch(
                    [texts[i] for i in batch],
                    **group[0].options,
                    max_batch_tokens=self.batch_tokens,
                )
                for i, out in zip(batch, result, strict=True):
                    outputs[i] = out
        except BaseException as exc:  # every waiting request learns of the failure
            for c in group:
                c.future.set_exception(exc)
            return
        pos = 0
        for c in group:
            c.future.set_result(outputs[pos : pos + len(c.sentences)])
            pos += len(c.sentences)

    def _drain_and_stop(self, pending: list[Any]) -> None:
        """Finish every call still queued, then stop."""
        while True:
            with contextlib.suppress(queue.Empty):
                while True:
                    pending.append(self._queue.get_nowait())
            calls = [c for c in pending if c is not _STOP]
            pending.clear()
            if not calls:
                return
            by_key: dict[tuple, list[_Call]] = {}
            for c in calls:
                by_key.setdefault(c.key, []).append(c)
            for group in by_key.values():
                self._decode(group)

    def close(self, timeout: float | None = 30.0) -> None:
        """Stop taking calls; finish those queued (in-flight requests complete)."""
        if self._closed:
            return
        self._closed = True
        if self._worker is not None:
            self._queue.put(_STOP)
            self._worker.join(timeout)


class Batchers:
    """One :class:`BatchingEngine` per loaded engine (a pivot's two steps: two batchers)."""

    def __init__(self, *, batch_tokens: int | None, max_wait_ms: float, enabled: bool):
        self.batch_tokens = batch_tokens
        self.max_wait_ms = max_wait_ms
        self.enabled = enabled
        self._by_engine: dict[int, BatchingEngine] = {}
        self._lock = threading.Lock()

    def wrap(self, engine: Any) -> BatchingEngine:
        with self._lock:
            found = self._by_engine.get(id(engine))
            if found is None:
                found = BatchingEngine(
                    engine,
                    batch_tokens=self.batch_tokens,
                    max_wait_ms=self.max_wait_ms,
                    enabled=self.enabled,
                )
                self._by_engine[id(engine)] = found
            return found

    def all(self) -> list[BatchingEngine]:
        with self._lock:
            return list(self._by_engine.values())

    def close(self) -> None:
        for b in self.all():
            b.close()
