"""Both backends on tiny real-architecture models: loading, conversion, decoding, parity."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mt.errors import UserError
from mt.translate import backends
from mt.translate.backends import ct2 as ct2_backend
from mt.translate.backends import plan_batches
from mt.translate.engine import Engine, load_engine, route
from tests.translate.tiny import ROOT, corpus_lines

# (fixture, src, tgt): every family, and Marian with a target-language token.
MODELS = [
    ("tiny_marian_en_ru", "en", "ru"),
    ("tiny_marian_ru_en", "ru", "en"),
    ("tiny_marian_en_az", "en", "az"),
    ("tiny_marian_az_en", "az", "en"),
    ("tiny_marian_en_trk", "en", "az"),
    ("tiny_m2m100", "az", "ru"),
    ("tiny_m2m100", "ru", "en"),
    ("tiny_nllb", "ru", "az"),
]
IDS = [f"{f.removeprefix('tiny_')}-{s}-{t}" for f, s, t in MODELS]

HAS_CUDA = backends.cuda_available()
gpu = pytest.mark.gpu
needs_cuda = pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device")


def sample(lang: str, n: int = 12) -> list[str]:
    """Corpus sentences of varied length, plus a one-word and a punctuation-heavy line."""
    lines = sorted({line[:160] for line in corpus_lines(lang)}, key=len)
    step = max(1, len(lines) // n)
    picked = lines[::step][:n]
    return picked + ["Yes", "«Test» — 2024, №5; (a/b) & c…"]


def engines(path: Path, src: str, tgt: str, **kw) -> dict[str, Engine]:
    return {b: load_engine(path, src, tgt, backend=b, device="cpu", **kw) for b in ("hf", "ct2")}


# ---------------------------------------------------------------------------- parity


@pytest.mark.parametrize("fixture, src, tgt", MODELS, ids=IDS)
def test_backends_agree_in_float32_greedy(request, fixture, src, tgt):
    """The issue's contract: same weights, float32, greedy → the same output."""
    path = request.getfixturevalue(fixture)
    both = engines(path, src, tgt, compute_type="float32")
    sentences = sample(src)
    # A short length ratio keeps the random models' runaway outputs (and the test) short.
    hf = both["hf"].translate_batch(sentences, beam_size=1, max_length_ratio=1.5)
    ct2 = both["ct2"].translate_batch(sentences, beam_size=1, max_length_ratio=1.5)
    assert hf == ct2
    assert all(isinstance(t, str) for t in hf) and len(hf) == len(sentences)
    assert any(hf)


@pytest.mark.parametrize("fixture, src, tgt", MODELS, ids=IDS)
def test_light_tokenizer_matches_transformers(request, fixture, src, tgt):
    """The CT2 path tokenizes with sentencepiece alone; the ids must equal transformers'."""
    path = request.getfixturevalue(fixture)
    both = engines(path, src, tgt, compute_type="float32")
    hf, ct2 = both["hf"], both["ct2"]
    sentences = sample(src, 40)
    for sentence in sentences:
        ct2_tokens = ct2._encode([sentence])[0]
        assert hf.tokenizer.convert_tokens_to_ids(ct2_tokens) == hf._encode([sentence])[0]
    assert hf.count_tokens(sentences) == ct2.count_tokens(sentences)


@pytest.mark.parametrize("backend", ["hf", "ct2"])
def test_batching_does_not_change_the_output(tiny_marian_en_ru, backend):
    engine = load_engine(tiny_marian_en_ru, "en", "ru", backend=backend, compute_type="float32")
    sentences = sample("en", 10)
    opts = dict(beam_size=1, max_length_ratio=1.5)
    whole = engine.translate_batch(sentences, **opts)
    one_by_one = [engine.translate_batch([s], **opts)[0] for s in sentences]
    small_batches = engine.translate_batch(sentences, max_batch_tokens=64, **opts)
    assert whole == one_by_one == small_batches


def test_beam_search_and_guards_run_in_both(tiny_marian_en_ru):
    both = engines(tiny_marian_en_ru, "en", "ru", compute_type="float32")
    sentences = sample("en", 4)
    for engine in both.values():
        greedy = engine.translate_batch(sentences, beam_size=1, max_length_ratio=1.5)
        beam = engine.translate_batch(
            sentences, beam_size=4, length_penalty=0.8, max_length_ratio=1.5
        )
        guarded = engine.translate_batch(
            sentences,
            beam_size=1,
            no_repeat_ngram_size=1,
            repetition_penalty=1.3,
            max_length_ratio=1.5,
        )
        assert len(beam) == len(guarded) == len(sentences)
        assert guarded != greedy  # the random model repeats itself; the guards stop it


# ---------------------------------------------------------------------------- lengths


def _pieces(engine, text: str) -> int:
    return (
        len(engine.tokenizer.encode([text])[0])
        if engine.backend == "ct2"
        else len(engine.tokenizer(text, add_special_tokens=False)["input_ids"])
    )


@pytest.mark.parametrize("fixture, src, tgt", [MODELS[0], MODELS[5]], ids=[IDS[0], IDS[5]])
def test_fixed_output_length(request, fixture, src, tgt):
    """min_length = max_length = N gives N tokens in both backends, language code or not."""
    path = request.getfixturevalue(fixture)
    both = engines(path, src, tgt, compute_type="float32")
    sentences = sample(src, 5)
    outs = {
        b: e.translate_batch(sentences, beam_size=1, min_length=9, max_length=9)
        for b, e in both.items()
    }
    assert outs["hf"] == outs["ct2"]
    hf = both["hf"]
    gen = hf._generate(hf._encode(sentences), 9, 9, dict(num_beams=1, do_sample=False))
    assert [len(ids) for ids in gen] == [9] * len(sentences)


def test_runaway_output_is_cut_relative_to_the_source(tiny_marian_en_ru):
    engine = load_engine(tiny_marian_en_ru, "en", "ru", backend="hf", compute_type="float32")
    source = "The parties discussed cooperation."
    n = engine.count_tokens([source])[0] - 1
    hf = engine
    gen = hf._generate(hf._encode([source]), 100, 0, dict(num_beams=1, do_sample=False))[0]
    assert len(gen) > 2 * n  # this random model does run away
    short = engine.translate_batch([source], beam_size=1, max_length_ratio=1.0)[0]
    long = engine.translate_batch([source], beam_size=1, max_length_ratio=2.0)[0]
    assert len(short) < len(long)
    ct2 = load_engine(tiny_marian_en_ru, "en", "ru", backend="ct2", compute_type="float32")
    assert ct2.translate_batch([source], beam_size=1, max_length_ratio=1.0)[0] == short


def test_too_long_input_is_refused_not_truncated(tiny_marian_en_ru):
    engine = load_engine(tiny_marian_en_ru, "en", "ru", backend="ct2")
    long = " ".join(["cooperation"] * 400)
    assert engine.count_tokens([long])[0] > engine.max_input_tokens == 256
    with pytest.raises(UserError, match="more than the 256"):
        engine.translate_batch(["Short.", long])


def test_plan_batches_respects_the_budget():
    lengths = [5, 50, 7, 48, 6, 30, 1]
    batches = plan_batches(lengths, 100)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 100
    assert batches[0][0] == 1  # longest first
    assert plan_batches([], 10) == []
    assert plan_batches([500], 10) == [[0]]  # a sentence over budget still gets a batch


# ---------------------------------------------------------------------------- loading


def test_engine_interface_and_cache(tiny_marian_en_ru):
    engine = load_engine(tiny_marian_en_ru, "en", "ru")
    assert isinstance(engine, Engine)
    assert engine.backend == "ct2" and engine.device == "cpu"  # the defaults on this machine
    assert (engine.model_id, engine.revision) == (str(tiny_marian_en_ru), None)
    assert (engine.src_lang, engine.tgt_lang, engine.max_input_tokens) == ("en", "ru", 256)
    assert engine.compute_type == "int8"
    assert load_engine(tiny_marian_en_ru, "en", "ru") is engine
    assert load_engine(str(tiny_marian_en_ru), "EN", "ru", backend="ct2") is engine
    assert load_engine(tiny_marian_en_ru, "en", "ru", backend="hf") is not engine
    assert engine.translate_batch([]) == []


def test_hub_id_loads_from_the_cache_offline(tiny_hub):
    engine = load_engine("Helsinki-NLP/opus-mt-en-ru", "en", "ru")
    assert engine.revision == "0" * 40 and engine.model_id == "Helsinki-NLP/opus-mt-en-ru"
    assert engine.ct2_dir.parent.name == "0" * 40  # converted beside the snapshot
    assert engine.translate_batch(["The statement was signed."])[0]


def test_pivot_chains_two_engines(tiny_hub):
    steps = route("az", "ru")
    assert [(s.src, s.tgt) for s in steps] == [("az", "en"), ("en", "ru")]
    text = ["Üçtərəfli bəyanat imzalanıb.", "Heydər Əliyev"]
    for step in steps:
        engine = load_engine(step.id, step.src, step.tgt)
        text = engine.translate_batch(text)
    assert len(text) == 2


def test_multilingual_models_from_the_hub_cache(tiny_hub):
    trk = load_engine("Helsinki-NLP/opus-mt-en-trk", "en", "az", compute_type="float32")
    assert trk._encode(["Hi"])[0][0] == ">>aze_Latn<<"
    m2m = load_engine("facebook/m2m100_418M", "ru", "az", compute_type="float32")
    assert m2m._encode(["Привет"])[0][0] == "__ru__" and m2m._target_prefix == ["__az__"]
    assert m2m.translate_batch(["Привет"], beam_size=1)[0] is not None


def test_ct2_conversion_is_done_once(tiny_marian_ru_en):
    engine = load_engine(tiny_marian_ru_en, "ru", "en", backend="ct2")
    model_bin = engine.ct2_dir / "model.bin"
    expected = ct2_backend.ct2_dir_for(tiny_marian_ru_en, "int8", model_id=str(tiny_marian_ru_en))
    assert engine.ct2_dir == expected and ct2_backend.ct2_root() in expected.parents
    assert not (tiny_marian_ru_en / "ct2-int8").exists()  # never inside the model folder
    stamp = model_bin.stat().st_mtime_ns
    marker = json.loads((engine.ct2_dir / "mt-conversion.json").read_text())
    assert marker["quantization"] == "int8" and marker["family"] == "marian"
    from mt.translate.engine import clear_cache

    clear_cache()
    again = load_engine(tiny_marian_ru_en, "ru", "en", backend="ct2")
    assert again.ct2_dir == engine.ct2_dir and model_bin.stat().st_mtime_ns == stamp
    assert not list(engine.ct2_dir.parent.glob(".int8-*"))  # no temporary directory left


def test_read_only_model_directory_converts_into_the_user_cache(tiny_marian_az_en, tmp_path):
    model = tmp_path / "ro-model"
    shutil.copytree(tiny_marian_az_en, model, ignore=shutil.ignore_patterns("ct2-*"))
    model.chmod(0o555)
    try:
        engine = load_engine(model, "az", "en", backend="ct2")
    finally:
        model.chmod(0o755)
    assert ct2_backend.ct2_root() in engine.ct2_dir.parents
    assert sorted(p.name for p in model.iterdir()) == sorted(
        p.name for p in tiny_marian_az_en.iterdir() if not p.name.startswith("ct2-")
    )


def test_vocabulary_shortlist_is_used(tiny_marian_en_az, tmp_path):
    model = tmp_path / "opus-mt-en-az"
    shutil.copytree(tiny_marian_en_az, model, ignore=shutil.ignore_patterns("ct2-*"))
    vocab = json.loads((model / "vocab.json").read_text())
    targets = [t for t in vocab if t.startswith("▁")][:30]
    (model / "vmap.txt").write_text("".join(f"{t}\t{' '.join(targets)}\n" for t in targets[:5]))
    engine = load_engine(model, "en", "az", backend="ct2")
    assert engine.use_vmap and (engine.ct2_dir / "vmap.txt").is_file()
    assert len(engine.translate_batch(sample("en", 3), beam_size=1)) == 5


def test_ct2_path_does_not_import_torch(tiny_marian_en_az):
    """Cold start: once converted, loading and translating needs no torch/transformers."""
    load_engine(tiny_marian_en_az, "en", "az", backend="ct2")  # converts if needed
    code = (
        "import sys\n"
        "from mt.translate.engine import load_engine\n"
        f"e = load_engine({str(tiny_marian_en_az)!r}, 'en', 'az')\n"
        "print(e.backend, len(e.translate_batch(['The President met the delegation.'])))\n"
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "print('heavy:', heavy)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "ct2 1" in result.stdout and "heavy: []" in result.stdout


def test_threads(tiny_marian_en_ru):
    engine = load_engine(tiny_marian_en_ru, "en", "ru", backend="ct2", threads=1)
    assert (engine.inter_threads, engine.intra_threads) == (1, 1)
    assert backends.cpu_count() >= 1


def test_threads_default_to_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert backends.default_threads() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert backends.default_threads() == backends.cpu_count()


# ---------------------------------------------------------------------------- bad input


@pytest.mark.skipif(HAS_CUDA, reason="this machine has CUDA")
@pytest.mark.parametrize("backend", ["ct2", "hf"])
def test_cuda_asked_but_absent(tiny_marian_en_ru, backend):
    with pytest.raises(UserError, match="no CUDA device"):
        load_engine(tiny_marian_en_ru, "en", "ru", backend=backend, device="cuda")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(backend="onnx"), "unknown backend"),
        (dict(device="tpu"), "unknown device"),
        (dict(backend="ct2", compute_type="float16"), "not available on cpu"),
        (dict(backend="hf", compute_type="int8"), "not available with the hf backend"),
        (dict(backend="hf", compute_type="float16"), "not supported on CPU"),
    ],
)
def test_bad_options(tiny_marian_en_ru, kwargs, message):
    with pytest.raises(UserError, match=message):
        load_engine(tiny_marian_en_ru, "en", "ru", **kwargs)


def test_unknown_language(tiny_marian_en_ru):
    with pytest.raises(UserError, match="unsupported language"):
        load_engine(tiny_marian_en_ru, "en", "de")


# ---------------------------------------------------------------------------- GPU


@gpu
@needs_cuda
@pytest.mark.parametrize("fixture, src, tgt", [MODELS[0], MODELS[5]], ids=[IDS[0], IDS[5]])
def test_gpu_backends_agree_in_float32(request, fixture, src, tgt):
    path = request.getfixturevalue(fixture)
    sentences = sample(src)
    outs = [
        load_engine(
            path, src, tgt, backend=b, device="cuda", compute_type="float32"
        ).translate_batch(sentences, beam_size=1)
        for b in ("hf", "ct2")
    ]
    assert outs[0] == outs[1]


@gpu
@needs_cuda
@pytest.mark.parametrize(
    "backend, compute_type",
    [("ct2", None), ("ct2", "int8_float16"), ("hf", None), ("hf", "bfloat16")],
)
def test_gpu_half_precision(tiny_marian_en_ru, backend, compute_type):
    engine = load_engine(
        tiny_marian_en_ru, "en", "ru", backend=backend, device="cuda", compute_type=compute_type
    )
    assert engine.device == "cuda"
    assert load_engine(tiny_marian_en_ru, "en", "ru", device="auto").device == "cuda"
    assert len(engine.translate_batch(sample("en", 8))) == 10
