"""Fixtures for the translation tests: tiny real-architecture models, a fake hub cache, and
a fake engine. Shared by the model/backend tests and the pipeline tests.

Stable fixture names (the pipeline tests rely on them):

- ``tiny_marian_en_ru``, ``tiny_marian_ru_en``, ``tiny_marian_en_az``, ``tiny_marian_az_en``:
  Path of an OPUS-MT-like Marian model directory (hub layout) for that direction.
- ``tiny_marian_en_trk``: en → {az, tr} with target tokens ``>>aze_Latn<<``/``>>tur<<``
  (like opus-mt-en-trk).
- ``tiny_m2m100``: an m2m100_418M-like model (any direction among en/az/ru).
- ``tiny_nllb``: an NLLB-200-like model (skipped when protobuf, needed to build its
  tokenizer.json, is missing).
- ``tiny_hub``: function-scoped; HF_HUB_CACHE points at a session-wide fake cache holding the
  tiny models under the catalog's ids (Helsinki-NLP/opus-mt-en-ru, -ru-en, -en-az, -az-en,
  -en-trk, facebook/m2m100_418M, facebook/nllb-200-distilled-600M when buildable), so
  ``load_engine("Helsinki-NLP/opus-mt-en-ru", ...)``, ``route()`` and pivots work offline.
  Returns a :class:`FakeHub` (``.cache``: the cache dir, ``.add(dir, repo_id)``).
- ``empty_hub``: function-scoped; HF_HUB_CACHE points at an empty cache (the offline error).
- ``fake_engine``: factory ``fake_engine(src, tgt, fn=None, max_input_tokens=512)`` → an
  Engine whose translation is ``fn(sentence)`` (default: ``"<tgt>: " + sentence``) and which
  records every batch in ``.calls``: for tests that need the output to follow the input
  (glossary placeholders, markup, TM reuse counts), which a random model cannot do.

Every test here runs with HF_HUB_OFFLINE=1, OMP_NUM_THREADS=1 (engines default to one
thread), HF_HOME and MT_CACHE (mt's own cache: CTranslate2 conversions) in temporary
directories, so nothing touches the network, the user's caches or $HOME. The tiny models'
translations are deterministic gibberish; their ``max_input_tokens`` is 256 (monkeypatch an
engine's attribute to test splitting). CTranslate2 conversions stay in the session's
MT_CACHE, so each tiny model is converted once per session.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.translate import tiny

# Before anything imports huggingface_hub (it reads these once, at import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# One thread per engine: the tests check results, not speed, and the machine is shared; with
# more OpenMP threads than free cores a tiny model decodes tens of times slower.
os.environ["OMP_NUM_THREADS"] = "1"


@pytest.fixture(scope="session", autouse=True)
def _private_hf_home(tmp_path_factory) -> Iterator[Path]:
    """Keep the user's real Hugging Face cache and mt's cache (MT_CACHE: the CTranslate2
    conversions) out of every test; subprocesses inherit both."""
    home = tmp_path_factory.mktemp("hf-home")
    names = ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "MT_CACHE")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["HF_HOME"] = str(home)
    os.environ.pop("HF_HUB_CACHE", None)
    os.environ.pop("HUGGINGFACE_HUB_CACHE", None)
    os.environ["MT_CACHE"] = str(tmp_path_factory.mktemp("mt-cache"))
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    """Each test loads its own engines: a cached one could hide a loading bug."""
    yield
    from mt.translate.engine import clear_cache

    clear_cache()


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tiny-models")


def _marian(tiny_dir: Path, src: str, tgt: str, **kw) -> Path:
    out = tiny_dir / f"opus-mt-{src}-{tgt}"
    if not (out / "config.json").is_file():
        tiny.build_marian(out, src, tgt, **kw)
    return out


@pytest.fixture(scope="session")
def tiny_marian_en_ru(tiny_dir: Path) -> Path:
    return _marian(tiny_dir, "en", "ru")


@pytest.fixture(scope="session")
def tiny_marian_ru_en(tiny_dir: Path) -> Path:
    return _marian(tiny_dir, "ru", "en")


@pytest.fixture(scope="session")
def tiny_marian_en_az(tiny_dir: Path) -> Path:
    return _marian(tiny_dir, "en", "az")


@pytest.fixture(scope="session")
def tiny_marian_az_en(tiny_dir: Path) -> Path:
    return _marian(tiny_dir, "az", "en")


@pytest.fixture(scope="session")
def tiny_marian_en_trk(tiny_dir: Path) -> Path:
    """Multilingual target like opus-mt-en-trk: the model id names the group, not az."""
    out = tiny_dir / "opus-mt-en-trk"
    if not (out / "config.json").is_file():
        tiny.build_marian(
            out,
            "en",
            "az",
            target_tokens=(">>aze_Latn<<", ">>tur<<"),
            name="Helsinki-NLP/opus-mt-en-trk",
        )
        _set_tokenizer_langs(out, "en", "trk")
    return out


def _set_tokenizer_langs(model_dir: Path, src: str, tgt: str) -> None:
    import json

    path = model_dir / "tokenizer_config.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(source_lang=src, target_lang=tgt)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_m2m100(tiny_dir: Path) -> Path:
    out = tiny_dir / "m2m100"
    if not (out / "config.json").is_file():
        tiny.build_m2m100(out)
    return out


@pytest.fixture(scope="session")
def tiny_nllb(tiny_dir: Path) -> Path:
    pytest.importorskip("google.protobuf", reason="building an NLLB tokenizer needs protobuf")
    out = tiny_dir / "nllb"
    if not (out / "config.json").is_file():
        tiny.build_nllb(out)
    return out


@dataclass
class FakeHub:
    """A Hugging Face cache in a temporary directory (HF_HUB_CACHE points at it)."""

    cache: Path
    ids: list[str] = field(default_factory=list)

    def add(self, model_dir: Path, repo_id: str) -> Path:
        """Install ``model_dir`` as the cached snapshot of ``repo_id``; its snapshot path."""
        snap = tiny.install_in_hub_cache(model_dir, self.cache, repo_id)
        self.ids.append(repo_id)
        return snap


@pytest.fixture(scope="session")
def _tiny_hub_cache(tmp_path_factory, request) -> FakeHub:
    hub = FakeHub(tmp_path_factory.mktemp("hub-cache"))
    for name in ("en_ru", "ru_en", "en_az", "az_en", "en_trk"):
        src, tgt = name.split("_")
        hub.add(request.getfixturevalue(f"tiny_marian_{name}"), f"Helsinki-NLP/opus-mt-{src}-{tgt}")
    hub.add(request.getfixturevalue("tiny_m2m100"), "facebook/m2m100_418M")
    with contextlib.suppress(pytest.skip.Exception):
        hub.add(request.getfixturevalue("tiny_nllb"), "facebook/nllb-200-distilled-600M")
    return hub


@pytest.fixture
def tiny_hub(_tiny_hub_cache: FakeHub, monkeypatch) -> FakeHub:
    monkeypatch.setenv("HF_HUB_CACHE", str(_tiny_hub_cache.cache))
    return _tiny_hub_cache


@pytest.fixture
def empty_hub(tmp_path: Path, monkeypatch) -> FakeHub:
    cache = tmp_path / "empty-hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return FakeHub(cache)


@dataclass
class FakeEngine:
    """An Engine whose output is a function of its input; records each batch it gets."""

    src_lang: str
    tgt_lang: str
    fn: Callable[[str], str]
    max_input_tokens: int = 512
    model_id: str = "fake/echo"
    revision: str | None = None
    backend: str = "hf"
    device: str = "cpu"
    calls: list[list[str]] = field(default_factory=list)

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return [len(s.split()) + 1 for s in sentences]

    def translate_batch(self, sentences: Sequence[str], **options) -> list[str]:
        self.calls.append(list(sentences))
        return [self.fn(s) for s in sentences]


@pytest.fixture
def fake_engine() -> Callable[..., FakeEngine]:
    def make(
        src: str, tgt: str, fn: Callable[[str], str] | None = None, max_input_tokens: int = 512
    ) -> FakeEngine:
        return FakeEngine(src, tgt, fn or (lambda s: f"{tgt}: {s}"), max_input_tokens)

    return make
