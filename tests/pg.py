"""A throw-away PostgreSQL server for the tests (and ``benchmarks/corpus_scale.py``).

``initdb`` + ``pg_ctl`` into a temporary directory, listening on a free port of 127.0.0.1
(trust authentication, no fsync: nothing here must survive). When the tests run as root the
server runs as the ``postgres`` OS user (PostgreSQL refuses root). One server per process,
started on first use and stopped at exit; every test gets a fresh database.

Fixtures: ``pg_server`` (session; skips with a message when PostgreSQL or psycopg is
missing), ``pg_url`` (a fresh database), ``store_url`` (parametrized: a SQLite file path
and a PostgreSQL URL, so a test runs against both backends).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def find_bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    for d in reversed(dirs):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One server in a temporary directory; :meth:`new_database` makes a fresh database."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.as_postgres = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="mt-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self.started = False

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        init = self._run(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=60")  # fmt: skip
        start = self._run(self.bin / "pg_ctl", "-D", self.data, "-o", opts, "-l",
                          self.root / "log", "-w", "-t", "60", "start")  # fmt: skip
        if start.returncode != 0:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()} {log}")
        self.started = True
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.started:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SERVER: dict[str, PgServer | str] = {}


def get_server() -> PgServer:
    """The process's server, started on first use; raises RuntimeError why it cannot be."""
    if "server" in _SERVER:
        got = _SERVER["server"]
        if isinstance(got, str):
            raise RuntimeError(got)
        return got
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _SERVER["server"] = 'psycopg is not installed (pip install -e ".[postgres]")'
        raise RuntimeError(_SERVER["server"]) from None
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _SERVER["server"] = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        raise RuntimeError(_SERVER["server"])
    server = PgServer(bin_dir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _SERVER["server"] = f"could not start PostgreSQL: {exc}"
        raise RuntimeError(_SERVER["server"]) from None
    _SERVER["server"] = server
    return server


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    try:
        return get_server()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture
def pg_url(pg_server):
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path) -> str:
    """A store location on each backend: a SQLite file path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return request.getfixturevalue("pg_url")
