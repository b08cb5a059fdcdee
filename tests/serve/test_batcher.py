"""Dynamic batching: concurrent requests share engine calls; the budget is the pipeline's."""

from __future__ import annotations

import threading

from mt.serve.batcher import BatchingEngine
from mt.translate.batching import BATCHES_PER_CALL
from tests.serve.conftest import SlowFakeEngine


def _engine(delay: float = 0.0) -> SlowFakeEngine:
    engine = SlowFakeEngine("en", "ru", lambda s: f"RU:{s}")
    engine.delay = delay
    return engine


def _concurrently(n: int, fn) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_concurrent_calls_are_merged():
    engine = _engine(delay=0.05)
    batcher = BatchingEngine(engine, batch_tokens=384, max_wait_ms=20)
    try:
        out = _concurrently(16, lambda i: batcher.translate_batch([f"s{i} a", f"s{i} b"]))
    finally:
        batcher.close()
    assert out == [[f"RU:s{i} a", f"RU:s{i} b"] for i in range(16)]
    assert batcher.merged_calls == 16
    assert len(engine.calls) <= 3 and batcher.engine_calls == len(engine.calls)


def test_batching_off_makes_one_engine_call_per_request():
    engine = _engine()
    batcher = BatchingEngine(engine, enabled=False)
    out = _concurrently(8, lambda i: batcher.translate_batch([f"x{i}"]))
    assert out == [[f"RU:x{i}"] for i in range(8)] and len(engine.calls) == 8


def test_batches_respect_the_pipelines_budget():
    engine = _engine(delay=0.02)
    batcher = BatchingEngine(engine, batch_tokens=4, max_wait_ms=20)
    try:
        _concurrently(12, lambda i: batcher.translate_batch(["one two three four five"] * 3))
    finally:
        batcher.close()
    budget = 4 * BATCHES_PER_CALL
    for call in engine.calls:
        assert len(call) * max(engine.count_tokens(call)) <= budget or len(call) == 1


def test_close_finishes_queued_calls_and_errors_reach_every_caller():
    engine = _engine(delay=0.05)
    batcher = BatchingEngine(engine, max_wait_ms=1)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(batcher.translate_batch(["a"])))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    batcher.close()
    for t in threads:
        t.join(5)
    assert results == [["RU:a"]] * 4

    def broken(sentences, **options):
        raise ValueError("model failed")

    engine2 = _engine()
    engine2.translate_batch = broken
    failing = BatchingEngine(engine2, max_wait_ms=1)
    errors = _concurrently(3, lambda i: _catch(lambda: failing.translate_batch([f"{i}"])))
    failing.close()
    assert all(isinstance(e, ValueError) for e in errors)


def _catch(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return exc


def test_server_merges_concurrent_requests(make_client, fake_models):
    client = make_client(max_wait_ms=30)
    client.post("/translate", json={"q": "Warm up.", "source": "en", "target": "ru"})
    engine = fake_models[0]
    engine.delay = 0.05
    engine.calls.clear()
    out = _concurrently(
        12,
        lambda i: client.post(
            "/translate", json={"q": f"Sentence number {i}.", "source": "en", "target": "ru"}
        ).json(),
    )
    assert out == [{"translatedText": f"RU:SENTENCE NUMBER {i}."} for i in range(12)]
    assert len(engine.calls) < 6  # 12 requests, a handful of engine calls
