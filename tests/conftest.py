"""Shared fixtures: a real headless Chromium (Debian's, driven by playwright) for ``browser`` tests.

``browser_page`` gives a page that

- aborts every request that is not ``file://``, ``data:``, ``blob:`` or to ``127.0.0.1``/``localhost``
  and records it in ``page.blocked`` (a test can assert it stayed empty);
- records console errors and page errors and fails the test if any occurred;
- saves a screenshot to ``tests/_artifacts/<test name>.png`` when the test failed.

Never runs ``playwright install``: the browser is ``/usr/bin/chromium`` (``MAPAPP_CHROMIUM``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "_artifacts"
_LOCAL = re.compile(r"^(file:|data:|blob:|about:|https?://(127\.0\.0\.1|localhost)(:\d+)?/)")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Expose each phase's report on the item (``item.rep_call``) for failure screenshots."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Launch Debian's chromium once per session (skip if it or playwright is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page with outside requests blocked and errors collected (see module docstring)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860}, service_workers="block")
    page = context.new_page()
    page.blocked = []
    page.errors = []

    def route(route: Any) -> None:
        url = route.request.url
        if _LOCAL.match(url):
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page.on(
        "console", lambda msg: page.errors.append(f"console: {msg.text}") if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    errors = list(page.errors)
    context.close()
    if errors and not (failed is not None and failed.failed):
        pytest.fail("browser errors:\n" + "\n".join(errors))
