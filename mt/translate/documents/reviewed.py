"""Reading a reviewed document back as plain text, for ``mt corpus import --post-edit``.

The office's corrected translation comes back as the file it was sent out as: a Word file
or an XLIFF file from a CAT tool. The store keeps plain text, so only the words are taken:
Word paragraphs (body and tables, in document order) one per block, XLIFF units' source and
target text with inline tags dropped. XLIFF units are already paired, which keeps the
post-edit's paragraphs aligned with the source's. A file not yet translated (units without
targets) gives its source text for a draft (:func:`xliff_sources`, the review page's upload).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mt.errors import UserError
from mt.translate.documents import read_bytes
from mt.translate.documents.xliff import _parse, _primary, _translatable, _version


def docx_text(path: str | Path) -> str:
    """The words of a Word file: one paragraph per block (blank line between), tables cell
    by cell, in document order."""
    import io

    from docx import Document
    from docx.oxml.ns import qn

    try:
        document = Document(io.BytesIO(read_bytes(path)))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise UserError(f"not a readable Word file ({type(exc).__name__})", path) from None
    blocks = []
    for para in document.element.body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in para.iter(qn("w:t"))).strip()
        if text:
            blocks.append(text)
    if not blocks:
        raise UserError("no text in the Word file", path)
    return "\n\n".join(blocks)


@dataclass
class ReviewedXliff:
    src_lang: str | None
    tgt_lang: str | None
    pairs: list[tuple[str, str]]  # (source, target) per translated unit or segment

    def texts(self) -> tuple[str, str]:
        """Source and target as documents, one unit per paragraph."""
        return ("\n\n".join(s for s, _ in self.pairs), "\n\n".join(t for _, t in self.pairs))


def xliff_pairs(path: str | Path) -> ReviewedXliff:
    """Source and (reviewed) target text of every translatable unit that has a target."""
    (src, tgt), units = _units(read_bytes(path), path)
    pairs = [
        (_words(source), _words(target))
        for source, target in units
        if target is not None and _words(source) and _words(target)
    ]
    if not pairs:
        raise UserError("no translated units in the XLIFF file", path)
    return ReviewedXliff(src, tgt, pairs)


@dataclass
class XliffSources:
    src_lang: str | None
    tgt_lang: str | None
    sources: list[str]  # source text per translatable unit or segment, in document order

    def text(self) -> str:
        """The source as a document, one unit per paragraph."""
        return "\n\n".join(self.sources)


def xliff_sources(path_or_bytes: str | Path | bytes, name: str = "upload.xlf") -> XliffSources:
    """Source text of every translatable unit, translated or not (a file sent out for
    translation has no targets yet). ``name`` labels errors when bytes are given."""
    if isinstance(path_or_bytes, bytes):
        if not path_or_bytes:
            raise UserError("empty file", name)
        data, where = path_or_bytes, name
    else:
        data, where = read_bytes(path_or_bytes), str(path_or_bytes)
    (src, tgt), units = _units(data, where)
    sources = [_words(source) for source, _ in units if _words(source)]
    if not sources:
        raise UserError("no source text in the XLIFF file", where)
    return XliffSources(src, tgt, sources)


def _units(data: bytes, path: str | Path) -> tuple[tuple[str | None, str | None], list]:
    """The file's (source, target) languages and the (source, target) elements of every
    translatable unit (XLIFF 1.x) or segment (2.x) that has a source; target may be None."""
    root = _parse(data, str(path)).getroot()
    version, ns = _version(root)
    if version == "2":
        langs = (root.get("srcLang"), root.get("trgLang"))
        units = [
            (s.find(f"{{{ns}}}source"), s.find(f"{{{ns}}}target"), u)
            for u in root.iter(f"{{{ns}}}unit")
            for s in u.findall(f"{{{ns}}}segment")
        ]
    else:
        first = next(root.iter(f"{{{ns}}}file"), None)
        langs = (
            (None, None)
            if first is None
            else (first.get("source-language"), first.get("target-language"))
        )
        units = [(u.find(f"{{{ns}}}source"), u.find(f"{{{ns}}}target"), u)
                 for u in root.iter(f"{{{ns}}}trans-unit")]  # fmt: skip
    src, tgt = (_primary(x) if x else None for x in langs)
    return (src, tgt), [
        (source, target)
        for source, target, unit in units
        if source is not None and _translatable(unit, ns)
    ]


def _words(element) -> str:
    """An element's text without inline tags, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


__all__ = ["ReviewedXliff", "XliffSources", "docx_text", "xliff_pairs", "xliff_sources"]
