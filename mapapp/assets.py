"""The pinned npm front-end files the map needs: where they are, their versions and licences.

The set-up (``make assets``, i.e. ``npm ci``) installs them under ``node_modules/`` of the repository;
``package.json`` pins the versions. :data:`ASSETS` lists every file a page may use, by a stable name;
:func:`inline_content` returns a file's text ready to be pasted into a ``<script>``/``<style>``
block, with every CSS ``url(...)`` image turned into a ``data:`` URI, so that a page needs nothing
but itself.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mapapp.errors import ExportError

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|#|https?:)([^'")]+)\1\s*\)""")


@dataclass(frozen=True)
class Asset:
    """One front-end file: its npm package, path inside the package and kind (``js``/``css``)."""

    name: str
    package: str
    path: str
    kind: str

    @property
    def url_path(self) -> str:
        """The path below an asset base URL (``node_modules`` layout): ``package/path``."""
        return f"{self.package}/{self.path}"


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset("leaflet_js", "leaflet", "dist/leaflet.js", "js"),
        Asset("leaflet_css", "leaflet", "dist/leaflet.css", "css"),
        Asset("fullscreen_js", "leaflet.fullscreen", "Control.FullScreen.js", "js"),
        Asset("fullscreen_css", "leaflet.fullscreen", "Control.FullScreen.css", "css"),
    )
}


@dataclass(frozen=True)
class PackageInfo:
    """Name, version and licence of an npm package, from its ``package.json``."""

    name: str
    version: str
    licence: str


def asset_path(name: str, root: Path | None = None) -> Path:
    """Return the file of asset ``name``; :class:`ExportError` saying how to install it if missing.

    Parameters
    ----------
    name
        A key of :data:`ASSETS`.
    root
        The ``node_modules`` directory (default: the repository's).
    """
    asset = ASSETS[name]
    path = (root or NODE_MODULES) / asset.package / asset.path
    if not path.is_file():
        raise ExportError(
            f"front-end file {asset.url_path!r} not found at {str(path)!r}. "
            "Fix: run `make assets` (or `npm ci`) in the repository to install the pinned npm packages."
        )
    return path


def package_info(package: str, root: Path | None = None) -> PackageInfo:
    """Return the name, version and licence of an installed npm package."""
    path = (root or NODE_MODULES) / package / "package.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(
            f"cannot read {str(path)!r}: {exc}. Fix: run `make assets` (or `npm ci`) in the repository."
        ) from exc
    return PackageInfo(str(data["name"]), str(data["version"]), str(data.get("license", "unknown")))


def credits(names: tuple[str, ...] = tuple(ASSETS)) -> list[PackageInfo]:
    """Return the packages behind the assets ``names``, once each, e.g. for an about box."""
    packages = dict.fromkeys(ASSETS[n].package for n in names)
    return [package_info(p) for p in packages]


@lru_cache(maxsize=16)
def inline_content(name: str) -> str:
    r"""Return the text of asset ``name``, CSS images inlined as ``data:`` URIs.

    The text is safe inside a ``<script>``/``<style>`` element: ``</`` is written ``<\\/``.
    """
    path = asset_path(name)
    text = path.read_text(encoding="utf-8")
    if ASSETS[name].kind == "css":
        text = _CSS_URL.sub(lambda m: f'url("{_data_uri(path.parent / m.group(2))}")', text)
    return text.replace("</", "<\\/")


def _data_uri(path: Path) -> str:
    if not path.is_file():
        raise ExportError(
            f"image {str(path)!r} referenced by a stylesheet is missing. "
            "Fix: run `make assets` (or `npm ci`)."
        )
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_tag(name: str) -> str:
    """Return a ``<script>`` or ``<style>`` element holding asset ``name``."""
    tag = "script" if ASSETS[name].kind == "js" else "style"
    return f"<{tag} data-asset={name!r}>\n{inline_content(name)}\n</{tag}>"


def link_tag(name: str, base_url: str) -> str:
    """Return a ``<script src>`` or ``<link rel=stylesheet>`` element for asset ``name`` at ``base_url``."""
    url = f"{base_url.rstrip('/')}/{ASSETS[name].url_path}"
    if ASSETS[name].kind == "js":
        return f'<script src="{url}"></script>'
    return f'<link rel="stylesheet" href="{url}"/>'
