"""The sentence pair record that flows between the store, the formats, filters and evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class PairRecord:
    """One aligned pair (a bead's text on both sides) with its provenance.

    ``src_ids``/``tgt_ids`` are 0-based sentence indexes in the document (empty for
    imported pairs that have no document segmentation of their own).
    """

    src: str
    tgt: str
    src_lang: str
    tgt_lang: str
    doc_key: str | None = None
    date: str | None = None
    src_origin: str = "unknown"
    tgt_origin: str = "unknown"
    score: float | None = None
    method: str | None = None
    src_ids: tuple[int, ...] = field(default_factory=tuple)
    tgt_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def bead_type(self) -> str:
        """``1-1``, ``2-1``, ... (counted from the ids; ``1-1`` for imported pairs)."""
        if not self.src_ids and not self.tgt_ids:
            return "1-1"
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"

    def swapped(self) -> PairRecord:
        """The same pair seen from the other side (for ru-en when the store holds en-ru)."""
        return PairRecord(
            src=self.tgt, tgt=self.src, src_lang=self.tgt_lang, tgt_lang=self.src_lang,
            doc_key=self.doc_key, date=self.date, src_origin=self.tgt_origin,
            tgt_origin=self.src_origin, score=self.score, method=self.method,
            src_ids=self.tgt_ids, tgt_ids=self.src_ids,
        )  # fmt: skip
