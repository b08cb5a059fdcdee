"""`mt translate` on documents: Word (.docx) and XLIFF 1.2 / 2.1, translated in place."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from tests.translate.fixtures import FakeEngine

docx = pytest.importorskip("docx")

DATA = Path(__file__).resolve().parents[1] / "data" / "xliff"
XS = "{http://www.w3.org/2001/XMLSchema}"
XML_NS = "http://www.w3.org/XML/1998/namespace"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
URL = "https://mfa.gov.az/en/news/statement"


@pytest.fixture
def fake_models(monkeypatch):
    """Engines that upper-case (and tag) what they get, placeholders included."""
    loaded: list[FakeEngine] = []

    def load(model, src, tgt, **kw):
        engine = FakeEngine(src, tgt, lambda s: f"{tgt.upper()}:{s.upper()}", model_id=str(model))
        loaded.append(engine)
        return engine

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    return loaded


def sent(engines: list[FakeEngine]) -> list[str]:
    return [s for e in engines for batch in e.calls for s in batch]


# ---------------------------------------------------------------------------- Word


def add_hyperlink(paragraph, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    rpr.append(style)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def number(paragraph, num_id: str) -> None:
    """Explicit list numbering in the paragraph's own properties."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", num_id)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        num_pr.append(el)
    paragraph._p.get_or_add_pPr().append(num_pr)


def build_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("Statement of the Ministry of Foreign Affairs", level=1)
    p = d.add_paragraph("The ministry ")
    p.add_run("welcomes").bold = True
    p.add_run(" the agreement signed in Baku. More on ")
    add_hyperlink(p, URL, "the website")
    p.add_run(". The next meeting will take place in Geneva.")
    d.add_paragraph("Energy cooperation", style="List Bullet")
    d.add_paragraph("Transport links", style="List Bullet")
    num_id = str(d.styles["List Number"]._element.pPr.numPr.numId.val)
    for text in ("The parties discussed humanitarian issues.", "Both sides reaffirmed peace."):
        number(d.add_paragraph(text, style="List Number"), num_id)
    table = d.add_table(rows=2, cols=3)
    for r, row in enumerate((("Country", "Capital", "Code"), ("Azerbaijan", "Baku", "994"))):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    lines = d.add_paragraph("First line of the address")
    lines.add_run().add_break()
    lines.add_run("second line of the address.")
    d.add_paragraph("2024")
    d.sections[0].header.paragraphs[0].text = "Ministry of Foreign Affairs"
    d.sections[0].footer.paragraphs[0].text = "Press service"
    d.save(str(path))
    return path


def ppr(paragraph) -> bytes:
    el = paragraph._p.pPr
    return b"" if el is None else etree.tostring(el, method="c14n")


def assert_same_structure(source, out) -> None:
    """Paragraphs, their properties (style, list numbering), tables, headers and footers."""
    assert len(out.paragraphs) == len(source.paragraphs)
    assert [p.style.name for p in out.paragraphs] == [p.style.name for p in source.paragraphs]
    assert [ppr(p) for p in out.paragraphs] == [ppr(p) for p in source.paragraphs]
    assert [(len(t.rows), len(t.columns)) for t in out.tables] == [
        (len(t.rows), len(t.columns)) for t in source.tables]  # fmt: skip
    for a, b in ((out.sections[0].header, source.sections[0].header),
                 (out.sections[0].footer, source.sections[0].footer)):  # fmt: skip
        assert len(a.paragraphs) == len(b.paragraphs) and a.paragraphs[0].text.strip()


def test_docx_round_trip_on_tiny_models(run_mt, tiny_hub, tmp_path):
    source_path = build_docx(tmp_path / "release.docx")
    code, out, err = run_mt("translate", source_path, "--src", "en", "--tgt", "ru,az",
                            "--out", tmp_path / "out.docx", "--beam", "1")  # fmt: skip
    assert code == 0, err
    assert out == "" and "paragraphs translated" in err
    source = docx.Document(str(source_path))
    for lang in ("ru", "az"):
        translated = docx.Document(str(tmp_path / f"out.{lang}.docx"))
        assert_same_structure(source, translated)
        heading, body = translated.paragraphs[0], translated.paragraphs[1]
        assert heading.style.name == "Heading 1"
        assert heading.text.strip() and heading.text != source.paragraphs[0].text
        assert any(r.bold and r.text.strip() for r in body.runs), "the bold run is gone"
        assert [h.url for h in body.hyperlinks] == [URL]
        assert body.hyperlinks[0].text.strip()
        numbered = [p for p in translated.paragraphs if p.style.name == "List Number"]
        assert len(numbered) == 2 and all(p._p.pPr.numPr is not None for p in numbered)
        assert translated.paragraphs[-1].text == "2024"
        assert translated.tables[0].cell(1, 2).text == "994"
        assert body._p.findall(f".//{W}br") == [] and translated.paragraphs[-2]._p.findall(
            f".//{W}br"
        )  # the line break stays in its paragraph


def test_docx_sentences_run_across_runs_and_formatting_comes_back(run_mt, fake_models, tmp_path):
    source_path = build_docx(tmp_path / "release.docx")
    target = tmp_path / "release.ru.docx"
    code, _, err = run_mt("translate", source_path, "--src", "en", "--tgt", "ru", "--out", target,
                          "--no-glossary")  # fmt: skip
    assert code == 0, err
    requests = sent(fake_models)
    # One sentence across three runs, the bold one as a placeholder; its words on their own.
    assert "The ministry [1] the agreement signed in Baku." in requests
    assert "welcomes" in requests and "More on [1]." in requests and "the website" in requests
    out = docx.Document(str(target))
    body = out.paragraphs[1]
    assert [(r.text, r.bold) for r in body.runs] == [
        ("RU:THE MINISTRY ", None), ("RU:WELCOMES", True),
        (" THE AGREEMENT SIGNED IN BAKU. RU:MORE ON ", None),
        (". RU:THE NEXT MEETING WILL TAKE PLACE IN GENEVA.", None),
    ]  # fmt: skip
    assert [(h.url, h.text) for h in body.hyperlinks] == [(URL, "RU:THE WEBSITE")]
    assert body.hyperlinks[0].runs[0]._r.rPr.rStyle.val == "Hyperlink"  # its run properties
    assert out.tables[0].cell(0, 0).text == "RU:COUNTRY"
    assert out.sections[0].header.paragraphs[0].text == "RU:MINISTRY OF FOREIGN AFFAIRS"
    assert out.sections[0].footer.paragraphs[0].text == "RU:PRESS SERVICE"
    assert out.paragraphs[-2].text == "RU:FIRST LINE OF THE ADDRESS\nRU:SECOND LINE OF THE ADDRESS."
    assert_same_structure(docx.Document(str(source_path)), out)


def test_docx_keeps_formatting_when_the_model_loses_placeholders(run_mt, monkeypatch, tmp_path):
    def load(model, src, tgt, **kw):
        drop = lambda s: re.sub(r"\s*\[\d+\]", "", s).upper()  # noqa: E731
        return FakeEngine(src, tgt, drop, model_id=str(model))

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    source_path = build_docx(tmp_path / "release.docx")
    target = tmp_path / "out.docx"
    code, _, _ = run_mt("translate", source_path, "--src", "en", "--tgt", "ru", "--out", target,
                        "--no-glossary")  # fmt: skip
    assert code == 0
    body = docx.Document(str(target)).paragraphs[1]
    assert [(r.text, r.bold) for r in body.runs][:2] == [
        ("THE MINISTRY ", None),
        ("WELCOMES", True),
    ]
    assert [(h.url, h.text) for h in body.hyperlinks] == [(URL, "THE WEBSITE")]


def test_docx_jsonl_and_errors(run_mt, fake_models, tmp_path):
    source_path = build_docx(tmp_path / "release.docx")
    code, out, _ = run_mt("translate", source_path, "--src", "en", "--tgt", "ru",
                          "--format", "jsonl", "--no-glossary")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["source"] == "Statement of the Ministry of Foreign Affairs"
    assert rows[1]["source"] == "The ministry welcomes the agreement signed in Baku."
    loaded = len(fake_models)
    # Not a Word file; several targets of a document on stdout: refused before any model loads.
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    code, _, err = run_mt(
        "translate", fake, "--src", "en", "--tgt", "ru", "--out", tmp_path / "o.docx"
    )
    assert code == 2 and "not a readable Word .docx file" in err
    code, _, err = run_mt("translate", source_path, "--src", "en", "--tgt", "ru,az")
    assert code == 2 and "several targets of a docx file need --out" in err
    assert not (tmp_path / "o.docx").exists() and len(fake_models) == loaded


# ---------------------------------------------------------------------------- XLIFF

# Sample files: inline tags of every kind, approved/final and human targets, translate="no".
XLIFF_12 = (DATA / "release-1.2.xlf").read_text(encoding="utf-8")

XLIFF_21 = (DATA / "release-2.1.xlf").read_text(encoding="utf-8")


def schema(name: str) -> etree.XMLSchema:
    """An XSD from tests/data/xliff, its xml.xsd import pointed at the local copy."""
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{name} is not in tests/data/xliff: no package or public copy of the whole "
                    "OASIS file was found to vendor (see tests/data/xliff/README.md)")  # fmt: skip
    tree = etree.parse(str(path))
    for imp in tree.iter(f"{XS}import"):
        if imp.get("namespace") == XML_NS:
            imp.set("schemaLocation", (DATA / "xml.xsd").resolve().as_uri())
    return etree.XMLSchema(tree)


def xliff(tmp_path: Path, text: str, name: str = "release.xlf") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def inline(element) -> Counter:
    """The inline elements inside an element: (tag, attributes) counted."""
    return Counter((e.tag, tuple(sorted(e.attrib.items()))) for e in element.iter()
                   if e is not element and e.tag not in (q(NS12, "mrk"),))  # fmt: skip


NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS2 = "urn:oasis:names:tc:xliff:document:2.0"


def check_12(source_text: str, out: bytes) -> None:
    """What the XLIFF 1.2 output must be, whatever the model did."""
    before = etree.fromstring(source_text.encode("utf-8"))
    after = etree.fromstring(out)
    schema("xliff-core-1.2-strict.xsd").assertValid(after)
    ids = lambda root: [u.get("id") for u in root.iter(q(NS12, "trans-unit"))]  # noqa: E731
    assert ids(after) == ids(before)
    assert after.find(q(NS12, "file")).get("target-language") == "ru"
    units = {u.get("id"): u for u in after.iter(q(NS12, "trans-unit"))}
    old = {u.get("id"): u for u in before.iter(q(NS12, "trans-unit"))}
    for uid in ("approved", "human"):  # translations already there: untouched
        assert etree.tostring(units[uid]) == etree.tostring(old[uid])
    for uid in ("code", "inherited"):  # translate="no", on the unit or its group
        assert units[uid].find(q(NS12, "target")) is None
    for uid in ("intro", "segmented"):
        target = units[uid].find(q(NS12, "target"))
        assert target.get("state") == "needs-review-translation"
        assert target.get("state-qualifier") == "mt-suggestion"
        assert "".join(target.itertext()).strip()
        assert inline(target) == inline(units[uid].find(q(NS12, "source")))
    segmented = units["segmented"].find(q(NS12, "target"))
    assert [m.get("mid") for m in segmented.iter(q(NS12, "mrk"))] == ["1", "2"]
    assert [c.tag for c in units["segmented"]] == [
        q(NS12, t) for t in ("source", "seg-source", "target", "note")]  # fmt: skip


def test_xliff_12_round_trip(run_mt, fake_models, tmp_path):
    path = xliff(tmp_path, XLIFF_12)
    target = tmp_path / "release.ru.xlf"
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--out", target,
                            "--no-glossary")  # fmt: skip
    assert code == 0, err
    assert "2 segments translated (marked for review), 2 kept" in err
    data = target.read_bytes()
    check_12(XLIFF_12, data)
    units = {u.get("id"): u for u in etree.fromstring(data).iter(q(NS12, "trans-unit"))}
    intro = etree.tostring(units["intro"].find(q(NS12, "target")), encoding="unicode")
    assert 'RU:THE MINISTRY <g id="1" ctype="bold">RU:WELCOMES</g> THE AGREEMENT.' in intro
    assert '<x id="2" ctype="lb"/>RU:THE NEXT MEETING WILL TAKE PLACE IN ' in intro
    assert '<bpt id="3">&lt;a href="#"&gt;</bpt>GENEVA<ept id="3">&lt;/a&gt;</ept>.' in intro
    # Run again on the output: the machine translations are refreshed, the rest kept.
    code, _, err = run_mt("translate", target, "--src", "en", "--tgt", "ru", "--out",
                          tmp_path / "again.xlf", "--no-glossary")  # fmt: skip
    assert code == 0 and "2 segments translated" in err
    check_12(XLIFF_12, (tmp_path / "again.xlf").read_bytes())


def test_xliff_12_on_tiny_models_keeps_every_tag(run_mt, tiny_hub, tmp_path):
    path = xliff(tmp_path, XLIFF_12)
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--beam", "1")
    assert code == 0, err
    check_12(XLIFF_12, out.encode("utf-8"))  # one target: the XLIFF goes to stdout


def test_xliff_21_round_trip(run_mt, fake_models, tmp_path):
    path = xliff(tmp_path, XLIFF_21, "release.xliff")
    target = tmp_path / "out.xliff"
    code, _, err = run_mt("translate", path, "--src", "en", "--tgt", "az", "--out", target,
                          "--no-glossary")  # fmt: skip
    assert code == 0, err
    before = etree.fromstring(XLIFF_21.encode("utf-8"))
    after = etree.fromstring(target.read_bytes())
    assert after.get("trgLang") == "az" and after.get("srcLang") == "en"
    ids = lambda root: [(u.get("id"), [s.get("id") for s in u.iter(q(NS2, "segment"))])  # noqa: E731
                        for u in root.iter(q(NS2, "unit"))]  # fmt: skip
    assert ids(after) == ids(before)
    units = {u.get("id"): u for u in after.iter(q(NS2, "unit"))}
    old = {u.get("id"): u for u in before.iter(q(NS2, "unit"))}
    assert etree.tostring(units["final"]) == etree.tostring(old["final"])
    for uid in ("code", "inherited"):
        assert units[uid].find(f".//{q(NS2, 'target')}") is None
    segments = list(units["intro"].iter(q(NS2, "segment")))
    for seg in segments:
        assert (seg.get("state"), seg.get("subState")) == ("translated", "mt:needs-review")
        source, target_el = seg.find(q(NS2, "source")), seg.find(q(NS2, "target"))
        assert [c.tag for c in seg] == [q(NS2, "source"), q(NS2, "target")]
        assert inline(target_el) == inline(source)  # same inline elements, same ids
    first = etree.tostring(segments[0].find(q(NS2, "target")), encoding="unicode")
    assert (
        'AZ:THE MINISTRY <pc id="1" type="fmt" subType="xlf:b">AZ:WELCOMES</pc> THE '
        'AGREEMENT.<ph id="2" type="fmt" subType="xlf:lb"/>'
    ) in first
    second = etree.tostring(segments[1].find(q(NS2, "target")), encoding="unicode")
    assert '<mrk id="m1" translate="no">OSCE</mrk>' in second  # not translated
    assert '<sc id="3"/>GENEVA<ec startRef="3"/>' in second


def test_xliff_21_validates_against_the_core_schema(run_mt, fake_models, tmp_path):
    core = schema("xliff_core_2.0.xsd")  # skipped when the schema is not vendored
    path = xliff(tmp_path, XLIFF_21)
    code, out, _ = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0
    core.assertValid(etree.fromstring(out.encode("utf-8")))


def test_xliff_errors(run_mt, fake_models, tmp_path):
    broken = xliff(tmp_path, "<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'>"
                   "\n<file>\n</xliff>", "broken.xlf")  # fmt: skip
    code, _, err = run_mt("translate", broken, "--src", "en", "--tgt", "ru")
    assert code == 2 and "broken.xlf:3: not well-formed XML" in err
    other = xliff(tmp_path, XLIFF_12.replace('source-language="en-US"', 'source-language="de"'))
    code, _, err = run_mt("translate", other, "--src", "en", "--tgt", "ru")
    assert code == 2 and "source-language is 'de', not en" in err
    lang = xliff(tmp_path, XLIFF_21.replace('srcLang="en"', 'srcLang="en" trgLang="ru"'))
    code, _, err = run_mt("translate", lang, "--src", "en", "--tgt", "az")
    assert code == 2 and "trgLang is 'ru', not az" in err
    not_xliff = xliff(tmp_path, "<html><body>Hi</body></html>", "page.xlf")
    code, _, err = run_mt("translate", not_xliff, "--src", "en", "--tgt", "ru")
    assert code == 2 and "not an XLIFF 1.2 or 2.x document" in err
    assert fake_models == []  # every check happens before a model is loaded


def test_xliff_entities_are_not_expanded(run_mt, fake_models, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE xliff [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    body = XLIFF_12.split("\n", 1)[1].replace("Approved text.", "Approved &x; text.")
    text = f'<?xml version="1.0"?>\n{doctype}\n{body}'
    path = xliff(tmp_path, text)
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0, err
    assert "TOP-SECRET" not in out and "&x;" in out


def test_docx_spaces_at_the_edges_of_runs_and_links_showing_an_address(
    run_mt, fake_models, tmp_path
):
    d = docx.Document()
    p = d.add_paragraph("Please read")
    p.add_run(" the statement ").bold = True
    p.add_run("of the ministry now.")
    q = d.add_paragraph("Details on ")
    add_hyperlink(q, URL, "www.mfa.gov.az")
    q.add_run(" today.")
    d.save(str(tmp_path / "in.docx"))
    code, _, err = run_mt("translate", tmp_path / "in.docx", "--src", "en", "--tgt", "ru",
                          "--out", tmp_path / "out.docx", "--no-glossary")  # fmt: skip
    assert code == 0, err
    out = docx.Document(str(tmp_path / "out.docx"))
    assert [(r.text, r.bold) for r in out.paragraphs[0].runs] == [
        ("RU:PLEASE READ ", None), ("RU:THE STATEMENT", True),
        (" OF THE MINISTRY NOW.", None)]  # fmt: skip
    assert out.paragraphs[1].text == "RU:DETAILS ON www.mfa.gov.az TODAY."
    assert [(h.url, h.text) for h in out.paragraphs[1].hyperlinks] == [(URL, "www.mfa.gov.az")]
    assert "www.mfa.gov.az" not in " ".join(sent(fake_models))
