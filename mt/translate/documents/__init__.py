"""Documents that are not text: Word (.docx) and XLIFF 1.2 / 2.x, translated in place.

Each format is a :class:`Handler` registered under its file suffixes; ``mt translate``
looks the input's suffix up in :data:`HANDLERS` (so the CLI's list of supported files comes
from here). A handler reads the file, turns every piece of text to translate (a Word
paragraph, an XLIFF segment) into inline markup nodes (:mod:`.inline`), has the
:class:`~mt.translate.pipeline.Translator` translate them all as one document (sentences
across runs and tags, batching, glossary, memory), and writes the same file back with the
translations in place of the text (Word) or as targets (XLIFF).

Heavy imports (python-docx, lxml) happen inside the handlers' methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mt.registry import Registry
from mt.textio import read_bytes

if TYPE_CHECKING:
    from mt.translate.pipeline import TranslationResult, Translator

Progress = Callable[[int, int], None]


@dataclass
class Translated:
    """A translated document: the file's new bytes, the sentences, and a one-line summary."""

    result: TranslationResult
    data: bytes
    summary: str | None = None


class Handler(Protocol):
    """One document format."""

    name: str
    suffixes: tuple[str, ...]
    binary: bool  # False: the output is text (XML) and may go to stdout

    def check(self, data: bytes, path: str, src: str, targets: list[str]) -> None:
        """Raise :class:`UserError` now (before any model loads) if the file is unusable."""

    def translate(self, data: bytes, path: str, translator: Translator,
                  progress: Progress | None = None) -> Translated:  # fmt: skip
        """The file translated by ``translator``."""


#: Document handlers by file suffix (``.docx``, ``.xlf``, ...).
HANDLERS: Registry[Handler] = Registry("document format")


def register(handler: Handler) -> Handler:
    """Make a handler available under each of its suffixes."""
    for suffix in handler.suffixes:
        HANDLERS.add(suffix, handler)
    return handler


def suffixes() -> tuple[str, ...]:
    """Every supported document suffix."""
    return HANDLERS.names()


def handler_for(path: str | Path | None) -> Handler | None:
    """The handler for the file's suffix; None for text, Markdown, HTML and stdin."""
    if path is None or str(path) == "-":
        return None
    return HANDLERS.find(Path(path).suffix.lower())


def _register_builtin() -> None:
    from mt.translate.documents.docx import DocxHandler
    from mt.translate.documents.xliff import XliffHandler

    register(DocxHandler())
    register(XliffHandler())


_register_builtin()

__all__ = ["HANDLERS", "Handler", "Translated", "handler_for", "read_bytes", "register",
           "suffixes"]  # fmt: skip
