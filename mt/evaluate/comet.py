"""COMET, the optional neural metric (``pip install 'mt[comet]'``, i.e. unbabel-comet).

Why optional: COMET needs PyTorch Lightning and a 2+ GB checkpoint (XLM-R large) from the
Hugging Face hub. A run must never fail or print a traceback because of it: when the package
is missing, downloads are off (``HF_HUB_OFFLINE=1``) or the network is down, the run goes on
with the sacrebleu metrics and every report carries one line, ``COMET unavailable: <reason>``.

We fetch the checkpoint with ``huggingface_hub`` ourselves instead of ``comet.download_model``
because the latter falls back to a legacy URL download that can hang on a machine without
network; ours asks the local cache only when offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mt.evaluate.significance import estimate_ci, p_value

INSTALL_HINT = "pip install 'mt[comet]'"


class CometUnavailable(Exception):
    """COMET cannot be used here; the message is the reason shown in reports."""


def _offline() -> bool:
    flag = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    return flag in ("1", "true", "yes", "on")


def checkpoint_path(model: str) -> Path:
    """The ``model.ckpt`` of a local checkpoint or of a hub model (cache first)."""
    local = Path(model).expanduser()
    if local.is_file():
        return local
    if local.is_dir():
        return local / "checkpoints" / "model.ckpt"
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - comes with transformers
        raise CometUnavailable("huggingface_hub is not installed") from None
    try:
        folder = snapshot_download(repo_id=model, local_files_only=_offline())
    except Exception as exc:  # noqa: BLE001 - offline, no network, gated, unknown: all "why"
        if _offline():
            raise CometUnavailable(
                f"model {model} is not in the local cache and downloads are off "
                "(HF_HUB_OFFLINE is set)") from None  # fmt: skip
        raise CometUnavailable(f"cannot download {model}: {_short(exc)}") from None
    return Path(folder) / "checkpoints" / "model.ckpt"


def load_model(model: str) -> Any:
    """Import unbabel-comet and load ``model``; :class:`CometUnavailable` says why not."""
    try:
        import comet
    except ImportError:
        raise CometUnavailable(f"unbabel-comet is not installed ({INSTALL_HINT})") from None
    except Exception as exc:  # noqa: BLE001 - a broken install (e.g. lightning mismatch)
        raise CometUnavailable(f"unbabel-comet cannot be imported: {_short(exc)}") from None
    path = checkpoint_path(model)
    if not path.is_file():
        raise CometUnavailable(f"no COMET checkpoint at {path}")
    try:
        return comet.load_from_checkpoint(str(path))
    except Exception as exc:  # noqa: BLE001 - e.g. XLM-R files not cached while offline
        raise CometUnavailable(f"cannot load {model}: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    """One line of an exception (library messages can run to pages)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(exc).__name__}: {text}"[:300]


def predict(model: Any, srcs: Sequence[str], hyps: Sequence[str], refs: Sequence[str],
            batch_size: int = 16) -> list[float]:  # fmt: skip
    """Segment scores (0–1, higher is better) on the GPU when there is one."""
    gpus = 0
    try:
        import torch

        gpus = 1 if torch.cuda.is_available() else 0
    except ImportError:  # pragma: no cover - comet depends on torch
        pass
    samples = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(srcs, hyps, refs, strict=True)]
    out = model.predict(samples, batch_size=batch_size, gpus=gpus, progress_bar=False)
    return [float(x) for x in out.scores]


def bootstrap(segment_scores: Sequence[np.ndarray], n_samples: int,
              seed: int | None) -> list[dict[str, float | None]]:  # fmt: skip
    """CIs of the mean per system and paired-bootstrap p-values against the first.

    COMET's corpus score is the mean of its segment scores, so a resample's score is the mean
    of resampled segments; the p-value rule is the one sacrebleu uses for BLEU.
    """
    mat = np.vstack([np.asarray(s, dtype=float) for s in segment_scores])  # (systems, n)
    n = mat.shape[1]
    rng = np.random.default_rng(seed)
    idx = rng.choice(n, size=(n_samples, n), replace=True)
    samples = mat[:, idx].mean(axis=2)  # (systems, n_samples)
    out: list[dict[str, float | None]] = []
    real = mat.mean(axis=1)
    for s in range(mat.shape[0]):
        mean, ci, low, high = estimate_ci(samples[s])
        p = None
        if s:
            diffs = np.abs(samples[s] - samples[0])
            p = p_value(diffs - diffs.mean(), abs(real[s] - real[0]))
        out.append({"mean": mean, "ci": ci, "ci_low": low, "ci_high": high, "p_value": p})
    return out


class CometScorer:
    """Loads the model on first use (once per run) and adds COMET to scored systems.

    ``note`` receives the one-line unavailability message, once.
    """

    def __init__(self, model: str, note: Callable[[str], Any] | None = None):
        self.model_name = model
        self.note = note or (lambda message: None)
        self._model: Any = None
        self.unavailable: str | None = None

    def available(self) -> bool:
        if self._model is None and self.unavailable is None:
            try:
                self._model = load_model(self.model_name)
            except CometUnavailable as exc:
                self.unavailable = f"COMET unavailable: {exc}"
                self.note(self.unavailable)
        return self._model is not None

    def signature(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("unbabel-comet")
        except PackageNotFoundError:
            v = "?"
        return f"comet:{self.model_name}|version:{v}"

    def add_scores(self, test: Any, outputs: Sequence[Any], result: dict[str, Any],
                   recipe: Any) -> None:  # fmt: skip
        """Add a ``comet`` corpus entry and per-document means to each system's scores."""
        if not outputs or not self.available():
            return
        try:
            seg = [np.array(predict(self._model, test.srcs, o.hyps, test.refs)) for o in outputs]
        except Exception as exc:  # noqa: BLE001 - e.g. out of memory: report, keep the run
            self.unavailable = f"COMET unavailable: prediction failed: {_short(exc)}"
            self.note(self.unavailable)
            return
        tests = bootstrap(seg, recipe.bootstrap, recipe.seed) if recipe.bootstrap else None
        for i, (out, scores) in enumerate(zip(outputs, seg, strict=True)):
            entry: dict[str, Any] = {"name": "COMET", "score": float(scores.mean()),
                                     "signature": self.signature()}  # fmt: skip
            if tests:
                entry |= tests[i]
            target = result[out.spec.name]
            target.corpus["comet"] = entry
            for doc in dict.fromkeys(test.doc_keys):
                rows = [j for j, d in enumerate(test.doc_keys) if d == doc]
                target.documents.setdefault(doc, {})["comet"] = float(scores[rows].mean())
