"""The bead file format (vecalign style): one bead per line, ``[i,j]:[k]`` with an optional score.

Why a strict reader: gold alignments are hand-made and aligners from other tools are imported,
so a typo (a skipped index, two beads claiming one sentence) must stop the run with the file
and line rather than silently skew an F1 figure or the store.

Grammar of a line (spaces around the tokens are tolerated)::

    bead  := side ":" side [ ":" score ]
    side  := "[" [ int { "," int } ] "]"

Within a side the indexes are consecutive and ascending; one side may be empty, not both.
Across the file the beads are in document order and never overlap. Gaps (a sentence in no
bead) are allowed by :func:`read_beads` because some tools omit unmatched sentences; pass the
document's sentence counts to require full coverage, as gold files have.

*Lenient* mode (``lenient=True``) is for published gold and third-party files that are only
scored, never stored: hand aligners sometimes group non-adjacent sentences (``[5,7]:[6]``) or
cross an earlier bead, and vecalign's scorer accepts that. There the indexes of a side are
kept as written, order and overlap are not checked, and ``[]:[]`` lines are skipped; the
syntax itself (brackets, integers, the optional score) is still enforced.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from mt.corpus.align.base import Bead
from mt.errors import UserError
from mt.textio import read_lines

_SIDE = r"\[\s*((?:\d+\s*(?:,\s*\d+\s*)*)?)\]"
_BEAD_RE = re.compile(rf"^\s*{_SIDE}\s*:\s*{_SIDE}\s*(?::\s*(\S+)\s*)?$")
_NEGATIVE_RE = re.compile(r"[\[,]\s*-\s*\d")


def _parse_side(body: str, which: str, lenient: bool = False) -> tuple[int, ...]:
    """Indexes of one side; they must be consecutive so a bead is one contiguous block."""
    if not body.strip():
        return ()
    ids = tuple(int(x) for x in body.split(","))
    if lenient:
        return ids
    for a, b in zip(ids, ids[1:], strict=False):
        if b != a + 1:
            raise UserError(f"{which} indexes {list(ids)} are not consecutive")
    return ids


def _parse_score(text: str) -> float:
    try:
        score = float(text)
    except ValueError:
        raise UserError(f"bad score {text!r}, expected a number") from None
    if not math.isfinite(score):
        raise UserError(f"bad score {text!r}, expected a finite number")
    return score


def parse_bead(line: str, *, lenient: bool = False) -> Bead:
    """Parse one bead line; a malformed line raises :class:`UserError` (without path/line).

    ``lenient`` accepts non-consecutive indexes within a side (see the module docstring).
    """
    m = _BEAD_RE.match(line)
    if m is None:
        if _NEGATIVE_RE.search(line):
            raise UserError(f"negative sentence index in bead {line.strip()!r}")
        raise UserError(f"malformed bead {line.strip()!r}, expected e.g. '[0,1]:[0]' or '[2]:[]'")
    src = _parse_side(m.group(1), "source", lenient)
    tgt = _parse_side(m.group(2), "target", lenient)
    if not src and not tgt:
        raise UserError("bead with both sides empty")
    score = _parse_score(m.group(3)) if m.group(3) is not None else None
    return Bead(src, tgt, score)


def _fmt_side(ids: Sequence[int]) -> str:
    return "[" + ",".join(str(i) for i in ids) + "]"


def format_bead(bead: Bead, with_score: bool = False) -> str:
    """``[i,j]:[k]`` (plus ``:score`` with 6 decimals when asked and the bead has one)."""
    text = f"{_fmt_side(bead.src)}:{_fmt_side(bead.tgt)}"
    if with_score and bead.score is not None:
        text += f":{bead.score:.6f}"
    return text


def format_beads(beads: Iterable[Bead], with_score: bool = False) -> str:
    """The whole file body, newline-terminated (empty string for no beads)."""
    return "".join(format_bead(b, with_score) + "\n" for b in beads)


def _check_order(bead: Bead, next_src: int, next_tgt: int) -> None:
    """Beads must move forward on both sides: a later bead starting earlier overlaps."""
    if bead.src and bead.src[0] < next_src:
        raise UserError(
            f"source sentence {bead.src[0]} overlaps or precedes an earlier bead "
            f"(next free source index is {next_src})"
        )
    if bead.tgt and bead.tgt[0] < next_tgt:
        raise UserError(
            f"target sentence {bead.tgt[0]} overlaps or precedes an earlier bead "
            f"(next free target index is {next_tgt})"
        )


def _check_gap(bead: Bead, next_src: int, next_tgt: int) -> None:
    if bead.src and bead.src[0] != next_src:
        raise UserError(f"source sentences {next_src}..{bead.src[0] - 1} are in no bead")
    if bead.tgt and bead.tgt[0] != next_tgt:
        raise UserError(f"target sentences {next_tgt}..{bead.tgt[0] - 1} are in no bead")


def check_beads(
    beads: Sequence[Bead],
    n_src: int | None = None,
    n_tgt: int | None = None,
    *,
    path: str | Path | None = None,
    lines: Sequence[int] | None = None,
) -> None:
    """Validate order and non-overlap; with both counts also full, gap-free coverage.

    ``lines`` maps each bead to its line number in ``path`` for the error message.
    """
    cover = n_src is not None and n_tgt is not None
    next_src = next_tgt = 0
    for k, bead in enumerate(beads):
        line = lines[k] if lines is not None else None
        try:
            _check_order(bead, next_src, next_tgt)
            if cover:
                _check_gap(bead, next_src, next_tgt)
                _check_range(bead, n_src, n_tgt)
        except UserError as exc:
            raise UserError(exc.message, path, line) from None
        next_src = bead.src[-1] + 1 if bead.src else next_src
        next_tgt = bead.tgt[-1] + 1 if bead.tgt else next_tgt
    if cover and (next_src != n_src or next_tgt != n_tgt):
        raise UserError(
            f"beads cover {next_src} source and {next_tgt} target sentences, "
            f"the document has {n_src} and {n_tgt}",
            path,
        )


def _check_range(bead: Bead, n_src: int | None, n_tgt: int | None) -> None:
    if n_src is not None and bead.src and bead.src[-1] >= n_src:
        raise UserError(f"source index {bead.src[-1]} beyond the document's {n_src} sentences")
    if n_tgt is not None and bead.tgt and bead.tgt[-1] >= n_tgt:
        raise UserError(f"target index {bead.tgt[-1]} beyond the document's {n_tgt} sentences")


_EMPTY_BEAD_RE = re.compile(r"^\s*\[\s*\]\s*:\s*\[\s*\]\s*(?::.*)?$")


def parse_beads(
    lines: Iterable[str],
    path: str | Path | None = None,
    n_src: int | None = None,
    n_tgt: int | None = None,
    *,
    lenient: bool = False,
) -> list[Bead]:
    """Parse bead lines (blank lines skipped); errors name ``path`` and the 1-based line.

    ``lenient``: non-consecutive, crossing or overlapping beads are accepted and ``[]:[]``
    lines skipped, for gold that is only scored; indexes must still be within the counts.
    """
    beads: list[Bead] = []
    numbers: list[int] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or (lenient and _EMPTY_BEAD_RE.match(line)):
            continue
        try:
            bead = parse_bead(line, lenient=lenient)
            if lenient:
                _check_lenient_range(bead, n_src, n_tgt)
        except UserError as exc:
            raise UserError(exc.message, path, lineno) from None
        beads.append(bead)
        numbers.append(lineno)
    if not lenient:
        check_beads(beads, n_src, n_tgt, path=path, lines=numbers)
    return beads


def _check_lenient_range(bead: Bead, n_src: int | None, n_tgt: int | None) -> None:
    if n_src is not None and any(i >= n_src for i in bead.src):
        raise UserError(f"source index {max(bead.src)} beyond the document's {n_src} sentences")
    if n_tgt is not None and any(j >= n_tgt for j in bead.tgt):
        raise UserError(f"target index {max(bead.tgt)} beyond the document's {n_tgt} sentences")


def read_beads(
    path: str | Path,
    n_src: int | None = None,
    n_tgt: int | None = None,
    *,
    lenient: bool = False,
) -> list[Bead]:
    """Read and validate a bead file (see the module docstring for the rules and ``lenient``)."""
    return parse_beads(read_lines(path), path, n_src, n_tgt, lenient=lenient)
