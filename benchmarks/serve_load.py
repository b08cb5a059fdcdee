"""Load test of ``mt serve``: latency and throughput with 1, 8 and 32 concurrent clients,
dynamic batching on and off, against the offline pipeline on the same sentences.

The model is opus-mt-en-ru's shape with random weights (built by
``benchmarks/translate_throughput.py``; tiny models are too fast to show batching), decoding
exactly ``--out-len`` tokens per sentence so every contender does the same work. Each server
runs in its own process on 127.0.0.1 (nothing else is contacted); each client sends one
sentence per request (``POST /translate``) over a kept-alive connection, for a bounded number
of requests. Targets (issue 10): at 32 clients, throughput ≥ 3× one client's and ≥ 0.8× the
offline pipeline's, zero failed requests.

    .venv/bin/python benchmarks/serve_load.py [--requests 192] [--out-len 32]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _throughput_module():
    spec = importlib.util.spec_from_file_location(
        "translate_throughput", ROOT / "benchmarks" / "translate_throughput.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _patch_fixed_length(out_len: int) -> None:
    """Every engine the server loads decodes exactly ``out_len`` tokens."""
    import mt.translate.engine as engines

    tt = _throughput_module()
    real = engines.load_engine
    cache: dict = {}

    def load(model, src, tgt, **kw):
        key = (str(model), src, tgt)
        if key not in cache:
            cache[key] = tt.FixedLength(real(model, src, tgt, **kw), out_len)
        return cache[key]

    engines.load_engine = load


# ---------------------------------------------------------------------------- the server


def serve_worker(args: argparse.Namespace) -> None:
    import uvicorn

    from mt.cli.serve import _server_class
    from mt.serve import ServeConfig, create_app

    _patch_fixed_length(args.out_len)
    config = ServeConfig(
        models={("en", "ru"): args.model},
        glossary=False,
        tm=False,
        beam=1,
        batching=args.batching == "on",
        max_wait_ms=args.max_wait_ms,
        timeout_s=600,
    )
    server = _server_class()(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=args.port, log_level="error")
    )
    server.run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model_dir: Path, batching: str, out_len: int, max_wait_ms: float):
    port = free_port()
    cmd = [
        sys.executable,
        __file__,
        "--serve-worker",
        "--port",
        str(port),
        "--model",
        str(model_dir),
        "--batching",
        batching,
        "--out-len",
        str(out_len),
        "--max-wait-ms",
        str(max_wait_ms),
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/health", None)
            if status == 200:
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def request(port: int, method: str, path: str, body: dict | None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    conn.request(method, path, data, headers)
    response = conn.getresponse()
    payload = response.read()
    if own:
        conn.close()
    return response.status, payload


# ---------------------------------------------------------------------------- clients


def load(port: int, sentences: list[str], clients: int) -> dict:
    """``clients`` threads share the sentences (one per request); latency per request."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    cursor = iter(range(len(sentences)))

    def client() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            t0 = time.perf_counter()
            try:
                status, payload = request(
                    port,
                    "POST",
                    "/translate",
                    {"q": sentences[i], "source": "en", "target": "ru"},
                    conn,
                )
                ok = status == 200 and isinstance(json.loads(payload)["translatedText"], str)
            except (OSError, ValueError, KeyError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                failures += 0 if ok else 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "failed": failures,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[max(0, int(0.95 * len(latencies)) - 1)],
        "sent_per_s": len(latencies) / wall,
    }


def offline(model_dir: Path, sentences: list[str], out_len: int) -> float:
    """Sentences per second of the offline pipeline (Translator.translate_sentences)."""
    code = f"""
import sys, time, json
sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / "benchmarks")!r})
from serve_load import _patch_fixed_length
_patch_fixed_length({out_len})
import mt.translate.engine as engines
from mt.translate.pipeline import DecodeOptions, Translator
sentences = json.load(sys.stdin)
engine = engines.load_engine({str(model_dir)!r}, "en", "ru")
tr = Translator.from_engines([engine], decode=DecodeOptions(beam_size=1), glossary=False,
                             tm=False, retry_loops=True)
tr.translate_sentences(sentences[:2])
t0 = time.perf_counter(); tr.translate_sentences(sentences); print(time.perf_counter() - t0)
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(sentences),
        text=True,
        capture_output=True,
        check=True,
    )
    return len(sentences) / float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=192, help="requests per measurement")
    parser.add_argument("--out-len", type=int, default=32)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--serve-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--batching", default="on", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_worker:
        serve_worker(args)
        return
    tt = _throughput_module()
    workdir = args.workdir or Path(tempfile.gettempdir()) / "mt-bench-translate"
    workdir.mkdir(parents=True, exist_ok=True)
    model_dir = tt.build_model(workdir)
    tt.convert(model_dir, "cpu")
    sentences = tt.make_sentences(args.requests, seed=3)
    clients = [int(c) for c in args.clients.split(",")]
    print(
        f"model: {model_dir.name} (opus-mt-en-ru shape, random weights), "
        f"{args.out_len} output tokens/sentence, {len(sentences)} requests per run, "
        f"{tt.cores()} cores",
        flush=True,
    )
    base = offline(model_dir, sentences, args.out_len)
    print(f"offline pipeline: {base:.1f} sentences/s", flush=True)
    results: dict[str, list[dict]] = {}
    for batching in ("on", "off"):
        proc, port = start_server(model_dir, batching, args.out_len, args.max_wait_ms)
        try:
            load(port, sentences[:8], 2)  # warm up
            results[batching] = [load(port, sentences, n) for n in clients]
        finally:
            proc.terminate()
            proc.wait(30)
        for r in results[batching]:
            print(
                f"batching {batching:3}  {r['clients']:2} clients: p50 {r['p50_ms']:7.1f} ms  "
                f"p95 {r['p95_ms']:7.1f} ms  {r['sent_per_s']:6.1f} sentences/s  "
                f"failed {r['failed']}",
                flush=True,
            )
    on = {r["clients"]: r for r in results["on"]}
    off = {r["clients"]: r for r in results["off"]}
    top, one = max(clients), min(clients)
    scale = on[top]["sent_per_s"] / on[one]["sent_per_s"]
    vs_offline = on[top]["sent_per_s"] / base
    vs_off = on[top]["sent_per_s"] / off[top]["sent_per_s"]
    failed = sum(r["failed"] for rs in results.values() for r in rs)
    print(
        f"\nat {top} clients with batching: {scale:.2f}x one client (target >= 3), "
        f"{vs_offline:.2f}x the offline pipeline (target >= 0.8), "
        f"{vs_off:.2f}x batching off; failed requests: {failed} (target 0)"
    )


if __name__ == "__main__":
    main()
