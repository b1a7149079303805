"""Headless Chromium for the tests and benchmarks that open cwfilter's HTML pages: Debian's
``chromium`` (``/usr/bin/chromium``, or ``CWFILTER_CHROMIUM``) driven by Playwright. Skips
with the reason where either is missing (``playwright install`` cannot download browsers
here: the system's Chromium is used)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """The Chromium to drive, or skip the test with the reason."""
    path = os.environ.get("CWFILTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.skip(f"no Chromium at {path} (apt-get install -y chromium; .ci/run installs it)")
    return path


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[tuple[Any, list[str]]]:
    """A page of a headless Chromium, and the console errors and page errors it reports."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            # Nothing may be fetched: any request other than the file itself is an error.
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else errors.append(r.url))
            yield page, errors
        finally:
            browser.close()
