"""Credit lines of a map, from :mod:`mapapp.sources` (``geodata/sources.toml``) as escaped HTML.

The snapshot's own long source text is shown in the areas' popup; the attribution line carries
the credits of the files the snapshot was derived from, of the base map and of the events. A
snapshot whose provenance names no shipped file keeps its own credit, shortened.
"""

from __future__ import annotations

from mapapp import sources
from mapapp.render.html import esc, link
from mapapp.snapshot import ControlSnapshot

BORDER_POLICY = (
    "Borders are Natural Earth's de facto lines: the Golan Heights are drawn on Israel's side and "
    "the UNDOF zone as its own unit. This is not an endorsement of any claim."
)
MAX_OWN_CREDIT = 140


def map_credits(snapshot: ControlSnapshot, with_events: bool) -> list[sources.Credit]:
    """Return the credits a map of ``snapshot`` shows (areas' inputs, base map, events if drawn)."""
    credits = sources.snapshot_credits(snapshot)
    own, rest = credits[0], credits[1:]
    derived = any(c.key not in _base_keys() for c in rest)
    if not derived:
        text = own.text if len(own.text) <= MAX_OWN_CREDIT else own.text[: MAX_OWN_CREDIT - 1] + "…"
        rest = [sources.Credit(own.key, text, own.url, own.licence), *rest]
    if with_events:
        rest += sources.credits_for(["events"])
    return rest


def _base_keys() -> set[str]:
    return {c.key for c in sources.base_map_credits()}


def attribution_html(credits: list[sources.Credit]) -> list[str]:
    """Return one escaped HTML item per credit, linked when its URL is http(s)."""
    return [link(c.url, c.text) or esc(c.text) for c in credits]


def snapshot_credits(source: str, licence: str) -> list[tuple[str, str]]:
    """Return ``(text, url)`` credit pairs from a snapshot's source and licence text.

    Kept for callers that hold no :class:`ControlSnapshot` (the dashboard's credits box): the
    areas' own line, then the base map's credits. Prefer :func:`map_credits`.
    """
    own = (f"Control areas: {source} ({licence})", "")
    return [own, *((c.text, c.url) for c in sources.base_map_credits())]
