"""Case 7: faults that used to end in a traceback are one line with the real cause; the
store is left as it was."""

from __future__ import annotations

import sqlite3

from tests.conftest import dump
from tests.reliability.conftest import (
    assert_one_line,
    run_proc,
    synthetic_pairs,
    temp_leftovers,
    write_moses,
)


def _small_store(tmp_path):
    files = write_moses(tmp_path / "seed" / "c", synthetic_pairs(50))
    db = tmp_path / "s.db"
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    return db


def test_corrupted_pages(tmp_path):
    db = _small_store(tmp_path)
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page but the header page
        data[offset : offset + page] = b"\xa5" * page
    db.write_bytes(bytes(data))
    for args in (("corpus", "stats"), ("corpus", "export", "--out", tmp_path / "o.tsv",
                 "--format", "tsv"), ("corpus", "import", tmp_path / "seed" / "c.en")):  # fmt: skip
        line = assert_one_line(run_proc(*args, "--db", db), 1)
        assert "corrupted" in line or "damaged" in line, line
        assert ".recover" in line


def test_dropped_table(tmp_path):
    db = _small_store(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE beads")
    conn.commit()
    conn.close()
    before = dump(db)
    line = assert_one_line(run_proc("corpus", "stats", "--db", db), 1, "table beads missing")
    assert ".recover" in line
    more = write_moses(tmp_path / "more" / "c", synthetic_pairs(3, "m"))
    assert_one_line(run_proc("corpus", "import", "--db", db, *more), 1, "beads")
    assert dump(db) == before


def test_disk_full_on_import_names_the_cause_and_keeps_the_store(tmp_path):
    db = _small_store(tmp_path)
    before = dump(db)
    big = write_moses(tmp_path / "big" / "c", synthetic_pairs(30_000, "b"))
    proc = run_proc("corpus", "import", "--db", db, *big, fsize=2_000_000)
    line = assert_one_line(proc, 1)
    assert "cannot rollback" not in line
    assert "disk" in line and "nothing was changed" in line, line
    assert dump(db) == before


def test_disk_full_on_export_leaves_no_file(tmp_path):
    db = _small_store(tmp_path)
    files = write_moses(tmp_path / "more" / "c", synthetic_pairs(20_000, "e"))
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    out = tmp_path / "export"
    out.mkdir()
    for fmt in ("tsv", "tmx", "moses", "jsonl"):
        proc = run_proc("corpus", "export", "--db", db, "--format", fmt, "--out",
                        out / "x", fsize=200_000)  # fmt: skip
        assert_one_line(proc, 1, "File too large", "no file was written")
        assert list(out.iterdir()) == [], fmt
        assert temp_leftovers(out) == []


def test_deeply_nested_jsonl(tmp_path):
    bad = tmp_path / "nested.jsonl"
    bad.write_text('{"en": "a", "ru": "б"}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    assert_one_line(run_proc("corpus", "import", "--db", tmp_path / "n.db", bad), 2,
                    "nested.jsonl:2", "nested too deeply")  # fmt: skip
    assert not (tmp_path / "n.db").exists() or dump(tmp_path / "n.db") == dump(tmp_path / "n.db")


def test_search_limit_out_of_range(tmp_path):
    db = _small_store(tmp_path)
    for limit in ("99999999999999999999", "0", "-1"):
        assert_one_line(run_proc("corpus", "search", "Statement", "--db", db, "--limit", limit),
                        2, "--limit")  # fmt: skip


def test_paired_bootstrap_size_is_bounded(tmp_path):
    ref = tmp_path / "ref.ru"
    ref.write_text("Один.\nДва.\n", encoding="utf-8")
    proc = run_proc("eval", "compare", "--ref", ref, "--hyp", ref, "--hyp", ref, "--tgt", "ru",
                    "--paired-bs", "99999999999", timeout=60)  # fmt: skip
    assert_one_line(proc, 2, "--paired-bs")
