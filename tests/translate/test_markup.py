"""Input formats: markup and layout survive translation; only the text is translated."""

from __future__ import annotations

import re

import pytest

from mt.errors import UserError
from mt.translate.markup import (
    Atom,
    Block,
    Span,
    Text,
    _raw_of,
    detect_format,
    parse_html,
    parse_inline,
    parse_markdown,
    parse_text,
    plain_text,
)
from mt.translate.pipeline import Translator


def upper(text: str) -> str:
    """A "model" whose output is visibly different but keeps placeholders."""
    return text.upper()


def translate(fake_engine, text: str, fmt: str, fn=upper):
    engine = fake_engine("en", "ru", fn)
    result = Translator.from_engines([engine], glossary=False).translate_text(text, fmt)
    return result, [s for batch in engine.calls for s in batch]


def blocks(doc) -> list[str]:
    return [plain_text(b.nodes) for b in doc.blocks()]


# ---------------------------------------------------------------------------- formats


@pytest.mark.parametrize("path, fmt, expected", [
    ("a.md", "auto", "markdown"), ("a.MARKDOWN", "auto", "markdown"), ("a.html", "auto", "html"),
    ("a.htm", "auto", "html"), ("a.txt", "auto", "text"), ("-", "auto", "text"),
    (None, "auto", "text"), ("a.txt", "html", "html"), ("a.md", "text", "text"),
])  # fmt: skip
def test_detect_format(path, fmt, expected):
    assert detect_format(path, fmt) == expected


def test_unknown_format():
    with pytest.raises(UserError, match="unknown input format"):
        detect_format("a.txt", "docx")


# ---------------------------------------------------------------------------- plain text


def test_plain_text_layout():
    text = ("Statement of the Ministry\nBaku, 12 March 2024\n\n\n"
            "The ministry said that the trilateral statement signed on\n"
            "10 November 2020 must be implemented. It also called on\n"
            "international organizations to help.\n\n"
            "The list:\n  - one\n  - two\n")  # fmt: skip
    doc = parse_text(text)
    assert blocks(doc) == [
        "Statement of the Ministry", "Baku, 12 March 2024",
        "The ministry said that the trilateral statement signed on\n10 November 2020 must be "
        "implemented. It also called on\ninternational organizations to help.",
        "The list:", "one", "two",
    ]  # fmt: skip
    assert [b.paragraph for b in doc.blocks()] == [0, 0, 1, 2, 2, 2]
    rendered = doc.render(lambda b: "X")
    assert rendered == "X\nX\n\n\nX\n\nX\n  - X\n  - X\n"


def test_plain_text_translation_keeps_blank_lines_and_wraps(fake_engine):
    text = "\nFirst paragraph.\n\n\nSecond one.  Two sentences.\n"
    result, sent = translate(fake_engine, text, "text")
    assert result.text == "\nFIRST PARAGRAPH.\n\n\nSECOND ONE. TWO SENTENCES.\n"
    assert sent == ["First paragraph.", "Second one.", "Two sentences."]


# ---------------------------------------------------------------------------- Markdown


MD = r"""---
title: Press release
---
# The *Ministry* said #

The **Ministry of Foreign Affairs** met [the delegation](https://mfa.gov.az/en "MFA").
It runs `mt translate` daily.\
A new line after a hard break.

> Quoted text here.
> More quoted text.

- item one
- item two with _emphasis_
  1. nested item

```
code block is not translated
```

| Name | Role |
|------|------|
| Ilham Aliyev | President |

Setext heading
==============

See https://mfa.gov.az/news?id=1 for details. ![logo](logo.png) Done.
"""


def test_markdown_structure():
    doc = parse_markdown(MD)
    assert blocks(doc) == [
        "The Ministry said",
        "The Ministry of Foreign Affairs met the delegation.\nIt runs mt translate daily. "
        "A new line after a hard break.",
        "Quoted text here.\nMore quoted text.", "item one", "item two with emphasis",
        "nested item", "Name", "Role", "Ilham Aliyev", "President", "Setext heading",
        "See https://mfa.gov.az/news?id=1 for details.  Done.",
    ]  # fmt: skip


def test_markdown_markup_is_kept_and_text_translated(fake_engine):
    result, sent = translate(fake_engine, MD, "markdown")
    out = result.text
    assert out.startswith("---\ntitle: Press release\n---\n# THE *MINISTRY* SAID #\n\n")
    assert ("THE **MINISTRY OF FOREIGN AFFAIRS** MET [THE DELEGATION]"
            "(https://mfa.gov.az/en \"MFA\").") in out  # fmt: skip
    assert "IT RUNS `mt translate` DAILY.\\\nA NEW LINE AFTER A HARD BREAK." in out
    assert "> QUOTED TEXT HERE. MORE QUOTED TEXT.\n" in out
    assert "- ITEM ONE\n- ITEM TWO WITH _EMPHASIS_\n  1. NESTED ITEM\n" in out
    assert "```\ncode block is not translated\n```" in out
    assert "| NAME | ROLE |\n|------|------|\n| ILHAM ALIYEV | PRESIDENT |" in out
    assert "SETEXT HEADING\n==============\n" in out
    assert "SEE https://mfa.gov.az/news?id=1 FOR DETAILS. ![logo](logo.png) DONE." in out
    assert not any("code block" in s or "mfa.gov.az" in s for s in sent)
    assert "The [1] met [2]." in sent  # the sentence is translated whole
    assert result.sentences[0].source == "The Ministry said"


def test_markdown_inline_nodes():
    nodes = parse_inline(r"a **b *c* d** \* [e](f) `g` <b>h</b> _i_j_ snake_case_name")
    assert isinstance(nodes[1], Span) and nodes[1].open == "**"
    assert isinstance(nodes[1].children[1], Span) and nodes[1].children[1].open == "*"
    assert isinstance(nodes[3], Atom) and nodes[3].raw == r"\*" and nodes[3].plain == "*"
    link = nodes[5]
    assert isinstance(link, Span) and link.close == "](f)"
    assert plain_text(nodes) == "a b c d * e g h i_j snake_case_name"


def test_markdown_escapes_markup_characters_in_translations(fake_engine):
    result, _ = translate(fake_engine, "Plain words.\n", "markdown", lambda s: "a*b_c [d]")
    assert result.text == r"a\*b\_c \[d\]" + "\n"


# ---------------------------------------------------------------------------- HTML


HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The statement</title>
<style>p { color: red; }</style><script>var s = "Do not translate";</script></head>
<body>
  <h1 class="title">Press   release</h1>
  <p>The <b>Ministry</b> &amp; the <a href="https://mfa.gov.az?a=1&amp;b=2">delegation</a>
  met.<br>New line here.</p>
  <!-- a comment -->
  <ul><li>One item</li><li>Two <i>items</li></ul>
  <p>Keep <span translate="no">Ilham Aliyev</span> and <code>x &lt; y</code> as they are.</p>
  <pre>preformatted text</pre>
  <div><span style="x">A sentence. Another sentence.</span></div>
</body></html>
"""


def test_html_blocks():
    doc = parse_html(HTML)
    assert blocks(doc) == [
        "The statement", "Press   release",
        "The Ministry & the delegation\n  met. New line here.",
        "One item", "Two items", "Keep Ilham Aliyev and x < y as they are.",
        "A sentence. Another sentence.",
    ]  # fmt: skip
    body = next(b for b in doc.blocks() if "Ministry" in plain_text(b.nodes))
    assert body.nodes[1] == Span("<b>", [Text("Ministry")], "</b>")
    assert any(isinstance(n, Atom) and n.hard_break for n in body.nodes)


def test_html_tags_kept_text_translated(fake_engine):
    result, sent = translate(fake_engine, HTML, "html")
    out = result.text
    tags = re.compile(r"<[^>]+>")
    assert tags.findall(out) == tags.findall(HTML)  # every tag, byte for byte, in order
    assert "<title>THE STATEMENT</title>" in out
    assert '<script>var s = "Do not translate";</script>' in out
    assert "<style>p { color: red; }</style>" in out
    assert '<h1 class="title">PRESS RELEASE</h1>' in out
    assert ('<p>THE <b>MINISTRY</b> &amp; THE <a href="https://mfa.gov.az?a=1&amp;b=2">'
            "DELEGATION</a> MET.<br>NEW LINE HERE.</p>") in out  # fmt: skip
    assert "<!-- a comment -->" in out and "<pre>preformatted text</pre>" in out
    assert '<span translate="no">Ilham Aliyev</span>' in out
    assert "<code>x &lt; y</code>" in out
    assert '<span style="x">A SENTENCE. ANOTHER SENTENCE.</span>' in out
    assert "New line here." in sent and "The [1] & the [2] met." in sent
    records = [r.source for r in result.sentences]
    assert "A sentence." in records and "Another sentence." in records  # inside the span


def test_html_escapes_translated_text(fake_engine):
    result, _ = translate(fake_engine, "<p>Tom and Jerry</p>", "html", lambda s: "Том & <Джерри>")
    assert result.text == "<p>Том &amp; &lt;Джерри&gt;</p>"


# ---------------------------------------------------------------------------- fallbacks


def test_lost_markup_placeholders_fall_back_to_runs(fake_engine):
    def drops(s):
        return re.sub(r"\[\d+\]", "", s).upper()

    result, sent = translate(fake_engine, "<p>The <b>Ministry</b> said <i>this</i>.</p>", "html",
                             drops)  # fmt: skip
    assert result.text == "<p>THE <b>MINISTRY</b> SAID <i>THIS</i>.</p>"
    assert "The [1] said [2]." in sent and "The" in sent and "said" in sent


def test_span_across_a_sentence_boundary(fake_engine):
    text = "First sentence. *Second sentence. Third* goes on.\n"
    result, sent = translate(fake_engine, text, "markdown")
    assert result.text == "FIRST SENTENCE. *SECOND SENTENCE. THIRD* GOES ON.\n"
    assert sorted(sent) == ["First sentence.", "Second sentence.", "Third", "[1] goes on."]


def test_html_round_trip_without_translation():
    doc = parse_html(HTML)
    assert isinstance(next(doc.blocks()), Block)
    assert doc.render(lambda b: _raw_of(b.nodes, doc.escape)) == HTML
