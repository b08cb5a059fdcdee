"""The pipeline's inner document: blocks as units of sentences, inline markup as slots;
cutting inline content into sentences (at the segmenter's boundaries, never inside markup)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mt.translate.markup import Atom, Span

if TYPE_CHECKING:
    pass


@dataclass(eq=False)
class _Slot:
    """Inline markup inside a sentence: an atom copied as is, or a span whose content
    (``inner``) is translated as a unit of its own."""

    node: Atom | Span
    inner: _Unit | None
    plain: str


@dataclass(eq=False)
class _Sent:
    """A sentence: text and slots; ``out`` is the translation in the same shape."""

    pieces: list[str | _Slot]
    paragraph: int
    out: list[str | _Slot] | None = None
    model: str | None = None
    from_tm: bool = False

    @property
    def text_pieces(self) -> list[str]:
        return [p for p in self.pieces if isinstance(p, str)]

    @property
    def has_words(self) -> bool:
        return any(ch.isalpha() for p in self.text_pieces for ch in p)

    @property
    def slots(self) -> list[_Slot]:
        return [p for p in self.pieces if isinstance(p, _Slot)]


@dataclass(eq=False)
class _Unit:
    """A block (or a span's content): sentences, and the raw hard breaks between lines."""

    items: list[_Sent | str]

    def sentences(self) -> list[_Sent]:
        return [i for i in self.items if isinstance(i, _Sent)]


def _merge_text(pieces: Sequence[str | _Slot]) -> list[str | _Slot]:
    """Adjacent strings joined, empty ones dropped."""
    out: list[str | _Slot] = []
    for p in pieces:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += p
                continue
        out.append(p)
    return out


_SPACES = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text)


def _split_sentences(text: str, lang: str) -> list[str]:
    from mt.corpus.segment import split_sentences

    return split_sentences(text, lang)


def _boundaries(sentences: list[str], plain: str) -> list[int] | None:
    """Offsets in ``plain`` where sentences 2..n start; None if they do not tile it.

    The segmenter only cuts at whitespace, so comparing without whitespace finds them.
    """
    keep = [i for i, ch in enumerate(plain) if not ch.isspace()]
    compact = "".join(plain[i] for i in keep)
    starts, cursor = [], 0
    for k, sentence in enumerate(sentences):
        piece = "".join(sentence.split())
        if not piece:
            continue
        if not compact.startswith(piece, cursor):
            return None
        if k and cursor < len(keep):
            starts.append(keep[cursor])
        cursor += len(piece)
    return starts if cursor == len(compact) else None


def _wordy(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _strip(pieces: list[str | _Slot]) -> list[str | _Slot]:
    """Whitespace at the edges of a sentence removed."""
    pieces = list(pieces)
    if pieces and isinstance(pieces[0], str):
        pieces[0] = pieces[0].lstrip()
    if pieces and isinstance(pieces[-1], str):
        pieces[-1] = pieces[-1].rstrip()
    return [p for p in pieces if not (isinstance(p, str) and not p)]


def _cut(pieces: list[str | _Slot], spans: list[tuple[int, int]], cuts: list[int]
         ) -> list[list[str | _Slot]]:  # fmt: skip
    """Pieces cut into sentences at the character offsets ``cuts`` (never inside a slot)."""
    parts: list[list[str | _Slot]] = [[]]
    queue = sorted(cuts)
    for piece, (start, end) in zip(pieces, spans, strict=True):
        if isinstance(piece, _Slot):
            while queue and queue[0] <= start:
                parts.append([])
                queue.pop(0)
            parts[-1].append(piece)
            continue
        pos = start
        while queue and queue[0] < end:
            cut = max(queue.pop(0), pos)
            parts[-1].append(piece[pos - start : cut - start])
            parts.append([])
            pos = cut
        parts[-1].append(piece[pos - start :])
    return [_strip(_merge_text(p)) for p in parts]


def _walk(units: Iterator[_Unit] | Sequence[_Unit]) -> Iterator[_Sent]:
    """Every sentence, those inside spans included (inner ones first)."""
    for unit in units:
        for sent in unit.sentences():
            yield from _walk([s.inner for s in sent.slots if s.inner is not None])
            yield sent
