"""Credit lines of a map, kept in one place (switch to :mod:`mapapp.sources` once it is available).

Each credit is ``(text, url)``; :func:`attribution_html` turns them into escaped HTML links.
"""

from __future__ import annotations

from collections.abc import Iterable

from mapapp.render.html import esc, link

BASE_CREDITS: tuple[tuple[str, str], ...] = (
    ("Borders, rivers, lakes, towns: Natural Earth (public domain)", "https://www.naturalearthdata.com/"),
)
PLACES_CREDIT = ("Places: GeoNames, geonames.org (CC BY 4.0)", "https://www.geonames.org/")
WIKIPEDIA_CREDIT = (
    "Control points: Wikipedia contributors, Syrian Civil War / Iraqi insurgency detailed maps "
    "(CC BY-SA 3.0)",
    "https://en.wikipedia.org/wiki/Module:Syrian_Civil_War_detailed_map",
)
BORDER_POLICY = (
    "Borders are Natural Earth's de facto lines: the Golan Heights are drawn on Israel's side and "
    "the UNDOF zone as its own unit. This is not an endorsement of any claim."
)


def snapshot_credits(source: str, licence: str) -> list[tuple[str, str]]:
    """Return the credits a snapshot needs: the base data, and GeoNames/Wikipedia if it uses them."""
    text = f"{source} {licence}".casefold()
    credits = list(BASE_CREDITS)
    if "geonames" in text or "curated" in text:
        credits.append(PLACES_CREDIT)
    if "wikipedia" in text or "cc by-sa" in text:
        credits.append(WIKIPEDIA_CREDIT)
    return credits


def attribution_html(credits: Iterable[tuple[str, str]]) -> list[str]:
    """Return one escaped HTML item per credit, linked when the URL is http(s)."""
    return [link(url, text) or esc(text) for text, url in credits]
