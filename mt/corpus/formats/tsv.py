"""Tab-separated pairs with a header naming the languages, so the file says what it holds.

Written layout (one header line, then one pair per line)::

    en  ru  doc  date  score  bead  origin_en  origin_ru

Tabs and line breaks inside a cell become spaces. The reader takes any header whose first
two columns are language codes (other tools' region tags such as ``en-US`` included; the
other columns are optional and unknown ones are ignored), or a header-less file of two
columns (or of the full layout above) when the caller names the languages. Every line
must have as many columns as the first; a blank line is skipped and counted, as is a pair
with one empty side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from mt.corpus.formats._common import (
    READERS,
    SKIPPED_BLANK,
    SKIPPED_EMPTY,
    WRITERS,
    atomic_paths,
    bump,
    check_origin,
    check_record_langs,
    choose_pair,
    flush_lines,
    format_score,
    iter_lines,
    lang_from_tag,
    one_line,
    open_text_out,
    parse_score,
    requested,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError

_BATCH = 4096
_META = ("doc", "date", "score", "bead")


def header(src_lang: str, tgt_lang: str) -> list[str]:
    """Column names of the written layout."""
    return [src_lang, tgt_lang, *_META, f"origin_{src_lang}", f"origin_{tgt_lang}"]


@WRITERS.register("tsv")
def write_tsv(records: Iterable[PairRecord], path: str | Path, src_lang: str, tgt_lang: str) -> int:
    """Write the header and one line per pair; returns the number of pairs written."""
    with atomic_paths(path) as (tmp,), open_text_out(tmp) as fh:
        fh.write("\t".join(header(src_lang, tgt_lang)) + "\n")
        count = 0
        buf: list[str] = []
        for rec in records:
            buf.append(_row(rec, src_lang, tgt_lang))
            if len(buf) >= _BATCH:
                count += flush_lines(buf, fh)
        count += flush_lines(buf, fh)
    return count


def _row(rec: PairRecord, src: str, tgt: str) -> str:
    if rec.src_lang != src or rec.tgt_lang != tgt:
        check_record_langs(rec.src_lang, rec.tgt_lang, src, tgt)
    doc = "" if rec.doc_key is None else one_line(rec.doc_key)
    date = "" if rec.date is None else one_line(rec.date)
    score = format_score(rec.score)
    return (
        f"{one_line(rec.src)}\t{one_line(rec.tgt)}\t{doc}\t{date}\t{score}\t{rec.bead_type}"
        f"\t{rec.src_origin}\t{rec.tgt_origin}"
    )


@READERS.register("tsv")
def read_tsv(
    path: str | Path, src_lang: str | None = None, tgt_lang: str | None = None,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """Check the first line (header or not) now, then stream the pairs."""
    src, tgt = requested(src_lang, tgt_lang)
    lines = iter_lines(path)
    first = next(lines, None)
    if first is None or not first[1].strip():
        raise UserError("first line is empty, expected a header or a pair", path, 1)
    columns = _columns(first[1].split("\t"), src, tgt, path)
    if columns is None:  # no header: the first line is data
        columns = _positional(len(first[1].split("\t")), src, tgt, path)
        return _rows(_chain(first, lines), columns, path, stats)
    return _rows(lines, columns, path, stats)


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]):
    yield first
    yield from rest


class _Columns:
    """Where each field sits in a row, decided once from the header."""

    def __init__(self, src: str, tgt: str, names: list[str | None], width: int):
        self.src, self.tgt, self.width = src, tgt, width
        index = {name: i for i, name in enumerate(names) if name is not None}
        self.i_src, self.i_tgt = index[src], index[tgt]
        self.i_meta = [index.get(name) for name in _META]
        self.i_origin = (index.get(f"origin_{src}"), index.get(f"origin_{tgt}"))


def _columns(cells: list[str], src: str | None, tgt: str | None, path) -> _Columns | None:
    """A header is a first line whose first two cells are language codes."""
    codes = [lang_from_tag(cell)[0] for cell in cells[:2]]
    if len(cells) < 2 or None in codes or codes[0] == codes[1]:
        return None
    pair = choose_pair(codes, src, tgt, path, 1)  # type: ignore[arg-type]
    names: list[str | None] = list(codes)
    for cell in cells[2:]:
        name = cell.strip().lower()
        names.append(name if name in _META or name.startswith("origin_") else None)
    return _Columns(pair[0], pair[1], names, len(cells))


def _positional(width: int, src: str | None, tgt: str | None, path) -> _Columns:
    """Without a header the caller names the languages; the layout is ours or plain."""
    if src is None or tgt is None:
        raise UserError("TSV has no header naming the languages (e.g. 'en<TAB>ru'): "
                        "give the source and target languages", path, 1)  # fmt: skip
    full = header(src, tgt)
    if width not in (2, len(full)):
        raise UserError(f"expected 2 or {len(full)} tab-separated columns, found {width}",
                        path, 1)  # fmt: skip
    return _Columns(src, tgt, full[:width], width)  # type: ignore[arg-type]


def _rows(
    lines: Iterable[tuple[int, str]], cols: _Columns, path, stats: Counter | None
) -> Iterator[PairRecord]:
    for number, line in lines:
        if not line.strip():
            bump(stats, SKIPPED_BLANK)
            continue
        cells = line.split("\t")
        if len(cells) != cols.width:
            raise UserError(f"expected {cols.width} tab-separated columns, found {len(cells)}",
                            path, number)  # fmt: skip
        rec = _record(cells, cols, path, number)
        if rec is None:
            bump(stats, SKIPPED_EMPTY)
            continue
        yield rec


def _record(cells: list[str], cols: _Columns, path, number: int) -> PairRecord | None:
    src, tgt = cells[cols.i_src].strip(), cells[cols.i_tgt].strip()
    if not src or not tgt:
        return None
    doc, date, score, _bead = (cells[i].strip() if i is not None else "" for i in cols.i_meta)
    o_src, o_tgt = (cells[i] if i is not None else None for i in cols.i_origin)
    return PairRecord(
        src, tgt, cols.src, cols.tgt, doc_key=doc or None, date=date or None,
        src_origin=check_origin(o_src, path, number), tgt_origin=check_origin(o_tgt, path, number),
        score=parse_score(score, path, number),
    )  # fmt: skip
