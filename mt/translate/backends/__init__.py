"""Backends run a model: CTranslate2 (``ct2.py``) and transformers/PyTorch (``hf.py``).

This module holds what both share: choosing the device and backend, the machine's cores,
token-budget batching and the output-length guard, so both decode the same way.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mt.errors import UserError
from mt.translate.batching import DEFAULT_BATCH_TOKENS, batch_budget, make_batches  # noqa: F401

if TYPE_CHECKING:
    from mt.translate.models import OpenedModel

# The backends cut their batches with the pipeline's one batching function (an alias kept
# for callers of the old name).
plan_batches = make_batches


def cpu_count() -> int:
    """Cores this process may use (cgroup/affinity aware), not the host's total."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """Threads for one engine: ``OMP_NUM_THREADS`` when set (the usual knob, and the way
    to avoid oversubscribing a shared machine: spinning OpenMP barriers with more threads
    than free cores make small models tens of times slower), else every usable core."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return cpu_count()


def cuda_available() -> bool:
    """Whether a CUDA device is usable; asks CTranslate2 (a 50 ms import) rather than torch
    (seconds) when it is installed, so ``device="auto"`` costs nothing on the CT2 path."""
    try:
        import ctranslate2
    except ImportError:
        import torch

        return torch.cuda.is_available()
    try:
        return ctranslate2.get_cuda_device_count() > 0
    except RuntimeError:
        return False


def resolve_device(device: str) -> str:
    """``auto`` → cuda when present, else cpu; ``cuda`` without a GPU is a UserError."""
    device = (device or "auto").lower()
    if device not in ("auto", "cpu", "cuda"):
        raise UserError(f"unknown device {device!r} (choose auto, cpu or cuda)")
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        raise UserError(
            "--device cuda was asked for, but no CUDA device is available "
            "(use --device cpu or auto)"
        )
    return device


def ct2_installed() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(backend: str, opened: OpenedModel) -> str:
    """``auto`` → ct2 when the family converts and CTranslate2 is installed, else hf."""
    backend = (backend or "auto").lower()
    if backend not in ("auto", "ct2", "hf"):
        raise UserError(f"unknown backend {backend!r} (choose auto, ct2 or hf)")
    convertible = opened.family.converts_to_ct2
    if backend == "auto":
        return "ct2" if convertible and ct2_installed() else "hf"
    if backend == "ct2" and not convertible:
        raise UserError(
            f"{opened.family.name} models cannot be converted to CTranslate2; use --backend hf"
        )
    if backend == "ct2" and not ct2_installed():
        raise UserError("the ct2 backend needs the ctranslate2 package (pip install ctranslate2)")
    return backend


def length_cap(n_source: int, ratio: float, limit: int) -> int:
    """Most output tokens for a source of ``n_source`` subwords: ratio × n plus a little
    slack (a one-word heading may need a few more words), within the model's position limit."""
    return max(1, min(limit, math.ceil(ratio * n_source) + 4))


def output_caps(
    source_lengths: Sequence[int], ratio: float, limit: int, fixed: int | None = None
) -> list[int]:
    """Per sentence the most output tokens: ``fixed`` when given (benchmarks fix the output
    length), else :func:`length_cap` of its source length (special tokens excluded)."""
    return [fixed or length_cap(n, ratio, limit) for n in source_lengths]


def decoding_plan(
    encoded: Sequence[Sequence[object]],
    *,
    prefix: int,
    reserved: int,
    max_target: int,
    max_input: int,
    model_id: str,
    device: str,
    max_length_ratio: float,
    max_length: int | None,
    max_batch_tokens: int | None,
) -> tuple[list[int], int]:
    """What both backends decide before decoding, in one place so they decode alike: refuse
    over-long sources, cap each output (ratio × source content, within the model's limit
    less ``reserved`` forced target tokens), and pick the token budget per batch.

    ``encoded`` holds each source with ``prefix`` leading special tokens and a final EOS.
    """
    check_lengths([len(e) for e in encoded], max_input, model_id)
    content = [len(e) - prefix - 1 for e in encoded]
    caps = output_caps(content, max_length_ratio, max_target - 1 - reserved, max_length)
    return caps, batch_budget(device, max_batch_tokens)


def check_lengths(lengths: Sequence[int], limit: int, model_id: str) -> None:
    """An over-long source would be truncated by the model: refuse instead, loudly."""
    for i, n in enumerate(lengths):
        if n > limit:
            raise UserError(
                f"sentence {i + 1} has {n} subword tokens, more than the {limit} "
                f"that {model_id} accepts; split it first"
            )
