"""Model families: how to recognise a checkpoint, steer it to a language and tokenize for it.

One small module per family registers a :class:`~mt.translate.families.base.Family`
subclass; :func:`detect_family` asks each, most specific first, whether it recognises a
model's ``config.json`` and ``tokenizer_config.json``. A new family is one new file plus one
import line below.
"""

from __future__ import annotations

from mt.errors import UserError

# Each import registers one family (a new family: one file and one line here).
from mt.translate.families import m2m100 as _m2m100  # noqa: E402,F401,I001
from mt.translate.families import marian as _marian  # noqa: E402,F401
from mt.translate.families import nllb as _nllb  # noqa: E402,F401
from mt.translate.families.base import FAMILIES, Family, register

__all__ = ["FAMILIES", "Family", "detect_family", "get_family", "register"]


def get_family(name: str) -> Family:
    """The registered family called ``name`` (as written in models.toml)."""
    return FAMILIES.get(name)


def detect_family(files) -> Family:
    """The family of a model directory, from its config and tokenizer config."""
    for _name, family in FAMILIES.items():
        if family.matches(files):
            return family
    kind = files.config.get("model_type") or files.config.get("architectures") or "unknown"
    known = ", ".join(FAMILIES.names())
    raise UserError(
        f"unsupported model type {kind!r} (supported families: {known})", path=files.path
    )
