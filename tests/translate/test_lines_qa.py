"""`mt translate --lines` (one segment per line, stdin to stdout) and `--qa`."""

from __future__ import annotations

import io
import json

import pytest

from tests.translate.fixtures import FakeEngine

# Deterministic "translations" for the QA tests: the second one changes a number.
TABLE = {
    "The meeting took place on 12 March 2024.": "Встреча состоялась 12 марта 2024 года.",
    "The ministry received 25 letters from 14 countries.":
        "Министерство получило 26 писем из 14 стран.",
}  # fmt: skip


@pytest.fixture
def fake_models(monkeypatch):
    """Engines that look sentences up in TABLE, else upper-case and tag them."""

    def load(model, src, tgt, **kw):
        fn = lambda s: TABLE.get(s, f"{tgt.upper()}:{s.upper()}")  # noqa: E731
        return FakeEngine(src, tgt, fn, model_id=str(model), revision="abc", backend="ct2")

    monkeypatch.setattr("mt.translate.engine.load_engine", load)


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


# ---------------------------------------------------------------------------- --lines


def test_lines_keep_every_line_through_stdin_and_stdout(run_mt, fake_models, monkeypatch):
    # Two sentences on a line stay on it; a lower-case continuation is not joined to the line
    # before (it would be in text mode); blank and number-only lines come back as they were.
    stdin(monkeypatch, "First line. Second sentence on it.\n\nThe ministry welcomes the\n"
                       "agreement signed today.\n   \n2024\nLast line")  # fmt: skip
    code, out, err = run_mt("translate", "--lines", "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0, err
    assert out.split("\n") == [
        "RU:FIRST LINE. RU:SECOND SENTENCE ON IT.", "", "RU:THE MINISTRY WELCOMES THE",
        "RU:AGREEMENT SIGNED TODAY.", "   ", "2024", "RU:LAST LINE", "",
    ]  # fmt: skip


def test_lines_from_a_file_with_crlf_and_jsonl(run_mt, fake_models, tmp_path):
    path = tmp_path / "test.en"
    path.write_bytes(b"Hello there.\r\n\r\nHow are you? Fine.\r\n")
    code, out, _ = run_mt("translate", path, "--lines", "--src", "en", "--tgt", "az",
                          "--no-glossary", "--format", "jsonl")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["paragraph"], r["translation"]) for r in rows] == [
        (0, "AZ:HELLO THERE."), (2, "AZ:HOW ARE YOU?"), (2, "AZ:FINE.")]  # fmt: skip


def test_lines_on_a_model_that_misbehaves(run_mt, monkeypatch):
    """A line break in a model's output cannot add a line."""

    def load(model, src, tgt, **kw):
        return FakeEngine(src, tgt, lambda s: f"one\ntwo\u2028{s}", model_id=str(model))

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    stdin(monkeypatch, "A line.\n\nAnother line.\n")
    code, out, _ = run_mt("translate", "--lines", "--src", "en", "--tgt", "ru", "--no-glossary")
    assert code == 0
    assert out == "one two A line.\n\none two Another line.\n"


def test_lines_on_tiny_models(run_mt, tiny_hub, monkeypatch, tmp_path):
    lines = ["The parties discussed cooperation.", "", "Heydar Aliyev was the national leader.",
             "", "", "The talks went well. Both sides reaffirmed their commitment."]  # fmt: skip
    stdin(monkeypatch, "\n".join(lines) + "\n")
    code, out, err = run_mt("translate", "-", "--lines", "--src", "en", "--tgt", "ru",
                            "--beam", "1", "--no-glossary")  # fmt: skip
    assert code == 0, err
    got = out.split("\n")
    assert got[-1] == "" and len(got) == len(lines) + 1
    assert [bool(g.strip()) for g in got[:-1]] == [bool(x) for x in lines]


def test_lines_refuse_markup_and_documents(run_mt, fake_models, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n", encoding="utf-8")
    code, _, err = run_mt("translate", page, "--lines", "--input-format", "markdown",
                          "--src", "en", "--tgt", "ru")  # fmt: skip
    assert code == 2 and "--lines reads plain text" in err
    doc = tmp_path / "release.docx"
    doc.write_bytes(b"PK")
    code, _, err = run_mt("translate", doc, "--lines", "--src", "en", "--tgt", "ru")
    assert code == 2 and "--lines reads plain text, not a docx file" in err


# ---------------------------------------------------------------------------- --qa


RELEASE = ("The meeting took place on 12 March 2024. The ministry received 25 letters from "
           "14 countries.\n\nThe talks went well.\n")  # fmt: skip


def test_qa_flags_a_changed_number_on_stderr(run_mt, fake_models, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(RELEASE, encoding="utf-8")
    code, out, err = run_mt("translate", path, "--src", "en", "--tgt", "ru", "--no-glossary",
                            "--qa")  # fmt: skip
    assert code == 0
    assert out.startswith("Встреча состоялась 12 марта 2024 года. Министерство получило 26")
    flagged = [line for line in err.splitlines() if line.startswith("mt: qa")]
    assert flagged == ["mt: qa (en-ru): sentence 2: numbers (error): source numbers missing: "
                       "25; numbers not in the source: 26"]  # fmt: skip


def test_qa_field_in_jsonl(run_mt, fake_models, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(RELEASE, encoding="utf-8")
    args = ("translate", path, "--src", "en", "--tgt", "ru", "--no-glossary", "--format", "jsonl")
    code, out, _ = run_mt(*args, "--qa")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["qa"] == []
    assert [f["check"] for f in rows[1]["qa"]] == ["numbers"]
    assert rows[1]["qa"][0]["severity"] == "error"
    assert rows[1]["qa"][0]["score"] == {"missing": ["25"], "extra": ["26"]}
    assert "index" not in rows[1]["qa"][0]
    # Without --qa the records are as before.
    code, out, _ = run_mt(*args)
    assert all("qa" not in json.loads(line) for line in out.splitlines())


def test_qa_with_lines_names_the_line_and_is_capped(run_mt, fake_models, monkeypatch):
    text = "".join(f"Line {k} has {k + 100} words.\n\n" for k in range(25))

    def load(model, src, tgt, **kw):  # every number off by one
        return FakeEngine(src, tgt, lambda s: s.replace("has 1", "has 9"), model_id=str(model))

    monkeypatch.setattr("mt.translate.engine.load_engine", load)
    stdin(monkeypatch, text)
    code, out, err = run_mt("translate", "--lines", "--qa", "--src", "en", "--tgt", "ru",
                            "--no-glossary")  # fmt: skip
    assert code == 0 and out.count("\n") == 50
    flagged = [line for line in err.splitlines() if line.startswith("mt: qa")]
    assert len(flagged) == 21
    assert flagged[0].startswith("mt: qa (en-ru): line 1: numbers (error): source numbers "
                                 "missing: 100; numbers not in the source: 900; ")  # fmt: skip
    assert flagged[1].startswith("mt: qa (en-ru): line 3: ")
    assert flagged[-1] == "mt: qa (en-ru): 5 more sentences flagged (see --format jsonl)"
