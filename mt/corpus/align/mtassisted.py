"""Optional MT-assisted aligner (Bleualign's idea), for users who have translation weights.

``--method mt-assisted``. The source sentences are translated into the target language with
this package's own translation module (:class:`~mt.translate.pipeline.Translator`, the
default model of the pair in ``configs/models.toml``, or the ``model`` argument /
``MT_ALIGN_MT_MODEL`` environment variable: a hub id or a local model directory); then each
translation and each target sentence become vectors of character n-grams (3 to 5 letters
within words, and the words themselves, weighted by inverse document frequency: chrF's
features), so a translation and its reference share most of them. The cosine of those
vectors replaces Bleualign's sentence BLEU, and the same banded bead DP as the embedding
aligner (:func:`~mt.corpus.align.embedding.align_vectors`, :mod:`lexdp`) finds the beads; a
many-sentence side of a bead is the sum of its sentences' vectors, i.e. the n-grams of the
concatenated text.

Only en, az and ru pairs (the directions the translation module has models for); other pairs
are one :class:`~mt.errors.UserError`. A model neither cached nor downloadable is the
translation layer's own one-line error. ``Bead.score`` is a confidence in [0, 1], as for the
lexical aligner.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from mt.corpus.align.base import Bead, SentenceAligner, register
from mt.corpus.align.embedding import VectorConfig, align_vectors
from mt.corpus.align.lexical import check_code

#: Environment variable naming the translation model (a hub id or a local directory).
MODEL_ENV = "MT_ALIGN_MT_MODEL"
LANGS = ("en", "az", "ru")
DIM = 4096
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def check_pair(src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """Normalised codes of an en/az/ru pair; any other pair is a user error."""
    from mt.errors import UserError

    sl, tl = check_code(src_lang), check_code(tgt_lang)
    if sl not in LANGS or tl not in LANGS or sl == tl:
        raise UserError(
            f"mt-assisted aligner translates only between {', '.join(LANGS)} "
            f"(got {sl}-{tl}); use --method lexical or embedding for other pairs"
        )
    return sl, tl


def features(sentence: str) -> list[str]:
    """Lower-cased words and their character 3- to 5-grams (with word boundaries)."""
    out: list[str] = []
    for word in _WORD_RE.findall(sentence.lower()):
        out.append("w:" + word)
        padded = f"<{word}>"
        for k in (3, 4, 5):
            out.extend(padded[i : i + k] for i in range(len(padded) - k + 1))
    return out


def ngram_vectors(
    left: Sequence[str], right: Sequence[str], dim: int = DIM
) -> tuple[np.ndarray, np.ndarray]:
    """Hashed tf-idf vectors of two lists of same-language sentences, in one space."""
    feats = [features(s) for s in (*left, *right)]
    df = Counter(f for fs in feats for f in set(fs))
    total = len(feats)
    out = np.zeros((total, dim))
    for row, fs in enumerate(feats):
        for f, count in Counter(fs).items():
            h = zlib.crc32(f.encode("utf-8"))
            sign = 1.0 if (h >> 31) & 1 else -1.0
            weight = (1.0 + math.log(count)) * math.log((total + 1) / (df[f] + 0.5))
            out[row, h % dim] += sign * weight
    return out[: len(left)], out[len(left) :]


@register("mt-assisted")
class MtAssistedAligner(SentenceAligner):
    """Translate the source side (our own MT), then align translation vs target n-grams."""

    name = "mt-assisted"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        backend: str = "auto",
        device: str = "auto",
        beam: int = 1,
        config: VectorConfig | None = None,
    ) -> None:
        env = os.environ.get(MODEL_ENV, "").strip()
        self.model = str(model) if model is not None else (env or None)
        self.backend, self.device, self.beam = backend, device, beam
        self.config = config

    def translate(self, sentences: Sequence[str], src_lang: str, tgt_lang: str) -> list[str]:
        """The source sentences in the target language (one per sentence, same order)."""
        from mt.errors import UserError
        from mt.translate.pipeline import Translator

        try:
            translator = Translator(
                src_lang, tgt_lang, self.model, backend=self.backend, device=self.device,
                beam=self.beam, tm=False, retry_loops=False,
            )  # fmt: skip
        except UserError as exc:  # the translation layer's line, told how `mt align` chooses
            msg = exc.message.replace("--model PATH", f"{MODEL_ENV}=PATH")
            raise type(exc)(f"mt-assisted aligner: {msg}", exc.path, exc.line) from None
        return translator.translate_sentences(list(sentences))

    def _align(
        self,
        src: list[str],
        tgt: list[str],
        src_lang: str,
        tgt_lang: str,
        paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None,
    ) -> list[Bead]:
        sl, tl = check_pair(src_lang, tgt_lang)
        if not src and not tgt:
            return []
        translated = self.translate(src, sl, tl) if src else []
        u, v = ngram_vectors(translated, tgt)
        return align_vectors(
            u, v, [len(s) for s in src], [len(t) for t in tgt], sl, tl,
            paragraphs=paragraphs, config=self.config,
        )  # fmt: skip
