"""The store is the one home of SQL: no module outside the storage modules runs queries,
and the dead code the reliability review found stays gone."""

from __future__ import annotations

import re
from pathlib import Path

import mt

PACKAGE = Path(mt.__file__).resolve().parent
STORAGE = {
    PACKAGE / "corpus" / "store.py",
    PACKAGE / "corpus" / "dialects.py",
    PACKAGE / "evaluate" / "storage.py",
}
_SQL_CALL = re.compile(r"\.(conn|connection)\.(execute|executemany|executescript)\(|\.conn\b")


def test_sql_only_in_storage_modules():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path not in STORAGE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SQL_CALL.search(line)
    ]
    assert offenders == []


def test_dead_code_removed():
    import mt.corpus.store as store
    import mt.evaluate.runs as runs
    import mt.lang as lang
    from mt.evaluate.qa.base import QACheck

    assert not hasattr(store, "SegmentRow")
    assert not hasattr(runs, "stored_hypotheses")
    assert not hasattr(lang, "LANG_NAMES")
    assert "description" not in vars(QACheck)
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert "defusedxml" not in pyproject and '"click' in pyproject
