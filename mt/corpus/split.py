"""Which split (train/dev/test) a document belongs to.

Splits are by document so that one statement never lands in two splits. A document's meta
may fix its split (the bundled corpus does: its dev/test documents are the translation test
sets); otherwise a stable hash of the document key decides, so the answer never changes
between runs or machines.
"""

from __future__ import annotations

import hashlib

from mt.errors import UserError

SPLITS = ("train", "dev", "test")
# Share of documents without an explicit split that go to train/dev (rest: test).
DEFAULT_RATIOS = (0.8, 0.1)


def check_split(name: str) -> str:
    if name not in SPLITS:
        raise UserError(f"unknown split {name!r} (expected one of: {', '.join(SPLITS)})")
    return name


def split_of(doc_key: str, explicit: str | None = None) -> str:
    """The split of a document: its explicit split if set, else a stable hash bucket."""
    if explicit:
        return explicit
    digest = hashlib.blake2b(doc_key.encode("utf-8"), digest_size=8).digest()
    x = int.from_bytes(digest, "big") / 2**64
    train, dev = DEFAULT_RATIOS
    if x < train:
        return "train"
    return "dev" if x < train + dev else "test"
