"""The default aligner ("lexical"): length plus lexical evidence learnt from the bitext itself.

Why: Gale-Church sees only sentence lengths, which cannot tell a 1-2 split from a 1-1 and a
dropped sentence when lengths happen to fit, and real translations (literature, OCR'd
yearbooks) drift far more than the bundled statements. Words, numbers and names decide those
cases; no model weights or outside dictionary are needed to use them (Moore 2002):

1. *Pass 0*, Gale-Church on lengths: a rough path, used to place the search band and to
   calibrate what "aligned" and "unrelated" look like in this document.
2. *Pass 1*, lexical DP (:mod:`lexdp`) with the cross-lingual keys only (numbers, cognates,
   transliterated names, glossary entries; :mod:`tokens`).
3. IBM Model 1 (:mod:`model1`), both directions, trained on pass 1's most confident 1-1 beads
   (:func:`training_beads`: by similarity, then length fit).
4. *Pass 2*, the same DP with sentence vectors that add the stems and their Model 1
   translations (:mod:`vectors`), in a band around pass 1's path; then Model 1 is retrained on
   the share of pass 2's 1-1 beads that look aligned (:func:`path_share`) and *pass 3* gives
   the answer. Passes 2 and 3 also adapt the bead-type prior to the previous lexical pass's
   confidence-weighted type counts (:func:`_type_penalties`).

Two things bag-of-words similarity cannot see are handled apart: runs of omitted short lines
(captions, page furniture) are cheap null runs (:func:`lexdp._extend`), and neighbouring beads
that a rare number or name crosses are joined after the last pass (:mod:`anchors`). Bead
boundaries after colons, initials or before lower-case words cost what the previous pass says
they are worth in this document (:mod:`boundaries`).

Every pass searches a band around the previous path and widens it when the path touches its
edge, so time and memory stay linear in the document (10,000 x 10,000 sentences: see
``benchmarks/align_real.py``).

Scores: ``Bead.score`` of this aligner is a **confidence in [0, 1], higher is better** (a
logistic function of the bead's lexical similarity and length fit, calibrated on the dev sets;
see :func:`confidence`), unlike Gale-Church's cost. Null beads get a constant: the share of
predicted null beads that were right on the dev sets (low: omissions are hard to place).

Status: strict F1 (vecalign's scorer) Text+Berg dev 0.921 (target 0.90), OPUS Books en-ru
0.932 (target 0.93), TransRead 0.910, ParIce 0.874, bundle 0.988-0.994.

Any language pair works: codes are only checked for shape (ISO 639-1/3); en/az/ru get the
fitted length priors and the glossary, other pairs estimate the length ratio from the document.
Paragraphs are used as anchors exactly as in Gale-Church (same-count paragraphs pair up unless
their lengths disagree), and the lexicon is learnt from the whole document.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mt.corpus.align import anchors, boundaries, lexdp, model1
from mt.corpus.align.base import Bead, SentenceAligner, register
from mt.corpus.align.galechurch import _groups, align_lengths
from mt.corpus.align.priors import FITTED, PairPriors, get_priors
from mt.corpus.align.tokens import SentenceTokens, analyse, load_glossary
from mt.corpus.align.vectors import DIM, SideSpec, Weights, embed, idf, shifted_cosines

_CODE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

#: Bead-type probabilities for the lexical passes (the lexical term, not these, separates the
#: types; they only break ties). Tuned on the dev sets.
TYPE_PROBS: dict[tuple[int, int], float] = {
    (1, 1): 0.80, (1, 2): 0.06, (2, 1): 0.06, (1, 3): 0.012, (3, 1): 0.012,
    (1, 4): 0.003, (4, 1): 0.003, (2, 2): 0.01, (2, 3): 0.003, (3, 2): 0.003,
    (1, 0): 0.01, (0, 1): 0.01, (5, 1): 0.0003, (1, 5): 0.0003,
    (6, 1): 0.0001, (1, 6): 0.0001,
}  # fmt: skip


@dataclass
class Config:
    """Tunable constants of the lexical aligner (defaults tuned on ../shared/align-dev)."""

    type_probs: dict[tuple[int, int], float] = field(default_factory=lambda: dict(TYPE_PROBS))
    null_cost: float = 2.0
    #: a null bead continuing a run costs this for an empty line, the full price for a
    #: full-length sentence (lexdp._extend); None: every null pays the full price
    null_extend: float | None = 0.0
    w_len: float = 0.5
    w_lex: float = 2.0
    z_floor: float = -10.0
    #: cap of one sentence's lexical cost (its -LLR). Why 5, not 10: above ~7 a correct 1-1
    #: with a poor lexicon (a 7-sentence statement, a perturbed Model 1) costs more than a
    #: 1-0 plus a 0-1, and pairs of nulls replace it (dev: ParIce +0.005 to +0.009 and bundle
    #: az-ru +0.0015 to +0.006 over four hash layouts; OPUS -0.001, Text+Berg unchanged)
    z_ceil: float = 5.0
    size_power: float = 1.0
    #: pseudo-count of the bead-type prior against the previous pass's (confidence-weighted)
    #: type counts (dev: 300 and 600 within 0.001, 150 costs Text+Berg 0.01, others +-0.003)
    type_adapt: float = 300.0
    weights: Weights = field(default_factory=lambda: Weights(own=1.0, translated=2.0, keys=1.0))
    dim: int = DIM
    passes: int = 3
    train_share: float = 0.7
    #: after a pass that used a lexicon, the share is the path's own: the share of its 1-1
    #: beads that look aligned (z > 0), shrunk toward ``train_share`` with this pseudo-count
    #: (:func:`path_share`); 0: always ``train_share``
    share_adapt: float = 100.0
    train_multi: bool = False
    stem: int = 6
    margin: int = 20
    full_cells: int = 400_000
    #: anchors (numbers, names) seen at most this often per side join the beads they cross
    #: (anchors.py); 0: off
    anchor_max_df: int = 5
    #: weight of the bead-boundary costs learnt from the cues (boundaries.py); 0: off
    boundary_weight: float = 1.0
    #: pseudo-count of the prior s2 when estimating the length variance from the document
    s2_prior_weight: float = 20.0


def check_code(code: str) -> str:
    """Normalise an ISO 639 code; any language is accepted, only the shape is checked."""
    from mt.errors import UserError

    norm = code.strip().lower()
    if not _CODE_RE.match(norm):
        raise UserError(f"invalid language code {code!r} (expected e.g. en, de, fra)")
    return norm.split("-")[0].split("_")[0]


# --------------------------------------------------------------------------- length model


def _length_priors(src: Sequence[str], tgt: Sequence[str], sl: str, tl: str) -> PairPriors:
    """Fitted priors for en/az/ru pairs; otherwise G&C's with ``c`` from the document."""
    if (sl, tl) in FITTED or (tl, sl) in FITTED:
        return get_priors(sl, tl)
    base = get_priors(sl, tl)
    s_chars, t_chars = sum(map(len, src)), sum(map(len, tgt))
    c = t_chars / s_chars if s_chars and t_chars else 1.0
    return replace(base, c=min(max(c, 0.2), 5.0))


def _fit_length(
    beads: Sequence[Bead], src_len: np.ndarray, tgt_len: np.ndarray, prior: PairPriors, cfg: Config
) -> tuple[float, float]:
    """(c, s2) re-estimated on the path's 1-1 beads, shrunk toward the prior (robust: median)."""
    pairs = [(src_len[b.src[0]], tgt_len[b.tgt[0]]) for b in beads if len(b.src) == len(b.tgt) == 1]
    if len(pairs) < 5:
        return prior.c, prior.s2
    l1, l2 = np.array(pairs, dtype=np.float64).T
    c_doc = float(np.median(l2 / np.maximum(l1, 1.0)))
    c = (cfg.s2_prior_weight * prior.c + len(l1) * c_doc) / (cfg.s2_prior_weight + len(l1))
    var = (l2 - c * l1) ** 2 / np.maximum((l1 + l2 / c) / 2, 1.0)
    s2_doc = float(np.median(var)) / 0.455  # median of chi-square(1)
    k = cfg.s2_prior_weight
    return c, (k * prior.s2 + len(var) * s2_doc) / (k + len(var))


# --------------------------------------------------------------------------- one document


@dataclass
class _Block:
    """A stretch of both documents aligned on its own (a paragraph group), with offsets."""

    s0: int
    s1: int
    t0: int
    t1: int


def _blocks(
    src: Sequence[Sequence[str]], tgt: Sequence[Sequence[str]], pri: PairPriors
) -> list[_Block]:
    src_l = [[len(s) for s in p] for p in src]
    tgt_l = [[len(s) for s in p] for p in tgt]
    out, s0, t0 = [], 0, 0
    for s_lens, t_lens in _groups(src_l, tgt_l, pri):
        out.append(_Block(s0, s0 + len(s_lens), t0, t0 + len(t_lens)))
        s0, t0 = s0 + len(s_lens), t0 + len(t_lens)
    return out


class _Aligner:
    """State of one alignment: tokens, lengths, blocks, the current path."""

    def __init__(
        self,
        src: list[str],
        tgt: list[str],
        sl: str,
        tl: str,
        blocks: list[_Block],
        cfg: Config,
    ) -> None:
        self.cfg = cfg
        glossary = load_glossary()
        self.ts: list[SentenceTokens] = analyse(src, sl, glossary, cfg.stem)
        self.tt: list[SentenceTokens] = analyse(tgt, tl, glossary, cfg.stem)
        self.src_len = np.array([len(s) for s in src], dtype=np.float64)
        self.tgt_len = np.array([len(s) for s in tgt], dtype=np.float64)
        self.prior = _length_priors(src, tgt, sl, tl)
        self.blocks = blocks
        self.cues = boundaries.cue_classes(src), boundaries.cue_classes(tgt)
        self.bounds: tuple[np.ndarray, np.ndarray] | None = None
        self.key_idf = idf([s.keys for s in self.ts] + [t.keys for t in self.tt])
        self.src_idf = idf([s.stems for s in self.ts])
        self.tgt_idf = idf([t.stems for t in self.tt])

    # -- passes

    def length_pass(self) -> list[Bead]:
        out: list[Bead] = []
        for bl in self.blocks:
            beads = align_lengths(
                self.src_len[bl.s0 : bl.s1], self.tgt_len[bl.t0 : bl.t1], self.prior
            )
            out += _shift(beads, bl.s0, bl.t0)
        return out

    def vectors(
        self, fwd: model1.Lexicon | None, rev: model1.Lexicon | None
    ) -> tuple[np.ndarray, np.ndarray]:
        stems = fwd is not None
        w = self.cfg.weights
        spec_s = SideSpec("E:", "F:", self.src_idf, self.tgt_idf, self.key_idf, fwd)
        spec_t = SideSpec("F:", "E:", self.tgt_idf, self.src_idf, self.key_idf, rev)
        u = embed(self.ts, spec_s, w, self.cfg.dim, use_stems=stems)
        v = embed(self.tt, spec_t, w, self.cfg.dim, use_stems=stems)
        return u, v

    def scale(self, u: np.ndarray, v: np.ndarray, path: Sequence[Bead]) -> lexdp.Scale:
        """Cosines of the path's 1-1 beads vs. of the same sentences shifted away."""
        ones = [(b.src[0], b.tgt[0]) for b in path if len(b.src) == len(b.tgt) == 1]
        m = len(self.tgt_len)
        if not ones or m < 2:
            return lexdp.Scale(0.5, 0.0)
        rows, cols = np.array(ones).T
        aligned, *shifted = shifted_cosines(u, v, rows, cols, (0, -7, -3, 3, 7))
        return lexdp.Scale.fit(aligned, np.concatenate(shifted))

    def params(
        self, scale: lexdp.Scale, path: Sequence[Bead], conf: Sequence[float] | None = None
    ) -> lexdp.Params:
        """DP parameters; with ``conf`` (a lexical pass's confidences) the type prior adapts."""
        cfg = self.cfg
        c, s2 = _fit_length(path, self.src_len, self.tgt_len, self.prior, cfg)
        pen = _type_penalties(cfg.type_probs, path, conf or [], cfg.type_adapt)
        return lexdp.Params(
            penalties=pen, null_cost=cfg.null_cost, c=c, s2=s2, w_len=cfg.w_len,
            w_lex=cfg.w_lex, z_floor=cfg.z_floor, z_ceil=cfg.z_ceil,
            size_power=cfg.size_power, scale=scale, null_extend=cfg.null_extend,
        )  # fmt: skip

    def learn_boundaries(self, path: Sequence[Bead]) -> None:
        """Bead-boundary costs from the cues and the previous pass's path (see boundaries)."""
        n, m = len(self.src_len), len(self.tgt_len)
        w = self.cfg.boundary_weight
        self.bounds = (
            boundaries.boundary_costs(self.cues[0], boundaries.used_boundaries(path, n, 0), w),
            boundaries.boundary_costs(self.cues[1], boundaries.used_boundaries(path, m, 1), w),
        )

    def lexical_pass(
        self, u: np.ndarray, v: np.ndarray, params: lexdp.Params, path: list[Bead]
    ) -> tuple[list[Bead], list[float], list[float]]:
        beads: list[Bead] = []
        zs: list[float] = []
        lens: list[float] = []
        for bl in self.blocks:
            sub = [b for b in path if _inside(b, bl)]
            res = self._block_pass(u, v, params, bl, _shift(sub, -bl.s0, -bl.t0))
            beads += _shift(res.beads, bl.s0, bl.t0)
            zs += res.z
            lens += res.length
        return beads, zs, lens

    def _block_pass(
        self, u: np.ndarray, v: np.ndarray, params: lexdp.Params, bl: _Block, path: list[Bead]
    ) -> lexdp.Path:
        n, m = bl.s1 - bl.s0, bl.t1 - bl.t0
        bounds = None
        if self.bounds is not None:  # a block's own ends are boundaries whatever they cost
            bs = self.bounds[0][bl.s0 : bl.s1 + 1].copy()
            bt = self.bounds[1][bl.t0 : bl.t1 + 1].copy()
            bs[[0, -1]] = bt[[0, -1]] = 0.0
            bounds = bs, bt
        doc = lexdp.Document(
            u[bl.s0 : bl.s1],
            v[bl.t0 : bl.t1],
            self.src_len[bl.s0 : bl.s1],
            self.tgt_len[bl.t0 : bl.t1],
            bounds,
        )
        if n == 0 or m == 0:
            return lexdp.run(doc, lexdp.Band.full(n, m), params)
        margin = self.cfg.margin
        while True:
            full = (n + 1) * (m + 1) <= self.cfg.full_cells or margin >= m
            band = lexdp.Band.full(n, m) if full else lexdp.Band.around(path, n, m, margin)
            res = lexdp.run(doc, band, params)
            if full or not res.touched:
                return res
            margin *= 2

    def train(
        self, path: Sequence[Bead], zs: Sequence[float], lens: Sequence[float], share: float
    ) -> tuple[model1.Lexicon, model1.Lexicon]:
        """Model 1 both ways on the path's most confident beads (:func:`training_beads`)."""
        keep = training_beads(path, zs, lens, share, self.cfg.train_multi)
        pairs = [
            (
                [w for i in b.src for w in self.ts[i].stems],
                [w for j in b.tgt for w in self.tt[j].stems],
            )
            for b in keep
        ]
        return model1.train(pairs), model1.train([(f, e) for e, f in pairs])


def path_share(path: Sequence[Bead], zs: Sequence[float], base: float, weight: float) -> float:
    """How much of a lexical pass's path to train the next lexicon on: the share that looks right.

    Why: a fixed share is a sharp optimum, and not the same one for every document (dev,
    fixed share 0.65 / 0.7 / 0.75: Text+Berg 0.912 / 0.921 / 0.908, OPUS Books 0.9289 /
    0.9293 / 0.9315). Documents differ in how much of their path is right: an OCR'd
    yearbook has caption runs and fragments, a novel's dialogue mostly translates line by
    line. After a pass that used a lexicon the path says so itself: a 1-1 bead whose z is
    above 0 is closer to what aligned pairs score than to what unrelated ones do (70% of
    them in Text+Berg dev, 84% in OPUS Books). That share, shrunk toward ``base`` with
    pseudo-count ``weight`` (a statement of 20 sentences keeps about ``base``), is used.
    Dev over five hash layouts: OPUS Books 0.9305-0.9319 (fixed 0.7: 0.9271-0.9294),
    Text+Berg unchanged, TransRead -0.002, ParIce within 0.0003. Not after the keys-only
    pass, where z is flat (en-ru) or noisy; the first training keeps ``base``, and there
    Text+Berg stays sensitive to it.
    """
    z = np.array([z for b, z in zip(path, zs, strict=True) if len(b.src) == len(b.tgt) == 1])
    z = z[~np.isnan(z)]
    if weight <= 0 or not len(z):
        return base
    return float((weight * base + np.count_nonzero(z > 0)) / (weight + len(z)))


def training_beads(
    path: Sequence[Bead],
    zs: Sequence[float],
    lens: Sequence[float],
    share: float,
    multi: bool = False,
) -> list[Bead]:
    """The share of the path's 1-1 beads (all matches with ``multi``) to train Model 1 on.

    Ranked by lexical similarity ``z``, ties broken by length cost. Why the tie-break: after
    the keys-only pass of a pair with few shared keys (en-ru, en-is) most cosines are 0, the
    similarity scale is flat and every z is 0; ranked by z alone, the "most similar share" was
    the document's first 70% (dev: TransRead +0.008, ParIce +0.012, OPUS +0.0008, Text+Berg
    unchanged). Ranking by length fit is then Moore's (2002) own selection.
    """

    def ok(b: Bead) -> bool:
        return bool(b.src and b.tgt) if multi else len(b.src) == len(b.tgt) == 1

    ranked = sorted(
        (-z if not math.isnan(z) else math.inf, ln, k)
        for k, (b, z, ln) in enumerate(zip(path, zs, lens, strict=True))
        if ok(b)
    )
    return [path[k] for *_, k in ranked[: max(1, int(len(ranked) * share))]]


def _type_penalties(
    probs: dict[tuple[int, int], float],
    path: Sequence[Bead],
    conf: Sequence[float],
    weight: float,
) -> dict[tuple[int, int], float]:
    """``-log P(type)``: the prior, updated with the previous pass's bead-type counts.

    Why: how often a translator merges sentences is a property of the document (dialogue in a
    novel: many 2-1; a statement: almost none); the previous pass's path, though imperfect,
    measures it. Each bead counts by its confidence, so doubtful merges (a sentence with
    unrelated caption lines) barely raise their type's probability. ``weight`` is the prior's
    pseudo-count; without confidences the prior is used alone.
    """
    total = sum(probs.values())
    prior = {k: p / total for k, p in probs.items()}
    if weight <= 0 or not conf:
        return {k: -math.log(p) for k, p in prior.items()}
    counts: Counter[tuple[int, int]] = Counter()
    for b, c in zip(path, conf, strict=True):
        counts[(len(b.src), len(b.tgt))] += c
    n = sum(counts[k] for k in prior)
    return {k: -math.log((weight * p + counts[k]) / (weight + n)) for k, p in prior.items()}


def _shift(beads: Sequence[Bead], ds: int, dt: int) -> list[Bead]:
    return [
        Bead(tuple(i + ds for i in b.src), tuple(j + dt for j in b.tgt), b.score) for b in beads
    ]


def _inside(b: Bead, bl: _Block) -> bool:
    ids_s = b.src or ()
    ids_t = b.tgt or ()
    return all(bl.s0 <= i < bl.s1 for i in ids_s) and all(bl.t0 <= j < bl.t1 for j in ids_t)


# --------------------------------------------------------------------------- confidence

#: Logistic calibration of P(bead is right) for beads with both sides, from z (the bead's mean
#: per-sentence log-likelihood ratio "aligned vs unrelated", see lexdp.Scale) and its length
#: cost. Fitted by logistic regression on the dev sets' beads (../shared/align-dev, 12,700
#: beads): predicted 0.9-1.0 were right 94% of the time, 0.7-0.9 84%, 0.5-0.7 71%.
CONF_BIAS, CONF_Z, CONF_LEN = 2.238, 0.175, -0.261
#: Null beads: the share of predicted null beads that were right on the same dev sets.
CONF_NULL = 0.26


def confidence(z: float, length: float) -> float:
    """P(correct) for a bead with both sides, from its z and length cost (see constants)."""
    if math.isnan(z):
        return CONF_NULL
    x = CONF_BIAS + CONF_Z * z + CONF_LEN * length
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


def align_sentences(
    src: list[str],
    tgt: list[str],
    src_lang: str,
    tgt_lang: str,
    *,
    paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
    config: Config | None = None,
) -> list[Bead]:
    """Align flat sentence lists (optionally with their paragraphing, for anchors)."""
    cfg = config or Config()
    sl, tl = check_code(src_lang), check_code(tgt_lang)
    if not src and not tgt:
        return []
    prior = _length_priors(src, tgt, sl, tl)
    blocks = _blocks(*paragraphs, prior) if paragraphs else [_Block(0, len(src), 0, len(tgt))]
    al = _Aligner(src, tgt, sl, tl, blocks, cfg)
    path = al.length_pass()
    u, v = al.vectors(None, None)
    path, zs, lens = al.lexical_pass(u, v, al.params(al.scale(u, v, path), path), path)
    for k in range(cfg.passes - 1):
        share = (
            cfg.train_share if k == 0 else path_share(path, zs, cfg.train_share, cfg.share_adapt)
        )
        fwd, rev = al.train(path, zs, lens, share)
        u, v = al.vectors(fwd, rev)
        conf = [confidence(z, ln) for z, ln in zip(zs, lens, strict=True)]
        params = al.params(al.scale(u, v, path), path, conf)
        if cfg.boundary_weight:
            al.learn_boundaries(path)
        path, zs, lens = al.lexical_pass(u, v, params, path)
    out = [
        Bead(b.src, b.tgt, round(confidence(z, ln), 6))
        for b, z, ln in zip(path, zs, lens, strict=True)
    ]
    if cfg.anchor_max_df:
        out = anchors.join_split_anchors(out, al.ts, al.tt, cfg.anchor_max_df, _starts(blocks))
    return out


def _starts(blocks: Sequence[_Block]) -> set[int]:
    """Source sentences that open a block (beads are never joined across one)."""
    return {bl.s0 for bl in blocks[1:]}


@register("lexical")
class LexicalAligner(SentenceAligner):
    """Default aligner: length + bitext-learnt lexicon, numbers, names (see module doc)."""

    name = "lexical"

    def __init__(self, config: Config | None = None) -> None:
        self.config = config

    def _align(
        self,
        src: list[str],
        tgt: list[str],
        src_lang: str,
        tgt_lang: str,
        paragraphs: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None,
    ) -> list[Bead]:
        return align_sentences(src, tgt, src_lang, tgt_lang, paragraphs=paragraphs,
                               config=self.config)  # fmt: skip
