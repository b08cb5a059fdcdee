#!/usr/bin/env python3
"""Screenshot an HTML report in headless Chromium, to look at it before calling it done.

    python scripts/screenshot_report.py out/eval/run-1.html [--out run-1.png] [--height 2400]

Why a real browser: the report is meant to be opened in one, and only a browser shows layout
problems (overflowing tables, squashed charts, an SVG that does not render). Chromium runs with
networking off and a throw-away profile, so the screenshot also proves the page needs nothing
from outside. Install it with ``apt-get install -y chromium`` (Debian) if it is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2400,
               timeout: float = 120.0) -> Path:  # fmt: skip
    """Render ``html`` to ``png`` (the top ``height`` pixels at ``width``)."""
    browser = find_browser()
    if browser is None:
        raise SystemExit("no Chromium found (Debian: apt-get install -y chromium)")
    if not html.is_file():
        raise SystemExit(f"{html}: no such file")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mt-shot-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
               f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
               html.resolve().as_uri()]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not png.is_file():
        raise SystemExit(f"chromium failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the HTML report")
    parser.add_argument("--out", type=Path, help="PNG to write (default: beside the HTML)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)
    png = screenshot(args.html, args.out or args.html.with_suffix(".png"), args.width,
                     args.height)  # fmt: skip
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
