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
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from mt.errors import UserError

FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}  # fmt: skip


# ---------------------------------------------------------------------------- the model


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


# ---------------------------------------------------------------------------- plain text

_TERMINAL = tuple('.!?:;…»"”)')
_LIST_ITEM = re.compile(r"^(\s*(?:[-*•–·]|\d{1,3}[.)]|[a-zа-я][)])\s+)(?=\S)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


def parse_text(text: str) -> Document:
    """Paragraphs (blank lines) and, inside them, the line breaks that carry meaning.

    A line break is kept when it ends a sentence, a heading or a dateline, or starts a list
    item; it is a soft wrap (joined) when the line is as long as the paragraph's long lines,
    ends without punctuation, and the next line goes on the sentence. Blank lines,
    indentation and list markers are reproduced as they were.
    """
    b = _Builder()
    pos = 0
    for m in _BLANK_LINES.finditer(text):
        _text_paragraph(b, text[pos : m.start()])
        b.raw(m.group())
        pos = m.end()
    _text_paragraph(b, text[pos:])
    return Document(b.parts, "text")


def _text_paragraph(b: _Builder, para: str) -> None:
    if not para.strip():
        b.raw(para)
        return
    lines = para.split("\n")
    for i, group in enumerate(_line_groups(lines)):
        if i:
            b.raw("\n")
        m = _LIST_ITEM.match(group[0])
        prefix = m.group(1) if m else group[0][: len(group[0]) - len(group[0].lstrip())]
        body = "\n".join([group[0][len(prefix) :], *group[1:]])
        b.raw(prefix)
        b.block([Text(body)], same_paragraph=i > 0)


def _line_groups(lines: list[str]) -> list[list[str]]:
    longest = max(len(ln.rstrip()) for ln in lines)
    groups: list[list[str]] = [[lines[0]]]
    for prev, line in zip(lines, lines[1:], strict=False):
        if _soft_break(prev, line, longest):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _soft_break(prev: str, line: str, longest: int) -> bool:
    prev, nxt = prev.rstrip(), line.strip()
    if not prev or not nxt or prev.endswith(_TERMINAL) or _LIST_ITEM.match(line):
        return False
    if nxt[0].islower() or nxt[0].isdigit():
        return True
    return longest >= 50 and len(prev) >= 0.75 * longest


# ---------------------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_ATX = re.compile(r"^( {0,3}#{1,6})([ \t]+|$)(.*?)((?:[ \t]+#+)?[ \t]*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_LIST = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))")
_QUOTE = re.compile(r"^( {0,3}>[ ]?)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_HTML_BLOCK = re.compile(r"^ {0,3}<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$))")
_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<"})


def _md_escape(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def parse_markdown(text: str) -> Document:
    """Markdown blocks; markup is raw, the text of paragraphs, headings, items, cells is not."""
    b = _Builder(_md_escape)
    _md_blocks(b, text.split("\n"))
    return Document(b.parts, "markdown", _md_escape)


def _md_blocks(b: _Builder, lines: list[str]) -> None:
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        end = next((k for k in range(1, len(lines)) if lines[k].strip() in ("---", "...")), None)
        if end is not None:
            b.raw("\n".join(lines[: end + 1]) + ("\n" if end + 1 < len(lines) else ""))
            i = end + 1
    while i < len(lines):
        i = _md_block(b, lines, i)
        if i < len(lines):
            b.raw("\n")


def _md_block(b: _Builder, lines: list[str], i: int) -> int:
    """Parse the block starting at line ``i``; returns the index of its last line + 1,
    leaving the newline after it to the caller."""
    for handler in (_md_blank, _md_fence, _md_indented_code, _md_atx, _md_hr, _md_quote,
                    _md_list_item, _md_table, _md_html, _md_refdef):  # fmt: skip
        end = handler(b, lines, i)
        if end is not None:
            return end
    return _md_paragraph(b, lines, i)


def _md_blank(b: _Builder, lines: list[str], i: int) -> int | None:
    if lines[i].strip():
        return None
    b.raw(lines[i])
    return i + 1


def _md_fence(b: _Builder, lines: list[str], i: int) -> int | None:
    m = _FENCE.match(lines[i])
    if not m:
        return None
    mark = m.group(2)
    end = i + 1
    while end < len(lines) and not lines[end].strip().startswith(mark[0] * len(mark)):
        end += 1
    end = min(end, len(lines) - 1)
    b.raw("\n".join(lines[i : end + 1]))
    return end + 1


def _md_indented_code(b: _Builder, lines: list[str], i: int) -> int | None:
    after_blank = i == 0 or not lines[i - 1].strip()
    if not after_blank or not lines[i].startswith(("    ", "\t")) or _MD_LIST.match(lines[i]):
        return None
    end = i
    while end + 1 < len(lines) and (lines[end + 1].startswith(("    ", "\t"))
                                    or not lines[end + 1].strip()):  # fmt: skip
        end += 1
    while end > i and not lines[end].strip():
        end -= 1
    b.raw("\n".join(lines[i : end + 1]))
    return end + 1


def _md_atx(b: _Builder, lines: list[str], i: int) -> int | None:
    m = _ATX.match(lines[i])
    if not m:
        return None
    b.raw(m.group(1) + m.group(2))
    b.block(parse_inline(m.group(3)))
    b.raw(m.group(4))
    return i + 1


def _md_hr(b: _Builder, lines: list[str], i: int) -> int | None:
    if not _HR.match(lines[i]):
        return None
    b.raw(lines[i])
    return i + 1


def _md_quote(b: _Builder, lines: list[str], i: int) -> int | None:
    m = _QUOTE.match(lines[i])
    if not m:
        return None
    prefix = m.group(1) if m.group(1).endswith(" ") else m.group(1) + " "
    end = i
    inner = []
    while end < len(lines) and (q := _QUOTE.match(lines[end])):
        inner.append(lines[end][q.end() :])
        end += 1
    sub = b.nested()
    _md_blocks(sub, inner)
    b.parts.append(Quoted(Document(sub.parts, "markdown", _md_escape), prefix))
    b.paragraphs = sub.paragraphs
    return end


def _md_list_item(b: _Builder, lines: list[str], i: int) -> int | None:
    m = _MD_LIST.match(lines[i])
    if not m or _HR.match(lines[i]):
        return None
    end = i + 1
    while end < len(lines) and _continues(lines[end]):
        end += 1
    body = "\n".join([lines[i][m.end() :], *(ln.strip() for ln in lines[i + 1 : end])])
    b.raw(m.group(1))
    b.block(parse_inline(body))
    return end


def _continues(line: str) -> bool:
    """A lazy continuation line of a paragraph or list item (not the start of a new block)."""
    if not line.strip() or _MD_LIST.match(line) or _QUOTE.match(line) or _FENCE.match(line):
        return False
    return not (_ATX.match(line) or _HR.match(line) or _HTML_BLOCK.match(line))


def _md_table(b: _Builder, lines: list[str], i: int) -> int | None:
    if "|" not in lines[i] or i + 1 >= len(lines) or not _TABLE_DELIM.match(lines[i + 1]):
        return None
    if "-" not in lines[i + 1]:
        return None
    _md_table_row(b, lines[i])
    b.raw("\n" + lines[i + 1])
    end = i + 2
    while end < len(lines) and "|" in lines[end] and lines[end].strip():
        b.raw("\n")
        _md_table_row(b, lines[end])
        end += 1
    return end


def _md_table_row(b: _Builder, row: str) -> None:
    cells = re.split(r"(?<!\\)(\|)", row)
    for cell in cells:
        if cell == "|" or not cell.strip():
            b.raw(cell)
        else:
            b.block(parse_inline(cell))


def _md_html(b: _Builder, lines: list[str], i: int) -> int | None:
    if not _HTML_BLOCK.match(lines[i]):
        return None
    end = i
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    chunk = "\n".join(lines[i : end + 1])
    for part in parse_html(chunk).parts:
        if isinstance(part, Block):
            b.block(part.nodes)
        elif isinstance(part, str):
            b.raw(part)
    return end + 1


def _md_refdef(b: _Builder, lines: list[str], i: int) -> int | None:
    if not _REFDEF.match(lines[i]):
        return None
    b.raw(lines[i])
    return i + 1


def _md_paragraph(b: _Builder, lines: list[str], i: int) -> int:
    end = i + 1
    while end < len(lines) and _continues(lines[end]) and not _SETEXT.match(lines[end]):
        end += 1
    if end < len(lines) and _SETEXT.match(lines[end]) and lines[end].strip():
        b.block(parse_inline("\n".join(lines[i:end])))
        b.raw("\n" + lines[end])
        return end + 1
    b.block(parse_inline("\n".join(lines[i:end])))
    return end


# Markdown inline -------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\]\)]*[^\s<>\]\).,;:!?\"'»”]")
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_HARD_BREAK = re.compile(r"(?: {2,}|\\)\n")


def parse_inline(text: str) -> list[Node]:
    """Markdown inline content as nodes: code spans, links, images, emphasis, autolinks,
    inline HTML, hard breaks and bare URLs are markup; the rest is text."""
    nodes: list[Node] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        found = _inline_at(text, i)
        if found is None:
            buf.append(text[i])
            i += 1
            continue
        node, i = found
        if buf:
            nodes.append(Text("".join(buf)))
            buf = []
        nodes.append(node)
    if buf:
        nodes.append(Text("".join(buf)))
    return nodes


def _inline_at(text: str, i: int) -> tuple[Node, int] | None:
    ch = text[i]
    if ch == "\\" and i + 1 < len(text):
        if text[i + 1] == "\n":
            return Atom("\\\n", " ", hard_break=True), i + 2
        if not text[i + 1].isalnum():
            return Atom(text[i : i + 2], text[i + 1]), i + 2
    if ch == " " and (m := _HARD_BREAK.match(text, i)):
        return Atom(m.group(), " ", hard_break=True), m.end()
    if ch == "`":
        return _code_span(text, i)
    if ch == "!" and text.startswith("![", i):
        link = _link(text, i + 1)
        if link is not None:
            return Atom(text[i : link[2]], ""), link[2]
    if ch == "[":
        link = _link(text, i)
        if link is not None:
            inner, close, end = link
            return Span("[", parse_inline(inner), close), end
    if ch == "<":
        m = _AUTOLINK.match(text, i) or _INLINE_TAG.match(text, i)
        if m:
            return Atom(m.group(), ""), m.end()
    if ch in "*_~":
        return _emphasis(text, i)
    if ch == "h" and (m := _URL.match(text, i)) and (i == 0 or not text[i - 1].isalnum()):
        return Atom(m.group(), m.group()), m.end()
    return None


def _code_span(text: str, i: int) -> tuple[Node, int] | None:
    run = len(text[i:]) - len(text[i:].lstrip("`"))
    ticks = "`" * run
    j = i + run
    while (k := text.find(ticks, j)) != -1:
        after = k + run
        if after >= len(text) or text[after] != "`":
            return Atom(text[i:after], text[i + run : k].strip()), after
        j = after + len(text[after:]) - len(text[after:].lstrip("`"))
    return None


def _link(text: str, i: int) -> tuple[str, str, int] | None:
    """(inner text, closing markup, end) of a link starting with ``[`` at ``i``."""
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None
    inner, k = text[i + 1 : j], j + 1
    if text.startswith("(", k):
        depth, m = 0, k
        while m < len(text):
            if text[m] == "(":
                depth += 1
            elif text[m] == ")":
                depth -= 1
                if depth == 0:
                    return inner, text[j : m + 1], m + 1
            m += 1
        return None
    if text.startswith("[", k) and (m := text.find("]", k)) != -1:
        return inner, text[j : m + 1], m + 1
    return None


def _emphasis(text: str, i: int) -> tuple[Node, int] | None:
    """``*x*``, ``**x**``, ``_x_``, ``~~x~~``: a run that opens (no space after) and the first
    run of the same characters that closes it (no space before; ``_`` not inside a word)."""
    ch = text[i]
    run = len(text[i:]) - len(text[i:].lstrip(ch))
    if ch == "~" and run != 2:
        return None
    opening = text[i : i + run]
    after = i + run
    if after >= len(text) or text[after].isspace():
        return None
    if ch == "_" and i > 0 and text[i - 1].isalnum():
        return None
    j = after + 1
    while (k := text.find(opening, j)) != -1:
        end = k + run
        closes = not text[k - 1].isspace() and (end >= len(text) or text[end] != ch)
        if closes and ch == "_" and end < len(text) and text[end].isalnum():
            closes = False
        if closes and text[k - 1] != ch:
            return Span(opening, parse_inline(text[after:k]), opening), end
        j = k + 1
    return None


# ---------------------------------------------------------------------------- HTML

_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "data", "del", "dfn", "em", "font", "i",
    "ins", "label", "mark", "nobr", "q", "s", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var",
})  # fmt: skip
_VOID_INLINE = frozenset({"br", "wbr", "img", "input"})
# Whose content is never translated: program text, code, and markup of other kinds.
_VERBATIM = frozenset({
    "script", "style", "pre", "code", "kbd", "samp", "textarea", "svg", "math", "template",
    "noscript",
})  # fmt: skip
_INLINE_VERBATIM = frozenset({"code", "kbd", "samp"})


@dataclass
class _Event:
    kind: str  # "start", "end", "startend", "data", "other"
    tag: str
    raw: str
    text: str = ""  # decoded text for data
    attrs: dict = field(default_factory=dict)


class _Tokenizer(HTMLParser):
    """The standard tokenizer, recording where each token starts to recover its exact text."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.found: list[tuple[int, str, str, str, dict]] = []

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        self.found.append((self._at(), "start", tag, "", dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.found.append((self._at(), "startend", tag, "", dict(attrs)))

    def handle_endtag(self, tag):
        self.found.append((self._at(), "end", tag, "", {}))

    def handle_data(self, data):
        self.found.append((self._at(), "data", "", data, {}))

    def _other(self, *_):
        self.found.append((self._at(), "other", "", "", {}))

    handle_comment = handle_decl = handle_pi = unknown_decl = _other
    handle_entityref = handle_charref = _other  # not called with convert_charrefs

    def events(self) -> list[_Event]:
        self.feed(self.source)
        self.close()
        found = sorted(self.found, key=lambda f: f[0])
        out = []
        for k, (start, kind, tag, text, attrs) in enumerate(found):
            end = found[k + 1][0] if k + 1 < len(found) else len(self.source)
            raw = self.source[start:end]
            if kind == "data" and start == end:
                continue
            out.append(_Event(kind, tag, raw, text, attrs))
        return out


def parse_html(text: str) -> Document:
    """HTML with tags kept exactly; the text of each block element is a block."""
    escape = _html_escape
    b = _Builder(escape)
    events = _Tokenizer(text).events()
    inline: list[_Event] = []
    i = 0
    while i < len(events):
        ev = events[i]
        if ev.kind in ("start", "startend") and _skipped(ev):
            end = _element_end(events, i)
            raw = "".join(e.raw for e in events[i : end + 1])
            if ev.tag in _INLINE_VERBATIM or ev.tag in _INLINE_TAGS:
                inline.append(_Event("atom", ev.tag, raw, _data_text(events[i : end + 1])))
            else:
                _flush(b, inline)
                b.raw(raw)
            i = end + 1
            continue
        if ev.kind == "data" or (ev.tag in _INLINE_TAGS or ev.tag in _VOID_INLINE):
            inline.append(ev)
        elif ev.kind == "other" and inline:
            inline.append(_Event("atom", "", ev.raw))
        else:
            _flush(b, inline)
            b.raw(ev.raw)
        i += 1
    _flush(b, inline)
    return Document(b.parts, "html", escape)


def _html_escape(text: str) -> str:
    return html.escape(text, quote=False)


def _skipped(ev: _Event) -> bool:
    """Elements left untranslated: code and scripts, and those marked translate="no"."""
    if ev.tag in _VERBATIM:
        return True
    classes = (ev.attrs.get("class") or "").split()
    return (ev.attrs.get("translate") or "").lower() == "no" or "notranslate" in classes


def _element_end(events: list[_Event], i: int) -> int:
    """Index of the end tag matching the start tag at ``i`` (``i`` for a self-closed one)."""
    if events[i].kind == "startend" or events[i].tag in _VOID_INLINE:
        return i
    tag, depth = events[i].tag, 0
    for k in range(i, len(events)):
        if events[k].tag == tag and events[k].kind == "start":
            depth += 1
        elif events[k].tag == tag and events[k].kind == "end":
            depth -= 1
            if depth == 0:
                return k
    return len(events) - 1


def _data_text(events: list[_Event]) -> str:
    return "".join(e.text for e in events if e.kind == "data")


def _flush(b: _Builder, inline: list[_Event]) -> None:
    if inline:
        b.block(_inline_tree(inline))
        inline.clear()


def _inline_tree(events: list[_Event]) -> list[Node]:
    """Pair inline start and end tags into spans; unpaired tags become atoms."""
    root: list[Node] = []
    stack: list[tuple[_Event, list[Node]]] = []

    def top() -> list[Node]:
        return stack[-1][1] if stack else root

    for ev in events:
        if ev.kind == "data":
            _append_text(top(), ev.text)
        elif ev.kind == "atom":
            top().append(Atom(ev.raw, ev.text))
        elif ev.kind == "startend" or ev.tag in _VOID_INLINE:
            top().append(Atom(ev.raw, " " if ev.tag == "br" else "", hard_break=ev.tag == "br"))
        elif ev.kind == "start":
            stack.append((ev, []))
        elif any(opened.tag == ev.tag for opened, _ in stack):
            while stack[-1][0].tag != ev.tag:
                _unwrap(stack, root)
            opened, children = stack.pop()
            top().append(Span(opened.raw, children, ev.raw))
        else:
            top().append(Atom(ev.raw))
    while stack:
        _unwrap(stack, root)
    return root


def _unwrap(stack: list[tuple[_Event, list[Node]]], root: list[Node]) -> None:
    """An element never closed: its start tag becomes an atom, its children move up."""
    opened, children = stack.pop()
    parent = stack[-1][1] if stack else root
    parent.append(Atom(opened.raw))
    parent.extend(children)


def _append_text(nodes: list[Node], text: str) -> None:
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text + text)
    else:
        nodes.append(Text(text))
