"""M2M100: one model for many directions; the source starts with ``__az__`` and the target
is forced to start with ``__ru__``."""

from __future__ import annotations

from mt.errors import UserError
from mt.translate.families.base import Family, register

# tokenizer_config "language_codes" -> languages of the toolkit it covers.
_LANG_SETS = {"m2m100": {"en", "az", "ru"}, "wmt21": {"en", "ru"}}


@register
class M2M100(Family):
    name = "m2m100"
    model_types = ("m2m_100",)

    def matches(self, files):
        if files.config.get("model_type") not in self.model_types:
            return False
        return not _is_nllb(files)

    def code(self, lang: str, info) -> str:
        return (info.lang_codes.get(lang) if info else None) or f"__{lang}__"

    def steering(self, src, tgt, info):
        return self.code(src, info), self.code(tgt, info)

    def prefixes(self, files, src, tgt, info):
        return (self.code(src, info),), (self.code(tgt, info),)

    def check_direction(self, files, model_id, src, tgt):
        codes = files.tokenizer_config.get("language_codes", "m2m100")
        langs = _LANG_SETS.get(codes)
        for lang in (src, tgt):
            if langs is not None and lang not in langs:
                raise UserError(f"model {model_id} ({codes} languages) has no {lang}")

    def spm_files(self, files):
        path = files.path / "sentencepiece.bpe.model"
        return path, path


def _is_nllb(files) -> bool:
    """NLLB shares M2M100's config class: tell them apart by tokenizer class, else by name."""
    tok_class = str(files.tokenizer_config.get("tokenizer_class", ""))
    if tok_class:
        return tok_class.lower().startswith("nllb")
    return "nllb" in str(files.config.get("_name_or_path", "")).lower()
