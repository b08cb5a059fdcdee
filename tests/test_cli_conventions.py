"""Conventions every `mt` command follows: --version, completion, `-` for stdin/stdout,
-q/-v everywhere, --format json on listings, readable help, no progress bars off a terminal."""

from __future__ import annotations

import io
import json
import sys

import pytest

import mt
from mt.cli import root
from tests.conftest import CORPORA

FOLDER = CORPORA / "000-mfa-human-rights"

LISTINGS = [("corpus", "docs"), ("corpus", "stats"), ("corpus", "search", "statement"),
            ("models", "list"), ("eval", "history")]  # fmt: skip


def _commands(command=None, path=()):
    """(path, command) of every command and group under `mt`, hidden ones included."""
    command = command or root.command()
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _leaves():
    return [path for path, cmd in _commands() if path and not getattr(cmd, "commands", None)]


@pytest.fixture
def db(tmp_path, run_mt):
    path = tmp_path / "corpus.sqlite"
    code, _, err = run_mt("corpus", "import", FOLDER, "--db", path)
    assert code == 0, err
    return path


def test_version(run_mt):
    code, out, err = run_mt("--version")
    assert (code, out, err) == (0, f"mt {mt.__version__}\n", "")


def test_shell_completion_is_on(run_mt):
    code, out, _ = run_mt("--help")
    assert code == 0 and "--install-completion" in out and "--show-completion" in out


def test_every_command_takes_quiet_and_verbose(run_mt):
    leaves = _leaves()
    assert len(leaves) >= 18 and ("align", "files") in leaves and ("batch", "translate") in leaves
    for path in leaves:
        code, out, err = run_mt(*path, "--help")
        assert code == 0, (path, err)
        for flag in ("--quiet", "-q", "--verbose", "-v"):
            assert flag in out, (path, flag)


def test_help_reads_as_words(run_mt):
    for path, _ in _commands():
        code, out, err = run_mt(*path, "--help")
        assert code == 0, (path, err)
        for bad in ("<bool>", "list[", "<str>", "<int", "<path>", "<float>", "{aligners}"):
            assert bad not in out, (path, bad)


def test_help_lists_registry_names(run_mt):
    from mt.corpus.align.base import ALIGNERS
    from mt.corpus.formats import WRITERS

    _, out, _ = run_mt("align", "files", "--help")
    assert all(name in " ".join(out.split()) for name in ALIGNERS.names())
    _, out, _ = run_mt("corpus", "export", "--help")
    assert all(name in out for name in WRITERS.names())


def test_help_is_not_cut_at_80_columns_when_piped(run_mt, monkeypatch):
    from typer import rich_utils

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("TERMINAL_WIDTH", raising=False)
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", None)
    _, out, _ = run_mt("corpus", "import", "--help")
    assert max(len(line) for line in out.splitlines()) > 80


def test_quiet_silences_summaries_and_verbose_adds_timings(run_mt, tmp_path):
    db = tmp_path / "q.sqlite"
    code, out, err = run_mt("corpus", "import", FOLDER, "--db", db, "-q")
    assert code == 0 and out == "" and err == ""
    code, _, err = run_mt("corpus", "import", FOLDER, "--db", db, "--verbose")
    assert code == 0 and "done in" in err and "->" in err
    code, _, err = run_mt("corpus", "stats", "--db", db, "-q", "-v")
    assert code == 2 and err.count("\n") == 1 and "alternatives" in err


def test_no_progress_bar_off_a_terminal(run_mt, tmp_path, monkeypatch):
    from mt.cli import progress
    from mt.cli.output import UI

    code, _, err = run_mt("corpus", "import", CORPORA, "--db", tmp_path / "p.sqlite")
    assert code == 0 and "\r" not in err and "\x1b[" not in err and "━" not in err
    assert not progress.enabled()  # stderr is captured: not a terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    UI.quiet = False
    assert progress.enabled()
    UI.quiet = True
    assert not progress.enabled()
    UI.quiet = False


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_export_to_stdout(run_mt, db, tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_mt("corpus", "export", "--db", db, "--pair", "en-ru", "--format", fmt,
                            "--method", "gold", "--out", "-")  # fmt: skip
    assert code == 0, err
    assert not (tmp_path / "-").exists() and list(tmp_path.glob("*.tmp")) == []
    assert "written to standard output" in err
    if fmt == "tsv":
        lines = out.splitlines()
        assert lines[0].startswith("en\tru\t") and len(lines) > 5
        assert all(line.count("\t") == lines[0].count("\t") for line in lines)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
        assert rows and {"en", "ru"} <= set(rows[0])
    else:
        assert out.startswith("<?xml") and "<tu>" in out


def test_export_to_stdout_needs_a_one_file_format(run_mt, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_mt("corpus", "export", "--db", db, "--format", "moses", "--out", "-")
    assert code == 2 and out == "" and err.count("\n") == 1 and "one-file format" in err
    assert not (tmp_path / "-").exists()


def test_align_reads_stdin(run_mt, monkeypatch):
    folder = FOLDER
    text = (folder / "ru.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    code, out, err = run_mt("align", folder / "en.txt", "-", "--src", "en", "--tgt", "ru",
                            "--method", "gale-church")  # fmt: skip
    assert code == 0, err
    assert out.strip() and all(line.startswith("[") for line in out.splitlines())
    code, _, err = run_mt("align", "-", "-", "--src", "en", "--tgt", "ru")
    assert code == 2 and "standard input" in err


def test_eval_score_reads_stdin(run_mt, tmp_path, monkeypatch):
    ref = tmp_path / "ref.ru"
    ref.write_text("Министр провёл встречу.\nЗаявление опубликовано.\n", encoding="utf-8")
    hyp = "Министр провёл встречу.\nЗаявление было опубликовано.\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(hyp)))
    code, out, err = run_mt("eval", "score", "--hyp", "-", "--ref", ref, "--tgt", "ru",
                            "--format", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["bleu"]["score"] > 0


def test_listings_print_json(run_mt, db, monkeypatch, tiny_hub):
    from tests.evaluate.test_runs import fake_recipe, run_fake

    monkeypatch.setenv("MT_DB", str(db))
    run_fake(db, fake_recipe(directions=["en-ru"]), limit=4)
    for args in LISTINGS:
        code, out, err = run_mt(*args, "--format", "json")
        assert code == 0, (args, err)
        data = json.loads(out)
        assert data, args
    code, out, _ = run_mt("corpus", "stats", "--json")  # the older spelling stays
    assert code == 0 and json.loads(out)["documents"] >= 1
    code, out, _ = run_mt("corpus", "docs", "--format", "json")
    assert {"doc", "split", "languages", "date", "title"} <= set(json.loads(out)[0])
