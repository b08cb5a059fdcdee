"""Optional aligner on multilingual sentence embeddings (Bertalign's idea), for users with weights.

``--method embedding``. Needs sentence-transformers (``pip install -e ".[align-embed]"``) and a
sentence-embedding model: ``sentence-transformers/LaBSE`` by default. Which model: the
``model`` argument of :class:`EmbeddingAligner`, else the ``MT_ALIGN_MODEL`` environment
variable (a hub id or a local directory saved by sentence-transformers), else LaBSE. The
registry's factory takes no arguments, so from the CLI the environment variable is the way to
choose. A hub id is read from the Hugging Face cache when it is there (no network); otherwise it
is downloaded unless HF_HUB_OFFLINE is set. A missing model or library is one
:class:`~mt.errors.UserError` line, never a traceback.

How (Bertalign, Liu & Zhu 2022, with this package's DP):

1. *Candidates*: every sentence gets a unit-length embedding; for each source sentence the
   ``top_k`` target sentences by cosine, searched in a band around the length-based path
   (Gale-Church), and the heaviest monotone chain of those candidates gives anchors.
2. *DP*: the banded DP of :mod:`lexdp` over the 1-1 ... 3-2, 1-0, 0-1 bead types, in a band
   around the anchors' path, then once more around its own path. A many-sentence side of a
   bead is the *sum* of its sentences' embeddings (vecalign's approximation of embedding the
   concatenated text, which would need one encoder call per candidate bead); the cosine is
   turned into a log-likelihood ratio by a per-document :class:`~lexdp.Scale`, so the DP's
   weights need no retuning for another model.

``Bead.score`` is a **confidence in [0, 1]**, computed like the lexical aligner's (the same
logistic function of the bead's z and length cost; not recalibrated for embeddings).

:func:`align_vectors` (any sentence vectors in, beads with confidences out) is shared with the
MT-assisted aligner (:mod:`mtassisted`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mt.corpus.align import lexdp
from mt.corpus.align.base import Bead, SentenceAligner, register
from mt.corpus.align.galechurch import _groups, align_lengths
from mt.corpus.align.lexical import TYPE_PROBS, check_code, confidence
from mt.corpus.align.priors import FITTED, PairPriors, get_priors

DEFAULT_MODEL = "sentence-transformers/LaBSE"
#: Environment variable naming the embedding model (a hub id or a local directory).
MODEL_ENV = "MT_ALIGN_MODEL"
INSTALL_HINT = 'pip install -e ".[align-embed]"'


@dataclass
class VectorConfig:
    """Constants of the DP over sentence vectors (the lexical aligner's, where they apply)."""

    type_probs: dict[tuple[int, int], float] = field(default_factory=lambda: dict(TYPE_PROBS))
    null_cost: float = 2.0
    w_len: float = 0.5
    w_lex: float = 2.0
    #: candidates kept per source sentence in the first search
    top_k: int = 3
    #: half-width (target sentences) of the candidate search around the length path
    search_margin: int = 30
    #: half-width of the DP band around the previous path (doubled when the path touches it)
    margin: int = 10
    #: blocks up to this many DP cells are searched in full, without a band
    full_cells: int = 400_000


# --------------------------------------------------------------------------- the shared DP


def align_vectors(
    u: np.ndarray,
    v: np.ndarray,
    src_len: Sequence[float],
    tgt_len: Sequence[float],
    src_lang: str,
    tgt_lang: str,
    *,
    paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
    config: VectorConfig | None = None,
) -> list[Bead]:
    """Beads over sentence vectors ``u`` (source) and ``v`` (target), with confidences.

    ``src_len``/``tgt_len`` are the sentences' lengths in characters (the length model);
    ``paragraphs``, when given, anchor paragraph groups as in Gale-Church.
    """
    cfg = config or VectorConfig()
    sl, tl = check_code(src_lang), check_code(tgt_lang)
    n, m = len(src_len), len(tgt_len)
    if not n and not m:
        return []
    s_len = np.asarray(src_len, dtype=np.float64)
    t_len = np.asarray(tgt_len, dtype=np.float64)
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    if u.ndim != 2 or v.ndim != 2 or len(u) != n or len(v) != m:
        raise ValueError("one vector per sentence expected on each side")
    prior = _priors(s_len, t_len, sl, tl)
    blocks = _blocks(paragraphs, prior) if paragraphs else [(0, n, 0, m)]
    run = _Run(u, v, s_len, t_len, prior, cfg)
    anchors = [
        bead
        for s0, s1, t0, t1 in blocks
        for bead in _shift(run.anchor_path(s0, s1, t0, t1), s0, t0)
    ]
    path = anchors
    scale = run.scale(anchors)
    for _ in range(2):
        path, zs, lens = run.dp_pass(blocks, path, scale)
        scale = run.scale(path)
    return [
        Bead(b.src, b.tgt, round(confidence(z, ln), 6))
        for b, z, ln in zip(path, zs, lens, strict=True)
    ]


def _priors(src_len: np.ndarray, tgt_len: np.ndarray, sl: str, tl: str) -> PairPriors:
    """Fitted priors for en/az/ru pairs; otherwise G&C's with ``c`` from the document."""
    base = get_priors(sl, tl)
    if (sl, tl) in FITTED or (tl, sl) in FITTED:
        return base
    s, t = float(src_len.sum()), float(tgt_len.sum())
    c = t / s if s and t else 1.0
    return replace(base, c=min(max(c, 0.2), 5.0))


def _blocks(
    paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]], prior: PairPriors
) -> list[tuple[int, int, int, int]]:
    """Paragraph groups as ``(s0, s1, t0, t1)`` sentence ranges (aligned on their own)."""
    src, tgt = paragraphs
    src_l = [[len(s) for s in p] for p in src]
    tgt_l = [[len(s) for s in p] for p in tgt]
    out, s0, t0 = [], 0, 0
    for s_lens, t_lens in _groups(src_l, tgt_l, prior):
        out.append((s0, s0 + len(s_lens), t0, t0 + len(t_lens)))
        s0, t0 = s0 + len(s_lens), t0 + len(t_lens)
    return out


def _shift(beads: Sequence[Bead], ds: int, dt: int) -> list[Bead]:
    return [
        Bead(tuple(i + ds for i in b.src), tuple(j + dt for j in b.tgt), b.score) for b in beads
    ]


def _cosines(u: np.ndarray, v: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    a, b = u[rows], v[cols]
    dots = np.einsum("ij,ij->i", a, b)
    den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    return np.where(den > 0, dots / np.maximum(den, 1e-300), 0.0)


class _Run:
    """One alignment: the vectors, lengths and priors every pass reads."""

    def __init__(
        self,
        u: np.ndarray,
        v: np.ndarray,
        src_len: np.ndarray,
        tgt_len: np.ndarray,
        prior: PairPriors,
        cfg: VectorConfig,
    ) -> None:
        self.u, self.v, self.src_len, self.tgt_len = u, v, src_len, tgt_len
        self.prior, self.cfg = prior, cfg
        norm = lambda x: x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # noqa: E731
        self.un, self.vn = norm(u), norm(v)

    # -- step 1: candidates and anchors

    def anchor_path(self, s0: int, s1: int, t0: int, t1: int) -> list[Bead]:
        """A rough path through one block (block-local indexes) from top-k candidates."""
        n, m = s1 - s0, t1 - t0
        if n == 0 or m == 0:
            return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
        length_path = align_lengths(self.src_len[s0:s1], self.tgt_len[t0:t1], self.prior)
        if (n + 1) * (m + 1) <= self.cfg.full_cells:
            band = lexdp.Band.full(n, m)
        else:
            band = lexdp.Band.around(length_path, n, m, self.cfg.search_margin)
        points = self._candidates(s0, t0, n, m, band)
        chain = _heaviest_chain(points, m)
        if not chain:
            return length_path
        return _path_through(chain, n, m)

    def _candidates(
        self, s0: int, t0: int, n: int, m: int, band: lexdp.Band
    ) -> list[tuple[int, int, float]]:
        """(i, j, weight) for each source sentence's top-k targets inside the band."""
        k = max(1, min(self.cfg.top_k, m))
        best_j = np.zeros((n, k), dtype=np.int64)
        best_c = np.full((n, k), -np.inf)
        chunk = 256
        for start in range(0, n, chunk):
            rows = np.arange(start, min(n, start + chunk))
            # row i's candidates: the target sentences its band rows i and i + 1 reach
            lo = np.minimum(band.lo[rows], m - 1)
            hi = np.maximum(np.minimum(band.hi[rows + 1], m), lo + 1)
            c0, c1 = int(lo.min()), int(hi.max())
            sims = self.un[s0 + rows] @ self.vn[t0 + c0 : t0 + c1].T
            cols = np.arange(c0, c1)
            outside = (cols[None, :] < lo[:, None]) | (cols[None, :] >= hi[:, None])
            sims = np.where(outside, -np.inf, sims)
            kk = min(k, sims.shape[1])
            top = np.argsort(-sims, axis=1)[:, :kk]
            best_j[rows, :kk] = top + c0
            best_c[rows, :kk] = np.take_along_axis(sims, top, axis=1)
        finite = best_c[np.isfinite(best_c)]
        if not len(finite):
            return []
        # what a runner-up (mostly unrelated) candidate scores in this document
        last = best_c[:, -1][np.isfinite(best_c[:, -1])]
        base = float(np.median(last)) if k > 1 and len(last) else float(np.median(finite))
        return [
            (i, int(best_j[i, r]), float(best_c[i, r]) - base)
            for i in range(n)
            for r in range(k)
            if np.isfinite(best_c[i, r]) and best_c[i, r] > base
        ]

    # -- step 2: the DP

    def scale(self, path: Sequence[Bead]) -> lexdp.Scale:
        """Cosines of the path's 1-1 beads vs. of the same sentences shifted away."""
        ones = [(b.src[0], b.tgt[0]) for b in path if len(b.src) == len(b.tgt) == 1]
        m = len(self.tgt_len)
        if not ones or m < 2:
            return lexdp.Scale(0.5, 0.0)
        rows, cols = np.array(ones).T
        aligned = _cosines(self.u, self.v, rows, cols)
        shifted = [_cosines(self.u, self.v, rows, (cols + d) % m) for d in (-7, -3, 3, 7)]
        return lexdp.Scale.fit(aligned, np.concatenate(shifted))

    def params(self, scale: lexdp.Scale) -> lexdp.Params:
        cfg = self.cfg
        total = sum(cfg.type_probs.values())
        pen = {k: -math.log(p / total) for k, p in cfg.type_probs.items()}
        return lexdp.Params(
            penalties=pen, null_cost=cfg.null_cost, c=self.prior.c, s2=self.prior.s2,
            w_len=cfg.w_len, w_lex=cfg.w_lex, scale=scale,
        )  # fmt: skip

    def dp_pass(
        self,
        blocks: Sequence[tuple[int, int, int, int]],
        path: Sequence[Bead],
        scale: lexdp.Scale,
    ) -> tuple[list[Bead], list[float], list[float]]:
        params = self.params(scale)
        beads: list[Bead] = []
        zs: list[float] = []
        lens: list[float] = []
        for s0, s1, t0, t1 in blocks:
            inside = [
                b
                for b in path
                if all(s0 <= i < s1 for i in b.src) and all(t0 <= j < t1 for j in b.tgt)
            ]
            res = self._block(s0, s1, t0, t1, _shift(inside, -s0, -t0), params)
            beads += _shift(res.beads, s0, t0)
            zs += res.z
            lens += res.length
        return beads, zs, lens

    def _block(
        self, s0: int, s1: int, t0: int, t1: int, path: list[Bead], params: lexdp.Params
    ) -> lexdp.Path:
        n, m = s1 - s0, t1 - t0
        doc = lexdp.Document(self.u[s0:s1], self.v[t0:t1], self.src_len[s0:s1], self.tgt_len[t0:t1])
        margin = self.cfg.margin
        while True:
            full = n == 0 or m == 0 or (n + 1) * (m + 1) <= self.cfg.full_cells or margin >= m
            band = lexdp.Band.full(n, m) if full else lexdp.Band.around(path, n, m, margin)
            res = lexdp.run(doc, band, params)
            if full or not res.touched:
                return res
            margin *= 2


def _heaviest_chain(points: Sequence[tuple[int, int, float]], m: int) -> list[tuple[int, int]]:
    """The chain of candidates increasing in both i and j with the largest total weight.

    A Fenwick tree over j holds, for each target position, the best chain ending there among
    the rows done; a row's candidates all query before any of them is stored (one target per
    source sentence). O(P log m) for P candidates.
    """
    tree_w = [0.0] * (m + 1)
    tree_p = [-1] * (m + 1)
    best: list[float] = []
    prev: list[int] = []

    def query(j: int) -> tuple[float, int]:  # best chain ending at a target < j
        w, p = 0.0, -1
        while j > 0:
            if tree_w[j] > w:
                w, p = tree_w[j], tree_p[j]
            j -= j & -j
        return w, p

    def update(j: int, w: float, p: int) -> None:  # a chain ending at target j
        j += 1
        while j <= m:
            if w > tree_w[j]:
                tree_w[j], tree_p[j] = w, p
            j += j & -j

    k = 0
    while k < len(points):
        row_end = k
        while row_end < len(points) and points[row_end][0] == points[k][0]:
            row_end += 1
        found = []
        for p in range(k, row_end):
            w, back = query(points[p][1])
            found.append((p, w + points[p][2], back))
        for p, w, back in found:
            best.append(w)
            prev.append(back)
            update(points[p][1], w, p)
        k = row_end
    if not best:
        return []
    p = int(np.argmax(best))
    chain = []
    while p >= 0:
        chain.append((points[p][0], points[p][1]))
        p = prev[p]
    return chain[::-1]


def _path_through(anchors: Sequence[tuple[int, int]], n: int, m: int) -> list[Bead]:
    """A rough path: 1-1 beads at the anchors, one bead per gap between them (for the band)."""
    beads: list[Bead] = []
    i = j = 0
    for a, b in [*anchors, (n, m)]:
        if a > i or b > j:
            beads.append(Bead(tuple(range(i, a)), tuple(range(j, b))))
        if a < n and b < m:
            beads.append(Bead((a,), (b,)))
        i, j = a + 1, b + 1
    return beads


# --------------------------------------------------------------------------- the model

_MODELS: dict[str, Any] = {}


def model_name(model: str | os.PathLike[str] | None = None) -> str:
    """The embedding model to use: the argument, else $MT_ALIGN_MODEL, else LaBSE."""
    if model is not None:
        return str(model)
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def _need(model: str, why: str):
    from mt.errors import UserError

    return UserError(f"embedding aligner needs the model {model!r} ({why})")


def _resolve(model: str) -> Path:
    """The local directory of ``model``: a directory as given, else the hub cache, else a
    download (unless HF_HUB_OFFLINE is set or the hub is unreachable)."""
    from mt.translate.models import cached_snapshot, hub_cache_dir, hub_unreachable, is_local
    from mt.translate.models import offline as hub_offline

    if is_local(model):
        path = Path(model).expanduser()
        if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            why = "no sentence-transformers model in that directory; set "
            raise _need(
                model, f"{why}{MODEL_ENV} to a directory saved by SentenceTransformer.save()"
            )
        return path
    cached = cached_snapshot(model)
    if cached is not None:
        return cached
    hint = f"run with network once or set {MODEL_ENV} to a local directory"
    if hub_offline():
        raise _need(model, f"not in the local cache and HF_HUB_OFFLINE is set; {hint}")
    why = hub_unreachable()
    if why:
        raise _need(model, f"not in the local cache; {why}; {hint}")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, cache_dir=hub_cache_dir()))
    except Exception as exc:  # network and hub errors vary across versions
        why = f"not in the local cache; download failed: {type(exc).__name__}; {hint}"
        raise _need(model, why) from None


def load_model(model: str | os.PathLike[str] | None = None) -> Any:
    """The SentenceTransformer for ``model`` (see :func:`model_name`), loaded once."""
    from mt.errors import UserError

    name = model_name(model)
    if name in _MODELS:
        return _MODELS[name]
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise UserError(f"embedding aligner needs sentence-transformers: {INSTALL_HINT}") from None
    path = _resolve(name)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar around the beads
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
    try:
        st = SentenceTransformer(str(path), local_files_only=True)
    except Exception as exc:  # a broken or partial model directory
        first = (str(exc).strip().splitlines() or [""])[0]
        why = f"cannot load it from {path}: {type(exc).__name__}: {first}".rstrip(": ")
        raise _need(name, why) from None
    _MODELS[name] = st
    return st


def encode(model: Any, sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings, one row per sentence (``sentences`` must not be empty)."""
    out = model.encode(
        list(sentences),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(out, dtype=np.float64)


@register("embedding")
class EmbeddingAligner(SentenceAligner):
    """Sentence embeddings (LaBSE by default, see $MT_ALIGN_MODEL) + the banded bead DP."""

    name = "embedding"

    def __init__(
        self, model: str | os.PathLike[str] | None = None, config: VectorConfig | None = None
    ) -> None:
        self.model = model_name(model)
        self.config = config

    def _align(
        self,
        src: list[str],
        tgt: list[str],
        src_lang: str,
        tgt_lang: str,
        paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None,
    ) -> list[Bead]:
        check_code(src_lang), check_code(tgt_lang)
        if not src and not tgt:
            return []
        st = load_model(self.model)
        both = encode(st, src + tgt)  # one call: both sides get the same dimension
        u, v = both[: len(src)], both[len(src) :]
        return align_vectors(
            u, v, [len(s) for s in src], [len(t) for t in tgt], src_lang, tgt_lang,
            paragraphs=paragraphs, config=self.config,
        )  # fmt: skip
