"""Export filters in the OpusFilter style: one small class per criterion, each with a
``score`` (what was measured, for reports and tuning) and an ``accept`` (the decision).

Keeping each criterion separate lets ``mt corpus export`` report how many pairs each one
removed, and lets new criteria be added without touching the others. Filters run in the
order given; :func:`build_filters` puts the cheap ones first and deduplication last, so a
pair that another filter rejects never claims a dedup slot.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Protocol

from mt.corpus.records import PairRecord
from mt.errors import UserError
from mt.lang import lower, normalize
from mt.registry import Registry

DEDUP_MODES: tuple[str, ...] = ("none", "exact", "normalized")
#: Export filters by name (the key their rejections are counted under); each class registers
#: itself. :func:`build_filters` picks and orders them from the export options.
FILTERS: Registry[type] = Registry("export filter")


class Filter(Protocol):
    """What every filter offers; ``name`` keys the rejection counts."""

    name: str

    def score(self, rec: PairRecord) -> float | tuple:
        """The measured value(s) behind the decision (never changes filter state)."""
        ...

    def accept(self, rec: PairRecord) -> bool:
        """Whether the pair passes (stateful filters remember what they accepted)."""
        ...


@FILTERS.register("length")
class LengthFilter:
    """Words per side within ``[min_words, max_words]``: drops fragments and run-ons
    (very long "sentences" are usually misaligned paragraphs)."""

    name = "length"

    def __init__(self, min_words: int = 1, max_words: int | None = None):
        self.min_words, self.max_words = min_words, max_words

    def score(self, rec: PairRecord) -> tuple[int, int]:
        return len(rec.src.split()), len(rec.tgt.split())

    def accept(self, rec: PairRecord) -> bool:
        low, high = self.min_words, self.max_words
        return all(n >= low and (high is None or n <= high) for n in self.score(rec))


@FILTERS.register("length_ratio")
class LengthRatioFilter:
    """Longer side / shorter side in characters at most ``max_ratio``: a pair whose sides
    differ a lot in length is rarely a translation (az and ru run ~10-20% longer than en,
    so sensible limits are 2-3, not 1.2)."""

    name = "length_ratio"

    def __init__(self, max_ratio: float = 2.5):
        self.max_ratio = max_ratio

    def score(self, rec: PairRecord) -> float:
        a, b = len(rec.src.strip()), len(rec.tgt.strip())
        short, long = min(a, b), max(a, b)
        if short == 0:
            return float("inf") if long else 1.0
        return long / short

    def accept(self, rec: PairRecord) -> bool:
        return self.score(rec) <= self.max_ratio


# Letters of each language's script (upper and lower case). Azerbaijani: the Latin
# alphabet a-z (w for foreign names) plus ə ğ ı İ ö ü ş ç; Russian: the Cyrillic block;
# English: any Latin letter (names such as Müller or Əliyev occur in English text).
_SCRIPT_CHARS = {
    "az": "A-Za-zƏəĞğıİÖöÜüŞşÇç",
    "ru": "\u0400-\u04ff",
    "en": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0259\u018f\u1e00-\u1eff",
}
# A letter (a word character that is not a digit or "_") outside the script.
_FOREIGN = {lang: re.compile(rf"[^\W\d_{chars}]") for lang, chars in _SCRIPT_CHARS.items()}
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_WORD = re.compile(r"[\W_]+")


def script_fraction(text: str, lang: str) -> float:
    """Share of the letters in ``text`` that belong to ``lang``'s script (1.0 if none).

    Most text has no foreign letter at all, so one ``search`` settles it; counting runs
    only for the rest (this filter must keep up with an export of 50,000 pairs/s).
    """
    foreign = _FOREIGN[lang]
    if foreign.search(text) is None:
        return 1.0
    letters = len(_NOT_LETTER.sub("", text))
    return (letters - len(foreign.findall(text))) / letters


@FILTERS.register("script")
class ScriptFilter:
    """Each side mainly in its language's script: catches untranslated text (English left
    in the Russian column), Azerbaijani in Cyrillic and swapped sides. The threshold is a
    share of letters, so names, acronyms and URLs in the other script are tolerated."""

    name = "script"

    def __init__(self, threshold: float = 0.8):
        self.threshold = threshold

    def score(self, rec: PairRecord) -> tuple[float, float]:
        return script_fraction(rec.src, rec.src_lang), script_fraction(rec.tgt, rec.tgt_lang)

    def accept(self, rec: PairRecord) -> bool:
        return all(share >= self.threshold for share in self.score(rec))


def _digest(src: str, tgt: str) -> bytes:
    """8-byte key of a pair: a set of these costs ~100 bytes per pair whatever the text
    length (a collision needs ~4e9 distinct pairs to become likely)."""
    return hashlib.blake2b(f"{src}\x00{tgt}".encode(), digest_size=8).digest()


@FILTERS.register("dedup_exact")
class ExactDedup:
    """Drops a pair whose two texts were both seen before, character for character."""

    name = "dedup_exact"

    def __init__(self) -> None:
        self.seen: set[bytes] = set()

    def key(self, rec: PairRecord) -> bytes:
        return _digest(rec.src, rec.tgt)

    def score(self, rec: PairRecord) -> float:
        """1.0 for a duplicate of an accepted pair, else 0.0."""
        return float(self.key(rec) in self.seen)

    def accept(self, rec: PairRecord) -> bool:
        key = self.key(rec)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def normalized_text(text: str, lang: str) -> str:
    """The comparison form: NFC (Azerbaijani schwa look-alikes unified), Turkic-aware
    lowercase, and every run of punctuation, symbols and spaces collapsed to one space.

    Digits stay: in statements a different date or figure is a different sentence ("on 5
    June" is not "on 6 June"). Separators inside numbers collapse like any punctuation, so
    "95,000" and "95 000" compare equal.
    """
    return _NOT_WORD.sub(" ", lower(normalize(text, lang), lang)).strip()


@FILTERS.register("dedup_normalized")
class NormalizedDedup(ExactDedup):
    """Drops a pair whose normalized texts (see :func:`normalized_text`) were seen before."""

    name = "dedup_normalized"

    def key(self, rec: PairRecord) -> bytes:
        return _digest(
            normalized_text(rec.src, rec.src_lang), normalized_text(rec.tgt, rec.tgt_lang)
        )


@FILTERS.register("origin")
class OriginFilter:
    """Excludes pairs with a machine-translated side unless asked: training MT on MT
    output reinforces its errors, and evaluating on it measures nothing."""

    name = "origin"

    def __init__(self, allow_machine: bool = False):
        self.allow_machine = allow_machine

    def score(self, rec: PairRecord) -> float:
        """1.0 when either side is machine translated."""
        return float(rec.src_origin == "machine" or rec.tgt_origin == "machine")

    def accept(self, rec: PairRecord) -> bool:
        return self.allow_machine or not self.score(rec)


def build_filters(
    min_len: int | None = None, max_len: int | None = None, max_ratio: float | None = None,
    script: bool | float = False, dedup: str = "none", include_machine: bool = False,
) -> list[Filter]:  # fmt: skip
    """The export's filter chain from its options (``script`` may be a threshold).

    Order: origin, length, ratio, script (cheap, stateless), then dedup, so only pairs
    that survive everything else are remembered.
    """
    _check_options(min_len, max_len, max_ratio, script, dedup)
    filters: list[Filter] = []
    if not include_machine:
        filters.append(OriginFilter(allow_machine=False))
    if min_len is not None or max_len is not None:
        filters.append(LengthFilter(min_len if min_len is not None else 1, max_len))
    if max_ratio is not None:
        filters.append(LengthRatioFilter(max_ratio))
    if script is not False:
        filters.append(ScriptFilter() if script is True else ScriptFilter(float(script)))
    if dedup != "none":
        filters.append(ExactDedup() if dedup == "exact" else NormalizedDedup())
    return filters


def _check_options(min_len, max_len, max_ratio, script, dedup) -> None:
    if dedup not in DEDUP_MODES:
        raise UserError(f"unknown dedup mode {dedup!r} (expected {', '.join(DEDUP_MODES)})")
    if (min_len is not None and min_len < 0) or (max_len is not None and max_len < 1):
        raise UserError("length limits must be positive numbers of words")
    if min_len is not None and max_len is not None and min_len > max_len:
        raise UserError(f"minimum length {min_len} is above maximum length {max_len}")
    if max_ratio is not None and not (math.isfinite(max_ratio) and max_ratio >= 1):
        raise UserError(f"length ratio limit {max_ratio} must be a finite number of at least 1 "
                        "(longer / shorter side)")  # fmt: skip
    if not isinstance(script, bool) and not 0 < float(script) <= 1:
        raise UserError(f"script threshold {script} must be a share between 0 and 1")


def apply_filters(
    records: Iterable[PairRecord], filters: list[Filter], stats: Counter
) -> Iterator[PairRecord]:
    """Stream the pairs every filter accepts; ``stats[filter.name]`` counts the pairs each
    filter rejected (a pair is charged to the first filter that rejects it)."""
    for rec in records:
        for flt in filters:
            if not flt.accept(rec):
                stats[flt.name] += 1
                break
        else:
            yield rec
