"""HTML, read with the standard library's tokenizer: positions give every tag's exact source
text, so untouched markup is reproduced byte for byte."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from mt.translate.markup.model import (
    Atom,
    Document,
    Node,
    Span,
    Text,
    _Builder,
)

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
