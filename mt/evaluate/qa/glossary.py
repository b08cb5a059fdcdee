"""Glossary terms honoured: when the source uses a term, the hypothesis uses its rendering.

The glossary (``configs/glossary.tsv``, or ``$MT_GLOSSARY``) and its matcher belong to the
translation layer (:mod:`mt.translate.glossary`), which enforces terms while translating; this
check asks the same matcher afterwards, so a translation is judged by the rules it was made
with (stems for inflected Russian and Azerbaijani forms, exact acronyms, longest term first).

The check depends only on the small :class:`TermChecker` protocol. :func:`load_glossary` adapts
the translation layer's ``Glossary``; if that module cannot be imported (a trimmed install), it
falls back to :class:`TsvGlossary`, a minimal reader of the same TSV format with a plain
word-prefix matcher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from mt.errors import UserError
from mt.evaluate.qa.base import CHECKS, WARNING, QACheck, Segment
from mt.lang import LANGS, lower, normalize
from mt.textio import read_text

_WORD = re.compile(r"[^\W_]+")


class TermChecker(Protocol):
    """Anything that lists the (source term, target term) pairs a translation misses."""

    def issues(self, source: str, translation: str, src: str, tgt: str) -> list[tuple[str, str]]:
        """Glossary terms found in ``source`` whose rendering is absent from ``translation``."""
        ...


class TranslateGlossary:
    """Adapter over :class:`mt.translate.glossary.Glossary` (one matcher per direction)."""

    def __init__(self, glossary: Any):
        self.glossary = glossary
        self._pairs: dict[tuple[str, str], Any] = {}

    def issues(self, source: str, translation: str, src: str, tgt: str) -> list[tuple[str, str]]:
        if (src, tgt) not in self._pairs:
            self._pairs[(src, tgt)] = self.glossary.pair(src, tgt)
        return [(i.source, i.target) for i in self._pairs[(src, tgt)].check(source, translation)]


class TsvGlossary:
    """Fallback: rows of equivalent terms under a header of language codes."""

    def __init__(self, rows: Sequence[dict[str, str]]):
        self.rows = list(rows)

    @classmethod
    def read(cls, path: str | Path) -> TsvGlossary:
        rows, header = [], None
        for lineno, line in enumerate(read_text(path).split("\n"), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [normalize(c.strip()) for c in line.split("\t")]
            if header is None:
                header = [c.lower() for c in cells]
                if len([c for c in header if c in LANGS]) < 2:
                    raise UserError("glossary header must name languages (en, az, ru)",
                                    path, lineno)  # fmt: skip
                continue
            rows.append(dict(zip(header, cells, strict=False)))
        return cls(rows)

    def issues(self, source: str, translation: str, src: str, tgt: str) -> list[tuple[str, str]]:
        return [(r[src], r[tgt]) for r in self.rows
                if r.get(src) and r.get(tgt) and contains_term(source, r[src], src)
                and not contains_term(translation, r[tgt], tgt)]  # fmt: skip


def load_glossary(path: str | Path | None = None) -> TermChecker | None:
    """The glossary at ``path``, or the default one; ``None`` when there is none."""
    try:
        from mt.translate.glossary import Glossary
    except ImportError:
        if path is None:
            return None
        return TsvGlossary.read(path)
    glossary = Glossary.load(path) if path is not None else Glossary.default()
    return TranslateGlossary(glossary) if len(glossary) else None


def contains_term(text: str, term: str, lang: str) -> bool:
    """Fallback matcher: consecutive words, each starting with the term word's stem."""
    words = _WORD.findall(lower(normalize(text, lang), lang))
    term_words = _WORD.findall(lower(normalize(term, lang), lang))
    cut = {"ru": 2, "az": 1}.get(lang, 0)
    stems = [w if len(w) <= 4 else w[: len(w) - cut] for w in term_words]
    return any(
        all(words[i + j].startswith(s) for j, s in enumerate(stems))
        for i in range(len(words) - len(stems) + 1)
    ) if stems else False  # fmt: skip


@CHECKS.register("glossary")
class GlossaryCheck(QACheck):
    """Source terms from the glossary must come out as the glossary's rendering."""

    name = "glossary"
    # A warning: stems cannot see that "Azerbaijani delegation" honours "Azərbaycan" or that
    # "EU" abbreviates "European Union"; the human-translated corpus trips it in ~5% of pairs.
    severity = WARNING

    def __init__(self, glossary: TermChecker):
        self.glossary = glossary

    def score(self, seg: Segment) -> list[tuple[str, str]]:
        return self.glossary.issues(seg.src, seg.hyp, seg.src_lang, seg.tgt_lang)

    def accept(self, score: list[tuple[str, str]]) -> bool:
        return not score

    def explain(self, score: Any) -> str:
        return "; ".join(f"{s!r} should be rendered {t!r}" for s, t in score)
