"""The translation memory: normalized source sentence -> human translation, from the store
or a mapping, looked up before any model runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mt.lang import normalize
from mt.translate.pipeline.sentences import _Slot, _squash

if TYPE_CHECKING:
    from mt.corpus.store import Store


def _tm_key(pieces: Sequence[str | _Slot], lang: str) -> str:
    text = "".join(p for p in pieces if isinstance(p, str))
    return _squash(normalize(text, lang)).strip()


def load_memory(tm: bool | Mapping[str, str], store: Store | str | Path | None, src: str,
                tgt: str) -> dict[str, str]:  # fmt: skip
    """Translation memory keyed like :func:`_tm_key` (empty when off or no store): ``tm``
    a mapping of its own, else the store's (a Store, or a path opened read-only)."""
    if isinstance(tm, Mapping):
        entries: Mapping[str, str] = tm
    elif not tm or store is None:
        return {}
    elif isinstance(store, str | Path):
        from mt.corpus.store import Store

        with Store.open(store, readonly=True) as opened:
            entries = opened.translation_memory(src, tgt)
    else:
        entries = store.translation_memory(src, tgt)
    return {_tm_key([k], src): v for k, v in entries.items()}
