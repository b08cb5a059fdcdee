"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def parse_db(value: str | Path) -> Path:
    """``--db``/``MT_DB``: a SQLite file (a ``Path``) or a ``postgresql://`` URL, kept as a
    string (a ``Path`` would fold its ``//``); :meth:`Store.open` takes either."""
    from mt.corpus.dialects import StoreURL, is_pg_url

    if isinstance(value, Path):
        return value
    return StoreURL(value) if is_pg_url(value) else Path(value)  # type: ignore[return-value]


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="MT_DB",
        parser=parse_db,
        metavar="PATH|URL",
        help="Corpus store: a SQLite file or a postgresql:// URL. "
        "Default: MT_DB or the user data directory.",
        show_default=False,
    ),
]
