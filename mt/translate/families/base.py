"""The family adapter interface, the registry, and a light sentencepiece tokenizer.

The light tokenizer exists so that the CTranslate2 backend never imports transformers (nor,
through it, torch): loading those costs seconds, more than translating a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mt.errors import UserError
from mt.registry import Registry

if TYPE_CHECKING:
    from mt.translate.models import ModelFiles, ModelInfo

#: Families by the name models.toml uses, in detection order (most specific first).
FAMILIES: Registry[Family] = Registry("model family")


def register(cls: type[Family]) -> type[Family]:
    """Class decorator: add one instance of the family under its ``name``."""
    FAMILIES.add(cls.name, cls())
    return cls


class SpTokenizer:
    """Source pieces from one sentencepiece model, text back from another (Marian has two)."""

    def __init__(self, source: Path, target: Path, special: frozenset[str]):
        import sentencepiece as spm

        self._src = spm.SentencePieceProcessor(model_file=str(source))
        self._tgt = (
            self._src if target == source else spm.SentencePieceProcessor(model_file=str(target))
        )
        self._special = special

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Subword pieces of each text (no special tokens)."""
        return self._src.encode(list(texts), out_type=str)

    def decode(self, pieces: Sequence[str]) -> str:
        """Text of generated pieces, special tokens (eos, unk, language codes) dropped.

        Pieces the target model lacks (Marian's vocabulary is shared with the source side)
        come back verbatim from sentencepiece, so their word-boundary marks are made spaces,
        as transformers' tokenizers do.
        """
        text = self._tgt.decode_pieces([p for p in pieces if not self.is_special(p)])
        return text.replace("\u2581", " ").strip()

    def is_special(self, piece: str) -> bool:
        return piece in self._special or is_control_token(piece)


def is_control_token(piece: str) -> bool:
    """Tokens that are never text: language codes of the three families (``>>rus<<``,
    ``__ru__``, ``rus_Cyrl``) and fairseq's filler entries (``madeupword0003``).

    Both backends drop them when decoding (transformers 5 no longer counts M2M100's
    language tokens as special), so a model that emits one gives the same text in both.
    """
    if piece.startswith("madeupword") and piece[10:].isdigit():
        return True
    if piece.startswith(">>") and piece.endswith("<<"):
        return True
    if len(piece) > 4 and piece.startswith("__") and piece.endswith("__"):
        return True
    return len(piece) == 8 and piece[3] == "_" and piece[:3].islower() and piece[4:].istitle()


class Family:
    """How one model family is recognised, steered and tokenized. Subclass and @register."""

    name: ClassVar[str]
    model_types: ClassVar[tuple[str, ...]]
    converts_to_ct2: ClassVar[bool] = True
    special_tokens: ClassVar[frozenset[str]] = frozenset({"<s>", "</s>", "<pad>", "<unk>"})

    def matches(self, files: ModelFiles) -> bool:
        """Whether a model directory belongs to this family (config.json's model_type)."""
        return files.config.get("model_type") in self.model_types

    def steering(self, src: str, tgt: str, info: ModelInfo | None) -> tuple[str | None, str | None]:
        """(source prefix token, forced first target token), from the catalog alone."""
        return None, None

    def prefixes(
        self, files: ModelFiles, src: str, tgt: str, info: ModelInfo | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Tokens before the source and forced at the start of the target, for this model."""
        return (), ()

    def check_direction(self, files: ModelFiles, model_id: str, src: str, tgt: str) -> None:
        """Raise a UserError when the model cannot translate ``src`` → ``tgt``."""

    def max_input_tokens(self, files: ModelFiles) -> int:
        return int(files.config.get("max_position_embeddings", 512))

    def spm_files(self, files: ModelFiles) -> tuple[Path, Path]:
        """(source, target) sentencepiece models."""
        raise NotImplementedError

    def tokenizer(self, files: ModelFiles) -> SpTokenizer:
        src, tgt = self.spm_files(files)
        for path in (src, tgt):
            if not path.is_file():
                raise UserError(
                    f"{self.name} model lacks its tokenizer file {path.name}", path=files.path
                )
        return SpTokenizer(src, tgt, self.special_tokens)


def wrong_direction(model_id: str, src: str, tgt: str, serves: str) -> UserError:
    return UserError(
        f"model {model_id} translates {serves}, not {src}-{tgt}; "
        "choose another with --model (see `mt models list`)"
    )
