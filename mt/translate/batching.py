"""Cutting work for the engine: length-sorted batches under a token budget, long sentences split.

Why a token budget and not a fixed number of sentences: the cost of a batch is its padded
size (sentences × longest sentence), so grouping sentences of similar length under one budget
keeps every batch about equally expensive and wastes little on padding. That, not the model,
is the main speed lever on a CPU (see the throughput targets of the translation issue).

Why split long sentences here: an engine never truncates (it raises), so a sentence longer
than the model's source limit must be cut by the caller, at the most natural place available,
and the translations of its pieces joined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

CountTokens = Callable[[Sequence[str]], list[int]]

# Source tokens per batch when the caller gives no budget. On CPU (opus-mt-en-ru's shape, int8,
# greedy, 2 cores, one single-threaded CT2 worker per core, 32 output tokens a sentence) 384
# was fastest and leanest: ~4,700 tok/s and 221 MB peak, against ~4,300 / 239 MB at 512 and
# ~4,200 / 285 MB at 768 (each worker holds its own batch's activations). A GPU keeps gaining
# from large batches.
DEFAULT_BATCH_TOKENS = {"cpu": 384, "cuda": 16384}

# Token-budget batches handed to the engine per call (it runs them on all its workers): the
# pipeline cuts its work into calls of this many budgets, and so does the server's batcher.
BATCHES_PER_CALL = 8


def batch_budget(device: str, requested: int | None = None) -> int:
    """The token budget per batch: ``requested`` when given, else the device's default.

    The one place the budget is decided: the pipeline, both backends and the server's
    dynamic batcher all ask here, so they cut work alike.
    """
    budget = requested or DEFAULT_BATCH_TOKENS.get(device, DEFAULT_BATCH_TOKENS["cpu"])
    if budget < 1:
        raise ValueError("max_tokens must be positive")
    return budget


def make_batches(lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """Indexes of ``lengths`` grouped into batches whose padded size fits ``max_tokens``.

    The one batching function: the pipeline cuts its engine calls with it, both backends
    cut those calls into model batches with it, and the server's dynamic batcher cuts the
    sentences of concurrent requests with it. Longest first, so that a batch too large for
    the memory fails at once rather than at the end, and a batch never mixes a long
    sentence with many short ones (padding is computed, then thrown away); a sentence
    longer than the budget on its own gets a batch of its own.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        size = max(lengths[i], 1)
        if current and (len(current) + 1) * max(longest, size) > max_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, size)
    if current:
        batches.append(current)
    return batches


# Cut points in order of preference: the strongest clause boundaries first.
_PUNCT_CUTS = (
    re.compile(r"[;:](?=\s)"),
    re.compile(r"\s[–—-](?=\s)"),
    re.compile(r",(?=\s)"),
)
_CONJUNCTIONS = {
    "en": ("and", "but", "or", "while", "whereas", "which", "who", "because", "although"),
    "ru": ("и", "а", "но", "или", "однако", "что", "который", "которая", "которое", "которые",
           "которых", "поскольку", "хотя"),
    "az": ("və", "amma", "lakin", "ancaq", "həmçinin", "habelə", "ki", "çünki", "və ya"),
}  # fmt: skip


def _conjunction_cut(lang: str | None) -> re.Pattern[str]:
    words = _CONJUNCTIONS.get(lang or "") or tuple(w for ws in _CONJUNCTIONS.values() for w in ws)
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # The cut is the whitespace before the conjunction, so it starts the second piece.
    return re.compile(rf"\s(?=(?:{alternatives})\s)", re.IGNORECASE)


def split_long(text: str, lang: str | None, count: CountTokens, limit: int) -> list[str]:
    """Pieces of ``text`` that each fit ``limit`` tokens, cut at clause boundaries if possible.

    Cuts are tried at semicolons and colons, dashes, commas, then before conjunctions, each
    time the one nearest the middle (balanced pieces need the fewest further cuts); with no
    such boundary the text is halved by words, and a single over-long word by characters.
    Joining the pieces with single spaces gives back the text up to whitespace.
    """
    text = text.strip()
    if not text or count([text])[0] <= limit:
        return [text] if text else []
    left, right = _cut(text, lang)
    return split_long(left, lang, count, limit) + split_long(right, lang, count, limit)


def _cut(text: str, lang: str | None) -> tuple[str, str]:
    """Split ``text`` in two at the best available boundary (both halves non-empty)."""
    for pattern in (*_PUNCT_CUTS, _conjunction_cut(lang)):
        cuts = [m.end() if m.group() in (";", ":", ",") else m.start()
                for m in pattern.finditer(text)]  # fmt: skip
        cut = _nearest_middle(text, cuts)
        if cut is not None:
            return text[:cut].strip(), text[cut:].strip()
    words = text.split()
    if len(words) > 1:
        half = len(words) // 2
        return " ".join(words[:half]), " ".join(words[half:])
    half = len(text) // 2
    return text[:half], text[half:]


def _nearest_middle(text: str, cuts: list[int]) -> int | None:
    """The cut nearest the middle that leaves words on both sides, or None."""
    middle = len(text) / 2
    valid = [c for c in cuts if _has_word(text[:c]) and _has_word(text[c:])]
    return min(valid, key=lambda c: abs(c - middle)) if valid else None


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
