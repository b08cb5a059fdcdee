"""Pieces every exchange format shares: atomic multi-file output, streaming line input,
one-line text cleaning, language tags from other tools and the choice of a language pair.

They live here so that the five formats behave the same on the same bad input (one
:class:`~mt.errors.UserError` naming file and line) and write files the same way.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mt.errors import UserError, write_fault
from mt.lang import LANGS, az_cyrillic_to_latin, check_lang
from mt.registry import Registry
from mt.textio import check_input, temp_beside

ORIGINS: tuple[str, ...] = ("original", "human", "machine", "unknown")

#: Writers by format name: ``write(records, path, src_lang, tgt_lang) -> int``.
WRITERS: Registry = Registry("export format")
#: Single-file readers by format name: ``read(path, src, tgt, stats) -> Iterator[PairRecord]``
#: (Moses reads two files: see :mod:`mt.corpus.formats.moses`).
READERS: Registry = Registry("import format")

# Keys that readers add to the caller's ``stats`` Counter for pairs they skip (not errors).
SKIPPED_MISSING = "skipped: a side missing"
SKIPPED_EMPTY = "skipped: a side empty"
SKIPPED_BLANK = "skipped: blank line"
SKIPPED_NO_LANG = "skipped: <tuv> without xml:lang"

# Everything that some tool treats as a line break (str.splitlines splits on all of these),
# plus TAB, which would shift TSV columns. Replaced by one space on output.
_BREAKS = re.compile(r"[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Characters XML 1.0 forbids (lxml refuses them); they carry no text, so they become spaces.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]+")

# ISO 639-2/3 codes that other tools write instead of the two-letter ones.
_LONG_CODES = {"eng": "en", "rus": "ru", "aze": "az", "azj": "az", "azb": "az"}
# BCP 47 subtags we accept after the language: script (Latn, Cyrl) or region (US, 031).
_SUBTAG = re.compile(r"latn|cyrl|[a-z]{2}|[0-9]{3}")


def one_line(text: str) -> str:
    """``text`` without line breaks or tabs, so one segment stays one line / one cell.

    ``isprintable`` is a C-speed check that is true for almost every segment (all the
    characters replaced here are non-printable), so the regex runs only when needed.
    """
    if text.isprintable():
        return text
    return _BREAKS.sub(" ", text)


def xml_safe(text: str) -> str:
    """``text`` without the control characters that XML 1.0 cannot represent."""
    if text.isprintable():
        return text
    return _XML_FORBIDDEN.sub(" ", text)


def lang_from_tag(tag: str | None) -> tuple[str | None, bool]:
    """Map a language tag from any tool (``en-US``, ``ru_RU``, ``az-Latn-AZ``, ``rus``) to
    one of our codes, and say whether the tag declares Cyrillic script (``az-Cyrl``).

    Unsupported languages give ``None`` so callers can ignore them instead of failing.
    Subtags must be a script or region, so a column or key such as ``en_text`` or
    ``ru_origin`` is not mistaken for a language.
    """
    if not tag:
        return None, False
    parts = tag.strip().replace("_", "-").lower().split("-")
    code = _LONG_CODES.get(parts[0], parts[0])
    if code not in LANGS or not all(_SUBTAG.fullmatch(part) for part in parts[1:]):
        return None, False
    return code, "cyrl" in parts[1:]


def text_for(code: str, cyrillic: bool, text: str) -> str:
    """Azerbaijani tagged as Cyrillic becomes Latin script: ``az`` means Latin in ``mt``."""
    return az_cyrillic_to_latin(text) if code == "az" and cyrillic else text


def check_origin(value: str | None, path: str | Path, line: int | None) -> str:
    """Validate an origin read from a file; missing means ``unknown``."""
    if value is None or value == "":
        return "unknown"
    norm = value.strip().lower()
    if norm not in ORIGINS:
        raise UserError(f"unknown origin {value!r} (expected one of {', '.join(ORIGINS)})",
                        path, line)  # fmt: skip
    return norm


def parse_score(value: str | None, path: str | Path, line: int | None) -> float | None:
    """A score column/prop as float (empty means no score)."""
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise UserError(f"score {value!r} is not a number", path, line) from None
    return check_score(number, path, line)


def check_score(value: float, path: str | Path, line: int | None) -> float:
    """Scores must be finite: an infinity or NaN would be exported as invalid JSON."""
    if not math.isfinite(value):
        raise UserError(f"score {value!r} is not a finite number", path, line)
    return value


def format_score(score: float | None) -> str:
    """Shortest text that reads back as the same float (``repr``), empty for no score."""
    return "" if score is None else repr(float(score))


def parse_ids(value: str | None, path: str | Path, line: int | None) -> tuple[int, ...]:
    """Sentence ids written as ``"3 4"`` (TMX/TSV) back to a tuple."""
    if not value or not value.strip():
        return ()
    try:
        return tuple(int(part) for part in value.split())
    except ValueError:
        raise UserError(f"sentence ids {value!r} are not integers", path, line) from None


def format_ids(ids: Sequence[int]) -> str:
    """Sentence ids as ``"3 4"``."""
    return " ".join(map(str, ids))


def requested(src_lang: str | None, tgt_lang: str | None) -> tuple[str | None, str | None]:
    """Validate the languages a caller asked for (either may be left to the file)."""
    src = check_lang(src_lang) if src_lang else None
    tgt = check_lang(tgt_lang) if tgt_lang else None
    if src is not None and src == tgt:
        raise UserError(f"source and target language are both {src}")
    return src, tgt


def choose_pair(
    found: Sequence[str], src: str | None, tgt: str | None, path: str | Path,
    line: int | None = None,
) -> tuple[str, str]:  # fmt: skip
    """Pick (src, tgt) among the languages ``found`` in a file, in the file's order.

    Requested languages win; a missing one is the only other language found. Three
    languages and nothing requested is ambiguous, so the user must say which pair.
    """
    langs = list(dict.fromkeys(found))
    for want in (src, tgt):
        if want is not None and want not in langs:
            raise UserError(f"no {want} text in file (languages found: {_names(langs)})", path,
                            line)  # fmt: skip
    if src is not None and tgt is not None:
        return src, tgt
    rest = [code for code in langs if code not in (src, tgt)]
    need = 2 - (src is not None) - (tgt is not None)
    if len(rest) != need:
        what = "fewer than two languages" if len(rest) < need else "more than two languages"
        raise UserError(f"{what} in file ({_names(langs)}): give the source and target "
                        "languages", path, line)  # fmt: skip
    if src is None and tgt is None:
        return rest[0], rest[1]
    return (src, rest[0]) if src is not None else (rest[0], tgt)  # type: ignore[return-value]


def _names(langs: Sequence[str]) -> str:
    return ", ".join(langs) if langs else "none"


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Stream ``(line_number, text)`` of a UTF-8 file in constant memory.

    The same checks as :func:`mt.textio.read_text` (binary, not UTF-8 with the line, BOM
    dropped), but line by line, because export files can be far larger than memory. Lines
    end at LF, CRLF or a lone CR (Python's universal newlines, as :func:`mt.textio.decode`
    and sacrebleu read them), so a file counts the same lines in import, eval and align.
    """
    p = check_input(path)
    number = 0
    with _open_binary(p) as fh:
        if b"\x00" in fh.read(8192):
            raise UserError("binary file, expected UTF-8 text", p)
        fh.seek(0)
        for raw in fh:
            for piece in _line_pieces(raw):
                number += 1
                try:
                    text = piece.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise UserError(f"not UTF-8 (byte 0x{piece[exc.start]:02x})", p,
                                    number) from None  # fmt: skip
                if number == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                yield number, text


def _line_pieces(raw: bytes) -> list[bytes]:
    """One LF-terminated chunk as its lines: the newline dropped, lone CRs split on."""
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if b"\r" not in body:
        return [body]
    if body.endswith(b"\r"):
        body = body[:-1]
    return body.split(b"\r")


def count_lines(path: str | Path) -> int:
    """Lines as :func:`iter_lines` yields them (a last line without newline counts)."""
    p = check_input(path)
    count = 0
    with _open_binary(p) as fh:
        for raw in fh:
            count += 1 if b"\r" not in raw else len(_line_pieces(raw))
    return count


def _open_binary(p: Path):
    try:
        return open(p, "rb")  # noqa: SIM115 - the callers own the handle
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", p) from None


@contextmanager
def atomic_paths(*targets: str | Path) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``, renamed into place only once all are complete.

    The body writes *and closes* every temporary file, so a late error (disk full while
    flushing) still happens before any rename; on any error every temporary file is
    removed and no target is touched. That is what makes a Moses pair all-or-nothing,
    which nesting two :func:`mt.textio.atomic_write` blocks would not be (the inner file
    is renamed before the outer one is flushed). The renames themselves are same-directory
    ``os.replace`` calls, back to back.
    """
    temps: list[Path] = []
    try:
        for target in map(Path, targets):
            temps.append(_temp_beside(target))
        yield temps
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    except OSError as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise write_fault(exc, targets[0]) from None
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


def _temp_beside(target: Path) -> Path:
    return temp_beside(target)


def flush_lines(buf: list[str], fh) -> int:
    """Write the buffered lines with one ``write`` call (keeps line output C-bound); empty
    the buffer and return how many lines went out."""
    n = len(buf)
    if n:
        buf.append("")
        fh.write("\n".join(buf))
        buf.clear()
    return n


def open_text_out(path: Path):
    """A large-buffered UTF-8 text handle with ``\\n`` newlines (fast line-by-line writes)."""
    return open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115


def bump(stats: Counter | None, key: str) -> None:
    """Count a skipped pair when the caller asked for counts."""
    if stats is not None:
        stats[key] += 1


def check_record_langs(rec_src: str, rec_tgt: str, src: str, tgt: str) -> None:
    """Writers take the pair's languages up front; a record of another pair is a bug."""
    if rec_src != src or rec_tgt != tgt:
        raise ValueError(f"record is {rec_src}-{rec_tgt}, writer is {src}-{tgt}")
