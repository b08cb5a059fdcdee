"""``mt translate`` (and the ``mt models`` group, re-exported from its own module).

The command checks everything it can before the slow part (input readable, languages valid,
output directory present, models loadable), translates every target, and only then writes:
outputs atomically and the store in one transaction, so a failure leaves nothing half done.
Only the translation goes to stdout; progress and glossary reports go to stderr.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli_common import DbOption
from mt.errors import UserError
from mt.lang import LANGS, check_lang
from mt.translate.models_cli import models_app

if TYPE_CHECKING:
    from mt.corpus.store import Store
    from mt.translate.pipeline import TranslationResult, Translator

__all__ = ["models_app", "translate_command"]

MAX_ISSUE_LINES = 20


class OutputFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"


class InputFormat(StrEnum):
    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"


class Backend(StrEnum):
    auto = "auto"
    ct2 = "ct2"
    hf = "hf"


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class GlossaryMode(StrEnum):
    repair = "repair"
    mask = "mask"
    verify = "verify"


def translate_command(
    input_file: Annotated[
        str, typer.Argument(metavar="[FILE|-]", help="Text to translate; - or none: stdin.")
    ] = "-",
    src: Annotated[str, typer.Option("--src", help="Source language (en, az, ru).")] = ...,
    tgt: Annotated[
        str, typer.Option("--tgt", help="Target language(s), comma-separated: ru or ru,az.")
    ] = ...,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model hub id or local directory (default: models.toml)."),
    ] = None,
    backend: Annotated[
        Backend, typer.Option("--backend", help="Inference backend.")
    ] = Backend.auto,
    device: Annotated[Device, typer.Option("--device", help="Where to run.")] = Device.auto,
    beam: Annotated[int, typer.Option("--beam", min=1, help="Beam size (1: greedy).")] = 4,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text (layout kept) or jsonl (per sentence).")
    ] = OutputFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (several targets: FILE.ru.ext, FILE.az.ext)."),
    ] = None,
    input_format: Annotated[
        InputFormat, typer.Option("--input-format", help="Input markup (auto: by extension).")
    ] = InputFormat.auto,
    store: Annotated[
        bool, typer.Option("--store", help="Save the translation into the corpus store.")
    ] = False,
    doc: Annotated[
        str | None,
        typer.Option("--doc", help="Document key for --store (default: from the file name)."),
    ] = None,
    db: DbOption = None,
    glossary: Annotated[
        Path | None, typer.Option("--glossary", help="Glossary TSV (en, az, ru [, type]).")
    ] = None,
    no_glossary: Annotated[
        bool, typer.Option("--no-glossary", help="Do not enforce any glossary.")
    ] = False,
    glossary_mode: Annotated[
        GlossaryMode,
        typer.Option(
            "--glossary-mode",
            help="repair: re-translate misses with terms masked; "
            "mask: mask every term; verify: only report.",
        ),
    ] = GlossaryMode.repair,
    tm: Annotated[
        bool, typer.Option("--tm/--no-tm", help="Reuse human translations from the store.")
    ] = True,
    batch_tokens: Annotated[
        int | None,
        typer.Option("--batch-tokens", min=1, help="Source tokens per batch (default by device)."),
    ] = None,
    threads: Annotated[
        int | None, typer.Option("--threads", min=1, help="CPU threads (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Translate a new release (plain text, Markdown or HTML) into one or more languages."""
    from mt.textio import read_text
    from mt.translate.markup import detect_format

    src = check_lang(src)
    targets = _targets(tgt, src)
    outputs = _output_paths(out, targets)
    text = read_text(input_file)
    in_fmt = detect_format(input_file, input_format.value)
    doc_key = _doc_key(input_file, doc) if store else None
    gloss: Path | bool | None = False if no_glossary else glossary
    with _open_store(db, want_tm=tm, want_save=store) as opened:
        translators = [
            _translator(src, t, model, backend.value, device.value, beam, gloss,
                        glossary_mode.value, tm, opened, batch_tokens, threads)
            for t in targets
        ]  # fmt: skip
        show = not quiet and input_file != "-"
        results = [_run(tr, text, in_fmt, show) for tr in translators]
        for result in results:
            _report_issues(result)
        if store and opened is not None:
            _save(opened, doc_key or "", text, results)
    _write(results, outputs, fmt)


# ---------------------------------------------------------------------------- checks


def _targets(tgt: str, src: str) -> list[str]:
    targets = list(dict.fromkeys(check_lang(t) for t in tgt.split(",") if t.strip()))
    if not targets:
        raise UserError("--tgt names no language (e.g. --tgt ru or --tgt ru,az)")
    if src in targets:
        raise UserError(f"unsupported direction {src}-{src}: source and target are the same")
    return targets


def _output_paths(out: Path | None, targets: list[str]) -> dict[str, Path] | None:
    """Where each target goes (None: stdout); checked now, before any work is done."""
    if out is None:
        return None
    if str(out) == "-":
        return None
    paths = {t: out if len(targets) == 1 else _with_lang(out, t) for t in targets}
    for path in paths.values():
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise UserError("output directory does not exist", parent)
        if path.is_dir():
            raise UserError("output path is a directory", path)
    return paths


def _with_lang(path: Path, lang: str) -> Path:
    """``out.txt`` → ``out.ru.txt``; ``out`` → ``out.ru``."""
    name = f"{path.stem}.{lang}{path.suffix}" if path.suffix else f"{path.name}.{lang}"
    return path.with_name(name)


def _doc_key(input_file: str, doc: str | None) -> str:
    """The store's document: ``--doc``, else a statement folder's id, else the file's stem."""
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
def _open_store(db: Path | None, *, want_tm: bool, want_save: bool) -> Iterator[Store | None]:
    """The store when saving (created if needed) or for the translation memory (only if it
    exists: translating never creates a store as a side effect)."""
    from mt.corpus.store import Store, default_db_path

    path = db if db is not None else default_db_path()
    if not want_save and not (want_tm and path.is_file()):
        yield None
        return
    with Store.open(path, create=want_save, readonly=not want_save) as store:
        yield store


def _translator(src, tgt, model, backend, device, beam, glossary, glossary_mode, tm, store,
                batch_tokens, threads) -> Translator:  # fmt: skip
    from mt.translate.pipeline import Translator

    return Translator(src, tgt, model, backend=backend, device=device, threads=threads,
                      beam=beam, glossary=glossary, glossary_mode=glossary_mode, tm=tm,
                      store=store, batch_tokens=batch_tokens)  # fmt: skip


# ---------------------------------------------------------------------------- running


def _run(translator: Translator, text: str, fmt: str, show: bool) -> TranslationResult:
    label = f"{translator.src}→{translator.tgt}"
    with _progress_bar(show, label) as update:
        return translator.translate_text(text, fmt, progress=update)


@contextmanager
def _progress_bar(enabled: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (only on a terminal: logs stay clean)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"translating {label}", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _report_issues(result: TranslationResult) -> None:
    """Glossary terms not honoured, one line each (at most MAX_ISSUE_LINES), on stderr."""
    issues = result.glossary_issues
    for index, issue in issues[:MAX_ISSUE_LINES]:
        print(f"mt: glossary ({result.src}-{result.tgt}): sentence {index + 1}: "
              f"{issue.source!r} not rendered as {issue.target!r}", file=sys.stderr)  # fmt: skip
    if len(issues) > MAX_ISSUE_LINES:
        print(f"mt: glossary ({result.src}-{result.tgt}): {len(issues) - MAX_ISSUE_LINES} "
              "more terms not honoured (see --format jsonl)", file=sys.stderr)  # fmt: skip


def _save(store: Store, doc_key: str, source: str, results: list[TranslationResult]) -> None:
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


# ---------------------------------------------------------------------------- output


def _render(result: TranslationResult, fmt: OutputFormat) -> str:
    if fmt is OutputFormat.text:
        return result.text
    lines = []
    for record in result.sentences:
        data = {"src": result.src, "tgt": result.tgt, **record.as_dict()}
        lines.append(json.dumps(data, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _write(results: list[TranslationResult], outputs: dict[str, Path] | None,
           fmt: OutputFormat) -> None:  # fmt: skip
    from mt.textio import atomic_write

    if outputs is not None:
        for result in results:
            with atomic_write(outputs[result.tgt]) as fh:
                fh.write(_render(result, fmt))
        return
    several = len(results) > 1 and fmt is OutputFormat.text
    for k, result in enumerate(results):
        body = _render(result, fmt)
        if several:
            sys.stdout.write(("\n" if k else "") + f"==> {result.tgt} <==\n")
        sys.stdout.write(body if body.endswith("\n") or not several else body + "\n")
    sys.stdout.flush()
