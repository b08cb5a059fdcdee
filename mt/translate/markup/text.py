"""Plain text: blank lines separate paragraphs, list items and headings stay on their lines,
lines wrapped inside a paragraph are joined."""

from __future__ import annotations

import re

from mt.translate.markup.model import (
    Document,
    Text,
    _Builder,
)

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
