"""Markdown: a small line-based reader for the constructs official releases use (headings,
lists, quotes, tables, fences) and the inline reader (emphasis, links, code, autolinks)."""

from __future__ import annotations

import re

from mt.translate.markup.html import parse_html
from mt.translate.markup.model import (
    Atom,
    Block,
    Document,
    Node,
    Quoted,
    Span,
    Text,
    _Builder,
)

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
