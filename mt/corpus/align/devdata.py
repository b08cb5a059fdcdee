"""Published alignment gold outside the repository (``../shared/align-dev``), for tuning and tests.

Why not in the repo: the sets (Text+Berg, OPUS Books/CroCoAlign, TransRead, ParIce) are GPL or
CC licensed, so they live next to the checkout and are only read. Each document folder holds
``src.txt`` and ``tgt.txt`` (one sentence per line, already split: never resegment them, the
gold indexes lines) and ``gold.txt`` (vecalign beads, read leniently).

Languages come from the names: a ``_en-fr`` suffix on the document folder, else the last four
letters of the set name (``textberg-defr-dev`` -> de, fr).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mt.corpus.align.base import Bead

_DOC_LANGS = re.compile(r"_([a-z]{2,3})-([a-z]{2,3})$")
_SET_LANGS = re.compile(r"-([a-z]{2})([a-z]{2})(?:-|$)")


@dataclass
class DevDocument:
    """One document of a published gold set."""

    set_name: str
    name: str
    src_lang: str
    tgt_lang: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]


def shared_dir() -> Path:
    """``$MT_SHARED`` if set, else ``shared/`` next to the repository root."""
    env = os.environ.get("MT_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[3].parent / "shared"


def dev_root() -> Path:
    return shared_dir() / "align-dev"


def _langs(set_name: str, doc: Path) -> tuple[str, str]:
    m = _DOC_LANGS.search(doc.name) or _SET_LANGS.search(set_name)
    if m is None:
        raise ValueError(f"cannot tell the languages of {set_name}/{doc.name}")
    return m.group(1), m.group(2)


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_document(set_name: str, folder: Path) -> DevDocument:
    """Read one document folder (gold leniently, indexes checked against the line counts)."""
    from mt.corpus.align.beads import read_beads

    src, tgt = _lines(folder / "src.txt"), _lines(folder / "tgt.txt")
    gold = read_beads(folder / "gold.txt", len(src), len(tgt), lenient=True)
    a, b = _langs(set_name, folder)
    return DevDocument(set_name, folder.name, a, b, src, tgt, gold)


def set_names(root: Path | None = None) -> list[str]:
    """The sets present under ``root`` (default :func:`dev_root`), sorted; [] when absent."""
    root = root or dev_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.rglob("gold.txt")))


def load_set(set_name: str, root: Path | None = None) -> Iterator[DevDocument]:
    """Every document of one set, in folder order."""
    root = root or dev_root()
    for gold in sorted((root / set_name).rglob("gold.txt")):
        yield load_document(set_name, gold.parent)
