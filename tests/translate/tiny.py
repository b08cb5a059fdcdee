"""Tiny translation models with the real architectures, saved exactly as on the hub.

Real checkpoints cannot be downloaded in tests, yet the loading, conversion and decoding code
must run for real. So we build MarianMT / M2M100 / NLLB models with a few thousand random
(seeded) weights and sentencepiece vocabularies trained on the bundled corpus, and write
them with the hub's file layout, so ``AutoModelForSeq2SeqLM.from_pretrained(dir)``, the
family's tokenizer and CTranslate2's converter all work offline on them.

The translations are gibberish, but deterministic: the same input gives the same output in
every backend. Used by tests/translate/fixtures.py and benchmarks/translate_throughput.py.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 1234

# Always part of the training text, so every letter of the three languages has a piece even
# when the bundled corpus is small (or still being written).
BUILTIN_TEXT = {
    "en": [
        "The President of the Republic of Azerbaijan Ilham Aliyev met the delegation.",
        "The trilateral statement was signed in Moscow on 10 November 2020.",
        "The parties discussed cooperation in energy, transport and humanitarian issues.",
        "Heydar Aliyev was the national leader of the Azerbaijani people.",
        "The Ministry of Foreign Affairs expressed its deep concern about the situation.",
        "Both sides reaffirmed their commitment to peace, stability and mutual respect.",
        "Quick brown foxes jump over lazy dogs; zebras, yaks and quails watch: 1234567890!",
    ],
    "az": [
        "Azərbaycan Respublikasının Prezidenti İlham Əliyev nümayəndə heyətini qəbul edib.",
        "Üçtərəfli bəyanat 2020-ci il noyabrın 10-da Moskvada imzalanıb.",
        "Tərəflər enerji, nəqliyyat və humanitar məsələlərdə əməkdaşlığı müzakirə ediblər.",
        "Heydər Əliyev Azərbaycan xalqının ümummilli lideri idi.",
        "Xarici İşlər Nazirliyi vəziyyətlə bağlı dərin narahatlığını ifadə edib.",
        "Hər iki tərəf sülhə, sabitliyə və qarşılıqlı hörmətə sadiqliyini təsdiqləyib.",
        "Çağ, şəhər, ğ, ı, ö, ü, ç, ş, İ, Ə, Ö, Ü, Ç, Ş, Ğ, I, qış, xoş, jurnal: 1234567890!",
    ],
    "ru": [
        "Президент Азербайджанской Республики Ильхам Алиев принял делегацию.",
        "Трёхстороннее заявление было подписано в Москве 10 ноября 2020 года.",
        "Стороны обсудили сотрудничество в области энергетики, транспорта и гуманитарных вопросов.",
        "Гейдар Алиев был общенациональным лидером азербайджанского народа.",
        "Министерство иностранных дел выразило глубокую обеспокоенность ситуацией.",
        "Обе стороны подтвердили приверженность миру, стабильности и взаимному уважению.",
        "Съешь же ещё этих мягких французских булок, да выпей чаю: ЁЖ, ЦЫ, ЩЪ 1234567890!",
    ],
}  # fmt: skip

# Architecture of the tiny models: big enough to exercise every code path, small enough to
# build and run in milliseconds.
TINY = dict(
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    encoder_attention_heads=4,
    decoder_attention_heads=4,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    max_position_embeddings=256,
)
# Large random weights keep the logits far apart, so float32 decoding in PyTorch and in
# CTranslate2 picks the same argmax instead of flipping on near-ties.
INIT_STD = 0.5


def corpus_lines(lang: str, root: Path = ROOT) -> list[str]:
    """Non-empty lines of the bundled corpus in ``lang`` plus the built-in sample."""
    lines = list(BUILTIN_TEXT[lang])
    for path in sorted((root / "corpora").glob(f"*/{lang}.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # a corpus file being written right now: the built-in text suffices
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    return lines


def train_spm(lines: Iterable[str], vocab_size: int, model_type: str = "unigram") -> bytes:
    """A sentencepiece model (bytes) trained on ``lines``; fixed settings give stable output."""
    import sentencepiece as spm

    spm.set_random_generator_seed(SEED)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=buf,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
        seed_sentencepiece_size=100000,
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
    )
    return buf.getvalue()


def spm_pieces(model: bytes) -> list[str]:
    """The normal pieces of a sentencepiece model, in id order (control/unk pieces left out)."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model)
    return [
        sp.id_to_piece(i)
        for i in range(sp.get_piece_size())
        if not (sp.is_unknown(i) or sp.is_control(i))
    ]


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _save_model(model, out: Path) -> None:
    """Weights, config.json and generation_config.json as ``save_pretrained`` writes them."""
    model.save_pretrained(str(out), safe_serialization=True)


def _seeded_init(model, std: float) -> None:
    """Random weights from our own seeded generator (independent of torch's init order).

    Layer-norm scales stay 1 and sinusoidal positions stay sinusoidal, as in the real
    models; the pad row of the embeddings is zero, which CTranslate2 relies on for Marian
    (its decoder starts from a zero embedding where transformers embeds the pad token).
    """
    import torch

    gen = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, param in sorted(model.named_parameters()):
            if name.endswith("layer_norm.weight") or "embed_positions" in name:
                continue
            param.copy_(torch.randn(param.shape, generator=gen) * std)
        pad = model.config.pad_token_id
        model.get_input_embeddings().weight[pad].zero_()


# ---------------------------------------------------------------------------- Marian


def build_marian(
    out: Path,
    src: str,
    tgt: str,
    *,
    target_tokens: Sequence[str] = (),
    vocab_size: int = 400,
    arch: dict | None = None,
    pad_vocab_to: int = 0,
    lines: dict[str, list[str]] | None = None,
    name: str | None = None,
    init_std: float = INIT_STD,
) -> Path:
    """An OPUS-MT-like model ``src`` → ``tgt`` in ``out`` (hub layout).

    ``target_tokens`` (e.g. ``>>aze_Latn<<``) make it multilingual on the target side like
    opus-mt-en-trk. ``pad_vocab_to`` pads vocab.json with filler pieces up to that size (the
    benchmark's 62,518). ``arch`` overrides the tiny architecture; a full-size one wants a
    realistic ``init_std`` (0.02) so activations stay finite in float16.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    lines = lines or {lang: corpus_lines(lang) for lang in (src, tgt)}
    out.mkdir(parents=True, exist_ok=True)
    src_spm, tgt_spm = train_spm(lines[src], vocab_size), train_spm(lines[tgt], vocab_size)
    (out / "source.spm").write_bytes(src_spm)
    (out / "target.spm").write_bytes(tgt_spm)
    tokens = ["</s>", "<unk>", *target_tokens]
    for piece in spm_pieces(src_spm) + spm_pieces(tgt_spm):
        if piece not in tokens:
            tokens.append(piece)
    tokens += [f"▁filler{i}" for i in range(max(0, pad_vocab_to - len(tokens) - 1))]
    tokens.append("<pad>")  # Marian puts pad last; it also starts the decoder
    _write_json(out / "vocab.json", {t: i for i, t in enumerate(tokens)})
    pad = len(tokens) - 1
    config = MarianConfig(
        vocab_size=len(tokens),
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        init_std=init_std,
        **(arch or TINY),
    )
    config._name_or_path = name or f"Helsinki-NLP/opus-mt-{src}-{tgt}"
    torch.manual_seed(SEED)
    model = MarianMTModel(config).eval()
    _seeded_init(model, init_std)
    model.generation_config.bad_words_ids = [[pad]]
    model.generation_config.max_length = config.max_position_embeddings
    model.generation_config.num_beams = 4
    _save_model(model, out)
    _write_json(
        out / "tokenizer_config.json",
        {
            "source_lang": src,
            "target_lang": tgt,
            "model_max_length": config.max_position_embeddings,
            "tokenizer_class": "MarianTokenizer",
            "unk_token": "<unk>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "separate_vocabs": False,
        },
    )
    _write_json(
        out / "special_tokens_map.json",
        {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
    )
    return out


# ---------------------------------------------------------------------------- M2M100 / NLLB


def _m2m_lines(lines: dict[str, list[str]] | None) -> list[str]:
    lines = lines or {lang: corpus_lines(lang) for lang in ("en", "az", "ru")}
    return [line for lang in sorted(lines) for line in lines[lang]]


def build_m2m100(
    out: Path, *, vocab_size: int = 600, lines: dict[str, list[str]] | None = None
) -> Path:
    """An m2m100_418M-like model (hub layout: vocab.json + sentencepiece.bpe.model)."""
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    out.mkdir(parents=True, exist_ok=True)
    model_bytes = train_spm(_m2m_lines(lines), vocab_size, model_type="bpe")
    (out / "sentencepiece.bpe.model").write_bytes(model_bytes)
    tokens = ["<s>", "<pad>", "</s>", "<unk>"] + spm_pieces(model_bytes)
    _write_json(out / "vocab.json", {t: i for i, t in enumerate(tokens)})
    n_langs, n_madeup = len(FAIRSEQ_LANGUAGE_CODES["m2m100"]), 8
    _save_m2m100(out, len(tokens) + n_langs + n_madeup, "facebook/m2m100_418M")
    _write_json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "M2M100Tokenizer",
            "language_codes": "m2m100",
            "num_madeup_words": 8,
            "model_max_length": 1024,
            "src_lang": None,
            "tgt_lang": None,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
        },
    )
    _write_json(
        out / "special_tokens_map.json",
        {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
        },
    )
    return out


def build_nllb(
    out: Path, *, vocab_size: int = 600, lines: dict[str, list[str]] | None = None
) -> Path:
    """An nllb-200-distilled-600M-like model: M2M100 config, NLLB tokenizer (spm only)."""
    from transformers import NllbTokenizer

    out.mkdir(parents=True, exist_ok=True)
    model_bytes = train_spm(_m2m_lines(lines), vocab_size, model_type="bpe")
    (out / "sentencepiece.bpe.model").write_bytes(model_bytes)
    _write_json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "NllbTokenizer",
            "model_max_length": 1024,
            "src_lang": "eng_Latn",
            "tgt_lang": None,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "mask_token": "<mask>",
            "legacy_behaviour": False,
        },
    )
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    tokenizer = NllbTokenizer.from_pretrained(
        str(out), extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES)
    )
    tokenizer.save_pretrained(str(out))  # tokenizer.json, as the hub repository has it
    _save_m2m100(out, len(tokenizer), "facebook/nllb-200-distilled-600M")
    return out


def _save_m2m100(out: Path, vocab_size: int, name: str) -> None:
    """Random tiny weights in the M2M100 architecture (shared by M2M100 and NLLB), saved."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        scale_embedding=True,
        init_std=INIT_STD,
        activation_function="relu",
        **TINY,
    )
    config._name_or_path = name
    torch.manual_seed(SEED)
    model = M2M100ForConditionalGeneration(config).eval()
    _seeded_init(model, INIT_STD)
    model.generation_config.max_length = 200
    _save_model(model, out)


# ---------------------------------------------------------------------------- fake hub cache


def install_in_hub_cache(
    model_dir: Path, hub_cache: Path, repo_id: str, commit: str = "0" * 40
) -> Path:
    """Copy a model directory into a Hugging Face cache laid out as huggingface_hub does
    (blobs are plain copies here; snapshots hold the files), so hub-id loading works
    without network when HF_HUB_CACHE / HF_HOME points at it."""
    repo = hub_cache / ("models--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / commit
    if snap.exists():
        shutil.rmtree(snap)
    shutil.copytree(model_dir, snap, ignore=shutil.ignore_patterns("ct2-*", ".ct2-*"))
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    return snap
