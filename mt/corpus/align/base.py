"""What every sentence aligner shares: the bead and the aligner interface with its registry.

A new aligner (MT-assisted Bleualign style, embeddings) is one class with ``name`` and
``align()``, registered with :func:`register`; the CLI and the store only see this interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from mt.registry import Registry


@dataclass(frozen=True, slots=True)
class Bead:
    """A group of consecutive source sentences aligned to consecutive target sentences.

    ``src``/``tgt`` are 0-based sentence indexes over the whole document; one side may be empty
    (an unmatched sentence). Gold read leniently for scoring (``read_beads(lenient=True)``) may
    also hold non-consecutive indexes.

    ``score`` depends on the aligner, ``None`` for gold or imported beads:

    * ``"lexical"`` (the default): a **confidence in [0, 1], higher is better**, roughly the
      probability that the bead is right; filter with a threshold such as 0.5.
    * ``"gale-church"``: a **cost** in nats, ``-log P(type) - log P(length | match)``, **lower
      is better**, unbounded above.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


class Aligner(Protocol):
    """Aligns two documents given as paragraphs of sentences."""

    name: str

    def align(
        self,
        src: Sequence[Sequence[str]],
        tgt: Sequence[Sequence[str]],
        src_lang: str,
        tgt_lang: str,
    ) -> list[Bead]: ...


class SentenceAligner:
    """Base of the aligners that work on flat sentence lists (lexical, embedding,
    mt-assisted): paragraphs are flattened, kept only as anchors, and presplit input (one
    sentence per line, any language) takes the same path without them. Their ``score`` is a
    confidence in [0, 1]; :attr:`scores` says so to filters such as ``--min-score``.
    """

    name: str
    #: What ``Bead.score`` means: "confidence" (higher is better) or "cost" (lower is).
    scores = "confidence"

    def align(
        self,
        src: Sequence[Sequence[str]],
        tgt: Sequence[Sequence[str]],
        src_lang: str,
        tgt_lang: str,
    ) -> list[Bead]:
        """Beads covering every sentence once, in order."""
        flat_s = [s for p in src for s in p]
        flat_t = [t for p in tgt for t in p]
        return self._align(flat_s, flat_t, src_lang, tgt_lang, (src, tgt))

    def align_presplit(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str
    ) -> list[Bead]:
        """Align sentence lists with no paragraph information (any language codes)."""
        return self._align(list(src), list(tgt), src_lang, tgt_lang, None)

    def _align(
        self,
        src: list[str],
        tgt: list[str],
        src_lang: str,
        tgt_lang: str,
        paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None,
    ) -> list[Bead]:
        raise NotImplementedError


def confidence_methods() -> frozenset[str]:
    """Registered aligners whose bead scores are confidences (``--min-score`` applies)."""
    return frozenset(
        name for name, factory in ALIGNERS.items()
        if getattr(factory, "scores", "cost") == "confidence"
    )  # fmt: skip


def _load_aligners() -> None:
    """Import the aligner modules; each registers itself (heavy imports stay inside)."""
    from mt.corpus.align import embedding, galechurch, lexical, mtassisted  # noqa: F401


#: Aligners by name (``--method NAME``): factories that build an aligner.
ALIGNERS: Registry[Callable[[], Aligner]] = Registry("aligner", _load_aligners)
#: Class decorator: ``@register("name")`` makes an aligner available by name.
register = ALIGNERS.register

#: The aligner used when none is named (see :mod:`mt.corpus.align.lexical`).
DEFAULT_METHOD = "lexical"


def get_aligner(name: str = DEFAULT_METHOD) -> Aligner:
    """Instantiate a registered aligner; unknown names are a user error."""
    return ALIGNERS.get(name)()
