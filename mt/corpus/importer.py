"""``mt corpus import``: statement folders and pair files into the store.

Everything a command imports is read, segmented and validated first and then written in one
transaction, so a bad file anywhere leaves the store exactly as it was. Import is idempotent:
a document (or pair file) whose content hash is already stored is skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mt.corpus.align.base import Bead
from mt.corpus.records import PairRecord
from mt.corpus.statement import Statement, is_statement_dir, load_statement
from mt.corpus.store import Store
from mt.errors import UserError
from mt.lang import canonical_pair, check_lang, standard_script


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pairs: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged documents; {self.pairs} pairs imported"
            + (f", {self.skipped} skipped" if self.skipped else "")
        )


@dataclass
class _Prepared:
    """A statement with its renderings segmented, ready to write."""

    statement: Statement
    paragraphs: dict[str, list[list[str]]]


# -- classifying the command line -----------------------------------------------------------


def expand_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """Split the arguments into statement folders and pair files (classified later by
    :func:`mt.corpus.formats.detect_sources`). A folder of statement folders expands."""
    folders: list[Path] = []
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if is_statement_dir(path):
                folders.append(path)
                continue
            subdirs = sorted(p for p in path.iterdir() if is_statement_dir(p))
            if not subdirs:
                raise UserError("no statement folders (en.txt/az.txt/ru.txt + meta.toml) in", path)
            folders.extend(subdirs)
        else:
            files.append(path)
    return folders, files


# -- statements -----------------------------------------------------------------------------


def prepare_statement(folder: Path) -> _Prepared:
    """Load, segment and check a statement folder (gold indexes must fit the segmentation)."""
    from mt.corpus.segment import segment

    st = load_statement(folder)
    paragraphs = {
        lang: segment(standard_script(r.text, lang), lang) for lang, r in st.renderings.items()
    }
    counts = {lang: sum(map(len, paras)) for lang, paras in paragraphs.items()}
    for (a, b), beads in st.gold.items():
        path = folder / "gold" / f"{a}-{b}.beads"
        covered_a = [i for bead in beads for i in bead.src]
        covered_b = [i for bead in beads for i in bead.tgt]
        if covered_a != list(range(counts[a])) or covered_b != list(range(counts[b])):
            raise UserError(
                f"gold beads do not cover the segmented sentences exactly "
                f"({a}: {len(covered_a)} of {counts[a]}, {b}: {len(covered_b)} of {counts[b]})",
                path,
            )
    return _Prepared(st, paragraphs)


def write_statement(store: Store, prep: _Prepared, report: ImportReport) -> None:
    st = prep.statement
    digest = st.content_hash
    old = store.document_hash(st.key)
    if old == digest:
        report.unchanged.append(st.key)
        return
    (report.added if old is None else report.updated).append(st.key)
    meta = dict(st.meta)
    meta.setdefault("title", st.key)
    doc_id = store.upsert_document(st.key, meta, digest)
    langs = tuple(st.renderings)
    store.conn.execute(
        f"DELETE FROM renderings WHERE document_id = ? AND lang IN ({','.join('?' * len(langs))})",
        (doc_id, *langs),
    )
    rids: dict[str, int] = {}
    for lang, r in st.renderings.items():
        rids[lang] = store.insert_rendering(
            doc_id, lang, prep.paragraphs[lang], text=r.text, origin=r.origin,
            content_hash=hashlib.sha256(r.text.encode()).hexdigest(), model=r.model,
            revision=r.revision, backend=r.backend, translator=r.translator,
        )  # fmt: skip
    for (a, b), beads in st.gold.items():
        store.save_alignment(rids[a], rids[b], "gold", beads)


# -- pair files -----------------------------------------------------------------------------


def write_pairs(store: Store, records: Iterable[PairRecord], source: str, report: ImportReport
                ) -> None:  # fmt: skip
    """Store imported pairs: per document two renderings (one segment per pair side) and an
    ``import`` alignment of their beads. Empty sides become 1-0 / 0-1 beads."""
    docs: dict[str, list[PairRecord]] = {}
    default_doc = Path(source).name.split(".")[0] or source
    for rec in records:
        docs.setdefault(rec.doc_key or default_doc, []).append(rec)
    for key, recs in docs.items():
        _write_pair_doc(store, key, recs, source, report)


def _write_pair_doc(store: Store, key: str, recs: list[PairRecord], source: str,
                    report: ImportReport) -> None:  # fmt: skip
    (a, b), _ = canonical_pair(check_lang(recs[0].src_lang), check_lang(recs[0].tgt_lang))
    recs = [r if r.src_lang == a else r.swapped() for r in recs]
    sides: dict[str, list[str]] = {a: [], b: []}
    beads: list[Bead] = []
    for rec in recs:
        s_ids = _append(sides[a], rec.src)
        t_ids = _append(sides[b], rec.tgt)
        if s_ids or t_ids:
            beads.append(Bead(s_ids, t_ids, rec.score))
    hashes = {lang: hashlib.sha256("\n".join(sides[lang]).encode()).hexdigest() for lang in sides}
    doc_id = store.document_id(key)
    if doc_id is not None and _pair_unchanged(store, doc_id, a, b, source, hashes):
        report.unchanged.append(key)
        return
    if doc_id is None:
        doc_id = store.upsert_document(key, {"title": key, "date": recs[0].date,
                                             "source": source}, None)  # fmt: skip
        report.added.append(key)
    else:
        report.updated.append(key)
    origin = {a: recs[0].src_origin, b: recs[0].tgt_origin}
    rids = {
        lang: store.insert_rendering(
            doc_id,
            lang,
            [sides[lang]],
            text="\n".join(sides[lang]),
            origin=origin[lang],
            content_hash=hashes[lang],
            source=source,
        )  # fmt: skip
        for lang in (a, b)
    }
    store.save_alignment(rids[a], rids[b], "import", beads)
    report.pairs += len(beads)


def _append(side: list[str], text: str) -> tuple[int, ...]:
    text = " ".join(text.split())
    if not text:
        return ()
    side.append(text)
    return (len(side) - 1,)


def _pair_unchanged(store: Store, doc_id: int, a: str, b: str, source: str,
                    hashes: dict[str, str]) -> bool:  # fmt: skip
    rows = store.conn.execute(
        "SELECT rs.content_hash, rt.content_hash FROM alignments al"
        " JOIN renderings rs ON rs.id = al.src_rendering_id"
        " JOIN renderings rt ON rt.id = al.tgt_rendering_id"
        " WHERE rs.document_id = ? AND rs.lang = ? AND rt.lang = ? AND al.method = 'import'"
        " AND rs.source = ?",
        (doc_id, a, b, source),
    ).fetchall()
    return (hashes[a], hashes[b]) in rows


# -- the command ----------------------------------------------------------------------------


def import_paths(
    store: Store, paths: Sequence[str | Path], src: str | None = None, tgt: str | None = None
) -> ImportReport:
    """Import everything named on the command line in one transaction."""
    from mt.corpus.formats import detect_sources

    folders, files = expand_paths(paths)
    sources = detect_sources(files, src, tgt) if files else []
    prepared = [prepare_statement(folder) for folder in folders]
    keys = [p.statement.key for p in prepared]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise UserError(f"two statement folders have the same id: {', '.join(sorted(dupes))}")
    report = ImportReport()
    with store.bulk():
        for prep in prepared:
            write_statement(store, prep, report)
        for source in sources:
            name = "+".join(p.name for p in source.paths)
            write_pairs(store, source.read(src, tgt), name, report)
    return report
