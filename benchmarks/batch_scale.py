"""Batch translation scaling: 1 vs N workers, local engine and (when installed) Ray.

Each configuration is a fresh ``mt batch translate`` process on the same JSONL input, timed
from start to exit (imports, model loads, a local Ray cluster and the last shard included).
The manifest then tells how long each worker was busy translating, which separates the
per-worker throughput (what N GPUs would multiply) from the fixed and per-shard overheads
(what they would not). Printed per configuration:

  wall rows/s   rows / wall-clock seconds of the whole command
  busy rows/s   rows / seconds a worker spent translating, per worker (the engine's speed)
  cpu rows/s    rows / CPU seconds of the workers: the speed of one worker on a core of its
                own, which other load on the machine barely changes
  cpu share     CPU seconds / busy seconds: near 100% with --threads 1 when each worker had
                its core; far below, the machine was oversubscribed and wall figures suffer
  overhead s    wall - the busiest worker's busy time: start-up, scheduling, the tail
  start-up s    wall of the same command on a one-row input (imports, model loads, Ray)
  per shard s   (overhead - start-up) / shards per worker: the cost of each shard's trip
  efficiency    wall rows/s of N workers / (N x wall rows/s of 1 worker), same engine

Every worker gets ``--threads`` threads (default 1), so N workers use N cores, like N
actors with one GPU each. Models: ``tiny`` (the tests' Marian, milliseconds per row: shows
overheads at their worst) or ``opus`` (the opus-mt-en-ru shape with random weights, built as
in translate_throughput.py; a random model rarely stops, so its output runs to the length
cap; ``--beam 1`` keeps that affordable on a small machine).

Usage: python benchmarks/batch_scale.py [--model tiny|opus] [--rows 2000] [--shard-rows 100]
       [--workers 1,2] [--engines local,ray] [--threads 1] [--beam 4] [--repeat 1]
       [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(kind: str, workdir: Path) -> Path:
    """The model directory, converted for CTranslate2 before any timing."""
    if kind == "opus":
        from benchmarks.translate_throughput import build_model

        model = build_model(workdir)
    else:
        from tests.translate import tiny

        model = workdir / "tiny-opus-mt-en-ru"
        if not (model / "config.json").is_file():
            tiny.build_marian(model, "en", "ru")
    from mt.translate.engine import load_engine

    load_engine(model, "en", "ru", device="cpu")  # converts once (needs torch; workers do not)
    return model


def make_input(path: Path, rows: int, seed: int = 0) -> None:
    """Rows of one to three statement-like sentences (unique, so nothing is deduplicated)."""
    from benchmarks.translate_throughput import make_sentences

    sentences = make_sentences(rows * 2, seed=seed)
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            k = rng.choice((1, 1, 2, 3))
            text = " ".join(sentences[(i * 3 + j) % len(sentences)] for j in range(k))
            fh.write(json.dumps({"id": i, "text": text, "doc": f"d{i // 50}"}) + "\n")


def run(args: argparse.Namespace, model: Path, source: Path, engine: str, workers: int) -> dict:
    out = args.workdir / f"out-{engine}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "mt", "batch", "translate", str(source), "--src", "en",
           "--tgt", "ru", "--model", str(model), "--out", str(out), "--engine", engine,
           "--workers", str(workers), "--threads", str(args.threads), "--shard-rows",
           str(args.shard_rows), "--beam", str(args.beam), "--no-glossary", "-q"]  # fmt: skip
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS=str(args.threads))
    env.pop("RAY_ADDRESS", None)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=3600)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{engine} x{workers} failed:\n{proc.stderr[-3000:]}")
    shards = json.loads((out / "_manifest.json").read_text())["shards"].values()
    busy: dict[str, float] = defaultdict(float)
    rows, cpu = 0, 0.0
    for entry in shards:
        busy[entry["worker"]] += entry["seconds"]
        cpu += entry.get("cpu_seconds", 0.0)
        rows += entry["rows"]
    return {"engine": engine, "workers": workers, "rows": rows, "wall": wall,
            "busy": dict(busy), "cpu": cpu, "shards": len(shards)}  # fmt: skip


def startup(args: argparse.Namespace, model: Path, engine: str, workers: int) -> float:
    """Wall seconds of the same command on one row: imports, model loads, Ray's start."""
    one = args.workdir / "one-row.jsonl"
    one.write_text(json.dumps({"id": 0, "text": "The talks went well."}) + "\n", encoding="utf-8")
    return min(run(args, model, one, engine, workers)["wall"] for _ in range(args.repeat))


def commit_cost(shard_rows: int, recorded: int, workdir: Path) -> float:
    """Seconds the driver spends per shard (Parquet file + manifest rewrite, both renamed
    into place) when ``recorded`` shards are already in the manifest."""
    from mt.batch.job import commit
    from mt.batch.manifest import Manifest
    from mt.batch.shards import Shard
    from mt.batch.worker import JobConfig, ShardResult

    out = workdir / f"commit-{recorded}"
    shutil.rmtree(out, ignore_errors=True)
    config = JobConfig("en", "ru")
    text = "The Ministry of Foreign Affairs welcomes the agreement signed in Baku. " * 2
    with Manifest.open(out, {"job": "bench"}) as manifest:
        entry = {"file": "x", "rows": shard_rows, "bytes": 1, "worker": "host:1", "seconds": 1.0}
        manifest.done = {f"in.jsonl#{n}": dict(entry) for n in range(recorded)}
        times = []
        for n in range(recorded, recorded + 20):
            shard = Shard(f"in.jsonl#{n}", "in.jsonl", "jsonl", n, 0, shard_rows)
            ids = [f"{n}-{i}" for i in range(shard_rows)]
            texts = [text] * shard_rows
            result = ShardResult(shard.key, ids, [None] * shard_rows, texts, texts,
                                 [0.01] * shard_rows, "host:1", "m")  # fmt: skip
            t0 = time.perf_counter()
            commit(manifest, shard, result, config, "parquet")
            times.append(time.perf_counter() - t0)
    shutil.rmtree(out, ignore_errors=True)
    return sorted(times)[len(times) // 2]


class Echo:
    """A Ray Data UDF that does nothing: what is left is Ray's own cost per shard."""

    def __call__(self, batch):
        return batch


def ray_round_trip(workers: int, shards: int, workdir: Path) -> tuple[float, float]:
    """(seconds to the first result, seconds per shard after it) for a pool of no-op actors
    over one-row blocks, as mt batch hands shards out: Ray's scheduling and transfer cost."""
    import logging

    import ray

    from mt.batch.ray_engine import _from_items, ray_logs

    with ray_logs(workdir / "round-trip-ray.log"):
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR)  # fmt: skip
        try:
            ray.data.DataContext.get_current().enable_progress_bars = False
            items = [{"key": f"input.jsonl#{n}", "start": n * 1000, "rows": 1000}
                     for n in range(shards)]  # fmt: skip
            t0 = time.perf_counter()
            dataset = _from_items(ray, items).map_batches(
                Echo, batch_size=1, batch_format="pyarrow", num_cpus=1,
                compute=ray.data.ActorPoolStrategy(size=workers),
            )  # fmt: skip
            first, seen = None, 0
            for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
                seen += batch.num_rows
                first = first or time.perf_counter()
            end = time.perf_counter()
        finally:
            ray.shutdown()
    assert seen == shards and first is not None
    return first - t0, (end - first) / max(1, shards - 1)


def best_of(args: argparse.Namespace, model: Path, source: Path, engine: str,
            workers: int) -> dict:  # fmt: skip
    """The fastest of ``--repeat`` runs: the one least disturbed by other processes."""
    runs = [run(args, model, source, engine, workers) for _ in range(args.repeat)]
    return min(runs, key=lambda r: r["wall"])


def report(results: list[dict]) -> None:
    print(f"{'engine':<7}{'workers':>8}{'wall s':>8}{'wall rows/s':>12}{'busy rows/s/w':>14}"
          f"{'cpu rows/s/w':>13}{'cpu share':>10}{'overhead s':>11}{'start-up s':>11}"
          f"{'per shard s':>12}{'efficiency':>11}")  # fmt: skip
    base: dict[str, float] = {}
    for r in results:
        rate = r["rows"] / r["wall"]
        busy = r["rows"] / sum(r["busy"].values())  # per worker: rows over total busy time
        cpu = r["rows"] / r["cpu"] if r["cpu"] else float("nan")
        share = r["cpu"] / sum(r["busy"].values())
        overhead = r["wall"] - max(r["busy"].values())
        # What is left once start-up is paid, spread over the shards each worker ran.
        per_shard = (overhead - r["startup"]) / (r["shards"] / r["workers"])
        if r["workers"] == 1:
            base[r["engine"]] = rate
        eff = rate / (r["workers"] * base[r["engine"]]) if r["engine"] in base else float("nan")
        print(f"{r['engine']:<7}{r['workers']:>8}{r['wall']:>8.1f}{rate:>12.1f}{busy:>14.1f}"
              f"{cpu:>13.1f}{share:>10.0%}{overhead:>11.1f}{r['startup']:>11.1f}"
              f"{per_shard:>12.3f}{eff:>11.0%}")  # fmt: skip
        r.update(rate=rate, busy_rate=busy, cpu_rate=cpu, cpu_share=share, overhead=overhead,
                 per_shard=per_shard, efficiency=eff)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=("tiny", "opus"), default="tiny")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--shard-rows", type=int, default=100)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1, help="runs each; the fastest counts")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    engines = args.engines.split(",")
    if "ray" in engines:
        try:
            import ray  # noqa: F401
        except ImportError:
            print("Ray is not installed: local engine only", file=sys.stderr)
            engines.remove("ray")
    with tempfile.TemporaryDirectory(prefix="mt-batch-bench-") as tmp:
        args.workdir = args.workdir or Path(tmp)
        args.workdir.mkdir(parents=True, exist_ok=True)
        model = build(args.model, args.workdir)
        load = os.getloadavg()
        source = args.workdir / "input.jsonl"
        make_input(source, args.rows)
        print(f"model {args.model}, {args.rows} rows, shards of {args.shard_rows}, "
              f"{args.threads} thread(s) per worker, beam {args.beam}, "
              f"{os.cpu_count()} CPUs")  # fmt: skip
        results = []
        for engine in engines:
            for w in map(int, args.workers.split(",")):
                result = best_of(args, model, source, engine, w)
                result["startup"] = startup(args, model, engine, w)
                results.append(result)
        report(results)
        if "ray" in engines:
            for w in map(int, args.workers.split(",")):
                start, each = ray_round_trip(w, 400, args.workdir)
                print(f"Ray round trip, {w} no-op actor(s), 400 shards: first result after "
                      f"{start:.1f} s, then {each * 1000:.1f} ms per shard for the pool "
                      f"({each * w * 1000:.1f} ms per shard per actor)")  # fmt: skip
        for recorded in (100, 10_000):
            cost = commit_cost(args.shard_rows, recorded, args.workdir)
            print(f"driver commit per shard of {args.shard_rows} rows with {recorded:,} shards "
                  f"recorded: {cost * 1000:.1f} ms")  # fmt: skip
        print(f"load average before/after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs (a shared machine distorts every figure)")  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
