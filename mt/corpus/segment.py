"""Paragraph and sentence segmentation for English, Azerbaijani and Russian statements.

Why our own rules: no off-the-shelf splitter knows Azerbaijani (``və s.``, ``b.e.ə.``,
``İ. Əliyev``) or the Russian ``г.`` that means "city" before a name but "year" after a
number, and the gold alignments count sentences, so every wrong split shifts an index.

How: one precompiled regex finds *candidate* boundaries (terminal punctuation, optional
closing quotes or brackets, whitespace). Each candidate is then judged from the word after
it (a lowercase word never starts a sentence) and, for a period, from the token before it
(abbreviation tables per language, initials, numbers, list markers). Only candidates cost
Python work, so normal prose runs at regex speed. Sentences are slices of the paragraph:
the text is never rewritten, only cut at whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mt.lang import check_lang

__all__ = ["segment", "split_paragraphs", "split_sentences"]

# A run of blank (whitespace-only) lines separates paragraphs; a single line break does not.
_BLANK_LINES = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"[^\S\n]*\n[^\S\n]*")

_CLOSERS = "”“»\"'’)]›"  # “ closes Russian/German „…“ quotes
_OPENERS = "“„«\"'‘‹(["
# group 1: terminal punctuation, 2: closing quotes/brackets kept with the sentence, 3: the gap
_CANDIDATE = re.compile(r"([.!?…]+)([”“»\"'’)\]›]*)(\s+)")
# The first word after a candidate, skipping opening quotes/brackets and dashes (Russian
# direct speech: «…?» — спросил он). group 2 is a period right after the word (an initial).
_NEXT = re.compile(r"[\s“„«\"'‘‹(\[—–-]*(\w+|[№$€£§])(\.?)")

_ROMAN = r"[IVXLCDMХ]+"  # Cyrillic Х appears in Russian century numbers (ХХ в.)
_NUMBER = re.compile(rf"\d[\d.,:/–—-]*(?:-?[^\W\d_]+)?|{_ROMAN}(?:[–—-]{_ROMAN})?")
_YEAR_GLUED = re.compile(r"\d+(?:гг?|вв?)")  # 2020г. with no space before the abbreviation
# A sentence that would hold nothing but a date: [preposition] [day] [month] year г./гг.
_DATE_ONLY = re.compile(
    r"(?:(?:по состоянию|по данным|начиная|уже|ещё|еще)\s+)?"
    r"(?:(?:в|во|с|со|до|по|к|на|от|за|около|после|в течение|в ходе|в|к)"
    r"(?:\s+(?:начал[уе]|конц[уе]|середин[уе]|первой половине|второй половине))?\s+)?"
    r"(?:\d{1,2}(?:\s*[–-]\s*\d{1,2})?\s+)?"
    r"(?:(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*\s+)?"
    r"\d{4}(?:-х)?(?:\s*[–-]\s*\d{4}(?:-х)?)?\s*гг?",
    re.IGNORECASE,
)
_UNIT_PREFIXES = frozenset({"куб.", "кв."})  # куб. м., кв. км.: the unit follows a number
_ROMAN_NEXT = re.compile(r"[IVXLCDMХ]{2,}|[VX]")  # not I (English pronoun) or C, D, L, M
_LIST_MARKER = re.compile(r"\d{1,3}|[IVXLCDM]{1,6}|\w")
# J, И, İ (also decomposed: I + U+0307), U.S, И.А; the caller checks that it is uppercase
_INITIALS = re.compile(r"(?:[^\W\d_]\u0307?\.)*[^\W\d_]\u0307?")


@dataclass(frozen=True)
class _Rules:
    """Abbreviation classes of one language, keyed by the lowercased token without its dot."""

    never: frozenset[str]  # never end a sentence: Mr., т.е., məs.
    may_end: frozenset[str]  # end one only before a capital: etc., т.д., və s.
    before_number: frozenset[str]  # do not end before a digit (No. 5); else an ordinary word
    after_number: frozenset[str]  # may end after a number (2024 г.), never otherwise (г. Баку)
    ambiguous: frozenset[str]  # end only before a typical sentence opener: St., им.
    starters: frozenset[str]  # words that typically open a sentence, for ambiguous cases


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN = _Rules(
    never=_words(
        "mr mrs ms messrs mmes dr prof gen lt col sen rep amb gov capt cmdr maj sgt adm brig "
        "pres hon rev supt dep asst jr sr vs e.g i.e cf viz approx incl esp dept univ mt"
    ),
    may_end=_words("etc et.al inc ltd corp bros plc ph.d llc"),
    before_number=_words(
        "no nos art arts vol vols p pp para paras sec ch fig figs pt "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    ),
    after_number=frozenset(),
    ambiguous=_words("a.m p.m st co ave blvd rd"),  # 4 p.m. Baku time / 4 p.m. The
    starters=_words(
        "The This That These Those It Its He She We They His Her Our Their There Here "
        "In On At For From By With To But And Yet So However Meanwhile Moreover Furthermore "
        "Also As After Before During Since Until While When Where What Why How Who Which If "
        "Although Though Today Yesterday Earlier Later Previously Currently Now Then Thus "
        "Therefore Nevertheless A An All Both Some Many Most Such Each Every According "
        "Speaking Following Under Despite Among Between I Is Are Was Were Do Does Did Will Can "
        "Could Should Would"
    ),
)

_RU = _Rules(
    never=_words(
        "т.е т.к т.н т.ч и.о ул пл просп пер наб д кв корп стр с п ст рис табл гл проф "
        "акад доц ген полк лейт куб чл.-корр зам нач гос пос напр англ рус азерб сокр ок прим "
        "пр ср тов дж"  # Дж. Уитфилд: the initial of a transliterated J
    ),
    may_end=_words("т.д т.п др н.э млн млрд тыс руб коп обл чел экз ед").union({"и пр", "и др"}),
    before_number=frozenset(),
    after_number=_words("г гг в вв ч м см мм"),
    ambiguous=_words("им долл"),  # им. Низами / помочь им. / долл. США
    starters=_words(
        "В Во На По С Со К О Об У А И Но Это Этот Эта Эти Он Она Оно Они Мы Я Вы Как "
        "Также Кроме При Для Однако Так Тем Поэтому После До За Из Между Вместе Сегодня "
        "Вчера Ранее Позже Затем Теперь Именно Все Всё Его Ее Её Их Наш Наша Наши Что Где "
        "Когда Если Хотя Таким Согласно"
    ),
)

_AZ = _Rules(
    never=_words("məs prof akad dos dr cən küç pr"),
    may_end=_words("s b e e.ə b.e.ə i.a mln mlrd man şəh"),
    before_number=_words("səh m"),
    after_number=frozenset(),
    ambiguous=frozenset(),
    starters=_words(
        "Bu Bunu Buna Bundan Burada O Onun Ona Onu Onlar Orada Biz Bizim Mən Lakin Amma "
        "Ancaq Həmçinin Eyni Bununla Belə Beləliklə Həm Hazırda Artıq İndi Əgər Çünki "
        "Daha Həmin Sonra Əvvəlcə Nəticədə Eləcə Ötən Qeyd Xatırladaq"
    ),
)

_RULES = {"en": _EN, "ru": _RU, "az": _AZ}
_WINDOW = 48  # characters looked back for the token before a period (and two before it)


def split_paragraphs(text: str) -> list[str]:
    """Split at blank lines; a single line break inside a paragraph becomes one space.

    Blank lines are hard boundaries because headings and datelines carry no final
    punctuation; the alignment uses paragraphs as anchors.
    """
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        block = _LINE_BREAK.sub(" ", block.strip())
        if block:
            paragraphs.append(block)
    return paragraphs


def split_sentences(paragraph: str, lang: str) -> list[str]:
    """Split one paragraph into stripped sentences, cutting only at whitespace.

    Joining the result with single spaces gives the paragraph back when it was written
    with single spaces, so sentence offsets stay traceable to the source text.
    """
    rules = _RULES[check_lang(lang)]
    text = paragraph.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if _is_boundary(text, match, start, rules):
            sentences.append(text[start : match.end(2)])
            start = match.end()
    sentences.append(text[start:])
    return sentences


def segment(text: str, lang: str) -> list[list[str]]:
    """Paragraphs of sentences: the shape the aligner and the store work with."""
    lang = check_lang(lang)
    return [split_sentences(p, lang) for p in split_paragraphs(text)]


def _is_boundary(text: str, match: re.Match[str], start: int, rules: _Rules) -> bool:
    """Judge one candidate: the word after it first, then the punctuation and the token before."""
    nxt = _NEXT.match(text, match.end())
    word = nxt.group(1) if nxt else ""
    if word[:1].islower():
        return False  # “Is it true?” he asked. / 2020 г. в Баку / və s. ilə
    # A Roman numeral counts as a number, not a capital: b.e.ə. V əsrdə
    upper = word[:1].isupper() and not _ROMAN_NEXT.fullmatch(word)
    punct = match.group(1)
    if "…" in punct or ".." in punct:
        return upper  # an ellipsis ends a sentence only before a capital
    if "?" in punct or "!" in punct:
        return True
    return _period_ends(text, match.start(), start, rules, nxt, upper, bool(match.group(2)))


def _period_ends(
    text: str,
    end: int,
    start: int,
    rules: _Rules,
    nxt: re.Match[str] | None,
    upper: bool,
    closed: bool,
) -> bool:
    """Does the period at ``end`` end a sentence? The next word is known not to be lowercase."""
    if end == start or text[end - 1].isspace():
        return upper
    win_start = max(start, end - _WINDOW)
    tokens = text[win_start:end].split()
    if win_start > start and not text[win_start - 1].isspace():
        if len(tokens) == 1:
            return True  # a token longer than the window (a URL): an ordinary word
        tokens = tokens[1:]  # the first token was cut by the window
    at_start = win_start == start and len(tokens) == 1
    word = tokens[-1].lstrip(_OPENERS).rstrip(_CLOSERS)
    before = tokens[-2].lstrip(_OPENERS) if len(tokens) > 1 else ""
    if _LIST_MARKER.fullmatch(word) and (at_start or before.endswith((":", ";"))):
        return False  # "1. Introduction", "measures: 2. Increase": never a one-token sentence
    if _INITIALS.fullmatch(word) and word.isupper():
        return _opens_sentence(nxt, rules, closed)  # J. Smith, И.А. Петров vs. in the U.S. The
    verdict = _abbreviation(word, before, tokens, rules, nxt, upper, closed)
    if verdict and word.endswith("г") and _DATE_ONLY.fullmatch(text, start, end):
        return False  # "1 марта 2024 г. Кабинет Министров утвердил…": a date, not a sentence
    if verdict is not None:
        return verdict
    # single lowercase letters are abbreviations (p. 5, с. Нардаран); other words end sentences
    return not (len(word) == 1 and word.islower())


def _abbreviation(
    word: str,
    before: str,
    tokens: list[str],
    rules: _Rules,
    nxt: re.Match[str] | None,
    upper: bool,
    closed: bool,
) -> bool | None:
    """The verdict of the abbreviation tables, or None when the token is not in them."""
    lower = word.lower()
    if _YEAR_GLUED.fullmatch(lower):
        return upper  # 2020г. Министерство
    keys = [*_spaced_keys(lower, tokens), lower]
    if before:
        keys.insert(0, f"{before.lower()} {lower}")  # и пр. / и др.
    for key in keys:
        if key in rules.never:
            return False
        if key in rules.may_end:
            return upper
        if key in rules.after_number:
            return upper and _counts(before)
        if key in rules.before_number:
            return upper  # No. 5 stays; "No. The" and "said no. The" split
        if key in rules.ambiguous:
            return _opens_sentence(nxt, rules, closed)
    if _NUMBER.fullmatch(word):
        return True  # in 2020. The / 10.11.2020. Next (list markers were handled before)
    return None


def _counts(before: str) -> bool:
    """Is the token before a unit a quantity? 2024 (г.), XX (в.), 12,9 млрд куб. (м.)"""
    return before.lower() in _UNIT_PREFIXES or bool(_NUMBER.fullmatch(before.rstrip(_CLOSERS)))


def _spaced_keys(lower: str, tokens: list[str]) -> list[str]:
    """Keys of abbreviations written with spaces, longest first: т. д. -> т.д, b. e. ə. -> b.e.ə."""
    if len(lower) > 2:
        return []
    parts = [lower]
    keys: list[str] = []
    for tok in reversed(tokens[-3:-1]):
        tok = tok.lstrip(_OPENERS)
        if len(tok) > 3 or not tok.endswith("."):
            break
        parts.insert(0, tok[:-1].lower())
        keys.insert(0, ".".join(parts))
    return keys


def _opens_sentence(nxt: re.Match[str] | None, rules: _Rules, closed: bool) -> bool:
    """After an initial or an ambiguous abbreviation: split only before a typical opener."""
    if nxt is None:
        return False
    word = nxt.group(1)
    if nxt.group(2) and len(word) == 1:
        return False  # another initial follows: J. R. R. Tolkien
    if closed and word[0].isupper():
        return True  # a closing quote after the period: “…in the U.S.” She
    return word in rules.starters
