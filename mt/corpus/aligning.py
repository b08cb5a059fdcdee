"""``mt corpus align``: run an aligner over every document of the store.

The aligner sees the paragraphs as stored (so paragraph anchors work) and its beads are saved
with their scores under the aligner's name, in one transaction per command.
"""

from __future__ import annotations

from collections.abc import Sequence

from mt.corpus.align.base import get_aligner
from mt.corpus.store import Store
from mt.lang import canonical_pair


def align_store(
    store: Store, pairs: Sequence[tuple[str, str]], *, method: str = "gale-church",
    force: bool = False,
) -> dict[tuple[str, str], tuple[int, int]]:  # fmt: skip
    """Align each document's main renderings for each pair; returns (aligned, skipped)."""
    aligner = get_aligner(method)
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    with store.transaction():
        for src, tgt in pairs:
            (a, b), _ = canonical_pair(src, tgt)
            aligned = skipped = 0
            for _doc, src_rid, tgt_rid in store.alignment_candidates(a, b):
                if not force and _has_alignment(store, src_rid, tgt_rid, method):
                    skipped += 1
                    continue
                beads = aligner.align(store.paragraphs(src_rid), store.paragraphs(tgt_rid), a, b)
                store.save_alignment(src_rid, tgt_rid, method, beads)
                aligned += 1
            counts[(a, b)] = (aligned, skipped)
    return counts


def _has_alignment(store: Store, src_rid: int, tgt_rid: int, method: str) -> bool:
    """Already aligned by this method, or imported as pairs (nothing to align there)."""
    row = store.conn.execute(
        "SELECT 1 FROM alignments WHERE src_rendering_id = ? AND tgt_rendering_id = ?"
        " AND method IN (?, 'import')",
        (src_rid, tgt_rid, method),
    ).fetchone()
    return row is not None
