"""A picture of a report page as headless Chromium shows it (for the docs and to check it renders).

Playwright drives Debian's Chromium (``DASG_CHROMIUM``, default /usr/bin/chromium) with the flags
this machine needs (no sandbox, no GPU, no background network), as the browser tests do.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def screenshot(page_file: Path, picture: Path, width: int = 1100, height: int = 1700, full_page: bool = False) -> list[str]:
    """Open ``page_file`` and save a PNG of it; the addresses the page asked for (only itself when self-contained)."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("DASG_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        raise FileNotFoundError(f"{chromium} is missing: run `bash scripts/setup-browser.sh` (as root)")
    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="en-GB")
            page.on("request", lambda request: fetched.append(request.url))
            page.goto(Path(page_file).resolve().as_uri())
            picture.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(picture), full_page=full_page)
        finally:
            browser.close()
    return fetched
