"""Apache Parquet: the columnar form that pandas, polars, DuckDB and Hugging Face datasets load.

Columns (texts named by language code, so a file says which pair it holds; flat origin
columns rather than a struct, because filtering ``origin_ru != "machine"`` is what users
do with them)::

    en  ru  doc  date  score  bead  method  origin_en  origin_ru  ids_en  ids_ru

``ids_*`` are ``list<int32>`` sentence indexes. The languages are also stored in the
schema metadata (``mt.src_lang``/``mt.tgt_lang``). Rows are written in record batches,
so memory is bounded by the batch size, not by the corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from mt import __version__
from mt.corpus.formats._common import (
    READERS,
    SKIPPED_EMPTY,
    WRITERS,
    atomic_paths,
    bump,
    check_input,
    check_origin,
    check_record_langs,
    check_score,
    choose_pair,
    lang_from_tag,
    requested,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError

BATCH_ROWS = 50_000


def _schema(src: str, tgt: str):
    import pyarrow as pa

    ids = pa.list_(pa.int32())
    fields = [(src, pa.string()), (tgt, pa.string()), ("doc", pa.string()),
              ("date", pa.string()), ("score", pa.float64()), ("bead", pa.string()),
              ("method", pa.string()), (f"origin_{src}", pa.string()),
              (f"origin_{tgt}", pa.string()), (f"ids_{src}", ids), (f"ids_{tgt}", ids)]  # fmt: skip
    meta = {"mt.src_lang": src, "mt.tgt_lang": tgt, "mt.version": __version__}
    return pa.schema(fields, metadata=meta)


@WRITERS.register("parquet")
def write_parquet(
    records: Iterable[PairRecord], path: str | Path, src_lang: str, tgt_lang: str,
    batch_rows: int = BATCH_ROWS,
) -> int:  # fmt: skip
    """Write batches of ``batch_rows`` rows (zstd); returns the number of pairs written."""
    import pyarrow.parquet as pq

    schema = _schema(src_lang, tgt_lang)
    count = 0
    with (
        atomic_paths(path) as (tmp,),
        pq.ParquetWriter(tmp, schema, compression="zstd") as writer,
    ):
        for columns in _batches(records, src_lang, tgt_lang, batch_rows):
            writer.write_batch(_to_batch(columns, schema))
            count += len(columns[0])
    return count


def _batches(records: Iterable[PairRecord], src: str, tgt: str, size: int) -> Iterator[list[list]]:
    """Column lists of up to ``size`` rows (one pass over the records, no row objects)."""
    columns: list[list] = [[] for _ in range(11)]
    (c_src, c_tgt, c_doc, c_date, c_score, c_bead, c_method,
     c_osrc, c_otgt, c_isrc, c_itgt) = columns  # fmt: skip
    for rec in records:
        if rec.src_lang != src or rec.tgt_lang != tgt:
            check_record_langs(rec.src_lang, rec.tgt_lang, src, tgt)
        c_src.append(rec.src)
        c_tgt.append(rec.tgt)
        c_doc.append(rec.doc_key)
        c_date.append(rec.date)
        c_score.append(rec.score)
        c_bead.append(rec.bead_type)
        c_method.append(rec.method)
        c_osrc.append(rec.src_origin)
        c_otgt.append(rec.tgt_origin)
        c_isrc.append(rec.src_ids)
        c_itgt.append(rec.tgt_ids)
        if len(c_src) >= size:
            yield columns
            for column in columns:
                column.clear()
    if c_src:
        yield columns


def _to_batch(columns: list[list], schema):
    import pyarrow as pa

    pairs = zip(columns, schema, strict=True)
    arrays = [pa.array(values, type=field.type) for values, field in pairs]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


@READERS.register("parquet")
def read_parquet(
    path: str | Path, src_lang: str | None = None, tgt_lang: str | None = None,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """Open and check the schema now, then stream pairs batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src, tgt = requested(src_lang, tgt_lang)
    p = check_input(path)
    try:
        pf = pq.ParquetFile(p)
    except (pa.ArrowException, OSError) as exc:
        raise UserError(f"not a Parquet file ({exc})", p) from None
    names = pf.schema_arrow.names
    langs = {name: lang_from_tag(name)[0] for name in names if len(name) <= 12}
    found = [code for code in langs.values() if code is not None]
    pair = choose_pair(found, src, tgt, p)
    column_of = {code: name for name, code in reversed(langs.items()) if code is not None}
    return _rows(pf, p, pair, (column_of[pair[0]], column_of[pair[1]]), set(names), stats)


def _rows(pf, p: Path, pair: tuple[str, str], text_cols: tuple[str, str], names: set[str],
          stats: Counter | None) -> Iterator[PairRecord]:  # fmt: skip
    src, tgt = pair
    wanted = [*text_cols, "doc", "date", "score", "method", f"origin_{src}", f"origin_{tgt}",
              f"ids_{src}", f"ids_{tgt}"]  # fmt: skip
    present = [name for name in wanted if name in names]
    row_number = 0
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=present):
        data = batch.to_pydict()
        empty = [None] * batch.num_rows
        cols = [data.get(name, empty) for name in wanted]
        for values in zip(*cols, strict=True):
            row_number += 1
            rec = _record(values, pair, p, row_number)
            if rec is None:
                bump(stats, SKIPPED_EMPTY)
            else:
                yield rec


def _record(values: tuple, pair: tuple[str, str], p: Path, row: int) -> PairRecord | None:
    left, right, doc, date, score, method, o_src, o_tgt, i_src, i_tgt = values
    left, right = (left or "").strip(), (right or "").strip()
    if not left or not right:
        return None
    return PairRecord(
        left, right, pair[0], pair[1], doc_key=doc, date=date, method=method,
        score=None if score is None else check_score(float(score), p, row),
        src_origin=check_origin(o_src, p, row), tgt_origin=check_origin(o_tgt, p, row),
        src_ids=tuple(i_src or ()), tgt_ids=tuple(i_tgt or ()),
    )  # fmt: skip
