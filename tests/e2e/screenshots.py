"""The README's screenshots, taken from a fresh `tugi dev` in Debian's chromium: `make screenshots`.

Writes PNGs under docs/screenshots/ (committed, so the README shows what the pages look like); run it
again when a page changes. Not a test: it asserts nothing beyond the pages being there.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, start_dev  # noqa: E402

OUT = REPO / "docs" / "screenshots"
DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 390, "height": 760}


def portal_home(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    box = page.get_by_role("combobox")
    box.press_sequentially("lost ca", delay=30)
    page.get_by_role("option").first.wait_for()


def portal_results(page: Page, url: str) -> None:
    page.goto(f"{url}/?q=I+lost+my+card")
    page.locator(".results li").first.wait_for()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shots = {
        "portal-home.png": (portal_home, DESKTOP),
        "portal-results-phone.png": (portal_results, PHONE),
    }
    with tempfile.TemporaryDirectory() as folder:
        dev = start_dev(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
                for name, (take, viewport) in shots.items():
                    context = browser.new_context(locale="en-GB", viewport=viewport)
                    page = context.new_page()
                    take(page, dev["url"])
                    page.screenshot(path=OUT / name)
                    context.close()
                    print(f"screenshots: docs/screenshots/{name}")
                browser.close()
        finally:
            dev["process"].terminate()
            dev["process"].wait(timeout=30)


if __name__ == "__main__":
    main()
