"""``mt models list`` and ``mt models pull``: see what serves each direction, fetch ahead.

Pulling on a connected machine (optionally converting for CTranslate2 at once) is how an
offline machine gets its models: copy the Hugging Face hub cache over (and mt's cache, where
the CTranslate2 conversions live, or let them be made again), set HF_HUB_OFFLINE=1. The rows
come from :func:`mt.translate.models.catalog_entries`; this module only lays them out.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mt.cli.options import QuietOption, VerboseOption
from mt.cli.output import detail, dump_json, info
from mt.errors import UserError

models_app = typer.Typer(help="List and download translation models.", no_args_is_help=True)


FORMATS = ("auto", "table", "tsv", "json")
_COLUMNS = ("direction", "model", "default", "license", "size", "cached")


@models_app.command("list")
def list_command(
    src: Annotated[
        str | None, typer.Option("--src", metavar="LANG", help="Only this source language.")
    ] = None,
    tgt: Annotated[
        str | None, typer.Option("--tgt", metavar="LANG", help="Only this target language.")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="auto|table|tsv|json",
            help="auto (a table on a terminal, else tsv) | table | tsv | json.",
        ),
    ] = "auto",
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Directions, their default and alternative models, licenses, sizes, and what is cached.

    Piped (stdout not a terminal) it prints tab-separated lines under a header, for cut/awk;
    ``--format json`` prints a list of objects (direction, default, model, license, size_mb,
    cached, ct2, route: the steps with their own model, src, tgt, license, size_mb, cached).
    """
    from mt.translate.models import catalog_entries

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    if fmt == "auto":
        fmt = "table" if sys.stdout.isatty() else "tsv"
    entries = catalog_entries(src, tgt)
    if fmt == "json":
        dump_json(entries)
    elif fmt == "tsv":
        print("\t".join(_COLUMNS))
        for entry in entries:
            print("\t".join(_clean(cell) for cell in _cells(entry, plain=True)))
    else:
        _print_table(entries)


def _cells(entry: dict, plain: bool) -> tuple[str, ...]:
    """One row's cells in _COLUMNS order."""
    from mt.translate.models import format_size

    model = entry["model"]
    if "pivot" in entry:
        model = f"pivot via {entry['pivot']}: {model}"
    if len(entry["route"]) > 1:
        size = " + ".join(format_size(s["size_mb"]) for s in entry["route"])
    else:
        size = format_size(entry["size_mb"])
    cached = "yes" if entry["cached"] else "no"
    if entry["cached"] and entry["ct2"]:
        cached += f" (+ct2 {','.join(entry['ct2'])})"
    default = "yes" if entry["default"] else ("no" if plain else "")
    return (entry["direction"], model, default, entry["license"], size, cached)


def _clean(cell: str) -> str:
    return " ".join(str(cell).split())  # no tab or newline may break a TSV line


def _print_table(entries: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Translation models (models.toml)")
    for column in _COLUMNS:
        table.add_column(column)
    for entry in entries:
        table.add_row(*_cells(entry, plain=False))
    Console(width=140).print(table)


@models_app.command("pull")
def pull_command(
    model_id: Annotated[
        str, typer.Argument(metavar="ID", help="Hub id, e.g. Helsinki-NLP/opus-mt-en-ru.")
    ],
    ct2: Annotated[bool, typer.Option("--ct2", help="Also convert for CTranslate2.")] = False,
    device: Annotated[
        str,
        typer.Option(
            "--device",
            metavar="auto|cpu|cuda",
            help="Convert for auto|cpu|cuda (int8 on CPU, float16 on CUDA).",
        ),
    ] = "cpu",
    compute_type: Annotated[
        str | None,
        typer.Option(
            "--compute-type", metavar="TYPE", help="Override the CTranslate2 quantization."
        ),
    ] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Download a model into the Hugging Face cache (and convert it) for offline use.

    The model's directory goes to stdout; what was done goes to stderr."""
    from mt.translate.models import convert, pull

    path, note = pull(model_id)
    if note:
        info(note)
    info(f"model {model_id}: {path}")
    if ct2:
        converted = convert(path, model_id, device, compute_type)
        info(f"CTranslate2 ({converted.name}): {converted}")
        detail(f"converted for {device}")
    print(path)
