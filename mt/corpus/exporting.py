"""``mt corpus export``: stored pairs, filtered, written in an exchange format.

The store streams the pairs, the filters (:mod:`mt.corpus.filters`) drop what should not be
exported and count why, and a writer (:data:`mt.corpus.formats.WRITERS`) writes them
atomically. ``out`` may be ``-``: the single-file formats are then written to a temporary
file and copied to ``stream`` (standard output), so a failure never leaves half a file.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from mt.corpus.records import PairRecord
from mt.corpus.store import Store
from mt.errors import UserError

#: Formats that write one file, and so can be written to standard output.
STREAMABLE = ("tmx", "tsv", "jsonl")


def check_export_format(fmt: str, out: str | Path) -> str:
    """A registered writer; ``--out -`` only for the one-file formats."""
    from mt.corpus.formats import WRITERS

    fmt = fmt.lower()
    if fmt not in WRITERS:
        raise UserError(f"--format {fmt!r}: unknown export format "
                        f"(available: {', '.join(WRITERS.names())})")  # fmt: skip
    if str(out) == "-" and fmt not in STREAMABLE:
        raise UserError(f"--out - (standard output) takes a one-file format "
                        f"({', '.join(STREAMABLE)}), not {fmt}")  # fmt: skip
    return fmt


def export_pairs(
    store: Store,
    src: str,
    tgt: str,
    fmt: str,
    out: str | Path,
    filters: list,
    *,
    method: str | None = None,
    split: str | None = None,
    min_score: float | None = None,
    stream: IO[bytes] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[int, Counter]:
    """Write the pairs of ``src``-``tgt`` that pass ``filters`` to ``out`` (``-``: ``stream``).

    Returns the number written and the filters' rejection counts.
    """
    from mt.corpus.filters import apply_filters
    from mt.corpus.formats import WRITERS

    fmt = check_export_format(fmt, out)
    if min_score is not None and not math.isfinite(min_score):
        raise UserError(f"--min-score must be a finite number, not {min_score}")
    if method is not None and method not in store.alignment_methods(src, tgt):
        stored = ", ".join(store.alignment_methods(src, tgt)) or "none"
        raise UserError(f"no {src}-{tgt} alignments made by {method!r} in the store "
                        f"(stored methods: {stored})")  # fmt: skip
    stats: Counter = Counter()
    pairs = store.iter_pairs(src, tgt, method=method, split=split, min_score=min_score)
    records = _counted(apply_filters(pairs, filters, stats), progress)
    writer = WRITERS.get(fmt)
    if str(out) != "-":
        return writer(records, Path(out), src, tgt), stats
    if stream is None:
        raise UserError("--out - needs a stream to write to")
    with tempfile.TemporaryDirectory(prefix="mt-export-") as tmp:
        path = Path(tmp) / f"pairs.{fmt}"
        written = writer(records, path, src, tgt)
        with path.open("rb") as fh:
            shutil.copyfileobj(fh, stream)
        stream.flush()
    return written, stats


def _counted(
    records: Iterable[PairRecord], progress: Callable[[int, int | None], None] | None
) -> Iterator[PairRecord]:
    if progress is None:
        yield from records
        return
    for n, record in enumerate(records, 1):
        yield record
        if n % 500 == 0:
            progress(n, None)
