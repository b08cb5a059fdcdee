"""A statement folder: one text file per language, a meta file and optional gold beads.

This is the form in which the bundled corpus is kept (reviewable plain text) and the form
``mt corpus import`` reads. Everything is validated here, before the store is touched, so a
bad folder never leaves a half-imported document behind.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mt.corpus.align.base import Bead
from mt.errors import UserError
from mt.lang import LANGS, PAIRS, check_lang
from mt.textio import decode, read_text

ORIGINS = ("original", "human", "machine", "unknown")
META_FILE = "meta.toml"
_META_KEYS = {"id", "title", "date", "kind", "source", "url", "split", "provenance", "renderings"}
_RENDERING_KEYS = {"origin", "translator", "model", "revision", "backend", "note"}


@dataclass
class Rendering:
    lang: str
    text: str
    origin: str = "unknown"
    model: str | None = None
    revision: str | None = None
    backend: str | None = None
    translator: str | None = None


@dataclass
class Statement:
    key: str
    meta: dict
    renderings: dict[str, Rendering]
    gold: dict[tuple[str, str], list[Bead]] = field(default_factory=dict)
    path: Path | None = None

    @property
    def content_hash(self) -> str:
        """Hash of everything imported, so re-importing an unchanged folder is a no-op."""
        h = hashlib.sha256()
        h.update(json.dumps(self.meta, sort_keys=True, ensure_ascii=False).encode())
        for lang in sorted(self.renderings):
            h.update(f"\0{lang}\0".encode() + self.renderings[lang].text.encode())
        for pair in sorted(self.gold):
            beads = [(b.src, b.tgt) for b in self.gold[pair]]
            h.update(f"\0{pair}\0{beads}".encode())
        return h.hexdigest()


def is_statement_dir(path: Path) -> bool:
    return path.is_dir() and (
        (path / META_FILE).exists() or any((path / f"{lang}.txt").exists() for lang in LANGS)
    )


def _load_meta(folder: Path) -> dict:
    path = folder / META_FILE
    if not path.exists():
        return {}
    text = decode(path.read_bytes(), path)
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"invalid TOML: {exc}", path) from None
    unknown = set(meta) - _META_KEYS
    if unknown:
        raise UserError(f"unknown meta keys: {', '.join(sorted(unknown))}", path)
    if "split" in meta:
        from mt.corpus.split import SPLITS

        if meta["split"] not in SPLITS:
            raise UserError(f"split must be one of {', '.join(SPLITS)}, not {meta['split']!r}",
                            path)  # fmt: skip
    for lang, info in meta.get("renderings", {}).items():
        check_lang(lang)
        if not isinstance(info, dict) or set(info) - _RENDERING_KEYS:
            raise UserError(f"invalid [renderings.{lang}] table", path)
        if info.get("origin", "unknown") not in ORIGINS:
            raise UserError(f"renderings.{lang}.origin must be one of {', '.join(ORIGINS)}", path)
    return meta


def _load_gold(folder: Path, langs: set[str]) -> dict[tuple[str, str], list[Bead]]:
    from mt.corpus.align.beads import read_beads

    gold: dict[tuple[str, str], list[Bead]] = {}
    for a, b in PAIRS:
        path = folder / "gold" / f"{a}-{b}.beads"
        if path.exists() and {a, b} <= langs:
            gold[(a, b)] = read_beads(path)
    return gold


def load_statement(folder: str | Path) -> Statement:
    """Read and validate a statement folder (texts, meta, gold); raise UserError if bad."""
    folder = Path(folder)
    if not folder.exists():
        raise UserError("no such file or directory", folder)
    if not folder.is_dir():
        raise UserError("not a statement folder", folder)
    for txt in folder.glob("*.txt"):
        if txt.stem != "units" and len(txt.stem) == 2:
            check_lang_file(txt)
    meta = _load_meta(folder)
    renderings: dict[str, Rendering] = {}
    for lang in LANGS:
        path = folder / f"{lang}.txt"
        if not path.exists():
            continue
        info = meta.get("renderings", {}).get(lang, {})
        renderings[lang] = Rendering(
            lang=lang,
            text=read_text(path),
            origin=info.get("origin", "unknown"),
            model=info.get("model"),
            revision=info.get("revision"),
            backend=info.get("backend"),
            translator=info.get("translator"),
        )
    if not renderings:
        raise UserError("no en.txt, az.txt or ru.txt in statement folder", folder)
    key = str(meta.get("id") or folder.name)
    gold = _load_gold(folder, set(renderings))
    return Statement(key=key, meta=meta, renderings=renderings, gold=gold, path=folder)


def check_lang_file(path: Path) -> None:
    """A two-letter text file in a statement folder must be a supported language."""
    try:
        check_lang(path.stem)
    except UserError as exc:
        raise UserError(exc.message, path) from None
