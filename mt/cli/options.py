"""Options shared by several commands, declared once (as huggingface_hub's ``_cli_utils``).

Every command takes ``--quiet/-q`` and ``--verbose/-v`` (:data:`QuietOption`,
:data:`VerboseOption`); listing commands take ``--format text|json``
(:data:`ListFormatOption`); commands that use the corpus store take ``--db``
(:data:`DbOption`). The quiet/verbose callbacks record the choice in
:data:`mt.cli.output.UI`, which the progress bars and summaries consult, so the semantics
are the same for every command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mt.cli import output


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


def _verbosity(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> bool:
    """Record ``--quiet``/``--verbose`` for this command (a new context starts afresh)."""
    ui = output.UI
    if ui.ctx is not ctx:
        ui.reset()
        ui.ctx = ctx
    setattr(ui, "quiet" if param.name == "quiet" else "verbose", bool(value))
    if ui.quiet and ui.verbose:
        raise typer.BadParameter("--quiet and --verbose are alternatives: give one")
    return value


QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        callback=_verbosity,
        help="No progress bar and no summary on stderr (errors and warnings still show).",
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", callback=_verbosity, help="More detail on stderr, with timings."
    ),
]


class Backend(StrEnum):
    """Inference backend (``mt translate``, ``mt batch translate``)."""

    auto = "auto"
    ct2 = "ct2"
    hf = "hf"


class Device(StrEnum):
    """Where models run."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


ListFormatOption = Annotated[
    ListFormat,
    typer.Option("--format", metavar="text|json", help="text (for people and cut/awk) or json."),
]

LangOption = Annotated[str, typer.Option(metavar="LANG", help="Language code (en, az, ru).")]
PairOption = Annotated[str, typer.Option(metavar="PAIR", help="Language pair, e.g. en-ru.")]
