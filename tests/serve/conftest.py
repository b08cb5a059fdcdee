"""Fixtures for the server tests: fake engines (no model, no network) and a TestClient."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("fastapi", reason="mt serve needs the serve extra (fastapi)")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

from tests.translate.fixtures import FakeEngine  # noqa: E402


class SlowFakeEngine(FakeEngine):
    """A fake engine whose every call takes ``delay`` seconds (a model's fixed cost)."""

    delay: float = 0.0

    def translate_batch(self, sentences, **options):
        if self.delay:
            time.sleep(self.delay)
        return super().translate_batch(sentences, **options)


@pytest.fixture
def fake_models(monkeypatch) -> list[FakeEngine]:
    """``load_engine`` replaced by fake engines that upper-case (and tag) their input."""
    loaded: list[FakeEngine] = []
    lock = threading.Lock()

    def load(model, src, tgt, **kw):
        with lock:
            for engine in loaded:
                if (engine.model_id, engine.src_lang, engine.tgt_lang) == (str(model), src, tgt):
                    return engine
            engine = SlowFakeEngine(
                src,
                tgt,
                lambda s: f"{tgt.upper()}:{s.upper()}",
                model_id=str(model),
                revision="abc123",
                backend="ct2",
            )
            loaded.append(engine)
            return engine

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    return loaded


@pytest.fixture
def make_client(fake_models) -> Iterator[Callable[..., object]]:
    """``make_client(**config)`` → a TestClient of an app with fake models, no glossary."""
    from fastapi.testclient import TestClient

    from mt.serve import ServeConfig, create_app

    opened = []

    def make(**kw):
        kw.setdefault("glossary", False)
        client = TestClient(create_app(ServeConfig(**kw)), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()
