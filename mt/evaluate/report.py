"""Reports of an evaluation run: JSON (the data), Markdown (for reviews), HTML (to look at).

All three render the same dict (:func:`mt.evaluate.runs.load_run`). The HTML report is one
self-contained file, because it gets mailed around and archived: inline CSS, charts drawn by
matplotlib as inline SVG (text kept as text, ids prefixed per chart so several SVGs can share
a page), no scripts, no external fonts, images or links. A small :class:`string.Template`
page is enough; a template engine would be one more dependency for one page.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from string import Template
from typing import Any

from mt.errors import UserError
from mt.textio import atomic_write

FORMATS = ("html", "md", "json")
LOWER_IS_BETTER = {"ter"}
ALPHA = 0.05


# ---------------------------------------------------------------------------- shared helpers


def metric_keys(data: dict[str, Any]) -> list[str]:
    """Metrics with corpus scores in the run, in recipe order (variants such as bleu@intl after
    their metric, COMET last)."""
    order = list(data["run"]["params"].get("metrics", []))
    seen: list[str] = []
    for d in data["directions"]:
        for s in d["systems"]:
            for key in s.get("scores", {}):
                if key not in seen:
                    seen.append(key)

    def rank(key: str) -> tuple[int, int]:
        base = key.split("@")[0]
        return (order.index(base) if base in order else len(order), "@" in key)

    return sorted(seen, key=rank)


def primary_metric(data: dict[str, Any]) -> str | None:
    """The metric the per-document and length charts use: the recipe's first."""
    keys = [k for k in metric_keys(data) if "@" not in k]
    return keys[0] if keys else None


def metric_name(data: dict[str, Any], key: str) -> str:
    for d in data["directions"]:
        for s in d["systems"]:
            if key in s.get("scores", {}):
                name = s["scores"][key].get("name") or key
                variant = key.partition("@")[2]
                return f"{name} ({variant})" if variant and variant not in name else name
    return key


def fmt_score(entry: dict[str, Any] | None, key: str = "") -> str:
    """``24.31 [22.10, 26.52]``; COMET with four decimals (its scale is 0–1)."""
    if not entry or entry.get("score") is None:
        return "–"
    digits = 4 if key == "comet" else 2
    text = f"{entry['score']:.{digits}f}"
    if entry.get("ci_low") is not None and entry.get("ci_high") is not None:
        text += f" [{entry['ci_low']:.{digits}f}, {entry['ci_high']:.{digits}f}]"
    return text


def fmt_p(entry: dict[str, Any] | None) -> str:
    """``p=0.0010*`` (``*``: significantly different from the baseline at 0.05)."""
    if entry and entry.get("identical_to_baseline"):
        return "= baseline"
    if not entry or entry.get("p_value") is None:
        return ""
    p = entry["p_value"]
    return f"p={p:.4f}" + ("*" if p < ALPHA else "")


def fmt_seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}s"


def short_doc(key: str, width: int = 28) -> str:
    return key if len(key) <= width else key[: width - 1] + "…"


# ---------------------------------------------------------------------------- JSON


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------- Markdown


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]  # fmt: skip
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(data: dict[str, Any]) -> str:
    run = data["run"]
    keys = metric_keys(data)
    out = [f"# Evaluation run {run['id']}: {run['name']}", "",
           f"Status **{run['status']}** · started {run['started_at']} · finished "
           f"{run['finished_at'] or '–'} · split {run['params'].get('split')} · "
           f"{_limit_text(run)} · bootstrap {run['params'].get('bootstrap')} resamples "
           f"(seed {run['params'].get('seed')})", ""]  # fmt: skip
    out += [f"> {note}" for note in data.get("notes", [])] + ([""] if data.get("notes") else [])
    out += ["## Summary", ""]
    for key in keys:
        out += [f"### {metric_name(data, key)} ({_better(key)})", ""]
        out += _md_table(["system", *[d["direction"] for d in data["directions"]]],
                         _pivot(data, key, _md_score_cell))  # fmt: skip
    out += ["95% CIs from paired bootstrap resampling; p against the direction's baseline "
            "(its first system); `*` marks p < 0.05.", ""]  # fmt: skip
    for d in data["directions"]:
        out += _md_direction(data, d, keys)
    out += ["## Signatures", ""] + [f"- `{sig}`" for sig in _signatures(data)] + [""]
    return "\n".join(out)


def _limit_text(run: dict[str, Any]) -> str:
    limit = run["params"].get("limit")
    return f"limit {limit} segments per direction" if limit else "all segments"


def _better(key: str) -> str:
    return "lower is better" if key in LOWER_IS_BETTER else "higher is better"


def _pivot(data: dict[str, Any], key: str, cell) -> list[list[str]]:
    """Rows of systems, columns of directions: ``cell(system entry or None, key)``."""
    rows = []
    for name in system_names(data):
        row = [name]
        for d in data["directions"]:
            s = next((s for s in d["systems"] if s["name"] == name), None)
            row.append(cell(s, key))
        rows.append(row)
    return rows


def _md_score_cell(s: dict[str, Any] | None, key: str) -> str:
    if s is None:
        return "–"
    if s["status"] != "ok":
        return s["status"]
    e = s["scores"].get(key)
    return f"{fmt_score(e, key)} {fmt_p(e)}".strip()


def _md_direction(data: dict[str, Any], d: dict[str, Any], keys: list[str]) -> list[str]:
    out = [f"## {d['direction']}", "",
           f"{d['segments']} segments from {len(d['documents'])} documents; baseline: "
           f"{d.get('baseline') or '–'}.", ""]  # fmt: skip
    if d.get("error"):
        out += [f"> {d['error']}", ""]
    for s in d["systems"]:
        if s["status"] != "ok":
            out += [f"**{s['name']} failed:** `{_md_cell(s.get('error') or 'unknown error')}`", ""]
    ok = [s for s in d["systems"] if s["status"] == "ok"]
    if not ok:
        return out
    out += ["### Per document", ""] + _md_table(
        ["document"] + [f"{s['name']} {metric_name(data, k)}" for s in ok for k in keys
                        if "@" not in k],
        [[doc] + [_num(s["documents"].get(doc, {}).get(k), k) for s in ok for k in keys
                  if "@" not in k] for doc in d["documents"]])  # fmt: skip
    out += ["### By reference length (words)", ""] + _md_buckets(data, ok)
    out += ["### Quality checks", ""] + _md_qa(ok)
    for s in ok:
        out += _md_worst(s)
    return out


def _num(value: float | None, key: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if key == "comet" else f"{value:.2f}"


def _md_buckets(data: dict[str, Any], systems: list[dict[str, Any]]) -> list[str]:
    key = primary_metric(data)
    labels = list(dict.fromkeys(b["label"] for s in systems for b in s.get("length_buckets", [])))
    if not labels or key is None:
        return ["(none)", ""]
    rows = []
    for label in labels:
        row: list[str] = [label]
        for s in systems:
            b = next((b for b in s.get("length_buckets", []) if b["label"] == label), None)
            row.append(f"{_num(b['scores'].get(key))} (n={b['segments']})" if b else "–")
        rows.append(row)
    return _md_table(["length"] + [f"{s['name']} {metric_name(data, key)}" for s in systems],
                     rows)  # fmt: skip


def qa_columns(systems: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for s in systems:
        for name in (s.get("qa") or {}).get("summary", {}):
            if name not in cols:
                cols.append(name)
    return cols


def _md_qa(systems: list[dict[str, Any]]) -> list[str]:
    cols = qa_columns(systems)
    rows = []
    for s in systems:
        qa = s.get("qa") or {}
        if "error" in qa:
            rows.append([s["name"], f"QA failed: {qa['error']}"] + [""] * len(cols))
            continue
        rows.append([s["name"], f"{qa.get('flagged_segments', 0)} / {qa.get('segments', 0)}"]
                    + [qa.get("summary", {}).get(c, 0) for c in cols])  # fmt: skip
    return _md_table(["system", "flagged"] + cols, rows)


def _md_worst(s: dict[str, Any]) -> list[str]:
    worst = s.get("worst") or []
    if not worst:
        return []
    out = [f"### Worst segments: {s['name']} (by sentence {worst[0]['metric']})", ""]
    for w in worst:
        out += [
            f"- **{w['score']:.1f}** `{w['doc_key']}` {_sentence_label(w)}",
            f"  - src: {w['src']}",
            f"  - ref: {w['ref']}",
            f"  - hyp: {clip(w['hyp'])}",
        ]
    return out + [""]


def _sentence_label(w: dict[str, Any]) -> str:
    """``sentence 6`` / ``sentences 6,7`` (0-based source sentences of the document)."""
    ids = w.get("sentences")
    if not ids:
        return f"#{w['index']}"
    return ("sentences " if "," in ids else "sentence ") + ids


def _signatures(data: dict[str, Any]) -> list[str]:
    sigs: list[str] = []
    for d in data["directions"]:
        for s in d["systems"]:
            for e in s["scores"].values():
                for sig in (e.get("signature"), e.get("mt_signature")):
                    if sig and sig not in sigs:
                        sigs.append(sig)
    return sigs


# ---------------------------------------------------------------------------- charts


def _pyplot():
    """matplotlib with the headless backend and SVG text kept as text (small, searchable)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "mt-report",
                         "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})  # fmt: skip
    return plt


def _colors(names: Sequence[str]) -> dict[str, Any]:
    plt = _pyplot()
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(names)}


def system_names(data: dict[str, Any], scored_only: bool = False) -> list[str]:
    """Systems in recipe order (``scored_only``: those with a result somewhere, for charts)."""
    return list(dict.fromkeys(s["name"] for d in data["directions"] for s in d["systems"]
                              if not scored_only or s["status"] == "ok"))  # fmt: skip


def figure_svg(fig: Any, prefix: str) -> str:
    """The figure as inline SVG: no XML prolog/DOCTYPE/metadata, ids made unique."""
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"',
                 lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)  # fmt: skip
    return _size_to_css(svg)


def _size_to_css(svg: str) -> str:
    """Drop the fixed pt size (the viewBox stays) so the chart scales with the page, up to its
    natural width."""
    head_end = svg.index(">")
    head = svg[:head_end]
    width = re.search(r'\swidth="([\d.]+)pt"', head)
    head = re.sub(r'\s(width|height)="[\d.]+pt"', "", head)
    max_w = f' style="max-width:{float(width.group(1)) * 4 / 3:.0f}px"' if width else ""
    return head + f' class="chart"{max_w}' + svg[head_end:]


def chart_scores(data: dict[str, Any]) -> str | None:
    """Bars per direction and system with their 95% bootstrap intervals, one panel per metric."""
    keys = metric_keys(data)
    dirs = [d for d in data["directions"] if any(s["status"] == "ok" for s in d["systems"])]
    if not keys or not dirs:
        return None
    plt = _pyplot()
    names = system_names(data, scored_only=True)
    colors = _colors(names)
    fig, axes = plt.subplots(len(keys), 1, figsize=(10, 2.6 * len(keys)), squeeze=False)
    width = 0.8 / max(1, len(names))
    for ax, key in zip(axes[:, 0], keys, strict=True):
        for j, name in enumerate(names):
            xs, ys, err = [], [], [[], []]
            for i, d in enumerate(dirs):
                s = next((s for s in d["systems"] if s["name"] == name), None)
                e = (s or {}).get("scores", {}).get(key)
                if not e:
                    continue
                xs.append(i - 0.4 + width * (j + 0.5))
                ys.append(e["score"])
                lo, hi = e.get("ci_low"), e.get("ci_high")
                err[0].append(max(0.0, e["score"] - lo) if lo is not None else 0.0)
                err[1].append(max(0.0, hi - e["score"]) if hi is not None else 0.0)
            ax.bar(xs, ys, width * 0.92, yerr=err, capsize=2, color=colors[name], label=name,
                   error_kw={"elinewidth": 0.8})  # fmt: skip
        better = "lower is better" if key in LOWER_IS_BETTER else "higher is better"
        ax.set_title(f"{metric_name(data, key)} ({better}), 95% CI", loc="left")
        ax.set_xticks(range(len(dirs)), [d["direction"] for d in dirs])
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    return figure_svg(fig, "scores")


def chart_documents(data: dict[str, Any]) -> str | None:
    """A heat map of the primary metric: documents × (direction, system)."""
    key = primary_metric(data)
    cols = [(d["direction"], s) for d in data["directions"] for s in d["systems"]
            if s["status"] == "ok"]  # fmt: skip
    docs = list(dict.fromkeys(doc for d in data["directions"] for doc in d["documents"]))
    if key is None or not cols or not docs:
        return None
    import numpy as np

    plt = _pyplot()
    grid = np.full((len(docs), len(cols)), np.nan)
    for j, (_, s) in enumerate(cols):
        for i, doc in enumerate(docs):
            value = s["documents"].get(doc, {}).get(key)
            grid[i, j] = np.nan if value is None else value
    fig, ax = plt.subplots(figsize=(min(14, 2.6 + 0.62 * len(cols)), 0.9 + 0.42 * len(docs)))
    cmap = plt.get_cmap("RdYlGn_r" if key in LOWER_IS_BETTER else "RdYlGn")
    cmap = cmap.with_extremes(bad="#eeeeee")
    im = ax.imshow(grid, aspect="auto", cmap=cmap)
    for i in range(len(docs)):
        for j in range(len(cols)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, _num(grid[i, j], key), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(cols)), [f"{d} · {s['name']}" for d, s in cols], fontsize=7,
                  rotation=40, ha="right", rotation_mode="anchor")  # fmt: skip
    ax.set_yticks(range(len(docs)), [short_doc(doc) for doc in docs], fontsize=8)
    ax.set_title(f"{metric_name(data, key)} per document", loc="left")
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
    fig.tight_layout()
    return figure_svg(fig, "docs")


def chart_lengths(data: dict[str, Any]) -> str | None:
    """The primary metric by reference length, one panel per direction, a line per system."""
    key = primary_metric(data)
    dirs = [d for d in data["directions"] if any(s.get("length_buckets") for s in d["systems"])]
    if key is None or not dirs:
        return None
    plt = _pyplot()
    names = system_names(data, scored_only=True)
    colors = _colors(names)
    ncols = min(3, len(dirs))
    nrows = -(-len(dirs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, 2.5 * nrows), squeeze=False)
    for ax, d in zip(axes.flat, dirs, strict=False):
        labels = list(dict.fromkeys(b["label"] for s in d["systems"]
                                    for b in s.get("length_buckets", [])))  # fmt: skip
        for s in (s for s in d["systems"] if s["status"] == "ok"):
            pts = {b["label"]: b["scores"].get(key) for b in s.get("length_buckets", [])}
            ax.plot(range(len(labels)), [pts.get(lb, float("nan")) for lb in labels],
                    marker="o", ms=3, color=colors[s["name"]], label=s["name"])  # fmt: skip
        counts = _bucket_counts(d)
        ax.set_xticks(range(len(labels)), [f"{lb}\nn={counts.get(lb, 0)}" for lb in labels],
                      fontsize=7)  # fmt: skip
        ax.set_title(d["direction"], loc="left")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(dirs) :]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"{metric_name(data, key)} by reference length (words)", x=0.01, ha="left")
    fig.tight_layout()
    return figure_svg(fig, "lengths")


def _bucket_counts(d: dict[str, Any]) -> dict[str, int]:
    for s in d["systems"]:
        if s.get("length_buckets"):
            return {b["label"]: b["segments"] for b in s["length_buckets"]}
    return {}


# ---------------------------------------------------------------------------- HTML

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430;
       margin: 0; background: #f5f6f8; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 12px; border-top: 1px solid #dde1e6; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: #555; margin: 0 0 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; color: #fff; background: #6b7280; vertical-align: middle; }
.badge.ok { background: #15803d; } .badge.partial { background: #b45309; }
.badge.failed, .badge.interrupted { background: #b91c1c; }
.note { background: #fff7e6; border-left: 4px solid #f59e0b; padding: 8px 12px; margin: 8px 0; }
.error { background: #fdecec; border-left: 4px solid #dc2626; padding: 8px 12px; margin: 8px 0;
         font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap;
         word-break: break-word; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px 4px 0; text-align: left;
         vertical-align: top; }
th { font-weight: 600; color: #374151; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.sig { color: #15803d; font-weight: 600; } td.fail { color: #b91c1c; font-weight: 600; }
table.pivot td, table.pivot th { padding-right: 18px; }
table.pivot .sig, table.pivot .muted { font-size: 12px; }
.chart { width: 100%; height: auto; display: block; margin: 8px 0 16px; }
table.seg { table-layout: fixed; width: 100%; }
table.seg td { overflow-wrap: anywhere; word-break: break-word; }
table.seg td.text { font-size: 12.5px; }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
pre { background: #f3f4f6; padding: 10px; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; } .muted { color: #6b7280; } .small { font-size: 12px; }
</style>
</head>
<body><main>
$body
</main></body>
</html>
""")


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "",
           widths: Sequence[str] | None = None) -> str:  # fmt: skip
    """Rows are pre-escaped HTML cells (``<td>`` included); ``widths`` fix column widths."""
    cols = ""
    if widths:
        cols = "<colgroup>" + "".join(f'<col style="width:{w}">' for w in widths) + "</colgroup>"
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return (f'<div class="scroll"><table class="{cls}">{cols}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")  # fmt: skip


def clip(text: str | None, limit: int = 300) -> str:
    """Runaway output (a model repeating itself) cut for the page; the JSON keeps it whole."""
    if text is None or len(text) <= limit:
        return text or ""
    return f"{text[:limit]} … ({len(text) - limit} more characters)"


def _td(value: Any, cls: str = "") -> str:
    return f'<td class="{cls}">{esc(value)}</td>' if cls else f"<td>{esc(value)}</td>"


def render_html(data: dict[str, Any]) -> str:
    run = data["run"]
    parts = [_html_header(data)]
    parts.append("<h2>Summary</h2>" + _html_summary(data))
    for title, chart in (("Scores with 95% confidence intervals", chart_scores(data)),
                         ("Per-document scores", chart_documents(data)),
                         ("Scores by sentence length", chart_lengths(data))):  # fmt: skip
        if chart:
            parts.append(f"<h2>{esc(title)}</h2>{chart}")
    for d in data["directions"]:
        parts.append(_html_direction(data, d))
    parts.append(_html_footer(data))
    title = f"mt evaluation run {run['id']}: {run['name']}"
    return PAGE.substitute(title=esc(title), body="\n".join(parts))


def _html_header(data: dict[str, Any]) -> str:
    run, p = data["run"], data["run"]["params"]
    status = esc(run["status"])
    meta = (f"started {esc(run['started_at'])} UTC · finished {esc(run['finished_at'] or '–')} · "
            f"split <b>{esc(p.get('split'))}</b> · {esc(_limit_text(run))} · "
            f"paired bootstrap {esc(p.get('bootstrap'))} resamples (seed {esc(p.get('seed'))}) · "
            f"store <code>{esc(p.get('db'))}</code>")  # fmt: skip
    notes = "".join(f'<div class="note">{esc(n)}</div>' for n in data.get("notes", []))
    return (f"<h1>Evaluation run {esc(run['id'])}: {esc(run['name'])} "
            f'<span class="badge {status}">{status}</span></h1>'
            f'<p class="meta">{meta}</p>{notes}')  # fmt: skip


def _html_summary(data: dict[str, Any]) -> str:
    """One table per metric: systems × directions, score with its CI and p-value."""
    parts = []
    for key in metric_keys(data):
        header = ["system", *[d["direction"] for d in data["directions"]]]
        rows = [[_td(row[0])] + row[1:] for row in _pivot(data, key, _html_score_cell)]
        parts.append(f"<h3>{esc(metric_name(data, key))} "
                     f'<span class="muted small">({_better(key)})</span></h3>'
                     + _table(header, rows, "pivot"))  # fmt: skip
    parts.append('<p class="small muted">Cells: score [95% CI] from paired bootstrap '
                 "resampling; p against the direction's baseline (its first system); "
                 "* marks p &lt; 0.05. Models, timings and failures are listed per direction "
                 "below.</p>")  # fmt: skip
    return "".join(parts)


def _html_score_cell(s: dict[str, Any] | None, key: str) -> str:
    if s is None:
        return '<td class="muted">–</td>'
    if s["status"] != "ok":
        return f'<td class="fail">{esc(s["status"])}</td>'
    e = s["scores"].get(key)
    if not e:
        return '<td class="muted">–</td>'
    digits = 4 if key == "comet" else 2
    ci = ""
    if e.get("ci_low") is not None:
        ci = f"[{e['ci_low']:.{digits}f}, {e['ci_high']:.{digits}f}]"
    p = fmt_p(e)
    p_html = f'<span class="{"sig" if p.endswith("*") else "muted"}">{esc(p)}</span>' if p else ""
    return (
        f'<td class="num"><b>{e["score"]:.{digits}f}</b> {p_html}<br>'
        f'<span class="small muted">{esc(ci)}</span></td>'
    )


def _html_direction(data: dict[str, Any], d: dict[str, Any]) -> str:
    out = [f"<h2>{esc(d['direction'])}</h2>",
           f'<p class="meta">{esc(d["segments"])} segments from {len(d["documents"])} documents'
           f" · baseline <b>{esc(d.get('baseline') or '–')}</b></p>"]  # fmt: skip
    if d.get("error"):
        out.append(f'<div class="note">{esc(d["error"])}</div>')
    for s in d["systems"]:
        if s["status"] != "ok":
            out.append(
                f"<h3>{esc(s['name'])} failed</h3>"
                f'<div class="error">{esc(s.get("error") or "unknown error")}</div>'
            )
    ok = [s for s in d["systems"] if s["status"] == "ok"]
    if ok:
        out += [_html_systems(ok), "<h3>Per document</h3>", _html_docs(data, d, ok),
                "<h3>Quality checks</h3>", _html_qa(ok)]  # fmt: skip
        out += [_html_worst(s) for s in ok]
    return "\n".join(out)


def _html_systems(systems: list[dict[str, Any]]) -> str:
    rows = []
    for s in systems:
        p = s.get("params") or {}
        t = s.get("timings") or {}
        rows.append([_td(s["name"]), _td(s.get("model") or "–", "small"),
                     _td(_short_revision(s.get("revision")), "small"), _td(s.get("backend") or "–"),
                     _td(s.get("device") or p.get("device") or "–"), _td(p.get("beam")),
                     _td("on" if p.get("tm") else "off"), _td(_glossary_text(p.get("glossary"))),
                     _td(fmt_seconds(t.get("load_s")), "num"),
                     _td(fmt_seconds(t.get("translate_s")), "num")])  # fmt: skip
    return _table(["system", "model", "revision", "backend", "device", "beam", "TM", "glossary",
                   "load", "translate"], rows)  # fmt: skip


def _short_revision(revision: str | None) -> str:
    """Hub commits cut to 12 characters, as git shows them (the JSON keeps them whole)."""
    if not revision:
        return "–"
    return "+".join(part[:12] for part in revision.split("+"))


def _glossary_text(value: Any) -> str:
    if value is True:
        return "default"
    return Path(value).name if isinstance(value, str) else "off"


def _html_docs(data: dict[str, Any], d: dict[str, Any], systems: list[dict[str, Any]]) -> str:
    keys = [k for k in metric_keys(data) if "@" not in k]
    header = ["document"] + [f"{s['name']} {metric_name(data, k)}" for s in systems for k in keys]
    rows = [[_td(doc)] + [_td(_num(s["documents"].get(doc, {}).get(k), k), "num")
                          for s in systems for k in keys] for doc in d["documents"]]  # fmt: skip
    return _table(header, rows)


def _html_qa(systems: list[dict[str, Any]]) -> str:
    cols = qa_columns(systems)
    rows, flagged = [], []
    for s in systems:
        qa = s.get("qa") or {}
        if "error" in qa:
            rows.append([_td(s["name"]), _td(f"QA failed: {qa['error']}")]
                        + [_td("")] * len(cols))  # fmt: skip
            continue
        rows.append([_td(s["name"]), _td(f"{qa.get('flagged_segments', 0)} / "
                                         f"{qa.get('segments', 0)}", "num")]
                    + [_td(qa.get("summary", {}).get(c, 0), "num") for c in cols])  # fmt: skip
        flagged.append(_html_flagged(s["name"], qa.get("flagged", [])))
    return _table(["system", "flagged segments", *cols], rows) + "".join(flagged)


def _html_flagged(name: str, rows: list[dict[str, Any]], limit: int = 20) -> str:
    if not rows:
        return ""
    body = [[_td(r.get("doc_key")), _td(r["index"], "num"), _td(r.get("src"), "text"),
             _td(clip(r.get("hyp")), "text"),
             _td("; ".join(f"{f['check']}: {f['message']}" for f in r["findings"]), "text")]
            for r in rows[:limit]]  # fmt: skip
    more = f" (first {limit} of {len(rows)})" if len(rows) > limit else ""
    return (f"<details><summary>{esc(name)}: flagged segments{esc(more)}</summary>"
            + _table(["document", "#", "source", "hypothesis", "findings"], body, "seg",
                     ["13%", "4%", "29%", "29%", "25%"])
            + "</details>")  # fmt: skip


def _html_worst(s: dict[str, Any]) -> str:
    worst = s.get("worst") or []
    if not worst:
        return ""
    rows = [[_td(f"{w['score']:.1f}", "num"),
             _td(f"{w['doc_key']}, {_sentence_label(w)}", "small"),
             _td(w["src"], "text"), _td(w["ref"], "text"), _td(clip(w["hyp"]), "text")]
            for w in worst]  # fmt: skip
    return (
        f"<h3>Worst segments: {esc(s['name'])} "
        f'<span class="muted small">(by sentence {esc(worst[0]["metric"])})</span></h3>'
        + _table(
            ["score", "document", "source", "reference", "hypothesis"],
            rows,
            "seg",
            ["5%", "13%", "27%", "27%", "28%"],
        )
    )


def _html_footer(data: dict[str, Any]) -> str:
    run = data["run"]
    sigs = "".join(f"<li><code>{esc(s)}</code></li>" for s in _signatures(data))
    versions = " · ".join(f"{esc(k)} {esc(v)}" for k, v in run.get("versions", {}).items())
    return (
        f"<h2>Reproducibility</h2><h3>Signatures</h3><ul>{sigs}</ul>"
        f'<p class="small muted">{versions}</p>'
        f"<details><summary>Recipe</summary><pre>{esc(run.get('recipe'))}</pre></details>"
    )


# ---------------------------------------------------------------------------- writing

RENDERERS = {"json": render_json, "md": render_markdown, "html": render_html}
SUFFIXES = {"json": ".json", "md": ".md", "html": ".html"}


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt not in RENDERERS:
        raise UserError(f"unknown report format {fmt!r} (available: {', '.join(FORMATS)})")
    return RENDERERS[fmt](data)


def write_report(data: dict[str, Any], fmt: str, path: str | Path) -> Path:
    text = render(data, fmt)
    with atomic_write(path) as fh:
        fh.write(text)
    return Path(path)


def write_reports(data: dict[str, Any], out_dir: str | Path,
                  formats: Sequence[str] = FORMATS) -> list[Path]:  # fmt: skip
    """``run-<id>.{html,md,json}`` in ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError("report directory is a file", out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"run-{data['run']['id']}"
    return [write_report(data, fmt, out / f"{stem}{SUFFIXES[fmt]}") for fmt in formats]
