"""Guards of the server: request size, API keys and per-key rate limits.

``--api-keys FILE``: one key per line, optionally ``key<TAB>requests_per_minute`` (blank
lines and ``#`` comments skipped). Without a file no key is needed and only the default
limit (if any) applies, per client address.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from pathlib import Path

from mt.errors import UserError


def read_api_keys(path: str | Path) -> dict[str, int | None]:
    """Keys and their requests per minute (None: the server's default)."""
    from mt.textio import read_text

    keys: dict[str, int | None] = {}
    for n, line in enumerate(read_text(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, limit = line.partition("\t")
        key, limit = key.strip(), limit.strip()
        if not key or any(ch.isspace() for ch in key):
            raise UserError("an API key cannot contain spaces (use key<TAB>limit)", path, n)
        if limit and not (limit.isdigit() and int(limit) > 0):
            raise UserError(
                f"requests per minute must be a positive number, not {limit!r}", path, n
            )
        keys[key] = int(limit) if limit else None
    if not keys:
        raise UserError("no API key in the file", path)
    return keys


class RateLimiter:
    """Sliding one-minute window per key."""

    def __init__(self, window_s: float = 60.0):
        self.window = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, per_minute: int | None) -> bool:
        if not per_minute:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= per_minute:
                return False
            hits.append(now)
            return True


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: a body over ``max_bytes`` is answered 413 (by its Content-Length
    before it is read, or as soon as the bytes read pass the limit)."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await _too_large(send, self.max_bytes)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"error": f"request body larger than {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
