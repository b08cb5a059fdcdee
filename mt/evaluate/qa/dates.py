"""Dates carried over: "November 10, 2020" = "10 ноября 2020 года" = "10 noyabr 2020-ci il".

Dates are recognised per language (month names in every Russian case, Azerbaijani months with
their suffixes and the ``2020-ci il`` year form, English month-day and day-month orders,
numeric ``10.11.2020`` and ISO dates) and reduced to a canonical ``YYYY-MM-DD`` (``YYYY-MM``
without a day, ``--MM-DD`` without a year), so the check compares meanings, not spellings.
The spans found here are also masked out before :mod:`numbers` looks for plain numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from mt.evaluate.qa.base import CHECKS, QACheck, Segment
from mt.lang import lower

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
# Russian stems; soft stems take ь/я/е/ю/ём/ем, hard ones ""/а/е/у/ом, май its own endings.
_RU_SOFT = {"январ": 1, "феврал": 2, "апрел": 4, "июн": 6, "июл": 7, "сентябр": 9,
            "октябр": 10, "ноябр": 11, "декабр": 12}  # fmt: skip
_RU_HARD = {"март": 3, "август": 8}
_RU_ABBR = {"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "авг": 8, "сен": 9, "сент": 9,
            "окт": 10, "ноя": 11, "нояб": 11, "дек": 12}  # fmt: skip
_AZ_MONTHS = {"yanvar": 1, "fevral": 2, "mart": 3, "aprel": 4, "may": 5, "iyun": 6, "iyul": 7,
              "avqust": 8, "sentyabr": 9, "oktyabr": 10, "noyabr": 11, "dekabr": 12}  # fmt: skip
_AZ_LETTER = "a-zçəğıöşü"
_AZ_ORD = r"(?:-?(?:n?c[iıuü]))"  # 2020-ci, 1-ci, 2-nci


def _ru_month_alt() -> str:
    forms = [s + e for s in _RU_SOFT for e in ("ь", "я", "е", "ю", "ём", "ем")]
    forms += [s + e for s in _RU_HARD for e in ("", "а", "е", "у", "ом")]
    forms += ["ма" + e for e in ("й", "я", "е", "ю", "ем", "ём")]
    forms += [a + r"\." for a in _RU_ABBR]
    return "|".join(sorted(forms, key=len, reverse=True))


def _en_month_alt() -> str:
    forms = []
    for name in _EN_MONTHS:
        cap = name.capitalize()
        forms += [cap, name.upper()] + ([cap + r"\.?"] if len(name) <= 4 and name != "may" else [])
    return "|".join(sorted(forms, key=len, reverse=True))


def month_number(word: str, lang: str) -> int | None:
    """Month number of a month word in any case/suffix form, or ``None``."""
    w = lower(word, lang).rstrip(".")
    if lang == "en":
        return _EN_MONTHS.get(w)
    if lang == "ru":
        if w.startswith("ма") and len(w) <= 3:
            return 5
        for table in (_RU_SOFT, _RU_HARD):
            for stem, num in table.items():
                if w.startswith(stem):
                    return num
        return _RU_ABBR.get(w)
    for stem, num in _AZ_MONTHS.items():
        if w.startswith(stem):
            return num
    return None


_DASH = r"\s*[–—-]\s*"
_AND = {"en": "and|to", "ru": "и|по", "az": "və"}


def _alternation(lang: str) -> str:
    if lang == "en":
        return _en_month_alt()
    if lang == "ru":
        return _ru_month_alt()
    letters = f"[{_AZ_LETTER}]"
    return f"(?:{'|'.join(_AZ_MONTHS)}){letters}{{0,6}}"


@cache
def _patterns(lang: str) -> list[re.Pattern[str]]:
    """Date patterns for a language, most specific first.

    Named groups: ``d`` (``d2`` for a range or pair of days: "12–13 June", "27 и 28 апреля"),
    ``m`` (``m2``: "January–September"), ``y``.
    """
    suffix = {"en": r"(?:st|nd|rd|th)?", "ru": r"(?:-?(?:го|е|ого))?",
              "az": rf"(?:-[{_AZ_LETTER}]{{1,4}})?"}[lang]  # fmt: skip
    d = (rf"(?<![\d.])(?P<d>\d{{1,2}}){suffix}"
         rf"(?:(?:{_DASH}|\s+(?:{_AND[lang]})\s+)(?P<d2>\d{{1,2}}){suffix})?(?![\d:])")  # fmt: skip
    y = r"(?P<y>\d{4})(?!\d)"
    alt = _alternation(lang)
    before, after = {"en": (r"\b", "(?![A-Za-z])"), "ru": ("(?<![а-яё])", "(?![а-яё])"),
                     "az": (f"(?<![{_AZ_LETTER}])", f"(?![{_AZ_LETTER}])")}[lang]  # fmt: skip
    m = rf"{before}(?P<m>{alt}){after}(?:{_DASH}(?P<m2>{alt}){after})?"
    if lang == "en":
        specs = [rf"{m}\s+{d},?\s+{y}", rf"{d}\s+(?:of\s+)?{m},?\s+{y}",
                 rf"{m},?\s+(?:of\s+)?{y}", rf"{m}\s+{d}", rf"{d}\s+(?:of\s+)?{m}"]  # fmt: skip
    elif lang == "ru":
        yr = r"(?:\s*(?:года|году|год|г\.))?"
        specs = [rf"{d}\s+{m}\s+{y}{yr}", rf"{m}\s+{y}{yr}", rf"{d}\s+{m}"]
    else:
        letters = f"[{_AZ_LETTER}]"
        il = rf"{_AZ_ORD}?\s+il{letters}*"
        # "noyabrın 10-da": the month-first form has the genitive on the month
        gen = rf"{before}(?P<m>(?:{'|'.join(_AZ_MONTHS)})(?:n?[ıiuü]n)){after}"
        specs = [rf"{d}\s+{m}\s+{y}{_AZ_ORD}?(?:\s+il{letters}*)?", rf"{y}{il}\s+{d}\s+{m}",
                 rf"{y}{il}\s+{gen}\s+{d}", rf"{y}{il}\s+{m}", rf"{gen}\s+{d}",
                 rf"{d}\s+{m}", rf"{m}\s+{y}"]  # fmt: skip
    numeric = [r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)",
               r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"]  # fmt: skip
    return [re.compile(p) for p in numeric + specs]


def find_dates(text: str, lang: str) -> list[tuple[str, tuple[int, int]]]:
    """Canonical dates in ``text`` with their character spans, in text order.

    A range ("12–13 June 2024") gives both ends, with the same span.
    """
    view = lower(text, lang) if lang != "en" else text
    if len(view) != len(text):  # lowercasing changed lengths: match on the original
        view = text
    taken: list[tuple[int, int]] = []
    found = []
    for pattern in _patterns(lang):
        for match in pattern.finditer(view):
            span = match.span()
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue
            dates = _canonical(match, lang)
            if dates:
                taken.append(span)
                found += [(date, span) for date in dates]
    return sorted(found, key=lambda x: x[1])


def _month(text: str | None, lang: str) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else month_number(text, lang)


def _canonical(match: re.Match[str], lang: str) -> list[str]:
    g = match.groupdict()
    months = [_month(g.get("m"), lang)] + ([_month(g["m2"], lang)] if g.get("m2") else [])
    days = [int(x) for x in (g.get("d"), g.get("d2")) if x]
    year = int(g["y"]) if g.get("y") else None
    if any(m is None or not 1 <= m <= 12 for m in months) or any(not 1 <= d <= 31 for d in days):
        return []
    if not days:
        return [f"{year:04d}-{m:02d}" for m in months] if year is not None else []
    prefix = f"{year:04d}" if year is not None else "-"
    return [f"{prefix}-{months[0]:02d}-{d:02d}" for d in days]


@CHECKS.register("dates")
class DatesCheck(QACheck):
    """Every date of the source appears in the hypothesis, and no other date."""

    name = "dates"

    def score(self, seg: Segment) -> dict[str, list[str]]:
        src = Counter(c for c, _ in find_dates(seg.src, seg.src_lang))
        hyp = Counter(c for c, _ in find_dates(seg.hyp, seg.tgt_lang))
        return {"missing": sorted((src - hyp).elements()), "extra": sorted((hyp - src).elements())}

    def accept(self, score: dict[str, list[str]]) -> bool:
        return not score["missing"] and not score["extra"]

    def explain(self, score: Any) -> str:
        return _describe(score, "date")


def _describe(score: dict[str, list[str]], what: str) -> str:
    parts = []
    if score["missing"]:
        parts.append(f"source {what}s missing: {', '.join(score['missing'])}")
    if score["extra"]:
        parts.append(f"{what}s not in the source: {', '.join(score['extra'])}")
    return "; ".join(parts)
