"""`mt batch translate` with the local engine: shards, resume after a crash, user errors.

The tiny Marian model (tests/translate/fixtures.py) translates for real; Ray is never needed.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from mt.batch.manifest import LOCK, MANIFEST, Manifest
from tests.translate.fixtures import FakeEngine

TEXTS = [
    "The Ministry of Foreign Affairs welcomes the agreement signed in Baku.",
    "The parties discussed energy cooperation.\n\nThe next meeting will take place in Geneva.",
    "Statement\nBaku, 12 March 2024\n\nThe talks went well. Both sides agreed to continue.",
    "",
]


def write_jsonl(path: Path, start: int, n: int, *, doc: bool = True) -> list[str]:
    ids = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            row = {"id": f"r{i}", "text": f"{TEXTS[i % len(TEXTS)]} {i}".strip()}
            if i % 9 == 0:
                row["text"] = ""
            if doc:
                row["doc"] = f"doc-{i // 10}"
            fh.write(json.dumps(row) + "\n")
            ids.append(f"r{i}")
    return ids


def read_out(out: Path) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for path in sorted(out.glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    for path in sorted(out.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return rows


@pytest.fixture
def corpus(tmp_path) -> tuple[Path, list[str]]:
    """A folder of two JSONL files (the second without doc), 300 rows in all."""
    folder = tmp_path / "in"
    (folder / "part").mkdir(parents=True)
    ids = write_jsonl(folder / "a.jsonl", 0, 180)
    ids += write_jsonl(folder / "part" / "b.jsonl", 180, 120, doc=False)
    return folder, ids


def args(source, out, model, *extra) -> list:
    return ["batch", "translate", source, "--src", "en", "--tgt", "ru", "--model", model,
            "--out", out, "--no-glossary", "--beam", "1", *extra]  # fmt: skip


def test_translates_every_row_into_shards(run_mt, corpus, tmp_path, tiny_marian_en_ru):
    source, ids = corpus
    out = tmp_path / "out"
    code, stdout, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "40"))
    assert code == 0, err
    assert stdout == ""
    rows = read_out(out)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert len(list(out.glob("*.parquet"))) == 5 + 3  # 180 rows / 40, 120 rows / 40
    first = next(r for r in rows if r["id"] == "r1")
    assert first["doc"] == "doc-0" and first["source"].startswith("The parties discussed")
    assert first["translation"].count("\n\n") == 1  # the paragraph break is kept
    assert first["src_lang"] == "en" and first["tgt_lang"] == "ru"
    assert first["model"] == str(tiny_marian_en_ru.resolve())
    assert first["worker"].endswith(f":{os.getpid()}") and first["seconds"] > 0
    assert first["shard"] == "a.jsonl#0"
    assert next(r for r in rows if r["id"] == "r200")["doc"] is None
    assert all(r["translation"] == "" for r in rows if r["source"] == "")
    assert all(r["translation"] for r in rows if r["source"])
    manifest = json.loads((out / MANIFEST).read_text())
    assert len(manifest["shards"]) == 8 and manifest["job"]["shard_rows"] == 40
    assert "rows/s" in err and "ETA" in err  # plain progress lines: stderr is not a terminal
    assert "translated 300 rows in 8 shards" in err.splitlines()[-1]

    # A rerun finds everything done and translates nothing.
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "40"))
    assert code == 0 and "translated 0 rows in 0 shards (300 rows in 8 shards done before)" in err


def test_parquet_in_jsonl_out(run_mt, tmp_path, tiny_marian_en_ru):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    texts = [TEXTS[i % 3] for i in range(50)]
    pq.write_table(pa.table({"id": list(range(50)), "text": texts}), source, row_group_size=7)
    out = tmp_path / "out"
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "20",
                                "--format", "jsonl", "-q"))  # fmt: skip
    assert code == 0 and err == ""
    rows = read_out(out)
    assert sorted(int(r["id"]) for r in rows) == list(range(50))
    assert all(r["source"] == texts[int(r["id"])] for r in rows)
    assert len(list(out.glob("*.jsonl"))) == 3


def test_resume_after_a_crash_gives_every_id_once(run_mt, corpus, tmp_path, tiny_marian_en_ru,
                                                  monkeypatch):  # fmt: skip
    """Killed between renaming shard 4 into place and recording it: the worst moment."""
    source, ids = corpus
    out = tmp_path / "out"
    real_record, calls = Manifest.record, []

    def crash_after_three(self, key, entry):
        calls.append(key)
        if len(calls) == 4:
            raise KeyboardInterrupt  # shard 4 is on disk, the manifest does not know it
        real_record(self, key, entry)

    monkeypatch.setattr(Manifest, "record", crash_after_three)
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "30"))
    assert code == 130, err
    assert len(list(out.glob("*.parquet"))) == 4
    assert len(json.loads((out / MANIFEST).read_text())["shards"]) == 3
    monkeypatch.setattr(Manifest, "record", real_record)

    from mt.batch.worker import ShardWorker

    translated: list[str] = []
    real_translate = ShardWorker.translate

    def counting(self, shard):
        translated.append(shard.key)
        return real_translate(self, shard)

    monkeypatch.setattr(ShardWorker, "translate", counting)
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "30"))
    assert code == 0, err
    assert len(translated) == 10 - 3  # the recorded shards are not translated again
    assert "redid 1 unrecorded shard file" in err
    counts = Counter(r["id"] for r in read_out(out))
    assert counts == Counter(ids)  # every id exactly once
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_two_worker_processes(run_mt, corpus, tmp_path, tiny_marian_en_ru):
    source, ids = corpus
    out = tmp_path / "out"
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "50",
                                "--workers", "2"))  # fmt: skip
    assert code == 0, err
    rows = read_out(out)
    assert Counter(r["id"] for r in rows) == Counter(ids)
    assert len({r["worker"] for r in rows}) == 2  # both processes translated shards


def test_duplicate_ids_are_one_line(run_mt, corpus, tmp_path, tiny_marian_en_ru):
    source, _ = corpus
    with open(source / "part" / "b.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "r7", "text": "Again."}) + "\n")
    code, _, err = run_mt(*args(source, tmp_path / "out", tiny_marian_en_ru))
    assert code == 2
    assert err == (f"mt: error: {(source / 'part' / 'b.jsonl').resolve()}:121: "
                   "duplicate id 'r7' (first at a.jsonl:8)\n")  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_engine_ray_without_ray(run_mt, corpus, tmp_path, tiny_marian_en_ru, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    source, _ = corpus
    code, _, err = run_mt(*args(source, tmp_path / "out", tiny_marian_en_ru, "--engine", "ray"))
    assert code == 2
    assert err == 'mt: error: --engine ray needs Ray: pip install -e ".[ray]"\n'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"text": "no id"}', "every row needs an id"),
        ('{"id": 3}', "every row needs a text"),
        ('["id", "text"]', "expected a JSON object"),
    ],
)
def test_bad_rows_name_file_and_line(run_mt, tmp_path, tiny_marian_en_ru, line, message):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Fine."}\n\n' + line + "\n", encoding="utf-8")
    code, _, err = run_mt(*args(source, tmp_path / "out", tiny_marian_en_ru))
    assert code == 2 and err.startswith(f"mt: error: {source.resolve()}:3: {message}")
    assert err.count("\n") == 1


def test_out_folder_of_another_job_or_in_use(run_mt, corpus, tmp_path, tiny_marian_en_ru):
    source, _ = corpus
    out = tmp_path / "out"
    assert run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "100", "-q"))[0] == 0
    code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "50"))
    assert code == 2 and "holds another job (shard_rows 100 → 50)" in err
    fd = os.open(out / LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, _, err = run_mt(*args(source, out, tiny_marian_en_ru, "--shard-rows", "100"))
        assert code == 2 and "another mt batch job is writing to this folder" in err
    finally:
        os.close(fd)
    code, _, err = run_mt(*args(source, source / "out", tiny_marian_en_ru))
    assert code == 2 and "--out must be a folder outside the input" in err


def test_documents_translate_as_translate_text_would(fake_engine):
    """Translating a shard's documents together gives each one what translate_text gives."""
    from mt.batch.worker import translate_documents
    from mt.translate.pipeline import Translator

    engine: FakeEngine = fake_engine("en", "ru", lambda s: s.upper())
    tr = Translator.from_engines([engine], glossary=False, tm=False)
    docs = TEXTS + ["Same sentence. Same sentence.\n  - a list item\n  - another one\n"]
    together = translate_documents(tr, docs)
    assert len(engine.calls) == 1  # one engine call for the whole shard, not one per document
    alone = [tr.translate_text(d).text if d.strip() else "" for d in docs]
    assert together == alone
    assert together[1] == TEXTS[1].upper()


class FakeRay:
    def __init__(self, resources: dict[str, float]):
        self.resources = resources

    def cluster_resources(self) -> dict[str, float]:
        return self.resources


@pytest.mark.parametrize(
    ("resources", "device", "workers", "expected"),
    [
        ({"CPU": 64, "GPU": 4}, "auto", None, (4, "cuda", None, {"num_gpus": 1, "num_cpus": 1})),
        ({"CPU": 64, "GPU": 4}, "cpu", None, (16, "cpu", 4, {"num_cpus": 4.0})),
        ({"CPU": 16}, "auto", 3, (3, "cpu", 5, {"num_cpus": 16 / 3})),
        ({"CPU": 2}, "auto", 4, (4, "cpu", 1, {"num_cpus": 0.5})),
    ],
)
def test_actor_pool_sizing(resources, device, workers, expected):
    """One actor per GPU; on CPU, actors share the cores and each takes its share's threads."""
    from mt.batch.ray_engine import _pool
    from mt.batch.worker import JobConfig

    config, n, per_actor = _pool(FakeRay(resources), JobConfig("en", "ru", device=device), workers)
    assert (n, config.device, config.threads, per_actor) == expected


def test_cuda_on_a_cluster_without_gpus():
    from mt.batch.ray_engine import _pool
    from mt.batch.worker import JobConfig
    from mt.errors import UserError

    with pytest.raises(UserError, match="no GPU"):
        _pool(FakeRay({"CPU": 8}), JobConfig("en", "ru", device="cuda"), None)


def test_an_unreachable_cluster_is_one_line_in_seconds():
    import socket

    from mt.batch.ray_engine import _check_reachable
    from mt.errors import EnvironmentFault

    with socket.socket() as sock:  # a port nobody listens on once this one is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(EnvironmentFault, match=f"cannot join the Ray cluster at 127.0.0.1:{port}"):
        _check_reachable(f"127.0.0.1:{port}")
    with pytest.raises(EnvironmentFault, match="last started on this machine .*ray stop"):
        _check_reachable(f"127.0.0.1:{port}", recorded=True)  # a stale `ray start` record
    _check_reachable("auto")  # Ray resolves these itself
    _check_reachable("ray://head:10001")
