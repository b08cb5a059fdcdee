"""Input formats: plain text, Markdown and HTML, cut into blocks of text to translate.

A parsed :class:`Document` is a list of parts: raw strings copied to the output as they are
(tags, list markers, code, blank lines) and :class:`Block` objects, the text to translate.
A block is a list of inline nodes: :class:`Text`, :class:`Atom` (inline markup copied as is:
code spans, images, ``<br>``) and :class:`Span` (inline markup around text that is itself
translated: emphasis, links). Keeping the inline markup as nodes, not as characters in the
text, lets the pipeline translate whole sentences and put the markup back around the right
words, or, when the model drops a placeholder, fall back to translating the runs of text
between markup one by one: the markup always survives.

HTML is read with the standard library's tokenizer (positions give every tag's exact source
text, so untouched markup is reproduced byte for byte); Markdown with a small line-based
reader for the constructs official releases use (headings, lists, quotes, tables, fences,
emphasis, links, code).

One job per module: :mod:`.model` (the document model and the builder), :mod:`.text`,
:mod:`.markdown` and :mod:`.html` (the readers), :mod:`.items` (documents of separate pieces:
lines, Word paragraphs, XLIFF segments); here: :func:`detect_format` and :func:`parse`.
Every name is importable from here as before the split.
"""

from __future__ import annotations

from pathlib import Path

from mt.errors import UserError
from mt.translate.markup.html import parse_html
from mt.translate.markup.items import parse_items, parse_lines
from mt.translate.markup.markdown import parse_inline, parse_markdown
from mt.translate.markup.model import (
    Atom,
    Block,
    Document,
    Node,
    Part,
    Quoted,
    Span,
    Text,
    plain_text,
)
from mt.translate.markup.model import _Builder as _Builder
from mt.translate.markup.model import _raw_of as _raw_of
from mt.translate.markup.model import _strip_edges as _strip_edges
from mt.translate.markup.text import parse_text

FORMATS = ("text", "markdown", "html")


_EXTENSIONS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}  # fmt: skip


def detect_format(path: str | Path | None, fmt: str = "auto") -> str:
    """``text``, ``markdown`` or ``html``: as asked, or by the file's extension."""
    fmt = fmt.lower()
    if fmt != "auto":
        if fmt not in FORMATS:
            raise UserError(f"unknown input format {fmt!r} (expected auto, {', '.join(FORMATS)})")
        return fmt
    if path is None or str(path) == "-":
        return "text"
    return _EXTENSIONS.get(Path(path).suffix.lower(), "text")


def parse(text: str, fmt: str) -> Document:
    """Parse ``text`` in one of :data:`FORMATS`, or ``lines`` (:func:`parse_lines`)."""
    if fmt == "markdown":
        return parse_markdown(text)
    if fmt == "html":
        return parse_html(text)
    if fmt == "lines":
        return parse_lines(text)
    return parse_text(text)


__all__ = [
    "FORMATS",
    "Atom",
    "Block",
    "Document",
    "Node",
    "Part",
    "Quoted",
    "Span",
    "Text",
    "detect_format",
    "parse",
    "parse_html",
    "parse_inline",
    "parse_items",
    "parse_lines",
    "parse_markdown",
    "parse_text",
    "plain_text",
]
