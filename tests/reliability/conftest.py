"""Helpers for the fault-injection tests: run ``mt`` as a real process (signals, limits,
concurrency need one) and check the one-line error contract."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def mt_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "mt", *map(str, args)]


def mt_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_proc(*args: object, fsize: int | None = None, timeout: float = 120,
             **kw) -> subprocess.CompletedProcess:  # fmt: skip
    """Run ``mt ARGS`` in a subprocess; ``fsize`` caps the size of files it writes (bytes)."""

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(mt_cmd(*args), capture_output=True, text=True, timeout=timeout,
                          env=mt_env(), preexec_fn=limit, **kw)  # fmt: skip


def assert_one_line(proc_or_result, code: int, *needles: str) -> str:
    """Exit ``code``, exactly one ``mt: error:`` line on stderr, no traceback."""
    if isinstance(proc_or_result, tuple):
        rc, _out, err = proc_or_result
    else:
        rc, err = proc_or_result.returncode, proc_or_result.stderr
    assert rc == code, (rc, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def write_moses(prefix: Path, pairs: list[tuple[str, str]], a: str = "en", b: str = "ru"):
    prefix.parent.mkdir(parents=True, exist_ok=True)
    pa, pb = prefix.with_name(f"{prefix.name}.{a}"), prefix.with_name(f"{prefix.name}.{b}")
    pa.write_text("".join(x + "\n" for x, _ in pairs), encoding="utf-8")
    pb.write_text("".join(y + "\n" for _, y in pairs), encoding="utf-8")
    return pa, pb


def synthetic_pairs(n: int, tag: str = "") -> list[tuple[str, str]]:
    return [(f"Statement {tag}{i} on the agreement of {i % 97} parties.",
             f"Заявление {tag}{i} о соглашении {i % 97} сторон.") for i in range(n)]  # fmt: skip


def temp_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and
                  p.name.endswith(".tmp"))  # fmt: skip


@pytest.fixture
def big_store(tmp_path_factory) -> Path:
    """A store of 60,000 pairs (module-independent, built once per test session)."""
    return _big_store(tmp_path_factory)


_CACHE: dict[str, Path] = {}


def _big_store(factory) -> Path:
    if "db" not in _CACHE:
        work = factory.mktemp("big")
        en, ru = write_moses(work / "big", synthetic_pairs(60_000))
        db = work / "big.sqlite"
        proc = run_proc("corpus", "import", "--db", db, en, ru)
        assert proc.returncode == 0, proc.stderr
        _CACHE["db"] = db
    return _CACHE["db"]
