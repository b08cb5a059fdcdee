"""`mt serve` as a real process on 127.0.0.1: a tiny model, /health polled, SIGTERM while a
request is in flight, which still gets its answer before the process exits 0."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

pytest.importorskip("uvicorn", reason="mt serve needs the serve extra (uvicorn)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict, timeout: float = 30) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read())


def test_real_server_serves_and_stops_gracefully(tiny_marian_en_ru, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mt",
            "serve",
            "--port",
            str(port),
            "--model",
            f"en-ru={tiny_marian_en_ru}",
            "--no-glossary",
            "--threads",
            "1",
            "--db",
            str(tmp_path / "none.sqlite"),
            "--max-wait-ms",
            "1500",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        status, body = _post(f"{base}/translate", {"q": "Hello.", "source": "en", "target": "ru"})
        assert status == 200 and isinstance(body["translatedText"], str)

        # A request waits 1.5 s in the batcher; SIGTERM arrives meanwhile.
        answer: dict = {}
        worker = threading.Thread(
            target=lambda: answer.update(
                zip(
                    ("status", "body"),
                    _post(
                        f"{base}/translate",
                        {"q": "The talks went well.", "source": "en", "target": "ru"},
                    ),
                    strict=True,
                )
            )
        )
        worker.start()
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        worker.join(30)
        assert answer.get("status") == 200 and answer["body"]["translatedText"]
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
