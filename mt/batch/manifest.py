"""The output folder of a batch job: shard files, and the manifest that says which are complete.

Why a manifest and not "whatever files exist": a job killed between writing a shard and
recording it leaves a file nobody can vouch for. So a shard counts as done only once the
manifest names it (with its size), and both are written by rename, so neither is ever seen
half-written. On start every shard file the manifest does not name, and every leftover
temporary file, is discarded and its shard redone: a rerun never duplicates or loses a row.

A lock (``flock`` on ``_lock``; the kernel drops it when the process dies, even by SIGKILL)
keeps two jobs from writing one folder. ``_manifest.json`` and ``_lock`` start with ``_``,
and temporary files with ``.``, so Parquet/Arrow dataset readers of the folder skip them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mt.errors import UserError, write_fault
from mt.textio import atomic_write, temp_beside

MANIFEST = "_manifest.json"
LOCK = "_lock"
VERSION = 1
FORMATS = ("parquet", "jsonl")
COLUMNS = ("id", "doc", "source", "translation", "model", "src_lang", "tgt_lang",
           "seconds", "worker", "shard")  # fmt: skip
_OURS = re.compile(r"^.+-[0-9a-f]{8}-\d{6}\.(?:parquet|jsonl)$")
_TEMP = re.compile(r"^\..+\.tmp$")


def output_name(key: str, fmt: str) -> str:
    """``<input file>-<hash>-<n>.<fmt>``: readable, and unique even when names collide."""
    rel, n = key.rsplit("#", 1)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace("/", "__"))[:80]
    digest = hashlib.sha1(rel.encode("utf-8")).hexdigest()[:8]
    return f"{safe}-{digest}-{int(n):06d}.{fmt}"


class Manifest:
    """The completed shards of the job in ``out``; open it with :meth:`open`."""

    def __init__(self, out: Path, job: dict[str, Any], done: dict[str, dict[str, Any]], lock: int):
        self.out, self.job, self.done, self._lock = out, job, done, lock
        self.discarded = 0  # shard files found unrecorded (or damaged) and removed on open
        self._encoded: dict[str, str] = {}  # key -> its JSON member, encoded once

    @classmethod
    @contextlib.contextmanager
    def open(cls, out: Path, job: dict[str, Any]) -> Iterator[Manifest]:
        """Lock ``out``, load its manifest (refusing another job's), clean up, yield."""
        if out.exists() and not out.is_dir():
            raise UserError("--out must be a folder", out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            fd = os.open(out / LOCK, os.O_CREAT | os.O_RDWR, 0o666)
        except OSError as exc:
            raise write_fault(exc, out) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError("another mt batch job is writing to this folder", out) from None
            manifest = cls(out, job, _load(out, job), fd)
            manifest._validate()
            manifest._save()
            yield manifest
        finally:
            os.close(fd)

    def record(self, key: str, entry: dict[str, Any]) -> None:
        """Mark a shard complete (its file is already in place)."""
        self.done[key] = entry
        self._encoded.pop(key, None)
        self._save()

    def _save(self) -> None:
        """The whole manifest, by rename. Entries are encoded once and kept, so a job of
        10,000 shards does not re-encode 10,000 entries at every commit."""
        cache = self._encoded
        for key in cache.keys() - self.done.keys():
            del cache[key]
        for key, entry in self.done.items():
            if key not in cache:
                cache[key] = f"{_json(key)}:{_json(entry)}"
        head = f'{{"version":{VERSION},"job":{_json(self.job)},"shards":{{'
        with atomic_write(self.out / MANIFEST) as fh:
            fh.write(head + ",".join(cache.values()) + "}}")

    def _validate(self) -> None:
        for key, entry in list(self.done.items()):
            path = self.out / entry["file"]
            if not path.is_file() or path.stat().st_size != entry["bytes"]:
                del self.done[key]  # lost or damaged since: redo it
        known = {entry["file"] for entry in self.done.values()}
        for path in self.out.iterdir():
            ours = _OURS.match(path.name) and path.name not in known
            if (ours or _TEMP.match(path.name)) and path.is_file():
                path.unlink()
                self.discarded += bool(ours)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load(out: Path, job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    path = out / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version, old, done = data["version"], data["job"], data["shards"]
    except (ValueError, KeyError, TypeError):
        raise UserError("not an mt batch manifest; use another --out", path) from None
    if version != VERSION:
        raise UserError(f"manifest version {version} is not {VERSION}; use another --out", path)
    changed = [k for k in job if old.get(k) != job[k]]
    if changed:
        what = ", ".join("the input files" if k == "inputs" else f"{k} {old.get(k)} → {job[k]}"
                         for k in changed)  # fmt: skip
        raise UserError(f"holds another job ({what}); use another --out or delete it", out)
    return dict(done)


def write_shard(out: Path, name: str, columns: dict[str, list[Any]], fmt: str) -> int:
    """Write one output shard by write-then-rename; its size in bytes."""
    target = out / name
    tmp = temp_beside(target)
    try:
        if fmt == "parquet":
            _write_parquet(tmp, columns)
        else:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for values in zip(*(columns[c] for c in COLUMNS), strict=True):
                    fh.write(json.dumps(dict(zip(COLUMNS, values, strict=True)),
                                        ensure_ascii=False) + "\n")  # fmt: skip
        size = tmp.stat().st_size
        os.replace(tmp, target)
        return size
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise write_fault(exc, target) from None
        raise


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"seconds": pa.float64()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    pq.write_table(pa.table({c: columns[c] for c in COLUMNS}, schema=schema), path)
