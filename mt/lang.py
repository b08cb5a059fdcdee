"""Languages of the toolkit and the text rules that depend on them.

English (en), Azerbaijani in Latin script (az) and Russian (ru) are the toolkit's languages
(store, translation, evaluation); every entry point validates codes here so an unknown code
is one clear error everywhere. Sentence alignment and splitting also take any other ISO 639
code (:func:`check_code`), with generic rules.
"""

from __future__ import annotations

import re
import unicodedata

from mt.errors import UserError

LANGS: tuple[str, ...] = ("en", "az", "ru")
# Canonical order of a pair in the store: English first, then Azerbaijani, then Russian.
_ORDER = {code: i for i, code in enumerate(LANGS)}
PAIRS: tuple[tuple[str, str], ...] = (("en", "az"), ("en", "ru"), ("az", "ru"))


def check_lang(code: str) -> str:
    """Return the normalized code or raise a :class:`UserError` naming the supported ones."""
    norm = code.strip().lower()
    if norm not in LANGS:
        raise UserError(f"unsupported language {code!r} (supported: {', '.join(LANGS)})")
    return norm


_CODE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")


def check_code(code: str) -> str:
    """Any ISO 639-1/3 code (``de``, ``fra``, ``is``; a region or script subtag is dropped):
    for the steps that work in every language, alignment and sentence splitting."""
    norm = code.strip().lower()
    if not _CODE.fullmatch(norm):
        raise UserError(f"invalid language code {code!r} (expected an ISO 639 code: de, fr, fra)")
    return re.split(r"[-_]", norm)[0]


def parse_pair(pair: str) -> tuple[str, str]:
    """Parse ``en-ru`` (or ``en_ru``) into two validated, distinct codes, in the given order."""
    parts = pair.replace("_", "-").split("-")
    if len(parts) != 2:
        raise UserError(f"invalid language pair {pair!r} (expected e.g. en-ru)")
    src, tgt = check_lang(parts[0]), check_lang(parts[1])
    if src == tgt:
        raise UserError(f"invalid language pair {pair!r}: both sides are {src}")
    return src, tgt


def canonical_pair(src: str, tgt: str) -> tuple[tuple[str, str], bool]:
    """The store's order for a pair and whether ``(src, tgt)`` is reversed relative to it."""
    if _ORDER[src] <= _ORDER[tgt]:
        return (src, tgt), False
    return (tgt, src), True


# Characters that look like Azerbaijani schwa but are not: Cyrillic schwa (common when texts
# are typed on a Russian/Azerbaijani Cyrillic keyboard), Latin a-umlaut (an old substitute)
# and the reversed E (U+018E), whose lowercase is not ə.
_AZ_LOOKALIKES = str.maketrans({"ә": "ə", "Ә": "Ə", "ä": "ə", "Ä": "Ə", "Ǝ": "Ə", "ǝ": "ə"})


def normalize(text: str, lang: str | None = None) -> str:
    """NFC-normalize; for Azerbaijani also replace schwa look-alikes with U+0259/U+018F."""
    text = unicodedata.normalize("NFC", text)
    if lang == "az":
        text = text.translate(_AZ_LOOKALIKES)
    return text


_TURKIC_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_TURKIC_UPPER = str.maketrans({"i": "İ", "ı": "I"})


def lower(text: str, lang: str | None = None) -> str:
    """Lowercase with Turkic rules for az (I→ı, İ→i); ``str.lower`` gets both wrong.

    NFC first, so a decomposed İ (I + combining dot) becomes i and not ı + dot.
    """
    text = unicodedata.normalize("NFC", text)
    if lang == "az":
        text = text.translate(_TURKIC_LOWER)
    return text.lower()


def upper(text: str, lang: str | None = None) -> str:
    """Uppercase with Turkic rules for az (i→İ, ı→I)."""
    text = unicodedata.normalize("NFC", text)
    if lang == "az":
        text = text.translate(_TURKIC_UPPER)
    return text.upper()


_AZ_CYR_TO_LAT = {
    "А": "A", "Б": "B", "В": "V", "Г": "Q", "Ғ": "Ğ", "Д": "D", "Е": "E", "Ә": "Ə", "Ж": "J",
    "З": "Z", "И": "İ", "Ы": "I", "Ј": "Y", "К": "K", "Ҝ": "G", "Л": "L", "М": "M", "Н": "N",
    "О": "O", "Ө": "Ö", "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ү": "Ü", "Ф": "F",
    "Х": "X", "Һ": "H", "Ч": "Ç", "Ҹ": "C", "Ш": "Ş", "Й": "Y", "Ё": "Yo", "Ю": "Yu",
    "Я": "Ya", "Ц": "Ts", "Щ": "Şç", "Э": "E", "Ъ": "", "Ь": "",
}  # fmt: skip
_AZ_CYR_TO_LAT.update({k.lower(): lower(v, "az") for k, v in list(_AZ_CYR_TO_LAT.items())})
_AZ_CYR_TO_LAT["ҝ"] = "g"  # lower() of Ҝ is ҝ: keep explicit for clarity
_AZ_CYR_TABLE = str.maketrans(_AZ_CYR_TO_LAT)


def az_cyrillic_to_latin(text: str) -> str:
    """Transliterate Azerbaijani Cyrillic (1958–1991 orthography) to the Latin alphabet.

    Digraph letters (Ю, Я, Ё) keep a capital only on their first letter, which is right for
    title case and acceptable for all-caps headings.
    """
    return unicodedata.normalize("NFC", text).translate(_AZ_CYR_TABLE)


def is_mostly_cyrillic(text: str) -> bool:
    """More than half of the letters are Cyrillic."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    return cyrillic * 2 > len(letters)


def standard_script(text: str, lang: str) -> str:
    """The text in the script the toolkit uses for ``lang``.

    Azerbaijani is Latin here; older texts (1958–1991) were written in Cyrillic, so a text
    given as az that is mostly Cyrillic is transliterated as a whole. A Latin text with a few
    Cyrillic quotations is left alone.
    """
    if lang == "az" and is_mostly_cyrillic(text):
        return az_cyrillic_to_latin(text)
    return text
