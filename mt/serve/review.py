"""The review page's library side: a draft sentence by sentence with glossary terms and QA
flags, approved sentences into the store (the translation memory grows), downloads.

The page (``static/``) only shows and edits; everything it needs is computed here:

* :func:`draft` — the translation of a text as sentences, each with its glossary terms
  (where they occur in the source, their required rendering, whether the draft has it) and
  the QA findings of :mod:`mt.evaluate.qa`; with a store, the draft is saved as the machine
  rendering of the document (as ``mt translate --store`` does);
* :func:`approve` — approved sentences stored as the human rendering of a document through
  :func:`mt.corpus.postedit.store_post_edit` (the same path as ``mt corpus import
  --post-edit``), so the next translation finds them in the memory, and the edit distance
  (HTER) against the stored machine draft is measured;
* :func:`export` — the reviewed translation as plain text, Word or XLIFF 1.2;
* :func:`upload_text` — the text of an uploaded file (text, Markdown, HTML, Word, XLIFF).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from mt.errors import UserError

EXPORT_FORMATS = ("txt", "docx", "xliff")


def doc_key_for(text: str, src: str, tgt: str) -> str:
    """A stable document key for a pasted text (the same text gets the same key)."""
    digest = hashlib.sha256(f"{src}-{tgt}\n{text.strip()}".encode()).hexdigest()[:12]
    return f"review-{digest}"


def draft(
    translator: Any, text: str, fmt: str = "text", *, db: Any = None, doc_key: str | None = None
) -> dict[str, Any]:
    """Translate ``text`` and describe every sentence for the page; with ``db``, store the
    draft as the machine rendering of ``doc_key`` (default :func:`doc_key_for`) so that an
    approval of the post-edited sentences measures HTER against it."""
    from mt.evaluate.qa import default_checks, run_qa

    result = translator.translate_text(text, fmt)
    doc_key = doc_key or doc_key_for(text, result.src, result.tgt)
    terms = getattr(translator, "_terms", None)
    sentences = []
    for s in result.sentences:
        found = []
        for m in terms.find(s.source) if terms is not None else []:
            target = terms.target(m.term)
            found.append(
                {
                    "start": m.start,
                    "end": m.end,
                    "source": s.source[m.start : m.end],
                    "target": target,
                    "honoured": terms.honoured(m.term, s.translation),
                }
            )
        sentences.append(
            {
                "index": s.index,
                "paragraph": s.paragraph,
                "source": s.source,
                "translation": s.translation,
                "from_tm": s.from_tm,
                "terms": found,
                "qa": [],
            }
        )
    if result.sentences:
        report = run_qa(
            [s.source for s in result.sentences],
            [s.translation for s in result.sentences],
            result.src,
            result.tgt,
            checks=default_checks(None),
        )
        for index, findings in report.by_segment().items():
            sentences[index]["qa"] = [
                {k: v for k, v in f.to_dict().items() if k != "index"} for f in findings
            ]
    stored = db is not None and bool(sentences)
    if stored:
        _store_draft(db, doc_key, sentences, result)
    return {
        "source": result.src,
        "target": result.tgt,
        "model": result.model,
        "doc_key": doc_key,
        "stored": stored,
        "sentences": sentences,
    }


def _store_draft(db: Any, doc_key: str, sentences: list[dict[str, Any]], result: Any) -> None:
    """The draft as the machine rendering of ``doc_key`` (with its model and the source text
    it was made from), replacing an earlier draft by the same model; the source is stored as
    the page approves it (sentences joined into paragraphs), so an approval reuses it."""
    from mt.corpus.store import Store
    from mt.translate.storage import save_translations

    with Store.open(db) as store:
        save_translations(store, doc_key, _paragraphs(sentences, "source"), [result])


def _paragraphs(rows: Sequence[dict[str, Any]], side: str) -> str:
    """Sentences joined into paragraphs (blank line between), as the store keeps texts."""
    paragraphs: dict[int, list[str]] = {}
    for row in rows:
        text = " ".join(str(row.get(side, "")).split())
        if text:
            paragraphs.setdefault(int(row.get("paragraph", 0)), []).append(text)
    return "\n\n".join(" ".join(p) for _, p in sorted(paragraphs.items())) + "\n"


def _rows(sentences: Any) -> list[dict[str, Any]]:
    if not isinstance(sentences, list) or not sentences:
        raise UserError("sentences must be a non-empty list")
    rows = []
    for row in sentences:
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("source"), str)
            or not isinstance(row.get("translation"), str)
        ):
            raise UserError("each sentence needs a source and a translation (strings)")
        rows.append(row)
    return rows


def approve(
    db: Any, sentences: Any, src: str, tgt: str, *, doc: str, translator: str | None = None
) -> dict[str, Any]:
    """Store the approved sentences as the human rendering of ``doc``."""
    from mt.corpus.postedit import store_post_edit
    from mt.corpus.store import Store

    rows = [r for r in _rows(sentences) if r.get("approved", True)]
    if not rows:
        raise UserError("no approved sentence to store")
    if not doc or not isinstance(doc, str):
        raise UserError("doc_key is required")
    with Store.open(db) as store:
        report = store_post_edit(
            store,
            _paragraphs(rows, "source"),
            _paragraphs(rows, "translation"),
            src,
            tgt,
            doc=doc,
            translator=translator or None,
        )
    return {
        "doc_key": report.doc_key,
        "sentences": report.sentences,
        "aligned": report.aligned,
        "hter": report.hter,
        "summary": report.summary(),
    }


def export(
    sentences: Any, src: str, tgt: str, fmt: str, name: str = "review"
) -> tuple[bytes, str, str]:
    """(data, media type, file name) of the reviewed translation in ``fmt``."""
    rows = _rows(sentences)
    if fmt == "txt":
        return (
            _paragraphs(rows, "translation").encode(),
            "text/plain; charset=utf-8",
            f"{name}.{tgt}.txt",
        )
    if fmt == "docx":
        from docx import Document

        document = Document()
        for paragraph in _paragraphs(rows, "translation").strip().split("\n\n"):
            document.add_paragraph(paragraph)
        out = io.BytesIO()
        document.save(out)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return out.getvalue(), media, f"{name}.{tgt}.docx"
    if fmt == "xliff":
        units = "".join(
            f'   <trans-unit id="{i + 1}"><source>{escape(r["source"])}</source>'
            f'<target state="{"final" if r.get("approved") else "translated"}">'
            f"{escape(r['translation'])}</target></trans-unit>\n"
            for i, r in enumerate(rows)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
            f' <file original={quoteattr(name)} source-language="{src}" '
            f'target-language="{tgt}" datatype="plaintext">\n  <body>\n{units}  </body>\n'
            " </file>\n</xliff>\n"
        )
        return xml.encode(), "application/xliff+xml", f"{name}.{tgt}.xlf"
    raise UserError(f"unknown format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")


def upload_text(filename: str, data: bytes) -> tuple[str, str]:
    """(text, format) of an uploaded file for the review page."""
    import tempfile

    suffix = Path(filename or "upload.txt").suffix.lower()
    if not data:
        raise UserError("empty file")
    if suffix in (".xlf", ".xliff", ".sdlxliff"):
        # A file sent out for translation: its units' source text (targets may be missing).
        from mt.translate.documents.reviewed import xliff_sources

        return xliff_sources(data, filename).text(), "text"
    if suffix == ".docx":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            from mt.translate.documents.reviewed import docx_text

            return docx_text(path), "text"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("the file is not UTF-8 text") from None
    from mt.translate.markup import detect_format

    return text, detect_format(filename or "upload.txt")
