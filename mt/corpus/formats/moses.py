"""Moses plain-text pairs: ``PATH.<src>`` and ``PATH.<tgt>``, line *n* of one translating
line *n* of the other. The format has no room for provenance, so only the text travels.

Reading rules (the format cannot say "no translation", so a pair with an empty side is
not a pair):

* different line counts: a :class:`UserError` naming both files and both counts, raised
  before any pair is yielded (the files are counted first; memory stays constant);
* an empty line on both sides: skipped, counted under ``SKIPPED_BLANK``;
* an empty line on one side only: skipped, counted under ``SKIPPED_EMPTY`` (a one-sided
  line is a 1-0 bead, which a pair corpus does not hold).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from mt.corpus.formats._common import (
    SKIPPED_BLANK,
    SKIPPED_EMPTY,
    WRITERS,
    atomic_paths,
    bump,
    check_record_langs,
    count_lines,
    iter_lines,
    one_line,
    open_text_out,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError
from mt.lang import check_lang

_BATCH = 4096


def moses_paths(path: str | Path, src_lang: str, tgt_lang: str) -> tuple[Path, Path]:
    """``PATH.<src>``, ``PATH.<tgt>``: the convention of Moses, OPUS and fairseq."""
    p = Path(path)
    return p.with_name(f"{p.name}.{src_lang}"), p.with_name(f"{p.name}.{tgt_lang}")


@WRITERS.register("moses")
def write_moses(
    records: Iterable[PairRecord], path: str | Path, src_lang: str, tgt_lang: str
) -> int:
    """Write ``PATH.<src>`` and ``PATH.<tgt>``; both appear together or neither does.

    Line breaks inside a segment become spaces (one segment must stay one line).
    Returns the number of pairs written.
    """
    src_path, tgt_path = moses_paths(path, src_lang, tgt_lang)
    with (
        atomic_paths(src_path, tgt_path) as (src_tmp, tgt_tmp),
        open_text_out(src_tmp) as src_fh,
        open_text_out(tgt_tmp) as tgt_fh,
    ):
        count = _write_lines(records, src_fh, tgt_fh, src_lang, tgt_lang)
    return count


def _write_lines(records: Iterable[PairRecord], src_fh, tgt_fh, src: str, tgt: str) -> int:
    """Batches of joined lines: one ``write`` per few thousand pairs keeps this C-bound."""
    count = 0
    src_buf: list[str] = []
    tgt_buf: list[str] = []
    for rec in records:
        if rec.src_lang != src or rec.tgt_lang != tgt:
            check_record_langs(rec.src_lang, rec.tgt_lang, src, tgt)
        src_buf.append(one_line(rec.src))
        tgt_buf.append(one_line(rec.tgt))
        if len(src_buf) >= _BATCH:
            count += _flush(src_buf, tgt_buf, src_fh, tgt_fh)
    return count + _flush(src_buf, tgt_buf, src_fh, tgt_fh)


def _flush(src_buf: list[str], tgt_buf: list[str], src_fh, tgt_fh) -> int:
    n = len(src_buf)
    if n:
        src_buf.append("")
        tgt_buf.append("")
        src_fh.write("\n".join(src_buf))
        tgt_fh.write("\n".join(tgt_buf))
        src_buf.clear()
        tgt_buf.clear()
    return n


def read_moses(
    src_path: str | Path, tgt_path: str | Path, src_lang: str, tgt_lang: str,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """Check the two files (line counts first), then stream their pairs."""
    src, tgt = check_lang(src_lang), check_lang(tgt_lang)
    if src == tgt:
        raise UserError(f"source and target language are both {src}", src_path)
    n_src, n_tgt = count_lines(src_path), count_lines(tgt_path)
    if n_src != n_tgt:
        raise UserError(
            f"Moses files differ in line count: {src_path} has {n_src} lines, "
            f"{tgt_path} has {n_tgt}"
        )
    return _pairs(src_path, tgt_path, src, tgt, stats)


def _pairs(
    src_path: str | Path, tgt_path: str | Path, src: str, tgt: str, stats: Counter | None
) -> Iterator[PairRecord]:
    for (_, left), (_, right) in zip(iter_lines(src_path), iter_lines(tgt_path), strict=True):
        left, right = left.strip(), right.strip()
        if not left or not right:
            bump(stats, SKIPPED_EMPTY if left or right else SKIPPED_BLANK)
            continue
        yield PairRecord(left, right, src, tgt)
