"""The document model every reader builds: a :class:`Document` of raw parts and
:class:`Block` objects (the text to translate) made of inline nodes (:class:`Text`,
:class:`Atom`, :class:`Span`), and the builder the readers share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Text:
    """Text to translate."""

    text: str


@dataclass
class Atom:
    """Inline markup kept verbatim; ``plain`` is what it reads as (for sentence splitting).

    ``hard_break`` marks a forced line break (``<br>``, a Markdown hard break): the text on
    either side is translated separately.
    """

    raw: str
    plain: str = ""
    hard_break: bool = False


@dataclass
class Span:
    """Inline markup around translated content: ``open`` + children + ``close``."""

    open: str
    children: list[Node]
    close: str


Node = Text | Atom | Span


@dataclass
class Block:
    """A unit of text (paragraph, heading, list item, cell) and the paragraph it belongs to."""

    nodes: list[Node]
    paragraph: int = 0


@dataclass
class Quoted:
    """A nested document whose output lines get a prefix (a Markdown block quote)."""

    doc: Document
    prefix: str


Part = str | Block | Quoted


@dataclass
class Document:
    """The parsed input: raw parts and blocks, and how to escape translated text."""

    parts: list[Part]
    format: str = "text"
    escape: Callable[[str], str] = field(default=lambda s: s)

    def blocks(self) -> Iterator[Block]:
        """All blocks in document order, nested quotes included."""
        for part in self.parts:
            if isinstance(part, Block):
                yield part
            elif isinstance(part, Quoted):
                yield from part.doc.blocks()

    def render(self, render_block: Callable[[Block], str]) -> str:
        """The output: raw parts as they were, each block replaced by ``render_block``'s."""
        out = []
        for part in self.parts:
            if isinstance(part, Block):
                out.append(render_block(part))
            elif isinstance(part, Quoted):
                inner = part.doc.render(render_block)
                out.append("\n".join(_quote_line(part.prefix, ln) for ln in inner.split("\n")))
            else:
                out.append(part)
        return "".join(out)


def _quote_line(prefix: str, line: str) -> str:
    return prefix.rstrip() if not line.strip() else prefix + line


def plain_text(nodes: list[Node]) -> str:
    """What the nodes read as, markup removed."""
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Atom):
            out.append(node.plain)
        else:
            out.append(plain_text(node.children))
    return "".join(out)


class _Builder:
    """Collects parts, numbering paragraphs and keeping blocks' edge whitespace raw."""

    def __init__(self, escape: Callable[[str], str] = lambda s: s, paragraphs: int = 0):
        self.parts: list[Part] = []
        self.escape = escape
        self.paragraphs = paragraphs  # paragraphs numbered so far
        self._open = False  # whether the current paragraph has a block yet

    def raw(self, text: str) -> None:
        if text:
            if self.parts and isinstance(self.parts[-1], str):
                self.parts[-1] += text
            else:
                self.parts.append(text)

    def block(self, nodes: list[Node], *, same_paragraph: bool = False) -> None:
        """Add a block; whitespace at its edges stays raw, and a block without words too."""
        lead, nodes, trail = _strip_edges(nodes)
        self.raw(lead)
        if any(ch.isalpha() for ch in plain_text(nodes)):
            if not (same_paragraph and self._open):
                self.paragraphs += 1
            self._open = True
            self.parts.append(Block(nodes, self.paragraphs - 1))
        else:
            self.raw(_raw_of(nodes, self.escape))
        self.raw(trail)

    def nested(self) -> _Builder:
        """A builder for a nested document that goes on with this one's numbering."""
        return _Builder(self.escape, self.paragraphs)


def _raw_of(nodes: list[Node], escape: Callable[[str], str]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape(node.text))
        elif isinstance(node, Atom):
            out.append(node.raw)
        else:
            out.append(node.open + _raw_of(node.children, escape) + node.close)
    return "".join(out)


_WS = " \t\n\r\f"  # ASCII only: a no-break space is part of the text


def _strip_edges(nodes: list[Node]) -> tuple[str, list[Node], str]:
    """Leading and trailing whitespace of the first/last text node, taken out."""
    nodes = list(nodes)
    lead = trail = ""
    if nodes and isinstance(nodes[0], Text):
        stripped = nodes[0].text.lstrip(_WS)
        lead = nodes[0].text[: len(nodes[0].text) - len(stripped)]
        nodes[0] = Text(stripped)
    if nodes and isinstance(nodes[-1], Text):
        stripped = nodes[-1].text.rstrip(_WS)
        trail = nodes[-1].text[len(stripped) :]
        nodes[-1] = Text(stripped)
    return lead, [n for n in nodes if not (isinstance(n, Text) and not n.text)], trail
