"""Serve the map's front-end assets from the app itself, never from a CDN.

Streamlit serves the folder ``static/`` next to ``streamlit_app.py`` at ``/app/static/`` when
``server.enableStaticServing`` is on (see ``.streamlit/config.toml``). :func:`sync_vendor` copies
the pinned npm files (Leaflet, leaflet.fullscreen) from ``node_modules/`` into
``static/vendor/``; :func:`localise` rewrites the JS/CSS links of a folium map to those copies
and drops any other outside link, so the map works with no internet at all.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mapapp.assets import ASSETS, NODE_MODULES, asset_path

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STATIC_URL = "/app/static/vendor"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|#|https?:)([^'")?#]+)[^'")]*\1\s*\)""")


def vendor_files(node_modules: Path = NODE_MODULES) -> list[str]:
    """Return the files to serve, as paths below ``node_modules`` (``leaflet/dist/leaflet.js``…).

    Every asset of :data:`mapapp.assets.ASSETS`, plus the image folders its stylesheets refer to.
    """
    names: list[str] = []
    for name, asset in ASSETS.items():
        path = asset_path(name, node_modules)
        names.append(asset.url_path)
        if asset.kind == "css":
            for match in _CSS_URL.finditer(path.read_text(encoding="utf-8")):
                ref = (path.parent / match.group(2)).resolve()
                if not ref.is_file():
                    continue
                # an image folder is served whole: Leaflet's JS picks its marker icons from it
                group = sorted(ref.parent.iterdir()) if ref.parent != path.parent.resolve() else [ref]
                names.extend(f.relative_to(node_modules.resolve()).as_posix() for f in group if f.is_file())
    return list(dict.fromkeys(names))


def sync_vendor(node_modules: Path = NODE_MODULES, target: Path = VENDOR_DIR) -> list[str]:
    """Copy the pinned front-end files into the static folder (only those that differ).

    Parameters
    ----------
    node_modules
        The npm install folder (``make assets`` fills it from ``package-lock.json``).
    target
        The folder Streamlit serves (``static/vendor``).

    Returns
    -------
    list of str
        The files (``package/path``) that were copied.

    Raises
    ------
    ExportError
        A pinned file is missing: run ``make assets``.
    """
    copied = []
    for name in vendor_files(node_modules):
        src, dst = node_modules / name, target / name
        if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".tmp-")
        os.close(fd)
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        copied.append(name)
    return copied


def local_url(url: str) -> str | None:
    """Return the local ``/app/static`` URL serving the same file as ``url``, or ``None``.

    An asset is recognised by its file name (``leaflet.js``, ``Control.FullScreen.css``…).
    """
    if url.startswith(STATIC_URL + "/"):
        return url
    name = url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    for asset in ASSETS.values():
        if asset.path.rsplit("/", 1)[-1] == name:
            return f"{STATIC_URL}/{asset.url_path}"
    return None


def _elements(element: Any) -> Iterator[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def localise(folium_map: Any) -> list[str]:
    """Point every JS/CSS link of ``folium_map`` to the local copies; drop the others.

    Parameters
    ----------
    folium_map
        A ``folium.Map`` (changed in place: instance-level ``default_js``/``default_css``).

    Returns
    -------
    list of str
        The outside URLs that have no local copy and were dropped (for diagnostics).
    """
    dropped: list[str] = []
    for element in _elements(folium_map):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept = []
            for name, url in links:
                local = local_url(str(url))
                if local is None:
                    dropped.append(str(url))
                else:
                    kept.append((name, local))
            setattr(element, attr, kept)
    return dropped
