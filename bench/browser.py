"""Draw time of HTML maps in headless Chromium (Debian ``/usr/bin/chromium`` through playwright).

The draw time of a page is the time from navigation start (``performance.timeOrigin``) to the
first animation frame after all of (a) the window's ``load`` event, so every inline script has run,
(b) the page holding its full number of SVG ``<path>`` elements, so every Leaflet vector layer
is in the DOM, and (c) no Leaflet map of the page zooming or panning: a ``fitBounds`` animates the
zoom for 250 ms and then projects and draws every layer again at the new zoom, so the view is final
only after it (the check starts in the frame after ``load``, when an animation asked for by the
page's scripts has started, and looks for the class Leaflet gives the map pane meanwhile: walking
the window's properties to find the maps took 30–60 ms, as some of them start services when
read); the frame is when the browser paints it. The full number is learnt once per page
(a calibration load, waiting until the count stays the same for half a second). Layers drawn on a
Leaflet canvas (our base map) are drawn in an animation frame Leaflet asks for when they are added,
before the ``load`` event, so it runs before the probe's frame.

The page reports the time in a console message (:data:`DRAWN`), which the driver waits for: nothing
is evaluated in the page, and nothing polls it, while it loads. The first version waited with
playwright's ``wait_for_function``, which runs playwright's own script in the page (about 25 ms on
the page's main thread, traced) and polls it every 50 ms: that landed inside the measured time of
short pages such as the empty map, and made the floor look about 15 % slower than it is.

No request leaves the machine: ``file://`` loads as is, Leaflet's CDN files (the naive page's
``leaflet@1.9.3`` links) are answered with the pinned local copy from ``node_modules``, and every
other request (jQuery, Bootstrap, fonts, tiles…) gets an empty answer at once, so the naive page
is not slowed by the network either (it is spared parsing jQuery and Bootstrap: a favour to it).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route, sync_playwright

from mapapp.assets import asset_path, inline_tag

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 860}
TIMEOUT_MS = 300_000
SETTLE_S = 1.0
"""Pause after each load: a closed page's teardown (large for the naive pages) must not slow the
next load, which may be the floor's."""
_LOCAL = {
    "leaflet.js": asset_path("leaflet_js"),
    "leaflet.css": asset_path("leaflet_css"),
}
DRAWN = "mapapp-drawn "
"""Prefix of the console message by which a page reports its draw time (ms)."""
_PROBE = """
window.addEventListener('load', function () {
  function settled() {  // Leaflet marks its map pane while it animates a zoom or a pan
    return document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim') === null;
  }
  function poll() {
    if (document.querySelectorAll('path').length >= %d && settled()) {
      requestAnimationFrame(function () { console.debug('%s' + performance.now()); });
    } else {
      requestAnimationFrame(poll);
    }
  }
  requestAnimationFrame(poll);
});
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    """Start headless Chromium; close it on exit."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _route(route: Route) -> None:
    url = route.request.url
    if url.startswith("file:"):
        route.continue_()
        return
    name = url.split("?")[0].rsplit("/", 1)[-1]
    local = _LOCAL.get(name) if "leaflet@" in url else None
    if local is not None:
        route.fulfill(path=str(local))
    else:
        route.fulfill(status=200, body="")


def _new_page(browser: Browser) -> tuple[Any, Page, list[str]]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", _route)
    return context, page, errors


def _open(browser: Browser, path: Path, probe: str | None) -> tuple[Any, Page, list[str]]:
    context, page, errors = _new_page(browser)
    if probe is not None:
        page.add_init_script(probe)
    page.goto(path.resolve().as_uri(), wait_until="commit", timeout=TIMEOUT_MS)
    return context, page, errors


def path_count(browser: Browser, path: Path) -> int:
    """Return the number of SVG paths a page settles on (the calibration load)."""
    context, page, _ = _open(browser, path, None)
    page.wait_for_load_state("load", timeout=TIMEOUT_MS)
    last, stable = -1, 0
    while stable < 3:
        page.wait_for_timeout(200)
        count = int(page.evaluate("document.querySelectorAll('path').length"))
        stable = stable + 1 if count == last else 0
        last = count
    context.close()
    return last


def draw_ms(browser: Browser, path: Path, runs: int, *, strict: bool = False) -> dict[str, float]:
    """Return the median draw time (ms) of ``path`` over ``runs`` loads, and its path count.

    ``strict``: raise if the page reports a JavaScript error (used for our own pages).
    """
    expected = path_count(browser, path)
    times = [_load_ms(browser, path, expected, strict) for _ in range(runs)]
    return {"ms": statistics.median(times), "paths": expected, "runs": runs}


def _load_ms(browser: Browser, path: Path, expected: int, strict: bool) -> float:
    context, page, errors = _new_page(browser)
    page.add_init_script(_PROBE % (expected, DRAWN))
    # The driver waits for the page's message: nothing is evaluated in the page, and nothing polls
    # it, while it loads (a polling wait ran 25 ms of playwright's own script inside the page).
    with page.expect_console_message(lambda msg: msg.text.startswith(DRAWN), timeout=TIMEOUT_MS) as message:
        page.goto(path.resolve().as_uri(), wait_until="commit", timeout=TIMEOUT_MS)
    drawn = float(message.value.text.removeprefix(DRAWN))
    context.close()
    time.sleep(SETTLE_S)  # let the browser tear the page down before the next load is timed
    if strict and errors:
        raise RuntimeError(f"{path.name}: page errors {errors[:3]}")
    return drawn


def draw_with_floor(browser: Browser, path: Path, floor: Path, runs: int) -> dict[str, float]:
    """Return the median draw times (ms) of ``path`` and of the empty-map ``floor``, loaded in turn.

    The two pages alternate (floor, page, floor, page…) so that both see the same machine: on a
    shared 2-core machine the floor itself moves by tens of per cent over minutes, and a ratio
    of medians taken at different times would mostly measure that drift. Each load starts
    :data:`SETTLE_S` after the previous page was closed. ``pair_ratio_q1``/``q3``: the quartiles
    of the ratio page ÷ floor of each pair of loads, to show how far single loads spread.
    """
    expected, floor_paths = path_count(browser, path), path_count(browser, floor)
    pages, floors = [], []
    for _ in range(runs):
        floors.append(_load_ms(browser, floor, floor_paths, True))
        pages.append(_load_ms(browser, path, expected, True))
    pairs = statistics.quantiles([p / f for p, f in zip(pages, floors, strict=True)], n=4)
    return {
        "ms": statistics.median(pages),
        "floor_ms": statistics.median(floors),
        "pair_ratio_q1": pairs[0],
        "pair_ratio_q3": pairs[2],
        "paths": expected,
        "runs": runs,
    }


def empty_map_page(out: Path) -> Path:
    """Write the empty-map floor: Leaflet inlined, one map, no layer, no tiles."""
    head = "\n".join(inline_tag(n) for n in ("leaflet_css", "leaflet_js"))
    out.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>" + head
        + "<style>html,body,#m{height:100%;margin:0}</style></head><body><div id='m'></div>"
        "<script>L.map('m').setView([33.3, 42.0], 6);</script></body></html>",
        encoding="utf-8",
    )  # fmt: skip
    return out
