"""The model catalog, routing, family detection, hub-cache resolution and `mt models`."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from mt.cli.models import models_app
from mt.errors import UserError
from mt.translate import models
from mt.translate.backends.ct2 import ct2_root
from mt.translate.engine import load_engine, route
from mt.translate.families import detect_family, get_family
from mt.translate.models import ModelFiles, cache_state, load_catalog, open_model

# ---------------------------------------------------------------------------- catalog


def test_catalog_defaults_as_the_issue_lists():
    cat = load_catalog()
    assert cat.direction("en", "ru").default == "Helsinki-NLP/opus-mt-en-ru"
    assert cat.direction("ru", "en").default == "Helsinki-NLP/opus-mt-ru-en"
    assert cat.direction("en", "az").default == "Helsinki-NLP/opus-mt-en-az"
    assert cat.direction("az", "en").default == "Helsinki-NLP/opus-mt-az-en"
    assert "Helsinki-NLP/opus-mt-en-trk" in cat.direction("en", "az").alternatives
    assert "Helsinki-NLP/opus-mt-tc-big-en-zle" in cat.direction("en", "ru").alternatives
    assert "Helsinki-NLP/opus-mt-tc-big-zle-en" in cat.direction("ru", "en").alternatives
    for pair in (("az", "ru"), ("ru", "az")):
        d = cat.direction(*pair)
        assert d.pivot == "en" and d.default is None
        assert d.alternatives == ("facebook/nllb-200-distilled-600M", "facebook/m2m100_418M")
    nllb = cat.models["facebook/nllb-200-distilled-600M"]
    assert "NC" in nllb.license and "non-commercial" in nllb.license
    assert nllb.lang_codes == {"en": "eng_Latn", "az": "azj_Latn", "ru": "rus_Cyrl"}
    assert cat.models["Helsinki-NLP/opus-mt-en-trk"].lang_tokens == {"az": ">>aze_Latn<<"}
    assert all(m.size != "?" and m.license != "unknown" for m in cat.models.values())


@pytest.mark.parametrize(
    "text, message",
    [
        ("[models", "invalid model catalog"),
        ("[directions.en-ru]\nalternatives = []\n", "exactly one of default and pivot"),
        ('[directions.en-xx]\ndefault = "a/b"\n', "unsupported language"),
    ],
)
def test_bad_catalog_is_a_user_error(tmp_path, text, message):
    path = tmp_path / "models.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message) as exc:
        load_catalog(path)
    assert exc.value.path == str(path)


def test_catalog_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "m.toml"
    path.write_text('[directions.en-ru]\ndefault = "me/my-en-ru"\n', encoding="utf-8")
    monkeypatch.setenv(models.CONFIG_ENV, str(path))
    assert route("en", "ru")[0].id == "me/my-en-ru"


# ---------------------------------------------------------------------------- routing


def test_direct_route():
    (step,) = route("en", "ru")
    assert (step.id, step.src, step.tgt, step.family) == (
        "Helsinki-NLP/opus-mt-en-ru",
        "en",
        "ru",
        "marian",
    )
    assert step.prefix is None and step.forced_bos is None


@pytest.mark.parametrize(
    "src, tgt, first, second",
    [
        ("az", "ru", "Helsinki-NLP/opus-mt-az-en", "Helsinki-NLP/opus-mt-en-ru"),
        ("ru", "az", "Helsinki-NLP/opus-mt-ru-en", "Helsinki-NLP/opus-mt-en-az"),
    ],
)
def test_pivot_route_through_english(src, tgt, first, second):
    a, b = route(src, tgt)
    assert (a.id, a.src, a.tgt) == (first, src, "en")
    assert (b.id, b.src, b.tgt) == (second, "en", tgt)


def test_route_with_chosen_models():
    (step,) = route("az", "ru", "facebook/nllb-200-distilled-600M")
    assert (step.family, step.prefix, step.forced_bos) == ("nllb", "azj_Latn", "rus_Cyrl")
    assert "NC" in step.license
    (step,) = route("ru", "az", "facebook/m2m100_418M")
    assert (step.family, step.prefix, step.forced_bos) == ("m2m100", "__ru__", "__az__")
    (step,) = route("en", "az", "Helsinki-NLP/opus-mt-en-trk")
    assert (step.family, step.prefix) == ("marian", ">>aze_Latn<<")
    (step,) = route("en", "ru", "Helsinki-NLP/opus-mt-tc-big-en-zle")
    assert step.prefix == ">>rus<<"


def test_route_with_a_local_model_reads_its_family(tiny_m2m100):
    (step,) = route("en", "az", str(tiny_m2m100))
    assert (step.family, step.forced_bos) == ("m2m100", "__az__")


@pytest.mark.parametrize(
    "args, message",
    [
        (("en", "en"), "both en"),
        (("en", "fr"), "unsupported language"),
        (("az", "en", "Helsinki-NLP/opus-mt-en-ru"), "translates en-ru, not az-en"),
    ],
)
def test_bad_routes(args, message):
    with pytest.raises(UserError, match=message):
        route(*args)


# ---------------------------------------------------------------------------- families


def test_family_detection(tiny_marian_en_ru, tiny_m2m100, tiny_nllb):
    assert detect_family(ModelFiles.read(tiny_marian_en_ru)).name == "marian"
    assert detect_family(ModelFiles.read(tiny_m2m100)).name == "m2m100"
    assert detect_family(ModelFiles.read(tiny_nllb)).name == "nllb"  # same config class


def test_unsupported_family(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(UserError, match="unsupported model type 'bert'"):
        detect_family(ModelFiles.read(tmp_path))
    with pytest.raises(UserError, match="unknown model family"):
        get_family("nope")


def test_not_a_model_directory(tmp_path):
    with pytest.raises(UserError, match="no config.json"):
        open_model(str(tmp_path), "en", "ru")
    with pytest.raises(UserError, match="not found"):
        open_model(str(tmp_path / "missing"), "en", "ru")


def test_marian_steering(tiny_marian_en_ru, tiny_marian_en_trk):
    opened = open_model(str(tiny_marian_en_ru), "en", "ru")
    assert opened.source_prefix == () and opened.target_prefix == ()
    opened = open_model(str(tiny_marian_en_trk), "en", "az")
    assert opened.source_prefix == (">>aze_Latn<<",)


def test_m2m100_and_nllb_steering(tiny_m2m100, tiny_nllb):
    opened = open_model(str(tiny_m2m100), "az", "ru")
    assert (opened.source_prefix, opened.target_prefix) == (("__az__",), ("__ru__",))
    opened = open_model(str(tiny_nllb), "ru", "az")
    assert (opened.source_prefix, opened.target_prefix) == (("rus_Cyrl",), ("azj_Latn",))


@pytest.mark.parametrize(
    "fixture, src, tgt",
    [
        ("tiny_marian_en_ru", "az", "en"),
        ("tiny_marian_en_ru", "en", "az"),
        ("tiny_marian_az_en", "ru", "en"),
        ("tiny_marian_en_trk", "en", "ru"),  # trk covers az, not ru
    ],
)
def test_wrong_direction_is_refused(request, fixture, src, tgt):
    path = request.getfixturevalue(fixture)
    with pytest.raises(UserError, match=r"translates \w+-\w+, not"):
        open_model(str(path), src, tgt)
    with pytest.raises(UserError, match="not"):
        load_engine(path, src, tgt, backend="ct2")


def test_wrong_direction_from_the_name_alone(tiny_marian_en_ru, tmp_path):
    """Without source/target in tokenizer_config.json, the directory name tells."""
    model = tmp_path / "opus-mt-en-ru"
    shutil.copytree(tiny_marian_en_ru, model, ignore=shutil.ignore_patterns("ct2-*"))
    (model / "tokenizer_config.json").write_text("{}")
    config = json.loads((model / "config.json").read_text())
    config.pop("_name_or_path", None)
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(UserError, match="translates en-ru, not ru-en"):
        open_model(str(model), "ru", "en")
    assert open_model(str(model), "en", "ru").family.name == "marian"


def test_multilingual_marian_without_the_token(tiny_marian_en_trk, tmp_path):
    model = tmp_path / "opus-mt-en-mul"
    shutil.copytree(tiny_marian_en_trk, model, ignore=shutil.ignore_patterns("ct2-*"))
    tok = json.loads((model / "tokenizer_config.json").read_text())
    tok["target_lang"] = "mul"
    (model / "tokenizer_config.json").write_text(json.dumps(tok))
    with pytest.raises(UserError, match="no target token >>rus<<"):
        open_model(str(model), "en", "ru")


# ---------------------------------------------------------------------------- hub cache


def test_hub_id_from_the_cache(tiny_hub):
    path, revision = models.resolve_model_dir("Helsinki-NLP/opus-mt-en-ru")
    assert path.parent.parent.name == "models--Helsinki-NLP--opus-mt-en-ru"
    assert revision == "0" * 40
    assert models.is_cached("Helsinki-NLP/opus-mt-en-ru")
    assert not models.is_cached("Helsinki-NLP/opus-mt-tc-big-en-zle")


def test_offline_and_not_cached_is_one_clear_error(empty_hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError) as exc:
        load_engine("Helsinki-NLP/opus-mt-en-ru", "en", "ru")
    message = exc.value.format()
    assert "Helsinki-NLP/opus-mt-en-ru" in message
    assert "mt models pull Helsinki-NLP/opus-mt-en-ru" in message and "--model PATH" in message
    assert "\n" not in message


def test_unreachable_hub_is_the_same_error(empty_hub, monkeypatch):
    """Online mode but no network: huggingface_hub's error becomes the same one line."""
    import huggingface_hub

    def unreachable(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", unreachable)
    monkeypatch.setattr(huggingface_hub, "list_repo_files", unreachable)
    with pytest.raises(UserError, match="not in the local cache and cannot be downloaded"):
        models.resolve_model_dir("Helsinki-NLP/opus-mt-en-ru")


def test_unreachable_hub_fails_fast_without_retries(empty_hub, monkeypatch):
    """No route to the hub: one probe, no download attempt (huggingface_hub would retry ~25 s)."""
    import socket

    import huggingface_hub

    calls = []

    def refuse(*args, **kwargs):
        raise OSError(101, "Network is unreachable")

    def download(*args, **kwargs):
        calls.append(args)
        raise AssertionError("snapshot_download must not be tried")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", download)
    with pytest.raises(UserError, match="unreachable: Network is unreachable"):
        models.resolve_model_dir("Helsinki-NLP/opus-mt-en-ru")
    assert calls == []


def test_local_path_that_does_not_exist():
    with pytest.raises(UserError, match="model directory not found"):
        models.resolve_model_dir("./no/such/model")


# ---------------------------------------------------------------------------- mt models


def test_models_list(tiny_hub):
    result = CliRunner().invoke(models_app, ["list"])
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in (
        "en-ru",
        "az-ru",
        "opus-mt-en-ru",
        "nllb-200-distilled-600M",
        "CC-BY-NC",
        "pivot via en",
        "307 MB",
        "opus-mt-tc-big-en-zle",
    ):
        assert needle in out
    row = next(line for line in out.splitlines() if "opus-mt-tc-big-en-zle" in line)
    assert row.endswith("\tno")  # not cached
    row = next(line for line in out.splitlines() if "en-ru" in line and "yes" in line)
    assert "Helsinki-NLP/opus-mt-en-ru" in row


def test_models_list_filtered(tiny_hub):
    result = CliRunner().invoke(models_app, ["list", "--src", "az", "--tgt", "ru"])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()  # piped: tab-separated, under a header
    assert header.split("\t")[0] == "direction"
    assert {row.split("\t")[0] for row in rows} == {"az-ru"}


def test_models_pull_offline_is_a_clean_error(empty_hub):
    result = CliRunner().invoke(models_app, ["pull", "Helsinki-NLP/opus-mt-en-ru"])
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError)
    assert "mt models pull Helsinki-NLP/opus-mt-en-ru" in result.exception.format()


def test_models_pull_cached_converts_offline(tiny_hub, tmp_path):
    original = models.cached_snapshot("Helsinki-NLP/opus-mt-en-ru")
    snap = tiny_hub.add(original, "someone/opus-mt-en-ru-copy")
    before = sorted(p.name for p in snap.iterdir())
    result = CliRunner().invoke(models_app, ["pull", "someone/opus-mt-en-ru-copy", "--ct2"])
    assert result.exit_code == 0, result.output
    converted = ct2_root() / "someone--opus-mt-en-ru-copy" / ("0" * 40) / "int8"
    assert (converted / "model.bin").is_file()
    marker = json.loads((converted / "mt-conversion.json").read_text())
    assert marker["revision"] == "0" * 40 and marker["family"] == "marian"
    assert sorted(p.name for p in snap.iterdir()) == before  # the snapshot is left alone
    assert str(snap) in result.stdout
    listing = CliRunner().invoke(models_app, ["list"]).output
    assert "opus-mt-en-ru" in listing
    assert cache_state("someone/opus-mt-en-ru-copy") == (True, ["int8"])


def test_mt_models_is_mounted(run_mt, tiny_hub):
    """Through the real `mt` entry point, once the pipeline's CLI module exports it."""
    pytest.importorskip("mt.cli.translate")
    code, out, err = run_mt("models", "list")
    assert code == 0 and "opus-mt-en-ru" in out
    code, out, err = run_mt("models", "pull", "Helsinki-NLP/opus-mt-tc-big-en-zle")
    assert code == 2 and err.startswith("mt: error: model Helsinki-NLP/opus-mt-tc-big-en-zle")
