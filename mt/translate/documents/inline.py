"""Inline markup of documents as markup nodes, and back.

Word runs and XLIFF inline tags are not text, so they cannot go through the pipeline as
HTML does (as characters to copy). Instead each becomes a node of :mod:`mt.translate.markup`
whose ``raw``/``open``/``close`` is a short *marker*: a noncharacter (U+FDD0..U+FDEF, which
Unicode reserves for internal use and no text contains) and the index of the object it
stands for. The pipeline treats the nodes like HTML tags (placeholders for the model,
spans' content translated on their own, a run-by-run fallback that never loses a tag) and
copies the markers into its output; :meth:`Inline.decode` reads that output back as a tree
of text and the original objects, from which a format rebuilds its elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mt.translate.markup import Atom, Node, Span, Text

_OPEN, _ATOM, _END, _CLOSE = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
SEP = "\ufdd4"  # between the items of one document (see markup.parse_items)
_NONCHARS = re.compile("[\ufdd0-\ufdef]")
_TOKEN = re.compile(f"{_OPEN}(\\d+){_END}|{_ATOM}(\\d+){_END}|{_CLOSE}")


def escape(text: str) -> str:
    """Translated text with marker characters removed (a model never makes them, but a
    source text could contain them)."""
    return _NONCHARS.sub("", text)


@dataclass
class Ref:
    """An atom in the output: the object it stands for."""

    index: int
    value: Any


@dataclass
class Wrap:
    """A span in the output: its object and translated content."""

    index: int
    value: Any
    children: list[Piece] = field(default_factory=list)


Piece = str | Ref | Wrap


class Inline:
    """Makes marker nodes for objects, and decodes rendered text into pieces."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def _add(self, value: Any) -> int:
        self.values.append(value)
        return len(self.values) - 1

    def atom(self, value: Any, plain: str = "", *, hard_break: bool = False) -> Atom:
        """An object copied as it is; ``plain`` is what it reads as."""
        return Atom(f"{_ATOM}{self._add(value)}{_END}", plain, hard_break)

    def span(self, value: Any, children: list[Node]) -> Span:
        """An object around content that is translated."""
        return Span(f"{_OPEN}{self._add(value)}{_END}", children, _CLOSE)

    def decode(self, rendered: str) -> list[Piece]:
        """The pieces of one item's output (unbalanced markers are tolerated: a stray
        close is dropped, an unclosed span ends with the item)."""
        root: list[Piece] = []
        stack: list[list[Piece]] = [root]
        pos = 0
        for m in _TOKEN.finditer(rendered):
            if m.start() > pos:
                stack[-1].append(rendered[pos : m.start()])
            pos = m.end()
            if m.group(1) is not None:
                index = int(m.group(1))
                wrap = Wrap(index, self.values[index])
                stack[-1].append(wrap)
                stack.append(wrap.children)
            elif m.group(2) is not None:
                index = int(m.group(2))
                stack[-1].append(Ref(index, self.values[index]))
            elif len(stack) > 1:
                stack.pop()
        if pos < len(rendered):
            stack[-1].append(rendered[pos:])
        return root


def atom_indexes(pieces: list[Piece]) -> list[int]:
    """Indexes of every atom in ``pieces``, nested ones included, in order."""
    out: list[int] = []
    for p in pieces:
        if isinstance(p, Ref):
            out.append(p.index)
        elif isinstance(p, Wrap):
            out.extend(atom_indexes(p.children))
    return out


_ATOM_RAW = re.compile(f"{_ATOM}(\\d+){_END}")


def node_atoms(nodes: list[Node]) -> list[int]:
    """Indexes of the atoms made by :meth:`Inline.atom` among ``nodes`` (spans included)."""
    out: list[int] = []
    for node in nodes:
        if isinstance(node, Atom):
            out.extend(int(m.group(1)) for m in _ATOM_RAW.finditer(node.raw))
        elif isinstance(node, Span):
            out.extend(node_atoms(node.children))
    return out


def complete(pieces: list[Piece], inline: Inline, expected: list[int]) -> list[Piece]:
    """``pieces`` with every expected atom that went missing appended at the end: an
    element of the source (a picture, a field, an inline code) is never lost."""
    seen = set(atom_indexes(pieces))
    missing = [Ref(i, inline.values[i]) for i in expected if i not in seen]
    return [*pieces, *missing]


def merge_text(nodes: list[Node]) -> list[Node]:
    """Adjacent text nodes joined (runs split for no visible reason, text around comments)."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    return out
