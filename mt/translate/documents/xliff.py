"""XLIFF 1.2 and 2.0/2.1: a machine translation as the target of every segment that needs one.

Read with lxml, safely: no DTD loaded, no entity expanded, nothing fetched from the network.
The file is written back as it was (ids, attributes, notes, groups, skeleton, comments,
extensions) with targets added.

Which segments get a target: those to translate (``translate="no"`` on the unit, a group or
the file skips them) that have no translation yet: no target, an empty one, or (1.2) one in
state ``new`` or ``needs-translation``, or an earlier machine translation by this tool
(re-running refreshes it). A target that is approved or final (1.2 ``approved="yes"``, state
``final`` or ``signed-off``; 2.x ``state="final"``) and any other human translation are left
alone.

How a machine translation is marked for review:

- 1.2: ``<target state="needs-review-translation" state-qualifier="mt-suggestion">``
  (both values are in the 1.2 lists: "needs review", "machine translation suggestion");
- 2.x: ``<segment state="translated" subState="mt:needs-review">``. The core 2.0 states
  are initial, translated, reviewed and final, so "translated, not reviewed" is the closest;
  ``subState`` (a ``prefix:value`` of the tool's own, allowed only with an explicit
  ``state``) says that it is a machine translation that needs review.

Inline markup is kept around and inside the translated text: elements with translatable
content (1.2 ``g`` and ``mrk``; 2.x ``pc`` and ``mrk``) become spans, the others (1.2 ``x``,
``bx``, ``ex``, ``ph``, ``bpt``, ``ept``, ``it``; 2.x ``ph``, ``sc``, ``ec``, ``sm``, ``em``,
``cp``; protected or ``translate="no"`` markers; foreign elements) atoms copied with their
ids, so the pipeline translates whole sentences with placeholders and falls back to
translating the text between tags rather than ever dropping one. A 1.2 unit segmented in
``seg-source`` (``mrk mtype="seg"``, as SDLXLIFF files are) gets a target with the same
segments, each translated. A ``.sdlxliff`` file is handled as the XLIFF 1.2 it is; Trados'
own segment status (``sdl:seg``) is not changed.
"""

from __future__ import annotations

import copy
import io
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
from mt.translate.markup import Node, Text, parse_items

if TYPE_CHECKING:
    from mt.translate.pipeline import Translator

NS_12 = "urn:oasis:names:tc:xliff:document:1.2"
NS_11 = "urn:oasis:names:tc:xliff:document:1.1"  # the same structure as 1.2
NS_2 = "urn:oasis:names:tc:xliff:document:2.0"  # XLIFF 2.0 and 2.1 core
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

REVIEW_STATE_12 = "needs-review-translation"
MT_QUALIFIER_12 = "mt-suggestion"
REVIEW_STATE_2 = "translated"
MT_SUBSTATE_2 = "mt:needs-review"

_SPANS = {"1": frozenset({"g", "mrk"}), "2": frozenset({"pc", "mrk"})}
_KEPT_12 = frozenset({"final", "signed-off"})
_UNTRANSLATED_12 = frozenset({"new", "needs-translation"})
_MT_QUALIFIERS_12 = frozenset({MT_QUALIFIER_12, "leveraged-mt"})


@dataclass
class _Job:
    """One piece of text to translate and the element its translation goes into."""

    container: Any
    nodes: list[Node]


@dataclass
class _Plan:
    jobs: list[_Job] = field(default_factory=list)
    filled: int = 0
    kept: int = 0
    skipped: int = 0


class XliffHandler:
    """XLIFF 1.2 (also 1.1 and SDLXLIFF) and XLIFF 2.0/2.1."""

    name = "xliff"
    suffixes = (".xlf", ".xliff", ".sdlxliff")
    binary = False

    def check(self, data: bytes, path: str, src: str, targets: list[str]) -> None:
        tree = _parse(data, path)
        for tgt in targets:
            _check_languages(tree.getroot(), path, src, tgt, fix=False)

    def translate(self, data: bytes, path: str, translator: Translator,
                  progress: Progress | None = None) -> Translated:  # fmt: skip
        tree = _parse(data, path)
        root = tree.getroot()
        _check_languages(root, path, translator.src, translator.tgt, fix=True)
        inline = Inline()
        plan = _plan(root, inline)
        doc = parse_items([j.nodes for j in plan.jobs], "xliff", sep=SEP, escape=escape)
        result = translator.translate_document(doc, progress=progress)
        outputs = result.text.split(SEP) if plan.jobs else []
        if len(outputs) != len(plan.jobs):  # cannot happen: escape keeps SEP out of the text
            raise RuntimeError("segment outputs do not match the segments")
        for job, out in zip(plan.jobs, outputs, strict=True):
            pieces = complete(inline.decode(out), inline, _node_atoms(job.nodes))
            _fill(job.container, pieces)
        data = _serialize(tree)
        summary = (
            f"{plan.filled} segments translated (marked for review), {plan.kept} kept "
            f"(translated or approved already), {plan.skipped} not to translate"
        )
        return Translated(result, data, summary)


def _serialize(tree: Any) -> bytes:
    from lxml import etree

    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------------------- reading


def _parse(data: bytes, path: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False)  # fmt: skip
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise UserError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname != "xliff" or qname.namespace not in (NS_12, NS_11, NS_2):
        raise UserError(f"not an XLIFF 1.2 or 2.x document (root element <{qname.localname}> "
                        f"in namespace {qname.namespace or 'none'})", path)  # fmt: skip
    return tree


def _version(root: Any) -> tuple[str, str]:
    """("1", namespace) for XLIFF 1.x, ("2", namespace) for 2.x."""
    from lxml import etree

    ns = etree.QName(root).namespace
    return ("2" if ns == NS_2 else "1"), ns


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].strip().lower()


def _check_languages(root: Any, path: str, src: str, tgt: str, *, fix: bool) -> None:
    """The file's languages must be the command's; a missing target language is set."""
    version, ns = _version(root)
    if version == "2":
        holders = [(root, "srcLang", "trgLang")]
    else:
        holders = [(f, "source-language", "target-language") for f in root.iter(f"{{{ns}}}file")]
    for element, src_attr, tgt_attr in holders:
        declared = element.get(src_attr)
        if declared and _primary(declared) != src:
            raise UserError(f"the file's {src_attr} is {declared!r}, not {src} (--src)",
                            path, element.sourceline)  # fmt: skip
        declared = element.get(tgt_attr)
        if declared and _primary(declared) != tgt:
            raise UserError(f"the file's {tgt_attr} is {declared!r}, not {tgt}: an XLIFF "
                            "file has one target language", path, element.sourceline)  # fmt: skip
        if fix and not declared:
            element.set(tgt_attr, tgt)


def _plan(root: Any, inline: Inline) -> _Plan:
    version, ns = _version(root)
    plan = _Plan()
    reader = _Reader(inline, version, ns)
    if version == "2":
        for unit in root.iter(f"{{{ns}}}unit"):
            segments = unit.findall(f"{{{ns}}}segment")
            if not _translatable(unit, ns):
                plan.skipped += len(segments)
                continue
            for segment in segments:
                _plan_segment_2(segment, ns, reader, plan)
    else:
        for unit in root.iter(f"{{{ns}}}trans-unit"):
            if not _translatable(unit, ns):
                plan.skipped += 1
            else:
                _plan_unit_12(unit, ns, reader, plan)
    return plan


def _translatable(element: Any, ns: str) -> bool:
    """``translate`` of the element or the nearest group/file that says (default: yes)."""
    while element is not None and isinstance(element.tag, str):
        value = element.get("translate")
        if value is not None:
            return value.strip().lower() != "no"
        if element.tag == f"{{{ns}}}file":
            break
        element = element.getparent()
    return True


def _has_text(element: Any) -> bool:
    return any(t.strip() for t in element.itertext())


def _plan_unit_12(unit: Any, ns: str, reader: _Reader, plan: _Plan) -> None:
    source = unit.find(f"{{{ns}}}source")
    target = unit.find(f"{{{ns}}}target")
    if source is None:
        return
    if unit.get("approved") == "yes" or (target is not None and target.get("state") in _KEPT_12):
        plan.kept += 1
        return
    if target is not None and _has_text(target):
        redo = (target.get("state") in _UNTRANSLATED_12
                or target.get("state-qualifier") in _MT_QUALIFIERS_12)  # fmt: skip
        if not redo:
            plan.kept += 1
            return
    seg_source = unit.find(f"{{{ns}}}seg-source")
    segs = [] if seg_source is None else [m for m in seg_source.iter(f"{{{ns}}}mrk")
                                          if m.get("mtype") == "seg"]  # fmt: skip
    if segs:
        new = copy.deepcopy(seg_source)
        new.tag = f"{{{ns}}}target"
        new.attrib.clear()
        containers = [m for m in new.iter(f"{{{ns}}}mrk") if m.get("mtype") == "seg"]
        plan.jobs += [_Job(c, reader.content(c)) for c in containers]
    else:
        new = unit.makeelement(f"{{{ns}}}target", {})
        plan.jobs.append(_Job(new, reader.content(source)))
    if target is not None:
        for name, value in target.attrib.items():
            new.set(name, value)
    new.set("state", REVIEW_STATE_12)
    new.set("state-qualifier", MT_QUALIFIER_12)
    _place(unit, new, target, seg_source if seg_source is not None else source)
    plan.filled += 1


def _plan_segment_2(segment: Any, ns: str, reader: _Reader, plan: _Plan) -> None:
    source = segment.find(f"{{{ns}}}source")
    target = segment.find(f"{{{ns}}}target")
    if source is None:
        return
    if segment.get("state") == "final":
        plan.kept += 1
        return
    ours = (segment.get("subState") or "").startswith("mt:")  # an earlier run of this tool
    if target is not None and _has_text(target) and not ours:
        plan.kept += 1
        return
    new = segment.makeelement(f"{{{ns}}}target", {})
    if target is not None:
        for name, value in target.attrib.items():
            new.set(name, value)
    if source.get(XML_SPACE) and new.get(XML_SPACE) is None:
        new.set(XML_SPACE, source.get(XML_SPACE))
    plan.jobs.append(_Job(new, reader.content(source)))
    segment.set("state", REVIEW_STATE_2)
    segment.set("subState", MT_SUBSTATE_2)
    _place(segment, new, target, source)
    plan.filled += 1


def _place(parent: Any, new: Any, old: Any, after: Any) -> None:
    """``new`` in place of ``old``, or right after ``after`` (same indentation)."""
    if old is not None:
        new.tail = old.tail
        parent.replace(old, new)
        return
    before = after.getprevious()
    indent = before.tail if before is not None else parent.text
    new.tail = after.tail
    if indent is not None and not indent.strip():
        after.tail = indent
    parent.insert(parent.index(after) + 1, new)


class _Reader:
    """Inline content of a source as markup nodes."""

    def __init__(self, inline: Inline, version: str, ns: str):
        self.inline = inline
        self.version = version
        self.ns = ns

    def content(self, element: Any) -> list[Node]:
        out: list[Node] = []
        if element.text:
            out.append(Text(element.text))
        for child in element:
            out.append(self._node(child))
            if child.tail:
                out.append(Text(child.tail))
        return merge_text(out)

    def _node(self, child: Any) -> Node:
        from lxml import etree

        if not isinstance(child.tag, str):  # a comment, processing instruction or entity
            return self.inline.atom(child)
        qname = etree.QName(child)
        name = qname.localname
        if qname.namespace != self.ns:
            return self.inline.atom(child, "".join(child.itertext()))
        if name in _SPANS[self.version]:
            closed = child.get("translate") == "no" or child.get("mtype") == "protected"
            if closed:
                return self.inline.atom(child, "".join(child.itertext()))
            return self.inline.span(child, self.content(child))
        hard_break = self.version == "1" and name == "x" and child.get("ctype") == "lb"
        return self.inline.atom(child, " " if hard_break else "", hard_break=hard_break)


# ---------------------------------------------------------------------------- writing


def _fill(container: Any, pieces: list[Piece]) -> None:
    """The container's content replaced by the translated pieces."""
    container.text = None
    for child in list(container):
        container.remove(child)
    _emit(pieces, container)


def _emit(pieces: list[Piece], parent: Any) -> None:
    for piece in pieces:
        if isinstance(piece, str):
            _append_text(parent, piece)
        elif isinstance(piece, Ref):
            element = copy.deepcopy(piece.value)
            element.tail = None
            parent.append(element)
        elif isinstance(piece, Wrap):
            original = piece.value
            shell = parent.makeelement(original.tag, dict(original.attrib))
            parent.append(shell)
            _emit(piece.children, shell)


def _append_text(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
