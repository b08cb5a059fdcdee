"""The transformers (PyTorch) backend: every family transformers knows, on CPU or CUDA.

It is the reference implementation (the official tokenizer and ``generate``) and the
fallback for models CTranslate2 cannot convert; the CT2 backend must match it token for
token in float32 greedy decoding.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mt.errors import UserError
from mt.translate.backends import (
    decoding_plan,
    default_threads,
    plan_batches,
)
from mt.translate.families.base import is_control_token
from mt.translate.models import OpenedModel

_DTYPES = {
    "float32": "float32",
    "float16": "float16",
    "fp16": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


class HFEngine:
    """An :class:`~mt.translate.engine.Engine` on transformers' ``generate``."""

    backend = "hf"

    def __init__(
        self,
        opened: OpenedModel,
        *,
        device: str = "cpu",
        compute_type: str | None = None,
        threads: int | None = None,
    ):
        import torch

        if device == "cuda" and not torch.cuda.is_available():
            raise UserError("--device cuda was asked for, but PyTorch sees no CUDA device")
        if device == "cpu":
            torch.set_num_threads(threads or default_threads())
        self.opened = opened
        self.model_id, self.revision = opened.model_id, opened.revision
        self.device, self.src_lang, self.tgt_lang = device, opened.src, opened.tgt
        self.compute_type = _dtype_name(compute_type, device)
        self.max_input_tokens = opened.family.max_input_tokens(opened.files)
        self._torch = torch
        self.tokenizer, self.model = _load(opened.path, getattr(torch, self.compute_type))
        self.model.to(device)
        self._special = set(self.tokenizer.all_special_tokens)
        self._prefix = [self._token_id(t) for t in opened.source_prefix]
        self._forced = [self._token_id(t) for t in opened.target_prefix]
        self._eos = self.tokenizer.eos_token_id
        self._pad = (
            self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self._eos
        )
        self._max_target = int(getattr(self.model.config, "max_position_embeddings", 512))
        _plain_generation_config(self.model.generation_config)

    def _token_id(self, token: str) -> int:
        tid = self.tokenizer.convert_tokens_to_ids(token)
        if tid is None or tid == self.tokenizer.unk_token_id:
            raise UserError(f"model {self.model_id} has no token {token}")
        return tid

    def _encode(self, sentences: Sequence[str]) -> list[list[int]]:
        """Token ids as the model was trained on: [prefix] pieces </s>."""
        texts = [s.strip() for s in sentences]  # as sentencepiece does on the CT2 path
        pieces = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [self._prefix + ids + [self._eos] for ids in pieces]

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self._encode(sentences)]

    def translate_batch(
        self,
        sentences: Sequence[str],
        *,
        beam_size: int = 4,
        length_penalty: float = 1.0,
        max_length_ratio: float = 3.0,
        repetition_penalty: float = 1.0,
        no_repeat_ngram_size: int = 0,
        max_batch_tokens: int | None = None,
        min_length: int = 0,
        max_length: int | None = None,
    ) -> list[str]:
        """See :class:`~mt.translate.engine.Engine`. ``min_length``/``max_length`` (output
        tokens, beyond the protocol) fix the output length for benchmarks."""
        if not sentences:
            return []
        encoded = self._encode(sentences)
        caps, budget = decoding_plan(
            encoded,
            prefix=len(self._prefix),
            reserved=len(self._forced),
            max_target=self._max_target,
            max_input=self.max_input_tokens,
            model_id=self.model_id,
            device=self.device,
            max_length_ratio=max_length_ratio,
            max_length=max_length,
            max_batch_tokens=max_batch_tokens,
        )
        options = dict(
            num_beams=beam_size,
            length_penalty=length_penalty,
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=no_repeat_ngram_size,
            do_sample=False,
        )
        out: list[str] = [""] * len(encoded)
        for batch in plan_batches([len(e) for e in encoded], budget):
            ids = self._generate(
                [encoded[i] for i in batch], max(caps[i] for i in batch), min_length, options
            )
            for i, seq in zip(batch, ids, strict=True):
                out[i] = self._decode(seq[: caps[i]])
        return out

    def _generate(
        self, batch: list[list[int]], cap: int, min_length: int, options: dict
    ) -> list[list[int]]:
        """Generated token ids per sentence, without start, forced prefix and padding."""
        torch = self._torch
        width = max(len(e) for e in batch)
        input_ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        kwargs = dict(options, max_new_tokens=cap + len(self._forced))
        if min_length:
            kwargs["min_new_tokens"] = min_length + len(self._forced)
        if self._forced:
            kwargs["forced_bos_token_id"] = self._forced[0]
        with torch.inference_mode():
            seqs = self.model.generate(
                input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device), **kwargs
            )
        skip = 1 + len(self._forced)  # decoder start token, then the forced language code
        return [_until_eos(seq[skip:].tolist(), self._eos, self._pad) for seq in seqs]

    def _decode(self, ids: list[int]) -> str:
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        ids = [
            i
            for i, t in zip(ids, tokens, strict=True)
            if t and t not in self._special and not is_control_token(t)
        ]
        return self.tokenizer.decode(
            ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
        ).strip()


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Load without noise on stderr: no per-tensor progress bar (the CLI has its own), and
    no MarianTokenizer advice to install sacremoses, which it never uses for tokenizing."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses")
            yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _load(path: Path, dtype) -> tuple:
    """The official tokenizer and the model in inference mode (eval: no dropout)."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    with quiet_loading():
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForSeq2SeqLM.from_pretrained(str(path), dtype=dtype).eval()
    return tokenizer, model


def _plain_generation_config(config) -> None:
    """Drop from the model's own generation config what would make the backends differ:
    Marian's forced EOS at the length limit (CTranslate2 stops without one) and a fixed
    max_length (we bound length per batch, relative to the source). Changed in place:
    transformers 5 fills unset call arguments from it, so a modified copy would not do."""
    config.forced_eos_token_id = None
    config.max_length = None


def _until_eos(ids: list[int], eos: int, pad: int) -> list[int]:
    for n, tid in enumerate(ids):
        if tid in (eos, pad):
            return ids[:n]
    return ids


def _dtype_name(compute_type: str | None, device: str) -> str:
    """float32 on CPU (fp16 matmuls are slow there); float16 on CUDA unless told."""
    if compute_type is None:
        return "float16" if device == "cuda" else "float32"
    name = _DTYPES.get(compute_type.lower())
    if name is None:
        raise UserError(
            f"compute type {compute_type!r} is not available with the hf backend "
            f"(choose {', '.join(sorted(set(_DTYPES.values())))})"
        )
    if device == "cpu" and name == "float16":
        raise UserError(
            "float16 is not supported on CPU by the hf backend (use float32 or bfloat16)"
        )
    return name
