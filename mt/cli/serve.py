"""``mt serve``: the HTTP API and the review page (thin over :mod:`mt.serve`)."""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.cli.options import DbOption, QuietOption, VerboseOption
from mt.errors import UserError


def parse_models(values: list[str]) -> dict[tuple[str, str], str]:
    """``SRC-TGT=ID_OR_DIR`` options as a mapping of direction → model."""
    from mt.lang import check_lang

    models: dict[tuple[str, str], str] = {}
    for value in values:
        pair, sep, model = value.partition("=")
        src, dash, tgt = pair.strip().partition("-")
        if not sep or not dash or not model.strip():
            raise UserError(f"--model takes SRC-TGT=ID_OR_DIR, not {value!r}")
        models[(check_lang(src), check_lang(tgt))] = model.strip()
    return models


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            metavar="SRC-TGT=ID_OR_DIR",
            help="Model for a direction (repeatable); default: configs/models.toml.",
        ),
    ] = None,
    db: DbOption = None,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            "--api-keys",
            metavar="FILE",
            help="Keys clients must send (api_key), one per line; key<TAB>N limits "
            "a key to N requests per minute.",
        ),
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option(metavar="N", help="Requests per minute per key (or client).")
    ] = None,
    batching: Annotated[
        bool, typer.Option(help="Decode concurrent requests together (dynamic batching).")
    ] = True,
    max_wait_ms: Annotated[
        float, typer.Option(help="How long the batcher gathers requests (ms).")
    ] = 5.0,
    batch_tokens: Annotated[
        int | None, typer.Option(metavar="N", help="Source tokens per batch.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds a request may take.")] = 120.0,
    max_body: Annotated[int, typer.Option(metavar="BYTES", help="Largest request body.")] = (
        10 * 1024 * 1024
    ),
    backend: Annotated[str, typer.Option(help="auto, ct2 or hf.")] = "auto",
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    threads: Annotated[int | None, typer.Option(metavar="N", help="Threads per engine.")] = None,
    no_glossary: Annotated[bool, typer.Option("--no-glossary", help="No glossary.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Serve a LibreTranslate-compatible API, /v1/ endpoints and the review page at /."""
    try:
        import uvicorn

        from mt.serve import ServeConfig, create_app
        from mt.serve.limits import read_api_keys
    except ImportError as exc:
        raise UserError(
            f'mt serve needs the serve extra ({exc.name} is missing): pip install -e ".[serve]"'
        ) from None
    if rate_limit is not None and rate_limit < 1:
        raise UserError("--rate-limit must be a positive number")
    config = ServeConfig(
        models=parse_models(model or []),
        db=db,
        api_keys=read_api_keys(api_keys) if api_keys else None,
        rate_limit=rate_limit,
        batching=batching,
        max_wait_ms=max_wait_ms,
        batch_tokens=batch_tokens,
        timeout_s=timeout,
        max_body_bytes=max_body,
        backend=backend,
        device=device,
        threads=threads,
        glossary=False if no_glossary else None,
    )
    server = _server_class()(
        uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=60,
        )
    )
    print(f"mt: serving on http://{host}:{port}/ (API docs at /docs)", file=sys.stderr)
    server.run()
    print("mt: server stopped; requests in flight were finished", file=sys.stderr)


def _server_class():
    """uvicorn's server, except that SIGINT/SIGTERM end it gracefully (requests in flight
    finish, then the batchers drain) and the command exits 0 rather than re-raising the
    signal (uvicorn's default, which mt's own handlers would turn into exit 143)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            saved = {}
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(ValueError):  # not the main thread
                    saved[sig] = signal.signal(sig, self.handle_exit)
            try:
                yield
            finally:
                for sig, handler in saved.items():
                    signal.signal(sig, handler)

    return Server
