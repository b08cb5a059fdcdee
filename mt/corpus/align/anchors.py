"""Join neighbouring beads that a rare number or name crosses.

Why: the two sides of a text are split into sentences differently. An OCR'd yearbook breaks
after "Ch ." in "Leiter Ch . Evans" or after "B.M ." in "durch B.M . Abalakow", while the
translation keeps the name in one sentence; a novel's dialogue splits where its translation
runs on. The gold then has one 2-2 (or 3-2, 4-3) bead where the DP, scoring bag-of-words
similarity, prefers two good-looking 1-1s: most of each sentence does translate its partner.
A number or a name settles it. If "Abalakow" or "57" is in the first source sentence but the
second target sentence, and nowhere else in the two beads, no split between them can be
right.

The test is a *balance*: for an anchor key (``n:`` numbers of two digits or more, ``s:`` name
skeletons of four consonants or more, from :mod:`tokens`), both beads count it unequally on
their two sides, and the joined bead counts it equally. Requiring balance, not mere presence,
keeps inflected names ("Lachin" / "Лачинском", different skeletons) and a name repeated in
consecutive sentences from joining beads. Only keys seen at most ``max_df`` times on each side
of the document count: "Levin" or "2024" in every other sentence pair up with the wrong
occurrence too easily.

Dev sets (strict F1, vecalign's scorer), without / with (``max_df`` 5): Text+Berg 0.881 /
0.916, OPUS Books 0.925 / 0.925, TransRead 0.902 / 0.902, ParIce 0.853 / 0.857, the bundle
unchanged. ``max_df`` 3: Text+Berg 0.911; unlimited: OPUS Books 0.922 (common names cross
real boundaries). Text+Berg over six hash layouts (see :mod:`vectors`): 0.899-0.916; with
the 5-1/6-1 beads and the turn cue that came after, 0.891-0.921 (mean 0.909).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from mt.corpus.align.base import Bead
from mt.corpus.align.tokens import SentenceTokens

#: Shortest anchor key, prefix included: numbers of two digits, skeletons of four consonants
#: (three-consonant skeletons of acronyms collide across languages: "ABŞ" and "ОБСЕ").
MIN_KEY = {"n:": 4, "s:": 6}


class _Anchors:
    """Counts of a document's rare anchor keys per sentence group."""

    def __init__(
        self, src: Sequence[SentenceTokens], tgt: Sequence[SentenceTokens], max_df: int
    ) -> None:
        df_s = Counter(k for t in src for k in set(t.keys))
        df_t = Counter(k for t in tgt for k in set(t.keys))
        self.src, self.tgt = src, tgt
        self.keep = {
            k
            for k in df_s.keys() & df_t.keys()
            if len(k) >= MIN_KEY.get(k[:2], 10**6) and df_s[k] <= max_df and df_t[k] <= max_df
        }

    def count(self, side: int, ids: Sequence[int]) -> Counter[str]:
        toks = self.src if side == 0 else self.tgt
        return Counter(k for i in ids for k in toks[i].keys if k in self.keep)

    def crossed(self, a: Bead, b: Bead) -> bool:
        """Some anchor is unbalanced in both beads and balanced in the two together."""
        sa, ta = self.count(0, a.src), self.count(1, a.tgt)
        sb, tb = self.count(0, b.src), self.count(1, b.tgt)
        return any(
            sa[k] != ta[k] and sb[k] != tb[k] and sa[k] + sb[k] == ta[k] + tb[k]
            for k in sa.keys() | ta.keys()
        )


def join_split_anchors(
    beads: Sequence[Bead],
    src: Sequence[SentenceTokens],
    tgt: Sequence[SentenceTokens],
    max_df: int,
    block_starts: Collection[int] = (),
) -> list[Bead]:
    """Join each pair of neighbouring beads (both sides non-empty) that an anchor crosses.

    A joined bead may join its next neighbour too. Beads are not joined across a block start
    (a paragraph anchor, see :mod:`lexical`). The joined bead's confidence is the lower of
    the two.
    """
    anchors = _Anchors(src, tgt, max_df)
    out = list(beads)
    k = 0
    while k < len(out) - 1:
        a, b = out[k], out[k + 1]
        full = a.src and a.tgt and b.src and b.tgt
        if full and b.src[0] not in block_starts and anchors.crossed(a, b):
            score = None if a.score is None or b.score is None else min(a.score, b.score)
            out[k : k + 2] = [Bead(a.src + b.src, a.tgt + b.tgt, score)]
            continue
        k += 1
    return out
