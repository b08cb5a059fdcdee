"""Cases 5-6: import streams in bounded memory; search stays linear on huge segments and
import bounds segment length."""

from __future__ import annotations

from tests.reliability.conftest import run_proc, write_moses


def test_import_stages_records_as_it_reads_them(tmp_path):
    """Streaming, checked structurally: while the reader is still producing records, all but
    the last batch of those already read are in the staging table, not in Python memory."""
    from mt.corpus.importer import _BATCH, ImportReport, stage_source
    from mt.corpus.records import PairRecord
    from mt.corpus.store import Store

    store = Store.open(tmp_path / "s.db")
    seen: list[int] = []

    class Source:
        paths = (tmp_path / "virtual.en",)
        label = str(tmp_path / "virtual")

        def read(self, src, tgt, stats):
            for i in range(50_000):
                if i and i % 10_000 == 0:
                    (staged,) = store.conn.execute("SELECT count(*) FROM temp.stage_seg").fetchone()
                    assert staged >= 2 * (i - _BATCH), (i, staged)
                    seen.append(i)
                yield PairRecord(f"Sentence {i}.", f"Предложение {i}.", "en", "ru")

    with store.staging() as stage:
        n = stage_source(stage, Source(), None, None, doc=None, max_chars=100,
                         report=ImportReport())  # fmt: skip
    assert n == 50_000 and seen == [10_000, 20_000, 30_000, 40_000]
    store.close()


def test_huge_segment_is_skipped_and_counted(tmp_path):
    files = write_moses(
        tmp_path / "h" / "c", [("Short.", "Коротко."), ("word " * 30_000, "слово " * 30_000)]
    )
    proc = run_proc("corpus", "import", "--db", tmp_path / "h.db", *files)
    assert proc.returncode == 0, proc.stderr
    assert "1 pairs imported" in proc.stderr
    assert "skipped 1 pairs (a side longer than 20000 characters: 1)" in proc.stderr


def test_search_in_a_multi_megabyte_segment_returns_a_window(tmp_path):
    """A 4 MB segment took FTS5 highlight() 15 s; the window marking is linear and short."""
    long_en = ("filler " * 600_000) + "trilateral statement. " + ("tail " * 10_000)
    files = write_moses(tmp_path / "h" / "c", [(long_en, "Длинный сегмент.")])
    db = tmp_path / "h.db"
    proc = run_proc("corpus", "import", "--db", db, "--max-chars", 10_000_000, *files)
    assert proc.returncode == 0, proc.stderr
    proc = run_proc("corpus", "search", "trilateral", "--db", db, timeout=20)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.rstrip("\n").split("\t")[3]
    assert "[trilateral]" in text and text.startswith("…") and text.endswith("…")
    assert len(text) < 1000
