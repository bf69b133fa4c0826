"""Browser and live-server helpers of the reliability tests (issue 8).

- :func:`arm_canary` / :func:`canaries`: the ``window.__pwned`` canary on one page (used with the
  ``browser_page`` fixture of ``conftest.py``, which already blocks the network and fails on errors);
- :class:`Watch` arms a page: the ``window.__pwned`` canary (an init script in every frame), a
  record of every ``dialog`` (dismissed at once), ``pageerror`` and console error, and a route that
  answers every request leaving the allowed origins with an empty response (no network);
- :data:`MAP_JS` / :func:`screen_point`: the page's folium map, and where a place is on screen;
- :func:`streamlit_server` runs ``streamlit run streamlit_app.py`` on a free 127.0.0.1 port with a
  given catalog directory, polls ``/_stcore/health`` with a deadline (never a fixed sleep) and
  stops the server by PID.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CANARY = "window.__pwned = false;"
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SERVER_DEADLINE_S = 90.0
MAP_JS = "window[Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))]"  # the page's folium map


def screen_point(page: Any, lat: float, lon: float) -> tuple[float, float]:
    """Return the page coordinates of a place on the map, once the map stops panning."""
    page.wait_for_function(f"() => {{ const m = {MAP_JS}; return !(m._panAnim && m._panAnim._inProgress); }}")
    x, y = page.evaluate(
        f"""([lat, lon]) => {{
            const map = {MAP_JS}, p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }}""",
        [lat, lon],
    )
    return float(x), float(y)


def arm_canary(page: Any) -> list[str]:
    """Install the canary on ``page``'s context (next navigation on) and record its dialogs."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.context.add_init_script(CANARY)
    page.on("dialog", on_dialog)
    return dialogs


def canaries(page: Any) -> list[Any]:
    """Return ``window.__pwned`` of the page and each of its frames (all must be ``False``)."""
    values = []
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame navigated away while we looked
            values.append(frame.evaluate("() => window.__pwned"))
    return values


@dataclass
class Watch:
    """What a page did that it should not have: dialogs, page errors, console errors, requests out."""

    allowed: tuple[str, ...]
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def arm(self, context: Any) -> None:
        """Install the canary, the no-network route and the listeners on a browser context."""
        context.add_init_script(CANARY)
        context.route("**/*", self._route)
        context.on("page", self.attach)

    def attach(self, page: Any) -> None:
        """Listen to one page's dialogs and errors."""
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:", *self.allowed)):
            route.continue_()
        else:
            self.blocked.append(url)
            route.fulfill(status=204, body="")

    def pwned(self, page: Any) -> list[Any]:
        """Return the canary of the page and of each of its frames (all must be ``False``)."""
        return canaries(page)


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(data_dir: Path, log_path: Path) -> Iterator[str]:
    """Run the dashboard on a free port for ``data_dir``; yield its base URL; stop it by PID."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MAPAPP_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "streamlit_app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_DEADLINE_S
            while not _healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with {proc.returncode}: {log_path.read_text()[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {SERVER_DEADLINE_S}s: {log_path}")
                time.sleep(0.1)  # polling interval of the health check, not a wait for readiness
            yield url
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=20)


def wait_idle(page: Any, timeout_ms: float = 60_000) -> None:
    """Wait until the Streamlit script of ``page`` has finished its run."""
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
