"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="MT_DB",
        help="Corpus store (SQLite file). Default: MT_DB or the user data directory.",
        show_default=False,
    ),
]
