"""Evaluation recipes: a TOML file that says which systems translate which directions.

A recipe is the reproducible unit of ``mt eval run``: its text is stored with the run, so a
score in ``mt eval history`` can always be traced back to the exact systems and options that
produced it. Everything is validated before any model is loaded, so a typo costs a second,
not an hour of translation; only what needs a model (loading, downloading) can fail later,
and then it fails per system (see :mod:`mt.evaluate.runs`).

Format (all keys but ``[[system]]`` optional)::

    name = "bundle"                       # default: the file name without .toml
    description = "..."
    db = "out/corpus.sqlite"              # or `store`; relative to the recipe's folder
    split = "test"                        # train | dev | test
    directions = ["en-ru", "ru-en"]       # default: all six
    metrics = ["bleu", "chrf", "ter"]     # + "chrf++", "comet"
    bootstrap = 1000                      # paired bootstrap resamples (0: no CIs/p-values;
                                          # at most 100000)
    seed = 12345
    limit = 0                             # at most N segments per direction (0: all)
    worst = 10                            # worst segments kept per system and direction
    comet_model = "Unbabel/wmt22-comet-da"

    [[system]]
    name = "opus-mt"                      # unique; the first system is the baseline
    model = "Helsinki-NLP/opus-mt-en-ru"  # id or local dir; or a table per direction;
                                          # default: the direction's default (pivot allowed)
    backend = "auto"                      # auto | ct2 | hf
    device = "auto"                       # auto | cpu | cuda
    beam = 4
    tm = false                            # translation memory (never from evaluated docs)
    glossary = false                      # true: configs/glossary.tsv; or a TSV path
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt.errors import UserError
from mt.lang import check_lang

ALL_DIRECTIONS = ("en-ru", "ru-en", "en-az", "az-en", "az-ru", "ru-az")
SPLITS = ("train", "dev", "test")
BACKENDS = ("auto", "ct2", "hf")
DEVICES = ("auto", "cpu", "cuda")
SCORE_METRICS = ("bleu", "chrf", "chrf++", "ter")
METRICS = (*SCORE_METRICS, "comet")
DEFAULT_METRICS = ("bleu", "chrf", "ter")
DEFAULT_COMET_MODEL = "Unbabel/wmt22-comet-da"
# Bootstrap resamples / randomization trials: sacrebleu's default is 1000 and 10000 already
# gives stable p-values; more only costs time (and, unchecked, a typo could ask numpy for
# terabytes: the resampled sums are an array of resamples × statistics).
MAX_RESAMPLES = 100_000
# Resamples × segments of one test: every cell is a random draw (time), and COMET's bootstrap
# keeps its index matrix in memory (8 bytes a cell), so this also bounds memory at ~4 GB.
MAX_RESAMPLE_CELLS = 500_000_000

TOP_KEYS = ("name", "description", "db", "store", "split", "directions", "metrics", "bootstrap",
            "seed", "limit", "worst", "comet_model", "system")  # fmt: skip
_SYSTEM_HEADER = re.compile(r"^\s*\[\[\s*system\s*\]\]")
SYSTEM_KEYS = ("name", "model", "backend", "device", "beam", "tm", "glossary", "description")


@dataclass(frozen=True)
class SystemSpec:
    """One system of a recipe: how to build a translator for any of the run's directions."""

    name: str
    model: str | dict[str, str] | None = None
    backend: str = "auto"
    device: str = "auto"
    beam: int = 4
    tm: bool = False
    glossary: bool | str = False
    description: str | None = None

    def model_for(self, direction: str) -> str | None:
        """The model of one direction (None: the direction's default from models.toml)."""
        if isinstance(self.model, dict):
            return self.model.get(direction)
        return self.model

    def params(self, direction: str) -> dict[str, Any]:
        """What is stored beside the system's scores (systems.params_json)."""
        return {"model": self.model_for(direction), "backend": self.backend,
                "device": self.device, "beam": self.beam, "tm": self.tm,
                "glossary": self.glossary}  # fmt: skip


@dataclass(frozen=True)
class Recipe:
    """A validated recipe; ``text`` is the file as written (stored with the run)."""

    name: str
    path: Path | None
    text: str
    systems: tuple[SystemSpec, ...]
    directions: tuple[str, ...] = ALL_DIRECTIONS
    metrics: tuple[str, ...] = DEFAULT_METRICS
    split: str = "test"
    db: Path | None = None
    bootstrap: int = 1000
    seed: int = 12345
    limit: int = 0
    worst: int = 10
    comet_model: str = DEFAULT_COMET_MODEL
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def score_metrics(self) -> tuple[str, ...]:
        """The sacrebleu metrics (COMET is computed separately)."""
        return tuple(m for m in self.metrics if m != "comet")

    def params(self) -> dict[str, Any]:
        """The run-level options stored in runs.params_json."""
        return {"split": self.split, "directions": list(self.directions),
                "metrics": list(self.metrics), "bootstrap": self.bootstrap, "seed": self.seed,
                "limit": self.limit, "worst": self.worst, "comet_model": self.comet_model,
                "recipe_path": str(self.path) if self.path else None}  # fmt: skip


def check_resamples(n: int, segments: int, what: str = "bootstrap resamples") -> None:
    """A :class:`UserError` unless ``1 <= n <= MAX_RESAMPLES`` and the work fits the budget.

    Shared by ``mt eval compare --paired-bs/--paired-ar`` and recipes' ``bootstrap``, so that
    a too-large count fails before any work, in one line, instead of in numpy's allocator.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_RESAMPLES:
        raise UserError(f"{what} must be between 1 and {MAX_RESAMPLES:,}, not {n!r}")
    if n * segments > MAX_RESAMPLE_CELLS:
        fit = max(1, MAX_RESAMPLE_CELLS // max(segments, 1))
        raise UserError(f"{n:,} {what} of {segments:,} segments is too much work ({what} × "
                        f"segments must stay under {MAX_RESAMPLE_CELLS:,}): use at most {fit:,}, "
                        "or fewer segments")  # fmt: skip


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file; every problem is one :class:`UserError` naming it."""
    from mt.textio import read_text

    p = Path(path)
    text = read_text(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"invalid TOML: {exc}", p) from None
    return parse_recipe(data, text=text, path=p)


def parse_recipe(data: dict[str, Any], *, text: str = "", path: Path | None = None) -> Recipe:
    """Validate parsed TOML (``path`` anchors relative paths and names errors)."""
    v = _Validator(text, path)
    v.unknown_keys(data, TOP_KEYS, "recipe")
    base = path.parent if path is not None else Path(".")
    top = dict(
        name=v.string(data, "name", "recipe") or (path.stem if path else "recipe"),
        directions=v.directions(data.get("directions", list(ALL_DIRECTIONS))),
        metrics=v.metrics(data.get("metrics", list(DEFAULT_METRICS))),
        split=v.choice(data, "split", SPLITS, "test", "recipe"),
        db=v.db(data, base),
        bootstrap=v.integer(data, "bootstrap", 1000, "recipe", minimum=0, maximum=MAX_RESAMPLES),
        seed=v.integer(data, "seed", 12345, "recipe", minimum=0),
        limit=v.integer(data, "limit", 0, "recipe", minimum=0),
        worst=v.integer(data, "worst", 10, "recipe", minimum=0),
        comet_model=v.string(data, "comet_model", "recipe") or DEFAULT_COMET_MODEL,
        description=v.string(data, "description", "recipe"),
    )
    systems_raw = data.get("system")
    if not isinstance(systems_raw, list) or not systems_raw:
        v.fail("no [[system]] table: a recipe needs at least one system", "system")
    systems = tuple(v.system(i, raw, top["directions"], base)
                    for i, raw in enumerate(systems_raw))  # fmt: skip
    v.unique_names(systems)
    return Recipe(path=path, text=text, systems=systems, **top)


class _Validator:
    """Checks with error messages that point at the file and, where findable, the line."""

    def __init__(self, text: str, path: Path | None):
        self.text = text
        self.path = path
        self.lines = text.splitlines()
        headers = [n for n, line in enumerate(self.lines) if _SYSTEM_HEADER.match(line)]
        # Line ranges (0-based, end exclusive): the top level, then each [[system]] table.
        self.sections = list(zip([0, *headers], [*headers, len(self.lines)], strict=True))
        self.scope = self.sections[0]

    def in_system(self, i: int) -> None:
        """Look for keys inside the i-th ``[[system]]`` table from now on."""
        if i + 1 < len(self.sections):
            self.scope = self.sections[i + 1]

    def line_of(self, key: str) -> int | None:
        """The line assigning ``key`` in the current table (tomllib gives no positions)."""
        if key == "system" and self.scope != self.sections[0]:
            return self.scope[0] + 1
        pattern = re.compile(rf"^\s*(\[\[?\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]\]?)")
        start, end = self.scope
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return number + 1
        return None

    def fail(self, message: str, key: str | None = None) -> None:
        line = self.line_of(key) if key else None
        raise UserError(message, self.path, line)

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"unknown key {key!r} in {where} (allowed: {', '.join(allowed)})", key)

    def string(self, table: dict, key: str, where: str) -> str | None:
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.fail(f"{key!r} in {where} must be a non-empty string", key)
        return value.strip() if isinstance(value, str) else None

    def integer(self, table: dict, key: str, default: int, where: str, minimum: int,
                maximum: int | None = None) -> int:  # fmt: skip
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(f"{key!r} in {where} must be an integer ≥ {minimum}, not {value!r}", key)
        if maximum is not None and value > maximum:
            self.fail(f"{key!r} in {where} must be at most {maximum:,}, not {value!r}", key)
        return value

    def boolean(self, table: dict, key: str, default: bool, where: str) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{key!r} in {where} must be true or false, not {value!r}", key)
        return value

    def choice(self, table: dict, key: str, options: tuple[str, ...], default: str,
               where: str) -> str:  # fmt: skip
        value = table.get(key, default)
        if value not in options:
            self.fail(f"{key!r} in {where} must be one of {', '.join(options)}, not {value!r}",
                      key)  # fmt: skip
        return value

    def directions(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.fail("'directions' must be a non-empty list such as [\"en-ru\"]", "directions")
        out: list[str] = []
        for item in value:
            out.append(self.direction(item, "directions"))
        if len(set(out)) != len(out):
            self.fail("'directions' lists a direction twice", "directions")
        return tuple(out)

    def direction(self, item: Any, key: str) -> str:
        if not isinstance(item, str) or item.count("-") != 1:
            self.fail(f"invalid direction {item!r} (expected SRC-TGT such as en-ru)", key)
        src, tgt = item.split("-")
        try:
            src, tgt = check_lang(src.strip()), check_lang(tgt.strip())
        except UserError as exc:
            self.fail(f"invalid direction {item!r}: {exc.message}", key)
        if src == tgt:
            self.fail(f"invalid direction {item!r}: source and target are the same", key)
        return f"{src}-{tgt}"

    def metrics(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not value:
            self.fail('\'metrics\' must be a non-empty list such as ["bleu", "chrf"]', "metrics")
        out: list[str] = []
        for item in value:
            name = item.strip().lower() if isinstance(item, str) else item
            if name not in METRICS:
                self.fail(f"unknown metric {item!r} (available: {', '.join(METRICS)})", "metrics")
            if name not in out:
                out.append(name)
        if not any(m in SCORE_METRICS for m in out):
            self.fail("'metrics' needs at least one of " + ", ".join(SCORE_METRICS), "metrics")
        return tuple(out)

    def db(self, data: dict, base: Path) -> Path | None:
        if "db" in data and "store" in data:
            self.fail("give either 'db' or 'store', not both", "store")
        key = "db" if "db" in data else "store"
        value = self.string(data, key, "recipe")
        if value is None:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p

    def unique_names(self, systems: tuple[SystemSpec, ...]) -> None:
        seen: set[str] = set()
        for s in systems:
            if s.name in seen:
                self.fail(f"two systems are named {s.name!r}", "name")
            seen.add(s.name)

    def system(self, i: int, raw: Any, directions: tuple[str, ...], base: Path) -> SystemSpec:
        where = f"[[system]] #{i + 1}"
        self.in_system(i)
        if not isinstance(raw, dict):
            self.fail(f"{where} must be a table", "system")
        self.unknown_keys(raw, SYSTEM_KEYS, where)
        name = self.string(raw, "name", where)
        if name is None:
            self.fail(f"{where} has no 'name'", "system")
        where = f"system {name!r}"
        spec = SystemSpec(
            name=name,
            model=self.model(raw.get("model"), directions, base, where),
            backend=self.choice(raw, "backend", BACKENDS, "auto", where),
            device=self.choice(raw, "device", DEVICES, "auto", where),
            beam=self.integer(raw, "beam", 4, where, minimum=1),
            tm=self.boolean(raw, "tm", False, where),
            glossary=self.glossary(raw.get("glossary", False), base, where),
            description=self.string(raw, "description", where),
        )  # fmt: skip
        for direction in directions:
            self.check_route(spec, direction, where)
        return spec

    def model(self, value: Any, directions: tuple[str, ...], base: Path,
              where: str) -> str | dict[str, str] | None:  # fmt: skip
        if value is None:
            return None
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                direction = self.direction(key, "model")
                if direction not in directions:
                    listed = ", ".join(directions)
                    self.fail(f"{where}: model given for {direction}, which is not among the "
                              f"recipe's directions ({listed})", "model")  # fmt: skip
                out[direction] = self.one_model(item, base, where)
            return out
        return self.one_model(value, base, where)

    def one_model(self, value: Any, base: Path, where: str) -> str:
        """A hub id as written, or a local directory resolved against the recipe's folder."""
        from mt.translate.models import is_local

        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}: 'model' must be a model id or a directory", "model")
        value = value.strip()
        relative = Path(value).expanduser()
        if not relative.is_absolute() and (base / relative).exists():
            relative = base / relative
        if not is_local(value) and not relative.exists():
            return value
        if not relative.is_dir():
            self.fail(f"{where}: model directory not found: {value}", "model")
        if not (relative / "config.json").is_file():
            self.fail(f"{where}: not a model directory (no config.json): {value}", "model")
        return str(relative.resolve())

    def glossary(self, value: Any, base: Path, where: str) -> bool | str:
        if isinstance(value, bool):
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}: 'glossary' must be true, false or a TSV path", "glossary")
        p = Path(value).expanduser()
        p = p if p.is_absolute() else base / p
        if not p.is_file():
            self.fail(f"{where}: glossary file not found: {value}", "glossary")
        return str(p.resolve())

    def check_route(self, spec: SystemSpec, direction: str, where: str) -> None:
        """Catalog checks that need no download (wrong direction, unknown pivot legs)."""
        from mt.translate.models import route

        src, tgt = direction.split("-")
        try:
            route(src, tgt, spec.model_for(direction))
        except UserError as exc:
            self.fail(f"{where}, {direction}: {exc.message}", "model")
