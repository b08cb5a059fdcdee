"""Case 11: the smaller gaps, each a one-line user error or consistent behaviour."""

from __future__ import annotations

import json

import pytest

from mt.corpus.formats._common import count_lines, iter_lines
from mt.textio import read_lines
from tests.reliability.conftest import assert_one_line, run_proc, synthetic_pairs, write_moses


@pytest.fixture
def store(tmp_path):
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(5))
    db = tmp_path / "s.db"
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    return db


@pytest.mark.parametrize("score", ["Infinity", "-Infinity", "NaN"])
def test_infinite_score_is_refused(tmp_path, score):
    path = tmp_path / "inf.jsonl"
    path.write_text(f'{{"en": "One.", "ru": "Один.", "score": {score}}}\n', encoding="utf-8")
    assert_one_line(run_proc("corpus", "import", "--db", tmp_path / "s.db", path), 2,
                    "not a finite number")  # fmt: skip


def test_infinite_score_in_tsv_is_refused(tmp_path):
    path = tmp_path / "inf.tsv"
    path.write_text("en\tru\tscore\nOne.\tОдин.\tinf\n", encoding="utf-8")
    assert_one_line(run_proc("corpus", "import", "--db", tmp_path / "s.db", path), 2,
                    "inf.tsv:2", "not a finite number")  # fmt: skip


def test_lone_cr_counts_the_same_in_import_and_eval(tmp_path):
    path = tmp_path / "cr.en"
    path.write_bytes(b"One.\rTwo.\r\nThree.\nFour.\r")
    assert count_lines(path) == len(list(iter_lines(path))) == len(read_lines(path)) == 4
    assert [t for _, t in iter_lines(path)] == read_lines(path)


def test_unknown_split_in_meta(make_statement, tmp_path):
    from tests.conftest import SMALL_META

    folder = make_statement(meta='split = "banana"\n' + SMALL_META)
    assert_one_line(run_proc("corpus", "import", "--db", tmp_path / "s.db", folder), 2,
                    "meta.toml", "banana")  # fmt: skip


def test_export_unknown_method(store, tmp_path):
    assert_one_line(run_proc("corpus", "export", "--db", store, "--out", tmp_path / "o.tsv",
                             "--format", "tsv", "--method", "nonsense"), 2,
                    "nonsense", "stored methods: import")  # fmt: skip
    assert not (tmp_path / "o.tsv").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "0.5"])
def test_export_bad_max_ratio(store, tmp_path, value):
    assert_one_line(run_proc("corpus", "export", "--db", store, "--out", tmp_path / "o.tsv",
                             "--format", "tsv", "--max-ratio", value), 2,
                    "length ratio limit")  # fmt: skip


def test_export_min_score_must_be_finite(store, tmp_path):
    assert_one_line(run_proc("corpus", "export", "--db", store, "--out", tmp_path / "o.tsv",
                             "--min-score", "nan"), 2, "--min-score")  # fmt: skip


def test_align_same_language(tmp_path):
    (tmp_path / "a.txt").write_text("One. Two.\n", encoding="utf-8")
    assert_one_line(run_proc("align", tmp_path / "a.txt", tmp_path / "a.txt", "--src", "en",
                             "--tgt", "en"), 2, "both en")  # fmt: skip


def test_exported_scores_are_valid_json(store, tmp_path):
    out = tmp_path / "o.jsonl"
    proc = run_proc("corpus", "export", "--db", store, "--out", out, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    for line in out.read_text(encoding="utf-8").splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
