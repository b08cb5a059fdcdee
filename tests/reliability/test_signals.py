"""Case 10: SIGINT/SIGTERM roll back, remove temporary files, print one line, exit 130/143."""

from __future__ import annotations

import signal
import subprocess
import time

from tests.conftest import dump
from tests.reliability.conftest import (
    mt_cmd,
    mt_env,
    synthetic_pairs,
    temp_leftovers,
    write_moses,
)


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_sigterm_during_export_removes_the_temporary_file(big_store, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.Popen(
        mt_cmd("corpus", "export", "--db", big_store, "--format", "tmx", "--out",
               out_dir / "x.tmx", "--dedup", "none"),
        env=mt_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    started = _wait_for(lambda: temp_leftovers(out_dir) or proc.poll() is not None)
    assert started and proc.poll() is None, "export finished before the signal could be sent"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == ["mt: terminated; nothing half-written was kept"]
    assert list(out_dir.iterdir()) == []


def test_sigint_during_import_rolls_back(tmp_path):
    db = tmp_path / "s.db"
    seed = write_moses(tmp_path / "seed" / "c", synthetic_pairs(10))
    assert subprocess.run(mt_cmd("corpus", "import", "--db", db, *seed), env=mt_env(),
                          capture_output=True).returncode == 0  # fmt: skip
    before = dump(db)
    big = write_moses(tmp_path / "big" / "c", synthetic_pairs(150_000, "b"))
    proc = subprocess.Popen(mt_cmd("corpus", "import", "--db", db, *big), env=mt_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(1.5)  # parsing or writing: either way nothing may remain
    assert proc.poll() is None, "import finished before the signal could be sent"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["mt: interrupted; nothing half-written was kept"]
    assert dump(db) == before


def test_closed_pipe_is_a_quiet_exit_0(tmp_path):
    """`mt align big.txt ... | head -1`: the reader leaving is not an error."""
    big = tmp_path / "big.txt"
    big.write_text("".join(f"Sentence number {i} is here.\n" for i in range(60_000)),
                   encoding="utf-8")  # fmt: skip
    proc = subprocess.Popen(
        mt_cmd("align", big, big, "--src", "en", "--tgt", "ru", "--presplit", "--method",
               "gale-church"),
        env=mt_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first == b"[0]:[0]\n"
    assert proc.returncode == 0 and err == "", (proc.returncode, err)
