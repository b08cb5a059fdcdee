"""Reading user files safely: one clear :class:`UserError` instead of a traceback.

Every command that reads text goes through :func:`read_text` or :func:`read_lines`, so the
checks (missing, empty, binary, not UTF-8, BOM) live in one place.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from mt.errors import UserError, write_fault


def decode(data: bytes, path: str | Path) -> str:
    """Decode UTF-8 (a BOM is accepted and dropped); reject binary and other encodings."""
    if b"\x00" in data[:8192]:
        raise UserError("binary file, expected UTF-8 text", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_input(path: str | Path, *, allow_empty: bool = False) -> Path:
    """A readable regular file (non-empty unless ``allow_empty``), or a :class:`UserError`
    saying what is wrong: the checks every input file gets before it is opened."""
    p = Path(path)
    if not p.exists():
        raise UserError("no such file", p)
    if p.is_dir():
        raise UserError("is a directory, expected a file", p)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", p) from None
    if size == 0 and not allow_empty:
        raise UserError("empty file", p)
    return p


def read_bytes(path: str | Path, *, allow_empty: bool = False) -> bytes:
    """A file's bytes, or one clear :class:`UserError` (missing, a folder, unreadable, empty):
    the checks every input file gets, text or binary document. Emptiness is judged on the
    bytes read, not the file size, so a pipe (``<(command)``) reads as what it holds."""
    p = check_input(path, allow_empty=True)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", path) from None
    if not allow_empty and not data:
        raise UserError("empty file", path)
    return data


def read_text(path: str | Path, *, allow_empty: bool = False) -> str:
    """Read a whole UTF-8 text file, or stdin for ``-``."""
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        path = "<stdin>"
    else:
        data = read_bytes(path, allow_empty=True)
    text = decode(data, path)
    if not allow_empty and not text.strip():
        raise UserError("empty file", path)
    return text


def read_lines(path: str | Path, *, allow_empty: bool = False) -> list[str]:
    """Lines of a UTF-8 file without their newline (a final newline adds no empty line)."""
    text = read_text(path, allow_empty=allow_empty)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_beside(path: str | Path) -> Path:
    """An empty temporary file in the target's directory, for write-then-rename.

    Same directory so that ``os.replace`` is atomic; the mode a plain ``open()`` would give
    (``mkstemp`` makes 0600 files, which would surprise whoever reads the output).
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UserError("directory does not exist", parent)
    if target.is_dir():
        raise UserError("is a directory, expected a file path", target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    A failure half-way leaves the old file (or no file) behind, never a truncated one.
    """
    tmp = temp_beside(path)
    try:
        kwargs = {"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {}
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_fault(exc, path) from None
        raise
