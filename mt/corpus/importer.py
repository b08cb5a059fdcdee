"""``mt corpus import``: statement folders and pair files into the store.

Three rules make an import safe to repeat and to run beside other writers:

* **Parse first, then lock.** Statement folders are read, segmented and validated in memory
  (they are small); pair files stream into the store's TEMP staging tables, so memory stays
  bounded whatever the file size. Only then does one write transaction copy everything in:
  a bad file anywhere leaves the store exactly as it was, and the write lock is held for the
  copy alone.
* **Identity.** A statement folder is its ``id`` (or folder name). A pair file's document is
  the document named in the file (TMX ``x-doc``, JSONL ``doc``), else ``--doc KEY``, else the
  file's resolved path, so two ``train.en`` files in different folders never overwrite each
  other. Every rendering remembers who provides it (its ``source``).
* **Replace only your own.** Re-importing a statement folder replaces the folder's own
  renderings and gold and keeps everything else of the document (machine renderings, pairs
  imported from TMX, their alignments); machine renderings made from a source text that has
  changed are marked stale, not deleted. Re-importing a pair file replaces what that file
  provided. Unchanged content is skipped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mt.corpus.records import PairRecord
from mt.corpus.statement import Statement, is_statement_dir, load_statement
from mt.corpus.store import STATEMENT_SOURCE, PairStage, StagedDocument, Store
from mt.errors import UserError
from mt.lang import canonical_pair, check_lang, normalize, standard_script

#: Longest segment (characters) accepted on import; longer pairs are skipped and counted,
#: longer sentences in a statement folder are an error. Bounds the work of every later step.
DEFAULT_MAX_CHARS = 20_000
#: Rows per insert into the staging tables.
_BATCH = 4096


@dataclass
class ImportReport:
    """What an import did, for the one-paragraph summary the CLI prints."""

    added: list[str] = field(default_factory=list)  # documents
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renderings: Counter = field(default_factory=Counter)  # added/replaced/kept/removed
    pairs: int = 0
    stale: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> pairs
    shared: dict[str, list[str]] = field(default_factory=dict)  # doc -> other sources

    def summary(self) -> str:
        docs = (f"{len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged documents")  # fmt: skip
        parts = [docs]
        if self.renderings:
            order = ("added", "replaced", "kept", "removed")
            parts.append("renderings: " + ", ".join(
                f"{self.renderings[k]} {k}" for k in order if self.renderings[k]))  # fmt: skip
        parts.append(f"{self.pairs} pairs imported")
        if self.stale:
            parts.append(f"{self.stale} machine renderings marked stale (source text changed)")
        if self.skipped:
            reasons = _reasons(self.skipped)
            parts.append(f"skipped {sum(self.skipped.values())} pairs ({reasons})")
        return "; ".join(parts)

    def notes(self) -> list[str]:
        """Collisions: documents that now hold text from more than one source."""
        return [f"document {key!r} also holds text from: {', '.join(others)}"
                for key, others in sorted(self.shared.items())]  # fmt: skip


@dataclass
class _Prepared:
    """A statement with its renderings segmented, ready to write."""

    statement: Statement
    paragraphs: dict[str, list[list[str]]]

    @property
    def digest(self) -> str:
        """Content and segmentation: a new segmenter re-imports even unchanged text."""
        h = hashlib.sha256(self.statement.content_hash.encode())
        h.update(repr(sorted(self.paragraphs.items())).encode())
        return h.hexdigest()


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


def prepare_statement(folder: Path, max_chars: int = DEFAULT_MAX_CHARS) -> _Prepared:
    """Load, segment and check a statement folder (gold indexes must fit the segmentation)."""
    from mt.corpus.segment import segment

    st = load_statement(folder)
    paragraphs = {
        lang: segment(standard_script(r.text, lang), lang) for lang, r in st.renderings.items()
    }
    for lang, paras in paragraphs.items():
        longest = max((len(s) for p in paras for s in p), default=0)
        if longest > max_chars:
            raise UserError(f"a sentence of {longest} characters (limit {max_chars}; raise it "
                            "with --max-chars)", folder / f"{lang}.txt")  # fmt: skip
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
    """Replace the folder's own renderings and gold; keep the rest of the document."""
    st = prep.statement
    old = store.document_hash(st.key)
    if old == prep.digest:
        report.unchanged.append(st.key)
        return
    (report.added if old is None else report.updated).append(st.key)
    meta = dict(st.meta)
    meta.setdefault("title", st.key)
    doc_id = store.upsert_document(st.key, meta, prep.digest)
    existing = store.provided_renderings(doc_id, STATEMENT_SOURCE)
    rids: dict[str, int] = {}
    for lang, r in st.renderings.items():
        digest = hashlib.sha256(r.text.encode()).hexdigest()
        current = existing.pop(lang, None)
        if current is not None and _same_rendering(store, current, r, digest, prep, lang):
            rids[lang] = current.id
            report.renderings["kept"] += 1
        else:
            if current is not None:
                store.delete_rendering(current.id)
            report.renderings["replaced" if current is not None else "added"] += 1
            rids[lang] = store.insert_rendering(
                doc_id, lang, prep.paragraphs[lang], text=r.text, origin=r.origin,
                content_hash=digest, model=r.model, revision=r.revision, backend=r.backend,
                translator=r.translator, source=STATEMENT_SOURCE,
            )  # fmt: skip
        report.stale += store.mark_stale(doc_id, lang, digest)
    for gone in existing.values():  # a language the folder no longer has
        store.delete_rendering(gone.id)
        report.renderings["removed"] += 1
    store.delete_alignments(doc_id, "gold")
    for (a, b), beads in st.gold.items():
        store.save_alignment(rids[a], rids[b], "gold", beads)


def _same_rendering(store: Store, current, r, digest: str, prep: _Prepared, lang: str) -> bool:
    """Same text, provenance and segmentation: keep the stored rendering (and alignments)."""
    if (current.content_hash, current.origin, current.model, current.translator) != (
        digest, r.origin, r.model, r.translator,
    ):  # fmt: skip
        return False
    wanted = [[normalize(s, lang) for s in para] for para in prep.paragraphs[lang]]
    return store.paragraphs(current.id) == [p for p in wanted if p]


# -- pair files -----------------------------------------------------------------------------


class _DocStager:
    """One document's pairs from one source, streamed into the staging tables."""

    def __init__(self, stage: PairStage, key: str, source: str, rec: PairRecord, a: str, b: str):
        self.stage_id = stage.new_document()
        self.key, self.source, self.a, self.b = key, source, a, b
        self.date = rec.date
        first = rec if rec.src_lang == a else rec.swapped()
        self.origins = (first.src_origin, first.tgt_origin)
        self.hashes = (hashlib.sha256(), hashlib.sha256())
        self.counts = [0, 0]
        self.pairs = 0

    def add(self, left: str, right: str, score: float | None, segs: list, beads: list) -> None:
        for side, text in enumerate((left, right)):
            segs.append((self.stage_id, side, self.counts[side], text))
            self.hashes[side].update(text.encode() + b"\n")
        beads.append((self.stage_id, self.pairs, self.counts[0], 1, self.counts[1], 1, score))
        self.counts[0] += 1
        self.counts[1] += 1
        self.pairs += 1

    def staged(self) -> StagedDocument:
        return StagedDocument(
            self.stage_id, self.key, self.source, self.a, self.b, self.date, *self.origins,
            self.hashes[0].hexdigest(), self.hashes[1].hexdigest(), self.pairs,
        )  # fmt: skip


def stage_source(stage: PairStage, source, src: str | None, tgt: str | None, *,
                 doc: str | None, max_chars: int, report: ImportReport) -> int:  # fmt: skip
    """Stream one source's pairs into the staging tables; returns how many were staged.

    A file that yields no pair at all is an error that says why (every unit skipped, no
    language tags, ...), never a silent "0 pairs imported".
    """
    from mt.corpus.formats._common import SKIPPED_EMPTY

    stats: Counter = Counter()
    label = _source_name(source)
    default_key = doc or str(Path(source.label).resolve())
    docs: dict[str, _DocStager] = {}
    segs: list[tuple] = []
    beads: list[tuple] = []
    too_long = f"a side longer than {max_chars} characters"
    for rec in source.read(src, tgt, stats):
        (a, b), _ = canonical_pair(check_lang(rec.src_lang), check_lang(rec.tgt_lang))
        if rec.src_lang != a:
            rec = rec.swapped()
        left, right = _clean(rec.src, a), _clean(rec.tgt, b)
        if not left or not right:
            stats[SKIPPED_EMPTY] += 1
            continue
        if len(left) > max_chars or len(right) > max_chars:
            stats[too_long] += 1
            continue
        key = rec.doc_key or default_key
        stager = docs.get(key) or docs.setdefault(key, _DocStager(stage, key, label, rec, a, b))
        stager.add(left, right, rec.score, segs, beads)
        if len(segs) >= _BATCH:
            stage.add(segs, beads)
            segs.clear()
            beads.clear()
    stage.add(segs, beads)
    for why, n in stats.items():
        report.skipped[why.removeprefix("skipped: ")] += n
    if not docs:
        reasons = _reasons(Counter({w.removeprefix("skipped: "): n for w, n in stats.items()}))
        raise UserError("no pairs in file" + (f" (skipped: {reasons})" if reasons else ""),
                        source.label)  # fmt: skip
    for stager in docs.values():
        stage.finish(stager.staged())
    return sum(s.pairs for s in docs.values())


def _reasons(counts: Counter) -> str:
    """``blank line: 2, a side empty: 1``: most frequent first."""
    return ", ".join(f"{why}: {n}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _clean(text: str, lang: str) -> str:
    """One segment: whitespace runs collapsed, NFC and the language's normalization."""
    return normalize(" ".join(text.split()), lang)


def _source_name(source) -> str:
    """What renderings record as their provider: the resolved path(s) of the file(s)."""
    return "+".join(str(Path(p).resolve()) for p in source.paths)


def write_staged(store: Store, stage: PairStage, report: ImportReport) -> None:
    """Copy the staged documents in (inside the caller's write transaction)."""
    for doc in stage.documents():
        doc_id = store.document_id(doc.key)
        if doc_id is not None and (doc.a_hash, doc.b_hash) in store.pair_hashes(
            doc_id, doc.a, doc.b, doc.source
        ):
            report.unchanged.append(doc.key)
            continue
        if doc_id is None:
            meta = {"title": Path(doc.key).name or doc.key, "date": doc.date,
                    "source": doc.source}  # fmt: skip
            doc_id, _ = store.ensure_document(doc.key, meta)
            report.added.append(doc.key)
        else:
            report.updated.append(doc.key)
            others = store.other_sources(doc_id, doc.a, doc.b, doc.source)
            if others:
                report.shared[doc.key] = others
        store.prepare_staged(doc, doc_id)
        report.pairs += doc.pairs
    store.copy_staged()


# -- the command ----------------------------------------------------------------------------


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    src: str | None = None,
    tgt: str | None = None,
    *,
    doc: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import everything named on the command line: parse, then one write transaction.

    ``progress(done, total)`` is called as each folder is read and each file staged."""
    from mt.corpus.formats import detect_sources

    if max_chars < 1:
        raise UserError(f"--max-chars must be at least 1, not {max_chars}")
    folders, files = expand_paths(paths)
    sources = _unique_sources(detect_sources(files, src, tgt) if files else [])
    total, done = len(folders) + len(sources), 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    prepared = []
    for folder in folders:
        prepared.append(prepare_statement(folder, max_chars))
        step()
    keys = [p.statement.key for p in prepared]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise UserError(f"two statement folders have the same id: {', '.join(sorted(dupes))}")
    report = ImportReport()
    with store.staging() as stage:
        for source in sources:
            stage_source(stage, source, src, tgt, doc=doc, max_chars=max_chars, report=report)
            step()
        with store.bulk():
            for prep in prepared:
                write_statement(store, prep, report)
            write_staged(store, stage, report)
    return report


def _unique_sources(sources: list) -> list:
    """The same file named twice is imported once."""
    seen: set[str] = set()
    out = []
    for source in sources:
        name = _source_name(source)
        if name not in seen:
            seen.add(name)
            out.append(source)
    return out
