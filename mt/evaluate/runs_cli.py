"""``mt eval run``, ``mt eval history`` and ``mt eval report``: stored evaluation runs.

Kept apart from :mod:`mt.evaluate.cli` (file scoring, compare, QA) and mounted on its
``eval_app`` through :func:`register`, so the two command sets can change independently.
The commands parse options and print; the work is in :mod:`mt.evaluate.runs`,
:mod:`mt.evaluate.history` and :mod:`mt.evaluate.report`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.cli_common import DbOption
from mt.errors import UserError

DEFAULT_OUT = Path("out/eval")


def _console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


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
) -> None:
    """Translate the test split with the recipe's systems, score, store the run, write reports."""
    from mt.corpus.store import Store
    from mt.evaluate.recipe import load_recipe
    from mt.evaluate.report import write_reports
    from mt.evaluate.runs import RunOptions, load_run, run_recipe

    wanted = _formats(formats)
    rec = load_recipe(recipe)
    console = _console()
    # --db/MT_DB wins over the recipe's `db`, which wins over the default store.
    path = db if db is not None else rec.db
    with Store.open(path, create=False) as store:
        log = lambda message: console.print(message, markup=False)  # noqa: E731
        run_id = run_recipe(rec, store, RunOptions(limit=limit, log=log))
        data = load_run(store, run_id)
    written = write_reports(data, out or DEFAULT_OUT, wanted) if wanted else []
    _print_summary(data)
    for p in written:
        console.print(f"report: {p}")
    status = data["run"]["status"]
    console.print(f"run {run_id}: {status}")
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
            cells = [_cell(s["scores"].get(k), k) for k in keys]
            status = s["status"] if s["status"] == "ok" else f"[red]{s['status']}[/red]"
            table.add_row(d["direction"], s["name"], status, *cells)
    Console(highlight=False).print(table)


def _cell(entry: dict | None, key: str) -> str:
    """``24.31 ±2.10 p=0.0010*`` (the full interval is in the reports)."""
    from mt.evaluate.report import fmt_p

    if not entry or entry.get("score") is None:
        return "–"
    digits = 4 if key == "comet" else 2
    text = f"{entry['score']:.{digits}f}"
    if entry.get("ci") is not None:
        text += f" ±{entry['ci']:.{digits}f}"
    return f"{text} {fmt_p(entry)}".strip()


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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = (
        False
    ),
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
    if as_json:
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


def report_command(
    run: Annotated[str, typer.Argument(help="Run id (see `mt eval history`), or 'last'.")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="html, md or json.")] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: stdout).")
    ] = None,
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
    _console().print(f"report: {out}")


def register(eval_app: typer.Typer) -> None:
    """Mount the run commands on ``mt eval``."""
    eval_app.command("run")(run_command)
    eval_app.command("history")(history_command)
    eval_app.command("report")(report_command)
