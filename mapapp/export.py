"""``export_html``: a control map as one self-contained HTML file, written atomically.

With ``self_contained=True`` (the default) Leaflet and its plugin are inlined from the pinned npm
files (:mod:`mapapp.assets`); any ``<script src>`` or stylesheet ``<link>`` that still points
elsewhere is replaced by the inline asset of the same file name, or refused. With ``tiles="none"``
the page then makes no request at all: it works from a USB stick or as an e-mail attachment.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

from mapapp import assets
from mapapp.errors import ExportError
from mapapp.events import EventSet
from mapapp.render import MapOptions, build_map
from mapapp.snapshot import ControlSnapshot

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.I)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.I)


def render_html(
    snapshot: ControlSnapshot, events: EventSet | None, options: MapOptions, *, self_contained: bool = True
) -> str:
    """Return the page of a map as text (see :func:`export_html`)."""
    if self_contained and options.asset_base_url is not None:
        options = dataclasses.replace(options, asset_base_url=None)
    page = str(build_map(snapshot, events, options).get_root().render())
    return inline_external(page) if self_contained else page


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
) -> Path:
    """Render a map and write it to ``out`` atomically (temporary file, then :func:`os.replace`).

    Parameters
    ----------
    snapshot, events, options
        As for :func:`mapapp.render.build_map`.
    out
        The HTML file to write; its directory must exist. An existing file is replaced whole, or
        left untouched if anything fails.
    self_contained
        Inline Leaflet and plugins (default). ``False`` keeps ``options.asset_base_url`` links.

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
    page = render_html(snapshot, events, options, self_contained=self_contained)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a map is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
