"""The review page in headless Chromium (Playwright, Debian's chromium, never downloaded):
paste → translate → edit a sentence → approve → the store holds the human rendering."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The README's screenshot: refreshed only on request (MT_UPDATE_SCREENSHOT=1), so a test run
#: never changes the working tree; otherwise the screenshot goes to a temporary directory.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "review-page.png"

TEXT = (
    "The Ministry of Foreign Affairs of Azerbaijan welcomes the agreement. "
    "The meeting took place in Baku on 12 March 2024.\n\n"
    "The next round of talks will be held in Geneva."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(fake_models, tmp_path):
    """The app served by uvicorn in a thread of this process (so the fake engines apply)."""
    uvicorn = pytest.importorskip("uvicorn")
    from mt.corpus.store import Store
    from mt.serve import ServeConfig, create_app

    db = tmp_path / "review.sqlite"
    Store.open(db).close()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ServeConfig(db=db)), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    server.install_signal_handlers = lambda: None  # older uvicorn
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join(10)


def test_review_page_round_trip(live_server, tmp_path):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the browser test needs the playwright package"
    )
    if not os.path.exists(CHROMIUM):
        pytest.skip("the browser test needs chromium (apt-get install -y chromium)")
    from mt.corpus.store import Store

    base, db = live_server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + "/")
            page.fill("#text", TEXT)
            page.select_option("#target", "ru")
            page.click("#translate")
            page.wait_for_selector("#sentences tbody tr")
            rows = page.locator("#sentences tbody tr")
            assert rows.count() == 3
            assert "RU:THE NEXT ROUND" in rows.nth(2).locator(".edit").inner_text()
            # Glossary terms are marked in the source; QA flags the upper-cased date.
            assert page.locator("td.src mark.term").count() >= 2
            assert page.locator(".flag").count() >= 1
            edit = rows.nth(2).locator(".edit")
            edit.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("Следующий раунд переговоров пройдёт в Женеве.")
            rows.nth(2).locator("input[type=checkbox]").check()
            rows.nth(0).locator("input[type=checkbox]").check()
            page.fill("#translator", "Aysel")
            shot = DOCS_SCREENSHOT if os.environ.get("MT_UPDATE_SCREENSHOT") else tmp_path / "r.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000  # a rendered page, not an empty image
            page.click("#store")
            page.wait_for_function("document.querySelector('#status').className === 'ok'")
            assert "Stored" in page.inner_text("#status")
            # The draft was stored as the machine rendering: the approval measures HTER.
            assert page.inner_text("#hter").startswith("HTER ")
        finally:
            browser.close()
    with Store.open(db, readonly=True) as store:
        memory = store.translation_memory("en", "ru")
    assert memory["The next round of talks will be held in Geneva."] == (
        "Следующий раунд переговоров пройдёт в Женеве."
    )
