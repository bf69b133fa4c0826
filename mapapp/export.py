"""``export_html``: a control map as one self-contained HTML file, written atomically.

With ``self_contained=True`` (the default) Leaflet and its plugin are inlined from the pinned npm
files (:mod:`mapapp.assets`); any ``<script src>`` or stylesheet ``<link>`` that still points
elsewhere is replaced by the inline asset of the same file name, or refused. With ``tiles="none"``
the page then makes no request at all: it works from a USB stick or as an e-mail attachment.

An export shows one snapshot, optionally with the change layer against another
(``compare_with``), or several snapshots with a control to switch between them (``timeline``).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

import folium

from mapapp import assets
from mapapp.atomic import write_atomic
from mapapp.compare import compare
from mapapp.errors import ExportError
from mapapp.events import EventSet
from mapapp.render import MapOptions, build_map
from mapapp.render.change import add_change_layer
from mapapp.render.timeline import build_timeline
from mapapp.snapshot import ControlSnapshot

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.I)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.I)


def render_html(
    snapshot: ControlSnapshot,
    events: EventSet | None,
    options: MapOptions,
    *,
    self_contained: bool = True,
    compare_with: ControlSnapshot | None = None,
    timeline: Sequence[ControlSnapshot] | None = None,
) -> str:
    """Return the page of a map as text (see :func:`export_html`)."""
    if self_contained and options.asset_base_url is not None:
        options = dataclasses.replace(options, asset_base_url=None)
    fmap = build_page_map(snapshot, events, options, compare_with=compare_with, timeline=timeline)
    page = str(fmap.get_root().render())
    return inline_external(page) if self_contained else page


def build_page_map(
    snapshot: ControlSnapshot,
    events: EventSet | None,
    options: MapOptions,
    *,
    compare_with: ControlSnapshot | None = None,
    timeline: Sequence[ControlSnapshot] | None = None,
) -> folium.Map:
    """Return the map of an export: one snapshot, with a change layer, or a timeline.

    Raises
    ------
    ExportError
        Both ``compare_with`` and ``timeline`` are given.
    CompareError
        ``compare_with`` cannot be compared with ``snapshot`` (same date, no overlap).
    """
    if compare_with is not None and timeline is not None:
        raise ExportError(
            "an export shows either a change layer (compare_with / --compare) or a timeline "
            "(timeline / --timeline), not both: drop one of them"
        )
    if timeline is not None:
        return build_timeline(timeline, events, options, initial=snapshot.date)
    fmap = build_map(snapshot, events, options)
    if compare_with is not None:
        comparison = compare(compare_with, snapshot)
        add_change_layer(fmap, comparison, options.palette, max_error_m=options.max_error_m)
    return fmap


def inline_external(page: str) -> str:
    """Replace every external script/stylesheet reference by the inline asset of the same file.

    Raises
    ------
    ExportError
        A reference matches none of :data:`mapapp.assets.ASSETS`.
    """
    by_file = {Path(a.path).name: name for name, a in assets.ASSETS.items()}

    def swap(match: re.Match[str]) -> str:
        name = by_file.get(Path(match.group(1).split("?")[0]).name)
        if name is None:
            raise ExportError(
                f"the page references {match.group(1)!r}, which mapapp cannot inline. "
                "Fix: draw the map only with mapapp.render elements (no folium plugin with CDN links)."
            )
        return assets.inline_tag(name)

    page = _SCRIPT_SRC.sub(swap, page)
    return _LINK_HREF.sub(lambda m: swap(m) if "stylesheet" in m.group(0).lower() else m.group(0), page)


def export_html(
    snapshot: ControlSnapshot,
    events: EventSet | None,
    options: MapOptions,
    out: str | os.PathLike[str],
    *,
    self_contained: bool = True,
    compare_with: ControlSnapshot | None = None,
    timeline: Sequence[ControlSnapshot] | None = None,
) -> Path:
    """Render a map and write it to ``out`` atomically (temporary file, then :func:`os.replace`).

    Parameters
    ----------
    snapshot, events, options
        As for :func:`mapapp.render.build_map`; with ``timeline``, ``snapshot`` is the one shown
        on opening and must be one of the timeline's snapshots.
    out
        The HTML file to write; its directory must exist. An existing file is replaced whole, or
        left untouched if anything fails.
    self_contained
        Inline Leaflet and plugins (default). ``False`` keeps ``options.asset_base_url`` links.
    compare_with
        Another snapshot: add the change layer of ``compare(compare_with, snapshot)``, i.e. the
        areas gained from ``compare_with``'s date to the snapshot shown, hatched in the gainer's
        colour (:func:`mapapp.render.change.add_change_layer`).
    timeline
        Several snapshots in one page with a control to switch between them
        (:func:`mapapp.render.timeline.build_timeline`); not together with ``compare_with``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(out)
    if not path.parent.is_dir():
        raise ExportError(
            f"cannot write {str(path)!r}: directory {str(path.parent)!r} does not exist. "
            "Fix: create it or choose another --out."
        )
    page = render_html(
        snapshot, events, options, self_contained=self_contained, compare_with=compare_with, timeline=timeline
    )
    write_atomic(path, page.encode("utf-8"), mode=0o644)  # a map is meant to be shared
    return path
