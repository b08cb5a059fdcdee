"""Decoding settings for every engine call, and the guard against outputs that loop."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings passed to every engine call."""

    beam_size: int = 4
    length_penalty: float = 1.0
    max_length_ratio: float = 3.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    def guarded(self) -> DecodeOptions:
        """Stricter settings for a sentence whose first decoding ran into a loop."""
        return DecodeOptions(
            self.beam_size, self.length_penalty, min(self.max_length_ratio, 2.0),
            max(self.repetition_penalty, 1.2), self.no_repeat_ngram_size or 3,
        )  # fmt: skip


_LOOP = re.compile(r"(\b.{1,40}?\b)(?:\s*\1){3,}", re.S)


def _degenerate(source: str, output: str) -> bool:
    """An output that loops (a phrase four times in a row) or runs far past the source."""
    if len(output) > 4 * len(source) + 40:
        return True
    found = _LOOP.search(output)
    return bool(found) and not _LOOP.search(source)
