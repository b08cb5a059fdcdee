"""Shared fixtures: running the CLI in-process, a small statement folder, the bundled corpus."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

# The tiny-model fixtures (built once per session) serve the translation and evaluation tests.
pytest_plugins = ["tests.translate.fixtures", "tests.pg"]  # tests.pg: PostgreSQL fixtures

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"

# Never let a test reach the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# matplotlib (the report charts) keeps its font cache in MPLCONFIGDIR, by default under $HOME;
# set before anything imports matplotlib, so the tests write nothing into the user's home.
if "MPLCONFIGDIR" not in os.environ:
    _MPL_DIR = tempfile.mkdtemp(prefix="mt-tests-matplotlib-")
    os.environ["MPLCONFIGDIR"] = _MPL_DIR
    atexit.register(shutil.rmtree, _MPL_DIR, ignore_errors=True)


def dump(db: str | Path) -> list[str]:
    """The whole store as SQL, to assert that a failed command left it exactly as it was."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def run_mt(capsys):
    """Run ``mt ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from mt.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Every test gets its own default store; nothing touches the user's data directory."""
    monkeypatch.setenv("MT_DB", str(tmp_path / "store.sqlite"))


SMALL = {
    "en": "Foreign Ministry statement\n\nThe Ministry of Foreign Affairs welcomes the agreement "
    "signed in Baku on March 3, 2024. Mr. J. Smith attended the ceremony.\n\n"
    "“We expect 1,200 families to benefit,” the spokesperson said. The next meeting will "
    "take place in Geneva.\n",
    "az": "Xarici İşlər Nazirliyinin bəyanatı\n\nXarici İşlər Nazirliyi 3 mart 2024-cü ildə "
    "Bakıda imzalanmış sazişi alqışlayır. Mərasimdə cənab C. Smit iştirak edib.\n\n"
    "“Biz 1 200 ailənin bundan faydalanacağını gözləyirik”, – deyə sözçü bildirib. Növbəti "
    "görüş Cenevrədə keçiriləcək.\n",
    "ru": "Заявление МИД\n\nМинистерство иностранных дел приветствует соглашение, подписанное "
    "в г. Баку 3 марта 2024 года. На церемонии присутствовал г-н Дж. Смит.\n\n"
    "«Мы ожидаем, что помощь получат 1 200 семей», — заявил пресс-секретарь. Следующая "
    "встреча пройдёт в Женеве.\n",
}
SMALL_META = """id = "test-small"
title = "Foreign Ministry statement"
date = "2024-03-04"
kind = "statement"
source = "tests"
url = ""
provenance = "Written for the mt tests; fictional."

[renderings.en]
origin = "original"
[renderings.az]
origin = "human"
[renderings.ru]
origin = "human"
"""


@pytest.fixture
def make_statement(tmp_path):
    """Factory: write a small trilingual statement folder (optionally altered) and return it."""

    def make(name: str = "test-small", texts: dict[str, str] | None = None,
             meta: str | None = SMALL_META) -> Path:  # fmt: skip
        folder = tmp_path / name
        folder.mkdir()
        for lang, text in (texts or SMALL).items():
            (folder / f"{lang}.txt").write_text(text, encoding="utf-8")
        if meta is not None:
            (folder / "meta.toml").write_text(meta.replace("test-small", name), encoding="utf-8")
        return folder

    return make
