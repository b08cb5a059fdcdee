"""Reading a reviewed document back as plain text, for ``mt corpus import --post-edit``.

The office's corrected translation comes back as the file it was sent out as: a Word file
or an XLIFF file from a CAT tool. The store keeps plain text, so only the words are taken:
Word paragraphs (body and tables, in document order) one per block, XLIFF units' source and
target text with inline tags dropped. XLIFF units are already paired, which keeps the
post-edit's paragraphs aligned with the source's.
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
    tree = _parse(read_bytes(path), str(path))
    root = tree.getroot()
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
    pairs = [
        (_words(source), _words(target))
        for source, target, unit in units
        if source is not None
        and target is not None
        and _translatable(unit, ns)
        and _words(source)
        and _words(target)
    ]
    if not pairs:
        raise UserError("no translated units in the XLIFF file", path)
    src, tgt = (_primary(x) if x else None for x in langs)
    return ReviewedXliff(src, tgt, pairs)


def _words(element) -> str:
    """An element's text without inline tags, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


__all__ = ["ReviewedXliff", "docx_text", "xliff_pairs"]
