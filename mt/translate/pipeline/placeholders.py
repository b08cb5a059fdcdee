"""Placeholders: inline markup (and, when masking, glossary terms) shown to the model as
``[n]`` and put back exactly in its output, or None when the model did not copy each once."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mt.translate.glossary import GlossaryPair, Match
from mt.translate.pipeline.sentences import _merge_text, _Sent, _Slot

if TYPE_CHECKING:
    pass


_PLACEHOLDER = re.compile(r"\[\s*(\d{1,3})\s*\]")


@dataclass
class _Request:
    """A sentence as the model sees it, and what each placeholder number stands for."""

    text: str
    slots: dict[int, str | _Slot]  # str: a glossary term's target form
    terms: list[Match]
    masked_terms: bool

    def restore(self, output: str) -> list[str | _Slot] | None:
        """The output with placeholders replaced, or None unless each occurs exactly once."""
        ours = [m for m in _PLACEHOLDER.finditer(output) if int(m.group(1)) in self.slots]
        counts = Counter(int(m.group(1)) for m in ours)
        if set(counts) != set(self.slots) or any(c != 1 for c in counts.values()):
            return None
        pieces: list[str | _Slot] = []
        pos = 0
        for m in ours:
            pieces.append(output[pos : m.start()])
            pieces.append(self.slots[int(m.group(1))])
            pos = m.end()
        pieces.append(output[pos:])
        return _merge_text(pieces)


def build_request(sent: _Sent, terms: GlossaryPair | None, mask_terms: bool) -> _Request:
    """The model's input for ``sent``: slots (and, when masking, the glossary ``terms``
    found in its text) as ``[n]``, numbered past any ``[n]`` the text already has."""
    used = {int(m.group(1)) for p in sent.text_pieces for m in _PLACEHOLDER.finditer(p)}
    number = max(used, default=0) + 1
    text, slots, found_terms = [], {}, []
    for piece in sent.pieces:
        if isinstance(piece, _Slot):
            text.append(f"[{number}]")
            slots[number], number = piece, number + 1
            continue
        found = terms.find(piece) if terms else []
        found_terms.extend(found)
        pos = 0
        for m in found if mask_terms else []:
            text.append(piece[pos : m.start] + f"[{number}]")
            slots[number], number = terms.target(m.term), number + 1
            pos = m.end
        text.append(piece[pos:])
    return _Request("".join(text), slots, found_terms, mask_terms and bool(found_terms))
