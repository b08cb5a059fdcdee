"""The Engine: one loaded translation model for one direction, whatever the backend.

The pipeline (segmentation, translation memory, batching, glossary, markup) codes against
:class:`Engine` only, so a backend (CTranslate2, transformers) or a model family (Marian,
M2M100, NLLB) can change without touching it. :func:`load_engine` is cached: the same
arguments give the same object, so a :class:`~mt.translate.pipeline.Translator` and the CLI
load each model once per process.

Heavy libraries (torch, transformers, ctranslate2) are imported by the backends, only when a
model is loaded; once a model is converted, the CTranslate2 path imports neither torch nor
transformers (a one-sentence cold start takes about 1 s).

Beyond the protocol, both engines' ``translate_batch`` accept ``min_length``/``max_length``
(output tokens) to fix the output length: benchmarks use it so every contender does the same
work. ``threads=None`` means ``OMP_NUM_THREADS`` if set, else every usable core.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from mt.lang import check_lang
from mt.translate.models import ModelChoice, route

__all__ = ["BACKENDS", "DEVICES", "Engine", "ModelChoice", "clear_cache", "load_engine", "route"]

BACKENDS = ("auto", "ct2", "hf")
DEVICES = ("auto", "cpu", "cuda")


@runtime_checkable
class Engine(Protocol):
    """One model, one direction, one backend and device; translates lists of sentences."""

    model_id: str  # hub id, or the local directory as given
    revision: str | None  # hub commit of the snapshot in use (None for a local directory)
    backend: str  # "ct2" | "hf"
    device: str  # "cpu" | "cuda"
    src_lang: str
    tgt_lang: str
    max_input_tokens: int  # the model's source limit in subwords (512 for Marian)

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        """Source subword counts as the model sees them (special tokens included); fast."""
        ...

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
    ) -> list[str]:
        """Translate sentences (one output per input, same order).

        ``max_length_ratio`` bounds the output at ratio × source subwords (a guard against
        runaway generation); ``max_batch_tokens`` is the budget of source tokens per internal
        batch (None: the backend's default). Inputs longer than ``max_input_tokens`` are the
        caller's to split; an engine never truncates silently (it raises instead).
        """
        ...


_CACHE: dict[tuple, Engine] = {}
_LOCK = threading.Lock()


def load_engine(
    model: str | Path,
    src: str,
    tgt: str,
    *,
    backend: str = "auto",
    device: str = "auto",
    compute_type: str | None = None,
    threads: int | None = None,
) -> Engine:
    """Load (or reuse) the engine for ``model`` translating ``src`` → ``tgt``.

    ``model`` is a hub id (downloaded into the standard Hugging Face cache, or taken from it
    when offline) or a local directory laid out like a hub model. ``backend="auto"`` takes
    CTranslate2 when the model's family converts, else transformers; ``device="auto"`` takes
    CUDA when present. Mistakes (unknown model, wrong direction, CUDA absent, offline and not
    cached) raise :class:`~mt.errors.UserError`.
    """
    from mt.translate.backends import resolve_backend, resolve_device

    src, tgt = check_lang(src), check_lang(tgt)
    dev = resolve_device(device)
    where = _model_key(str(model))
    key = (where, src, tgt, backend, dev, compute_type, threads)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        engine = _build(model, src, tgt, backend, dev, compute_type, threads, resolve_backend)
        _CACHE[key] = engine
        # Also cache under the concrete backend, so "auto" and its resolution share one object.
        _CACHE[(where, src, tgt, engine.backend, dev, compute_type, threads)] = engine
        return engine


def _model_key(model: str) -> tuple[str, str]:
    """A local directory by its absolute path; a hub id together with the cache it is read
    from (tests and users may switch HF_HOME within one process)."""
    from mt.translate.models import hub_cache_dir, is_local

    if is_local(model):
        return ("path", str(Path(model).expanduser().resolve()))
    return (model, str(hub_cache_dir()))


def _build(model, src, tgt, backend, device, compute_type, threads, resolve_backend) -> Engine:
    from mt.translate.models import open_model

    opened = open_model(model, src, tgt)
    chosen = resolve_backend(backend, opened)
    if chosen == "ct2":
        from mt.translate.backends.ct2 import CT2Engine

        return CT2Engine(opened, device=device, compute_type=compute_type, threads=threads)
    from mt.translate.backends.hf import HFEngine

    return HFEngine(opened, device=device, compute_type=compute_type, threads=threads)


def clear_cache() -> None:
    """Forget loaded engines (tests; freeing memory between models in long sessions)."""
    with _LOCK:
        _CACHE.clear()
