"""`mt batch translate --engine ray`: a local Ray cluster, a job killed midway, a rerun.

Slow (a Ray cluster starts in a few seconds per run) and skipped without Ray.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from mt.batch.manifest import MANIFEST

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[ray]')")

SENTENCES = [
    "The Ministry of Foreign Affairs welcomes the agreement signed in Baku.",
    "The parties discussed energy cooperation and the transport corridor.",
    "The next meeting will take place in Geneva in the spring.",
    "Both sides agreed to continue consultations at the level of deputy ministers.",
]


def make_input(path: Path, n: int) -> list[str]:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(SENTENCES[(i + k) % 4] for k in range(3)) + f" Row {i}."
            fh.write(json.dumps({"id": f"row-{i}", "text": text, "doc": f"d{i % 17}"}) + "\n")
    return [f"row-{i}" for i in range(n)]


def done_shards(out: Path) -> int:
    try:
        return len(json.loads((out / MANIFEST).read_text())["shards"])
    except (OSError, ValueError):
        return 0


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Ray's raylet, GCS, workers started by the job)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL the job and everything it started, by process id (all of them ours)."""
    tree = [pid, *descendants(pid)]
    for p in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def read_ids(out: Path) -> Counter:
    import pyarrow.parquet as pq

    ids: Counter = Counter()
    for path in out.glob("*.parquet"):
        ids.update(pq.read_table(path, columns=["id"]).column("id").to_pylist())
    return ids


def test_ray_job_killed_midway_resumes_with_every_id_once(tmp_path, tiny_marian_en_ru):
    source = tmp_path / "in.jsonl"
    ids = make_input(source, 2000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mt", "batch", "translate", str(source), "--src", "en",
               "--tgt", "ru", "--model", str(tiny_marian_en_ru), "--out", str(out),
               "--engine", "ray", "--workers", "2", "--shard-rows", "25",
               "--no-glossary"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["OMP_NUM_THREADS"] = "1"
    log = open(tmp_path / "first.log", "w")  # noqa: SIM115 (closed below)
    job = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while done_shards(out) < 4 and job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.poll() is None, "the job ended before it could be killed"
        kill_tree(job.pid)
    finally:
        if job.poll() is None:
            kill_tree(job.pid)
        job.wait(timeout=30)
        log.close()
    first = done_shards(out)
    assert 4 <= first < 80, (tmp_path / "first.log").read_text()

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({first * 25} rows in {first} shards done before)" in rerun.stderr
    # our progress lines and summary only (how many depends on speed); Ray's go to _ray.log
    lines = rerun.stderr.splitlines()
    assert lines and all(line.startswith("mt batch: ") for line in lines), rerun.stderr
    assert read_ids(out) == Counter(ids)  # every id exactly once
    assert done_shards(out) == 80
    assert (out / "_ray.log").is_file()


# ---------------------------------------------------------------------------- in process


@pytest.fixture(scope="module")
def cluster():
    """A local Ray cluster in this process (after the subprocess test, which starts its own)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_actor_pool_in_a_running_cluster(cluster, tmp_path, tiny_marian_en_ru):
    from mt.batch import JobConfig, run_batch

    source = tmp_path / "in.jsonl"
    ids = make_input(source, 200)
    config = JobConfig("en", "ru", str(tiny_marian_en_ru), glossary=False, beam=1)
    summary = run_batch(source, tmp_path / "out", config, shard_rows=20, engine="ray",
                        workers=2, progress=False)  # fmt: skip
    assert (summary.rows, summary.shards) == (200, 10)
    assert read_ids(tmp_path / "out") == Counter(ids)
    assert ray.is_initialized()  # a cluster the job did not start is left running


def test_an_actor_error_comes_back_as_one_user_error(cluster, tmp_path, tiny_marian_en_ru):
    from mt.batch.ray_engine import run_ray
    from mt.batch.shards import plan
    from mt.batch.worker import JobConfig
    from mt.errors import UserError

    source = tmp_path / "in.jsonl"
    make_input(source, 10)
    missing = str(tmp_path / "missing.tsv")  # read by each actor as it loads its engine
    config = JobConfig("en", "ru", str(tiny_marian_en_ru), glossary=missing)
    with pytest.raises(UserError) as caught:
        list(run_ray(plan(source, 5).shards, config, 1))
    assert str(caught.value) == f"{missing}: no such file"
