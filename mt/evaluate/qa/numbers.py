"""Numbers carried over, read the way each language writes them.

"95,000" (en) = "95 000" (ru, az) = "95 min" (az: *min* is "thousand") = "95 thousand";
"1.5" (en) = "1,5" (ru, az); "3.2 per cent" = "3,2%" = "%3,2" = "3,2 процента"; "1.5 million"
= "1,5 млн" = "1,5 milyon"; ordinals lose their suffix (2020-ci, 10th, 10-го). Every number is
reduced to a canonical decimal value (times its scale word, with ``%`` kept as a marker), dates
are taken out first (see :mod:`dates`), clock times become ``HH:MM`` (10 a.m. = 10:00,
7 p.m. = 19:00) and the two sides are compared as multisets. A difference made only of small
whole numbers on one side is a warning, not an error: "14 votes to 2" may well be
"четырнадцатью голосами против двух".
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from mt.evaluate.qa.base import CHECKS, ERROR, WARNING, QACheck, Segment
from mt.evaluate.qa.dates import _describe, find_dates

_SPACES = " \u00a0\u202f\u2009"
_AZ_SUFFIX = r"(?:d[əa]n|d[əa]|l[iıuü][kq]|[ıi]n|nin)?"  # mindən, milyonluq (never "mina")
# Scale words per language: (regex, power of ten).
_SCALES = {
    "en": [("thousand", 3), ("million|mln", 6), ("billion|bn", 9), ("trillion", 12)],
    "ru": [(r"тыс\.|тыс|тысяч[а-я]*", 3), (r"млн\.?|миллион[а-я]*", 6),
           (r"млрд\.?|миллиард[а-я]*", 9), (r"трлн\.?|триллион[а-я]*", 12)],
    "az": [(f"min{_AZ_SUFFIX}", 3), (rf"mln\.?|milyon{_AZ_SUFFIX}", 6),
           (rf"mlrd\.?|milyard{_AZ_SUFFIX}", 9), (rf"trln\.?|trilyon{_AZ_SUFFIX}", 12)],
}  # fmt: skip
_PERCENT = {
    "en": r"%|per\s?cent\b|percent\b",
    "ru": r"%|процент[а-я]*",
    "az": r"%|faiz[a-zçəğıöşü]*",  # faizi, faizindən
}
_AMPM = r"([ap])\.?\s?m\b\.?"
_TIME_PATTERNS = {
    "all": [rf"(?<![\d.:,])(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM})?"],
    "en": [rf"(?<![\d.:,])(?P<h>\d{{1,2}})(?:\.(?P<m>\d{{2}}))?\s*{_AMPM}",
           r"\b(?P<noon>(?:12\s+)?noon|midnight)\b"],
}  # fmt: skip


@cache
def _number_re(lang: str) -> re.Pattern[str]:
    scale = "|".join(f"(?P<s{power}>{rx})" for rx, power in _SCALES[lang])
    sp = f"[{_SPACES}]"
    return re.compile(
        rf"(?<![\w.,])(?P<pre>%{sp}?)?"
        rf"(?P<num>\d+(?:(?:[.,]|{sp})\d+)*)"
        rf"(?:{sp}?(?P<scale>{scale})(?!\w))?"
        rf"(?:{sp}?(?P<pct>{_PERCENT[lang]}))?",
        re.IGNORECASE,
    )


@cache
def _time_res(lang: str) -> list[re.Pattern[str]]:
    specs = _TIME_PATTERNS["all"] + (_TIME_PATTERNS["en"] if lang == "en" else [])
    return [re.compile(p, re.IGNORECASE) for p in specs]


def find_times(text: str, lang: str) -> list[tuple[str, tuple[int, int]]]:
    """Clock times as ``HH:MM`` (10 a.m. = 10:00, 7 p.m. = 19:00, noon = 12:00)."""
    found: list[tuple[str, tuple[int, int]]] = []
    for pattern in _time_res(lang):
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < b and a < span[1] for _, (a, b) in found):
                continue
            canonical = _clock(match)
            if canonical is not None:
                found.append((canonical, span))
    return sorted(found, key=lambda x: x[1])


def _clock(match: re.Match[str]) -> str | None:
    g = match.groupdict()
    if g.get("noon"):
        return "00:00" if "midnight" in g["noon"].lower() else "12:00"
    hour, minute = int(g["h"]), int(g["m"] or 0)
    ampm = next((x for x in match.groups()[2:] if x and x.lower() in "ap"), None)
    if ampm is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    if hour > 24 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def split_number(digits: str, lang: str) -> list[str]:
    """Decimal strings for one run of digits and separators (it may hold several numbers).

    A space followed by three digits groups thousands everywhere; a comma does in English, a
    period in Azerbaijani (Turkish style 95.000); otherwise '.' or ',' is the decimal mark.
    """
    parts = re.split(f"([.,{_SPACES}])", digits)
    numbers: list[str] = []
    whole, frac, head_len = parts[0], None, len(parts[0])
    for sep, group in zip(parts[1::2], parts[2::2], strict=True):
        thousands = (
            len(group) == 3
            and head_len <= 3
            and frac is None
            and (sep in _SPACES or (sep == "," and lang == "en") or (sep == "." and lang == "az"))
        )
        if thousands:
            whole += group
        elif sep in ".," and frac is None:
            frac = group
        else:
            numbers.append(whole + (f".{frac}" if frac else ""))
            whole, frac, head_len = group, None, len(group)
    numbers.append(whole + (f".{frac}" if frac else ""))
    return numbers


def _canonical(value: str, exponent: int, percent: bool) -> str | None:
    try:
        number = Decimal(value).scaleb(exponent)
    except InvalidOperation:
        return None
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def find_numbers(text: str, lang: str) -> list[str]:
    """Canonical numbers and clock times of ``text`` outside dates, in text order."""
    chars = list(text)
    times = find_times(text, lang)
    for _, (a, b) in find_dates(text, lang) + times:
        chars[a:b] = " " * (b - a)
    masked = "".join(chars)
    out = [(span[0], t) for t, span in times]
    for match in _number_re(lang).finditer(masked):
        values = split_number(match["num"], lang)
        exponent = _exponent(match)
        pct_after, pct_before = bool(match["pct"]), bool(match["pre"])
        for i, value in enumerate(values):
            last = i == len(values) - 1
            percent = (pct_after and last) or (pct_before and i == 0)
            canon = _canonical(value, exponent if last else 0, percent)
            if canon is not None:
                out.append((match.start() + i, canon))
    return [c for _, c in sorted(out)]


def _exponent(match: re.Match[str]) -> int:
    for name, value in match.groupdict().items():
        if value and name.startswith("s") and name[1:].isdigit():
            return int(name[1:])
    return 0


@CHECKS.register("numbers")
class NumbersCheck(QACheck):
    """Every number of the source appears in the hypothesis (by value), and no other number."""

    name = "numbers"

    def score(self, seg: Segment) -> dict[str, list[str]]:
        src = Counter(find_numbers(seg.src, seg.src_lang))
        hyp = Counter(find_numbers(seg.hyp, seg.tgt_lang))
        return {"missing": sorted((src - hyp).elements()), "extra": sorted((hyp - src).elements())}

    def accept(self, score: dict[str, list[str]]) -> bool:
        return not score["missing"] and not score["extra"]

    def severity_of(self, score: Any) -> str:
        return WARNING if _maybe_words(score) else ERROR

    def explain(self, score: Any) -> str:
        note = " (small numbers may be written as words)" if _maybe_words(score) else ""
        return _describe(score, "number") + note


def _maybe_words(score: dict[str, list[str]]) -> bool:
    """Only one side differs, and only by whole numbers up to 20."""
    one_sided = [v for v in (score["missing"], score["extra"]) if v]
    return len(one_sided) == 1 and all(x.isdigit() and int(x) <= 20 for x in one_sided[0])
