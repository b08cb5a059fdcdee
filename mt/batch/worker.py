"""What every worker does, in process, in a pool process or in a Ray actor: one engine,
loaded once, that reads a shard from the input and translates its rows.

Why rows are translated together: a batch job's rows are often one sentence each, and
translating them one ``translate_text`` call at a time would hand the model batches of one
sentence. :func:`translate_documents` runs the pipeline's own steps (parse → sentences →
dedup → token-budget batches → layout restored) over all the shard's documents at once, so
each row comes out exactly as ``Translator.translate_text`` would give it, but the batches
are full.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mt.batch.shards import Shard, read_shard
from mt.errors import UserError

if TYPE_CHECKING:
    from mt.translate.pipeline import Translator


@dataclass(frozen=True)
class JobConfig:
    """How to build the engine: plain values, so it pickles into pool processes and actors."""

    src: str
    tgt: str
    model: str | None = None
    backend: str = "auto"
    device: str = "auto"
    beam: int = 4
    batch_tokens: int | None = None
    glossary: str | bool | None = None  # None: the bundled one; False: none; str: a TSV
    threads: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ShardResult:
    """A translated shard, column by column (the driver adds the job-wide columns)."""

    key: str
    ids: list[str]
    docs: list[str | None]
    sources: list[str]
    translations: list[str]
    seconds: list[float]  # each row's share of the shard's translation time (by characters)
    worker: str
    model: str
    cpu_seconds: float = 0.0  # CPU time of the worker's process over the shard (all threads)


class ShardWorker:
    """One Translator (one engine per model) for the life of a process or actor."""

    def __init__(self, config: JobConfig):
        from mt.translate.pipeline import Translator

        self.config = config
        self.translator = Translator(
            config.src, config.tgt, config.model, backend=config.backend, device=config.device,
            threads=config.threads, beam=config.beam, batch_tokens=config.batch_tokens,
            glossary=config.glossary, tm=False,
        )  # fmt: skip
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def translate(self, shard: Shard) -> ShardResult:
        """Read the shard's rows and translate them (each row's text is one document)."""
        rows = read_shard(shard)
        if len(rows) != shard.rows:
            raise UserError("the input file changed while the job ran; rerun the job", shard.path)
        texts = [text for _, _, text in rows]
        start, cpu = time.perf_counter(), time.process_time()
        outputs = translate_documents(self.translator, texts)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        weights = [len(t) for t in texts]
        total = sum(weights) or 1
        return ShardResult(
            shard.key, [r[0] for r in rows], [r[1] for r in rows], texts, outputs,
            [elapsed * w / total for w in weights], self.name, self.translator.model, cpu,
        )  # fmt: skip


def translate_documents(translator: Translator, texts: Sequence[str]) -> list[str]:
    """Plain-text documents translated together; each as ``translate_text(text).text`` would.

    Mirrors ``Translator.translate_text`` over several documents (its per-document steps and
    one shared run of the engine). An empty document translates to an empty string.
    """
    from mt.translate import pipeline
    from mt.translate.markup import parse

    steps = ("_unit", "_run_all", "_render_unit")
    if not all(hasattr(translator, s) for s in steps) or not hasattr(pipeline, "_walk"):
        # The pipeline changed shape: one document at a time is slower but still right.
        return [translator.translate_text(t).text if t.strip() else "" for t in texts]
    docs = [parse(t, "text") if t.strip() else None for t in texts]
    units = {id(b): translator._unit(b.nodes, b.paragraph)
             for d in docs if d is not None for b in d.blocks()}  # fmt: skip
    translator._run_all(list(pipeline._walk(units.values())), None)
    render = translator._render_unit
    return [
        "" if d is None else d.render(lambda b, d=d: render(units[id(b)], d.escape)) for d in docs
    ]
