"""Translations and the corpus store: which document a translation belongs to, opening the
store for the translation memory or for saving, and saving machine renderings with their
provenance (``mt translate --store``)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mt.errors import UserError
from mt.lang import LANGS

if TYPE_CHECKING:
    from mt.corpus.store import Store
    from mt.translate.pipeline import TranslationResult


def document_key(input_file: str, doc: str | None) -> str:
    """The store's document: ``doc``, else a statement folder's id, else the file's stem."""
    if doc:
        return doc
    if input_file == "-":
        raise UserError("--store with standard input needs --doc KEY")
    path = Path(input_file)
    if path.stem in LANGS:  # corpora/<doc>/en.txt: the document is the folder
        meta = path.parent / "meta.toml"
        try:
            key = tomllib.loads(meta.read_text(encoding="utf-8")).get("id")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            key = None
        return str(key or path.resolve().parent.name)
    return path.stem


@contextmanager
def open_store(db: Path | None, *, want_tm: bool, want_save: bool) -> Iterator[Store | None]:
    """The store when saving (created if needed) or for the translation memory (only if it
    exists: translating never creates a store as a side effect)."""
    from mt.corpus.store import Store, default_db_path

    path = db if db is not None else default_db_path()
    if not want_save and not (want_tm and path.is_file()):
        yield None
        return
    with Store.open(path, create=want_save, readonly=not want_save) as store:
        yield store


def save_translations(store: Store, doc_key: str, source: str,
                      results: list[TranslationResult]) -> None:  # fmt: skip
    """Every target as a machine rendering with provenance, in one transaction; the source
    too when the document is new (it is the text the translations were made from). Each
    rendering records its source text's hash, so a later change of that text marks it stale.
    """
    first = results[0]
    src_text = source if first.format == "text" else first.plain_text("source")
    with store.transaction():
        if store.document_id(doc_key) is None:
            store.add_rendering(doc_key, first.src, src_text, origin="original")
        for result in results:
            text = result.text if result.format == "text" else result.plain_text()
            route = result.provenance["route"]
            revisions = [step["revision"] for step in route]
            store.add_rendering(
                doc_key, result.tgt, text, origin="machine", model=result.model,
                revision=None if all(r is None for r in revisions)
                else "+".join(r or "-" for r in revisions),
                backend="+".join(dict.fromkeys(step["backend"] for step in route)),
                params=result.provenance, source_lang=first.src, source_text=src_text,
            )  # fmt: skip
