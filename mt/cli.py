"""The ``mt`` command: one typer app assembled from the layers' own command modules.

Each layer keeps its commands beside its code (``mt.corpus.cli``, ``mt.translate.cli``,
``mt.evaluate.cli``); this module only mounts them and turns a :class:`~mt.errors.UserError`
into one line on stderr with exit code 2. Heavy libraries (torch, transformers) are imported
inside commands, so ``mt --help`` and the corpus commands start fast.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import sqlite3
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
    from mt.corpus.cli import align_app, corpus_app

    app.add_typer(align_app, name="align")
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
    import sqlite3

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
    try:
        rv = app(args=argv, prog_name="mt", standalone_mode=False)
    except Interrupted as exc:
        _interrupted(exc.signum)
    except UserError as exc:
        fail(exc.format(), exc.exit_code)
    except _CLICK_EXITS as exc:
        sys.exit(exc.exit_code)
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
        # `mt corpus export ... | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)
    except (OSError, MemoryError, sqlite3.Error) as exc:
        fail(*_fault(exc))
    if isinstance(rv, int) and rv:
        sys.exit(rv)
