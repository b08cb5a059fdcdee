"""The CTranslate2 backend: the default, for speed and a small memory footprint.

The model is converted once (the only step that needs torch and transformers) into the
user cache, ``<cache>/ct2/<model>/<revision>/<quantization>`` (:func:`ct2_dir_for`), never
into the Hugging Face snapshot, which hub tools (``hf cache scan``/``delete``) manage;
afterwards loading needs only ctranslate2 and sentencepiece, so a one-sentence translation
starts in well under 3 s.
A vocabulary shortlist (``vmap.txt`` in the model directory, CTranslate2's format) is carried
into the conversion and used: it restricts the output layer, the costliest part of decoding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from mt.errors import UserError
from mt.translate.backends import (
    decoding_plan,
    default_threads,
    plan_batches,
)
from mt.translate.backends.hf import quiet_loading
from mt.translate.models import OpenedModel, is_local

CPU_TYPES = ("int8", "int8_float32", "int16", "float32")
CUDA_TYPES = ("float16", "int8_float16", "bfloat16", "int8_bfloat16", "int8", "float32")
MARKER = "mt-conversion.json"  # written last: a directory without it is incomplete
CACHE_ENV = "MT_CACHE"  # the root of mt's cache instead of platformdirs' user cache dir
_STALE_TMP_S = 24 * 3600  # a temporary conversion dir this old belongs to a killed process


def default_compute_type(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


def check_compute_type(compute_type: str, device: str) -> str:
    allowed = CUDA_TYPES if device == "cuda" else CPU_TYPES
    if compute_type not in allowed:
        raise UserError(
            f"compute type {compute_type!r} is not available on {device} with the "
            f"ct2 backend (choose {', '.join(allowed)})"
        )
    return compute_type


class CT2Engine:
    """An :class:`~mt.translate.engine.Engine` on ``ctranslate2.Translator``."""

    backend = "ct2"

    def __init__(
        self,
        opened: OpenedModel,
        *,
        device: str = "cpu",
        compute_type: str | None = None,
        threads: int | None = None,
        inter_threads: int | None = None,
    ):
        import ctranslate2

        self.opened = opened
        self.model_id, self.revision = opened.model_id, opened.revision
        self.device, self.src_lang, self.tgt_lang = device, opened.src, opened.tgt
        self.compute_type = check_compute_type(compute_type or default_compute_type(device), device)
        self.max_input_tokens = opened.family.max_input_tokens(opened.files)
        self.ct2_dir = ensure_converted(
            opened.path,
            self.compute_type,
            model_id=opened.model_id,
            revision=opened.revision,
            family=opened.family.name,
        )
        cores = threads or default_threads()
        self.inter_threads, self.intra_threads = _thread_split(cores, device, inter_threads)
        self.translator = ctranslate2.Translator(
            str(self.ct2_dir),
            device=device,
            compute_type=self.compute_type,
            inter_threads=self.inter_threads,
            intra_threads=self.intra_threads,
        )
        self.use_vmap = (self.ct2_dir / "vmap.txt").is_file()
        self.tokenizer = opened.family.tokenizer(opened.files)
        self._prefix = list(opened.source_prefix)
        self._target_prefix = list(opened.target_prefix)
        self._max_target = int(opened.files.config.get("max_position_embeddings", 512))

    def _encode(self, sentences: Sequence[str]) -> list[list[str]]:
        return [self._prefix + p + ["</s>"] for p in self.tokenizer.encode(sentences)]

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return [len(p) + len(self._prefix) + 1 for p in self.tokenizer.encode(sentences)]

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
        tokens, beyond the protocol) fix the output length for benchmarks.

        Batches are planned here (by token budget, each with its own length cap) and all
        submitted at once, so that with ``inter_threads`` > 1 CTranslate2's workers run
        them in parallel.
        """
        if not sentences:
            return []
        tokens = self._encode(sentences)
        caps, budget = decoding_plan(
            tokens,
            prefix=len(self._prefix),
            reserved=len(self._target_prefix),
            max_target=self._max_target,
            max_input=self.max_input_tokens,
            model_id=self.model_id,
            device=self.device,
            max_length_ratio=max_length_ratio,
            max_length=max_length,
            max_batch_tokens=max_batch_tokens,
        )
        options = dict(
            beam_size=beam_size,
            length_penalty=length_penalty,
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=no_repeat_ngram_size,
            return_scores=False,
            use_vmap=self.use_vmap,
            asynchronous=True,
        )
        batches = plan_batches([len(t) for t in tokens], budget)
        pending = [
            self._submit([tokens[i] for i in b], max(caps[i] for i in b), min_length, options)
            for b in batches
        ]
        out: list[str] = [""] * len(tokens)
        skip = len(self._target_prefix)
        for batch, results in zip(batches, pending, strict=True):
            for i, res in zip(batch, results, strict=True):
                hyp = res.result().hypotheses[0][skip:]
                out[i] = self.tokenizer.decode(hyp[: caps[i]])
        return out

    def _submit(self, batch: list[list[str]], cap: int, min_length: int, options: dict):
        prefix = [self._target_prefix] * len(batch) if self._target_prefix else None
        n = len(self._target_prefix)
        return self.translator.translate_batch(
            batch,
            target_prefix=prefix,
            max_decoding_length=cap + n,
            min_decoding_length=min_length + n if min_length else 0,
            max_batch_size=0,
            **options,
        )


def _thread_split(cores: int, device: str, inter: int | None) -> tuple[int, int]:
    """(inter_threads, intra_threads): on CPU by default one single-threaded worker per core.

    Measured on opus-mt-en-ru's shape (int8, greedy, 2 cores): two workers of one thread
    decode ~4,600 tok/s, one worker of two threads ~950 (OpenMP synchronization dominates
    the small matrix products of a 512-wide model). The pipeline therefore sends several
    batches per call, which :meth:`Ct2Engine.translate_batch` submits asynchronously so
    that every worker is busy. On CUDA one worker feeds the GPU.
    """
    if device == "cuda":
        return inter or 1, min(cores, 4)
    inter = inter or cores
    return inter, max(1, cores // inter)


# ---------------------------------------------------------------------------- conversion


def cache_root() -> Path:
    """mt's cache: ``$MT_CACHE``, else the platform's user cache dir (``~/.cache/mt``)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(os.path.expandvars(env)).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("mt")


def ct2_root() -> Path:
    return cache_root() / "ct2"


def _safe_name(text: str) -> str:
    """A single, portable path component: ``org/name`` → ``org--name`` (as the hub cache
    writes it), other characters outside ``[A-Za-z0-9._-]`` → ``_``, no leading dot."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", text.strip().replace("/", "--").replace("\\", "--"))
    name = name.lstrip(".") or "_"
    return name[:120]


def local_fingerprint(model_dir: Path) -> str:
    """A key for a local model directory: its absolute path and the name, size and mtime of
    each file in it, so replacing the weights (or adding a vmap.txt) converts afresh."""
    path = Path(model_dir).expanduser().resolve()
    digest = hashlib.sha256(str(path).encode())
    for entry in sorted(path.iterdir(), key=lambda p: p.name) if path.is_dir() else ():
        if entry.is_file():
            stat = entry.stat()
            digest.update(f"\0{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def ct2_dir_for(
    model_dir: Path,
    quantization: str,
    *,
    model_id: str | None = None,
    revision: str | None = None,
) -> Path:
    """Where the conversion of a model lives: ``<ct2 root>/<model>/<revision>/<quant>``.

    A hub model is keyed by its id (``Helsinki-NLP--opus-mt-en-ru``) and snapshot commit;
    a local directory (or a call without a revision) by its name and ``local-<hash>`` of its
    path and files (:func:`local_fingerprint`).
    """
    return _versions_dir(model_dir, model_id, revision) / _safe_name(quantization)


def _versions_dir(model_dir: Path, model_id: str | None, revision: str | None) -> Path:
    hub = model_id is not None and not is_local(model_id)
    name = _safe_name(model_id if hub else Path(model_dir).expanduser().resolve().name)
    if hub and revision:
        return ct2_root() / name / _safe_name(revision)
    return ct2_root() / name / ("local-" + local_fingerprint(model_dir))


def conversions(
    model_dir: Path, *, model_id: str | None = None, revision: str | None = None
) -> list[str]:
    """The quantizations already converted for this model (``["float16", "int8"]``)."""
    found = _versions_dir(model_dir, model_id, revision)
    if not found.is_dir():
        return []
    return sorted(p.name for p in found.iterdir() if not p.name.startswith(".") and is_converted(p))


def is_converted(path: Path) -> bool:
    return (path / MARKER).is_file() and (path / "model.bin").is_file()


def ensure_converted(
    model_dir: Path,
    quantization: str,
    *,
    model_id: str | None = None,
    revision: str | None = None,
    family: str | None = None,
) -> Path:
    """The converted model, converting it first if needed.

    Converted once, and safe against a concurrent conversion (another process, another
    thread): each converter writes its own temporary directory beside the target and renames
    it into place; whoever renames second finds the target there and discards its own copy.
    An old conversion inside a model directory (``<model dir>/ct2-int8``, before the cache
    moved) is ignored.
    """
    target = ct2_dir_for(model_dir, quantization, model_id=model_id, revision=revision)
    if is_converted(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _convert(model_dir, tmp / "model", quantization, model_id or str(model_dir))
        marker = {
            "model": model_id,
            "revision": revision,
            "quantization": quantization,
            "family": family,
            "source": str(Path(model_dir).expanduser().resolve()),
        }
        (tmp / "model" / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        _publish(tmp / "model", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _publish(built: Path, target: Path) -> None:
    """Rename a finished conversion into place; if another converter got there first with a
    complete one, keep theirs (ours is removed with the temporary directory)."""
    if is_converted(target):
        return
    if target.exists() and not is_converted(target):
        # Damaged (a rename into place only ever brings a complete one): move it aside
        # atomically, then delete it, so no reader sees it half-removed.
        junk = target.parent / f".{target.name}-damaged-{os.getpid()}"
        with contextlib.suppress(OSError):
            os.rename(target, junk)
        shutil.rmtree(junk, ignore_errors=True)
    try:
        os.rename(built, target)
    except OSError:
        if not is_converted(target):  # not simply another converter winning the race
            raise


def _sweep_stale(target: Path) -> None:
    """Remove temporary conversions of ``target`` left by killed processes (a day old)."""
    cutoff = time.time() - _STALE_TMP_S
    for tmp in target.parent.glob(f".{target.name}-*"):
        try:
            if tmp.stat().st_mtime < cutoff:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue


def _register_loaders() -> None:
    """Our loaders for config classes whose stock CTranslate2 loader misreads transformers 5.

    M2M100/NLLB: the stock loader lists the vocabulary from ``get_vocab()`` plus
    ``special_tokens_map["additional_special_tokens"]``, which transformers 5 no longer
    fills, so the 100 language tokens go missing and the sizes disagree. Listing tokens by
    id up to the model's vocabulary size is right for every version.
    """
    from ctranslate2.converters import transformers as conv

    if getattr(conv, "_mt_registered", False):
        return

    @conv.register_loader("M2M100Config")
    class M2M100Loader(conv.M2M100Loader):
        def get_vocabulary(self, model, tokenizer):
            return vocabulary_by_id(tokenizer, model.config.vocab_size)

    conv._mt_registered = True


def vocabulary_by_id(tokenizer, size: int) -> list[str]:
    """Token of each id below ``size``; ids the tokenizer lacks get fairseq's filler names."""
    tokens, seen = [], set()
    for i, token in enumerate(tokenizer.convert_ids_to_tokens(list(range(size)))):
        if token is None or token in seen:
            token = f"madeupword{i:04d}"
        seen.add(token)
        tokens.append(token)
    return tokens


def _convert(model_dir: Path, out: Path, quantization: str, model_id: str) -> None:
    """Run CTranslate2's transformers converter offline on the local files."""
    from ctranslate2.converters import TransformersConverter

    _register_loaders()
    vmap = model_dir / "vmap.txt"
    try:
        with quiet_loading():
            TransformersConverter(str(model_dir), low_cpu_mem_usage=True).convert(
                str(out),
                vmap=str(vmap) if vmap.is_file() else None,
                quantization=quantization,
                force=True,
            )
    except (ValueError, NotImplementedError, OSError) as exc:
        raise UserError(
            f"cannot convert {model_id} to CTranslate2 ({exc}); use --backend hf"
        ) from None
