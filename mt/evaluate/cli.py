"""``mt eval ...``: score, compare and check translations from files.

The commands only parse options, read files through :mod:`mt.textio` and print; the work is in
:mod:`mt.evaluate.scoring`, :mod:`mt.evaluate.significance`, :mod:`mt.evaluate.analysis` and
:mod:`mt.evaluate.qa`. sacrebleu and NumPy are imported inside the commands so that ``mt --help``
stays fast. Mistakes raise :class:`~mt.errors.UserError` (one line, exit 2 via ``mt.cli``).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
HypsOpt = Annotated[list[Path], typer.Option("--hyp", help="System output (one per line).")]
RefsOpt = Annotated[list[Path], typer.Option("--ref", help="Reference file; repeat for more.")]
TgtOpt = Annotated[str, typer.Option("--tgt", help="Target language: en, az or ru.")]
MetricsOpt = Annotated[
    str, typer.Option("--metrics", help="Comma-separated: bleu, chrf, chrf++, ter.")
]
FormatOpt = Annotated[str, typer.Option("--format", help="text, json or markdown.")]
LowerOpt = Annotated[
    bool, typer.Option("--lowercase", help="Case-insensitive BLEU/chrF (Turkic rules for az).")
]
TokOpt = Annotated[str, typer.Option("--tokenize", help="BLEU tokenizer: 13a, intl, none, char.")]
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
        print(f"mt: warning: {message}", file=sys.stderr)


def _dump(data: Any) -> None:
    print(json.dumps(_clean(data), ensure_ascii=False, indent=2))


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing values become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


# -------------------------------------------------------------------------------- score
@eval_app.command("score")
def score_command(
    hyp: Annotated[Path, typer.Option("--hyp", help="System output (one segment per line).")],
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
        _dump(_score_json(scored, sentence, per_doc, worst_rows, worst_by))
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
) -> None:
    """All systems with 95% CIs and p-values against the first (the baseline)."""
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
    extra = _analysis(result, systems, refs, srcs, opts.tgt) if analysis else None
    if fmt == "json":
        _dump(result.to_dict() | ({"analysis": extra} if extra else {}))
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


def _analysis(result: Comparison, systems, refs, srcs, lang: str, n: int = 5) -> dict:
    from mt.evaluate.analysis import length_buckets, most_different, word_accuracy_by_frequency

    buckets = length_buckets(result.metrics, result.stats, refs[0])
    words = word_accuracy_by_frequency([h for _, h in systems], refs[0], lang)
    key = next(k for k in ("chrf", "chrf++", "bleu", "ter") if k in result.metrics)
    gaps = []
    for s in range(1, len(systems)):
        better, worse = most_different(result.metrics[key], result.stats[0][key],
                                       result.stats[s][key], n)  # fmt: skip
        for label, rows in (("better", better), ("worse", worse)):
            gaps.append({"system": systems[s][0], "direction": label, "metric": key,
                         "segments": [_gap_row(d, systems[0][1], systems[s][1], refs, srcs)
                                      for d in rows]})  # fmt: skip
    return {
        "length_buckets": [{"reference_words": b.label, "segments": b.segments,
                            "scores": dict(zip(result.systems, b.scores, strict=True))}
                           for b in buckets],
        "word_fmeasure_by_frequency": [{"frequency": w.label, "reference_words": w.ref_words,
                                        "fmeasure": dict(zip(result.systems, w.fmeasure,
                                                             strict=True))}
                                       for w in words],
        "most_different": gaps,
    }  # fmt: skip


def _gap_row(d, base_hyps, sys_hyps, refs, srcs) -> dict:
    row = {
        "index": d.index,
        "baseline_score": d.score_a,
        "system_score": d.score_b,
        "ref": refs[0][d.index],
        "baseline": base_hyps[d.index],
        "system": sys_hyps[d.index],
    }
    if srcs is not None:
        row["src"] = srcs[d.index]
    return row  # fmt: skip


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
        str | None, typer.Option("--checks", help="Comma-separated subset of the checks.")
    ] = None,
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
        _dump(report.to_dict(segs))
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


from mt.evaluate.runs_cli import register as _register_runs  # noqa: E402

_register_runs(eval_app)
