"""Reports of evaluation runs: JSON round trip, Markdown tables, one self-contained HTML file.

The runs behind these reports use a fake translator (instant); what is checked is the
rendering: everything escaped, no external resource, charts present and well-formed, a failed
system and an unavailable metric shown, and (when Chromium is installed) a real screenshot.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from mt.corpus.store import Store
from mt.errors import UserError
from mt.evaluate.recipe import parse_recipe
from mt.evaluate.report import render, write_reports
from mt.evaluate.runs import RunOptions, load_run, run_recipe
from tests.conftest import CORPORA, ROOT

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
HOSTILE = '<script>alert("x")</script> | a & b'


class Translator:
    """Hostile output for "evil", the source for "copy", nothing at all for "broken"."""

    def __init__(self, spec, src, tgt, **kw):
        if spec.name == "broken":
            raise RuntimeError("CUDA out of memory <b>bold</b>")
        self.evil = spec.name == "evil"

    def translate_sentences(self, sentences):
        return [HOSTILE if self.evil and i % 2 else s for i, s in enumerate(sentences)]


@pytest.fixture(scope="module")
def report_data(tmp_path_factory) -> dict:
    """A stored fake run over two directions, three systems (one broken), COMET asked for."""
    from mt.cli import main

    folder = tmp_path_factory.mktemp("report")
    db = folder / "corpus.sqlite"
    try:
        main(["corpus", "import", str(CORPORA), "--db", str(db)])
    except SystemExit as exc:
        assert not exc.code
    recipe = parse_recipe({
        "name": "report <test>", "directions": ["en-ru", "az-en"], "bootstrap": 50,
        "metrics": ["bleu", "chrf", "ter", "comet"], "comet_model": str(folder / "none.ckpt"),
        "system": [{"name": "copy"}, {"name": "evil"}, {"name": "broken"}],
    }, text="# recipe <with> markup & more")  # fmt: skip
    saved = sys.modules.get("comet")
    sys.modules["comet"] = None  # type: ignore[assignment]  # COMET not installed
    try:
        with Store.open(db) as store:
            run_id = run_recipe(recipe, store, RunOptions(limit=12, translator_factory=Translator))
            return load_run(store, run_id)
    finally:
        if saved is None:
            sys.modules.pop("comet", None)
        else:
            sys.modules["comet"] = saved


def test_json_report_is_the_stored_data(report_data, tmp_path):
    paths = write_reports(report_data, tmp_path / "nested" / "out")
    assert [p.name for p in paths] == ["run-1.html", "run-1.md", "run-1.json"]
    assert json.loads(paths[2].read_text(encoding="utf-8")) == report_data
    assert report_data["format"] == "mt-eval-run/1"


def test_markdown_report_has_pivot_tables_failures_and_notes(report_data):
    md = render(report_data, "md")
    assert md.startswith("# Evaluation run 1: report <test>")
    assert "> COMET unavailable: unbabel-comet is not installed" in md
    assert "| system | en-ru | az-en |" in md
    assert re.search(r"\| broken \| failed \| failed \|", md)
    assert "**broken failed:** `RuntimeError: CUDA out of memory <b>bold</b>`" in md
    assert f"  - hyp: {HOSTILE}" in md  # segments are list items: a pipe breaks no table
    assert "### Worst segments: copy" in md and "nrefs:1|" in md


def test_html_report_is_self_contained_and_escaped(report_data):
    page = render(report_data, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(page)
    lowered = page.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "CUDA out of memory &lt;b&gt;bold&lt;/b&gt;" in page
    assert "report &lt;test&gt;" in page and "# recipe &lt;with&gt; markup &amp; more" in page
    assert "COMET unavailable: unbabel-comet is not installed" in page
    for name in ("copy", "evil", "broken"):
        assert f"<td>{name}</td>" in page


def test_html_charts_are_inline_svg_with_unique_ids(report_data):
    page = render(report_data, "html")
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3  # scores with CIs, per document, by length
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', page):
        assert ref in ids
    assert "BLEU (higher is better), 95% CI" in svgs[0]  # text kept as text
    assert "TER (lower is better), 95% CI" in svgs[0]


def test_reports_without_any_successful_system(report_data):
    data = json.loads(json.dumps(report_data))
    for d in data["directions"]:
        d["systems"] = [s for s in d["systems"] if s["name"] == "broken"]
    page = render(data, "html")
    assert "<svg" not in page and "failed" in page
    assert "broken" in render(data, "md")


def test_unknown_format_is_a_user_error(report_data):
    with pytest.raises(UserError, match="unknown report format 'pdf'"):
        render(report_data, "pdf")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_screenshot_of_the_html_report(report_data, tmp_path):
    (html,) = write_reports(report_data, tmp_path, ["html"])
    png = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshot_report.py"), str(html), "--out",
         str(png), "--height", "1600"], capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
