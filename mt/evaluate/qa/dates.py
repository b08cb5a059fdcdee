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

from mt.evaluate.qa.base import QACheck, Segment
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


@cache
def _patterns(lang: str) -> list[re.Pattern[str]]:
    """Date patterns for a language, most specific first (named groups d, m, y)."""
    d = r"(?<![\d.])(?P<d>\d{1,2})"
    y = r"(?P<y>\d{4})(?!\d)"
    if lang == "en":
        m = rf"\b(?P<m>{_en_month_alt()})(?![A-Za-z])"
        th = r"(?:st|nd|rd|th)?"
        specs = [
            rf"{m}\s+{d}{th},?\s+{y}",
            rf"{d}{th}\s+(?:of\s+)?{m},?\s+{y}",
            rf"{m},?\s+(?:of\s+)?{y}",
            rf"{m}\s+{d}{th}(?!\d)",
            rf"{d}{th}\s+(?:of\s+)?{m}",
        ]
    elif lang == "ru":
        m = rf"(?<![а-яё])(?P<m>{_ru_month_alt()})(?![а-яё])"
        yr = r"(?:\s*(?:года|году|год|г\.))?"
        dd = rf"{d}(?:-?(?:го|е|ого))?"
        specs = [rf"{dd}\s+{m}\s+{y}{yr}", rf"{m}\s+{y}{yr}", rf"{dd}\s+{m}"]
    else:
        letters = f"[{_AZ_LETTER}]"
        m = rf"(?<!{letters})(?P<m>(?:{'|'.join(_AZ_MONTHS)}){letters}{{0,6}})(?!{letters})"
        il = rf"{_AZ_ORD}?\s+il{letters}*"
        dd = rf"{d}(?:-?{letters}{{1,4}})?"
        specs = [rf"{d}\s+{m}\s+{y}{_AZ_ORD}?(?:\s+il{letters}*)?", rf"{y}{il}\s+{d}\s+{m}",
                 rf"{y}{il}\s+{m}\s+{dd}(?![\d])", rf"{y}{il}\s+{m}", rf"{m}\s+{dd}(?![\d])",
                 rf"{d}\s+{m}", rf"{m}\s+{y}"]  # fmt: skip
    numeric = [r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)",
               r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"]  # fmt: skip
    return [re.compile(p) for p in numeric + specs]


def find_dates(text: str, lang: str) -> list[tuple[str, tuple[int, int]]]:
    """Canonical dates in ``text`` with their character spans, in text order."""
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
            canonical = _canonical(match, lang)
            if canonical is not None:
                taken.append(span)
                found.append((canonical, span))
    return sorted(found, key=lambda x: x[1])


def _canonical(match: re.Match[str], lang: str) -> str | None:
    groups = match.groupdict()
    month_text = groups.get("m")
    month = int(month_text) if month_text.isdigit() else month_number(month_text, lang)
    day = int(groups["d"]) if groups.get("d") else None
    year = int(groups["y"]) if groups.get("y") else None
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


class DatesCheck(QACheck):
    """Every date of the source appears in the hypothesis, and no other date."""

    name = "dates"
    description = "dates carried over (language-aware month names and formats)"

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
