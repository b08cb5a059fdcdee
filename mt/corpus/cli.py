"""Commands of the corpus layer: ``mt align`` and ``mt corpus ...``.

Commands parse options, call the library and print; all checks live in the library and raise
:class:`~mt.errors.UserError`, which ``mt.cli.main`` turns into one line and exit code 2.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from mt.cli_common import DbOption
from mt.corpus.align.base import DEFAULT_METHOD
from mt.corpus.formats._common import one_line
from mt.corpus.importer import DEFAULT_MAX_CHARS
from mt.errors import UserError
from mt.lang import PAIRS, check_code, check_lang, parse_pair, standard_script

corpus_app = typer.Typer(
    help="Build, align, search and export the sentence-aligned corpus store.",
    no_args_is_help=True,
)


class AlignFormat(StrEnum):
    beads = "beads"
    tsv = "tsv"
    json = "json"


class ExportFormat(StrEnum):
    tmx = "tmx"
    moses = "moses"
    tsv = "tsv"
    jsonl = "jsonl"
    parquet = "parquet"


class Dedup(StrEnum):
    none = "none"
    exact = "exact"
    normalized = "normalized"


MAX_SEARCH_RESULTS = 100_000


def _console():
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


class _AlignGroup(TyperGroup):
    """``mt align SRC TGT ...`` aligns two files; ``mt align score GOLD TEST...`` scores.

    A group whose first argument, when it is not a subcommand, selects the hidden ``files``
    command: aligning two files stays the short form users type most.
    """

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


align_app = typer.Typer(
    cls=_AlignGroup,
    no_args_is_help=True,
    help="Align two renderings (mt align SRC TGT --src L1 --tgt L2), or score alignments "
    "against gold (mt align score GOLD TEST...). Any ISO 639 language code works.",
)


@align_app.command("files", hidden=True)
def align_command(
    src_file: Annotated[Path, typer.Argument(help="Source rendering (plain text, UTF-8).")],
    tgt_file: Annotated[Path, typer.Argument(help="Target rendering (plain text, UTF-8).")],
    src: Annotated[str, typer.Option("--src", help="Source language (any ISO 639 code).")],
    tgt: Annotated[str, typer.Option("--tgt", help="Target language (any ISO 639 code).")],
    fmt: Annotated[
        AlignFormat, typer.Option("--format", help="Output format.")
    ] = AlignFormat.beads,
    method: Annotated[str, typer.Option(help="Aligner (lexical, gale-church, ...).")] = (
        DEFAULT_METHOD
    ),
    presplit: Annotated[
        bool,
        typer.Option(
            "--presplit", help="One sentence per line already (vecalign/hunalign); no splitting."
        ),
    ] = False,
    scores: Annotated[bool, typer.Option("--scores", help="Append each bead's score.")] = False,
) -> None:
    """Align two plain-text renderings of one document (no store needed)."""
    from mt.corpus.align.api import align_documents, align_presplit
    from mt.corpus.align.beads import format_bead
    from mt.textio import read_lines, read_text

    src, tgt = check_code(src), check_code(tgt)
    if src == tgt:
        raise UserError(f"source and target language are both {src}")
    if presplit:
        src_sents = [standard_script(line, src) for line in read_lines(src_file)]
        tgt_sents = [standard_script(line, tgt) for line in read_lines(tgt_file)]
        beads = align_presplit(src_sents, tgt_sents, src, tgt, method=method)
    else:
        src_text = standard_script(read_text(src_file), src)
        tgt_text = standard_script(read_text(tgt_file), tgt)
        src_sents, tgt_sents, beads = align_documents(src_text, tgt_text, src, tgt, method)
    out = sys.stdout
    for bead in beads:
        s = " ".join(src_sents[i] for i in bead.src)
        t = " ".join(tgt_sents[i] for i in bead.tgt)
        if fmt is AlignFormat.beads:
            out.write(format_bead(bead, with_score=scores) + "\n")
        elif fmt is AlignFormat.tsv:
            out.write(f"{one_line(s)}\t{one_line(t)}\n")
        else:
            row = {"src": list(bead.src), "tgt": list(bead.tgt), src: s, tgt: t,
                   "score": bead.score}  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


@align_app.command("score")
def align_score_command(
    gold: Annotated[Path, typer.Argument(help="Gold beads (vecalign format).")],
    tests: Annotated[list[Path], typer.Argument(help="Bead files to score against the gold.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Strict and lax precision, recall and F1 of each TEST against GOLD, as vecalign's
    scorer computes them (null beads ignored in strict, pairs of sentences in lax)."""
    from mt.corpus.align.score import score_files

    rows = {str(test): score_files([gold], [test]) for test in tests}
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print("test\tstrict_p\tstrict_r\tstrict_f1\tlax_p\tlax_r\tlax_f1")
    for name, r in rows.items():
        figures = [r[f"{m}_{k}"] for k in ("strict", "lax") for m in ("precision", "recall", "f1")]
        print(name + "".join(f"\t{x:.4f}" for x in figures))


@corpus_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Statement folders, TMX/TSV/JSONL files, or Moses file pairs (X.en X.ru)."
        ),
    ],  # fmt: skip
    db: DbOption = None,
    src: Annotated[str | None, typer.Option(help="Source language of headerless TSV.")] = None,
    tgt: Annotated[str | None, typer.Option(help="Target language of headerless TSV.")] = None,
    doc: Annotated[
        str | None,
        typer.Option(help="Document id for pairs whose file names none (default: its path)."),
    ] = None,
    max_chars: Annotated[
        int, typer.Option(min=1, help="Longest segment accepted; longer pairs are skipped.")
    ] = DEFAULT_MAX_CHARS,
    post_edit: Annotated[
        bool,
        typer.Option(
            "--post-edit",
            help="SOURCE EDITED: a reviewed translation of --doc (text, Markdown or .docx); "
            "stored as its human rendering, aligned into the memory, HTER measured.",
        ),
    ] = False,
    translator: Annotated[
        str | None, typer.Option(help="Who reviewed the post-edit (stored with it).")
    ] = None,
    date: Annotated[str | None, typer.Option(help="Date of the post-edit (YYYY-MM-DD).")] = None,
) -> None:
    """Import statements and parallel files; idempotent and all-or-nothing."""
    from mt.corpus.importer import import_paths
    from mt.corpus.store import Store

    src = check_lang(src) if src else None
    tgt = check_lang(tgt) if tgt else None
    if doc is not None and not doc.strip():
        raise UserError("--doc must not be empty")
    if post_edit:
        _import_post_edit(paths, db, src, tgt, doc, translator, date)
        return
    with Store.open(db) as store:
        report = import_paths(store, paths, src, tgt, doc=doc, max_chars=max_chars)
    console = _console()
    console.print(f"{report.summary()} -> {store.path}", highlight=False)
    for note in report.notes():
        console.print(f"note: {note}", highlight=False)


def _import_post_edit(paths, db, src, tgt, doc, translator, date) -> None:
    from mt.corpus.postedit import import_post_edit
    from mt.corpus.store import Store

    if len(paths) != 2 or not (src and tgt and doc):
        raise UserError("--post-edit takes SOURCE EDITED with --src, --tgt and --doc")
    with Store.open(db) as store:
        report = import_post_edit(store, paths[0], paths[1], src, tgt, doc=doc,
                                  translator=translator, date=date)  # fmt: skip
    _console().print(f"{report.summary()} -> {store.path}", highlight=False)


def _pairs_option(pair: str | None) -> list[tuple[str, str]]:
    return [parse_pair(pair)] if pair else list(PAIRS)


@corpus_app.command("align")
def align_store_command(
    pair: Annotated[
        str | None, typer.Option(help="Only this pair (e.g. en-ru); default all.")
    ] = None,
    method: Annotated[str, typer.Option(help="Aligner (lexical, gale-church, ...).")] = (
        DEFAULT_METHOD
    ),
    force: Annotated[bool, typer.Option(help="Realign documents already aligned.")] = False,
    db: DbOption = None,
) -> None:
    """Align every document's renderings in the store."""
    from mt.corpus.aligning import align_store
    from mt.corpus.store import Store

    with Store.open(db, create=False) as store:
        counts = align_store(store, _pairs_option(pair), method=method, force=force)
    for (a, b), (aligned, skipped) in counts.items():
        _console().print(f"{a}-{b}: {aligned} documents aligned, {skipped} already aligned")


@corpus_app.command("beads")
def beads_command(
    doc: Annotated[str, typer.Argument(help="Document id.")],
    pair: Annotated[str, typer.Option(help="Language pair, e.g. en-ru.")] = "en-ru",
    method: Annotated[str | None, typer.Option(help="gold, import, gale-church, ...")] = None,
    text: Annotated[bool, typer.Option("--text", help="Show the sentences too.")] = False,
    db: DbOption = None,
) -> None:
    """Print a document's stored beads in the bead format."""
    from mt.corpus.align.beads import format_bead
    from mt.corpus.store import Store

    src, tgt = parse_pair(pair)
    with Store.open(db, readonly=True) as store:
        beads = store.beads(doc, src, tgt, method)
        s_sents = store.sentences(doc, src) if text else []
        t_sents = store.sentences(doc, tgt) if text else []
    for bead in beads:
        line = format_bead(bead, with_score=bead.score is not None)
        if text:
            s = " ".join(s_sents[i] for i in bead.src)
            t = " ".join(t_sents[i] for i in bead.tgt)
            line += f"\t{s}\t{t}"
        print(line)


@corpus_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="Output path (Moses: PATH.src, PATH.tgt).")],
    pair: Annotated[str, typer.Option(help="Language pair, e.g. en-ru.")] = "en-ru",
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.tmx,
    min_len: Annotated[int, typer.Option(help="Minimum words per side.")] = 1,
    max_len: Annotated[int, typer.Option(help="Maximum words per side.")] = 400,
    max_ratio: Annotated[float, typer.Option(help="Maximum character length ratio.")] = 3.0,
    min_score: Annotated[
        float | None, typer.Option(help="Only beads whose aligner confidence is at least this.")
    ] = None,
    script: Annotated[bool, typer.Option(help="Check each side's script.")] = True,
    dedup: Annotated[Dedup, typer.Option(help="Drop duplicate pairs.")] = Dedup.normalized,
    include_machine: Annotated[bool, typer.Option(help="Keep machine-translated sides.")] = False,
    split: Annotated[str | None, typer.Option(help="Only documents of this split.")] = None,
    method: Annotated[str | None, typer.Option(help="Alignment method to export.")] = None,
    db: DbOption = None,
) -> None:
    """Export aligned pairs with filters; streaming, written atomically."""
    from collections import Counter

    from mt.corpus import formats
    from mt.corpus.filters import apply_filters, build_filters
    from mt.corpus.split import check_split
    from mt.corpus.store import Store

    src, tgt = parse_pair(pair)
    split = check_split(split) if split else None
    if min_score is not None and not math.isfinite(min_score):
        raise UserError(f"--min-score must be a finite number, not {min_score}")
    filters = build_filters(
        min_len=min_len, max_len=max_len, max_ratio=max_ratio, script=script,
        dedup=dedup.value, include_machine=include_machine,
    )  # fmt: skip
    stats: Counter = Counter()
    with Store.open(db, readonly=True) as store:
        if method is not None and method not in store.alignment_methods(src, tgt):
            stored = ", ".join(store.alignment_methods(src, tgt)) or "none"
            raise UserError(f"no {src}-{tgt} alignments made by {method!r} in the store "
                            f"(stored methods: {stored})")  # fmt: skip
        pairs = store.iter_pairs(src, tgt, method=method, split=split, min_score=min_score)
        records = apply_filters(pairs, filters, stats)
        written = formats.WRITERS[fmt.value](records, out, src, tgt)
    rejected = ", ".join(f"{k}: {v}" for k, v in sorted(stats.items()) if v) or "none"
    _console().print(f"{written} {src}-{tgt} pairs written to {out} (filtered out: {rejected})")


@corpus_app.command("stats")
def stats_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Documents, sentences and beads per language and pair, bead types."""
    from rich.console import Console
    from rich.table import Table

    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        stats = store.stats()
    if as_json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"[bold]{stats['documents']}[/] documents in {store.path}")
    langs = Table("language", "renderings", "sentences", title="Languages")
    for lang, row in sorted(stats["languages"].items()):
        langs.add_row(lang, str(row["renderings"]), str(row["sentences"]))
    console.print(langs)
    pairs = Table("pair", "method", "beads", "bead types", title="Alignments")
    for pair, methods in sorted(stats["pairs"].items()):
        for method, row in sorted(methods.items()):
            types = ", ".join(f"{k}: {v}" for k, v in sorted(row["types"].items(),
                                                           key=lambda kv: -kv[1]))  # fmt: skip
            pairs.add_row(pair, method, str(row["beads"]), types)
    console.print(pairs)
    if stats["stale_machine_renderings"]:
        console.print(f"{stats['stale_machine_renderings']} machine renderings are stale "
                      "(their source text changed since they were made)")  # fmt: skip
    if stats["post_edits"]:
        edits = Table("language", "documents", "sentences", "HTER", title="Post-edits")
        for lang, row in stats["post_edits"].items():
            edits.add_row(lang, str(row["documents"]), str(row["sentences"]),
                          f"{row['hter']:.1f}")  # fmt: skip
        console.print(edits)


@corpus_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words or an FTS5 query.")],
    lang: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_SEARCH_RESULTS, help="Maximum results.")
    ] = 20,
    db: DbOption = None,
) -> None:
    """Full-text search over the stored sentences."""
    from mt.corpus.store import Store

    lang = check_lang(lang) if lang else None
    if not query.strip():
        raise UserError("empty search query")
    with Store.open(db, readonly=True) as store:
        rows = store.search(query, lang, limit)
    if not rows:
        _console().print("no matches")
    for doc_key, lng, idx, text in rows:
        print(f"{doc_key}\t{lng}\t{idx}\t{text}")


@corpus_app.command("docs")
def docs_command(
    split: Annotated[str | None, typer.Option(help="Only documents of this split.")] = None,
    db: DbOption = None,
) -> None:
    """List the documents in the store with their split and languages."""
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        docs = store.documents(split)
    for d in docs:
        print(f"{d.key}\t{d.split}\t{','.join(d.languages)}\t{d.date or ''}\t{d.title or ''}")


@corpus_app.command("migrate")
def migrate_command(
    source: Annotated[str, typer.Option("--from", help="Store to copy (SQLite file or URL).")],
    target: Annotated[str, typer.Option("--to", help="Store to fill (postgresql://... or file).")],
    force: Annotated[
        bool, typer.Option(help="Replace the contents of a non-empty target.")
    ] = False,
) -> None:
    """Copy a whole store (e.g. SQLite into PostgreSQL) in one transaction on the target."""
    from mt.corpus.store import CORPUS_TABLES, Store, copy_store, store_target
    from mt.evaluate import storage

    if str(store_target(source)) == str(store_target(target)):
        raise UserError("--from and --to name the same store")
    with Store.open(source, readonly=True) as src, Store.open(target) as dst, dst.transaction():
        tables = CORPUS_TABLES
        if storage.has_schema(src):  # evaluation runs, if the source has any tables of them
            storage.ensure_schema(dst)
            tables += storage.TABLES
        counts = copy_store(src, dst, force=force, tables=tables)
    copied = ", ".join(f"{n} {table}" for table, n in counts.items())
    _console().print(f"copied {copied} -> {dst.path}", highlight=False)
