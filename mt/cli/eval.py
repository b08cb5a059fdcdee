"""``mt eval ...``: score, compare and check translations from files (``score``, ``compare``,
``qa``), and stored evaluation runs (``run``, ``history``, ``report``).

The commands only parse options, read files through :mod:`mt.textio` and print; the work is in
:mod:`mt.evaluate.scoring`, :mod:`mt.evaluate.significance`, :mod:`mt.evaluate.analysis`,
:mod:`mt.evaluate.qa`, :mod:`mt.evaluate.runs`, :mod:`mt.evaluate.history` and
:mod:`mt.evaluate.report`. sacrebleu and NumPy are imported inside the commands so that
``mt --help`` stays fast. Mistakes raise :class:`~mt.errors.UserError` (one line, exit 2).
Files given as ``-`` are read from standard input (one of them per command).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli.options import (
    DbOption,
    ListFormat,
    ListFormatOption,
    QuietOption,
    VerboseOption,
)
from mt.cli.output import dump_json, info, warn
from mt.cli.progress import progress
from mt.errors import UserError
from mt.evaluate.recipe import MAX_RESAMPLES, check_resamples

if TYPE_CHECKING:
    from mt.evaluate.qa import QAReport
    from mt.evaluate.scoring import CorpusScores
    from mt.evaluate.significance import Comparison

eval_app = typer.Typer(
    help="Evaluate translations: sacrebleu scores, significance, compare-mt analysis, QA.",
    no_args_is_help=True,
)

FORMATS = ("text", "json", "markdown")
N_CONFIDENCE = 1000  # bootstrap resamples for CIs (and --paired-bs's default), as sacrebleu

# -------------------------------------------------------------------------- shared options
HypsOpt = Annotated[
    list[Path],
    typer.Option("--hyp", metavar="FILE", help="System output (one per line); repeat for more."),
]
RefsOpt = Annotated[
    list[Path],
    typer.Option("--ref", metavar="FILE", help="Reference file (-: stdin); repeat for more."),
]
TgtOpt = Annotated[
    str, typer.Option("--tgt", metavar="LANG", help="Target language: en, az or ru.")
]
MetricsOpt = Annotated[
    str, typer.Option("--metrics", metavar="NAME,...", help="Comma-separated: {metrics}.")
]
FormatOpt = Annotated[
    str, typer.Option("--format", metavar="text|json|markdown", help="text, json or markdown.")
]
LowerOpt = Annotated[
    bool, typer.Option("--lowercase", help="Case-insensitive BLEU/chrF (Turkic rules for az).")
]
TokOpt = Annotated[
    str,
    typer.Option("--tokenize", metavar="NAME", help="BLEU tokenizer: 13a, intl, none, char."),
]
YoOpt = Annotated[bool, typer.Option("--yo-fold", help="Russian: treat ё as е on both sides.")]
NoNfcOpt = Annotated[bool, typer.Option("--no-nfc", help="Do not NFC-normalize before scoring.")]
TerCaseOpt = Annotated[
    bool, typer.Option("--ter-case-sensitive", help="Keep case in TER (sacrebleu lowercases).")
]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", help="Worker processes (default: up to 2 CPUs).")
]


def _options(tgt: str, lowercase: bool, tokenize: str, yo_fold: bool, no_nfc: bool,
             ter_case_sensitive: bool, intl: bool = True):  # fmt: skip
    from mt.evaluate.metrics import ScoreOptions

    return ScoreOptions(tgt, lowercase, tokenize, not no_nfc, yo_fold, ter_case_sensitive,
                        intl).validated()  # fmt: skip


def _check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    if fmt not in allowed:
        raise UserError(f"unknown format {fmt!r} (available: {', '.join(allowed)})")
    return fmt


def _warn(messages: Sequence[str]) -> None:
    for message in messages:
        warn(message)


# -------------------------------------------------------------------------------- score
@eval_app.command("score")
def score_command(
    hyp: Annotated[
        Path,
        typer.Option(
            "--hyp", metavar="FILE", help="System output, one segment per line (-: stdin)."
        ),
    ],
    ref: RefsOpt,
    tgt: TgtOpt,
    metrics: MetricsOpt = "bleu,chrf",
    fmt: FormatOpt = "text",
    lowercase: LowerOpt = False,
    tokenize: TokOpt = "13a",
    yo_fold: YoOpt = False,
    no_nfc: NoNfcOpt = False,
    ter_case_sensitive: TerCaseOpt = False,
    no_intl: Annotated[
        bool, typer.Option("--no-intl", help="ru/az: skip the intl-tokenized BLEU alongside.")
    ] = False,
    sentence: Annotated[
        bool, typer.Option("--sentence", help="Also print sentence-level scores.")
    ] = False,
    worst: Annotated[int, typer.Option("--worst", help="Show the N worst segments.")] = 0,
    worst_by: Annotated[
        str | None, typer.Option("--worst-by", help="Metric ranking --worst (default chrf).")
    ] = None,
    src: Annotated[Path | None, typer.Option("--src", help="Source file (for --worst).")] = None,
    doc_ids: Annotated[
        Path | None, typer.Option("--doc-ids", help="Document id of every line: per-doc scores.")
    ] = None,
    jobs: JobsOpt = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Corpus scores via sacrebleu, with signatures, language-aware options and checks."""
    from mt.evaluate.metrics import parse_metric_names
    from mt.evaluate.scoring import read_inputs, score, score_documents

    _check_format(fmt)
    opts = _options(tgt, lowercase, tokenize, yo_fold, no_nfc, ter_case_sensitive, not no_intl)
    names = parse_metric_names(metrics)
    if worst_by is not None and worst_by.lower() not in names:
        raise UserError(f"--worst-by {worst_by!r} is not among --metrics ({', '.join(names)})")
    hyps, refs, srcs = read_inputs(hyp, ref, src)
    docs = _read_doc_ids(doc_ids, len(hyps))
    scored = score(hyps, refs, opts, names, jobs=jobs)
    _warn(scored.warnings)
    per_doc = score_documents(hyps, refs, docs, opts, names, scored) if docs else None
    worst_rows = scored.worst(worst, hyps, refs, srcs, worst_by and worst_by.lower())
    if fmt == "json":
        dump_json(_score_json(scored, sentence, per_doc, worst_rows, worst_by))
    else:
        md = fmt == "markdown"
        print(_score_text(scored, md))
        if sentence:
            print(_sentence_text(scored, md))
        if per_doc:
            print(_docs_text(scored, per_doc, md))
        if worst_rows:
            print(_worst_text(worst_rows, scored, worst_by))


def _read_doc_ids(path: Path | None, n: int) -> list[str] | None:
    from mt.evaluate.scoring import check_line_counts
    from mt.textio import read_lines

    if path is None:
        return None
    ids = [x.strip() for x in read_lines(path)]
    check_line_counts([("hypothesis", n), (str(path), len(ids))])
    return ids


def _score_json(scored: CorpusScores, sentence: bool, per_doc, worst_rows, worst_by) -> dict:
    data = scored.to_dict()
    for key in list(data):
        if sentence:
            data[key]["sentences"] = scored.sentence_scores(key).tolist()
        if per_doc:
            data[key]["documents"] = {doc: s[key] for doc, s in per_doc.items()}
    if worst_rows:
        key = (worst_by or _default_worst(scored)).lower()
        data[key]["worst"] = [w.to_dict() for w in worst_rows]
    return data


def _default_worst(scored: CorpusScores) -> str:
    return next(k for k in ("chrf", "chrf++", "bleu", "ter") if k in scored.metrics)


def _score_text(scored: CorpusScores, markdown: bool) -> str:
    rows = [(r.name, f"{r.score:.2f}", r.signature, r.verbose) for r in scored.results.values()]
    first = next(iter(scored.results.values()))
    empties = ", ".join(map(str, scored.empty_refs))
    info = (f"{scored.n_segments} segments; empty lines: hyp {scored.empty_hyp}, "
            f"refs {empties}; options {first.mt_signature}")  # fmt: skip
    if markdown:
        lines = ["| Metric | Score | Signature | Details |", "|---|---:|---|---|"]
        lines += [f"| {a} | {b} | `{c}` | {d} |" for a, b, c, d in rows]
        return "\n".join(lines + ["", info])
    width = max(len(r[0]) for r in rows)
    lines = [f"{a:<{width}}  {b:>6}  {c}" + (f"\n{'':<{width}}  {'':>6}  {d}" if d else "")
             for a, b, c, d in rows]  # fmt: skip
    return "\n".join(lines + [info])


def _sentence_text(scored: CorpusScores, markdown: bool) -> str:
    keys = list(scored.metrics)
    cols = [scored.sentence_scores(k) for k in keys]
    names = [scored.metrics[k].display for k in keys]
    sep = " | " if markdown else "\t"
    head = sep.join(["segment", *names])
    lines = [f"| {head} |", "|" + "---|" * (len(keys) + 1)] if markdown else ["", head]
    for i in range(scored.n_segments):
        row = sep.join([str(i), *(f"{c[i]:.2f}" for c in cols)])
        lines.append(f"| {row} |" if markdown else row)
    return "\n".join(lines)


def _docs_text(scored: CorpusScores, per_doc: dict, markdown: bool) -> str:
    keys = list(scored.metrics)
    names = [scored.metrics[k].display for k in keys]
    sep = " | " if markdown else "\t"
    head = sep.join(["document", *names])
    lines = [f"| {head} |", "|" + "---|" * (len(keys) + 1)] if markdown else ["", head]
    for doc, s in per_doc.items():
        row = sep.join([doc, *(f"{s[k]:.2f}" for k in keys)])
        lines.append(f"| {row} |" if markdown else row)
    return "\n".join(lines)


def _worst_text(rows, scored: CorpusScores, worst_by: str | None) -> str:
    key = (worst_by or _default_worst(scored)).lower()
    lines = ["", f"Worst {len(rows)} segments by sentence {scored.metrics[key].display}:"]
    for w in rows:
        lines.append(f"#{w.index}  {w.score:.2f}")
        if w.src is not None:
            lines.append(f"  src: {w.src}")
        for r in w.refs:
            lines.append(f"  ref: {r}")
        lines.append(f"  hyp: {w.hyp}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ compare
@eval_app.command("compare")
def compare_command(
    ref: RefsOpt,
    hyp: HypsOpt,
    tgt: TgtOpt,
    paired_bs: Annotated[
        int | None,
        typer.Option(
            "--paired-bs",
            min=1,
            max=MAX_RESAMPLES,
            help="Paired bootstrap with N resamples (default 1000).",
        ),
    ] = None,
    paired_ar: Annotated[
        int | None,
        typer.Option(
            "--paired-ar", min=1, max=MAX_RESAMPLES, help="Approximate randomization, N trials."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (sacrebleu's default).")
    ] = 12345,
    metrics: MetricsOpt = "bleu,chrf",
    fmt: FormatOpt = "text",
    lowercase: LowerOpt = False,
    tokenize: TokOpt = "13a",
    yo_fold: YoOpt = False,
    no_nfc: NoNfcOpt = False,
    ter_case_sensitive: TerCaseOpt = False,
    analysis: Annotated[
        bool, typer.Option("--analysis", help="Length buckets, word accuracy, biggest gaps.")
    ] = False,
    src: Annotated[Path | None, typer.Option("--src", help="Source file (for --analysis).")] = None,
    jobs: JobsOpt = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """All systems with 95% CIs and p-values against the first (the baseline)."""
    from mt.evaluate.analysis import compare_analysis
    from mt.evaluate.metrics import parse_metric_names
    from mt.evaluate.scoring import read_systems
    from mt.evaluate.significance import compare

    _check_format(fmt)
    if paired_bs is not None and paired_ar is not None:
        raise UserError("--paired-bs and --paired-ar are alternatives: give one")
    test, n = ("ar", paired_ar) if paired_ar is not None else ("bs", paired_bs or N_CONFIDENCE)
    opts = _options(tgt, lowercase, tokenize, yo_fold, no_nfc, ter_case_sensitive, intl=False)
    names = parse_metric_names(metrics)
    if len(hyp) < 2:
        raise UserError("give at least two --hyp files (the first is the baseline)")
    hyps, refs, srcs = read_systems(hyp, ref, src)
    systems = list(zip(_system_names(hyp), hyps, strict=True))
    # Checked before any scoring: the work and memory grow with resamples × segments.
    check_resamples(n, len(hyps[0]), "resamples" if test == "bs" else "trials")
    if test == "ar":
        check_resamples(N_CONFIDENCE, len(hyps[0]))  # the CIs' bootstrap
    result = compare(systems, refs, opts, names, test=test, n_samples=n, seed=seed, jobs=jobs,
                     n_confidence=N_CONFIDENCE)  # fmt: skip
    extra = compare_analysis(result, systems, refs, srcs, opts.tgt) if analysis else None
    if fmt == "json":
        dump_json(result.to_dict() | ({"analysis": extra} if extra else {}))
        return
    print(_compare_text(result, fmt == "markdown"))
    if extra:
        print(_analysis_text(extra, result))


def _system_names(paths: Sequence[Path]) -> list[str]:
    """File names (whole paths when names clash), made unique: a file may come twice."""
    short = len({p.name for p in paths}) == len(paths)
    names: list[str] = []
    for p in paths:
        name = p.name if short else str(p)
        while name in names:
            name += "'"
        names.append(name)
    return names


def _cell(result: Comparison, system: int, key: str) -> str:
    stat = result.results[system][key]
    text = f"{stat.score:.2f} (μ {stat.mean:.2f} ± {stat.ci:.2f})"
    if system == 0:
        return text
    mark = " *" if result.significant(system, key) else ""
    return f"{text} p={stat.p_value:.4f}{mark}"


def _compare_text(result: Comparison, markdown: bool) -> str:
    test = {"bs": "Paired bootstrap resampling", "ar": "Approximate randomization"}[result.test]
    what = "resamples" if result.test == "bs" else "trials"
    keys = list(result.metrics)
    head = ["System", *(result.metrics[k].display for k in keys)]
    rows = []
    for i, name in enumerate(result.systems):
        label = f"{name} (baseline)" if i == 0 else name
        rows.append([label, *(_cell(result, i, k) for k in keys)])
    intro = (f"{test} ({result.n_samples} {what}, seed {result.seed}); "
             f"95% CI as μ ± half-width; * p < {result.alpha} against the baseline")  # fmt: skip
    sigs = [f"{result.metrics[k].display}: {s}" for k, s in result.signatures().items()]
    return "\n".join([intro, "", _table(head, rows, markdown), "", *sigs])


def _table(head: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def fmt_row(row: list[str]) -> str:
        return "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([fmt_row(head), *(fmt_row(r) for r in rows)])


def _analysis_text(extra: dict, result: Comparison) -> str:
    keys = list(result.metrics)
    out = ["", "Scores by reference length (words):"]
    head = ["length", "segments"] + [f"{s} {result.metrics[k].display}"
                                     for s in result.systems for k in keys]  # fmt: skip
    rows = [[b["reference_words"], str(b["segments"])]
            + [f"{b['scores'][s][k]:.2f}" for s in result.systems for k in keys]
            for b in extra["length_buckets"]]  # fmt: skip
    out += [_table(head, rows, False), "", "Word F-measure by reference frequency:"]
    rows = [[w["frequency"], str(w["reference_words"])]
            + [_pct(w["fmeasure"][s]) for s in result.systems]
            for w in extra["word_fmeasure_by_frequency"]]  # fmt: skip
    out.append(_table(["frequency", "words", *result.systems], rows, False))
    for gap in extra["most_different"]:
        if not gap["segments"]:
            continue
        out += ["", f"{gap['system']} {gap['direction']} than the baseline by sentence "
                    f"{gap['metric']}:"]  # fmt: skip
        for row in gap["segments"]:
            out.append(f"#{row['index']}  {row['baseline_score']:.1f} → {row['system_score']:.1f}")
            if "src" in row:
                out.append(f"  src: {row['src']}")
            out += [f"  ref: {row['ref']}", f"  base: {row['baseline']}", f"  sys: {row['system']}"]
    return "\n".join(out)


def _pct(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:.1f}"


# ----------------------------------------------------------------------------------- qa
@eval_app.command("qa")
def qa_command(
    src: Annotated[Path, typer.Option("--src", help="Source file (one segment per line).")],
    hyp: Annotated[Path, typer.Option("--hyp", help="Translation of --src, line by line.")],
    src_lang: Annotated[str, typer.Option("--src-lang", help="Source language.")],
    tgt: Annotated[str, typer.Option("--tgt", "--tgt-lang", help="Target language.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", help="Glossary TSV (default: $MT_GLOSSARY or configs/)."),
    ] = None,
    checks: Annotated[
        str | None,
        typer.Option("--checks", metavar="NAME,...", help="Comma-separated subset of: {checks}."),
    ] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Statement QA: numbers, dates, glossary, copies, script, empty/truncated, length, loops."""
    from mt.evaluate.qa import load_glossary, run_qa
    from mt.evaluate.scoring import check_line_counts
    from mt.textio import read_lines

    _check_format(fmt, ("text", "json"))
    srcs, hyps = read_lines(src), read_lines(hyp, allow_empty=True)
    check_line_counts([(str(src), len(srcs)), (str(hyp), len(hyps))])
    selected = _select_checks(checks, load_glossary(glossary))
    report = run_qa(srcs, hyps, src_lang, tgt, checks=selected)
    if fmt == "json":
        from mt.evaluate.qa import Segment

        pairs = enumerate(zip(srcs, hyps, strict=True))
        segs = [Segment(i, s, h, src_lang, tgt) for i, (s, h) in pairs]
        dump_json(report.to_dict(segs))
    else:
        print(_qa_text(report, srcs, hyps))


def _select_checks(spec: str | None, glossary):
    from mt.evaluate.qa import CHECK_NAMES, default_checks

    checks = default_checks(glossary)
    if spec is None:
        return checks
    wanted = [x.strip().lower() for x in spec.split(",") if x.strip()]
    unknown = [x for x in wanted if x not in CHECK_NAMES]
    if unknown:
        raise UserError(f"unknown check {unknown[0]!r} (available: {', '.join(CHECK_NAMES)})")
    if "glossary" in wanted and glossary is None:
        raise UserError("the glossary check needs a glossary (--glossary FILE)")
    return [c for c in checks if c.name in wanted]


def _qa_text(report: QAReport, srcs: Sequence[str], hyps: Sequence[str]) -> str:
    flagged = report.by_segment()
    lines = [f"{report.n_segments} segments, {len(flagged)} flagged"]
    lines += [f"  {name:<13} {count}" for name, count in report.summary().items()]
    for index, findings in flagged.items():
        lines += ["", f"#{index}", f"  src: {srcs[index]}", f"  hyp: {hyps[index]}"]
        lines += [f"  {f.severity}: {f.check}: {f.message}" for f in findings]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- runs
DEFAULT_OUT = Path("out/eval")


@eval_app.command("run")
def run_command(
    recipe: Annotated[Path, typer.Argument(help="Recipe file (TOML), e.g. eval/bundle.toml.")],
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=f"Report folder (default: {DEFAULT_OUT}).")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=0, help="At most N segments per direction (0: all)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--formats", help="Reports to write: html,md,json (or 'none').")
    ] = "html,md,json",
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Translate the test split with the recipe's systems, score, store the run, write reports."""
    from mt.corpus.store import Store
    from mt.evaluate.recipe import load_recipe
    from mt.evaluate.report import write_reports
    from mt.evaluate.runs import RunOptions, load_run, run_recipe

    wanted = _formats(formats)
    rec = load_recipe(recipe)
    # --db/MT_DB wins over the recipe's `db`, which wins over the default store.
    path = db if db is not None else rec.db
    with Store.open(path, create=False) as store, progress("evaluating") as bar:
        options = RunOptions(limit=limit, log=bar.log, progress=bar.update)
        run_id = run_recipe(rec, store, options)
        data = load_run(store, run_id)
    written = write_reports(data, out or DEFAULT_OUT, wanted) if wanted else []
    _print_summary(data)
    for p in written:
        info(f"report: {p}")
    status = data["run"]["status"]
    info(f"run {run_id}: {status}")
    if status == "failed":
        raise typer.Exit(1)


def _formats(spec: str) -> list[str]:
    from mt.evaluate.report import FORMATS

    if spec.strip().lower() == "none":
        return []
    out = [x.strip().lower() for x in spec.split(",") if x.strip()]
    for fmt in out:
        if fmt not in FORMATS:
            raise UserError(f"unknown report format {fmt!r} (available: {', '.join(FORMATS)})")
    return out


def _print_summary(data: dict) -> None:
    """The run's corpus scores as a rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    from mt.evaluate.report import metric_keys, metric_name

    keys = metric_keys(data)
    table = Table(title=f"run {data['run']['id']}: {data['run']['name']}")
    for col in ["direction", "system", "status"] + [metric_name(data, k) for k in keys]:
        table.add_column(col)
    for d in data["directions"]:
        for s in d["systems"]:
            cells = [_run_cell(s["scores"].get(k), k) for k in keys]
            status = s["status"] if s["status"] == "ok" else f"[red]{s['status']}[/red]"
            table.add_row(d["direction"], s["name"], status, *cells)
    Console(highlight=False).print(table)


def _run_cell(entry: dict | None, key: str) -> str:
    """``24.31 ±2.10 p=0.0010*`` (the full interval is in the reports)."""
    from mt.evaluate.report import fmt_p

    if not entry or entry.get("score") is None:
        return "–"
    digits = 4 if key == "comet" else 2
    text = f"{entry['score']:.{digits}f}"
    if entry.get("ci") is not None:
        text += f" ±{entry['ci']:.{digits}f}"
    return f"{text} {fmt_p(entry)}".strip()


@eval_app.command("history")
def history_command(
    db: DbOption = None,
    metric: Annotated[str, typer.Option("--metric", help="Metric key (bleu, chrf, ter...).")] = (
        "bleu"
    ),
    direction: Annotated[
        str | None, typer.Option("--direction", help="Only this direction, e.g. en-ru.")
    ] = None,
    system: Annotated[str | None, typer.Option("--system", help="Only this system.")] = None,
    last: Annotated[
        int | None, typer.Option("--last", min=1, help="Only the N most recent runs.")
    ] = None,
    fmt: ListFormatOption = ListFormat.text,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """How scores moved across evaluation runs (Δ: change since the system's previous run)."""
    from mt.corpus.store import Store
    from mt.evaluate.history import history, metrics_in_store, rows_json

    if direction is not None:
        direction = _direction(direction)
    with Store.open(db, create=False, readonly=True) as store:
        rows = history(store, metric.lower(), direction, system, last)
        known = metrics_in_store(store)
    if not rows:
        raise UserError("no evaluation runs match (run `mt eval run RECIPE` first)")
    if metric.lower() not in known:
        raise UserError(f"no {metric!r} scores in the store (available: {', '.join(known)})")
    if as_json or fmt is ListFormat.json:
        sys.stdout.write(rows_json(rows) + "\n")
        return
    _history_table(rows, metric)


def _direction(text: str) -> str:
    from mt.lang import check_lang

    parts = text.split("-")
    if len(parts) != 2:
        raise UserError(f"invalid direction {text!r} (expected SRC-TGT such as en-ru)")
    return f"{check_lang(parts[0])}-{check_lang(parts[1])}"


def _history_table(rows, metric: str) -> None:
    """Grouped by direction and system, runs in order, so each group reads as a trend."""
    from rich.console import Console
    from rich.table import Table

    lower_better = metric.lower() == "ter"
    table = Table(title=f"{metric} across evaluation runs", title_justify="left")
    # Minimum widths keep the numbers whole on an 80-column terminal; the model name gives way.
    for col, justify, width in (("direction", "left", 9), ("system", "left", 8),
                                ("run", "right", 3), ("date", "left", 10),
                                (metric, "right", 6), ("95% CI", "right", 11),
                                ("Δ", "right", 6)):  # fmt: skip
        table.add_column(col, justify=justify, no_wrap=True, min_width=width)
    table.add_column("model", overflow="ellipsis", no_wrap=True, max_width=40)
    previous = None
    for r in sorted(rows, key=lambda r: (r.direction, r.system, r.run_id)):
        if previous is not None and previous != (r.direction, r.system):
            table.add_section()
        previous = (r.direction, r.system)
        if r.score is None:
            score, ci = f"[red]{r.status or 'failed'}[/red]", ""
        else:
            score = f"{r.score:.2f}"
            ci = f"{r.ci_low:.2f}–{r.ci_high:.2f}" if r.ci_low is not None else ""
        table.add_row(r.direction, r.system, str(r.run_id), (r.started_at or "")[:10], score,
                      ci, _delta(r.delta, lower_better), _short_model(r.model))  # fmt: skip
    Console(highlight=False).print(table)


def _short_model(model: str | None) -> str:
    """``Helsinki-NLP/opus-mt-en-ru`` → ``opus-mt-en-ru``; paths → their last part."""
    if not model:
        return ""
    return " → ".join(Path(part.strip()).name for part in model.split("→"))


def _delta(value: float | None, lower_better: bool) -> str:
    if value is None:
        return ""
    good = value < 0 if lower_better else value > 0
    if abs(value) < 0.005:
        return "±0.00"
    colour = "green" if good else "red"
    return f"[{colour}]{value:+.2f}[/{colour}]"


@eval_app.command("report")
def report_command(
    run: Annotated[str, typer.Argument(help="Run id (see `mt eval history`), or 'last'.")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="html, md or json.")] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: stdout).")
    ] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Render a stored run again as an HTML, Markdown or JSON report."""
    from mt.corpus.store import Store
    from mt.evaluate.report import FORMATS, render, write_report
    from mt.evaluate.runs import load_run, resolve_run_id

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown report format {fmt!r} (available: {', '.join(FORMATS)})")
    with Store.open(db, create=False, readonly=True) as store:
        data = load_run(store, resolve_run_id(store, run))
    if out is None:
        sys.stdout.write(render(data, fmt))
        return
    write_report(data, fmt, out)
    info(f"report: {out}")
