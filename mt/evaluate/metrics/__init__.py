"""Metrics by name: one sacrebleu metric per module over the shared :mod:`base`.

``build_metrics`` turns user options into metric objects, including the language-aware
parts (Turkic lowercasing for az, ё/е folding for ru) and the intl-tokenized BLEU shown
alongside the 13a one for Russian and Azerbaijani.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mt.errors import UserError
from mt.evaluate.metrics.base import Metric, Prep, exact_sums
from mt.evaluate.metrics.bleu import BLEU, TOKENIZERS
from mt.evaluate.metrics.chrf import ChrF
from mt.evaluate.metrics.chrfpp import ChrFPlusPlus
from mt.evaluate.metrics.ter import TER
from mt.lang import check_lang
from mt.registry import Registry

#: Metric builders by name, in report order (sacrebleu's METRICS dict, as a registry): each
#: turns validated options into the metric objects it contributes, keyed by result key.
METRICS: Registry[Callable[[ScoreOptions, Prep, bool], dict[str, Metric]]] = Registry("metric")
DEFAULT_METRICS: tuple[str, ...] = ("bleu", "chrf")


@dataclass(frozen=True)
class ScoreOptions:
    """Everything that changes a score, recorded beside sacrebleu's signature.

    ``nfc``: Unicode NFC (and, for az, schwa look-alikes → ə) before scoring; on by default
    because the same letter in two encodings is not a translation error.
    ``lowercase``: case-insensitive BLEU/chrF; for az we lowercase with Turkic rules ourselves
    and give sacrebleu already-lowercased text. ``ter_case_sensitive``: sacrebleu's TER is
    case-insensitive unless asked (Tercom's default). ``intl_alongside``: for ru/az with the
    13a tokenizer, also report BLEU with the intl tokenizer, which splits Unicode punctuation
    (« », —) that 13a leaves attached to Cyrillic and Azerbaijani words.
    """

    tgt: str
    lowercase: bool = False
    tokenize: str = "13a"
    nfc: bool = True
    yo_fold: bool = False
    ter_case_sensitive: bool = False
    intl_alongside: bool = True

    def validated(self) -> ScoreOptions:
        """Check codes and combinations; one :class:`UserError` for the first problem."""
        tgt = check_lang(self.tgt)
        if self.tokenize not in TOKENIZERS:
            raise UserError(
                f"unknown tokenizer {self.tokenize!r} (available: {', '.join(TOKENIZERS)})"
            )
        if self.yo_fold and tgt != "ru":
            raise UserError("--yo-fold (ё→е) applies to Russian targets only")
        return ScoreOptions(
            tgt, self.lowercase, self.tokenize, self.nfc, self.yo_fold,
            self.ter_case_sensitive, self.intl_alongside,
        )  # fmt: skip

    @property
    def turkic(self) -> bool:
        return self.tgt == "az"

    def as_dict(self) -> dict[str, object]:
        """The language-aware options, as stored beside each signature."""
        case = "mixed"
        if self.lowercase:
            case = "lc-turkic (mt.lang.lower before sacrebleu)" if self.turkic else "lc"
        return {
            "tgt": self.tgt,
            "nfc": self.nfc,
            "az_schwa_normalized": self.nfc and self.tgt == "az",
            "case": case,
            "yo_fold": self.yo_fold,
            "tokenize": self.tokenize,
        }


def parse_metric_names(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"bleu,chrf"`` → ``("bleu", "chrf")``; unknown names are a user error."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in METRIC_NAMES:
            raise UserError(f"unknown metric {raw!r} (available: {', '.join(METRIC_NAMES)})")
        if name not in out:
            out.append(name)
    if not out:
        raise UserError("no metric given (available: " + ", ".join(METRIC_NAMES) + ")")
    return tuple(out)


def build_metrics(names: Iterable[str], options: ScoreOptions) -> dict[str, Metric]:
    """Metric objects keyed by result key, alongside variants right after their metric."""
    opts = options.validated()
    prep = Prep(turkic_lower=opts.lowercase and opts.turkic, yo_fold=opts.yo_fold)
    sb_lower = opts.lowercase and not opts.turkic  # for az we lowercase ourselves (Turkic)
    out: dict[str, Metric] = {}
    for name in parse_metric_names(list(names)):
        out |= METRICS.get(name)(opts, prep, sb_lower)
    return out


@METRICS.register("bleu")
def _bleu(opts: ScoreOptions, prep: Prep, sb_lower: bool) -> dict[str, Metric]:
    out: dict[str, Metric] = {
        "bleu": BLEU("bleu", prep, tokenize=opts.tokenize, lowercase=sb_lower)
    }
    if opts.intl_alongside and opts.tokenize == "13a" and opts.tgt in ("ru", "az"):
        out["bleu@intl"] = BLEU("bleu@intl", prep, tokenize="intl", lowercase=sb_lower)
    return out


@METRICS.register("chrf")
def _chrf(opts: ScoreOptions, prep: Prep, sb_lower: bool) -> dict[str, Metric]:
    return {"chrf": ChrF("chrf", prep, lowercase=sb_lower)}


@METRICS.register("chrf++")
def _chrfpp(opts: ScoreOptions, prep: Prep, sb_lower: bool) -> dict[str, Metric]:
    return {"chrf++": ChrFPlusPlus("chrf++", prep, lowercase=sb_lower)}


@METRICS.register("ter")
def _ter(opts: ScoreOptions, prep: Prep, sb_lower: bool) -> dict[str, Metric]:
    # TER lowercases unless case-sensitive; for az do that lowercasing right first.
    ter_prep = Prep(turkic_lower=opts.turkic and not opts.ter_case_sensitive, yo_fold=opts.yo_fold)
    return {"ter": TER("ter", ter_prep, case_sensitive=opts.ter_case_sensitive)}


METRIC_NAMES: tuple[str, ...] = METRICS.names()


__all__ = [
    "BLEU", "DEFAULT_METRICS", "METRIC_NAMES", "METRICS", "TER", "TOKENIZERS", "ChrF",
    "ChrFPlusPlus", "Metric", "Prep", "ScoreOptions", "build_metrics", "exact_sums",
    "parse_metric_names",
]  # fmt: skip
