"""Which model translates which direction, and where its files are.

``configs/models.toml`` is the catalog (defaults, alternatives, licenses, sizes, language
codes); :func:`route` turns a direction into one step, or two through English when no direct
model is configured; :func:`open_model` finds a model's files (a local directory, or the
standard Hugging Face cache, downloading when allowed) and checks, through its family
adapter, that it can translate the direction asked for.

Nothing here imports torch or transformers: routing and `mt models list` stay instant.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.errors import UserError
from mt.lang import check_lang

if TYPE_CHECKING:
    from mt.translate.families import Family

CONFIG_ENV = "MT_MODELS_CONFIG"
_DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "models.toml"
# Files a translation model needs; TF/Flax/Rust weights and ONNX exports are never fetched.
_WANTED = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors", "pytorch_model.bin"]


@dataclass(frozen=True)
class ModelInfo:
    """One checkpoint of the catalog."""

    id: str
    family: str
    pairs: tuple[tuple[str, str], ...]
    license: str = "unknown"
    size_mb: float | None = None  # download size in MB (10^6 bytes); None: not given
    lang_tokens: dict[str, str] = field(default_factory=dict)  # Marian target tokens
    lang_codes: dict[str, str] = field(default_factory=dict)  # M2M100/NLLB codes

    @property
    def size(self) -> str:
        """The download size for people: ``307 MB``, ``2.46 GB``, or ``?``."""
        return format_size(self.size_mb)


@dataclass(frozen=True)
class Direction:
    """A direction's default (a model, or a pivot language) and its alternatives."""

    src: str
    tgt: str
    default: str | None
    pivot: str | None
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The parsed ``models.toml``."""

    models: dict[str, ModelInfo]
    directions: dict[tuple[str, str], Direction]

    def direction(self, src: str, tgt: str) -> Direction:
        """The configured direction, or a UserError naming the ones that exist."""
        try:
            return self.directions[(src, tgt)]
        except KeyError:
            known = ", ".join(f"{s}-{t}" for s, t in self.directions)
            raise UserError(f"no model configured for {src}-{tgt} (configured: {known})") from None


@dataclass(frozen=True)
class ModelChoice:
    """One step of a route: which model translates ``src`` → ``tgt`` and how it is steered.

    ``prefix`` is a token put before the source (Marian multilingual targets: ``>>rus<<``);
    ``forced_bos`` is the first target token (M2M100 ``__ru__``, NLLB ``rus_Cyrl``).
    ``family`` is None for an unconfigured model whose family is known only once opened.
    """

    id: str
    src: str
    tgt: str
    family: str | None
    prefix: str | None = None
    forced_bos: str | None = None
    license: str | None = None


# ---------------------------------------------------------------------------- catalog


def config_path() -> Path:
    """The catalog in use: ``$MT_MODELS_CONFIG`` or the repository's ``configs/models.toml``."""
    return Path(os.environ.get(CONFIG_ENV) or _DEFAULT_CONFIG)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Parse the catalog (cached per path); a malformed file is a UserError naming it."""
    return _load_catalog(Path(path) if path is not None else config_path())


@cache
def _load_catalog(path: Path) -> Catalog:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("model catalog not found", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"invalid model catalog: {exc}", path=path) from None
    try:
        models = {mid: _model_info(mid, raw) for mid, raw in data.get("models", {}).items()}
        directions = {}
        for name, raw in data.get("directions", {}).items():
            d = _direction(name, raw)
            directions[(d.src, d.tgt)] = d
    except (KeyError, TypeError, ValueError, UserError) as exc:
        msg = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        raise UserError(f"invalid model catalog: {msg}", path=path) from None
    return Catalog(models, directions)


def _pair(text: str) -> tuple[str, str]:
    src, tgt = text.split("-")
    return check_lang(src), check_lang(tgt)


def _model_info(mid: str, raw: dict[str, Any]) -> ModelInfo:
    size_mb = raw.get("size_mb")
    if size_mb is None and "size" in raw:  # older catalogs: size = "300 MB"
        size_mb = parse_size(raw["size"])
    if size_mb is not None and (isinstance(size_mb, bool) or not isinstance(size_mb, int | float)):
        raise ValueError(f"model {mid}: size_mb must be a number of MB, not {size_mb!r}")
    return ModelInfo(
        id=mid,
        family=raw["family"],
        pairs=tuple(_pair(p) for p in raw["pairs"]),
        license=raw.get("license", "unknown"),
        size_mb=size_mb,
        lang_tokens=dict(raw.get("lang_tokens", {})),
        lang_codes=dict(raw.get("lang_codes", {})),
    )


_UNITS = {"kb": 1e-3, "mb": 1.0, "gb": 1e3, "tb": 1e6}


def parse_size(text: str) -> float:
    """MB in ``"300 MB"``, ``"2.5 GB"`` or ``"950"`` (MB); a ValueError for anything else."""
    parts = str(text).strip().lower().replace("~", "").split()
    if len(parts) == 1:
        parts.append("mb")
    if len(parts) != 2 or parts[1] not in _UNITS:
        raise ValueError(f"unreadable size {text!r} (write size_mb = 300)")
    return float(parts[0]) * _UNITS[parts[1]]


def format_size(size_mb: float | None) -> str:
    """``307 MB`` below a GB, ``2.46 GB`` above; ``?`` when unknown."""
    if size_mb is None:
        return "?"
    if size_mb >= 1000:
        return f"{size_mb / 1000:.3g} GB"
    return f"{size_mb:.0f} MB"


# ---------------------------------------------------------------------------- licenses

# How much a license asks of the user, most first: unknown (find out before use), then
# non-commercial, share-alike/copyleft/no-derivatives, attribution (CC-BY), and permissive.
_LICENSE_RANKS = (
    (("unknown", "?"), 5),
    (("-nc", "non-commercial", "noncommercial"), 4),
    (("-sa", "-nd", "gpl", "sharealike", "share-alike"), 3),
    (("cc-by", "cc by", "odc-by"), 2),
)


def license_rank(license_: str) -> int:
    """How restrictive a license is: 5 unknown, 4 non-commercial, 3 share-alike/copyleft/
    no-derivatives, 2 attribution (CC-BY), 1 permissive (Apache-2.0, MIT, BSD, ...)."""
    text = (license_ or "unknown").strip().lower()
    for needles, rank in _LICENSE_RANKS:
        if any(n in text for n in needles):
            return rank
    return 1


def combined_license(licenses: Iterable[str | None]) -> str:
    """The licenses a chain of models is bound by, each once, the most restrictive first:
    ``"CC-BY-4.0 + Apache-2.0"`` for a CC-BY-4.0 leg and an Apache-2.0 leg."""
    unique = dict.fromkeys((lic or "unknown").strip() or "unknown" for lic in licenses)
    return " + ".join(sorted(unique, key=lambda lic: (-license_rank(lic), lic.lower())))


def route_license(steps: Sequence[ModelChoice]) -> str:
    """The license of a route (one step, or two through a pivot): every step's, combined."""
    return combined_license(step.license for step in steps)


def _direction(name: str, raw: dict[str, Any]) -> Direction:
    src, tgt = _pair(name)
    default, pivot = raw.get("default"), raw.get("pivot")
    if (default is None) == (pivot is None):
        raise ValueError(f"direction {name}: give exactly one of default and pivot")
    return Direction(src, tgt, default, pivot, tuple(raw.get("alternatives", ())))


# ---------------------------------------------------------------------------- routing


def route(src: str, tgt: str, model: str | None = None) -> list[ModelChoice]:
    """The models that translate ``src`` → ``tgt``: one step, or two through a pivot.

    With ``model`` (a hub id or a local directory) the route is that model, directly.
    """
    src, tgt = check_lang(src), check_lang(tgt)
    if src == tgt:
        raise UserError(f"source and target language are both {src}")
    catalog = load_catalog()
    if model is not None:
        return [choice_for(str(model), src, tgt, catalog)]
    direction = catalog.direction(src, tgt)
    if direction.default is not None:
        return [choice_for(direction.default, src, tgt, catalog)]
    pivot = check_lang(direction.pivot or "")
    first = route(src, pivot)
    second = route(pivot, tgt)
    if len(first) != 1 or len(second) != 1:
        raise UserError(f"pivot route {src}-{pivot}-{tgt} needs direct models on both legs")
    return first + second


def choice_for(model: str, src: str, tgt: str, catalog: Catalog | None = None) -> ModelChoice:
    """A step for ``model``: from the catalog when listed, else guessed from its files/name."""
    catalog = catalog or load_catalog()
    info = catalog.models.get(model)
    if info is not None:
        if (src, tgt) not in info.pairs:
            pairs = ", ".join(f"{s}-{t}" for s, t in info.pairs)
            raise UserError(f"model {model} translates {pairs}, not {src}-{tgt}")
        family = info.family
    else:
        family = _guess_family(model)
    from mt.translate.families import get_family

    fam = get_family(family) if family else None
    prefix, bos = fam.steering(src, tgt, info) if fam else (None, None)
    return ModelChoice(model, src, tgt, family, prefix, bos, info.license if info else None)


def _guess_family(model: str) -> str | None:
    """Family from a local config.json, else from well-known hub names; None if unknown."""
    path = Path(model).expanduser()
    if (path / "config.json").is_file():
        from mt.translate.families import detect_family

        return detect_family(ModelFiles.read(path)).name
    name = model.lower()
    if "nllb" in name:
        return "nllb"
    if "m2m100" in name:
        return "m2m100"
    if "opus-mt" in name or "marian" in name:
        return "marian"
    return None


# ---------------------------------------------------------------------------- files


@dataclass(frozen=True)
class ModelFiles:
    """A model directory laid out as on the hub, with its parsed JSON configs."""

    path: Path
    config: dict[str, Any]
    tokenizer_config: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> ModelFiles:
        return cls(
            path,
            _read_json(path / "config.json", required=True),
            _read_json(path / "tokenizer_config.json", required=False),
        )

    def json(self, name: str) -> dict[str, Any]:
        """Another JSON file of the model (``vocab.json``, ``generation_config.json``); {}."""
        return _read_json(self.path / name, required=False)


def _read_json(path: Path, required: bool) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise UserError("not a model directory (no config.json)", path=path.parent) from None
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"invalid JSON: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise UserError("invalid JSON: expected an object", path=path)
    return data


@dataclass(frozen=True)
class OpenedModel:
    """A model resolved to files, its family adapter and how to steer it for one direction."""

    model_id: str
    revision: str | None
    files: ModelFiles
    family: Family
    src: str
    tgt: str
    source_prefix: tuple[str, ...]  # tokens before the source pieces (>>rus<<, __az__)
    target_prefix: tuple[str, ...]  # forced first target tokens (__ru__, rus_Cyrl)

    @property
    def path(self) -> Path:
        return self.files.path


def open_model(model: str | Path, src: str, tgt: str) -> OpenedModel:
    """Find the files of ``model``, pick its family and check it translates ``src`` → ``tgt``."""
    from mt.translate.families import detect_family

    src, tgt = check_lang(src), check_lang(tgt)
    model_id = str(model)
    path, revision = resolve_model_dir(model_id)
    files = ModelFiles.read(path)
    family = detect_family(files)
    info = load_catalog().models.get(model_id)
    if info is not None and (src, tgt) not in info.pairs:
        choice_for(model_id, src, tgt)  # raises the catalog's wrong-direction error
    family.check_direction(files, model_id, src, tgt)
    source_prefix, target_prefix = family.prefixes(files, src, tgt, info)
    return OpenedModel(model_id, revision, files, family, src, tgt, source_prefix, target_prefix)


# ---------------------------------------------------------------------------- hub cache


def is_local(model: str) -> bool:
    """True for something meant as a path: it exists, or it is written like one."""
    if Path(model).expanduser().exists():
        return True
    return model.startswith((".", "/", "~")) or "\\" in model or model.count("/") > 1


def resolve_model_dir(model: str) -> tuple[Path, str | None]:
    """The directory holding ``model`` and its hub revision (None for a local directory).

    A hub id already in the cache is used without touching the network (cold start stays
    fast and offline machines work); otherwise it is downloaded unless HF_HUB_OFFLINE is set.
    """
    if is_local(model):
        path = Path(model).expanduser()
        if not path.is_dir():
            raise UserError(f"model directory not found: {model}")
        return path, None
    cached = cached_snapshot(model)
    if cached is not None:
        return cached, cached.name
    path = download(model)
    return path, path.name


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE (legacy), else
    HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.

    The same precedence and expansion (``~``, ``$VAR``) as ``huggingface_hub.constants``,
    but read from the environment on each call: the constants are frozen when
    huggingface_hub is imported, and importing it only to read them would slow every
    command down (tests also switch HF_HOME within one process).
    """

    def env(name: str) -> str | None:
        return os.environ.get(name) or None  # an empty variable counts as unset

    cache = env("HF_HUB_CACHE") or env("HUGGINGFACE_HUB_CACHE")
    if cache is None:
        home = env("HF_HOME") or os.path.join(
            env("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "huggingface",
        )
        cache = os.path.join(os.path.expandvars(os.path.expanduser(home)), "hub")
    return Path(os.path.expandvars(os.path.expanduser(cache)))


def cached_snapshot(model_id: str, revision: str = "main") -> Path | None:
    """The cached snapshot of a hub model if it holds a config and weights, else None.

    Reads the cache layout (``models--org--name/refs/main`` → ``snapshots/<commit>``) directly:
    importing huggingface_hub's machinery would cost more than the whole lookup.
    """
    repo = hub_cache_dir() / ("models--" + model_id.replace("/", "--"))
    ref = repo / "refs" / revision
    commit = ref.read_text().strip() if ref.is_file() else revision
    snap = repo / "snapshots" / commit
    if not (snap / "config.json").is_file():
        return None
    if not any((snap / w).is_file() for w in ("model.safetensors", "pytorch_model.bin")):
        return None
    return snap


def offline() -> bool:
    """Whether HF_HUB_OFFLINE forbids the network (huggingface_hub's own reading of it)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def not_available(model_id: str, why: str) -> UserError:
    """The one error for a model that is neither cached nor reachable, with the ways out.

    It names the hub cache this machine reads (HF_HUB_CACHE, HF_HOME, ... as set), which is
    where a copy of a connected machine's cache has to go.
    """
    return UserError(
        f"model {model_id} is not in the local cache and cannot be downloaded ({why}); "
        f"run `mt models pull {model_id}` on a connected machine and copy its Hugging Face "
        f"hub cache into {hub_cache_dir()} here, or pass a local model directory with "
        "--model PATH"
    )


def hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the hub cannot be reached (no DNS, no route), or None when a TCP connection opens.

    Checked before downloading because huggingface_hub retries an unreachable host five
    times with growing pauses (~25 s) and logs every retry; one quick probe gives the user
    the clear error at once.
    """
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    host, port = (
        url.hostname or "huggingface.co",
        url.port or (443 if url.scheme == "https" else 80),
    )
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{host} is unreachable: {exc.strerror or exc}"


def download(model_id: str) -> Path:
    """Download ``model_id`` into the hub cache (progress bar on stderr) and return it."""
    if offline():
        raise not_available(model_id, "HF_HUB_OFFLINE is set")
    why = hub_unreachable()
    if why:
        raise not_available(model_id, why)
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    try:
        path = snapshot_download(
            model_id, allow_patterns=_patterns(model_id), cache_dir=hub_cache_dir()
        )
    except (RepositoryNotFoundError, GatedRepoError):
        raise UserError(
            f"unknown model {model_id!r}: not a local directory, not on the hub (or not accessible)"
        ) from None
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as exc:
        raise not_available(model_id, type(exc).__name__) from None
    except Exception as exc:  # network layer errors (httpx/requests) vary across versions
        raise not_available(model_id, type(exc).__name__) from None
    return Path(path)


def _patterns(model_id: str) -> list[str]:
    """What to fetch: safetensors weights when the repo has them, else pytorch_model.bin."""
    try:
        from huggingface_hub import list_repo_files

        files = list_repo_files(model_id)
    except Exception:  # listing is an optimization; snapshot_download reports the real error
        return _WANTED
    if any(f.endswith(".safetensors") for f in files):
        return [p for p in _WANTED if p != "pytorch_model.bin"]
    return _WANTED


def is_cached(model_id: str) -> bool:
    """Whether ``model_id`` can be used offline (a local directory counts as cached)."""
    if is_local(model_id):
        return (Path(model_id).expanduser() / "config.json").is_file()
    return cached_snapshot(model_id) is not None


# ---------------------------------------------------------------------------- listing, pulling


def catalog_entries(src: str | None = None, tgt: str | None = None) -> list[dict[str, Any]]:
    """What ``mt models list`` shows: one dict per row, directions in catalog order, each
    direction's default (a model, or the pivot route) first, then its alternatives."""
    src = check_lang(src) if src else None
    tgt = check_lang(tgt) if tgt else None
    catalog = load_catalog()
    return [
        entry
        for (s, t), direction in catalog.directions.items()
        if not ((src and s != src) or (tgt and t != tgt))
        for entry in entries_for(catalog, direction)
    ]


def entries_for(catalog: Catalog, direction: Direction) -> list[dict[str, Any]]:
    """A direction's rows: the default first, then the alternatives (as ``--format json``
    prints them: direction, default, model, license, size_mb, cached, ct2, route)."""
    if direction.pivot:
        steps = route(direction.src, direction.tgt)
        rows = [_entry(direction, steps, catalog, default=True)]
    else:
        step = choice_for(direction.default, direction.src, direction.tgt, catalog)
        rows = [_entry(direction, [step], catalog, default=True)]
    for model_id in direction.alternatives:
        try:
            alt: ModelChoice | None = choice_for(model_id, direction.src, direction.tgt, catalog)
        except UserError:  # listed for a direction it does not translate: show, don't fail
            alt = None
        rows.append(_entry(direction, [alt] if alt else [], catalog, False, model_id))
    return rows


def _entry(direction: Direction, steps: Sequence[ModelChoice], catalog: Catalog,
           default: bool, model_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    route_steps = []
    for step in steps:
        info = catalog.models.get(step.id)
        cached, ct2 = cache_state(step.id)
        route_steps.append(
            {
                "model": step.id,
                "src": step.src,
                "tgt": step.tgt,
                "license": combined_license([step.license]),
                "size_mb": info.size_mb if info else None,
                "cached": cached,
                "ct2": ct2,
            }
        )
    sizes = [s["size_mb"] for s in route_steps]
    entry: dict[str, Any] = {
        "direction": f"{direction.src}-{direction.tgt}",
        "default": default,
        "model": " + ".join(s["model"] for s in route_steps) or model_id,
        "license": route_license(steps) if steps else "unknown",
        "size_mb": sum(sizes) if sizes and None not in sizes else None,
        "cached": bool(route_steps) and all(s["cached"] for s in route_steps),
        "ct2": sorted(set.intersection(*(set(s["ct2"]) for s in route_steps)))
        if route_steps
        else [],
        "route": route_steps,
    }
    if direction.pivot and default:
        entry["pivot"] = direction.pivot
    return entry


def cache_state(model_id: str) -> tuple[bool, list[str]]:
    """Whether ``model_id`` is usable offline, and the CTranslate2 quantizations converted for
    its cached snapshot (or local directory)."""
    from mt.translate.backends.ct2 import conversions

    if not is_cached(model_id):
        return False, []
    if is_local(model_id):
        return True, conversions(Path(model_id).expanduser(), model_id=model_id)
    snap = cached_snapshot(model_id)
    if snap is None:
        return True, []
    return True, conversions(snap, model_id=model_id, revision=snap.name)


def pull(model_id: str) -> tuple[Path, str | None]:
    """``mt models pull``: the model's directory, downloaded into the hub cache if needed,
    and a note for the user (offline: the cached copy is used, not checked for updates)."""
    if is_local(model_id):
        return resolve_model_dir(model_id)[0], None
    if offline():  # nothing to fetch; a cached copy still can be converted
        path = cached_snapshot(model_id)
        if path is None:
            raise not_available(model_id, "HF_HUB_OFFLINE is set")
        return path, "HF_HUB_OFFLINE is set: using the cached copy, not checked for updates"
    return download(model_id), None


def convert(path: Path, model_id: str, device: str = "cpu",
            compute_type: str | None = None) -> Path:  # fmt: skip
    """Convert a pulled model for CTranslate2 (once; int8 on CPU, float16 on CUDA)."""
    from mt.translate.backends import resolve_device
    from mt.translate.backends.ct2 import (
        check_compute_type,
        default_compute_type,
        ensure_converted,
    )
    from mt.translate.families import detect_family

    dev = resolve_device(device)
    quant = check_compute_type(compute_type or default_compute_type(dev), dev)
    family = detect_family(ModelFiles.read(path))
    if not family.converts_to_ct2:
        raise UserError(f"{family.name} models cannot be converted to CTranslate2")
    revision = None if is_local(model_id) else path.name
    return ensure_converted(path, quant, model_id=model_id, family=family.name, revision=revision)
