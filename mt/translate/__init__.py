"""The translation layer: models and backends, the pipeline, glossary, markup, `mt translate`.

``from mt.translate import Translator`` is the Python API. It is exported lazily so that
importing the package (as the CLI does for ``mt --help``) loads nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mt.translate.glossary import Glossary
    from mt.translate.pipeline import SentenceRecord, TranslationResult, Translator

__all__ = ["Glossary", "SentenceRecord", "TranslationResult", "Translator"]

_WHERE = {
    "Translator": "mt.translate.pipeline",
    "TranslationResult": "mt.translate.pipeline",
    "SentenceRecord": "mt.translate.pipeline",
    "Glossary": "mt.translate.glossary",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'mt.translate' has no attribute {name!r}")
