"""Word documents (.docx): every paragraph translated in place, its formatting kept.

What is translated: the paragraphs of the body, of tables (cells, nested tables), of text
boxes, of headers and footers, and of footnotes and endnotes. What is kept as it was: the
paragraph properties (style, heading level, list numbering, alignment), tables, sections,
pictures, fields, bookmarks, and everything outside the paragraphs' runs. Paragraphs without
words (empty, numbers only) are not touched at all.

How formatting survives translation (sentences run across runs): a paragraph's runs become
inline markup nodes (:mod:`mt.translate.markup`), exactly like HTML inline tags:

- the paragraph's *base* formatting is that of most of its text; text in it is plain text;
- consecutive runs with another formatting (bold, italic, underline, a character style,
  colour...) form a :class:`~mt.translate.markup.Span` that keeps their run properties;
- a hyperlink is a span too (its own base formatting inside), so it stays a hyperlink with
  its relationship (URL) or anchor;
- what is not text (tabs, breaks, pictures, fields with their cached result, footnote
  references, content controls, tracked changes) is an :class:`~mt.translate.markup.Atom`,
  copied as it is; a line break separates what is translated on either side.

The pipeline then translates whole sentences of the paragraph's text with each span and atom
as a numbered placeholder (``The [1] was signed``), the content of a span on its own, and
puts every span and atom back where the model put its placeholder; when the model loses a
placeholder, the text between markup is translated run by run instead, so no formatting,
link or object is ever lost. The paragraph is then rebuilt from the output: new runs with
the copied run properties for text, the original objects for atoms. Spell-check marks
(``proofErr``, ``lastRenderedPageBreak``) are dropped (Word recomputes them), and bookmarks
and comment ranges move to the paragraph's start or end.

Not translated (kept as they are): the text of fields (e.g. a table of contents, which Word
regenerates), of inline content controls, of tracked insertions, comments, charts and
SmartArt, and document properties.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mt.errors import UserError
from mt.translate.documents import Progress, Translated
from mt.translate.documents.inline import (
    SEP,
    Inline,
    Piece,
    Ref,
    Wrap,
    complete,
    escape,
    merge_text,
)
from mt.translate.documents.inline import node_atoms as _node_atoms
from mt.translate.markup import Node, Text, parse_items, plain_text

if TYPE_CHECKING:
    from mt.translate.pipeline import Translator

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_P, _R, _T, _RPR, _PPR, _LINK = (_w(t) for t in ("p", "r", "t", "rPr", "pPr", "hyperlink"))
_FLDCHAR, _FLDTYPE = _w("fldChar"), _w("fldCharType")
_RANGES = ("bookmark", "commentRange", "perm", "moveFromRange", "moveToRange",
           "customXmlInsRange", "customXmlDelRange", "customXmlMoveFromRange",
           "customXmlMoveToRange")  # fmt: skip
_MARK_START = frozenset(_w(f"{name}Start") for name in _RANGES)
_MARK_END = frozenset(_w(f"{name}End") for name in _RANGES)
_DROP = frozenset({_w("proofErr"), _w("lastRenderedPageBreak"), _w("softHyphen")})
_BREAKS = frozenset({_w("br"), _w("cr")})
_TABS = frozenset({_w("tab"), _w("ptab")})
# Run properties that do not make text look different (ignored when grouping runs).
_INVISIBLE = frozenset({_w("lang"), _w("noProof"), _w("rPrChange")})

_URLISH = re.compile(
    r"\s*(?:(?:https?|ftp)://|www\.|mailto:)\S*\s*$|\s*[^\s@]+@[^\s@]+\.\w+\s*$", re.IGNORECASE
)
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_ORDER = {_CT + "document.main+xml": 0, _CT + "header+xml": 1, _CT + "footer+xml": 2,
          _CT + "footnotes+xml": 3, _CT + "endnotes+xml": 4}  # fmt: skip
_BLOB_PARTS = (_CT + "footnotes+xml", _CT + "endnotes+xml")  # not parsed by python-docx


@dataclass(eq=False)
class _Seg:
    """A piece of a paragraph: text, an atom (elements kept as they are) or a hyperlink."""

    kind: str  # "text", "atom", "link"
    key: str | None = None  # the formatting, for grouping (None: outside runs)
    rpr: Any = None
    text: str = ""
    parts: list[tuple[Any, Any]] = field(default_factory=list)  # atom: (run or None, element)
    hard_break: bool = False
    link: Any = None
    children: list[_Seg] = field(default_factory=list)


@dataclass(eq=False)
class _Para:
    element: Any
    nodes: list[Node]
    base_rpr: Any
    lead: list[Any]
    trail: list[Any]

    @property
    def has_words(self) -> bool:
        return any(ch.isalpha() for ch in plain_text(self.nodes))


def _key(rpr: Any) -> str:
    """The run properties that show, canonically (same key: same look)."""
    from lxml import etree

    if rpr is None:
        return ""
    shown = copy.deepcopy(rpr)
    for child in list(shown):
        if child.tag in _INVISIBLE:
            shown.remove(child)
    return etree.tostring(shown, method="c14n").decode("utf-8")


def _texts(element: Any) -> str:
    """The visible text (``w:t``) inside an element."""
    return "".join(t.text or "" for t in element.iter(_T))


class _Scanner:
    """Reads paragraphs into segments and nodes; fields may run across runs and paragraphs."""

    def __init__(self, inline: Inline):
        self.inline = inline
        self.depth = 0  # nesting of complex fields (fldChar begin ... end)
        self.field: _Seg | None = None  # the atom collecting the current field

    def paragraph(self, p: Any) -> _Para:
        segs: list[_Seg] = []
        lead: list[Any] = []
        trail: list[Any] = []
        for child in p:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag == _PPR:
                continue
            if self.depth > 0 and tag != _R:
                self._in_field(None, child, segs)
            elif tag == _R:
                self._run(child, segs)
            elif tag == _LINK:
                inner: list[_Seg] = []
                for c in child:
                    if c.tag == _R:
                        self._run(c, inner)
                    elif c.tag not in _DROP:
                        inner.append(_Seg("atom", parts=[(None, c)]))
                self.field = None  # a field still open goes on in a new atom after the link
                segs.append(_Seg("link", link=child, children=inner))
            elif tag in _MARK_START:
                lead.append(child)
            elif tag in _MARK_END:
                trail.append(child)
            elif tag not in _DROP:
                segs.append(_Seg("atom", text=_texts(child), parts=[(None, child)]))
        base = _base(segs)
        nodes = self._nodes(segs, base[0] if base else None)
        return _Para(p, nodes, base[1] if base else None, lead, trail)

    def _run(self, r: Any, segs: list[_Seg]) -> None:
        rpr = r.find(_RPR)
        key = _key(rpr)
        for c in r:
            if c is rpr:
                continue
            tag = c.tag if isinstance(c.tag, str) else None
            if tag == _FLDCHAR:
                kind = c.get(_FLDTYPE)
                if kind == "begin":
                    if self.depth == 0:
                        self.field = None
                    self.depth += 1
                self._in_field(r, c, segs)
                if kind == "end" and self.depth > 0:
                    self.depth -= 1
                    if self.depth == 0:
                        self.field = None
            elif self.depth > 0:
                self._in_field(r, c, segs)
            elif tag in _DROP:
                continue
            elif tag == _T:
                segs.append(_Seg("text", key, rpr, c.text or ""))
            elif tag == _w("noBreakHyphen"):
                segs.append(_Seg("text", key, rpr, "\u2011"))
            elif tag in _TABS or tag in _BREAKS:
                segs.append(_Seg("atom", key, rpr, " ", [(r, c)], hard_break=tag in _BREAKS))
            else:
                segs.append(_Seg("atom", key, rpr, "", [(r, c)]))

    def _in_field(self, run: Any, element: Any, segs: list[_Seg]) -> None:
        if self.field is None:
            self.field = _Seg("atom")
            segs.append(self.field)
        self.field.parts.append((run, element))
        self.field.text += _texts(element) if element.tag == _T else ""

    def _nodes(self, segs: list[_Seg], base: str | None) -> list[Node]:
        """Text in the base formatting as text, other formatting as spans, the rest atoms."""
        out: list[Node] = []
        i = 0
        while i < len(segs):
            s = segs[i]
            if s.kind == "link":
                inner = _base(s.children)
                children = self._nodes(s.children, inner[0] if inner else None)
                shown = plain_text(children)
                if _URLISH.match(shown):  # a link showing its address: copied as it is
                    out.append(self.inline.atom([(None, s.link)], shown))
                else:
                    value = ("link", s.link, inner[1] if inner else None)
                    self._span(value, children, out)
                i += 1
                continue
            if s.key is None or s.key == base or _blank(s):
                out.append(self._leaf(s))
                i += 1
                continue
            j = i
            while j < len(segs) and segs[j].kind != "link" and segs[j].key == s.key:
                j += 1
            group = segs[i:j]
            leaves = [self._leaf(g) for g in group]
            if any(g.kind == "text" for g in group):
                self._span(("fmt", s.rpr), leaves, out)
            else:
                out.extend(leaves)  # atoms carry their own run properties
            i = j
        return [n for n in merge_text(out) if not _empty(n)]

    def _span(self, value: Any, children: list[Node], out: list[Node]) -> None:
        """A span, with the spaces at its edges moved out of it: the pipeline translates a
        span's content on its own, so a space inside (``the<b> word</b>``, common in Word)
        would be lost between the sentence and the span."""
        children = merge_text(children)
        lead = trail = ""
        if children and isinstance(children[0], Text):
            text = children[0].text
            lead = text[: len(text) - len(text.lstrip())]
            children[0] = Text(text[len(lead) :])
        if children and isinstance(children[-1], Text):
            text = children[-1].text
            trail = text[len(text.rstrip()) :]
            children[-1] = Text(text[: len(text) - len(trail)])
        out.append(Text(lead))
        out.append(self.inline.span(value, [c for c in children if not _empty(c)]))
        out.append(Text(trail))

    def _leaf(self, s: _Seg) -> Node:
        if s.kind == "text":
            return Text(s.text)
        return self.inline.atom(s.parts, s.text, hard_break=s.hard_break)


def _empty(node: Node) -> bool:
    return isinstance(node, Text) and not node.text


def _blank(s: _Seg) -> bool:
    return s.kind == "text" and not s.text.strip()


def _base(segs: list[_Seg]) -> tuple[str, Any] | None:
    """The formatting (key, run properties) of most of the text."""
    sizes: Counter[str] = Counter()
    first: dict[str, Any] = {}
    for s in segs:
        if s.kind == "text" and s.text.strip() and s.key is not None:
            sizes[s.key] += len(s.text)
            first.setdefault(s.key, s.rpr)
    if not sizes:
        return None
    key = max(sizes, key=lambda k: sizes[k])  # ties: the first seen
    return key, first[key]


class _Builder:
    """Rebuilds a paragraph's runs from the translated pieces."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self._last: tuple[Any, Any] | None = None  # (run made for text, its rPr)

    def paragraph(self, para: _Para, pieces: list[Piece]) -> None:
        p = para.element
        for child in list(p):
            if child.tag != _PPR:
                p.remove(child)
        for mark in para.lead:
            p.append(mark)
        self._emit(pieces, p, para.base_rpr)
        for mark in para.trail:
            p.append(mark)

    def _emit(self, pieces: list[Piece], container: Any, rpr: Any) -> None:
        for piece in pieces:
            if isinstance(piece, str):
                self._text(piece, container, rpr)
            elif isinstance(piece, Ref):
                self._atom(piece, container)
            elif isinstance(piece, Wrap):
                kind = piece.value[0]
                if kind == "fmt":
                    self._emit(piece.children, container, piece.value[1])
                else:
                    original = piece.value[1]
                    link = original.makeelement(original.tag, dict(original.attrib))
                    container.append(link)
                    self._last = None
                    self._emit(piece.children, link, piece.value[2])
                    self._last = None

    def _text(self, text: str, container: Any, rpr: Any) -> None:
        if not text:
            return
        last = self._last
        if last is not None and last[1] is rpr and len(container) and container[-1] is last[0]:
            t = last[0].find(_T)
            t.text = (t.text or "") + text
            return
        run = container.makeelement(_R, {})
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        t = run.makeelement(_T, {XML_SPACE: "preserve"})
        t.text = text
        run.append(t)
        container.append(run)
        self._last = (run, rpr)

    def _atom(self, ref: Ref, container: Any) -> None:
        again = ref.index in self.seen
        self.seen.add(ref.index)
        current_run: Any = None
        made: Any = None
        for run, element in ref.value:
            el = copy.deepcopy(element) if again else element
            if run is None:
                container.append(el)
                current_run = made = None
                continue
            if run is not current_run or made is None:
                made = run.makeelement(_R, dict(run.attrib))
                rpr = run.find(_RPR)
                if rpr is not None:
                    made.append(copy.deepcopy(rpr))
                container.append(made)
                current_run = run
            made.append(el)
        self._last = None


class DocxHandler:
    """Word 2007+ documents, read and written with python-docx (and lxml underneath)."""

    name = "docx"
    suffixes = (".docx",)
    binary = True

    def check(self, data: bytes, path: str, src: str, targets: list[str]) -> None:
        document = _open(data, path)
        paras = _scan(document, Inline())
        if not any(p.has_words for _, group in paras for p in group):
            raise UserError("no text to translate in this document", path)

    def translate(self, data: bytes, path: str, translator: Translator,
                  progress: Progress | None = None) -> Translated:  # fmt: skip
        document = _open(data, path)
        inline = Inline()
        scanned = _scan(document, inline)
        paras = [p for _, group in scanned for p in group]
        doc = parse_items([p.nodes for p in paras], "docx", sep=SEP, escape=escape)
        result = translator.translate_document(doc, progress=progress)
        outputs = result.text.split(SEP)
        if len(outputs) != len(paras):  # cannot happen: escape keeps SEP out of the text
            raise RuntimeError("paragraph outputs do not match the paragraphs")
        builder = _Builder()
        done = 0
        for para, out in zip(paras, outputs, strict=True):
            if para.has_words:
                pieces = complete(inline.decode(out), inline, _node_atoms(para.nodes))
                builder.paragraph(para, pieces)
                done += 1
        for save, _ in scanned:
            save()
        buffer = io.BytesIO()
        document.save(buffer)
        return Translated(result, buffer.getvalue(), f"{done} paragraphs translated")


def _open(data: bytes, path: str) -> Any:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            etree.XMLSyntaxError) as exc:  # fmt: skip
        raise UserError(f"not a readable Word .docx file ({exc})", path) from None


def _scan(document: Any, inline: Inline) -> list[tuple[Callable[[], None], list[_Para]]]:
    """Paragraphs of every part with text (the body first, then headers, footers, notes),
    each part with a function that saves its changes."""
    from lxml import etree

    parts = [p for p in document.part.package.iter_parts() if p.content_type in _ORDER]
    parts.sort(key=lambda p: (_ORDER[p.content_type], str(p.partname)))
    out = []
    for part in parts:
        if part.content_type in _BLOB_PARTS:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            try:
                root = etree.fromstring(part.blob, parser)
            except etree.XMLSyntaxError:
                continue  # a damaged notes part is left as it is
            save = _saver(part, root)
        else:
            root, save = part.element, _nothing
        scanner = _Scanner(inline)
        out.append((save, [scanner.paragraph(p) for p in root.iter(_P)]))
    return out


def _nothing() -> None:
    """XML parts of python-docx serialize their element when the package is saved."""


def _saver(part: Any, root: Any) -> Callable[[], None]:
    def save() -> None:
        from lxml import etree

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)  # fmt: skip

    return save
