"""The optional aligners (``embedding``, ``mt-assisted``) with tiny random local models.

Nothing here reaches the network: the embedding model is a tiny BERT built in the test and
saved as a sentence-transformers directory; the MT-assisted aligner uses the tiny Marian
fixture of tests/translate/fixtures.py. The embeddings are random-weight gibberish, so the
tests check the mechanics (coverage, order, confidence range, identical texts 1-1, the
one-line errors), not alignment quality.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mt.corpus.align.api import align_presplit, align_segmented
from mt.corpus.align.base import Bead, get_aligner
from mt.errors import UserError
from tests.reliability.conftest import assert_one_line
from tests.translate import tiny

EN = tiny.BUILTIN_TEXT["en"]
RU = tiny.BUILTIN_TEXT["ru"]


def _covers(beads: list[Bead], n: int, m: int) -> None:
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    assert all(b.src or b.tgt for b in beads)
    assert all(b.score is not None and 0.0 <= b.score <= 1.0 for b in beads)


def build_tiny_sentence_model(out: Path, lines: list[str]) -> Path:
    """A BERT-architecture sentence-transformers model with random weights, saved to ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors, trainers
    from tokenizers import models as tok_models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:  # sentence-transformers >= 6
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(tok_models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=300, special_tokens=special, show_progress=False)
    tok.train_from_iterator(lines, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    bert_dir = out.parent / f"{out.name}-bert"
    BertTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]",
    ).save_pretrained(bert_dir)  # fmt: skip
    torch.manual_seed(tiny.SEED)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=4, intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    BertModel(config).save_pretrained(bert_dir)
    modules = [Transformer(str(bert_dir), max_seq_length=128), Pooling(32, "mean")]
    SentenceTransformer(modules=modules, device="cpu").save(str(out))
    return out


@pytest.fixture(scope="module")
def tiny_sentence_model(tmp_path_factory) -> Path:
    pytest.importorskip("sentence_transformers")
    return build_tiny_sentence_model(tmp_path_factory.mktemp("st") / "tiny-st", EN + RU)


@pytest.fixture
def embed_env(tiny_sentence_model, monkeypatch) -> Path:
    monkeypatch.setenv("MT_ALIGN_MODEL", str(tiny_sentence_model))
    return tiny_sentence_model


# --------------------------------------------------------------------------- registry


def test_registered_and_lazy():
    from mt.corpus.align.embedding import EmbeddingAligner
    from mt.corpus.align.mtassisted import MtAssistedAligner

    assert isinstance(get_aligner("embedding"), EmbeddingAligner)
    assert isinstance(get_aligner("mt-assisted"), MtAssistedAligner)
    # Choosing an aligner loads no heavy library; only aligning does.
    code = (
        "import sys; from mt.corpus.align.base import get_aligner; "
        "get_aligner('embedding'); get_aligner('mt-assisted'); "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- embedding


def test_embedding_identical_texts_align_one_to_one(embed_env):
    beads = align_presplit(EN, EN, "en", "ru", method="embedding")
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(len(EN))]
    _covers(beads, len(EN), len(EN))
    assert min(b.score for b in beads) > 0.5


def test_embedding_covers_both_sides_with_paragraphs(embed_env):
    src = [EN[:3], EN[3:]]
    tgt = [RU[:3], [RU[3] + " " + RU[4], *RU[5:]]]  # a 2-1 bead somewhere in paragraph two
    beads = align_segmented(src, tgt, "en", "ru", method="embedding")
    _covers(beads, len(EN), len(RU) - 1)


def test_embedding_empty_side(embed_env):
    beads = align_presplit(EN[:3], [], "en", "ru", method="embedding")
    assert [(b.src, b.tgt) for b in beads] == [((0,), ()), ((1,), ()), ((2,), ())]


def test_embedding_vectors_dp_on_synthetic_vectors():
    """The shared DP: near-copies align 1-1, a merged pair becomes a 2-1 bead."""
    import numpy as np

    from mt.corpus.align.embedding import align_vectors

    rng = np.random.default_rng(0)
    n = 60
    u = rng.normal(size=(n, 16))
    lens = rng.integers(30, 150, size=n)
    v = np.vstack([u[:10], u[10] + u[11], u[12:]]) + 0.05 * rng.normal(size=(n - 1, 16))
    tl = np.concatenate([lens[:10], [lens[10] + lens[11]], lens[12:]])
    beads = align_vectors(u, v, lens, tl, "en", "de")
    _covers(beads, n, n - 1)
    assert Bead((10, 11), (10,)) in [Bead(b.src, b.tgt) for b in beads]
    assert sum(len(b.src) == len(b.tgt) == 1 for b in beads) == n - 2


def test_embedding_model_dir_without_model(tmp_path, monkeypatch):
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    monkeypatch.setenv("MT_ALIGN_MODEL", str(empty))
    pytest.importorskip("sentence_transformers")
    with pytest.raises(UserError) as info:
        align_presplit(EN, RU, "en", "ru", method="embedding")
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"embedding aligner needs the model {str(empty)!r}")


def test_embedding_hub_model_not_cached_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("MT_ALIGN_MODEL", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    pytest.importorskip("sentence_transformers")
    with pytest.raises(UserError) as info:
        align_presplit(EN, RU, "en", "ru", method="embedding")
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("embedding aligner needs the model 'sentence-transformers/LaBSE' (")
    assert "not in the local cache" in msg and "MT_ALIGN_MODEL" in msg


def test_embedding_without_sentence_transformers(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(UserError, match=r"needs sentence-transformers: pip install"):
        align_presplit(EN, RU, "en", "ru", method="embedding")


def test_cli_embedding_without_weights_is_one_line(run_mt, tmp_path, monkeypatch):
    monkeypatch.delenv("MT_ALIGN_MODEL", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(" ".join(EN) + "\n", encoding="utf-8")
    b.write_text(" ".join(RU) + "\n", encoding="utf-8")
    result = run_mt("align", a, b, "--src", "en", "--tgt", "ru", "--method", "embedding")
    assert_one_line(result, 2, "embedding aligner needs")


def test_cli_embedding_with_local_model(run_mt, embed_env, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(EN) + "\n", encoding="utf-8")
    b.write_text("\n".join(EN) + "\n", encoding="utf-8")
    code, out, err = run_mt("align", a, b, "--src", "en", "--tgt", "ru", "--presplit",
                            "--method", "embedding")  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [f"[{i}]:[{i}]" for i in range(len(EN))]


# --------------------------------------------------------------------------- mt-assisted


def test_mt_assisted_identical_translation_aligns_one_to_one(monkeypatch):
    from mt.corpus.align.mtassisted import MtAssistedAligner

    # A perfect "translation" (the target itself) isolates the n-gram scoring and the DP.
    monkeypatch.setattr(MtAssistedAligner, "translate", lambda self, s, sl, tl: list(RU))
    beads = align_presplit(EN, RU, "en", "ru", method="mt-assisted")
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(len(EN))]
    assert min(b.score for b in beads) > 0.5


def test_mt_assisted_with_tiny_marian(tiny_marian_en_ru, monkeypatch):
    monkeypatch.setenv("MT_ALIGN_MT_MODEL", str(tiny_marian_en_ru))
    src = [EN[:4], EN[4:]]
    tgt = [RU[:4], [RU[4] + " " + RU[5], RU[6]]]
    beads = align_segmented(src, tgt, "en", "ru", method="mt-assisted")
    _covers(beads, len(EN), len(RU) - 1)


def test_mt_assisted_other_pair_is_user_error():
    with pytest.raises(UserError, match=r"mt-assisted aligner translates only between en, az, ru"):
        align_presplit(["Guten Tag."], ["Bonjour."], "de", "fr", method="mt-assisted")


def test_mt_assisted_missing_model_offline(empty_hub, monkeypatch):
    monkeypatch.delenv("MT_ALIGN_MT_MODEL", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError) as info:
        align_presplit(EN, RU, "en", "ru", method="mt-assisted")
    assert "\n" not in str(info.value)
    assert "not in the local cache" in str(info.value)
