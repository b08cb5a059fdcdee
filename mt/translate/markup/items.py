"""Documents of separate pieces (lines, Word paragraphs, XLIFF segments): one block each."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from mt.translate.markup.model import (
    Block,
    Document,
    Node,
    Part,
    Text,
    _raw_of,
    _strip_edges,
    plain_text,
)


def parse_items(
    items: Sequence[list[Node]],
    fmt: str,
    *,
    sep: str,
    escape: Callable[[str], str] = lambda s: s,
) -> Document:
    """A document of separate pieces of inline content (lines, Word paragraphs, XLIFF
    segments), each its own block numbered by its position, joined by ``sep`` in the
    output: ``render(...).split(sep)`` gives one output per item, provided ``escape`` keeps
    ``sep`` out of translated text. Whitespace at an item's edges and items without words
    are copied as they are."""
    parts: list[Part] = []
    for k, nodes in enumerate(items):
        if k:
            parts.append(sep)
        lead, inner, trail = _strip_edges(nodes)
        if lead:
            parts.append(lead)
        if any(ch.isalpha() for ch in plain_text(inner)):
            parts.append(Block(inner, k))
        elif inner:
            parts.append(_raw_of(inner, escape))
        if trail:
            parts.append(trail)
    return Document(parts, fmt, escape)


def parse_lines(text: str) -> Document:
    """One block per line (``mt translate --lines``): no lines are joined or split, empty
    lines stay empty, and every output line ends with a newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    doc = parse_items([[Text(line)] for line in lines], "lines", sep="\n", escape=_one_line)
    doc.parts.append("\n")
    return doc


_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")


def _one_line(text: str) -> str:
    """Translated text kept on its line (a model's line break becomes a space)."""
    return _LINE_BREAKS.sub(" ", text)
