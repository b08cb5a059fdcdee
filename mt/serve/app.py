"""The HTTP API of ``mt serve``: LibreTranslate-compatible endpoints, ours under ``/v1/``,
and the review page at ``/``.

LibreTranslate's shape (``POST /translate``, ``/detect``, ``/translate_file``, ``GET
/languages``, ``/download_file/...``): bodies as JSON, ``application/x-www-form-urlencoded``
or ``multipart/form-data``; ``q`` a string or a list, answered in the same shape;
``{"error": "..."}`` with 400 (a bad request), 403 (API key), 404, 413 (too large), 429
(rate limit), 500 (no stack trace) and 503 (timed out).

Models are those of ``configs/models.toml`` (or ``--model SRC-TGT=ID_OR_DIR``), each loaded
once, on the first request for its direction. Every direction's engines are wrapped in a
:class:`~mt.serve.batcher.BatchingEngine`, so the sentences of concurrent requests are decoded
together in the pipeline's own token-budget batches. Each request runs the full pipeline
(segmentation, memory, glossary, markup) in a worker thread.
"""

import asyncio
import copy
import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt.errors import UserError
from mt.lang import LANGS
from mt.serve.batcher import Batchers
from mt.serve.detect import detect, detect_one
from mt.serve.limits import BodyLimit, BodyTooLarge, RateLimiter

log = logging.getLogger("mt.serve")

LANGUAGE_NAMES = {"en": "English", "az": "Azerbaijani", "ru": "Russian"}
STATIC = Path(__file__).parent / "static"
TEXT_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


@dataclass
class ServeConfig:
    """Everything ``mt serve`` decides; :func:`create_app` needs nothing else."""

    models: dict[tuple[str, str], str] = field(default_factory=dict)  # overrides per direction
    db: Path | str | None = None  # the store: translation memory, search, approvals
    api_keys: dict[str, int | None] | None = None  # None: no key needed
    rate_limit: int | None = None  # requests per minute per key (or client) by default
    max_body_bytes: int = 10 * 1024 * 1024
    char_limit: int = 200_000  # characters of q per request
    timeout_s: float = 120.0
    batching: bool = True
    max_wait_ms: float = 5.0
    batch_tokens: int | None = None
    backend: str = "auto"
    device: str = "auto"
    threads: int | None = None
    beam: int = 4
    max_length_ratio: float = 3.0
    glossary: Any = None  # None: the bundled one; False: none; a path
    tm: bool = True
    files_kept: int = 64  # translated files kept for download


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Service:
    """Translators per direction (built lazily, once), the batchers, translated files."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.batchers = Batchers(
            batch_tokens=config.batch_tokens,
            max_wait_ms=config.max_wait_ms,
            enabled=config.batching,
        )
        self._translators: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._dir_locks: dict[tuple[str, str], threading.Lock] = {}
        self.files: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.limiter = RateLimiter()

    def translator(self, src: str, tgt: str) -> Any:
        """A Translator for the direction, private to the caller (a shallow copy of the
        shared one: same engines, memory and glossary; its own progress state)."""
        key = (src, tgt)
        with self._lock:
            lock = self._dir_locks.setdefault(key, threading.Lock())
        with lock:
            shared = self._translators.get(key)
            if shared is None:
                shared = self._build(src, tgt)
                self._translators[key] = shared
        return copy.copy(shared)

    def _build(self, src: str, tgt: str) -> Any:
        from mt.translate import engine as engines
        from mt.translate.pipeline import DecodeOptions, Translator

        c = self.config
        model = c.models.get((src, tgt))
        chain = engines.route(src, tgt, model)
        loaded = [
            engines.load_engine(
                step.id, step.src, step.tgt, backend=c.backend, device=c.device, threads=c.threads
            )
            for step in chain
        ]
        wrapped = [self.batchers.wrap(e) for e in loaded]
        store = c.db if c.tm and c.db is not None and _exists(c.db) else None
        return Translator.from_engines(
            wrapped,
            decode=DecodeOptions(beam_size=c.beam, max_length_ratio=c.max_length_ratio),
            glossary=c.glossary,
            tm=c.tm,
            store=store,
            batch_tokens=c.batch_tokens,
        )

    def refresh_memory(self, src: str, tgt: str) -> None:
        """After an approval: the direction's translation memory is read again."""
        with self._lock:
            shared = self._translators.get((src, tgt))
        if shared is not None and self.config.db is not None:
            shared.tm = shared._load_tm(True, self.config.db)

    def keep_file(self, name: str, data: bytes, media: str) -> str:
        file_id = f"{uuid.uuid4().hex}-{_safe_name(name)}"
        with self._lock:
            self.files[file_id] = (data, media)
            while len(self.files) > self.config.files_kept:
                self.files.popitem(last=False)
        return file_id

    def close(self) -> None:
        self.batchers.close()


def _exists(db: Path | str) -> bool:
    return str(db).startswith("postgres") or Path(db).exists()


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in Path(name).name)
    return keep[-80:] or "file"


# ---------------------------------------------------------------------------- the app


def create_app(config: ServeConfig | None = None) -> Any:
    """The FastAPI application for ``config``."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException

    config = config or ServeConfig()
    service = Service(config)

    @asynccontextmanager
    async def lifespan(app):
        import anyio.to_thread

        # Enough threads that every waiting request can sit in the batcher's queue.
        anyio.to_thread.current_default_thread_limiter().total_tokens = 256
        yield
        # Shutdown: uvicorn has finished the requests in flight; finish anything queued.
        await run_in_threadpool(service.close)

    app = FastAPI(
        title="mt serve",
        version="1",
        description="Translation (LibreTranslate-compatible), alignment, scoring, QA "
        "and corpus search for official statements in en, az and ru.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error(exc.status, exc.message)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError):
        return error(400, exc.format())

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge):
        return error(413, f"request body larger than {config.max_body_bytes} bytes")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error(400, "invalid request")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("internal error on %s", request.url.path)
        return error(500, "internal error")

    # -- helpers ---------------------------------------------------------------------------

    async def params(request: Request) -> dict[str, Any]:
        """The body as a dict, whether JSON, urlencoded or multipart (files kept as
        UploadFile), with the query string's parameters underneath."""
        data: dict[str, Any] = dict(request.query_params)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            try:
                body = await request.json()
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "invalid JSON body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "the JSON body must be an object")
            data.update(body)
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = await request.form()
            except BodyTooLarge:
                raise
            except Exception:  # noqa: BLE001 - a malformed form
                raise ApiError(400, "invalid form body") from None
            for key in form:
                values = form.getlist(key)
                data[key] = values if key == "q" and len(values) > 1 else values[-1]
        elif await request.body():
            raise ApiError(400, f"unsupported content type {kind or 'none'!r}")
        return data

    def authorize(request: Request, data: dict[str, Any]) -> None:
        """API key (when the server has keys) and the rate limit."""
        key = data.get("api_key") or request.headers.get("x-api-key") or ""
        if config.api_keys is not None:
            if key not in config.api_keys:
                raise ApiError(403, "Invalid API key")
            limit = config.api_keys[key] or config.rate_limit
            who = f"key:{key}"
        else:
            limit = config.rate_limit
            who = f"ip:{request.client.host if request.client else '-'}"
        if not service.limiter.allow(who, limit):
            raise ApiError(429, f"rate limit exceeded ({limit} requests per minute)")

    async def run(fn, *args):
        """``fn(*args)`` in a worker thread, within the request timeout."""
        try:
            return await asyncio.wait_for(run_in_threadpool(fn, *args), config.timeout_s)
        except TimeoutError:
            raise ApiError(503, f"timed out after {config.timeout_s:g} s") from None

    def lang_arg(data: dict[str, Any], name: str, *, auto: bool = False) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"Invalid request: missing {name} parameter")
        value = value.strip().lower()
        if auto and value == "auto":
            return value
        if value not in LANGS:
            raise ApiError(400, f"{value} is not supported (supported: {', '.join(LANGS)})")
        return value

    def string_list(data: dict[str, Any], name: str) -> list[str]:
        value = data.get(name)
        if isinstance(value, str):
            value = value.splitlines() if "\n" in value else [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(400, f"Invalid request: {name} must be a list of strings")
        return value

    # -- LibreTranslate --------------------------------------------------------------------

    translate_doc = {
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["q", "source", "target"],
                        "properties": {
                            "q": {
                                "oneOf": [
                                    {"type": "string"},
                                    {"type": "array", "items": {"type": "string"}},
                                ]
                            },
                            "source": {"type": "string", "example": "en"},
                            "target": {"type": "string", "example": "ru"},
                            "format": {"type": "string", "enum": ["text", "html"]},
                            "api_key": {"type": "string"},
                        },
                    }
                }
            }
        }
    }

    @app.post("/translate", openapi_extra=translate_doc, tags=["LibreTranslate"])
    async def translate(request: Request):
        """Translate ``q`` (a string or a list) from ``source`` (or ``auto``) to ``target``."""
        data = await params(request)
        authorize(request, data)
        q = data.get("q")
        if q is None or q == "" or q == []:
            raise ApiError(400, "Invalid request: missing q parameter")
        items = q if isinstance(q, list) else [q]
        if not all(isinstance(x, str) for x in items):
            raise ApiError(400, "Invalid request: q must be a string or a list of strings")
        if sum(len(x) for x in items) > config.char_limit:
            raise ApiError(400, f"Invalid request: q is longer than {config.char_limit} characters")
        source = lang_arg(data, "source", auto=True)
        target = lang_arg(data, "target")
        fmt = str(data.get("format") or "text").lower()
        if fmt not in ("text", "html"):
            raise ApiError(400, f"Invalid request: format must be text or html, not {fmt!r}")
        detected = None
        if source == "auto":
            detected = detect(" ".join(items))[0]
            source = str(detected["language"])
        outputs = await asyncio.gather(
            *(run(_translate_one, service, x, source, target, fmt) for x in items)
        )
        answer: dict[str, Any] = {"translatedText": outputs if isinstance(q, list) else outputs[0]}
        if detected is not None:
            answer["detectedLanguage"] = detected
        return answer

    @app.get("/languages", tags=["LibreTranslate"])
    async def languages():
        """The languages and, for each, the targets it translates into."""
        return [
            {"code": c, "name": LANGUAGE_NAMES[c], "targets": [t for t in LANGS if t != c]}
            for c in LANGS
        ]

    @app.post("/detect", tags=["LibreTranslate"])
    async def detect_language(request: Request):
        """en, az or ru, by script and letters."""
        data = await params(request)
        authorize(request, data)
        q = data.get("q")
        if not isinstance(q, str) or not q.strip():
            raise ApiError(400, "Invalid request: missing q parameter")
        return detect(q)

    @app.post("/translate_file", tags=["LibreTranslate"])
    async def translate_file(request: Request):
        """Translate a file (txt, md, html, docx, xliff); answer a URL to download it from."""
        data = await params(request)
        authorize(request, data)
        upload = data.get("file")
        if upload is None or isinstance(upload, str | list):
            raise ApiError(400, "Invalid request: missing file parameter")
        source = lang_arg(data, "source", auto=True)
        target = lang_arg(data, "target")
        name = upload.filename or "file.txt"
        body = await upload.read()
        if not body:
            raise ApiError(400, "Invalid request: empty file")
        out, media = await run(_translate_file, service, name, body, source, target)
        stem, suffix = Path(_safe_name(name)).stem, Path(name).suffix.lower()
        file_id = service.keep_file(f"{stem}.{target}{suffix}", out, media)
        return {"translatedFileUrl": f"{str(request.base_url).rstrip('/')}/download_file/{file_id}"}

    @app.get("/download_file/{file_id}", tags=["LibreTranslate"])
    async def download_file(file_id: str):
        found = service.files.get(file_id)
        if found is None:
            raise ApiError(404, "no such file (files are kept for a while only)")
        data, media = found
        name = file_id.split("-", 1)[-1]
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -- ours ------------------------------------------------------------------------------

    @app.get("/health", tags=["mt"])
    async def health():
        batchers = [
            {
                "direction": f"{b.src_lang}-{b.tgt_lang}",
                "calls": b.merged_calls,
                "engine_calls": b.engine_calls,
                "batching": b.enabled,
            }
            for b in service.batchers.all()
        ]
        return {
            "status": "ok",
            "directions_loaded": [f"{s}-{t}" for s, t in service._translators],
            "batchers": batchers,
        }

    @app.post("/v1/align", tags=["mt"])
    async def align(request: Request):
        """Align two texts: ``src_text``, ``tgt_text``, ``src``, ``tgt`` [, ``method``]."""
        data = await params(request)
        authorize(request, data)
        src, tgt = lang_arg(data, "src"), lang_arg(data, "tgt")
        texts = [data.get("src_text"), data.get("tgt_text")]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise ApiError(400, "Invalid request: src_text and tgt_text are required")
        return await run(_align, texts[0], texts[1], src, tgt, data.get("method"))

    @app.post("/v1/score", tags=["mt"])
    async def score(request: Request):
        """sacrebleu scores: ``hyps``, ``refs`` (a list, or a list of lists), ``tgt``,
        [``metrics``]."""
        data = await params(request)
        authorize(request, data)
        tgt = lang_arg(data, "tgt")
        hyps = string_list(data, "hyps")
        refs = data.get("refs")
        if isinstance(refs, list) and refs and all(isinstance(r, list) for r in refs):
            streams = [[str(x) for x in r] for r in refs]
        else:
            streams = [string_list(data, "refs")]
        metrics = data.get("metrics") or None
        if isinstance(metrics, str):
            metrics = [m.strip() for m in metrics.split(",") if m.strip()]
        return await run(_score, hyps, streams, tgt, metrics)

    @app.post("/v1/qa", tags=["mt"])
    async def qa(request: Request):
        """QA findings: ``src`` and ``hyp`` lines, ``src_lang``, ``tgt_lang``."""
        data = await params(request)
        authorize(request, data)
        src_lang, tgt_lang = lang_arg(data, "src_lang"), lang_arg(data, "tgt_lang")
        srcs, hyps = string_list(data, "src"), string_list(data, "hyp")
        return await run(_qa, srcs, hyps, src_lang, tgt_lang)

    @app.post("/v1/search", tags=["mt"])
    async def search(request: Request):
        """Full-text search of the store: ``query`` [, ``lang``, ``limit``]."""
        data = await params(request)
        authorize(request, data)
        query = data.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ApiError(400, "Invalid request: missing query parameter")
        lang = lang_arg(data, "lang") if data.get("lang") else None
        try:
            limit = int(data.get("limit") or 20)
        except (TypeError, ValueError):
            raise ApiError(400, "Invalid request: limit must be a number") from None
        if not 1 <= limit <= 1000:
            raise ApiError(400, "Invalid request: limit must be between 1 and 1000")
        return await run(_search, config.db, query, lang, limit)

    # -- the review page -------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.post("/v1/review/draft", tags=["review"])
    async def review_draft(request: Request):
        """The draft of ``text`` sentence by sentence with glossary terms and QA flags;
        with ``--db``, stored as the machine rendering of its doc key (for HTER on approval)."""
        from mt.serve import review

        data = await params(request)
        authorize(request, data)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Invalid request: missing text parameter")
        source = lang_arg(data, "source", auto=True)
        if source == "auto":
            source = detect_one(text)
        target = lang_arg(data, "target")
        if source == target:
            raise ApiError(400, f"the text is already in {target}")
        fmt = str(data.get("format") or "text")
        if fmt not in ("text", "markdown", "html"):
            raise ApiError(400, f"unknown format {fmt!r}")
        doc_key = data.get("doc_key") or None
        if doc_key is not None and not isinstance(doc_key, str):
            raise ApiError(400, "Invalid request: doc_key must be a string")

        def work():
            return review.draft(
                service.translator(source, target), text, fmt, db=config.db, doc_key=doc_key
            )

        return await run(work)

    @app.post("/v1/review/upload", tags=["review"])
    async def review_upload(request: Request):
        """The text of an uploaded file (txt, md, html, docx, xliff) for the page."""
        from mt.serve import review

        data = await params(request)
        authorize(request, data)
        upload = data.get("file")
        if upload is None or isinstance(upload, str | list):
            raise ApiError(400, "Invalid request: missing file parameter")
        body = await upload.read()
        text, fmt = await run(review.upload_text, upload.filename or "upload.txt", body)
        return {"text": text, "format": fmt, "source": detect_one(text)}

    @app.post("/v1/review/approve", tags=["review"])
    async def review_approve(request: Request):
        """Approved sentences stored as the human rendering of ``doc_key``."""
        from mt.serve import review

        data = await params(request)
        authorize(request, data)
        src, tgt = lang_arg(data, "source"), lang_arg(data, "target")

        def work():
            done = review.approve(
                config.db,
                data.get("sentences"),
                src,
                tgt,
                doc=data.get("doc_key"),
                translator=data.get("translator"),
            )
            service.refresh_memory(src, tgt)
            return done

        return await run(work)

    @app.post("/v1/review/export", tags=["review"])
    async def review_export(request: Request):
        """The reviewed translation as txt, docx or xliff."""
        from mt.serve import review

        data = await params(request)
        authorize(request, data)
        src, tgt = lang_arg(data, "source"), lang_arg(data, "target")
        fmt = str(data.get("format") or "txt")
        name = _safe_name(str(data.get("name") or "review"))
        out, media, filename = await run(review.export, data.get("sentences"), src, tgt, fmt, name)
        return Response(
            out,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return app


# ---------------------------------------------------------------------------- the work


def _translate_one(service: Service, text: str, src: str, tgt: str, fmt: str) -> str:
    if src == tgt or not text.strip():
        return text
    return service.translator(src, tgt).translate_text(text, fmt).text


def _translate_file(
    service: Service, name: str, data: bytes, src: str, tgt: str
) -> tuple[bytes, str]:
    from mt.translate.documents import handler_for

    suffix = Path(name).suffix.lower()
    handler = handler_for(name)
    if handler is not None:
        if src == "auto":
            raise UserError(f"give the source language of a {handler.name} file")
        handler.check(data, name, src, [tgt])
        done = handler.translate(data, name, service.translator(src, tgt))
        media = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if handler.binary
            else "application/xml"
        )
        return done.data, media
    fmt = TEXT_SUFFIXES.get(suffix)
    if fmt is None:
        supported = sorted({*TEXT_SUFFIXES, *_document_suffixes()})
        raise UserError(
            f"unsupported file type {suffix or name!r} (supported: {', '.join(supported)})"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("the file is not UTF-8 text") from None
    if src == "auto":
        src = detect_one(text)
    out = _translate_one(service, text, src, tgt, fmt)
    media = {"text": "text/plain", "markdown": "text/markdown", "html": "text/html"}[fmt]
    return out.encode(), f"{media}; charset=utf-8"


def _document_suffixes() -> tuple[str, ...]:
    from mt.translate.documents import suffixes

    return suffixes()


def _align(src_text: str, tgt_text: str, src: str, tgt: str, method: Any) -> dict[str, Any]:
    from mt.corpus.align.api import align_documents

    if src == tgt:
        raise UserError(f"source and target language are both {src}")
    args = (method,) if isinstance(method, str) and method else ()
    srcs, tgts, beads = align_documents(src_text, tgt_text, src, tgt, *args)
    return {
        "src_sentences": srcs,
        "tgt_sentences": tgts,
        "beads": [
            {
                "src": list(b.src),
                "tgt": list(b.tgt),
                "src_text": " ".join(srcs[i] for i in b.src),
                "tgt_text": " ".join(tgts[j] for j in b.tgt),
                "confidence": b.score,
            }
            for b in beads
        ],
    }


def _score(hyps: list[str], refs: list[list[str]], tgt: str, metrics: Any) -> dict[str, Any]:
    from mt.evaluate.scoring import score

    kwargs = {"metrics": metrics} if metrics else {}
    return score(hyps, refs, tgt, **kwargs).to_dict()


def _qa(srcs: list[str], hyps: list[str], src_lang: str, tgt_lang: str) -> dict[str, Any]:
    from mt.evaluate.qa import default_checks, run_qa

    report = run_qa(srcs, hyps, src_lang, tgt_lang, checks=default_checks(None))
    return {**report.to_dict(), "findings": [f.to_dict() for f in report.findings]}


def _search(db: Any, query: str, lang: str | None, limit: int) -> list[dict[str, Any]]:
    from mt.corpus.store import Store

    with Store.open(db, readonly=True) as store:
        rows = store.search(query, lang, limit)
    return [{"doc": d, "lang": lg, "index": i, "text": t} for d, lg, i, t in rows]
