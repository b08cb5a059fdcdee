"""``mt models list`` and ``mt models pull``: see what serves each direction, fetch ahead.

Pulling on a connected machine (optionally converting for CTranslate2 at once) is how an
offline machine gets its models: copy the Hugging Face hub cache over (and mt's cache, where
the CTranslate2 conversions live, or let them be made again), set HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mt.errors import UserError

models_app = typer.Typer(help="List and download translation models.", no_args_is_help=True)


FORMATS = ("auto", "table", "tsv", "json")
_COLUMNS = ("direction", "model", "default", "license", "size", "cached")


@models_app.command("list")
def list_command(
    src: Annotated[str | None, typer.Option("--src", help="Only this source language.")] = None,
    tgt: Annotated[str | None, typer.Option("--tgt", help="Only this target language.")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (a table on a terminal, else tsv) | table | tsv | json.",
        ),
    ] = "auto",
) -> None:
    """Directions, their default and alternative models, licenses, sizes, and what is cached.

    Piped (stdout not a terminal) it prints tab-separated lines under a header, for cut/awk;
    ``--format json`` prints a list of objects (direction, default, model, license, size_mb,
    cached, ct2, route: the steps with their own model, src, tgt, license, size_mb, cached).
    """
    import sys

    from mt.lang import check_lang
    from mt.translate.models import load_catalog

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    if fmt == "auto":
        fmt = "table" if sys.stdout.isatty() else "tsv"
    src = check_lang(src) if src else None
    tgt = check_lang(tgt) if tgt else None
    catalog = load_catalog()
    entries = [
        entry
        for (s, t), direction in catalog.directions.items()
        if not ((src and s != src) or (tgt and t != tgt))
        for entry in entries_for(catalog, direction)
    ]
    if fmt == "json":
        import json

        print(json.dumps(entries, ensure_ascii=False, indent=2))
    elif fmt == "tsv":
        print("\t".join(_COLUMNS))
        for entry in entries:
            print("\t".join(_clean(cell) for cell in _cells(entry, plain=True)))
    else:
        _print_table(entries)


def entries_for(catalog, direction) -> list[dict]:
    """What `mt models list` shows of a direction: the default (a model, or the pivot route)
    first, then the alternatives; one dict per row, as ``--format json`` prints it."""
    from mt.translate.models import choice_for, route

    if direction.pivot:
        steps = route(direction.src, direction.tgt)
        rows = [_entry(direction, steps, catalog, default=True)]
    else:
        step = choice_for(direction.default, direction.src, direction.tgt, catalog)
        rows = [_entry(direction, [step], catalog, default=True)]
    for model_id in direction.alternatives:
        try:
            step = choice_for(model_id, direction.src, direction.tgt, catalog)
        except UserError:  # listed for a direction it does not translate: show, don't fail
            step = None
        rows.append(_entry(direction, [step] if step else [], catalog, False, model_id))
    return rows


def _entry(direction, steps, catalog, default: bool, model_id: str | None = None) -> dict:
    from mt.translate.models import combined_license, route_license

    route_steps = []
    for step in steps:
        info = catalog.models.get(step.id)
        cached, ct2 = _cache_state(step.id)
        route_steps.append(
            {
                "model": step.id,
                "src": step.src,
                "tgt": step.tgt,
                "license": combined_license([step.license]),
                "size_mb": info.size_mb if info else None,
                "cached": cached,
                "ct2": ct2,
            }
        )
    sizes = [s["size_mb"] for s in route_steps]
    entry = {
        "direction": f"{direction.src}-{direction.tgt}",
        "default": default,
        "model": " + ".join(s["model"] for s in route_steps) or model_id,
        "license": route_license(steps) if steps else "unknown",
        "size_mb": sum(sizes) if sizes and None not in sizes else None,
        "cached": bool(route_steps) and all(s["cached"] for s in route_steps),
        "ct2": sorted(set.intersection(*(set(s["ct2"]) for s in route_steps)))
        if route_steps
        else [],
        "route": route_steps,
    }
    if direction.pivot and default:
        entry["pivot"] = direction.pivot
    return entry


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


def _cache_state(model_id: str) -> tuple[bool, list[str]]:
    """Whether ``model_id`` is usable offline, and the CTranslate2 quantizations converted for
    its cached snapshot (or local directory)."""
    from pathlib import Path

    from mt.translate.backends.ct2 import conversions
    from mt.translate.models import cached_snapshot, is_cached, is_local

    if not is_cached(model_id):
        return False, []
    if is_local(model_id):
        return True, conversions(Path(model_id).expanduser(), model_id=model_id)
    snap = cached_snapshot(model_id)
    if snap is None:
        return True, []
    return True, conversions(snap, model_id=model_id, revision=snap.name)


@models_app.command("pull")
def pull_command(
    model_id: Annotated[
        str, typer.Argument(metavar="ID", help="Hub id, e.g. Helsinki-NLP/opus-mt-en-ru.")
    ],
    ct2: Annotated[bool, typer.Option("--ct2", help="Also convert for CTranslate2.")] = False,
    device: Annotated[
        str,
        typer.Option("--device", help="Convert for auto|cpu|cuda (int8 on CPU, float16 on CUDA)."),
    ] = "cpu",
    compute_type: Annotated[
        str | None, typer.Option("--compute-type", help="Override the CTranslate2 quantization.")
    ] = None,
) -> None:
    """Download a model into the Hugging Face cache (and convert it) for offline use."""
    from rich.console import Console

    from mt.translate.models import (
        cached_snapshot,
        download,
        is_local,
        not_available,
        offline,
        resolve_model_dir,
    )

    err = Console(stderr=True)
    if is_local(model_id):
        path, _ = resolve_model_dir(model_id)
    elif offline():  # nothing to fetch; a cached copy still can be converted
        path = cached_snapshot(model_id)
        if path is None:
            raise not_available(model_id, "HF_HUB_OFFLINE is set")
        err.print("HF_HUB_OFFLINE is set: using the cached copy, not checked for updates")
    else:
        path = download(model_id)
    err.print(f"model {model_id}: {path}")
    if ct2:
        converted = _convert(path, model_id, device, compute_type)
        err.print(f"CTranslate2 ({converted.name}): {converted}")
    print(path)


def _convert(path, model_id: str, device: str, compute_type: str | None):
    from mt.translate.backends import resolve_device
    from mt.translate.backends.ct2 import (
        check_compute_type,
        default_compute_type,
        ensure_converted,
    )
    from mt.translate.families import detect_family
    from mt.translate.models import ModelFiles

    dev = resolve_device(device)
    quant = check_compute_type(compute_type or default_compute_type(dev), dev)
    family = detect_family(ModelFiles.read(path))
    if not family.converts_to_ct2:
        raise UserError(f"{family.name} models cannot be converted to CTranslate2")
    from mt.translate.models import is_local

    revision = None if is_local(model_id) else path.name
    return ensure_converted(path, quant, model_id=model_id, family=family.name, revision=revision)
