"""``mt models list`` and ``mt models pull``: see what serves each direction, fetch ahead.

Pulling on a connected machine (optionally converting for CTranslate2 at once) is how an
offline machine gets its models: copy the Hugging Face cache over, set HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mt.errors import UserError

models_app = typer.Typer(help="List and download translation models.", no_args_is_help=True)


@models_app.command("list")
def list_command(
    src: Annotated[str | None, typer.Option("--src", help="Only this source language.")] = None,
    tgt: Annotated[str | None, typer.Option("--tgt", help="Only this target language.")] = None,
) -> None:
    """Directions, their default and alternative models, licenses, sizes, and what is cached."""
    from rich.console import Console
    from rich.table import Table

    from mt.lang import check_lang
    from mt.translate.models import load_catalog

    src = check_lang(src) if src else None
    tgt = check_lang(tgt) if tgt else None
    table = Table(title="Translation models (models.toml)")
    for column in ("direction", "model", "default", "license", "size", "cached"):
        table.add_column(column)
    catalog = load_catalog()
    for (s, t), direction in catalog.directions.items():
        if (src and s != src) or (tgt and t != tgt):
            continue
        for row in _rows(catalog, direction):
            table.add_row(f"{s}-{t}", *row)
    Console(width=140).print(table)


def _rows(catalog, direction) -> list[tuple[str, ...]]:
    """Table rows of a direction: the default (or pivot route) first, then alternatives."""
    from mt.translate.models import route

    rows = []
    if direction.pivot:
        steps = route(direction.src, direction.tgt)
        names = " + ".join(step.id for step in steps)
        cached = "yes" if all(_cached(step.id) == "yes" for step in steps) else "no"
        licenses = " + ".join(sorted({catalog.models[s.id].license for s in steps}))
        size = " + ".join(catalog.models[s.id].size for s in steps)
        rows.append((f"pivot via {direction.pivot}: {names}", "yes", licenses, size, cached))
    else:
        rows.append(_model_row(catalog, direction.default, True))
    rows += [_model_row(catalog, mid, False) for mid in direction.alternatives]
    return rows


def _model_row(catalog, model_id: str, default: bool) -> tuple[str, ...]:
    info = catalog.models.get(model_id)
    license_ = info.license if info else "?"
    size = info.size if info else "?"
    return (model_id, "yes" if default else "", license_, size, _cached(model_id))


def _cached(model_id: str) -> str:
    """``yes``, ``yes (+ct2)`` when a CTranslate2 conversion sits beside it, or ``no``."""
    from mt.translate.models import cached_snapshot, is_cached

    if not is_cached(model_id):
        return "no"
    snap = cached_snapshot(model_id)
    if snap is not None and any(snap.glob("ct2-*/model.bin")):
        return "yes (+ct2)"
    return "yes"


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
        err.print(f"CTranslate2 ({converted.name.removeprefix('ct2-')}): {converted}")
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
