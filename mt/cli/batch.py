"""``mt batch translate``: a whole collection (JSONL or Parquet) translated into shards.

Only the options are here; the job (planning, resuming, committing) is :mod:`mt.batch.job`
and the engines are :mod:`mt.batch.local` and :mod:`mt.batch.ray_engine`. Nothing goes to
stdout: the shards are the output, progress and the summary go to stderr.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mt.cli.options import Backend, Device, QuietOption, VerboseOption
from mt.lang import check_lang

batch_app = typer.Typer(
    help="Translate large collections resumably, on this machine or on a Ray cluster.",
    no_args_is_help=True,
)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class Format(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"


@batch_app.command("translate")
def translate_command(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="JSONL/Parquet file, or a folder of them.")
    ],
    src: Annotated[str, typer.Option("--src", help="Source language (en, az, ru).")] = ...,
    tgt: Annotated[str, typer.Option("--tgt", help="Target language (en, az, ru).")] = ...,
    out: Annotated[Path, typer.Option("--out", help="Output folder (shards + manifest).")] = ...,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model hub id or local directory (default: models.toml)."),
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local: this machine; ray: a Ray cluster.")
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Ray cluster to join (default: RAY_ADDRESS, else a local cluster for this job).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Engines in parallel (local default 1; ray: one per GPU, else one per 4 CPUs).",
        ),
    ] = None,
    shard_rows: Annotated[
        int, typer.Option("--shard-rows", min=1, help="Rows per shard (unit of resumption).")
    ] = 1000,
    fmt: Annotated[Format, typer.Option("--format", help="Output shard format.")] = Format.parquet,
    backend: Annotated[
        Backend, typer.Option("--backend", help="Inference backend.")
    ] = Backend.auto,
    device: Annotated[Device, typer.Option("--device", help="Where to run.")] = Device.auto,
    beam: Annotated[int, typer.Option("--beam", min=1, help="Beam size (1: greedy).")] = 4,
    batch_tokens: Annotated[
        int | None,
        typer.Option("--batch-tokens", min=1, help="Source tokens per batch (default by device)."),
    ] = None,
    threads: Annotated[
        int | None, typer.Option("--threads", min=1, help="CPU threads per worker.")
    ] = None,
    glossary: Annotated[
        Path | None, typer.Option("--glossary", help="Glossary TSV (default: the bundled one).")
    ] = None,
    no_glossary: Annotated[
        bool, typer.Option("--no-glossary", help="Do not enforce any glossary.")
    ] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Translate every row (id, text[, doc]) of INPUT into Parquet/JSONL shards in --out.

    A rerun with the same arguments resumes: shards already in the manifest are skipped.
    """
    from mt.batch.job import run_batch
    from mt.batch.worker import JobConfig

    gloss: str | bool | None = False if no_glossary else glossary and str(glossary.resolve())
    config = JobConfig(check_lang(src), check_lang(tgt), model, backend.value, device.value,
                       beam, batch_tokens, gloss, threads)  # fmt: skip
    summary = run_batch(
        input_path, out, config, fmt=fmt.value, shard_rows=shard_rows, engine=engine.value,
        workers=workers, ray_address=ray_address, progress=not quiet,
    )  # fmt: skip
    if not quiet:
        print(f"mt batch: {summary.line()}", file=sys.stderr)
