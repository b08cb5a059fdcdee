"""Exchange formats for sentence pairs: TMX, Moses, TSV, JSONL and Parquet.

Every writer has the signature ``write(records, path, src_lang, tgt_lang) -> int``: it
consumes an iterable of :class:`~mt.corpus.records.PairRecord` of that pair in one pass,
writes through a temporary file renamed into place (a failure leaves no file and no
temporary file) and returns the number of pairs written. Moses writes ``PATH.<src>`` and
``PATH.<tgt>``; the others write ``PATH``.

Every reader streams :class:`PairRecord` in constant memory. Its up-front checks (file,
header, pair of languages) run when it is called; errors later in the file surface while
iterating. All raise :class:`~mt.errors.UserError` naming the file and, where known, the
line. Pairs that a format can hold but that are not pairs (a side missing or empty) are
skipped and counted in the optional ``stats`` Counter (keys ``SKIPPED_*``). Readers keep
the text as the file has it (apart from TMX whitespace, which is XML layout); NFC and
Azerbaijani normalization are the importer's job, as for statement folders.

Which format a path holds (:func:`detect_sources`): ``.tmx`` (or XML whose root is
``<tmx>``), ``.tsv``, ``.jsonl``, ``.parquet``, and Moses pairs ``X.en`` + ``X.ru`` given
together, a single ``X.en`` whose other side sits beside it, or the prefix ``X`` itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from mt.corpus.formats._common import (
    READERS,
    SKIPPED_BLANK,
    SKIPPED_EMPTY,
    SKIPPED_MISSING,
    WRITERS,
    lang_from_tag,
    requested,
)
from mt.corpus.formats.jsonl import read_jsonl, write_jsonl
from mt.corpus.formats.moses import moses_paths, read_moses, write_moses
from mt.corpus.formats.parquet import read_parquet, write_parquet
from mt.corpus.formats.tmx import read_tmx, write_tmx
from mt.corpus.formats.tsv import read_tsv, write_tsv
from mt.corpus.records import PairRecord
from mt.errors import UserError
from mt.lang import LANGS

Writer = Callable[[Iterable[PairRecord], Path, str, str], int]
FileReader = Callable[..., Iterator[PairRecord]]

# WRITERS and READERS (mt.registry.Registry) are filled by the format modules imported
# above, each registering its functions with a decorator.
FORMATS: tuple[str, ...] = WRITERS.names()
_SUFFIXES = {".tmx": "tmx", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}


def output_paths(fmt: str, path: str | Path, src_lang: str, tgt_lang: str) -> list[Path]:
    """The files a writer creates for ``--out PATH`` (two for Moses)."""
    if fmt == "moses":
        return list(moses_paths(path, src_lang, tgt_lang))
    return [Path(path)]


@dataclass(frozen=True)
class Source:
    """One importable unit: a file, or the two files of a Moses pair."""

    format: str
    paths: tuple[Path, ...]
    langs: tuple[str, str] | None = None  # Moses: the languages named by the extensions

    @property
    def label(self) -> str:
        """A name for messages and for document ids where the format has none."""
        if self.format == "moses":
            return str(self.paths[0].with_suffix(""))
        return str(self.paths[0])

    def read(
        self, src_lang: str | None = None, tgt_lang: str | None = None,
        stats: Counter | None = None,
    ) -> Iterator[PairRecord]:  # fmt: skip
        """Pairs of this source (Moses: in the requested direction)."""
        if self.format != "moses":
            return READERS[self.format](self.paths[0], src_lang, tgt_lang, stats)
        assert self.langs is not None
        (a, b), pa, pb = self.langs, *self.paths
        if (src_lang, tgt_lang) in ((b, a), (b, None), (None, a)):
            a, b, pa, pb = b, a, pb, pa
        elif src_lang not in (a, b, None) or tgt_lang not in (a, b, None):
            raise UserError(f"Moses pair has {a} and {b}, not {src_lang}-{tgt_lang}",
                            self.label)  # fmt: skip
        return read_moses(pa, pb, a, b, stats)


def detect_sources(
    paths: Iterable[str | Path], src_lang: str | None = None, tgt_lang: str | None = None
) -> list[Source]:
    """Group and classify the given files; unknown kinds are one clear error, up front."""
    src, tgt = requested(src_lang, tgt_lang)
    given = [Path(p) for p in paths]
    moses = _moses_groups(given, src, tgt)
    taken = {p for p in given if p.is_file() and _moses_lang(p)}  # all in a Moses group
    sources = [_single(p) for p in given if p not in taken and not _is_moses_prefix(p)]
    return sources + moses


def detect_and_read(
    paths: Iterable[str | Path], src_lang: str | None = None, tgt_lang: str | None = None,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """All pairs of all the given files, formats detected (errors in detection raise now)."""
    src, tgt = requested(src_lang, tgt_lang)
    sources = detect_sources(paths, src, tgt)
    return chain.from_iterable(_lazy(source, src, tgt, stats) for source in sources)


def _lazy(source: Source, src, tgt, stats) -> Iterator[PairRecord]:
    yield from source.read(src, tgt, stats)


def _single(p: Path) -> Source:
    fmt = _SUFFIXES.get(p.suffix.lower())
    if fmt is None and p.is_file() and _looks_like_tmx(p):
        fmt = "tmx"
    if fmt is None:
        if not p.exists():
            raise UserError("no such file", p)
        raise UserError("cannot tell the format (expected .tmx, .tsv, .jsonl, .parquet, "
                        "or a Moses pair such as X.en + X.ru)", p)  # fmt: skip
    return Source(fmt, (p,))


def _looks_like_tmx(p: Path) -> bool:
    """XML whose first element is ``<tmx`` (e.g. a TMX saved as ``.xml``)."""
    with open(p, "rb") as fh:
        head = fh.read(4096)
    for encoding in ("utf-8", "utf-16"):
        text = head.decode(encoding, errors="ignore")
        if "<tmx" in text and text.lstrip("\ufeff \t\r\n").startswith("<"):
            return True
    return False


def _moses_lang(p: Path) -> str | None:
    suffix = p.suffix[1:].lower()
    return suffix if suffix in LANGS else None


def _is_moses_prefix(p: Path) -> bool:
    return not p.exists() and any(_siblings(p).values())


def _siblings(prefix: Path) -> dict[str, bool]:
    return {code: prefix.with_name(f"{prefix.name}.{code}").is_file() for code in LANGS}


def _moses_groups(given: list[Path], src: str | None, tgt: str | None) -> list[Source]:
    """Moses pairs among the given paths: ``X.en X.ru``, ``X.en`` alone, or prefix ``X``."""
    groups: dict[Path, list[str]] = {}
    for p in given:
        if p.is_file() and _moses_lang(p):
            groups.setdefault(p.with_suffix(""), []).append(_moses_lang(p))  # type: ignore
        elif _is_moses_prefix(p):
            groups.setdefault(p, [])
    return [_moses_pair(prefix, langs, src, tgt) for prefix, langs in groups.items()]


def _moses_pair(prefix: Path, given: list[str], src: str | None, tgt: str | None) -> Source:
    on_disk = [code for code, exists in _siblings(prefix).items() if exists]
    if src and tgt:
        langs = [src, tgt]
    else:  # the requested one(s) and the given ones; a lone file's partner from the disk
        langs = list(dict.fromkeys([code for code in (src, tgt) if code] + given))
        others = [code for code in on_disk if code not in langs]
        if len(langs) < 2 and len(langs) + len(others) == 2:
            langs += others
    if len(langs) != 2 or any(code not in on_disk for code in langs):
        found = ", ".join(f"{prefix.name}.{code}" for code in on_disk) or "none"
        raise UserError(f"cannot choose the two files of a Moses pair (found: {found}); give "
                        "both files or the source and target languages", prefix)  # fmt: skip
    a, b = langs
    return Source("moses", (_moses_file(prefix, a), _moses_file(prefix, b)), (a, b))


def _moses_file(prefix: Path, code: str) -> Path:
    return prefix.with_name(f"{prefix.name}.{code}")


__all__ = [
    "FORMATS", "READERS", "SKIPPED_BLANK", "SKIPPED_EMPTY", "SKIPPED_MISSING", "WRITERS",
    "Source", "detect_and_read", "detect_sources", "lang_from_tag", "output_paths",
    "read_jsonl", "read_moses", "read_parquet", "read_tmx", "read_tsv", "write_jsonl",
    "write_moses", "write_parquet", "write_tmx", "write_tsv",
]  # fmt: skip
