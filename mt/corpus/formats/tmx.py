"""TMX 1.4b, the translation-memory exchange format that CAT tools read and write.

Writing streams through :class:`lxml.etree.xmlfile`, one ``<tu>`` at a time, so memory
stays flat however large the export. Our metadata travels as ``x-`` props, which TMX
reserves for tool-specific data: on the ``<tu>`` ``x-doc``, ``x-date``, ``x-score``,
``x-bead`` (``1-1``, ``2-1``, ...) and ``x-method``; on each ``<tuv>`` (origin and sentence
ids belong to one side) ``x-origin`` and ``x-ids``.

Reading takes files from other tools as they come: ``xml:lang`` (1.4) or ``lang``
(1.1-1.3), region and script tags (``en-US``, ``az-Latn-AZ``; ``az-Cyrl`` text is
transliterated to Latin), inline markup in ``<seg>`` (the native code held by ``bpt``,
``ept``, ``ph``, ``it`` and ``ut`` is dropped, together with any ``sub`` flow inside it,
which is a separate text such as a link title; ``hi`` keeps its text), whitespace collapsed,
``<tuv>`` s in other languages ignored. A ``<tu>`` without both languages is skipped and
counted, not an error.

The parser never expands entities nor fetches anything (``resolve_entities=False``,
``load_dtd=False``, ``no_network=True``, ``huge_tree=False``), and a DTD that declares
entities is refused outright: such a file is either an attack (billion laughs, XXE) or
depends on expansions we will not perform.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from mt import __version__
from mt.corpus.formats._common import (
    READERS,
    SKIPPED_EMPTY,
    SKIPPED_MISSING,
    SKIPPED_NO_LANG,
    WRITERS,
    atomic_paths,
    bump,
    check_input,
    check_origin,
    check_record_langs,
    choose_pair,
    format_ids,
    format_score,
    lang_from_tag,
    parse_ids,
    parse_score,
    requested,
    text_for,
    xml_safe,
)
from mt.corpus.records import PairRecord
from mt.errors import UserError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VERSION = re.compile(r"1\.[1-4][a-z]?")
_NATIVE = frozenset({"bpt", "ept", "ph", "it", "ut"})  # hold native code, not text
_SPACE = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")  # not NBSP: it is typography
_TU_PROPS = ("x-doc", "x-date", "x-score", "x-bead", "x-method")
_LINE_COL = re.compile(r",? line \d+, column \d+$")


# ----------------------------------------------------------------------------- writing


@WRITERS.register("tmx")
def write_tmx(records: Iterable[PairRecord], path: str | Path, src_lang: str, tgt_lang: str) -> int:
    """Write a TMX 1.4b file; returns the number of ``<tu>`` (pairs) written."""
    from lxml import etree

    with (
        atomic_paths(path) as (tmp,),
        open(tmp, "wb") as fh,
        etree.xmlfile(fh, encoding="utf-8", buffered=True) as xf,
    ):
        xf.write_declaration()
        with xf.element("tmx", version="1.4"):
            xf.write("\n", _header(src_lang), pretty_print=True)
            with xf.element("body"):
                xf.write("\n")
                count = _write_units(xf, records, src_lang, tgt_lang)
            xf.write("\n")
    return count


def _header(src_lang: str):
    """The header with every attribute TMX 1.4b requires."""
    from lxml import etree

    return etree.Element("header", {
        "creationtool": "mt", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "mt", "adminlang": "en", "srclang": src_lang, "datatype": "plaintext",
    })  # fmt: skip


def _write_units(xf, records: Iterable[PairRecord], src: str, tgt: str) -> int:
    """One ``<tu>`` per record, serialized from a reused template of the same shape.

    Building ~12 elements per pair costs four times more than serializing them, so a
    template per shape (which optional props are present) is filled in instead.
    """
    templates: dict[tuple[bool, ...], tuple[object, list]] = {}
    count = 0
    for rec in records:
        if rec.src_lang != src or rec.tgt_lang != tgt:
            check_record_langs(rec.src_lang, rec.tgt_lang, src, tgt)
        shape, values = _unit_values(rec)
        template = templates.get(shape)
        if template is None:
            template = templates[shape] = _template(shape, src, tgt)
        tu, nodes = template
        for node, value in zip(nodes, values, strict=True):
            node.text = xml_safe(value)
        xf.write(tu, pretty_print=True)
        count += 1
    return count


def _unit_values(rec: PairRecord) -> tuple[tuple[bool, ...], list[str]]:
    """The record's shape (which optional props it has) and its texts in document order."""
    head = (rec.doc_key, rec.date, format_score(rec.score), rec.bead_type, rec.method)
    src_ids, tgt_ids = format_ids(rec.src_ids), format_ids(rec.tgt_ids)
    shape = (*(bool(v) for v in head), bool(src_ids), bool(tgt_ids))
    values = [v for v in head if v]
    values += [rec.src_origin, src_ids, rec.src] if src_ids else [rec.src_origin, rec.src]
    values += [rec.tgt_origin, tgt_ids, rec.tgt] if tgt_ids else [rec.tgt_origin, rec.tgt]
    return shape, values


def _template(shape: tuple[bool, ...], src: str, tgt: str) -> tuple[object, list]:
    """An empty ``<tu>`` of that shape and its text-holding elements in document order."""
    from lxml.etree import Element, SubElement

    tu = Element("tu")
    props = zip(_TU_PROPS, shape[:5], strict=True)
    nodes = [SubElement(tu, "prop", type=kind) for kind, on in props if on]
    for lang, with_ids in ((src, shape[5]), (tgt, shape[6])):
        tuv = SubElement(tu, "tuv", {XML_LANG: lang})
        nodes.append(SubElement(tuv, "prop", type="x-origin"))
        if with_ids:
            nodes.append(SubElement(tuv, "prop", type="x-ids"))
        nodes.append(SubElement(tuv, "seg"))
    return tu, nodes


# ----------------------------------------------------------------------------- reading


@READERS.register("tmx")
def read_tmx(
    path: str | Path, src_lang: str | None = None, tgt_lang: str | None = None,
    stats: Counter | None = None,
) -> Iterator[PairRecord]:  # fmt: skip
    """Check the file up to ``<body>`` now (XML, TMX, version, DTD, header), then stream
    its pairs. The pair is the requested languages, else the header's ``srclang`` and the
    other language of the first ``<tu>`` that has two.
    """
    src, tgt = requested(src_lang, tgt_lang)
    p = check_input(path)
    events = _events(p)
    header_src = _open(events, p)
    return _units(events, p, _Pair(src, tgt, header_src), stats)


def _events(p: Path) -> Iterator[tuple[str, object]]:
    """Parse events from a parser that cannot expand entities or reach outside the file."""
    from lxml import etree

    parser = etree.iterparse(
        str(p), events=("start", "end"), resolve_entities=False, load_dtd=False,
        no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        yield from parser
    except etree.XMLSyntaxError as exc:
        message = _LINE_COL.sub("", exc.msg or str(exc))
        raise UserError(f"not valid XML: {message}", p, exc.lineno or None) from None


def _open(events: Iterator[tuple[str, object]], p: Path) -> str | None:
    """Consume the prolog, root and header; return the header's source language code."""
    event, root = next(events, (None, None))
    if root is None:
        raise UserError("not valid XML: no root element", p)
    _refuse_entities(root, p)
    if _local(root.tag) != "tmx":
        raise UserError(f"not a TMX file: the root element is <{_local(root.tag)}>", p,
                        root.sourceline)  # fmt: skip
    version = root.get("version")
    if version is not None and not _VERSION.fullmatch(version.strip()):
        raise UserError(f"unsupported TMX version {version!r} (versions 1.1 to 1.4b are read)",
                        p, root.sourceline)  # fmt: skip
    return _find_body(events, p)


def _refuse_entities(root, p: Path) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    names = [entity.name for entity in dtd.entities()] if dtd is not None else []
    if names:
        raise UserError(f"the DTD declares entities ({', '.join(names[:5])}); refused because "
                        "entity expansion is unsafe", p)  # fmt: skip


def _find_body(events: Iterator[tuple[str, object]], p: Path) -> str | None:
    header_src: str | None = None
    seen_header = False
    for event, el in events:
        name = _local(el.tag)
        if event == "start" and name == "header":
            seen_header = True
            header_src = lang_from_tag(el.get("srclang"))[0]
        elif event == "start" and name == "body":
            if not seen_header:
                raise UserError("not a valid TMX file: <body> without a <header> before it", p,
                                el.sourceline)  # fmt: skip
            return header_src
        elif event == "end" and name == "header":
            el.clear()
    what = "<body>" if seen_header else "<header> and <body>"
    raise UserError(f"not a valid TMX file: no {what}", p)


class _Pair:
    """The file's language pair, fixed by the first ``<tu>`` that can decide it."""

    def __init__(self, src: str | None, tgt: str | None, header_src: str | None):
        self.src, self.tgt, self.header_src = src, tgt, header_src
        self.fixed: tuple[str, str] | None = (src, tgt) if src and tgt else None

    def resolve(self, langs: list[str], p: Path, line: int | None) -> tuple[str, str] | None:
        if self.fixed is None:
            src = self.src
            if src is None and self.header_src in langs and self.header_src != self.tgt:
                src = self.header_src
            if len(langs) >= 2 and all(want in langs for want in (src, self.tgt) if want):
                self.fixed = choose_pair(langs, src, self.tgt, p, line)
        return self.fixed


def _units(
    events: Iterator[tuple[str, object]], p: Path, pair: _Pair, stats: Counter | None
) -> Iterator[PairRecord]:
    for event, el in events:
        if event != "end" or _local(el.tag) != "tu":
            continue
        rec = _unit(el, p, pair, stats)
        el.clear()
        while el.getprevious() is not None:  # drop finished units: memory stays flat
            del el.getparent()[0]
        if rec is not None:
            yield rec


def _unit(tu, p: Path, pair: _Pair, stats: Counter | None) -> PairRecord | None:
    props, sides, untagged = _read_unit(tu, p)
    chosen = pair.resolve(list(sides), p, tu.sourceline)
    if chosen is None or chosen[0] not in sides or chosen[1] not in sides:
        bump(stats, SKIPPED_NO_LANG if untagged else SKIPPED_MISSING)
        return None
    (left, left_props), (right, right_props) = sides[chosen[0]], sides[chosen[1]]
    if not left or not right:
        bump(stats, SKIPPED_EMPTY)
        return None
    line = tu.sourceline
    return PairRecord(
        left, right, chosen[0], chosen[1], doc_key=props.get("x-doc") or None,
        date=props.get("x-date") or None,
        src_origin=check_origin(left_props.get("x-origin", props.get("x-origin")), p, line),
        tgt_origin=check_origin(right_props.get("x-origin", props.get("x-origin")), p, line),
        score=parse_score(props.get("x-score"), p, line), method=props.get("x-method") or None,
        src_ids=parse_ids(left_props.get("x-ids"), p, line),
        tgt_ids=parse_ids(right_props.get("x-ids"), p, line),
    )  # fmt: skip


def _read_unit(tu, p: Path) -> tuple[dict[str, str], dict[str, tuple[str, dict[str, str]]], int]:
    """The unit's props, per supported language (first variant wins) text and props, and
    how many variants carry no language tag at all (the reason such a unit is skipped)."""
    props: dict[str, str] = {}
    sides: dict[str, tuple[str, dict[str, str]]] = {}
    untagged = 0
    for child in tu:
        name = _local(child.tag)
        if name == "prop":
            props.setdefault(child.get("type", ""), (child.text or "").strip())
        elif name == "tuv":
            tag = child.get(XML_LANG) or child.get("lang")
            untagged += not tag
            code, cyrillic = lang_from_tag(tag)
            if code is not None and code not in sides:
                text, tuv_props = _read_variant(child, p)
                sides[code] = (text_for(code, cyrillic, text), tuv_props)
    return props, sides, untagged


def _read_variant(tuv, p: Path) -> tuple[str, dict[str, str]]:
    props: dict[str, str] = {}
    text = ""
    for child in tuv:
        name = _local(child.tag)
        if name == "prop":
            props.setdefault(child.get("type", ""), (child.text or "").strip())
        elif name == "seg":
            text = seg_text(child, p)
    return text, props


def seg_text(seg, p: Path | None = None) -> str:
    """The plain text of a ``<seg>``: inline native code dropped, whitespace collapsed."""
    parts = [seg.text or ""]
    _inline(seg, parts, p)
    return _SPACE.sub(" ", "".join(parts)).strip()


def _inline(el, parts: list[str], p: Path | None) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # an unexpanded entity reference (comments are removed)
            raise UserError(f"entity reference {child.text} in a segment is not supported", p,
                            child.sourceline)  # fmt: skip
        if _local(tag) not in _NATIVE:  # hi, and other tools' text-bearing tags (g, mrk)
            parts.append(child.text or "")
            _inline(child, parts, p)
        parts.append(child.tail or "")


def _local(tag: object) -> str:
    """Element name without a namespace (some tools declare a default namespace)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag
