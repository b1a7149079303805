"""Regenerate the README's picture of a replay (docs/replay.png): the samples' CWL-012 replay
as HTML (what ``make demo`` writes), opened in headless Chromium, the chart and legend cut
out, with the first notification's tooltip shown.

    python scripts/screenshot.py [demo-output/replay.html] [docs/replay.png]

Needs Playwright for Python and Debian's ``chromium`` (the test extra and .ci/run)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(page_path: Path, out: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("#cwf-lanes .lane svg")
        page.locator("#cwf-lanes .marker").first.focus()
        bottom = page.locator(".legend").bounding_box()
        assert bottom is not None
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(out), clip={"x": 0, "y": 0, "width": 1100, "height": bottom["y"] + bottom["height"] + 8}
        )
        browser.close()


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(
        args[0] if args else ROOT / "demo-output" / "replay.html",
        args[1] if len(args) > 1 else ROOT / "docs" / "replay.png",
    )
