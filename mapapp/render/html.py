"""Small helpers that put data into HTML safely: escaping, link checking, swatches."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """Return ``value`` as text with ``& < > " '`` and braces escaped (``None`` gives ``""``).

    Braces too: folium (branca) compiles every rendered script as a Jinja template once more, so a
    ``{{ ... }}`` or ``{% ... %}`` that reached a page unescaped would be run as template code.
    """
    return "" if value is None else html.escape(str(value), quote=True).translate(_BRACES)


def safe_url(url: str) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL, else ``None`` (``javascript:``, data:, ...)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def link(url: str, text: str | None = None) -> str:
    """Return an ``<a>`` to an http(s) ``url`` opening in a new tab, or ``""`` for any other URL."""
    checked = safe_url(url)
    if checked is None:
        return ""
    label = text if text is not None else (urlsplit(checked).hostname or checked)
    return f'<a href="{esc(checked)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>'


def swatch(fill: str, *, css_class: str = "mapapp-swatch", extra_style: str = "") -> str:
    """Return a small coloured box (``fill`` is a CSS background value built by mapapp)."""
    return f'<span class="{css_class}" style="background:{esc(fill)};{esc(extra_style)}"></span>'
