"""Case 8: read-only commands open the store read-only, refuse foreign databases without
touching them, and work from a read-only directory."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess

import pytest

from tests.reliability.conftest import (
    assert_one_line,
    mt_cmd,
    mt_env,
    run_proc,
    synthetic_pairs,
    write_moses,
)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_foreign_database_is_refused_untouched(tmp_path):
    db = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = _digest(db)
    for args in (("corpus", "stats"), ("corpus", "docs"), ("corpus", "search", "x"),
                 ("corpus", "import", *write_moses(tmp_path / "p" / "c",
                                                   synthetic_pairs(2)))):  # fmt: skip
        assert_one_line(run_proc(*args, "--db", db), 2, "not an mt corpus store")
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.sqlite", "p"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_read_commands_do_not_write(tmp_path):
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(20))
    db = tmp_path / "s.db"
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    before = _digest(db)
    for args in (
        ("corpus", "stats"),
        ("corpus", "docs"),
        ("corpus", "search", "agreement"),
        ("corpus", "export", "--out", tmp_path / "o.tsv", "--format", "tsv"),
    ):
        proc = run_proc(*args, "--db", db)
        assert proc.returncode == 0, proc.stderr
    assert _digest(db) == before


def _read_only_run(folder, args: list[str]) -> subprocess.CompletedProcess:
    """Run ``mt ARGS`` with ``folder`` read-only for it: chmod for a normal user; for root,
    who ignores permissions, a read-only bind mount in a private mount namespace."""
    cmd = mt_cmd(*args)
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:
        if not shutil.which("unshare"):
            pytest.skip("running as root without unshare: cannot make a read-only directory")
        inner = f"mount --bind -o ro {shlex.quote(str(folder))} {shlex.quote(str(folder))}"
        cmd = ["unshare", "-m", "sh", "-c", inner + ' && exec "$@"', "sh", *cmd]
    try:
        return subprocess.run(cmd, env=mt_env(), capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)


def test_store_in_a_read_only_directory_can_be_read(tmp_path):
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(20))
    ro = tmp_path / "ro"
    ro.mkdir()
    db = ro / "s.db"
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    probe = _read_only_run(ro, ["corpus", "import", "--db", db, *files])
    if probe.returncode != 2 or "read-only" not in probe.stderr:
        pytest.skip(f"could not make {ro} read-only here: {probe.stderr.strip()}")
    proc = _read_only_run(ro, ["corpus", "stats", "--db", db, "--json"])
    assert proc.returncode == 0, proc.stderr
    assert '"documents": 1' in proc.stdout
    proc = _read_only_run(ro, ["corpus", "search", "agreement", "--db", db])
    assert proc.returncode == 0 and "[agreement]" in proc.stdout, proc.stderr


def test_store_of_an_older_mt_is_upgraded_by_the_first_command(tmp_path):
    """Schema 3 (before post-edits): `stats` upgrades it once instead of refusing to read."""
    files = write_moses(tmp_path / "p" / "c", synthetic_pairs(5))
    db = tmp_path / "old.db"
    assert run_proc("corpus", "import", "--db", db, *files).returncode == 0
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE post_edits; PRAGMA user_version = 3;")
    conn.close()
    proc = run_proc("corpus", "stats", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 4
    assert conn.execute("SELECT count(*) FROM post_edits").fetchone()[0] == 0
    conn.close()
