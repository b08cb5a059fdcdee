"""``mt corpus align``: run an aligner over every document of the store.

The aligner sees the paragraphs as stored (so paragraph anchors work). Beads are computed
first, with no lock held (aligning is the slow part), and then saved with their scores under
the aligner's name in one short write transaction; a rendering that another process replaced
in the meantime is skipped rather than given beads that no longer fit it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mt.corpus.align.base import DEFAULT_METHOD, Bead, get_aligner
from mt.corpus.store import Store
from mt.lang import canonical_pair


def align_store(
    store: Store, pairs: Sequence[tuple[str, str]], *, method: str = DEFAULT_METHOD,
    force: bool = False, progress: Callable[[int, int], None] | None = None,
) -> dict[tuple[str, str], tuple[int, int]]:  # fmt: skip
    """Align each document's main renderings for each pair; returns (aligned, skipped).

    ``progress(done, total)`` is called after each document of each pair."""
    aligner = get_aligner(method)
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    todo: list[tuple[int, int, list[Bead]]] = []
    work = []
    for src, tgt in pairs:
        (a, b), _ = canonical_pair(src, tgt)
        work.append(((a, b), list(store.alignment_candidates(a, b))))
    total, done = sum(len(cands) for _, cands in work), 0
    for (a, b), candidates in work:
        aligned = skipped = 0
        for _doc, src_rid, tgt_rid in candidates:
            if progress is not None:
                progress(done, total)
            done += 1
            # Already aligned by this method, or imported as pairs (nothing to align there).
            if not force and store.has_alignment(src_rid, tgt_rid, (method, "import")):
                skipped += 1
                continue
            beads = aligner.align(store.paragraphs(src_rid), store.paragraphs(tgt_rid), a, b)
            todo.append((src_rid, tgt_rid, beads))
            aligned += 1
        counts[(a, b)] = (aligned, skipped)
    if progress is not None:
        progress(done, total)
    with store.transaction():
        for src_rid, tgt_rid, beads in todo:
            if store.rendering_exists(src_rid) and store.rendering_exists(tgt_rid):
                store.save_alignment(src_rid, tgt_rid, method, beads)
    return counts
