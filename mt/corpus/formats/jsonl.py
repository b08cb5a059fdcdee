"""JSON Lines: one self-describing object per pair, the texts keyed by language code.

Written object (every key always present, so tools that infer a schema see a stable one)::

    {"en": "...", "ru": "...", "doc": "mfa-2024-06-18", "date": "2024-06-18",
     "origin": {"en": "original", "ru": "human"}, "score": 0.93, "bead": "1-2",
     "method": "galechurch", "ids": {"en": [4], "ru": [4, 5]}}

The reader also accepts the Hugging Face ``{"translation": {"en": ..., "ru": ...}}`` form
and region tags as keys (``en-US``). The pair is taken from the first object (or the
requested languages); an object missing either text is skipped and counted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mt.corpus.formats._common import (
    READERS,
    SKIPPED_BLANK,
    SKIPPED_EMPTY,
    SKIPPED_MISSING,
    WRITERS,
    atomic_paths,
    bump,
    check_origin,
    check_record_langs,
    check_score,
    choose_pair,
    flush_lines,
    iter_lines,
    lang_from_tag,
    open_text_out,
    requested,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError

_BATCH = 2048
# One encoder reused: the C encoder without the per-call setup of json.dumps.
_ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


@WRITERS.register("jsonl")
def write_jsonl(
    records: Iterable[PairRecord], path: str | Path, src_lang: str, tgt_lang: str
) -> int:
    """One object per line (JSON escapes line breaks, so text needs no cleaning)."""
    with atomic_paths(path) as (tmp,), open_text_out(tmp) as fh:
        count = 0
        buf: list[str] = []
        for rec in records:
            buf.append(_ENCODE(_obj(rec, src_lang, tgt_lang)))
            if len(buf) >= _BATCH:
                count += flush_lines(buf, fh)
        count += flush_lines(buf, fh)
    return count


def _obj(rec: PairRecord, src: str, tgt: str) -> dict[str, Any]:
    if rec.src_lang != src or rec.tgt_lang != tgt:
        check_record_langs(rec.src_lang, rec.tgt_lang, src, tgt)
    return {
        src: rec.src, tgt: rec.tgt, "doc": rec.doc_key, "date": rec.date,
        "origin": {src: rec.src_origin, tgt: rec.tgt_origin}, "score": rec.score,
        "bead": rec.bead_type, "method": rec.method,
        "ids": {src: list(rec.src_ids), tgt: list(rec.tgt_ids)},
    }  # fmt: skip


@READERS.register("jsonl")
def read_jsonl(
    path: str | Path, src_lang: str | None = None, tgt_lang: str | None = None,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """Decide the pair from the first object now, then stream the records."""
    src, tgt = requested(src_lang, tgt_lang)
    lines = iter_lines(path)
    for number, line in lines:
        if not line.strip():
            bump(stats, SKIPPED_BLANK)
            continue
        obj = _load(line, path, number)
        pair = choose_pair(list(_texts(obj, path, number)), src, tgt, path, number)
        return _records(_then(number, obj, lines, path), pair, path, stats)
    raise UserError("no JSON objects in file", path)


def _then(number: int, obj: dict, lines: Iterator[tuple[int, str]], path):
    """The already parsed first object, then the rest (parsed lazily; blank -> None)."""
    yield number, obj
    for n, line in lines:
        yield n, (_load(line, path, n) if line.strip() else None)


def _load(line: str, path, number: int) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"bad JSON: {exc.msg} (column {exc.colno})", path, number) from None
    except RecursionError:
        raise UserError("JSON nested too deeply", path, number) from None
    if not isinstance(obj, dict):
        raise UserError(f"expected a JSON object, found {type(obj).__name__}", path, number)
    return obj


def _texts(obj: dict, path, number: int) -> dict[str, str]:
    """Language code -> text of one object (``translation`` sub-object or top level)."""
    inner = obj.get("translation")
    source = inner if isinstance(inner, dict) else obj
    texts: dict[str, str] = {}
    for key, value in source.items():
        code = lang_from_tag(key)[0] if len(key) <= 12 else None
        if code is None or code in texts:
            continue
        if not isinstance(value, str):
            raise UserError(f"text for {key!r} is not a string", path, number)
        texts[code] = value
    return texts


def _records(
    items: Iterable[tuple[int, dict | None]], pair: tuple[str, str], path,
    stats: Counter | None,
) -> Iterator[PairRecord]:  # fmt: skip
    src, tgt = pair
    for number, obj in items:
        if obj is None:
            bump(stats, SKIPPED_BLANK)
            continue
        texts = _texts(obj, path, number)
        left, right = texts.get(src), texts.get(tgt)
        if left is None or right is None:
            bump(stats, SKIPPED_MISSING)
        elif not left.strip() or not right.strip():
            bump(stats, SKIPPED_EMPTY)
        else:
            yield _record(obj, left.strip(), right.strip(), pair, path, number)


def _record(obj: dict, left: str, right: str, pair: tuple[str, str], path, number: int):
    src, tgt = pair
    origin = obj.get("origin") if isinstance(obj.get("origin"), dict) else {}
    ids = obj.get("ids") if isinstance(obj.get("ids"), dict) else {}
    return PairRecord(
        left, right, src, tgt, doc_key=_opt_str(obj, "doc", path, number),
        date=_opt_str(obj, "date", path, number),
        src_origin=check_origin(origin.get(src), path, number),
        tgt_origin=check_origin(origin.get(tgt), path, number),
        score=_score(obj.get("score"), path, number),
        method=_opt_str(obj, "method", path, number),
        src_ids=_ids(ids.get(src), path, number), tgt_ids=_ids(ids.get(tgt), path, number),
    )  # fmt: skip


def _opt_str(obj: dict, key: str, path, number: int) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # e.g. a numeric document id from another tool
    raise UserError(f"{key!r} must be a string", path, number)


def _score(value: Any, path, number: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"score {value!r} is not a number", path, number)
    return check_score(float(value), path, number)


def _ids(value: Any, path, number: int) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
    ):
        raise UserError("sentence ids must be a list of non-negative integers", path, number)
    return tuple(value)
