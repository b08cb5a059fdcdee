"""The pipeline: segmentation, dedup, translation memory, batching, splitting, pivots, layout.

Fake engines (output = a function of the input, every batch recorded) show *what* reaches the
model; the tiny real models show that the same code runs on real loading and decoding.
"""

from __future__ import annotations

import pytest

from mt.errors import UserError
from mt.translate import Translator
from mt.translate.batching import make_batches, split_long
from mt.translate.pipeline import BATCHES_PER_CALL, DecodeOptions, _degenerate

# ---------------------------------------------------------------------------- helpers


def count(sentences):
    return [len(s.split()) + 1 for s in sentences]


def sent_to_engine(engine) -> list[str]:
    return [s for batch in engine.calls for s in batch]


def translator(*engines, **kw) -> Translator:
    kw.setdefault("glossary", False)
    return Translator.from_engines(list(engines), **kw)


# ---------------------------------------------------------------------------- batching


def test_batches_respect_the_padded_budget_and_sort_by_length():
    lengths = [3, 10, 4, 10, 2, 9, 1, 30]
    batches = make_batches(lengths, 20)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) * max(lengths[i] for i in batch) <= 20 or len(batch) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)  # longest first
    assert batches[0] == [7]  # longer than the budget alone: a batch of its own


def test_batches_fill_up_to_the_budget():
    assert make_batches([5] * 8, 20) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError):
        make_batches([1], 0)


def test_split_long_prefers_clause_boundaries():
    text = ("The ministry welcomed the agreement; the parties will meet again in Geneva, "
            "and the talks will continue next year in Baku.")  # fmt: skip
    pieces = split_long(text, "en", count, 12)
    assert pieces[0] == "The ministry welcomed the agreement;"
    assert all(count([p])[0] <= 12 for p in pieces)
    assert " ".join(pieces) == text


def test_split_long_falls_back_to_word_windows_and_characters():
    text = " ".join(f"w{i}" for i in range(40))
    pieces = split_long(text, "en", count, 8)
    assert all(count([p])[0] <= 8 for p in pieces)
    assert " ".join(pieces) == text
    giant = "x" * 100
    pieces = split_long(giant, "en", lambda ss: [len(s) // 10 + 1 for s in ss], 3)
    assert "".join(pieces) == giant and all(len(p) // 10 + 1 <= 3 for p in pieces)


@pytest.mark.parametrize("lang, text, first", [
    ("ru", "Министр провёл встречу с делегацией и обсудил вопросы сотрудничества в регионе",
     "Министр провёл встречу с делегацией"),
    ("az", "Nazir nümayəndə heyəti ilə görüşüb və regionda əməkdaşlıq məsələlərini müzakirə edib",
     "Nazir nümayəndə heyəti ilə görüşüb"),
])  # fmt: skip
def test_split_long_cuts_before_conjunctions(lang, text, first):
    assert split_long(text, lang, count, 8)[0] == first


# ---------------------------------------------------------------------------- layout, dedup


TEXT = """Statement of the Ministry
Baku, 12 March 2024

The ministry welcomes the agreement. The talks went well. The ministry welcomes the agreement.

- first point
- second point
"""


def test_order_and_paragraph_layout_are_restored(fake_engine):
    engine = fake_engine("en", "ru", lambda s: s.upper())
    result = translator(engine).translate_text(TEXT)
    assert result.text == TEXT.upper()
    assert [r.paragraph for r in result.sentences] == [0, 0, 1, 1, 1, 2, 2]
    assert [r.index for r in result.sentences] == list(range(7))
    assert result.sentences[2].source == "The ministry welcomes the agreement."
    assert result.sentences[2].translation == "THE MINISTRY WELCOMES THE AGREEMENT."


def test_identical_sentences_are_translated_once(fake_engine):
    engine = fake_engine("en", "ru")
    result = translator(engine).translate_text(TEXT)
    sent = sent_to_engine(engine)
    assert sent.count("The ministry welcomes the agreement.") == 1
    assert len(sent) == len(set(sent)) == 6
    assert result.sentences[2].translation == result.sentences[4].translation


def test_normalization_before_translation(fake_engine):
    engine = fake_engine("az", "en")
    translator(engine).translate_sentences(["Azərbaycan  və\u00a0Gәncә"])  # Cyrillic ә
    assert sent_to_engine(engine) == ["Azərbaycan və Gəncə"]


def test_translate_sentences_api(fake_engine):
    engine = fake_engine("en", "ru")
    out = translator(engine).translate_sentences(["One.", "", "Two.", "One."])
    assert out == ["ru: One.", "", "ru: Two.", "ru: One."]
    assert sent_to_engine(engine) == ["One.", "Two."]


def test_sentences_without_words_are_copied(fake_engine):
    engine = fake_engine("en", "ru")
    result = translator(engine).translate_text("2024\n\n* * *\n\nWords here.\n")
    assert result.text == "2024\n\n* * *\n\nru: Words here.\n"
    assert sent_to_engine(engine) == ["Words here."]


def test_empty_input_is_a_user_error(fake_engine):
    with pytest.raises(UserError, match="empty"):
        translator(fake_engine("en", "ru")).translate_text(" \n\n ")


def test_engines_must_match_the_direction(fake_engine):
    with pytest.raises(UserError, match="do not translate"):
        translator(fake_engine("az", "en"), fake_engine("ru", "en"))


# ---------------------------------------------------------------------------- TM


def test_translation_memory_sentence_is_not_sent_to_the_engine(fake_engine):
    engine = fake_engine("en", "ru")
    tm = {"The talks went well.": "Переговоры прошли хорошо."}
    result = translator(engine, tm=tm).translate_text(TEXT)
    assert "The talks went well." not in sent_to_engine(engine)
    hit = next(r for r in result.sentences if r.source == "The talks went well.")
    assert hit.from_tm and hit.model is None and hit.translation == "Переговоры прошли хорошо."
    assert "The ministry welcomes the agreement. Переговоры прошли хорошо." in result.text
    assert not any(r.from_tm for r in result.sentences if r is not hit)


def test_translation_memory_from_the_store(fake_engine, run_mt, make_statement, tmp_path):
    folder = make_statement()
    assert run_mt("corpus", "import", folder)[0] == 0
    assert run_mt("corpus", "align", "--pair", "en-ru")[0] == 0
    from mt.corpus.store import Store, default_db_path

    engine = fake_engine("en", "ru")
    text = "The next meeting will take place in Geneva. A brand new sentence.\n"
    with Store.open(default_db_path(), create=False) as store:
        result = translator(engine, store=store).translate_text(text)
    assert sent_to_engine(engine) == ["A brand new sentence."]
    assert result.sentences[0].from_tm
    assert result.sentences[0].translation == "Следующая встреча пройдёт в Женеве."
    # a path works too, and --no-tm style
    engine2 = fake_engine("en", "ru")
    translator(engine2, store=default_db_path(), tm=False).translate_text(text)
    assert len(sent_to_engine(engine2)) == 2


# ---------------------------------------------------------------------------- engines


def test_pivot_chains_two_engines(fake_engine):
    first = fake_engine("az", "en", lambda s: f"EN({s})")
    second = fake_engine("en", "ru", lambda s: f"RU({s})")
    t = translator(first, second)
    result = t.translate_text("Bakı gözəldir. Şuşa da.\n")
    assert sent_to_engine(first) == ["Bakı gözəldir.", "Şuşa da."]
    assert sent_to_engine(second) == ["EN(Bakı gözəldir.)", "EN(Şuşa da.)"]
    assert result.text == "RU(EN(Bakı gözəldir.)) RU(EN(Şuşa da.))\n"
    assert result.model == "fake/echo+fake/echo"
    assert [s["src"] + s["tgt"] for s in result.provenance["route"]] == ["azen", "enru"]


def test_long_sentences_are_split_never_truncated(fake_engine):
    engine = fake_engine("en", "ru", lambda s: s.upper(), max_input_tokens=10)
    long = ("The ministry welcomed the agreement signed yesterday, the parties pledged "
            "further talks, and the delegations will meet again in Geneva next year.")  # fmt: skip
    out = translator(engine).translate_sentences([long])[0]
    sent = sent_to_engine(engine)
    assert len(sent) > 1 and all(count([s])[0] <= 10 for s in sent)
    assert out == long.upper()


def test_batches_stay_within_the_token_budget(fake_engine):
    engine = fake_engine("en", "ru")
    sentences = [" ".join(["word"] * n) + "." for n in range(1, 30)]
    translator(engine, batch_tokens=5).translate_sentences(sentences)
    assert len(engine.calls) > 1
    # each call holds at most BATCHES_PER_CALL budgets; the engine splits it by the budget
    for batch in engine.calls:
        assert len(batch) * max(count(batch)) <= 5 * BATCHES_PER_CALL or len(batch) == 1
    lengths = [max(count(b)) for b in engine.calls]
    assert lengths == sorted(lengths, reverse=True)


def test_decoding_options_reach_the_engine(fake_engine):
    seen = []
    engine = fake_engine("en", "ru")
    original = engine.translate_batch

    def spy(sentences, **options):
        seen.append(options)
        return original(sentences, **options)

    engine.translate_batch = spy
    decode = DecodeOptions(beam_size=2, length_penalty=0.8, max_length_ratio=2.5)
    translator(engine, decode=decode, batch_tokens=300).translate_sentences(["A test."])
    assert seen[0] == {"beam_size": 2, "length_penalty": 0.8, "max_length_ratio": 2.5,
                       "repetition_penalty": 1.0, "no_repeat_ngram_size": 0,
                       "max_batch_tokens": 300}  # fmt: skip


def test_looping_output_is_decoded_again_with_guards(fake_engine):
    options = []
    engine = fake_engine("en", "ru")

    def loop_unless_guarded(sentences, **opts):
        options.append(opts)
        if opts["no_repeat_ngram_size"]:
            return [f"ru: {s}" for s in sentences]
        return ["и снова " * 8 for _ in sentences]

    engine.translate_batch = loop_unless_guarded
    out = translator(engine).translate_sentences(["The talks went well."])
    assert out == ["ru: The talks went well."]
    assert options[1]["no_repeat_ngram_size"] == 3 and options[1]["repetition_penalty"] >= 1.2


def test_loop_retry_can_be_switched_off(fake_engine):
    engine = fake_engine("en", "ru", lambda s: "и снова " * 8)
    translator(engine, retry_loops=False).translate_sentences(["The talks went well."])
    assert len(engine.calls) == 1


def test_degenerate_detection():
    assert _degenerate("Short.", "и снова и снова и снова и снова и снова")
    assert _degenerate("Short.", "x" * 200)
    assert not _degenerate("The talks went well.", "Переговоры прошли хорошо.")


def test_progress_is_reported(fake_engine):
    engine = fake_engine("en", "ru")
    seen = []
    translator(engine).translate_text(TEXT, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] == 6


# ---------------------------------------------------------------------------- real models


def test_translator_on_tiny_models_from_the_hub_cache(tiny_hub):
    t = Translator("en", "ru", backend="ct2", glossary=False)
    assert t.model == "Helsinki-NLP/opus-mt-en-ru" and t.backend == "ct2"
    result = t.translate_text(
        "The parties discussed cooperation.\n\nHeydar Aliyev was the "
        "national leader. The parties discussed cooperation.\n"
    )
    assert result.text.count("\n\n") == 1 and result.text.endswith("\n")
    assert len(result.sentences) == 3
    assert result.sentences[0].translation == result.sentences[2].translation
    assert all(r.translation for r in result.sentences)


def test_models_are_loaded_once_and_reused(tiny_hub):
    from mt.translate.engine import load_engine

    a = Translator("en", "az", backend="hf", glossary=False)
    b = Translator("en", "az", backend="hf", glossary=False, beam=1)
    assert a.engines[0] is b.engines[0]
    assert a.engines[0] is load_engine("Helsinki-NLP/opus-mt-en-az", "en", "az", backend="hf")


@pytest.mark.parametrize("backend", ["ct2", "hf"])
def test_pivot_on_tiny_models(tiny_hub, backend):
    t = Translator("az", "ru", backend=backend, beam=1, max_length_ratio=1.0, glossary=False)
    assert t.model == "Helsinki-NLP/opus-mt-az-en+Helsinki-NLP/opus-mt-en-ru"
    assert [e.tgt_lang for e in t.engines] == ["en", "ru"]
    out = t.translate_sentences(["Heydər Əliyev Azərbaycan xalqının ümummilli lideri idi."])
    assert out[0]


def test_long_sentence_on_a_tiny_model(tiny_hub):
    t = Translator("en", "ru", backend="ct2", beam=1, glossary=False)
    t.engines[0].max_input_tokens = 12
    sentence = (
        "The parties discussed cooperation in energy, transport and humanitarian "
        "issues, and both sides reaffirmed their commitment to peace and stability."
    )
    assert t.engines[0].count_tokens([sentence])[0] > 12
    assert t.translate_sentences([sentence])[0]


def _has_cuda() -> bool:
    from mt.translate.backends import cuda_available

    return cuda_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _has_cuda(), reason="needs a CUDA device")
@pytest.mark.parametrize("backend", ["ct2", "hf"])
def test_pipeline_on_the_gpu(tiny_hub, backend):
    t = Translator("en", "ru", backend=backend, device="cuda", beam=2, glossary=False)
    assert t.engines[0].device == "cuda" and t.batch_tokens == 8192
    result = t.translate_text("The parties discussed cooperation.\n\nThe talks went well.\n")
    assert result.text.count("\n\n") == 1 and len(result.sentences) == 2
