"""Numbers carried over, read the way each language writes them.

"95,000" (en) = "95 000" (ru, az) = "95 min" (az: *min* is "thousand") = "95 thousand";
"1.5" (en) = "1,5" (ru, az); "3.2 per cent" = "3,2%" = "%3,2" = "3,2 процента"; "1.5 million"
= "1,5 млн" = "1,5 milyon"; ordinals lose their suffix (2020-ci, 10th, 10-го). Every number is
reduced to a canonical decimal value (times its scale word, with ``%`` kept as a marker), dates
are taken out first (see :mod:`dates`), and the two sides are compared as multisets.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from mt.evaluate.qa.base import QACheck, Segment
from mt.evaluate.qa.dates import _describe, find_dates
from mt.lang import lower

_SPACES = " \u00a0\u202f\u2009"
_SCALES = {
    "en": {"thousand": 3, "million": 6, "mln": 6, "billion": 9, "bn": 9,
           "trillion": 12},
    "ru": {"тыс": 3, "тысяч": 3, "тысяча": 3, "тысячи": 3, "млн": 6, "миллион": 6,
           "миллиона": 6, "миллионов": 6, "млрд": 9, "миллиард": 9, "миллиарда": 9,
           "миллиардов": 9, "трлн": 12, "триллион": 12, "триллиона": 12, "триллионов": 12},
    "az": {"min": 3, "mln": 6, "milyon": 6, "milyard": 9, "mlrd": 9, "trilyon": 12,
           "trln": 12},
}  # fmt: skip
_PERCENT = {"en": r"%|per\s?cent\b|percent\b", "ru": r"%|процент[а-я]*", "az": r"%|faiz\b"}


@cache
def _number_re(lang: str) -> re.Pattern[str]:
    scale = "|".join(sorted((re.escape(w) for w in _SCALES[lang]), key=len, reverse=True))
    sp = f"[{_SPACES}]"
    return re.compile(
        rf"(?<![\w.,])(?P<pre>%{sp}?)?"
        rf"(?P<num>\d+(?:(?:[.,]|{sp})\d+)*)"
        rf"(?:{sp}?(?P<scale>(?:{scale})\.?)(?!\w))?"
        rf"(?:{sp}?(?P<pct>{_PERCENT[lang]}))?",
        re.IGNORECASE,
    )


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
    """Canonical numbers of ``text`` outside dates, in text order."""
    chars = list(text)
    for _, (a, b) in find_dates(text, lang):
        chars[a:b] = " " * (b - a)
    masked = "".join(chars)
    out = []
    for match in _number_re(lang).finditer(masked):
        values = split_number(match["num"], lang)
        scale = match["scale"]
        exponent = _SCALES[lang].get(lower(scale, lang).rstrip("."), 0) if scale else 0
        pct_after, pct_before = bool(match["pct"]), bool(match["pre"])
        for i, value in enumerate(values):
            last = i == len(values) - 1
            percent = (pct_after and last) or (pct_before and i == 0)
            canon = _canonical(value, exponent if last else 0, percent)
            if canon is not None:
                out.append(canon)
    return out


class NumbersCheck(QACheck):
    """Every number of the source appears in the hypothesis (by value), and no other number."""

    name = "numbers"
    description = "numbers carried over (language-aware separators, scales and percent)"

    def score(self, seg: Segment) -> dict[str, list[str]]:
        src = Counter(find_numbers(seg.src, seg.src_lang))
        hyp = Counter(find_numbers(seg.hyp, seg.tgt_lang))
        return {"missing": sorted((src - hyp).elements()), "extra": sorted((hyp - src).elements())}

    def accept(self, score: dict[str, list[str]]) -> bool:
        return not score["missing"] and not score["extra"]

    def explain(self, score: Any) -> str:
        return _describe(score, "number")
