"""Which of en, az, ru a text is in, by its script and letters (no model needed).

Cyrillic letters → Russian; Latin with a letter only Azerbaijani uses among our languages
(ə ğ ı ş ç ö ü, and their capitals) → Azerbaijani; other Latin → English. The confidence
(0-100, as LibreTranslate reports it) is the share of the letters that decided it.
"""

from __future__ import annotations

AZ_LETTERS = set("əğışçöüƏĞIİŞÇÖÜ") - {"I"}


def _cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def detect(text: str) -> list[dict[str, float | str]]:
    """``[{"confidence": 0-100, "language": code}]``, the best guess first."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return [{"confidence": 0.0, "language": "en"}]
    cyr = sum(1 for ch in letters if _cyrillic(ch))
    latin = sum(1 for ch in letters if ch.isascii() or ch in AZ_LETTERS)
    if cyr > latin:
        return [{"confidence": round(100.0 * cyr / len(letters), 1), "language": "ru"}]
    az = sum(1 for ch in letters if ch in AZ_LETTERS)
    if az:
        # A few Azerbaijani letters are enough: English has none of them.
        share = min(1.0, 0.5 + 10 * az / max(latin, 1))
        return [
            {"confidence": round(100.0 * share, 1), "language": "az"},
            {"confidence": round(100.0 * (1 - share), 1), "language": "en"},
        ]
    return [{"confidence": round(100.0 * latin / len(letters), 1), "language": "en"}]


def detect_one(text: str) -> str:
    return str(detect(text)[0]["language"])
