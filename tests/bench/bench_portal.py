"""The portal's home page as a customer's browser gets it: bytes over the wire and time until it is usable.

Run: `make bench` (or `.venv/bin/python tests/bench/bench_portal.py --loads 10`).
Prints figures, never asserts; the last line is
`portal home_kb_compressed=N usable_ms_p50=N usable_ms_max=N`.

Starts `tugi dev` (as tests/e2e does) and opens `/` in Debian's chromium through Playwright, each load
in a fresh context (a first visit: nothing cached). "Usable" is the time from navigation to the
search box accepting input with the page's script run (the language applied, suggestions attached):
`DOMContentLoaded` of a module script page, read from the Navigation Timing entry. The size is the
home page's HTML, script and stylesheet compressed with gzip -9 as CloudFront would send them.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, start_dev  # noqa: E402

HOME_FILES = ("index.html", "assets/portal.js", "assets/portal.css")


def compressed_kb(site: Path) -> float:
    return sum(len(gzip.compress((site / name).read_bytes(), compresslevel=9)) for name in HOME_FILES) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10, help="fresh first visits to measure (default 10)")
    args = parser.parse_args()
    size = compressed_kb(REPO / "build" / "web")
    with tempfile.TemporaryDirectory() as folder:
        dev = start_dev(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
                times = []
                for _ in range(args.loads):
                    context = browser.new_context(locale="en-GB")
                    page = context.new_page()
                    page.goto(f"{dev['url']}/")
                    page.get_by_role("combobox").wait_for()
                    times.append(
                        page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                    )
                    context.close()
                browser.close()
        finally:
            dev["process"].terminate()
            dev["process"].wait(timeout=30)
    median = statistics.median(times)
    print(f"home page HTML, script and stylesheet: {size:.1f} KB compressed (budget 100 KB)")
    print(f"usable after (DOMContentLoaded, first visit, {args.loads} loads): median {median:.0f} ms")
    print(f"portal home_kb_compressed={size:.1f} usable_ms_p50={median:.0f} usable_ms_max={max(times):.0f}")


if __name__ == "__main__":
    main()
