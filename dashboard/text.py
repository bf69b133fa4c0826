"""Text from data files, made safe for Streamlit markdown (no HTML, no markdown injection)."""

from __future__ import annotations

import html

_MARKDOWN_SPECIALS = "\\*_`[]<>#|~$"


def md(value: object) -> str:
    """Return ``value`` as literal markdown text: HTML-escaped and markdown specials escaped."""
    escaped = html.escape(str(value), quote=False)
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in escaped)


def md_link(label: str, url: str) -> str:
    """Return a markdown link to an http(s) ``url`` (other schemes give the escaped text only)."""
    if not url.lower().startswith(("http://", "https://")):
        return md(url)
    safe = (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
    )
    return f"[{md(label)}]({safe})"
