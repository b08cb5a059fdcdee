"""Input of a batch job: files found, rows checked, and the cut into stable shards.

A shard is rows ``[start, start + rows)`` of one input file; its key (``file#n``) depends only
on the file's path under INPUT, its row count and ``--shard-rows``, so a rerun cuts the same
shards and the manifest can say which are done. Planning reads every id once (a duplicate is
the user's mistake, found before any work) and remembers where each JSONL shard starts, so a
worker can seek straight to its rows.

Rows are ``(id, doc, text)``: ids are kept as strings (``7`` and ``"7"`` are the same id), a
missing ``doc`` is None and a null ``text`` is an empty document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mt.errors import UserError

KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
Row = tuple[str, str | None, str]


@dataclass(frozen=True)
class Shard:
    """One unit of work (and of resumption): ``rows`` rows of ``path`` from row ``start``."""

    key: str  # "<file under INPUT>#<n>": stable across reruns
    path: str  # absolute, so workers in another directory (Ray) find it
    kind: str  # "jsonl" | "parquet"
    index: int
    start: int  # first row, 0-based within the file
    rows: int
    offset: int = 0  # byte offset of the first row (JSONL)
    line: int = 1  # its line number, for error messages (JSONL)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InputFile:
    path: Path
    rel: str  # the path under INPUT (the file name when INPUT is a file)
    kind: str
    rows: int
    size: int


@dataclass
class Plan:
    """Every input file and every shard, in input order."""

    files: list[InputFile]
    shards: list[Shard]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def find_inputs(source: Path) -> list[tuple[Path, str, str]]:
    """(path, name under INPUT, kind) of a file, or of every JSONL/Parquet file in a folder."""
    if not source.exists():
        raise UserError("no such file or directory", source)
    if source.is_file():
        kind = KINDS.get(source.suffix.lower())
        if kind is None:
            raise UserError("expected a .jsonl or .parquet file, or a folder of them", source)
        return [(source.resolve(), source.name, kind)]
    found = [
        (p.resolve(), p.relative_to(source).as_posix(), KINDS[p.suffix.lower()])
        for p in sorted(source.rglob("*"))
        if p.is_file() and p.suffix.lower() in KINDS
        and not any(part.startswith((".", "_")) for part in p.relative_to(source).parts)
    ]  # fmt: skip
    if not found:
        raise UserError("no .jsonl or .parquet files in this folder", source)
    return found


def plan(source: Path, shard_rows: int) -> Plan:
    """Scan the input (ids checked for duplicates across all files) and cut it into shards."""
    if shard_rows < 1:
        raise UserError("--shard-rows must be a positive number")
    seen: dict[str, int] = {}  # id -> where first seen (file number << 40 | line or row)
    inputs = find_inputs(source)
    files, shards = [], []
    for number, (path, rel, kind) in enumerate(inputs):
        starts, rows = [], 0  # (byte offset, line) of each shard's first row
        scan = _scan_jsonl(path) if kind == "jsonl" else _scan_parquet(path)
        for ident, offset, line in scan:
            at = line if kind == "jsonl" else rows + 1
            if (first := seen.get(ident)) is not None:
                here = None if kind == "parquet" else line
                raise UserError(f"duplicate id {ident!r}{_row_of(kind, at)} (first at "
                                f"{_where(inputs, first)})", path, here)  # fmt: skip
            seen[ident] = number << 40 | at
            if rows % shard_rows == 0:
                starts.append((offset, line))
            rows += 1
        files.append(InputFile(path, rel, kind, rows, path.stat().st_size))
        for n, (offset, line) in enumerate(starts):
            start = n * shard_rows
            count = min(shard_rows, rows - start)
            shards.append(Shard(f"{rel}#{n}", str(path), kind, n, start, count, offset, line))
    if not seen:
        raise UserError("no rows to translate", source)
    return Plan(files, shards)


def _row_of(kind: str, at: int) -> str:
    return f" in row {at}" if kind == "parquet" else ""


def _where(inputs: list[tuple[Path, str, str]], first: int) -> str:
    _, rel, kind = inputs[first >> 40]
    at = first & ((1 << 40) - 1)
    return f"{rel} row {at}" if kind == "parquet" else f"{rel}:{at}"


def read_shard(shard: Shard) -> list[Row]:
    """The shard's rows, read from its input file (by a worker, wherever it runs)."""
    if shard.kind == "jsonl":
        return _read_jsonl(shard)
    return _read_parquet(shard)


# ---------------------------------------------------------------------------- JSONL


def _jsonl_lines(path: Path, offset: int = 0, line: int = 1) -> Iterator[tuple[bytes, int, int]]:
    """(content, byte offset, line number) of each non-blank line from ``offset``."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            for raw in fh:
                content = raw.lstrip(b"\xef\xbb\xbf") if offset == 0 and line == 1 else raw
                if content.strip():
                    yield content, offset, line
                offset += len(raw)
                line += 1
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", path) from None


def _parse_row(content: bytes, path: Path | str, line: int) -> Row:
    try:
        obj = json.loads(content)
    except UnicodeDecodeError:
        raise UserError("not UTF-8", path, line) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"invalid JSON: {exc.msg}", path, line) from None
    except RecursionError:
        raise UserError("invalid JSON: nested too deep", path, line) from None
    if not isinstance(obj, dict):
        raise UserError("expected a JSON object with id and text", path, line)
    return _row(obj.get("id"), obj.get("doc"), obj.get("text", _MISSING), path, line)


_MISSING = object()


def _row(ident: Any, doc: Any, text: Any, path: Path | str, line: int | None) -> Row:
    if ident is None or isinstance(ident, bool) or not isinstance(ident, str | int):
        raise UserError("every row needs an id (a string or an integer)", path, line)
    if text is _MISSING:
        raise UserError("every row needs a text", path, line)
    if text is not None and not isinstance(text, str):
        raise UserError("text must be a string", path, line)
    if doc is not None and not isinstance(doc, str | int):
        raise UserError("doc must be a string", path, line)
    return str(ident), None if doc is None else str(doc), text or ""


def _scan_jsonl(path: Path) -> Iterator[tuple[str, int, int]]:
    for content, offset, line in _jsonl_lines(path):
        yield _parse_row(content, path, line)[0], offset, line


def _read_jsonl(shard: Shard) -> list[Row]:
    rows: list[Row] = []
    for content, _, line in _jsonl_lines(Path(shard.path), shard.offset, shard.line):
        if len(rows) == shard.rows:
            break
        rows.append(_parse_row(content, shard.path, line))
    return rows


# ---------------------------------------------------------------------------- Parquet


def _parquet(path: Path | str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        opened = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise UserError(f"not a readable Parquet file ({exc})", path) from None
    missing = {"id", "text"} - set(opened.schema_arrow.names)
    if missing:
        raise UserError(f"Parquet file lacks column(s) {', '.join(sorted(missing))}", path)
    return opened


def _scan_parquet(path: Path) -> Iterator[tuple[str, int, int]]:
    opened = _parquet(path)
    for batch in opened.iter_batches(columns=["id"]):
        for ident in batch.column(0).to_pylist():
            yield _row(ident, None, "", path, None)[0], 0, 0


def _read_parquet(shard: Shard) -> list[Row]:
    opened = _parquet(shard.path)
    columns = [c for c in ("id", "doc", "text") if c in opened.schema_arrow.names]
    groups, first, pos = [], None, 0
    for g in range(opened.metadata.num_row_groups):  # only the row groups the shard spans
        n = opened.metadata.row_group(g).num_rows
        if pos + n > shard.start and pos < shard.start + shard.rows:
            groups.append(g)
            first = pos if first is None else first
        pos += n
    table = opened.read_row_groups(groups, columns=columns)
    table = table.slice(shard.start - (first or 0), shard.rows).to_pydict()
    docs = table.get("doc", [None] * shard.rows)
    return [
        _row(i, d, t, shard.path, None)
        for i, d, t in zip(table["id"], docs, table["text"], strict=True)
    ]
