"""Marian (OPUS-MT): one direction per model, or a multilingual target picked by a
``>>xxx<<`` token put before the source (opus-mt-en-trk, opus-mt-tc-big-en-zle)."""

from __future__ import annotations

import re
from pathlib import Path

from mt.errors import UserError
from mt.translate.families.base import Family, register, wrong_direction

# OPUS language and group codes -> the toolkit's languages they cover.
_CODES: dict[str, set[str]] = {
    "en": {"en"}, "eng": {"en"}, "az": {"az"}, "aze": {"az"}, "azj": {"az"}, "aze_latn": {"az"},
    "ru": {"ru"}, "rus": {"ru"}, "trk": {"az"}, "tur": set(), "tr": set(), "zle": {"ru"},
    "sla": {"ru"}, "gem": {"en"}, "gmw": {"en"}, "ine": {"en", "ru"}, "mul": {"en", "az", "ru"},
}  # fmt: skip
_DEFAULT_TOKENS = {"en": ">>eng<<", "az": ">>aze_Latn<<", "ru": ">>rus<<"}
_NAME = re.compile(r"opus-mt-(?:tc-(?:big|base)-)?([a-zA-Z_]+)-([a-zA-Z_]+)$")


@register
class Marian(Family):
    name = "marian"
    model_types = ("marian",)

    def steering(self, src, tgt, info):
        token = info.lang_tokens.get(tgt) if info else None
        return token, None

    def prefixes(self, files, src, tgt, info):
        vocab = files.json("vocab.json")
        if not any(t.startswith(">>") and t.endswith("<<") for t in vocab):
            return (), ()  # one target language: no token
        token = (info.lang_tokens.get(tgt) if info else None) or _DEFAULT_TOKENS[tgt]
        if token not in vocab:
            have = sorted(t for t in vocab if t.startswith(">>"))[:12]
            raise UserError(
                f"model {files.path.name} has no target token {token} for {tgt} "
                f"(it has {', '.join(have)}, ...)",
                path=files.path,
            )
        return (token,), ()

    def check_direction(self, files, model_id, src, tgt):
        langs = _declared_langs(files, model_id)
        if langs is None:
            return  # unknown naming: trust the user
        src_code, tgt_code = langs
        src_ok, tgt_ok = _CODES.get(src_code.lower()), _CODES.get(tgt_code.lower())
        if (src_ok is not None and src not in src_ok) or (tgt_ok is not None and tgt not in tgt_ok):
            raise wrong_direction(model_id, src, tgt, f"{src_code}-{tgt_code}")

    def spm_files(self, files):
        return files.path / "source.spm", files.path / "target.spm"


def _declared_langs(files, model_id: str) -> tuple[str, str] | None:
    """(source, target) codes from tokenizer_config.json, else from the model's name."""
    tc = files.tokenizer_config
    if isinstance(tc.get("source_lang"), str) and isinstance(tc.get("target_lang"), str):
        return tc["source_lang"], tc["target_lang"]
    for name in (model_id, str(files.config.get("_name_or_path", "")), files.path.name):
        match = _NAME.search(Path(name.rstrip("/")).name) if name else None
        if match:
            return match.group(1), match.group(2)
    return None
