"""The ``mt`` command line: :data:`app` (typer) and :func:`main` (the entry point).

Layout (as huggingface_hub's ``cli/``): :mod:`mt.cli.root` mounts every command group;
:mod:`mt.cli.options` holds the shared options, :mod:`mt.cli.output` the quiet/verbose state
and stdout/stderr helpers, :mod:`mt.cli.progress` the one progress bar; one module per command
group (:mod:`~mt.cli.align`, :mod:`~mt.cli.corpus`, :mod:`~mt.cli.translate`,
:mod:`~mt.cli.models`, :mod:`~mt.cli.eval`, :mod:`~mt.cli.batch`), each thin over the library.
"""

from mt.cli.root import app, main

__all__ = ["app", "main"]
