"""``mt translate``: translate a new release into one or more languages.

The command checks everything it can before the slow part (input readable, languages valid,
output directory present, models loadable), translates every target, and only then writes:
outputs atomically and the store in one transaction, so a failure leaves nothing half done.
Only the translation goes to stdout; progress, glossary and QA reports go to stderr.

Inputs: plain text, Markdown and HTML (:mod:`mt.translate.markup`), one segment per line
(``--lines``), and documents translated in place, chosen by suffix from the registry in
:mod:`mt.translate.documents` (Word .docx, XLIFF 1.2 and 2.x).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli.options import Backend, DbOption, Device, QuietOption, VerboseOption
from mt.cli.output import detail, info
from mt.cli.progress import progress
from mt.errors import UserError
from mt.lang import check_lang

if TYPE_CHECKING:
    from mt.evaluate.qa import Finding
    from mt.translate.documents import Handler
    from mt.translate.pipeline import TranslationResult, Translator

__all__ = ["translate_command"]

MAX_ISSUE_LINES = 20


class OutputFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"


class InputFormat(StrEnum):
    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"


class GlossaryMode(StrEnum):
    repair = "repair"
    mask = "mask"
    verify = "verify"


def _document_suffixes() -> str:
    from mt.translate.documents import suffixes

    return ", ".join(suffixes())


@dataclass
class _Output:
    """One target's translation: the sentences, and a document's new file."""

    result: TranslationResult
    data: bytes | None = None  # the translated document (Word, XLIFF)
    summary: str | None = None
    qa: dict[int, list[Finding]] | None = None  # flagged sentences (--qa)


def translate_command(
    input_file: Annotated[
        str,
        typer.Argument(
            metavar="[FILE|-]",
            help="Text, Markdown or HTML to translate (- or none: stdin), or a document "
            f"translated in place ({_document_suffixes()}).",
        ),
    ] = "-",
    src: Annotated[
        str, typer.Option("--src", metavar="LANG", help="Source language (en, az, ru).")
    ] = ...,
    tgt: Annotated[
        str,
        typer.Option(
            "--tgt", metavar="LANG[,LANG]", help="Target language(s), comma-separated: ru or ru,az."
        ),
    ] = ...,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="ID|DIR",
            help="Model hub id or local directory (default: models.toml).",
        ),
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
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Output file (-: stdout; several targets: FILE.ru.ext, FILE.az.ext).",
        ),
    ] = None,
    input_format: Annotated[
        InputFormat, typer.Option("--input-format", help="Input markup (auto: by extension).")
    ] = InputFormat.auto,
    store: Annotated[
        bool, typer.Option("--store", help="Save the translation into the corpus store.")
    ] = False,
    doc: Annotated[
        str | None,
        typer.Option(
            "--doc", metavar="KEY", help="Document key for --store (default: from the file name)."
        ),
    ] = None,
    db: DbOption = None,
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", metavar="FILE", help="Glossary TSV (en, az, ru [, type])."),
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
    lines: Annotated[
        bool,
        typer.Option(
            "--lines",
            help="One segment per line: each input line gives one output line (empty lines "
            "kept), never joined with the next.",
        ),
    ] = False,
    qa: Annotated[
        bool,
        typer.Option(
            "--qa",
            help="Check each sentence against its source (numbers, dates, script, copies, "
            "length...): flagged ones on stderr, and a qa field in --format jsonl.",
        ),
    ] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Translate a new release (text, Markdown, HTML, Word, XLIFF) into one or more languages."""
    from mt.textio import read_text
    from mt.translate.documents import handler_for, read_bytes
    from mt.translate.markup import detect_format

    src = check_lang(src)
    targets = _targets(tgt, src)
    handler = handler_for(input_file)
    _check_modes(handler, lines, input_format, fmt, out, targets)
    outputs = _output_paths(out, targets)
    text, data = "", b""
    if handler is not None:
        data = read_bytes(input_file)
        handler.check(data, input_file, src, targets)
        in_fmt = handler.name
    else:
        text = read_text(input_file)
        in_fmt = "lines" if lines else detect_format(input_file, input_format.value)
    from mt.translate.storage import document_key, open_store, save_translations

    doc_key = document_key(input_file, doc) if store else None
    gloss: Path | bool | None = False if no_glossary else glossary
    with open_store(db, want_tm=tm, want_save=store) as opened:
        translators = [
            _translator(src, t, model, backend.value, device.value, beam, gloss,
                        glossary_mode.value, tm, opened, batch_tokens, threads)
            for t in targets
        ]  # fmt: skip
        show = input_file != "-"  # a filter in a pipe draws no bar
        done = [_run(tr, text, in_fmt, show, handler, data, input_file) for tr in translators]
        for output in done:
            _report_issues(output.result)
            _report_memory(output.result, tm and opened is not None)
            if output.summary:
                info(f"mt: {Path(input_file).name} ({output.result.src}-{output.result.tgt}): "
                     f"{output.summary}")  # fmt: skip
            if qa:
                output.qa = output.result.qa()
                _report_qa(output.result, output.qa)
        if store and opened is not None:
            save_translations(opened, doc_key or "", text, [o.result for o in done])
            detail(f"saved as machine renderings of {doc_key!r} in {opened.path}")
    _write(done, outputs, fmt)


# ---------------------------------------------------------------------------- checks


def _check_modes(handler: Handler | None, lines: bool, input_format: InputFormat,
                 fmt: OutputFormat, out: Path | None, targets: list[str]) -> None:  # fmt: skip
    """Options that do not go together, refused before anything is read."""
    if handler is not None:
        if lines:
            raise UserError(f"--lines reads plain text, not a {handler.name} file")
        if input_format is not InputFormat.auto:
            raise UserError(f"--input-format does not apply to a {handler.name} file")
        to_stdout = out is None or str(out) == "-"
        if fmt is OutputFormat.text and to_stdout:
            if len(targets) > 1:
                raise UserError(f"several targets of a {handler.name} file need --out FILE "
                                "(one file per language)")  # fmt: skip
            if handler.binary and sys.stdout.isatty():
                raise UserError(f"a {handler.name} file cannot be shown on a terminal: "
                                "use --out FILE or redirect standard output")  # fmt: skip
    if lines and input_format not in (InputFormat.auto, InputFormat.text):
        raise UserError(f"--lines reads plain text, not {input_format.value}")


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


def _translator(src, tgt, model, backend, device, beam, glossary, glossary_mode, tm, store,
                batch_tokens, threads) -> Translator:  # fmt: skip
    from mt.translate.pipeline import Translator

    return Translator(src, tgt, model, backend=backend, device=device, threads=threads,
                      beam=beam, glossary=glossary, glossary_mode=glossary_mode, tm=tm,
                      store=store, batch_tokens=batch_tokens)  # fmt: skip


# ---------------------------------------------------------------------------- running


def _run(translator: Translator, text: str, fmt: str, show: bool, handler: Handler | None,
         data: bytes, path: str) -> _Output:  # fmt: skip
    label = f"{translator.src}→{translator.tgt}"
    started = time.perf_counter()
    with progress(f"translating {label}", show=show) as bar:
        update = bar.update if bar.enabled else None
        if handler is None:
            output = _Output(translator.translate_text(text, fmt, progress=update))
        else:
            done = handler.translate(data, path, translator, progress=update)
            output = _Output(done.result, done.data, done.summary)
    detail(f"{label}: {len(output.result.sentences)} sentences in "
           f"{time.perf_counter() - started:.2f} s ({output.result.model})")  # fmt: skip
    return output


def _report_memory(result: TranslationResult, looked: bool) -> None:
    """How many sentences the translation memory gave (the office's approved work)."""
    if not looked:
        return
    total = len(result.sentences)
    hits = sum(1 for s in result.sentences if s.from_tm)
    info(f"mt: {result.src}-{result.tgt}: {hits} of {total} sentences from the translation "
         "memory")  # fmt: skip


def _report_issues(result: TranslationResult) -> None:
    """Glossary terms not honoured, one line each (at most MAX_ISSUE_LINES), on stderr."""
    issues = result.glossary_issues
    for index, issue in issues[:MAX_ISSUE_LINES]:
        print(f"mt: glossary ({result.src}-{result.tgt}): sentence {index + 1}: "
              f"{issue.source!r} not rendered as {issue.target!r}", file=sys.stderr)  # fmt: skip
    if len(issues) > MAX_ISSUE_LINES:
        print(f"mt: glossary ({result.src}-{result.tgt}): {len(issues) - MAX_ISSUE_LINES} "
              "more terms not honoured (see --format jsonl)", file=sys.stderr)  # fmt: skip


def _report_qa(result: TranslationResult, flagged: dict[int, list[Finding]]) -> None:
    """One line per flagged sentence (at most MAX_ISSUE_LINES) on stderr."""
    label = f"mt: qa ({result.src}-{result.tgt})"
    items = list(flagged.items())
    for index, findings in items[:MAX_ISSUE_LINES]:
        where = (f"line {result.sentences[index].paragraph + 1}" if result.format == "lines"
                 else f"sentence {index + 1}")  # fmt: skip
        what = "; ".join(f"{f.check} ({f.severity}): {f.message}" for f in findings)
        print(f"{label}: {where}: {what}", file=sys.stderr)
    if len(items) > MAX_ISSUE_LINES:
        print(f"{label}: {len(items) - MAX_ISSUE_LINES} more sentences flagged "
              "(see --format jsonl)", file=sys.stderr)  # fmt: skip


# ---------------------------------------------------------------------------- output


def _render(output: _Output, fmt: OutputFormat) -> str | bytes:
    result = output.result
    if fmt is OutputFormat.text:
        return output.data if output.data is not None else result.text
    lines = []
    for record in result.sentences:
        data = {"src": result.src, "tgt": result.tgt, **record.as_dict()}
        if output.qa is not None:
            data["qa"] = [{k: v for k, v in f.to_dict().items() if k != "index"}
                          for f in output.qa.get(record.index, [])]  # fmt: skip
        lines.append(json.dumps(data, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _write(done: list[_Output], outputs: dict[str, Path] | None, fmt: OutputFormat) -> None:
    from mt.textio import atomic_write

    if outputs is not None:
        for output in done:
            body = _render(output, fmt)
            binary = isinstance(body, bytes)
            with atomic_write(outputs[output.result.tgt], "wb" if binary else "w") as fh:
                fh.write(body)
        return
    several = len(done) > 1 and fmt is OutputFormat.text
    for k, output in enumerate(done):
        body = _render(output, fmt)
        if isinstance(body, bytes):  # a document (one target: checked before translating)
            sys.stdout.flush()
            sys.stdout.buffer.write(body)
            sys.stdout.buffer.flush()
            continue
        if several:
            sys.stdout.write(("\n" if k else "") + f"==> {output.result.tgt} <==\n")
        sys.stdout.write(body if body.endswith("\n") or not several else body + "\n")
    sys.stdout.flush()
