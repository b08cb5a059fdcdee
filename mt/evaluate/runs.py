"""Evaluation runs: translate the test split with every system of a recipe, score, store.

Why runs live in the corpus store: the test set *is* the store's gold-aligned test split, and
keeping scores beside it (tables ``runs``/``systems``/``scores``, owned by
:mod:`mt.evaluate.storage`, which holds all their SQL) makes ``mt eval history`` a query
instead of a pile of JSON files. The flow of :func:`run_recipe`:

1. per direction, the test set: the gold beads of the split's documents (beads with an empty
   side are skipped: there is nothing to translate or nothing to compare with);
2. per system, one translator (model loaded once), all sources translated in one call; any
   failure (model missing, download refused, CUDA absent, a crash in decoding) is recorded
   for that system and direction, and the others go on;
3. the successful systems of a direction are scored together: corpus scores with sacrebleu
   signatures, paired-bootstrap CIs and p-values against the first system, per-document
   scores, length buckets, worst segments and the QA checks; COMET when asked and available;
4. each direction is committed in its own transaction as soon as it is done, so a crash or
   Ctrl-C in direction five keeps directions one to four (the run is marked interrupted).

Reports are rendered from the store (:func:`load_run`), never from in-memory state, so the
files written by the run and ``mt eval report RUN_ID`` are the same thing.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mt.corpus.store import Store
from mt.errors import UserError
from mt.evaluate.recipe import Recipe, SystemSpec, check_resamples
from mt.evaluate.storage import NO_RUNS, RunStore

RUN_KIND = "eval"
MAX_ERROR_CHARS = 2000
MAX_QA_ROWS = 50  # flagged segments kept per system and direction (all are counted)


class SentenceTranslator(Protocol):
    """What a run needs from a translator (``mt.translate.pipeline.Translator`` fits)."""

    def translate_sentences(self, sentences: Sequence[str]) -> list[str]: ...


TranslatorFactory = Callable[..., SentenceTranslator]


@dataclass
class TestSet:
    """One direction's segments: gold beads of the split, in document order."""

    src: str
    tgt: str
    srcs: list[str]
    refs: list[str]
    doc_keys: list[str]
    ids: list[str]  # "doc_key:src_ids:tgt_ids" of every segment, stored with hypotheses

    @property
    def direction(self) -> str:
        return f"{self.src}-{self.tgt}"

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(self.doc_keys))

    def __len__(self) -> int:
        return len(self.srcs)


@dataclass
class SystemOutput:
    """A system's translations of one test set, or why there are none."""

    spec: SystemSpec
    hyps: list[str] | None = None
    error: str | None = None
    model: str | None = None
    revision: str | None = None
    backend: str | None = None
    device: str | None = None
    load_s: float = 0.0
    translate_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.hyps is not None


@dataclass
class RunOptions:
    """Command-line overrides and hooks (tests inject a translator factory)."""

    limit: int | None = None
    translator_factory: TranslatorFactory | None = None
    log: Callable[[str], None] = field(default=lambda message: None)
    #: ``progress(done, total)``: systems translated and scored so far, of all directions.
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)


# ---------------------------------------------------------------------------- test sets


def load_test_set(store: Store, src: str, tgt: str, split: str, limit: int = 0) -> TestSet:
    """Gold pairs of the split; ``limit`` keeps every document, evenly trimmed."""
    by_doc: dict[str, list] = {}
    for rec in store.iter_pairs(src, tgt, method="gold", split=split):
        if rec.src.strip() and rec.tgt.strip():
            by_doc.setdefault(rec.doc_key or "", []).append(rec)
    if limit:
        by_doc = {k: by_doc[k][:n] for k, n in _quotas(by_doc, limit).items() if n}
    records = [r for recs in by_doc.values() for r in recs]
    return TestSet(
        src, tgt, [r.src for r in records], [r.tgt for r in records],
        [r.doc_key or "" for r in records],
        [f"{r.doc_key}:{_ids(r.src_ids)}:{_ids(r.tgt_ids)}" for r in records],
    )  # fmt: skip


def _quotas(by_doc: dict[str, list], limit: int) -> dict[str, int]:
    """Share ``limit`` segments among documents as evenly as their sizes allow, so a quick
    ``--limit`` run still has per-document scores for every document."""
    quotas = dict.fromkeys(by_doc, 0)
    left = limit
    while left > 0:
        open_docs = [k for k in by_doc if quotas[k] < len(by_doc[k])]
        if not open_docs:
            break
        for key in open_docs[:left]:
            quotas[key] += 1
        left -= min(left, len(open_docs))
    return quotas


def _ids(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in ids)


def check_store_ready(store: Store, split: str) -> None:
    """A clear way out when the store is empty or has no gold for the split."""
    if not store.documents():
        raise UserError(
            "the corpus store has no documents (run `mt corpus import corpora` first, "
            "with the same --db / MT_DB)", store.path)  # fmt: skip
    if not store.documents(split=split):
        raise UserError(f"the corpus store has no documents in the {split} split", store.path)


# ---------------------------------------------------------------------------- translating


def make_translator(spec: SystemSpec, src: str, tgt: str, *, store: Store,
                    exclude_docs: Sequence[str]) -> SentenceTranslator:  # fmt: skip
    """A :class:`mt.translate.pipeline.Translator` for one system and direction.

    The translation memory is built here from the store *without the evaluated documents*:
    a TM that holds the test set's own references would score a perfect, meaningless 100.
    """
    from mt.translate.pipeline import Translator

    tm: dict[str, str] | bool = honest_tm(store, src, tgt, exclude_docs) if spec.tm else False
    # Translator: glossary None/True = the bundled one, False = none, a str = that file.
    return Translator(src, tgt, spec.model_for(f"{src}-{tgt}"), backend=spec.backend,
                      device=spec.device, beam=spec.beam, glossary=spec.glossary, tm=tm,
                      store=None)  # fmt: skip


def honest_tm(store: Store, src: str, tgt: str, exclude_docs: Sequence[str]) -> dict[str, str]:
    """Normalized source sentence → human translation, from every document but the excluded."""
    from mt.lang import normalize

    excluded = set(exclude_docs)
    tm: dict[str, str] = {}
    for rec in store.iter_pairs(src, tgt, origins=("original", "human")):
        if rec.doc_key in excluded or len(rec.src_ids) != 1 or len(rec.tgt_ids) != 1:
            continue
        tm.setdefault(normalize(rec.src, src).strip(), rec.tgt)
    return tm


def translate_system(spec: SystemSpec, test: TestSet, store: Store,
                     factory: TranslatorFactory) -> SystemOutput:  # fmt: skip
    """Load, translate, time; any exception becomes the system's recorded error."""
    out = SystemOutput(spec, model=_model_label(spec, test))
    try:
        t0 = time.perf_counter()
        translator = factory(spec, test.src, test.tgt, store=store, exclude_docs=test.documents)
        out.load_s = time.perf_counter() - t0
        _describe_translator(out, translator)
        t0 = time.perf_counter()
        hyps = list(translator.translate_sentences(test.srcs))
        out.translate_s = time.perf_counter() - t0
        if len(hyps) != len(test):
            raise RuntimeError(f"translator returned {len(hyps)} outputs for {len(test)} inputs")
        out.hyps = [h if isinstance(h, str) else str(h) for h in hyps]
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one system failing must not stop the others
        out.error = _error_text(exc)
    return out


def _error_text(exc: BaseException) -> str:
    text = exc.format() if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_CHARS]


def _model_label(spec: SystemSpec, test: TestSet) -> str:
    """The model(s) the route will use, e.g. ``A → B`` for a pivot through English."""
    from mt.translate.models import route

    try:
        steps = route(test.src, test.tgt, spec.model_for(test.direction))
    except UserError:
        return spec.model_for(test.direction) or "default"
    return " → ".join(step.id for step in steps)


def _describe_translator(out: SystemOutput, translator: Any) -> None:
    """Revision/backend/device from the translator's engines when it exposes them."""
    engines = getattr(translator, "engines", None) or [getattr(translator, "engine", None)]
    engines = [e for e in engines if e is not None]
    if not engines:
        return
    revs = [getattr(e, "revision", None) for e in engines]
    out.revision = " → ".join(r or "local" for r in revs) if any(revs) else None
    out.backend = "+".join(dict.fromkeys(str(getattr(e, "backend", "?")) for e in engines))
    out.device = "+".join(dict.fromkeys(str(getattr(e, "device", "?")) for e in engines))
    ids = [getattr(e, "model_id", None) for e in engines]
    if all(ids):
        out.model = " → ".join(ids)


# ---------------------------------------------------------------------------- scoring


@dataclass
class SystemScores:
    """Everything stored for one successful system in one direction."""

    corpus: dict[str, dict[str, Any]]  # metric key → score, CI, p, signature, ...
    documents: dict[str, dict[str, float]]  # doc_key → metric key → score
    details: dict[str, Any]  # length buckets, worst segments, QA, warnings


def score_direction(test: TestSet, outputs: list[SystemOutput], recipe: Recipe,
                    comet: Any | None = None) -> dict[str, SystemScores]:  # fmt: skip
    """Score the successful systems together (the first successful one is the baseline)."""
    from mt.evaluate.analysis import length_buckets
    from mt.evaluate.scoring import score, score_documents
    from mt.evaluate.significance import compare_stats

    good = [o for o in outputs if o.ok]
    if not good:
        return {}
    scored = [score(o.hyps, [test.refs], test.tgt, recipe.score_metrics) for o in good]
    metrics = scored[0].metrics
    stats = [s.stats for s in scored]
    tests = None
    if recipe.bootstrap:
        tests = compare_stats(metrics, stats, "bs", recipe.bootstrap, recipe.seed)
    buckets = length_buckets(metrics, stats, test.refs)
    result: dict[str, SystemScores] = {}
    for i, (out, sc) in enumerate(zip(good, scored, strict=True)):
        corpus = {key: _corpus_entry(res, tests[i][key] if tests else None)
                  for key, res in sc.results.items()}  # fmt: skip
        docs = score_documents(out.hyps, [test.refs], test.doc_keys, test.tgt,
                               recipe.score_metrics, scored=sc)  # fmt: skip
        details = {
            "warnings": sc.warnings,
            "length_buckets": [
                {"label": b.label, "segments": b.segments, "scores": b.scores[i]} for b in buckets
            ],  # fmt: skip
            "worst": _worst(sc, out.hyps, test, recipe.worst),
            "qa": _qa(test, out.hyps),
        }
        result[out.spec.name] = SystemScores(corpus, docs, details)
    if comet is not None:
        comet.add_scores(test, good, result, recipe)
    _mark_identical(good, result)
    return result


def _mark_identical(good: list[SystemOutput], result: dict[str, SystemScores]) -> None:
    """No p-value for output identical to the baseline's.

    sacrebleu's paired bootstrap gives identical systems p = 1/(n+1) (every resampled
    difference is 0, and 0 > 0 is false), which a report would show as "significant"; there is
    nothing to test, so the entry says so instead.
    """
    for out in good[1:]:
        if out.hyps == good[0].hyps:
            for entry in result[out.spec.name].corpus.values():
                entry["p_value"] = None
                entry["identical_to_baseline"] = True


def _corpus_entry(res: Any, stat: Any | None) -> dict[str, Any]:
    entry = {"name": res.name, "score": res.score, "signature": res.signature,
             "mt_signature": res.mt_signature, "options": res.options}  # fmt: skip
    if stat is not None:
        entry |= {"ci_low": stat.ci_low, "ci_high": stat.ci_high, "mean": stat.mean,
                  "ci": stat.ci, "p_value": stat.p_value}  # fmt: skip
    return entry


def _worst(sc: Any, hyps: list[str], test: TestSet, n: int) -> list[dict[str, Any]]:
    if not n:
        return []
    worst = sc.worst(n, hyps, [test.refs], test.srcs)
    key = next(k for k in ("chrf", "chrf++", "bleu", "ter") if k in sc.metrics)
    return [{"index": w.index, "doc_key": test.doc_keys[w.index],
             "sentences": test.ids[w.index].split(":")[1], "metric": key,
             "score": w.score, "src": w.src, "ref": w.refs[0], "hyp": w.hyp}
            for w in worst]  # fmt: skip


def _qa(test: TestSet, hyps: list[str]) -> dict[str, Any]:
    """The statement QA summary; a failure here is reported, never fatal to the run."""
    try:
        from mt.evaluate.qa import load_glossary, run_qa

        report = run_qa(test.srcs, hyps, test.src, test.tgt, glossary=load_glossary())
    except Exception as exc:  # noqa: BLE001 - QA is an addition to the scores, not a gate
        return {"error": _error_text(exc)}
    data = report.to_dict()
    flagged = data.get("flagged", [])
    for row in flagged:
        row["doc_key"] = test.doc_keys[row["index"]]
        row["src"], row["hyp"] = test.srcs[row["index"]], hyps[row["index"]]
        for finding in row.get("findings", []):
            finding.pop("score", None)  # the message says it; raw values bloat the store
    # A garbage system flags every segment; the summary counts them all, we keep a sample.
    data["flagged"] = flagged[:MAX_QA_ROWS]
    data["flagged_kept"] = len(data["flagged"])
    return data


# ---------------------------------------------------------------------------- storing


def start_run(store: Store, recipe: Recipe, params: dict[str, Any]) -> int:
    """Insert the run (status ``running``) so that partial results always have a home.

    The run tables are created here on first use (:func:`mt.evaluate.storage.ensure_schema`).
    """
    details = {"directions": {}, "notes": [], "versions": _versions()}
    return RunStore.for_writing(store).start_run(RUN_KIND, recipe.name, recipe.text, params,
                                                 details)  # fmt: skip


def save_direction(store: Store, run_id: int, test: TestSet, outputs: list[SystemOutput],
                   scores: dict[str, SystemScores], note: dict[str, Any]) -> None:  # fmt: skip
    """One transaction: the direction's systems, their scores, and its entry in the run."""
    db = RunStore(store)
    with db.transaction():
        for out in outputs:
            sid = _insert_system(db, run_id, test, out, scores.get(out.spec.name))
            if out.spec.name in scores:
                db.add_scores(sid, scores[out.spec.name].corpus, scores[out.spec.name].documents)
        details = _run_details(db, run_id)
        details["directions"][test.direction] = note
        db.set_run_details(run_id, details)


def _insert_system(db: RunStore, run_id: int, test: TestSet, out: SystemOutput,
                   scores: SystemScores | None) -> int:  # fmt: skip
    details: dict[str, Any] = {
        "segments": len(test),
        "timings": {"load_s": out.load_s, "translate_s": out.translate_s,
                    "segments_per_s": len(test) / out.translate_s if out.translate_s else None},
        "device": out.device,
    }  # fmt: skip
    if scores is not None:
        details |= scores.details
    if out.hyps is not None:
        details |= {"hypotheses": out.hyps, "segment_ids": test.ids}
    return db.add_system(
        run_id, name=out.spec.name, src_lang=test.src, tgt_lang=test.tgt, model=out.model,
        revision=out.revision, backend=out.backend, params=out.spec.params(test.direction),
        status="ok" if out.ok else "failed", error=out.error,
        seconds=out.load_s + out.translate_s, details=details,
    )  # fmt: skip


def _run_details(db: RunStore, run_id: int) -> dict[str, Any]:
    data = db.run_details(run_id)
    data.setdefault("directions", {})
    data.setdefault("notes", [])
    return data


def add_note(store: Store, run_id: int, note: str) -> None:
    """A run-level remark shown at the top of every report (e.g. COMET unavailable)."""
    db = RunStore(store)
    with db.transaction():
        details = _run_details(db, run_id)
        if note not in details["notes"]:
            details["notes"].append(note)
        db.set_run_details(run_id, details)


def finish_run(store: Store, run_id: int, status: str) -> None:
    RunStore(store).finish_run(run_id, status)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("mt", "sacrebleu", "transformers", "ctranslate2", "torch", "unbabel-comet"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


# ---------------------------------------------------------------------------- the run


def run_recipe(recipe: Recipe, store: Store, options: RunOptions | None = None) -> int:
    """Run every direction and system of ``recipe``; returns the run id.

    Status: ``ok`` (every system of every direction succeeded), ``partial`` (some failed),
    ``failed`` (none succeeded), ``interrupted`` (stopped by an exception or Ctrl-C; what
    was finished is kept).
    """
    opts = options or RunOptions()
    limit = recipe.limit if opts.limit is None else opts.limit
    factory = opts.translator_factory or make_translator
    check_store_ready(store, recipe.split)
    tests = [load_test_set(store, *d.split("-"), recipe.split, limit) for d in recipe.directions]
    _check_bootstrap(recipe, tests)
    params = recipe.params() | {"limit": limit, "db": str(store.path)}
    run_id = start_run(store, recipe, params)
    comet = _comet(recipe, store, run_id, opts)
    status = "interrupted"
    total = sum(len(recipe.systems) for test in tests if len(test))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        opts.progress(done, total)

    try:
        counts = [_run_direction(recipe, store, run_id, test, factory, comet, opts, step)
                  for test in tests]  # fmt: skip
        ok = sum(c[0] for c in counts)
        failed = sum(c[1] for c in counts)
        status = "ok" if not failed else ("failed" if not ok else "partial")
    finally:
        finish_run(store, run_id, status)
    return run_id


def _check_bootstrap(recipe: Recipe, tests: list[TestSet]) -> None:
    """Refuse a bootstrap too large for a test set before any model is loaded (not after
    hours of translation, and not in numpy's allocator)."""
    if not recipe.bootstrap:
        return
    for test in tests:
        try:
            check_resamples(recipe.bootstrap, len(test), "bootstrap resamples")
        except UserError as exc:
            raise UserError(f"{test.direction}: {exc.message} (lower the recipe's `bootstrap` "
                            "or use --limit)", recipe.path) from None  # fmt: skip


def _comet(recipe: Recipe, store: Store, run_id: int, opts: RunOptions) -> Any | None:
    if "comet" not in recipe.metrics:
        return None
    from mt.evaluate.comet import CometScorer

    return CometScorer(recipe.comet_model, note=lambda msg: (add_note(store, run_id, msg),
                                                             opts.log(msg)))  # fmt: skip


def _run_direction(recipe: Recipe, store: Store, run_id: int, test: TestSet,
                   factory: TranslatorFactory, comet: Any | None,
                   opts: RunOptions, step: Callable[[], None]) -> tuple[int, int]:  # fmt: skip
    """Translate, score and store one direction; returns (systems ok, systems failed)."""
    direction = test.direction
    note: dict[str, Any] = {"segments": len(test), "documents": test.documents}
    if not len(test):
        note["error"] = f"no gold-aligned {direction} pairs in the {recipe.split} split"
        opts.log(f"{direction}: {note['error']}")
        save_direction(store, run_id, test, [], {}, note)
        return 0, 0
    outputs = []
    for spec in recipe.systems:
        opts.log(f"{direction}: translating {len(test)} segments with {spec.name}")
        out = translate_system(spec, test, store, factory)
        opts.log(
            f"{direction}: {spec.name} "
            + (f"done in {out.translate_s:.1f}s" if out.ok else f"FAILED: {out.error}")
        )
        outputs.append(out)
        step()
    scores = score_direction(test, outputs, recipe, comet)
    note["baseline"] = next((o.spec.name for o in outputs if o.ok), None)
    save_direction(store, run_id, test, outputs, scores, note)
    ok = sum(1 for o in outputs if o.ok)
    return ok, len(outputs) - ok


# ---------------------------------------------------------------------------- reading back


def resolve_run_id(store: Store, run: str | int) -> int:
    """A run id, or ``last``/``latest`` for the newest evaluation run."""
    db = RunStore.for_reading(store)
    if isinstance(run, str) and run.lower() in ("last", "latest"):
        last = db.last_run_id(RUN_KIND)
        if last is None:
            raise UserError(NO_RUNS)
        return last
    try:
        run_id = int(run)
    except ValueError:
        raise UserError(f"invalid run id {run!r} (a number, or 'last')") from None
    if db.run_kind(run_id) != RUN_KIND:
        raise UserError(f"no evaluation run {run_id} in the store", store.path)
    return run_id


def load_run(store: Store, run_id: int) -> dict[str, Any]:
    """The report data of a stored run (the JSON report is exactly this)."""
    db = RunStore.for_reading(store)
    row = db.run(run_id)
    if row is None:
        raise UserError(f"no evaluation run {run_id} in the store", store.path)
    params, details = row["params"], row["details"]
    run = {"id": row["id"], "name": row["name"], "started_at": row["started_at"],
           "finished_at": row["finished_at"], "status": row["status"], "params": params,
           "versions": details.get("versions", {}), "recipe": row["recipe"]}  # fmt: skip
    directions = []
    for direction in params.get("directions", []):
        note = details.get("directions", {}).get(direction)
        if note is None:
            continue  # not reached (interrupted run)
        directions.append(_load_direction(db, run_id, direction, note))
    return {"format": "mt-eval-run/1", "run": run, "notes": details.get("notes", []),
            "directions": directions}  # fmt: skip


def _load_direction(db: RunStore, run_id: int, direction: str,
                    note: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    src, tgt = direction.split("-")
    systems = []
    for row in db.systems(run_id, src, tgt):
        d = row["details"]
        d.pop("hypotheses", None)
        d.pop("segment_ids", None)
        corpus, docs = db.scores(row["id"])
        entry = {k: row[k] for k in ("name", "status", "error", "model", "revision", "backend",
                                     "params", "seconds")}  # fmt: skip
        systems.append(entry | {"scores": corpus, "documents": docs} | d)
    return {"direction": direction, "src": src, "tgt": tgt, "segments": note.get("segments", 0),
            "documents": note.get("documents", []), "baseline": note.get("baseline"),
            "error": note.get("error"), "systems": systems}  # fmt: skip
