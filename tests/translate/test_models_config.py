"""The catalog's licenses and sizes, route licenses, `mt models list` formats, the offline
hint's cache directory and where (and how safely) CTranslate2 conversions are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mt.cli.models import models_app
from mt.errors import UserError
from mt.translate import models
from mt.translate.backends import ct2 as ct2_backend
from mt.translate.backends.ct2 import (
    conversions,
    ct2_dir_for,
    ct2_root,
    ensure_converted,
    is_converted,
    local_fingerprint,
)
from mt.translate.engine import load_engine
from mt.translate.models import (
    combined_license,
    format_size,
    load_catalog,
    parse_size,
    route,
    route_license,
)

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------- catalog


def test_licenses_follow_the_model_cards():
    cat = load_catalog()
    lic = {mid: m.license for mid, m in cat.models.items()}
    assert lic["Helsinki-NLP/opus-mt-ru-en"] == "CC-BY-4.0"  # not Apache-2.0, unlike en-ru
    for mid in ("en-ru", "en-az", "az-en", "en-trk"):
        assert lic[f"Helsinki-NLP/opus-mt-{mid}"] == "Apache-2.0"
    assert lic["Helsinki-NLP/opus-mt-tc-big-en-zle"] == "CC-BY-4.0"
    assert lic["Helsinki-NLP/opus-mt-tc-big-zle-en"] == "CC-BY-4.0"
    assert lic["facebook/m2m100_418M"] == "MIT"
    assert lic["facebook/nllb-200-distilled-600M"].startswith("CC-BY-NC-4.0")


def test_sizes_are_the_downloads():
    size = {mid: m.size_mb for mid, m in load_catalog().models.items()}
    assert all(isinstance(v, int | float) and v > 0 for v in size.values())
    assert size["Helsinki-NLP/opus-mt-en-az"] == size["Helsinki-NLP/opus-mt-az-en"] == 226
    assert size["Helsinki-NLP/opus-mt-en-ru"] == size["Helsinki-NLP/opus-mt-ru-en"] == 307
    for mid in ("en-zle", "zle-en"):  # float16 checkpoints: 479-605 MB, not ~950
        assert 479 <= size[f"Helsinki-NLP/opus-mt-tc-big-{mid}"] <= 605
    assert 2000 < size["facebook/nllb-200-distilled-600M"] < 2600
    assert 1800 < size["facebook/m2m100_418M"] < 2000


def test_sizes_read_and_shown():
    assert parse_size("300 MB") == 300 and parse_size("2.5 GB") == 2500 and parse_size("950") == 950
    with pytest.raises(ValueError):
        parse_size("big")
    assert (format_size(307), format_size(2460), format_size(None)) == ("307 MB", "2.46 GB", "?")


def test_old_size_strings_still_load_and_bad_sizes_are_user_errors(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[models."a/b"]\nfamily = "marian"\npairs = ["en-ru"]\nsize = "300 MB"\n')
    assert load_catalog(path).models["a/b"].size == "300 MB"
    path = tmp_path / "bad.toml"
    path.write_text('[models."a/b"]\nfamily = "marian"\npairs = ["en-ru"]\nsize_mb = "lots"\n')
    with pytest.raises(UserError, match="size_mb must be a number"):
        load_catalog(path)


# ---------------------------------------------------------------------------- licenses


def test_combined_license_most_restrictive_first():
    assert combined_license(["Apache-2.0", "CC-BY-4.0"]) == "CC-BY-4.0 + Apache-2.0"
    assert combined_license(["Apache-2.0", "Apache-2.0"]) == "Apache-2.0"
    assert combined_license(["MIT", "CC-BY-NC-4.0", "CC-BY-SA-4.0"]) == (
        "CC-BY-NC-4.0 + CC-BY-SA-4.0 + MIT"
    )
    assert combined_license([None, "MIT"]) == "unknown + MIT"


def test_ru_az_pivot_shows_the_cc_by_license_of_opus_mt_ru_en():
    steps = route("ru", "az")
    assert [s.id for s in steps] == ["Helsinki-NLP/opus-mt-ru-en", "Helsinki-NLP/opus-mt-en-az"]
    assert route_license(steps) == "CC-BY-4.0 + Apache-2.0"


def test_az_ru_pivot_license_is_derived_from_its_own_legs(tmp_path, monkeypatch):
    """az → ru goes through opus-mt-az-en and opus-mt-en-ru (both Apache-2.0), not ru-en; its
    license is whatever its legs' are: CC-BY-4.0 shows as soon as one leg carries it."""
    assert route_license(route("az", "ru")) == "Apache-2.0"
    text = (ROOT / "configs" / "models.toml").read_text(encoding="utf-8")
    marker = '[models."Helsinki-NLP/opus-mt-en-ru"]\nfamily = "marian"\npairs = ["en-ru"]\n'
    assert marker in text
    text = text.replace(marker + 'license = "Apache-2.0"', marker + 'license = "CC-BY-4.0"')
    path = tmp_path / "models.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(models.CONFIG_ENV, str(path))
    assert route_license(route("az", "ru")) == "CC-BY-4.0 + Apache-2.0"
    entry = _json_list("--src", "az", "--tgt", "ru")[0]
    assert entry["license"] == "CC-BY-4.0 + Apache-2.0"


# ---------------------------------------------------------------------------- mt models list


def _json_list(*args: str) -> list[dict]:
    result = CliRunner().invoke(models_app, ["list", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_json(tiny_hub):
    entries = _json_list()
    assert {e["direction"] for e in entries} == {
        "en-ru", "ru-en", "en-az", "az-en", "az-ru", "ru-az"
    }  # fmt: skip
    for entry in entries:
        assert {"direction", "default", "model", "license", "size_mb", "cached", "route"} <= set(
            entry
        )
    ru_az = next(e for e in entries if e["direction"] == "ru-az" and e["default"])
    assert ru_az["license"] == "CC-BY-4.0 + Apache-2.0" and ru_az["size_mb"] == 307 + 226
    assert ru_az["cached"] is True  # both legs are in the fake hub
    assert [(s["model"], s["src"], s["tgt"], s["license"]) for s in ru_az["route"]] == [
        ("Helsinki-NLP/opus-mt-ru-en", "ru", "en", "CC-BY-4.0"),
        ("Helsinki-NLP/opus-mt-en-az", "en", "az", "Apache-2.0"),
    ]
    az_ru = next(e for e in entries if e["direction"] == "az-ru" and e["default"])
    assert az_ru["license"] == "Apache-2.0"
    big = next(e for e in entries if e["model"] == "Helsinki-NLP/opus-mt-tc-big-en-zle")
    assert big["default"] is False and big["cached"] is False and big["size_mb"] == 479
    assert [s["model"] for s in big["route"]] == [big["model"]]


def test_list_piped_is_tab_separated(tiny_hub):
    result = CliRunner().invoke(models_app, ["list", "--src", "ru"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["direction", "model", "default", "license", "size", "cached"]
    assert not any(ch in result.stdout for ch in "│┃━─┏┗")  # no box drawing
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == 6 for row in rows)
    pivot = next(row for row in rows if row[0] == "ru-az" and row[2] == "yes")
    assert pivot[3] == "CC-BY-4.0 + Apache-2.0" and pivot[1].startswith("pivot via en: ")
    # cached; "yes (+ct2 int8)" once an earlier test converted it (MT_CACHE is per session)
    assert pivot[5].split(" ")[0] == "yes"
    assert {row[2] for row in rows} == {"yes", "no"}


def test_list_table_forced_and_bad_format(tiny_hub):
    result = CliRunner().invoke(models_app, ["list", "--format", "table", "--src", "az"])
    assert result.exit_code == 0 and "│" in result.stdout and "CC-BY-NC" in result.stdout
    result = CliRunner().invoke(models_app, ["list", "--format", "xml"])
    assert result.exit_code != 0 and "unknown format" in str(result.exception)


# ---------------------------------------------------------------------------- offline hint


@pytest.mark.parametrize("variable", ["HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"])
def test_offline_hint_names_the_cache_in_use(tmp_path, monkeypatch, variable):
    for name in ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    expected = tmp_path / "hf" / "hub" if variable == "HF_HOME" else tmp_path / "hf"
    assert models.hub_cache_dir() == expected
    with pytest.raises(UserError) as exc:
        models.resolve_model_dir("Helsinki-NLP/opus-mt-en-ru")
    message = exc.value.format()
    assert str(expected) in message and "~/.cache/huggingface" not in message
    assert "mt models pull Helsinki-NLP/opus-mt-en-ru" in message and "\n" not in message


def test_hub_cache_dir_agrees_with_huggingface_hub(tmp_path):
    """Same precedence as huggingface_hub.constants (which it reads once, at import)."""
    code = (
        "from huggingface_hub import constants\n"
        "from mt.translate.models import hub_cache_dir\n"
        "print(constants.HF_HUB_CACHE)\nprint(hub_cache_dir())\n"
    )
    base = {k: v for k, v in os.environ.items() if "HUB_CACHE" not in k and k != "HF_HOME"}
    for extra in (
        {"HF_HOME": str(tmp_path / "home")},
        {"HF_HOME": str(tmp_path / "home"), "HUGGINGFACE_HUB_CACHE": str(tmp_path / "legacy")},
        {"HUGGINGFACE_HUB_CACHE": str(tmp_path / "legacy"), "HF_HUB_CACHE": str(tmp_path / "new")},
        {"XDG_CACHE_HOME": str(tmp_path / "xdg")},
    ):
        out = subprocess.run(
            [sys.executable, "-c", code], env=base | extra, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        theirs, ours = out.stdout.split()
        assert Path(theirs) == Path(ours), extra


# ---------------------------------------------------------------------------- ct2 cache


def test_cache_root_from_mt_cache_or_platformdirs(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_CACHE", str(tmp_path / "mine"))
    assert ct2_root() == tmp_path / "mine" / "ct2"
    monkeypatch.delenv("MT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    from platformdirs import user_cache_path

    assert ct2_root() == user_cache_path("mt") / "ct2"


def test_cache_layout(tmp_path):
    snap = tmp_path / "snapshots" / "abc"
    snap.mkdir(parents=True)
    hub = ct2_dir_for(snap, "int8", model_id="Helsinki-NLP/opus-mt-en-ru", revision="abc123")
    assert hub == ct2_root() / "Helsinki-NLP--opus-mt-en-ru" / "abc123" / "int8"
    local = tmp_path / "my model"
    local.mkdir()
    (local / "config.json").write_text("{}")
    path = ct2_dir_for(local, "float16", model_id=str(local))
    assert path.parent.parent == ct2_root() / "my_model"
    assert path.parent.name == "local-" + local_fingerprint(local) and path.name == "float16"
    before = local_fingerprint(local)
    (local / "model.safetensors").write_bytes(b"new weights")
    assert local_fingerprint(local) != before  # replaced files: a new conversion
    odd = ct2_dir_for(snap, "int8", model_id="../x/y", revision="refs/pr/1")
    assert odd.is_relative_to(ct2_root())  # a path-like id is local: keyed by the dir name
    assert ct2_dir_for(snap, "int8", model_id="a/b", revision="refs/pr/1").parent.name == (
        "refs--pr--1"
    )


def test_hub_model_converts_into_the_cache_not_the_snapshot(tiny_hub):
    original = models.cached_snapshot("Helsinki-NLP/opus-mt-en-az")
    snap = tiny_hub.add(original, "someone/old-layout-en-az")
    (snap / "ct2-int8").mkdir()  # an old in-snapshot conversion, half there: ignored
    (snap / "ct2-int8" / "model.bin").write_bytes(b"stale")
    before = sorted(p.name for p in snap.rglob("*"))
    engine = load_engine("someone/old-layout-en-az", "en", "az", backend="ct2")
    assert engine.ct2_dir == ct2_root() / "someone--old-layout-en-az" / ("0" * 40) / "int8"
    assert is_converted(engine.ct2_dir) and engine.translate_batch(["Hello."])[0]
    assert sorted(p.name for p in snap.rglob("*")) == before
    assert conversions(snap, model_id="someone/old-layout-en-az", revision="0" * 40) == ["int8"]


def test_local_model_converts_into_the_cache(tiny_marian_ru_en):
    engine = load_engine(tiny_marian_ru_en, "ru", "en", backend="ct2")
    assert engine.ct2_dir.is_relative_to(ct2_root())
    assert engine.ct2_dir.parent.name == "local-" + local_fingerprint(tiny_marian_ru_en)
    assert not list(tiny_marian_ru_en.glob("ct2-*")) and not list(tiny_marian_ru_en.glob(".ct2-*"))


def _fake_convert(content: bytes, delay: float = 0.0, before=None):
    def convert(model_dir, out, quantization, model_id):
        if before is not None:
            before()
        time.sleep(delay)
        out.mkdir(parents=True)
        (out / "model.bin").write_bytes(content)

    return convert


def test_a_concurrent_converter_wins_and_ours_is_discarded(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    calls = []

    def other_process_finishes_first():
        if not calls:
            calls.append(1)
            monkeypatch.setattr(ct2_backend, "_convert", _fake_convert(b"theirs"))
            ensure_converted(model, "int8", family="marian")
            monkeypatch.setattr(ct2_backend, "_convert", outer)

    outer = _fake_convert(b"ours", before=other_process_finishes_first)
    monkeypatch.setattr(ct2_backend, "_convert", outer)
    target = ensure_converted(model, "int8", family="marian")
    assert (target / "model.bin").read_bytes() == b"theirs"  # the first complete one stays
    assert is_converted(target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["int8"]  # no temporary left


def test_parallel_converters_leave_one_complete_conversion(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    monkeypatch.setattr(ct2_backend, "_convert", _fake_convert(b"x" * 1000, delay=0.2))
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(ensure_converted(model, "int8"))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1
    target = results[0]
    assert is_converted(target) and (target / "model.bin").read_bytes() == b"x" * 1000
    assert sorted(p.name for p in target.parent.iterdir()) == ["int8"]


def test_damaged_target_and_stale_temporaries_are_replaced(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    monkeypatch.setattr(ct2_backend, "_convert", _fake_convert(b"fresh"))
    target = ct2_dir_for(model, "int8")
    target.mkdir(parents=True)
    (target / "model.bin").write_bytes(b"half")  # no marker: damaged
    stale = target.parent / ".int8-killed"
    stale.mkdir()
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))
    recent = target.parent / ".int8-running"
    recent.mkdir()  # another converter at work right now: left alone
    assert ensure_converted(model, "int8") == target
    assert (target / "model.bin").read_bytes() == b"fresh" and is_converted(target)
    assert not stale.exists() and recent.exists()
