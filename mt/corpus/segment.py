"""Paragraph and sentence segmentation for English, Azerbaijani and Russian statements.

Why our own rules: no off-the-shelf splitter knows Azerbaijani (``və s.``, ``b.e.ə.``,
``İ. Əliyev``) or the Russian ``г.`` that means "city" before a name but "year" after a
number, and the gold alignments count sentences, so every wrong split shifts an index.

How: one precompiled regex finds *candidate* boundaries (terminal punctuation, optional
closing quotes or brackets, whitespace). Each candidate is then judged from the word after
it (a lowercase word never starts a sentence) and, for a period, from the token before it
(abbreviation tables per language, initials, numbers, list markers). Inline lists without
final punctuation ("1) … 2) …", "• … • …") are cut before each item that continues the
sequence begun at the paragraph start (or after ";"); their markers are found by a second
regex. Only candidates cost Python work, so normal prose runs at regex speed. Sentences are
slices of the paragraph: the text is never rewritten, only cut at whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mt.lang import check_code

__all__ = ["segment", "split_paragraphs", "split_sentences"]

# A run of blank (whitespace-only) lines separates paragraphs; a single line break does not.
_BLANK_LINES = re.compile(r"\n\s*\n")

_CLOSERS = "”“»\"'’)]›"  # “ closes Russian/German „…“ quotes
_OPENERS = "“„«\"'‘‹(["
# A candidate is terminal punctuation (group 1) with closing quotes/brackets kept with the
# sentence (2), or an emoticon that ends a chat sentence, "тоже ;) Я" (3); group 4 is the gap.
# The leading lookahead gives the regex engine one character class to skip prose with (an
# alternation alone makes it try every position: twice as slow).
_CANDIDATE = re.compile(r"(?=[.!?…:;])(?:([.!?…]+)([”“»\"'’)\]›]*)|([:;]-?[()]+))(\s+)")
# The first word after a candidate, skipping opening quotes/brackets and dashes (Russian
# direct speech: «…?» — спросил он). group 2 is a period right after the word (an initial).
_NEXT = re.compile(r"[\s“„«\"'‘‹(\[—–-]*(\w+|[№$€£§])(\.?)")
# The rest of a spaced ellipsis after its first period: "complex. . . .”"
_DOTS = re.compile(r"(?:\s*\.)+[”“»\"'’)\]›]*")
_WORD = re.compile(r"\w")

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
# Item or section numbers that open a paragraph: 1., IV., a., §2., 8.1.
_LIST_MARKER = re.compile(r"§?\d{1,3}(?:\.\d{1,3}){0,3}|[IVXLCDM]{1,6}|\w")
# J, И, İ (also decomposed: I + U+0307), U.S, И.А; the caller checks that it is uppercase
_INITIALS = re.compile(r"(?:[^\W\d_]\u0307?\.)*[^\W\d_]\u0307?")
# An inline list item marker after whitespace: bullet (1), label (2), suffix (3). Either part
# may be missing ("• Item", "2) item", "⁃9. Item"); the caller drops empty matches.
_ITEM = re.compile(r"(?<!\S)(?:([•⁃▪◦‣])[^\S\n]*)?(?:(\d{1,3}|[a-zа-я])(\.\)|\)|\.))?(?=\s)")
_ITEM_AHEAD = r"(?=[•⁃▪◦‣]|(?:\d{1,3}|[a-zа-я])(?:\.\)|\)|\.)\s)"
_LIST_AT_START = re.compile(_ITEM_AHEAD)
_LIST_AFTER_COLON = re.compile(r"[:;]\s+" + _ITEM_AHEAD)  # "as follows: 1." / "; 2) item"
_LIST_STARTS = frozenset({"a", "а"})  # a letter list starts at a/а; "s." alone is və s.


@dataclass(frozen=True)
class _Rules:
    """Abbreviation classes of one language, keyed by the lowercased token without its dot."""

    never: frozenset[str]  # never end a sentence: Mr., т.е., məs.
    may_end: frozenset[str]  # end one only before a capital: etc., т.д., və s.
    before_number: frozenset[str]  # do not end before a digit (No. 5); else an ordinary word
    after_number: frozenset[str]  # may end after a number (2024 г.), never otherwise (г. Баку)
    ambiguous: frozenset[str]  # end only before a typical sentence opener: St., им.
    starters: frozenset[str]  # words that typically open a sentence, for ambiguous cases
    # capitalised words that go on a sentence after an ellipsis: "the thing is . . . I didn't"
    mid_capitals: frozenset[str] = frozenset()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN = _Rules(
    never=_words(
        "mr mrs ms messrs mmes dr prof gen lt col sen rep amb gov capt cmdr maj sgt adm brig "
        "pres hon rev supt dep asst jr sr vs e.g i.e cf viz approx incl esp dept univ mt"
    ),
    may_end=_words("etc et.al inc ltd corp bros plc ph.d llc"),
    before_number=_words(
        "no nos n° art arts vol vols p pp para paras sec ch fig figs pt "
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
    mid_capitals=_words("I"),
)

_RU = _Rules(
    never=_words(
        "т.е т.к т.н т.ч и.о ул пл просп пер наб д кв корп стр с п ст рис табл гл проф "
        "акад доц ген полк лейт куб чл.-корр зам нач гос пос пгт оз напр англ рус азерб сокр "
        "ок прим пр ср тов дж"  # Дж. Уитфилд: the initial of a transliterated J
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
    never=_words("məs prof akad ak dos dr cən küç pr"),
    may_end=_words("s b e e.ə b.e.ə i.a mln mlrd man şəh"),
    before_number=_words("səh m b.e m.e"),  # b.e. 500-cü il: "our era", m.e. the same
    after_number=frozenset(),
    ambiguous=frozenset(),
    starters=_words(
        "Bu Bunu Buna Bundan Burada O Onun Ona Onu Onlar Orada Biz Bizim Mən Lakin Amma "
        "Ancaq Həmçinin Eyni Bununla Belə Beləliklə Həm Hazırda Artıq İndi Əgər Çünki "
        "Daha Həmin Sonra Əvvəlcə Nəticədə Eləcə Ötən Qeyd Xatırladaq"
    ),
)

_RULES = {"en": _EN, "ru": _RU, "az": _AZ}


def _rules_for(lang: str) -> _Rules:
    """Our languages' rules; for any other language the English ones, whose abbreviation
    classes (titles, Latin abbreviations, initials) are the common European core."""
    code = check_code(lang)
    return _RULES.get(code, _EN)


_WINDOW = 48  # characters looked back for the token before a period (and two before it)


def split_paragraphs(text: str) -> list[str]:
    """Split at blank lines; a single line break stays inside its paragraph.

    Blank lines are hard boundaries because headings and datelines carry no final
    punctuation; the alignment uses paragraphs as anchors. A single line break is not a
    boundary (wrapped lines continue the sentence), and it is kept, so that every sentence
    is an exact slice of the input text and can be traced back to it.
    """
    return [block.strip() for block in _BLANK_LINES.split(text) if block.strip()]


def split_sentences(paragraph: str, lang: str) -> list[str]:
    """Split one paragraph into stripped sentences, cutting only at whitespace.

    Every sentence is a slice of the paragraph (line breaks inside it are kept), so joining
    the result with single spaces gives the paragraph back when it was written with single
    spaces, and sentence offsets stay traceable to the source text.
    """
    rules = _rules_for(lang)
    text = paragraph.strip()
    if not text:
        return []
    cuts, markers = _list_items(text)
    sentences: list[str] = []
    start = 0
    pending = 0  # index of the next list cut not yet made
    for match in _CANDIDATE.finditer(text):
        while pending < len(cuts) and cuts[pending][1] <= match.start():
            start = _cut(text, sentences, start, *cuts[pending])
            pending += 1
        if match.start() not in markers and _is_boundary(text, match, start, rules):
            start = _cut(text, sentences, start, match.start(4), match.end())
    for gap in cuts[pending:]:
        start = _cut(text, sentences, start, *gap)
    sentences.append(text[start:])
    return sentences


def segment(text: str, lang: str) -> list[list[str]]:
    """Paragraphs of sentences: the shape the aligner and the store work with."""
    lang = check_code(lang)
    return [split_sentences(p, lang) for p in split_paragraphs(text)]


def _cut(text: str, sentences: list[str], start: int, end: int, after: int) -> int:
    """Close the sentence at ``end`` and return where the next one starts.

    A gap already cut (a list item right after a full stop) is skipped, not cut twice.
    """
    if after > start:
        sentences.append(text[start:end])
        return after
    return start


def _list_items(text: str) -> tuple[list[tuple[int, int]], set[int]]:
    """Gaps before inline list items, and the positions of periods inside item markers.

    Why: "1. The first item 2. The second item" has no full stop between its items, and the
    period of "2." is a label, not an end. A list starts with a marker at the paragraph start
    or after ":" or ";"; each later marker of the same style whose label follows the last one
    (2 after 1, b after a, the same bullet) opens an item. Markers after ";" always open one:
    "в квартире; 2) отчуждать". Most paragraphs hold no marker and return at once.
    """
    cuts: list[tuple[int, int]] = []
    markers: set[int] = set()
    first = 0 if _LIST_AT_START.match(text) else _list_after_colon(text)
    if first is None:
        return cuts, markers
    last: tuple[tuple[str, ...], int | None] | None = None  # style and label of the last item
    for item in _ITEM.finditer(text, first):
        if item.end() == item.start():
            continue
        style, value = _item_style(item)
        gap_start = _gap_start(text, item.start())
        before = text[gap_start - 1] if gap_start else ""
        follows = last is not None and last[0] == style and _succeeds(value, last[1])
        if follows and (before == ";" or not _lowercase_after(text, item.end())):
            cuts.append((gap_start, item.start()))
        elif (not before or before in ":;") and _opens_list(item):
            if before == ";":
                cuts.append((gap_start, item.start()))
        else:
            continue
        last = (style, value)
        if item.group(3) and item.group(3).startswith("."):
            markers.add(item.start(3))
    return cuts, markers


def _list_after_colon(text: str) -> int | None:
    """Where the first marker after ":" or ";" stands, or None: the scan starts there."""
    found = _LIST_AFTER_COLON.search(text)
    return found.end() if found else None


def _gap_start(text: str, pos: int) -> int:
    """Where the whitespace run that ends at ``pos`` begins (0 at the paragraph start)."""
    while pos and text[pos - 1].isspace():
        pos -= 1
    return pos


def _succeeds(value: int | None, last: int | None) -> bool:
    """Does a label continue the list? Bullets (no label) always do; labels count up by one."""
    return value is None if last is None else value == last + 1


def _item_style(item: re.Match[str]) -> tuple[tuple[str, ...], int | None]:
    """(bullet, label kind, suffix) and the label's value: "• 9." -> (("•", "1", "."), 9)."""
    bullet, label, suffix = item.group(1) or "", item.group(2) or "", item.group(3) or ""
    if not label:
        return (bullet, "", ""), None
    if label.isdigit():
        return (bullet, "1", suffix), int(label)
    return (bullet, "a", suffix), ord(label)


def _opens_list(item: re.Match[str]) -> bool:
    """Can this marker be a first item? Letter lists start at a/а (not və s., с. Нардаран)."""
    label = item.group(2)
    return label is None or label.isdigit() or label in _LIST_STARTS


def _lowercase_after(text: str, pos: int) -> bool:
    """Does a lowercase word follow ``pos``? "points 2. and 3." is not a list item."""
    nxt = _NEXT.match(text, pos)
    return bool(nxt) and nxt.group(1)[:1].islower()


def _is_boundary(text: str, match: re.Match[str], start: int, rules: _Rules) -> bool:
    """Judge one candidate: the word after it first, then the punctuation and the token before."""
    nxt = _NEXT.match(text, match.end())
    word = nxt.group(1) if nxt else ""
    if word[:1].islower():
        return False  # “Is it true?” he asked. / 2020 г. в Баку / və s. ilə
    # A Roman numeral counts as a number, not a capital: b.e.ə. V əsrdə
    upper = word[:1].isupper() and not _ROMAN_NEXT.fullmatch(word)
    punct = match.group(1)
    if punct is None:  # an emoticon after a space: "тоже ;) Я вспомнила", not "(note:)"
        return upper and match.start() > 0 and text[match.start() - 1].isspace()
    if text[match.end()] == ".":
        return _before_dots(text, match, start, rules)
    if _inside_quote(text, start, match.end()):
        return False  # «К чему ты готовишься? – спросила мама. – Завтра ведь выходной».
    if "…" in punct or ".." in punct:
        return upper and word not in rules.mid_capitals and not _elision(text, match)
    if "?" in punct or "!" in punct:
        return True
    return _period_ends(text, match.start(), start, rules, nxt, upper, bool(match.group(2)))


def _before_dots(text: str, match: re.Match[str], start: int, rules: _Rules) -> bool:
    """A spaced ellipsis follows the candidate: "compounds. . . . The" or "is . . . what".

    Inside the ellipsis nothing ends. After a word, the period ends the sentence only when
    the ellipsis is followed by a capital (the ellipsis then opens the next one). At the end
    of the text, before a lowercase word or when a quote or bracket closes right after it
    ("continue. . . .” The"), the ellipsis stays with this sentence and the cut, if any, comes
    after it.
    """
    if match.start() == 0 or text[match.start() - 1].isspace() or "." not in match.group(1):
        return False
    dots = _DOTS.match(text, match.end())
    if dots.group().endswith(tuple(_CLOSERS)):
        return False
    after = _NEXT.match(text, dots.end())
    if after is None or not after.group(1)[:1].isupper() or after.group(1) in rules.mid_capitals:
        return False
    return _period_ends(text, match.start(), start, rules, after, True, bool(match.group(2)))


def _inside_quote(text: str, start: int, after: int) -> bool:
    """Does a dash after the candidate go on a quotation still open in this sentence?

    Russian direct speech interrupts a quote with the author's words and resumes it after a
    dash; only a dash inside an unclosed «…» or “…” keeps the quote in one sentence.
    """
    if text[after] not in "–—-":
        return False
    if text.count("«", start, after) > text.count("»", start, after):
        return True
    # “ also closes Russian „…“ quotes, so only the “ that no „ pairs with opens one
    opened = text.count("“", start, after) - text.count("„", start, after)
    return opened > text.count("”", start, after)


def _elision(text: str, match: re.Match[str]) -> bool:
    """An ellipsis in brackets, "[...]" or "(...)", marks omitted words, not an end."""
    pos = match.start()
    return pos > 0 and text[pos - 1] in "[(" and match.group(2)[:1] in ("]", ")")


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
        # a detached period closes a spaced ellipsis: "He paused . . . The" (but not one that
        # would be a sentence of dots alone, nor one before "I")
        word = nxt.group(1) if nxt else ""
        return upper and word not in rules.mid_capitals and bool(_WORD.search(text, start, end))
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
        return False  # "1. Introduction", "§2. Scope", "8.1. Why?": never a one-token sentence
    if _INITIALS.fullmatch(word) and word.isupper():
        return _opens_sentence(nxt, rules, closed)  # J. Smith, И.А. Петров vs. in the U.S. The
    verdict = _abbreviation(word, before, tokens, rules, nxt, upper, closed)
    if verdict and word.endswith("г") and _DATE_ONLY.fullmatch(text, start, end):
        return False  # "1 марта 2024 г. Кабинет Министров утвердил…": a date, not a sentence
    if verdict is not None:
        return verdict
    if "." in word and _INITIALS.fullmatch(word):
        return _opens_sentence(nxt, rules, closed)  # an unknown dotted one: к.п.н. И. П. Иванов
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
