"""Post-edits back into the store: the office's reviewed translation becomes the human
rendering of its document, and the translation memory grows from it.

A press office translates a release with ``mt translate --store --doc KEY``, a translator
corrects the draft (in a text editor, Word or a CAT tool), and ``mt corpus import
--post-edit`` brings the corrected text back:

* the edited text is stored as the ``human`` rendering of the document (with translator and
  date), next to the machine draft, which is kept;
* the source and the edited text are aligned and the alignment stored, so the next
  ``mt translate`` finds these sentences in the translation memory;
* the edit distance between draft and post-edit (HTER: sacrebleu's TER edits over the
  post-edit's words) is stored, and ``mt corpus stats`` shows it per language, so the office
  sees how much the engine saves.

Everything is read, segmented, aligned and scored before the write transaction starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mt.corpus.align.api import align_segmented, flatten
from mt.corpus.align.base import Bead
from mt.corpus.store import POST_EDIT_SOURCE, Store
from mt.errors import UserError
from mt.lang import canonical_pair, check_lang, standard_script


@dataclass
class PostEditReport:
    doc_key: str
    sentences: int
    aligned: int  # 1-1 beads that now feed the translation memory
    hter: float | None  # None when the store holds no machine draft to compare with
    draft_found: bool

    def summary(self) -> str:
        head = f"post-edit of {self.doc_key!r}: {self.sentences} sentences stored as the " \
               f"human rendering, {self.aligned} sentence pairs added to the memory"  # fmt: skip
        if self.hter is None:
            return head + "; no machine draft in the store to compare with"
        return head + f"; HTER against the machine draft {self.hter:.1f}"


@dataclass
class _Side:
    text: str
    paragraphs: list[list[str]]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _side(text: str, lang: str) -> _Side:
    from mt.corpus.segment import segment

    text = standard_script(text, lang)
    return _Side(text, segment(text, lang))


def read_text_of(path: str | Path) -> str:
    """A reviewed file as text: plain text or Markdown, or the words of a Word file."""
    from mt.textio import read_text

    if Path(path).suffix.lower() == ".docx":
        from mt.translate.documents.reviewed import docx_text

        return docx_text(path)
    return read_text(path)


def is_xliff(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".xlf", ".xliff", ".sdlxliff")


def edit_distance(draft: Sequence[Sequence[str]], edited: Sequence[Sequence[str]]
                  ) -> tuple[float, float]:  # fmt: skip
    """(TER edits, post-edit words) between the draft and the post-edit.

    Sentence by sentence when both have the same sentences, else paragraph by paragraph,
    else the whole text as one segment: TER needs segments that correspond.
    """
    from sacrebleu.metrics import TER

    d_sents, e_sents = flatten(draft), flatten(edited)
    if len(d_sents) == len(e_sents):
        hyps, refs = d_sents, e_sents
    elif len(draft) == len(edited):
        hyps, refs = [" ".join(p) for p in draft], [" ".join(p) for p in edited]
    else:
        hyps, refs = [" ".join(d_sents)], [" ".join(e_sents)]
    score = TER().corpus_score(hyps, [refs])
    return float(score.num_edits), float(score.ref_length)


def import_post_edit(
    store: Store,
    source_path: str | Path,
    edited_path: str | Path | None,
    src: str | None,
    tgt: str | None,
    *,
    doc: str,
    translator: str | None = None,
    date: str | None = None,
    method: str | None = None,
) -> PostEditReport:
    """Store a reviewed translation of ``doc`` from files (see the module docstring): a
    source and an edited file, or one reviewed XLIFF file (``edited_path`` None) whose units
    pair source and target and whose header gives the languages ``src``/``tgt`` may omit."""
    if edited_path is None:
        if not is_xliff(source_path):
            raise UserError("--post-edit needs SOURCE and EDITED files, or one XLIFF file",
                            source_path)  # fmt: skip
        from mt.translate.documents.reviewed import xliff_pairs

        reviewed = xliff_pairs(source_path)
        src, tgt = (
            _agree(reviewed.src_lang, src, "--src", source_path),
            _agree(reviewed.tgt_lang, tgt, "--tgt", source_path),
        )
        source_text, edited_text = reviewed.texts()
        edited_path = source_path
    else:
        if src is None or tgt is None:
            raise UserError("--post-edit needs --src and --tgt")
        source_text, edited_text = read_text_of(source_path), read_text_of(edited_path)
    return store_post_edit(store, source_text, edited_text, src, tgt, doc=doc,
                           translator=translator, date=date, method=method,
                           params={"file": str(Path(edited_path).resolve())})  # fmt: skip


def _agree(declared: str | None, given: str | None, option: str, path: str | Path) -> str:
    """The language of an XLIFF side: the file's and the option's must agree if both exist."""
    if declared is None and given is None:
        raise UserError(f"the XLIFF file names no language: give {option}", path)
    if declared is not None and given is not None and check_lang(given) != check_lang(declared):
        raise UserError(f"the XLIFF file is {declared}, not {given} ({option})", path)
    return check_lang(given or declared or "")


def store_post_edit(
    store: Store,
    source_text: str,
    edited_text: str,
    src: str,
    tgt: str,
    *,
    doc: str,
    translator: str | None = None,
    date: str | None = None,
    method: str | None = None,
    params: dict | None = None,
) -> PostEditReport:
    """Store a reviewed translation of ``doc`` given as texts (blank lines separate
    paragraphs); :func:`import_post_edit` reads files into this, and the review page of
    ``mt serve`` calls it when sentences are approved."""
    src, tgt = _check_pair(src, tgt)
    if not source_text.strip() or not edited_text.strip():
        raise UserError("empty text: nothing to store")
    return _store_post_edit(store, _side(source_text, src), _side(edited_text, tgt), src, tgt,
                            doc=doc, translator=translator, date=date, method=method,
                            params=params)  # fmt: skip


def _check_pair(src: str, tgt: str) -> tuple[str, str]:
    src, tgt = check_lang(src), check_lang(tgt)
    if src == tgt:
        raise UserError(f"source and target language are both {src}")
    return src, tgt


def _store_post_edit(store: Store, source: _Side, edited: _Side, src: str, tgt: str, *,
                     doc: str, translator: str | None, date: str | None, method: str | None,
                     params: dict | None = None) -> PostEditReport:  # fmt: skip
    beads = _align(source, edited, src, tgt, method)
    doc_id = store.document_id(doc)
    draft_rid = store.latest_machine_rendering(doc_id, tgt) if doc_id is not None else None
    measured = None
    if draft_rid is not None:
        measured = edit_distance(store.paragraphs(draft_rid), edited.paragraphs)
    params = {"date": date, **(params or {})}
    with store.transaction():
        doc_id, _ = store.ensure_document(doc, {"title": doc, "date": date})
        src_rid = store.rendering_hash(doc_id, src).get(source.digest)
        if src_rid is None:
            src_rid = store.insert_rendering(
                doc_id, src, source.paragraphs, text=source.text, origin="original",
                content_hash=source.digest, source=POST_EDIT_SOURCE,
            )  # fmt: skip
        human_rid = store.insert_rendering(
            doc_id, tgt, edited.paragraphs, text=edited.text, origin="human",
            content_hash=edited.digest, translator=translator, params=params,
            source=POST_EDIT_SOURCE,
        )  # fmt: skip
        (a, _b), flipped = canonical_pair(src, tgt)
        rids = (human_rid, src_rid) if flipped else (src_rid, human_rid)
        stored = [Bead(b.tgt, b.src, b.score) for b in beads] if flipped else beads
        store.save_alignment(*rids, method or _default_method(), stored)
        if measured is not None:
            store.save_post_edit(human_rid, draft_rid, len(flatten(edited.paragraphs)), *measured)
    hter = 100.0 * measured[0] / measured[1] if measured and measured[1] else None
    return PostEditReport(doc, len(flatten(edited.paragraphs)),
                          sum(1 for b in beads if len(b.src) == len(b.tgt) == 1), hter,
                          draft_rid is not None)  # fmt: skip


def _align(source: _Side, edited: _Side, src: str, tgt: str, method: str | None) -> list[Bead]:
    return align_segmented(source.paragraphs, edited.paragraphs, src, tgt,
                           method or _default_method())  # fmt: skip


def _default_method() -> str:
    from mt.corpus.align.base import DEFAULT_METHOD

    return DEFAULT_METHOD
