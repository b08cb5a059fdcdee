"""``mt corpus ...``: build, align, search and export the sentence-aligned corpus store.

Commands parse options, call the library and print; all checks live in the library and raise
:class:`~mt.errors.UserError`, which :func:`mt.cli.main` turns into one line and exit code 2.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mt.cli.align import DEFAULT_METHOD, METHOD_HELP
from mt.cli.options import DbOption, ListFormat, ListFormatOption, QuietOption, VerboseOption
from mt.cli.output import detail, dump_json, info
from mt.cli.progress import progress
from mt.corpus.importer import DEFAULT_MAX_CHARS
from mt.errors import UserError

corpus_app = typer.Typer(
    help="Build, align, search and export the sentence-aligned corpus store.",
    no_args_is_help=True,
)

MAX_SEARCH_RESULTS = 100_000


class Dedup(StrEnum):
    none = "none"
    exact = "exact"
    normalized = "normalized"


def _pairs_option(pair: str | None) -> list[tuple[str, str]]:
    from mt.lang import PAIRS, parse_pair

    return [parse_pair(pair)] if pair else list(PAIRS)


@corpus_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Statement folders, TMX/TSV/JSONL files, or Moses file pairs (X.en X.ru).",
        ),
    ],  # fmt: skip
    db: DbOption = None,
    src: Annotated[
        str | None, typer.Option(metavar="LANG", help="Source language of headerless TSV.")
    ] = None,
    tgt: Annotated[
        str | None, typer.Option(metavar="LANG", help="Target language of headerless TSV.")
    ] = None,
    doc: Annotated[
        str | None,
        typer.Option(
            metavar="KEY", help="Document id for pairs whose file names none (default: its path)."
        ),
    ] = None,
    max_chars: Annotated[
        int, typer.Option(min=1, help="Longest segment accepted; longer pairs are skipped.")
    ] = DEFAULT_MAX_CHARS,
    post_edit: Annotated[
        bool,
        typer.Option(
            "--post-edit",
            help="SOURCE EDITED (text, Markdown or .docx) or one reviewed XLIFF file: the "
            "reviewed translation of --doc, stored as its human rendering, aligned into the "
            "memory, HTER measured.",
        ),
    ] = False,
    translator: Annotated[
        str | None, typer.Option(metavar="NAME", help="Who reviewed the post-edit (stored).")
    ] = None,
    date: Annotated[
        str | None, typer.Option(metavar="DATE", help="Date of the post-edit (YYYY-MM-DD).")
    ] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Import statements and parallel files; idempotent and all-or-nothing."""
    from mt.corpus.importer import import_paths
    from mt.corpus.store import Store
    from mt.lang import check_lang

    if any(str(p) == "-" for p in paths):
        raise UserError("corpus import reads files and folders, not standard input (-): "
                        "a document's identity is its file")  # fmt: skip
    src = check_lang(src) if src else None
    tgt = check_lang(tgt) if tgt else None
    if doc is not None and not doc.strip():
        raise UserError("--doc must not be empty")
    if post_edit:
        _import_post_edit(paths, db, src, tgt, doc, translator, date)
        return
    with Store.open(db) as store, progress("importing") as bar:
        report = import_paths(store, paths, src, tgt, doc=doc, max_chars=max_chars,
                              progress=bar.update)  # fmt: skip
    info(f"{report.summary()} -> {store.path}")
    for note in report.notes():
        info(f"note: {note}")


def _import_post_edit(paths, db, src, tgt, doc, translator, date) -> None:
    from mt.corpus.postedit import import_post_edit, is_xliff
    from mt.corpus.store import Store

    one_xliff = len(paths) == 1 and is_xliff(paths[0])
    if not doc or not (one_xliff or (len(paths) == 2 and src and tgt)):
        raise UserError("--post-edit takes SOURCE EDITED with --src and --tgt, or one "
                        "reviewed XLIFF file, and --doc KEY")  # fmt: skip
    with Store.open(db) as store:
        report = import_post_edit(store, paths[0], None if one_xliff else paths[1], src, tgt,
                                  doc=doc, translator=translator, date=date)  # fmt: skip
    info(f"{report.summary()} -> {store.path}")


@corpus_app.command("align")
def align_store_command(
    pair: Annotated[
        str | None, typer.Option(metavar="PAIR", help="Only this pair (e.g. en-ru); default all.")
    ] = None,
    method: Annotated[str, typer.Option(metavar="NAME", help=METHOD_HELP)] = DEFAULT_METHOD,
    force: Annotated[bool, typer.Option(help="Realign documents already aligned.")] = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Align every document's renderings in the store."""
    from mt.corpus.aligning import align_store
    from mt.corpus.store import Store

    with Store.open(db, create=False) as store, progress(f"aligning ({method})") as bar:
        counts = align_store(store, _pairs_option(pair), method=method, force=force,
                             progress=bar.update)  # fmt: skip
    for (a, b), (aligned, skipped) in counts.items():
        info(f"{a}-{b}: {aligned} documents aligned, {skipped} already aligned")


@corpus_app.command("beads")
def beads_command(
    doc: Annotated[str, typer.Argument(metavar="DOC", help="Document id.")],
    pair: Annotated[str, typer.Option(metavar="PAIR", help="Language pair, e.g. en-ru.")] = (
        "en-ru"
    ),
    method: Annotated[
        str | None, typer.Option(metavar="NAME", help="gold, import, or an aligner's name.")
    ] = None,
    text: Annotated[bool, typer.Option("--text", help="Show the sentences too.")] = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Print a document's stored beads in the bead format."""
    from mt.corpus.align.beads import format_bead
    from mt.corpus.store import Store
    from mt.lang import parse_pair

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
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="PATH|-",
            help="Output path (Moses: PATH.src, PATH.tgt); - writes tmx, tsv or jsonl to stdout.",
        ),
    ],
    pair: Annotated[str, typer.Option(metavar="PAIR", help="Language pair, e.g. en-ru.")] = (
        "en-ru"
    ),
    fmt: Annotated[
        str, typer.Option("--format", metavar="NAME", help="Output format: {writers}.")
    ] = "tmx",
    min_len: Annotated[int, typer.Option(help="Minimum words per side.")] = 1,
    max_len: Annotated[int, typer.Option(help="Maximum words per side.")] = 400,
    max_ratio: Annotated[float, typer.Option(help="Maximum character length ratio.")] = 3.0,
    min_score: Annotated[
        float | None, typer.Option(help="Only beads whose aligner confidence is at least this.")
    ] = None,
    script: Annotated[bool, typer.Option(help="Check each side's script.")] = True,
    dedup: Annotated[Dedup, typer.Option(help="Drop duplicate pairs.")] = Dedup.normalized,
    include_machine: Annotated[bool, typer.Option(help="Keep machine-translated sides.")] = False,
    split: Annotated[
        str | None, typer.Option(metavar="SPLIT", help="Only documents of this split.")
    ] = None,
    method: Annotated[
        str | None, typer.Option(metavar="NAME", help="Alignment method to export.")
    ] = None,
    db: DbOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Export aligned pairs through the filters ({filters}); streaming, written atomically."""
    from mt.corpus.exporting import check_export_format, export_pairs
    from mt.corpus.filters import build_filters
    from mt.corpus.split import check_split
    from mt.corpus.store import Store
    from mt.lang import parse_pair

    src, tgt = parse_pair(pair)
    fmt = check_export_format(fmt, out)
    split = check_split(split) if split else None
    filters = build_filters(
        min_len=min_len, max_len=max_len, max_ratio=max_ratio, script=script,
        dedup=dedup.value, include_machine=include_machine,
    )  # fmt: skip
    to_stdout = str(out) == "-"
    if to_stdout:
        sys.stdout.flush()
    with Store.open(db, readonly=True) as store, progress(f"exporting {src}-{tgt}") as bar:
        written, stats = export_pairs(
            store, src, tgt, fmt, out, filters, method=method, split=split,
            min_score=min_score, stream=sys.stdout.buffer if to_stdout else None,
            progress=bar.update,
        )  # fmt: skip
    rejected = ", ".join(f"{k}: {v}" for k, v in sorted(stats.items()) if v) or "none"
    where = "standard output" if to_stdout else str(out)
    info(f"{written} {src}-{tgt} pairs written to {where} (filtered out: {rejected})")


@corpus_app.command("stats")
def stats_command(
    db: DbOption = None,
    fmt: ListFormatOption = ListFormat.text,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Documents, sentences and beads per language and pair, bead types."""
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        stats = store.stats()
    if as_json or fmt is ListFormat.json:
        dump_json(stats)
        return
    _stats_tables(stats, store.path)


def _stats_tables(stats: dict, path: object) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{stats['documents']}[/] documents in {path}")
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
    query: Annotated[str, typer.Argument(metavar="QUERY", help="Words or an FTS5 query.")],
    lang: Annotated[str | None, typer.Option(metavar="LANG", help="Only this language.")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_SEARCH_RESULTS, metavar="N", help="Maximum results.")
    ] = 20,
    db: DbOption = None,
    fmt: ListFormatOption = ListFormat.text,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Full-text search over the stored sentences."""
    from mt.corpus.store import Store
    from mt.lang import check_lang

    lang = check_lang(lang) if lang else None
    if not query.strip():
        raise UserError("empty search query")
    with Store.open(db, readonly=True) as store:
        rows = store.search(query, lang, limit)
    if fmt is ListFormat.json:
        dump_json([{"doc": d, "lang": lng, "sentence": i, "text": t} for d, lng, i, t in rows])
        return
    if not rows:
        info("no matches")
    for doc_key, lng, idx, text in rows:
        print(f"{doc_key}\t{lng}\t{idx}\t{text}")


@corpus_app.command("docs")
def docs_command(
    split: Annotated[
        str | None, typer.Option(metavar="SPLIT", help="Only documents of this split.")
    ] = None,
    db: DbOption = None,
    fmt: ListFormatOption = ListFormat.text,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List the documents in the store with their split and languages."""
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        docs = store.documents(split)
    if fmt is ListFormat.json:
        dump_json([{"doc": d.key, "split": d.split, "languages": list(d.languages),
                    "date": d.date, "title": d.title} for d in docs])  # fmt: skip
        return
    for d in docs:
        print(f"{d.key}\t{d.split}\t{','.join(d.languages)}\t{d.date or ''}\t{d.title or ''}")


@corpus_app.command("migrate")
def migrate_command(
    source: Annotated[
        str, typer.Option("--from", metavar="STORE", help="Store to copy (SQLite file or URL).")
    ],
    target: Annotated[
        str, typer.Option("--to", metavar="STORE", help="Store to fill (postgresql://... or file).")
    ],
    force: Annotated[
        bool, typer.Option(help="Replace the contents of a non-empty target.")
    ] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
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
    info(f"copied {copied} -> {dst.path}")
    detail(f"tables: {', '.join(counts)}")
