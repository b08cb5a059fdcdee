"""Case 9: nothing is skipped silently: the import summary counts every skipped pair with
its reason, and a file that yields no pair at all is an error that says why."""

from __future__ import annotations

from tests.reliability.conftest import assert_one_line, run_proc

_UNTAGGED = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" adminlang="en" segtype="sentence" o-tmf="x"
creationtool="x" creationtoolversion="1" datatype="plaintext"/><body>
<tu><tuv><seg>One.</seg></tuv><tuv><seg>Один.</seg></tuv></tu>
<tu><tuv><seg>Two.</seg></tuv><tuv><seg>Два.</seg></tuv></tu>
</body></tmx>
"""


def test_tmx_without_language_tags_is_an_error_with_the_reason(tmp_path):
    tmx = tmp_path / "untagged.tmx"
    tmx.write_text(_UNTAGGED, encoding="utf-8")
    proc = run_proc("corpus", "import", "--db", tmp_path / "s.db", tmx, "--src", "en",
                    "--tgt", "ru")  # fmt: skip
    assert_one_line(proc, 2, "untagged.tmx", "no pairs in file", "<tuv> without xml:lang: 2")


def test_blank_and_one_sided_lines_are_counted(tmp_path):
    (tmp_path / "c.en").write_text("One.\n   \nThree.\nFour.\n\t\n", encoding="utf-8")
    (tmp_path / "c.ru").write_text("Один.\n \n\nЧетыре.\n  \n", encoding="utf-8")
    proc = run_proc("corpus", "import", "--db", tmp_path / "s.db", tmp_path / "c.en",
                    tmp_path / "c.ru")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "2 pairs imported" in proc.stderr
    assert "skipped 3 pairs (blank line: 2, a side empty: 1)" in proc.stderr, proc.stderr
