"""The Translator: a document in, the same document in another language out (see
:mod:`mt.translate.pipeline` for the steps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.errors import UserError
from mt.lang import check_lang, normalize
from mt.translate.batching import BATCHES_PER_CALL, batch_budget, make_batches, split_long
from mt.translate.glossary import Glossary, GlossaryPair
from mt.translate.markup import Atom, Block, Document, Node, Text, parse, plain_text
from mt.translate.pipeline.decoding import DecodeOptions, _degenerate
from mt.translate.pipeline.memory import _tm_key, load_memory
from mt.translate.pipeline.placeholders import _PLACEHOLDER, _Request, build_request
from mt.translate.pipeline.repair import _check_glossary_mode, _load_glossary, misses
from mt.translate.pipeline.results import SentenceRecord, TranslationResult
from mt.translate.pipeline.sentences import (
    _boundaries,
    _cut,
    _merge_text,
    _Sent,
    _Slot,
    _split_sentences,
    _squash,
    _strip,
    _Unit,
    _walk,
    _wordy,
)

if TYPE_CHECKING:
    from mt.corpus.store import Store
    from mt.translate.engine import Engine


Progress = Callable[[int, int], None]  # (sentences done, sentences planned) at engine level


class Translator:
    """Translates sentences, texts and marked-up documents from ``src`` to ``tgt``.

    Models are loaded once, when the Translator is made (so every mistake — unknown model,
    wrong direction, CUDA absent — shows up before any output), and reused for every call.
    ``store`` (a :class:`~mt.corpus.store.Store` or a path) feeds the translation memory;
    ``tm`` may also be a mapping of source sentence → translation. ``glossary``: None for
    the bundled one, a path or :class:`Glossary` for another, False for none.
    ``retry_loops`` decodes again, with repetition guards, outputs that loop or run away
    (off for benchmarks that must decode each sentence exactly once).
    """

    def __init__(
        self,
        src: str,
        tgt: str,
        model: str | Path | None = None,
        *,
        backend: str = "auto",
        device: str = "auto",
        compute_type: str | None = None,
        threads: int | None = None,
        beam: int = 4,
        length_penalty: float = 1.0,
        max_length_ratio: float = 3.0,
        repetition_penalty: float = 1.0,
        no_repeat_ngram_size: int = 0,
        glossary: Glossary | str | Path | bool | None = None,
        glossary_mode: str = "repair",
        tm: bool | Mapping[str, str] = True,
        store: Store | str | Path | None = None,
        batch_tokens: int | None = None,
        retry_loops: bool = True,
    ):
        from mt.translate.engine import load_engine, route

        # The cheap checks first: a bad glossary should not cost a model load.
        _check_glossary_mode(glossary_mode)
        loaded = _load_glossary(glossary)
        chain = route(src, tgt, str(model) if model is not None else None)
        engines = [
            load_engine(step.id, step.src, step.tgt, backend=backend, device=device,
                        compute_type=compute_type, threads=threads)
            for step in chain
        ]  # fmt: skip
        self._configure(
            src, tgt, engines,
            decode=DecodeOptions(beam, length_penalty, max_length_ratio, repetition_penalty,
                                 no_repeat_ngram_size),
            glossary=loaded if loaded is not None else False, glossary_mode=glossary_mode,
            tm=tm, store=store, batch_tokens=batch_tokens, retry_loops=retry_loops,
        )  # fmt: skip

    @classmethod
    def from_engines(
        cls,
        engines: Sequence[Engine],
        *,
        decode: DecodeOptions | None = None,
        glossary: Glossary | str | Path | bool | None = None,
        glossary_mode: str = "repair",
        tm: bool | Mapping[str, str] = True,
        store: Store | str | Path | None = None,
        batch_tokens: int | None = None,
        retry_loops: bool = True,
    ) -> Translator:
        """A Translator over engines already loaded (a chain of two for a pivot)."""
        if not engines:
            raise ValueError("at least one engine is needed")
        self = cls.__new__(cls)
        self._configure(
            engines[0].src_lang, engines[-1].tgt_lang, list(engines),
            decode=decode or DecodeOptions(), glossary=glossary, glossary_mode=glossary_mode,
            tm=tm, store=store, batch_tokens=batch_tokens, retry_loops=retry_loops,
        )  # fmt: skip
        return self

    def _configure(self, src, tgt, engines, *, decode, glossary, glossary_mode, tm, store,
                   batch_tokens, retry_loops) -> None:  # fmt: skip
        self.src, self.tgt = check_lang(src), check_lang(tgt)
        _check_chain(self.src, self.tgt, engines)
        _check_glossary_mode(glossary_mode)
        self.engines: list[Engine] = engines
        self.decode = decode
        self.retry_loops = retry_loops
        self.glossary = _load_glossary(glossary)
        self.glossary_mode = glossary_mode
        self._terms: GlossaryPair | None = (
            self.glossary.pair(self.src, self.tgt) if self.glossary else None
        )
        device = engines[0].device
        if batch_tokens is not None and batch_tokens < 1:
            raise UserError("--batch-tokens must be a positive number")
        self.batch_tokens = batch_budget(device, batch_tokens)
        self.tm = self._load_tm(tm, store)
        self._progress: Progress | None = None
        self._done = self._planned = 0

    # -- public API ----------------------------------------------------------------------

    @property
    def model(self) -> str:
        """The model id (``first+second`` for a pivot)."""
        return "+".join(e.model_id for e in self.engines)

    @property
    def revision(self) -> str | None:
        revisions = [e.revision for e in self.engines]
        return None if all(r is None for r in revisions) else "+".join(r or "-" for r in revisions)

    @property
    def backend(self) -> str:
        return "+".join(dict.fromkeys(e.backend for e in self.engines))

    def provenance(self) -> dict[str, Any]:
        """Everything that determines the output, for the store and for reports."""
        return {
            "route": [
                {"model": e.model_id, "revision": e.revision, "backend": e.backend,
                 "device": e.device, "src": e.src_lang, "tgt": e.tgt_lang}
                for e in self.engines
            ],
            **asdict(self.decode),
            "batch_tokens": self.batch_tokens,
            "glossary": (self.glossary.source or "custom") if self.glossary else None,
            "glossary_mode": self.glossary_mode if self.glossary else None,
            "tm": bool(self.tm),
            "retry_loops": self.retry_loops,
        }  # fmt: skip

    def translate_sentences(
        self, sentences: Sequence[str], *, progress: Progress | None = None
    ) -> list[str]:
        """Translate sentences as given (no further segmentation); same length and order."""
        sents = [_Sent([_squash(normalize(s, self.src)).strip()], 0) for s in sentences]
        self._run_all(sents, progress)
        return [_squash(self._plain_out(s)).strip() for s in sents]

    def translate_text(
        self, text: str, fmt: str = "text", *, progress: Progress | None = None
    ) -> TranslationResult:
        """Translate a document in ``fmt`` (text, markdown, html), keeping its layout."""
        if not text.strip():
            raise UserError("empty input: nothing to translate")
        return self.translate_document(parse(text, fmt), progress=progress)

    def translate_document(
        self, doc: Document, *, progress: Progress | None = None
    ) -> TranslationResult:
        """Translate a document already parsed into blocks (see :mod:`mt.translate.markup`;
        Word and XLIFF files build one in :mod:`mt.translate.documents`)."""
        fmt = doc.format
        blocks = list(doc.blocks())
        units = {id(b): self._unit(b.nodes, b.paragraph) for b in blocks}
        self._run_all(list(_walk(units.values())), progress)
        rendered = doc.render(lambda b: self._render_unit(units[id(b)], doc.escape))
        records = self._records([(b, units[id(b)]) for b in blocks])
        return TranslationResult(rendered, self.src, self.tgt, fmt, records, self.model,
                                 self.provenance())  # fmt: skip

    # -- segmentation ----------------------------------------------------------------------

    def _unit(self, nodes: list[Node], paragraph: int) -> _Unit:
        """Sentences of inline content; hard line breaks split it into separate lines."""
        items: list[_Sent | str] = []
        line: list[Node] = []
        for node in nodes:
            if isinstance(node, Atom) and node.hard_break:
                items.extend(self._sentences(line, paragraph))
                items.append(node.raw)
                line = []
            else:
                line.append(node)
        items.extend(self._sentences(line, paragraph))
        return _Unit(items)

    def _sentences(self, nodes: list[Node], paragraph: int) -> list[_Sent]:
        pieces = self._pieces(nodes, paragraph)
        if not pieces:
            return []
        spans, plain, pos = [], [], 0
        for p in pieces:
            reading = p if isinstance(p, str) else p.plain
            spans.append((pos, pos + len(reading)))
            plain.append(reading)
            pos += len(reading)
        text = "".join(plain)
        cuts = _boundaries(_split_sentences(text, self.src), text) if text.strip() else None
        inside = [(a, b) for p, (a, b) in zip(pieces, spans, strict=True) if isinstance(p, _Slot)]
        cuts = [c for c in cuts or [] if not any(a < c < b for a, b in inside)]
        return [_Sent(_strip(part), paragraph) for part in _cut(pieces, spans, cuts) if part]

    def _pieces(self, nodes: list[Node], paragraph: int) -> list[str | _Slot]:
        pieces: list[str | _Slot] = []
        for node in nodes:
            if isinstance(node, Text):
                pieces.append(_squash(normalize(node.text, self.src)))
            elif isinstance(node, Atom):
                pieces.append(_Slot(node, None, _squash(node.plain)))
            else:
                inner = self._unit(node.children, paragraph)
                reading = _squash(normalize(plain_text(node.children), self.src))
                pieces.append(_Slot(node, inner, reading))
        return _strip(_merge_text(pieces))

    # -- translation -----------------------------------------------------------------------

    def _run_all(self, sents: list[_Sent], progress: Progress | None) -> None:
        """Fill ``out`` of every sentence: copies, translation memory, then the models."""
        self._progress, self._done, self._planned = progress, 0, 0
        pending = []
        for s in sents:
            if not s.has_words:
                s.out = list(s.pieces)
            elif not s.slots and (hit := self.tm.get(_tm_key(s.pieces, self.src))) is not None:
                s.out, s.from_tm = [hit], True
            else:
                pending.append(s)
        try:
            self._machine(pending)
        finally:
            self._progress = None

    def _machine(self, sents: list[_Sent]) -> None:
        mask_first = self.glossary_mode == "mask"
        unmasked, runwise, repair = [], [], []
        for s, req, restored in self._attempt(sents, mask_terms=mask_first):
            if restored is None:
                (unmasked if req.masked_terms else runwise).append(s)
            else:
                s.out = restored
                if self.glossary_mode == "repair" and self._misses(req, restored):
                    repair.append(s)
        for s, _, restored in self._attempt(unmasked, mask_terms=False):
            if restored is None:
                runwise.append(s)
            else:
                s.out = restored
        for s, _, restored in self._attempt(repair, mask_terms=True):
            if restored is not None:
                s.out = restored
        self._runwise(runwise)
        for s in sents:
            s.model = self.model

    def _attempt(
        self, sents: list[_Sent], *, mask_terms: bool
    ) -> Iterator[tuple[_Sent, _Request, list[str | _Slot] | None]]:
        requests = [self._request(s, mask_terms) for s in sents]
        # Nothing but placeholders (a term or a link that is the whole sentence): no model.
        todo = [r.text for r in requests if _wordy(_PLACEHOLDER.sub("", r.text))]
        table = dict(zip(todo, self._translate(todo), strict=True))
        for s, req in zip(sents, requests, strict=True):
            yield s, req, req.restore(table.get(req.text, req.text))

    def _request(self, sent: _Sent, mask_terms: bool) -> _Request:
        """The model's input: slots (and, when masking, glossary terms) as ``[n]``."""
        return build_request(sent, self._terms, mask_terms)

    def _misses(self, req: _Request, restored: list[str | _Slot]) -> bool:
        """Whether a term of the sentence's own text is missing from its translation."""
        return misses(self._terms, req, restored)

    def _runwise(self, sents: list[_Sent]) -> None:
        """Translate the text between markup piece by piece: the markup cannot get lost."""
        runs = [p.strip() for s in sents for p in s.pieces if isinstance(p, str) and _wordy(p)]
        table = dict(zip(runs, self._translate(runs), strict=True))
        for s in sents:
            out: list[str | _Slot] = []
            for p in s.pieces:
                if isinstance(p, str) and _wordy(p):
                    lead = p[: len(p) - len(p.lstrip())]
                    trail = p[len(p.rstrip()) :]
                    out.append(lead + table[p.strip()] + trail)
                else:
                    out.append(p)
            s.out = _merge_text(out)

    def _translate(self, texts: list[str]) -> list[str]:
        """Model outputs for ``texts`` through the engine chain (a pivot runs two)."""
        outputs = list(texts)
        for engine in self.engines:
            if not outputs:
                break
            outputs = self._run_engine(engine, outputs)
        return outputs

    def _run_engine(self, engine: Engine, texts: list[str]) -> list[str]:
        """Unique texts, long ones split, batched by tokens, decoded, joined back."""
        unique = list(dict.fromkeys(texts))
        counts = engine.count_tokens(unique)
        limit = engine.max_input_tokens
        pieces: list[str] = []
        owner: list[int] = []
        for k, (text, count) in enumerate(zip(unique, counts, strict=True)):
            parts = (
                [text]
                if count <= limit
                else split_long(text, engine.src_lang, engine.count_tokens, limit)
            )
            pieces.extend(parts)
            owner.extend([k] * len(parts))
        if len(pieces) != len(unique):
            counts = engine.count_tokens(pieces)
        outputs = self._decode(engine, pieces, counts)
        joined: list[list[str]] = [[] for _ in unique]
        for k, out in zip(owner, outputs, strict=True):
            joined[k].append(out.strip())
        table = {t: " ".join(filter(None, parts)) for t, parts in zip(unique, joined, strict=True)}
        return [table[t] for t in texts]

    def _decode(self, engine: Engine, texts: list[str], counts: list[int]) -> list[str]:
        self._planned += len(texts)
        outputs = self._batches(engine, texts, counts, self.decode, report=True)
        looping = [i for i, (t, o) in enumerate(zip(texts, outputs, strict=True))
                   if self.retry_loops and _degenerate(t, o)]  # fmt: skip
        if looping:
            again = self._batches(
                engine,
                [texts[i] for i in looping],
                [counts[i] for i in looping],
                self.decode.guarded(),
            )
            for i, out in zip(looping, again, strict=True):
                outputs[i] = out
        return outputs

    def _batches(self, engine: Engine, texts: list[str], counts: list[int],
                 decode: DecodeOptions, report: bool = False) -> list[str]:  # fmt: skip
        outputs: list[str] = [""] * len(texts)
        # Several batches per call: the engine splits them by the token budget and runs them
        # on all its workers at once; progress is reported per call.
        for batch in make_batches(counts, self.batch_tokens * BATCHES_PER_CALL):
            result = engine.translate_batch(
                [texts[i] for i in batch], **asdict(decode), max_batch_tokens=self.batch_tokens
            )
            for i, out in zip(batch, result, strict=True):
                outputs[i] = out
            if report:
                self._done += len(batch)
                if self._progress is not None:
                    self._progress(self._done, self._planned)
        return outputs

    # -- output ----------------------------------------------------------------------------

    def _render_unit(self, unit: _Unit, escape: Callable[[str], str]) -> str:
        out, after_sentence = [], False
        for item in unit.items:
            if isinstance(item, str):
                out.append(item)
                after_sentence = False
                continue
            if after_sentence:
                out.append(" ")
            out.append(self._render_sent(item, escape))
            after_sentence = True
        return "".join(out)

    def _render_sent(self, sent: _Sent, escape: Callable[[str], str]) -> str:
        out = []
        for p in sent.out or sent.pieces:
            if isinstance(p, str):
                out.append(escape(p))
            elif p.inner is None:
                out.append(p.node.raw)
            else:
                out.append(p.node.open + self._render_unit(p.inner, escape) + p.node.close)
        return "".join(out)

    def _plain_out(self, sent: _Sent) -> str:
        out = []
        for p in sent.out or sent.pieces:
            if isinstance(p, str):
                out.append(p)
            elif p.inner is None:
                out.append(p.plain)
            else:
                out.append(" ".join(self._plain_out(s) for s in p.inner.sentences()))
        return "".join(out)

    def _records(self, blocks: list[tuple[Block, _Unit]]) -> list[SentenceRecord]:
        records: list[SentenceRecord] = []
        for _, unit in blocks:
            for sent in unit.sentences():
                self._add_records(sent, records)
        return records

    def _add_records(self, sent: _Sent, records: list[SentenceRecord]) -> None:
        """A record per sentence; one that is only markup around sentences (a paragraph in
        ``<span>``) is represented by the sentences inside."""
        inner = [p.inner for p in sent.slots if p.inner is not None]
        if not sent.has_words and any(u.sentences() for u in inner):
            for unit in inner:
                for s in unit.sentences():
                    self._add_records(s, records)
            return
        source = _squash("".join(p if isinstance(p, str) else p.plain for p in sent.pieces))
        translation = _squash(self._plain_out(sent)).strip()
        issues = []
        if self._terms is not None and sent.model is not None:
            issues = self._terms.check(source.strip(), translation)
        records.append(SentenceRecord(len(records), sent.paragraph, source.strip(), translation,
                                      sent.model, sent.from_tm, issues))  # fmt: skip

    # -- set-up helpers --------------------------------------------------------------------

    def _load_tm(self, tm: bool | Mapping[str, str], store: Store | str | Path | None
                 ) -> dict[str, str]:  # fmt: skip
        """Translation memory keyed like :func:`_tm_key` (empty when off or no store)."""
        return load_memory(tm, store, self.src, self.tgt)


def _check_chain(src: str, tgt: str, engines: Sequence[Engine]) -> None:
    langs = [engines[0].src_lang] + [e.tgt_lang for e in engines]
    linked = all(a.tgt_lang == b.src_lang for a, b in zip(engines, engines[1:], strict=False))
    if langs[0] != src or langs[-1] != tgt or not linked:
        chain = " → ".join(f"{e.src_lang}-{e.tgt_lang}" for e in engines)
        raise UserError(f"engines {chain} do not translate {src}-{tgt}")
