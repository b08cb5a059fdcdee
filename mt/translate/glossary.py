"""Terminology: a trilingual glossary, found in source sentences and verified in translations.

Names of officials, institutions, places and documents must come out the same way every time
(``Heydar Aliyev`` is ``Гейдар Алиев``, never ``Хейдар Алиев``). The pipeline enforces a term
by masking it with a placeholder the model copies through and putting the glossary's target
form back afterwards, and it verifies every translation, so what could not be enforced is
reported instead of silently wrong.

Russian and Azerbaijani inflect names (``Гейдара Алиева``, ``Bakıda``), so matching is by
word stems: a word matches a term word when it starts with the term word's stem (a few final
letters dropped for Russian, one for Azerbaijani) and adds no more than a case ending.
Acronyms (``OSCE``, ``ООН``, ``ATƏT``) match exactly, case included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mt.errors import UserError
from mt.lang import LANGS, check_lang, lower, normalize

GLOSSARY_ENV = "MT_GLOSSARY"
DEFAULT_GLOSSARY = Path(__file__).resolve().parents[2] / "configs" / "glossary.tsv"
TYPES = ("official", "institution", "place", "document")
_COLUMNS = (*LANGS, "type")

_WORD = re.compile(r"[^\W_]+")
# What may stand between two words of one term: spaces, hyphens, apostrophes.
_GAP = re.compile(r"[\s\-‐‑'’]*")


@dataclass(frozen=True)
class Term:
    """One glossary entry: its forms per language (only the languages it has) and its type."""

    forms: dict[str, str]
    type: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class GlossaryIssue:
    """A term found in the source whose glossary form is missing from the translation."""

    source: str
    target: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target}


@dataclass(frozen=True)
class Match:
    """Where a term occurs in a text; ``exact`` when no word carries an inflection."""

    term: Term
    start: int
    end: int
    exact: bool


class Glossary:
    """A list of terms; :meth:`pair` gives the matcher for one translation direction."""

    def __init__(self, terms: Iterable[Term], source: str | None = None):
        self.terms = list(terms)
        self.source = source  # the file it came from, for provenance

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a TSV glossary (header ``en<TAB>az<TAB>ru`` [``<TAB>type``]); mistakes are
        :class:`UserError` naming the file and line."""
        from mt.textio import read_text

        return cls(parse_tsv(read_text(path), path), source=str(path))

    @classmethod
    def default(cls) -> Glossary:
        """The bundled glossary (``$MT_GLOSSARY`` or configs/glossary.tsv); empty if absent."""
        path = Path(os.environ.get(GLOSSARY_ENV) or DEFAULT_GLOSSARY)
        if not path.is_file():
            return cls([], source=None)
        return cls.load(path)

    def pair(self, src: str, tgt: str) -> GlossaryPair:
        src, tgt = check_lang(src), check_lang(tgt)
        return GlossaryPair([t for t in self.terms if t.forms.get(src) and t.forms.get(tgt)],
                            src, tgt)  # fmt: skip


def parse_tsv(text: str, path: str | Path = "<glossary>") -> list[Term]:
    """Terms of a glossary file's text; the header names the columns."""
    header: list[str] | None = None
    terms: list[Term] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in raw.rstrip("\n").split("\t")]
        if header is None:
            header = _parse_header(cells, path, number)
            continue
        terms.append(_parse_row(cells, header, path, number))
    if header is None:
        raise UserError("empty glossary (expected a header en<TAB>az<TAB>ru)", path)
    return terms


def _parse_header(cells: list[str], path: str | Path, line: int) -> list[str]:
    names = [c.lower() for c in cells]
    bad = [c for c in names if c not in _COLUMNS]
    langs = [c for c in names if c in LANGS]
    if bad or len(set(names)) != len(names) or len(langs) < 2:
        raise UserError(
            "glossary header must name tab-separated columns en, az, ru (at least two) and "
            f"optionally type; got {' | '.join(cells)!r}",
            path, line,
        )  # fmt: skip
    return names


def _parse_row(cells: list[str], header: list[str], path: str | Path, line: int) -> Term:
    if len(cells) != len(header):
        raise UserError(
            f"expected {len(header)} tab-separated columns ({', '.join(header)}), "
            f"found {len(cells)}",
            path, line,
        )  # fmt: skip
    row = dict(zip(header, cells, strict=True))
    kind = row.pop("type", "") or None
    if kind is not None and kind not in TYPES:
        raise UserError(f"unknown term type {kind!r} (expected one of {', '.join(TYPES)})",
                        path, line)  # fmt: skip
    forms = {lang: normalize(" ".join(v.split()), lang) for lang, v in row.items() if v}
    if len(forms) < 2:
        raise UserError("a glossary entry needs forms in at least two languages", path, line)
    return Term(forms, kind, line)


# ---------------------------------------------------------------------------- matching


def _fold(word: str, lang: str) -> str:
    """Case- and spelling-insensitive form for comparison (ё is usually written е)."""
    word = lower(word, lang)
    return word.replace("ё", "е") if lang == "ru" else word


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _stem_rule(word: str, lang: str) -> tuple[int, int]:
    """(letters dropped from the end for the stem, letters allowed after the stem)."""
    n = len(word)
    if lang == "ru":
        if n <= 3:
            return 0, 2
        return (2 if n >= 6 else 1), 5
    if lang == "az":
        if n <= 3:
            return 0, 4
        return (1 if n >= 5 else 0), 9
    return 0, 0  # English: see word_matches (plurals only; possessives are separate tokens)


def word_matches(term_word: str, word: str, lang: str) -> int | None:
    """How many letters ``word`` adds to ``term_word``'s stem (0: exact), None if no match."""
    if _is_acronym(term_word):
        return 0 if word == term_word else None
    tw, w = _fold(term_word, lang), _fold(word, lang)
    if w == tw:
        return 0
    if lang == "en":
        return len(w) - len(tw) if len(tw) >= 4 and w in (tw + "s", tw + "es") else None
    drop, extra = _stem_rule(tw, lang)
    stem = tw[: len(tw) - drop]
    if w.startswith(stem) and len(w) - len(stem) <= extra:
        return max(len(w) - len(tw), 1)
    return None


@dataclass(frozen=True)
class _Tokens:
    words: list[str]
    spans: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        found = list(_WORD.finditer(text))
        return cls([m.group() for m in found], [m.span() for m in found])


def _key(word: str, lang: str) -> str:
    """Index key of a term's first word: its first three letters (all, if it is shorter)."""
    return _fold(word, lang)[:3]


def _keys(word: str, lang: str) -> tuple[str, ...]:
    """Keys under which a text word may find terms (a two-letter term word is a prefix)."""
    folded = _fold(word, lang)
    return (folded[:3], folded[:2], folded[:1]) if len(folded) >= 3 else (folded,)


def _match_at(
    term_words: list[str], text: str, toks: _Tokens, i: int, lang: str
) -> tuple[int, int, int] | None:
    """(start, end, letters of inflection) if ``term_words`` occur from token ``i`` on."""
    n = len(term_words)
    if i + n > len(toks.words):
        return None
    added = 0
    for j, tw in enumerate(term_words):
        extra = word_matches(tw, toks.words[i + j], lang)
        gap = text[toks.spans[i + j - 1][1] : toks.spans[i + j][0]] if j else ""
        if extra is None or not _GAP.fullmatch(gap):
            return None
        added += extra
    return toks.spans[i][0], toks.spans[i + n - 1][1], added


class GlossaryPair:
    """The glossary seen from ``src`` to ``tgt``: finds source terms, verifies target forms."""

    def __init__(self, terms: list[Term], src: str, tgt: str):
        self.terms = terms
        self.src = src
        self.tgt = tgt

    def __len__(self) -> int:
        return len(self.terms)

    @cached_property
    def _index(self) -> dict[str, list[tuple[Term, list[str]]]]:
        """Terms by the first three letters of their first word: a word can only start a
        term whose key it shares (stems keep at least three letters), so matching costs a
        dictionary lookup per word instead of a pass over the whole glossary."""
        index: dict[str, list[tuple[Term, list[str]]]] = {}
        for term in self.terms:
            words = _WORD.findall(term.forms[self.src])
            if words:
                index.setdefault(_key(words[0], self.src), []).append((term, words))
        return index

    def find(self, text: str) -> list[Match]:
        """Non-overlapping source terms in ``text``, longest first, in text order."""
        if not self.terms:
            return []
        toks = _Tokens.of(text)
        found = []
        for i, word in enumerate(toks.words):
            candidates = (c for k in _keys(word, self.src) for c in self._index.get(k, ()))
            for term, words in candidates:
                hit = _match_at(words, text, toks, i, self.src)
                if hit is not None:
                    found.append((len(words), hit[2], hit[0], hit[1], term))
        # Longest terms first, then the least inflected: "Xarici İşlər Nazirliyinin" is the
        # ministry (Nazirliyi + nin), not the minister (naziri + ...).
        found.sort(key=lambda f: (-f[0], f[1], f[2]))
        taken: list[Match] = []
        for _, added, start, end, term in found:
            if all(end <= t.start or start >= t.end for t in taken):
                taken.append(Match(term, start, end, added == 0))
        return sorted(taken, key=lambda m: m.start)

    def honoured(self, term: Term, translation: str) -> bool:
        """Whether the target form of ``term`` (possibly inflected) occurs in ``translation``."""
        words = _WORD.findall(term.forms[self.tgt])
        toks = _Tokens.of(translation)
        key = _key(words[0], self.tgt) if words else ""
        return any(
            _match_at(words, translation, toks, i, self.tgt) is not None
            for i, word in enumerate(toks.words)
            if key in _keys(word, self.tgt)
        )

    def check(self, source: str, translation: str) -> list[GlossaryIssue]:
        """Terms of ``source`` whose target form is missing from ``translation``."""
        issues: list[GlossaryIssue] = []
        for m in self.find(source):
            issue = GlossaryIssue(m.term.forms[self.src], m.term.forms[self.tgt])
            if issue not in issues and not self.honoured(m.term, translation):
                issues.append(issue)
        return issues

    def target(self, term: Term) -> str:
        return term.forms[self.tgt]
