"""The ``mt`` command: every command group is mounted here, in one place.

Each group lives in its own module of this package (``align``, ``corpus``, ``translate``,
``models``, ``eval``, ``batch``), thin over the library. :func:`main` is the entry point of the
``mt`` script and ``python -m mt``: it turns a :class:`~mt.errors.UserError` into one line on
stderr with exit code 2, environment faults into exit 1, SIGINT/SIGTERM into a rollback and
exit 130/143, and a closed pipe into a quiet exit 0. Heavy libraries (torch, transformers,
NumPy) are imported inside commands, so ``mt --help`` and the corpus commands start fast.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from mt import __version__
from mt.cli import output
from mt.cli.align import align_app
from mt.cli.batch import batch_app
from mt.cli.corpus import corpus_app
from mt.cli.eval import eval_app
from mt.cli.models import models_app
from mt.cli.serve import serve_command
from mt.cli.translate import translate_command
from mt.errors import UserError

HELP_WIDTH = 100  # help piped to a file or a pager: no wrapping at 80 columns


def _version(value: bool) -> None:
    if value:
        print(f"mt {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="mt",
    help="Translate, evaluate and build parallel corpora of official statements (en, az, ru).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print mt's version and exit."
        ),
    ] = False,
) -> None:
    """Translate, evaluate and build parallel corpora of official statements (en, az, ru)."""


app.add_typer(align_app, name="align")
app.add_typer(corpus_app, name="corpus")
app.command("translate")(translate_command)
app.add_typer(models_app, name="models")
app.add_typer(eval_app, name="eval")
app.add_typer(batch_app, name="batch")
app.command("serve")(serve_command)


# ---------------------------------------------------------------------------- help text


def _words(param: Any) -> str:
    """A metavar that reads as a word (typer would print ``<str>``, ``<list[Path]>``)."""
    argument = getattr(param, "param_type_name", "") == "argument"
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None) if getattr(desc, "is_choice", False) else None
    annotation = getattr(desc, "annotation", None)
    if choices:
        word = "|".join(str(getattr(c, "value", c)) for c in choices)
    elif getattr(desc, "is_path", False) or annotation is Path:
        word = "FILE" if argument else "PATH"
    elif annotation is int:
        word = "N"
    elif annotation is float:
        word = "NUMBER"
    elif argument:
        word = (param.name or "value").upper()
    else:
        word = "TEXT"
    return word  # typer's usage line adds "..." to an argument taking several values


def _no_type(ctx: Any = None) -> None:
    return None


def _readable(command: Any) -> None:
    """Give every parameter of the command tree a readable metavar; flags get none."""
    for param in command.params:
        if getattr(param, "param_type_name", "") == "argument":
            param.display_type_rich = _no_type  # the name column already says what it is
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            param.metavar = _words(param)
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None and option.metavar is None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        _readable(sub)


_COMMAND: Any = None


def command() -> Any:
    """The click command tree of :data:`app` (built once), with readable help."""
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
        _readable(_COMMAND)
    return _COMMAND


def _help_width(args: list[str]) -> None:
    """Help piped to a file or a pager is not cut at rich's default of 80 columns."""
    if not _wants_help(args) or "TERMINAL_WIDTH" in os.environ or "COLUMNS" in os.environ:
        return
    with contextlib.suppress(OSError, ValueError):
        if sys.stdout.isatty():
            return
    from typer import rich_utils

    if rich_utils.MAX_WIDTH is None:
        rich_utils.MAX_WIDTH = HELP_WIDTH


class _Choices(dict):
    """``{aligners}``, ``{writers}``... in help texts: the registries' names, looked up only
    when help is shown (some registries import NumPy to fill themselves)."""

    def __missing__(self, key: str) -> str:
        from importlib import import_module

        module, attr = _REGISTRIES[key]
        names = getattr(import_module(module), attr).names()
        self[key] = value = ", ".join(names)
        return value


_REGISTRIES = {
    "aligners": ("mt.corpus.align.base", "ALIGNERS"),
    "writers": ("mt.corpus.formats", "WRITERS"),
    "readers": ("mt.corpus.formats", "READERS"),
    "metrics": ("mt.evaluate.metrics", "METRICS"),
    "checks": ("mt.evaluate.qa", "CHECKS"),
    "families": ("mt.translate.families", "FAMILIES"),
    "filters": ("mt.corpus.filters", "FILTERS"),
}


def _fill_choices(command: Any, args: list[str]) -> None:
    """Fill the help of the command that ``args`` name (``mt corpus export --help``)."""
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        command = sub
    # A group's help lists its commands' help too (and `mt align` stands for `align files`).
    targets = [command, *getattr(command, "commands", {}).values()]
    choices = _Choices()
    for target in targets:
        if target.help and "{" in target.help:
            target.help = _format(target.help, choices)
        for param in target.params:
            if param.help and "{" in param.help:
                param.help = _format(param.help, choices)


def _format(text: str, choices: _Choices) -> str:
    try:
        return text.format_map(choices)
    except (KeyError, ValueError, IndexError):  # braces that are not a registry's
        return text


def _wants_help(args: list[str]) -> bool:
    return len(args) <= 1 or "--help" in args or "-h" in args


# ---------------------------------------------------------------------------- errors


def fail(message: str, code: int = 2) -> None:
    """Print one clean error line and exit (2: the user's input; 1: the environment)."""
    print(f"mt: error: {message}", file=sys.stderr)
    sys.exit(code)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, so that no ``except Exception`` swallows
    it while ``with`` blocks still run: transactions roll back, temporary files go away."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _install_signal_handlers() -> None:
    """Our own handlers: typer/click turn KeyboardInterrupt into a silent exit 130, and the
    default SIGTERM kills the process before cleanup can run."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread (embedded use)
            signal.signal(sig, _on_signal)


def _interrupted(signum: int) -> None:
    name = "interrupted" if signum == signal.SIGINT else "terminated"
    with contextlib.suppress(Exception):
        print(f"mt: {name}; nothing half-written was kept", file=sys.stderr)
    sys.exit(128 + signum)


def _fault(exc: BaseException) -> tuple[str, int]:
    """One line and the exit code for a failure that reached the top unexplained."""
    from mt.corpus.store import Store, explain_db_error

    if isinstance(exc, sqlite3.Error):
        err = explain_db_error(exc, Store.last_path)
        return err.format(), err.exit_code
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            reason += " (nothing was written)"
        return f"{where}{reason}", 1
    if isinstance(exc, MemoryError):
        return "out of memory", 1
    raise exc


def _click_exceptions() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """(ClickException, Exit, Abort) classes of click and of typer's bundled copy of click.

    typer >= 0.29 raises its own vendored click exceptions, which are not subclasses of
    ``click.ClickException``; both must be caught to keep usage errors to one line.
    """
    import importlib

    modules = [click.exceptions]
    for name in ("typer._click.exceptions", "typer.exceptions"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))

    def collect(attr: str) -> tuple[type, ...]:
        return tuple({getattr(m, attr) for m in modules if hasattr(m, attr)})

    return collect("ClickException"), collect("Exit"), collect("Abort")


_CLICK_ERRORS, _CLICK_EXITS, _CLICK_ABORTS = _click_exceptions()


def _usage_line(exc: Exception) -> str:
    message = exc.format_message()  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mt`` script and ``python -m mt``."""
    _install_signal_handlers()
    args = list(sys.argv[1:] if argv is None else argv)
    output.UI.reset()
    output.UI.started = time.perf_counter()
    _help_width(args)
    if _wants_help(args):
        _fill_choices(command(), args)
    try:
        rv = command().main(args=args, prog_name="mt", standalone_mode=False)
    except Interrupted as exc:
        _interrupted(exc.signum)
    except UserError as exc:
        fail(exc.format(), exc.exit_code)
    except _CLICK_EXITS as exc:
        _timing()
        sys.exit(exc.exit_code)
    except SystemExit as exc:
        # typer/click answer a closed pipe (EPIPE) with exit 1 after wrapping stdout.
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _reader_left()
        raise
    except _CLICK_ABORTS:
        _interrupted(signal.SIGINT)
    except _CLICK_ERRORS as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            print(ctx.get_help())  # `mt corpus` alone: show the help, as --help would
            sys.exit(0)
        fail(_usage_line(exc))
    except KeyboardInterrupt:
        _interrupted(signal.SIGINT)
    except BrokenPipeError:
        _reader_left()
    except (OSError, MemoryError, sqlite3.Error) as exc:
        fail(*_fault(exc))
    try:
        sys.stdout.flush()  # buffered output still pending: the pipe may be gone by now
    except BrokenPipeError:
        _reader_left()
    _timing()
    if isinstance(rv, int) and rv:
        sys.exit(rv)


def _timing() -> None:
    """``--verbose``: how long the command took, the last line on stderr."""
    output.detail(f"done in {output.elapsed():.2f} s")


def _reader_left() -> None:
    """`mt align big.txt ... | head -1`: the reader left; that is not an error. Point stdout
    at /dev/null so the interpreter's final flush cannot fail again, and exit 0."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)
