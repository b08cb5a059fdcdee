"""``mt batch translate``: mounted from :mod:`mt.batch.cli`, where it is still being built.

The command keeps its own ``--quiet/-q``; ``--verbose/-v`` (the shared option) is added here,
so that every ``mt`` command takes both. When :mod:`mt.batch.cli` is finished, it moves here
and takes :data:`~mt.cli.options.VerboseOption` in its signature like the other commands.
"""

from __future__ import annotations

import inspect
import typing

import typer

from mt.batch.cli import translate_command as _translate
from mt.cli.options import VerboseOption

batch_app = typer.Typer(
    help="Translate large collections resumably, on this machine or on a Ray cluster.",
    no_args_is_help=True,
)


def _with_verbose(command):
    """``command`` with the shared ``--verbose`` added to its parameters."""
    hints = typing.get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    params = [p.replace(annotation=hints.get(p.name, p.annotation))
              for p in signature.parameters.values()]  # fmt: skip
    params.append(inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=False,
                                    annotation=VerboseOption))  # fmt: skip

    def wrapper(*args, verbose: bool = False, **kwargs):
        return command(*args, **kwargs)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


batch_app.command("translate")(_with_verbose(_translate))
