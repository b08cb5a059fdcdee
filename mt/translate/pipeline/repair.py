"""Glossary handling: loading the glossary, its modes, and the check that sends a
sentence back for repair (translated again with its terms masked) when a term is missed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mt.errors import UserError
from mt.translate.glossary import Glossary, GlossaryPair
from mt.translate.pipeline.placeholders import _Request
from mt.translate.pipeline.sentences import _Slot

if TYPE_CHECKING:
    pass


GLOSSARY_MODES = ("repair", "mask", "verify")


def _check_glossary_mode(mode: str) -> None:
    if mode not in GLOSSARY_MODES:
        raise UserError(f"unknown glossary mode {mode!r} (choose {', '.join(GLOSSARY_MODES)})")


def _load_glossary(glossary: Glossary | str | Path | bool | None) -> Glossary | None:
    """None/True: the bundled glossary; False: none; a path or a Glossary: that one."""
    if glossary is False:
        return None
    if glossary is None or glossary is True:
        found = Glossary.default()
        return found if len(found) else None
    if isinstance(glossary, Glossary):
        return glossary
    return Glossary.load(glossary)


def misses(terms: GlossaryPair | None, req: _Request, restored: list[str | _Slot]) -> bool:
    """Whether a term of the sentence's own text is missing from its translation (then the
    sentence is translated again with its terms masked)."""
    if not req.terms or terms is None:
        return False
    out = " ".join(p for p in restored if isinstance(p, str))
    return any(not terms.honoured(m.term, out) for m in req.terms)
