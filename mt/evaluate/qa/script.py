"""Wrong script: Latin words in Russian output, Cyrillic in Azerbaijani or English output.

Russian statements transliterate names into Cyrillic, so a Latin word there is usually an
untranslated leftover (an error); acronyms (OSCE, COVID-19), web addresses and handles are
allowed, and capitalized Latin words are a warning: brands and programmes (Erasmus+, Global
Gateway) keep their Latin spelling in Russian text, other names should be transliterated.
Azerbaijani uses the Latin alphabet since 1991: any Cyrillic letter is wrong, including the
Cyrillic schwa ә that looks like ə. English output should hold neither Cyrillic nor
Azerbaijani-only letters (Əliyev).
"""

from __future__ import annotations

import re
from typing import Any

from mt.evaluate.qa.base import CHECKS, ERROR, WARNING, QACheck, Segment

_TOKEN = re.compile(r"\S+")
_URLISH = re.compile(r"^(?:https?://|www\.|@|#)|\w@\w|\.(?:com|org|az|ru|gov|int)\b", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_AZ_ONLY = re.compile(r"[əƏ]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.-]{1,9}$")


def _latin_in_ru(seg: Segment) -> dict[str, list[str]]:
    bad: list[str] = []
    names: list[str] = []
    for token in _TOKEN.findall(seg.hyp):
        if _URLISH.search(token):
            continue
        for word in _LATIN_WORD.findall(token):
            if len(word) < 2 or _ACRONYM.match(word):
                continue
            (names if word[0].isupper() else bad).append(word)
        if _CYRILLIC.search(token) and re.search(r"[A-Za-z]", token):
            bad.append(token)  # mixed-script word (homoglyphs)
    return {"wrong": bad, "names": names}


def _cyrillic_in(seg: Segment, extra: re.Pattern[str] | None = None) -> dict[str, list[str]]:
    bad = []
    for token in _TOKEN.findall(seg.hyp):
        if _CYRILLIC.search(token) or (extra is not None and extra.search(token)):
            bad.append(token.strip('.,;:!?«»"“”()'))
    return {"wrong": bad, "names": []}


@CHECKS.register("script")
class WrongScriptCheck(QACheck):
    """Flags words written in a script the target language does not use."""

    name = "script"

    def score(self, seg: Segment) -> dict[str, list[str]]:
        if seg.tgt_lang == "ru":
            return _latin_in_ru(seg)
        if seg.tgt_lang == "az":
            return _cyrillic_in(seg)
        return _cyrillic_in(seg, _AZ_ONLY)

    def accept(self, score: dict[str, list[str]]) -> bool:
        return not score["wrong"] and not score["names"]

    def severity_of(self, score: Any) -> str:
        return ERROR if score["wrong"] else WARNING

    def explain(self, score: Any) -> str:
        parts = []
        if score["wrong"]:
            parts.append("words in the wrong script: " + ", ".join(dict.fromkeys(score["wrong"])))
        if score["names"]:
            names = ", ".join(dict.fromkeys(score["names"]))
            parts.append(f"names left in Latin script (brands keep it, others should not): {names}")
        return "; ".join(parts)
