"""NLLB-200: M2M100's architecture and config class with its own tokenizer and codes
(``azj_Latn``, ``rus_Cyrl``); told apart from M2M100 by the tokenizer class."""

from __future__ import annotations

from mt.errors import UserError
from mt.translate.families.base import register
from mt.translate.families.m2m100 import M2M100, _is_nllb

_CODES = {"en": "eng_Latn", "az": "azj_Latn", "ru": "rus_Cyrl"}


@register
class NLLB(M2M100):
    name = "nllb"

    def matches(self, files):
        return files.config.get("model_type") in self.model_types and _is_nllb(files)

    def code(self, lang, info):
        return (info.lang_codes.get(lang) if info else None) or _CODES[lang]

    def check_direction(self, files, model_id, src, tgt):
        declared = _declared_codes(files)
        for lang in (src, tgt):
            if declared and self.code(lang, None) not in declared:
                raise UserError(f"model {model_id} has no language code {_CODES[lang]}")


def _declared_codes(files) -> set[str]:
    """Language codes the tokenizer lists (empty: not listed, assume the standard 200)."""
    tc = files.tokenizer_config
    codes = set(tc.get("additional_special_tokens") or tc.get("extra_special_tokens") or [])
    return {c for c in codes if isinstance(c, str) and "_" in c}
