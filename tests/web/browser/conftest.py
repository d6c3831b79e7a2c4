"""The dashboard in a real browser: Playwright for Python driving Debian's Chromium
(``/usr/bin/chromium``; never a browser download), axe-core injected from ``vendor/``.

Without Chromium (or Playwright) the browser tests skip with the reason, on a developer's
machine; under CI (``CI`` set, as it is for ``.ci/run``) or with ``HOCVUSO_REQUIRE_BROWSER=1``
they fail instead: a skipped acceptance test in CI would pass unseen.

Install the browser on Debian: ``apt-get install chromium``. ``HOCVUSO_CHROMIUM`` names another
binary.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("HOCVUSO_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: Screenshots of every page visited (git-ignored); printed by the tests.
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"


def browser_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or os.environ.get("HOCVUSO_REQUIRE_BROWSER", "") == "1"


def why_no_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium; skipped without one, except where it is required (CI)."""
    missing = why_no_browser()
    if missing is not None:
        if browser_required():
            pytest.fail(f"the browser tests must run here (CI): {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # Playwright's own default: no sandbox (root in CI cannot use Chromium's).
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()
