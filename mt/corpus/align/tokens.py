"""Language-neutral tokens and cross-lingual *keys* for the lexical aligner.

Why keys: before any lexicon is learnt, the cheapest evidence that two sentences translate
each other is what survives translation unchanged: numbers, names and cognates. A key is a
string that both sides produce for such a token, whatever the script:

* ``n:`` numbers with their digit-group separators removed ("8,000", "8 000", "8.000");
* ``p:`` the first five letters of a word of four or more letters after transliteration to
  Latin and removal of diacritics ("Baku"/"Баку"/"Bakı" -> ``p:baku``, "nation"/"nationale");
* ``s:`` a consonant skeleton of capitalised words, for names whose transliterations disagree
  on vowels ("Aliyev"/"Алиев"/"Əliyev" -> ``s:alv``);
* ``g:`` an entry of ``configs/glossary.tsv`` (en/az/ru) found in the sentence, matched on
  five-letter stems so that inflected forms ("Министерства иностранных дел") still count.

Tokens (``\\w+`` of the lowercased text) are also returned for the lexicon (IBM Model 1), cut
to their first six letters: a crude stemmer that works for every language and lets a lexicon
learnt from a few hundred sentence pairs generalise across inflections.

Nothing here is specific to a language pair; scripts without word spaces (Chinese, Japanese)
get few tokens and the aligner then leans on sentence lengths.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: Cyrillic (ru, az-Cyrl, uk, bg, sr...), Greek and a few Latin letters that NFKD cannot
#: decompose, to plain Latin. Approximate on purpose: keys only need both sides to meet.
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ә": "e", "ғ": "gh", "қ": "q",
        "ң": "n", "ө": "o", "ү": "u", "һ": "h", "ј": "y", "ђ": "dj", "ћ": "c", "љ": "lj",
        "њ": "nj", "џ": "dzh",
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
        "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
        "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
        "ω": "o",
        "ə": "e", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g",
        "þ": "th", "ð": "d", "æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d",
    }
)  # fmt: skip

#: Azerbaijani Latin letters whose sound other scripts spell differently (Xankəndi/Khankendi,
#: Qarabağ/Karabakh, Cəbrayıl/Jabrayil).
_TRANSLIT_AZ = str.maketrans({"x": "kh", "q": "g", "c": "j"})

_WORD_RE = re.compile(r"\w+")
_DIGIT_GROUP_RE = re.compile(r"(?<=\d)[ ,.'’\u00a0\u202f](?=\d{3}(?!\d))")
_SKELETON_DROP = str.maketrans("", "", "aeiouyhjw")
_SKELETON_MAP = str.maketrans("cqgzbdx", "kkksptk")

PREFIX = 5
STEM = 6


@lru_cache(maxsize=200_000)
def latin(word: str, lang: str = "") -> str:
    """Lowercase ASCII-ish form: transliterated, diacritics stripped, Turkic ı/İ folded."""
    word = word.lower()
    if lang == "az":
        word = word.translate(_TRANSLIT_AZ)
    word = unicodedata.normalize("NFKD", word.translate(_TRANSLIT))
    return "".join(ch for ch in word if not unicodedata.combining(ch)).translate(_TRANSLIT)


def skeleton(word: str, lang: str = "") -> str:
    """First letter plus up to four consonant classes (names across transliterations)."""
    w = latin(word, lang)
    for a, b in (("dzh", "j"), ("dj", "j"), ("kh", "k"), ("sh", "s"), ("ch", "k"), ("ts", "s")):
        w = w.replace(a, b)
    w = w.translate(_SKELETON_MAP)
    out: list[str] = []
    for ch in w[1:].translate(_SKELETON_DROP):
        if ch.isalpha() and (not out or out[-1] != ch):
            out.append(ch)
    first = "a" if w[:1] in "aeiouy" else w[:1]
    return first + "".join(out[:4])


def words(text: str) -> list[str]:
    """``\\w+`` tokens in their original case, digit groups joined ("10 000" -> "10000")."""
    return _WORD_RE.findall(_DIGIT_GROUP_RE.sub("", text))


def stem(word: str, size: int = STEM) -> str:
    """Lexicon unit: the lowercased word cut to ``size`` characters (digits kept whole)."""
    low = word.lower()
    return low if low.isdigit() else low[:size]


def word_keys(word: str, lang: str = "") -> list[str]:
    """The keys (see the module docstring) one token contributes; [] for short words."""
    if word.isdigit():
        return [f"n:{int(word)}"] if len(word) < 12 else [f"n:{word}"]
    lat = latin(word, lang)
    if len(lat) < 4 or not lat.isascii():
        return []
    keys = [f"p:{lat[:PREFIX]}"]
    if word[:1].isupper():
        sk = skeleton(word, lang)
        if len(sk) >= 3:
            keys.append(f"s:{sk}")
    return keys


@dataclass
class Glossary:
    """Multi-word entries per language as stem sequences; entry id -> one key ``g:<id>``."""

    entries: dict[str, list[tuple[int, tuple[str, ...]]]] = field(default_factory=dict)

    def keys(self, toks: Sequence[str], lang: str) -> list[str]:
        """``g:<id>`` for every entry whose stem sequence occurs in ``toks`` (stems)."""
        found = []
        stems = [latin(t, lang)[:PREFIX] for t in toks]
        text = " " + " ".join(stems) + " "
        for eid, seq in self.entries.get(lang, ()):
            if " " + " ".join(seq) + " " in text:
                found.append(f"g:{eid}")
        return found


def _glossary_path() -> Path:
    return Path(__file__).resolve().parents[3] / "configs" / "glossary.tsv"


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> Glossary:
    """Read the project glossary (tab-separated, header ``en az ru type``); empty if absent."""
    path = path or _glossary_path()
    gl = Glossary()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return gl
    rows = [ln.split("\t") for ln in lines if ln.strip() and not ln.startswith("#")]
    if not rows:
        return gl
    header = [h.strip() for h in rows[0]]
    langs = [h for h in header if re.fullmatch(r"[a-z]{2,3}", h) and h != "type"]
    for eid, row in enumerate(rows[1:]):
        for lang in langs:
            col = header.index(lang)
            if col < len(row) and row[col].strip():
                seq = tuple(latin(w, lang)[:PREFIX] for w in words(row[col]))
                if seq:
                    gl.entries.setdefault(lang, []).append((eid, seq))
    return gl


@dataclass
class SentenceTokens:
    """What the aligner needs of one sentence: lexicon stems and cross-lingual keys."""

    stems: list[str]
    keys: list[str]


def analyse(
    sentences: Sequence[str], lang: str, glossary: Glossary | None = None, stem_size: int = STEM
) -> list[SentenceTokens]:
    """Stems and keys of every sentence (glossary keys only for the glossary's languages)."""
    out = []
    for sent in sentences:
        toks = words(sent)
        keys = [k for t in toks for k in word_keys(t, lang)]
        if glossary is not None and lang in glossary.entries:
            keys += glossary.keys(toks, lang)
        out.append(SentenceTokens([stem(t, stem_size) for t in toks], keys))
    return out
