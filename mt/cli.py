"""The ``mt`` command: one typer app assembled from the layers' own command modules.

Each layer keeps its commands beside its code (``mt.corpus.cli``, ``mt.translate.cli``,
``mt.evaluate.cli``); this module only mounts them and turns a :class:`~mt.errors.UserError`
into one line on stderr with exit code 2. Heavy libraries (torch, transformers) are imported
inside commands, so ``mt --help`` and the corpus commands start fast.
"""

from __future__ import annotations

import sys

import click
import typer

from mt.errors import UserError

app = typer.Typer(
    name="mt",
    help="Translate, evaluate and build parallel corpora of official statements (en, az, ru).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _mount() -> None:
    from mt.corpus.cli import align_command, corpus_app

    app.command("align")(align_command)
    app.add_typer(corpus_app, name="corpus")
    try:
        from mt.translate.cli import models_app, translate_command
    except ImportError:  # the translation layer is optional while it is being built
        pass
    else:
        app.command("translate")(translate_command)
        app.add_typer(models_app, name="models")
    try:
        from mt.evaluate.cli import eval_app
    except ImportError:
        pass
    else:
        app.add_typer(eval_app, name="eval")


_mount()


def fail(message: str) -> None:
    """Print one clean error line and exit 2 (the contract for every user error)."""
    print(f"mt: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mt`` script and ``python -m mt``."""
    try:
        rv = app(args=argv, standalone_mode=False)
    except UserError as exc:
        fail(exc.format())
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        print("mt: aborted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except KeyboardInterrupt:
        print("mt: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # `mt corpus export ... | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)
    if isinstance(rv, int) and rv:
        sys.exit(rv)
