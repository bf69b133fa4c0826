"""Zoom levels from which point labels can show without overprinting each other.

Labels keep their size on screen while the distance between their places doubles with each zoom
level, so two labels stop overlapping at a zoom that can be computed once, in Python: the page only
compares the map's zoom with each label's threshold. Labels come in priority order (the most
important first); a label waits for every more important label it would overprint, and once
shown stays shown at every larger zoom.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mapapp.render.picture import MAX_LATITUDE, mercator_deg

TILE_PX = 256.0
"""Leaflet's world width in pixels at zoom 0 (Web Mercator)."""
PAD_PX = 2.0
"""Free pixels kept between two labels' boxes."""

WIDE_CHAR_PX = 11.0
"""Width allowed for a character outside printable ASCII (the widest ASCII one, ``@``, is 11)."""
_ASCII_PX = (
    3.5, 4.4, 5.1, 9.2, 7, 10.5, 8.6, 3, 4.3, 4.3, 5.5, 9.2, 3.5, 4, 3.5, 3.7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 3.7, 3.7, 9.2, 9.2, 9.2, 5.8, 11, 7.5, 7.5, 7.7, 8.5, 7, 6.3, 8.5, 8.3, 3.2, 3.2,
    7.2, 6.1, 9.5, 8.2, 8.7, 6.6, 8.7, 7.6, 7, 6.7, 8.1, 7.5, 10.9, 7.5, 6.7, 7.5, 4.3, 3.7, 4.3,
    9.2, 5.5, 5.5, 6.7, 7, 6, 7, 6.8, 3.9, 7, 7, 3.1, 3.1, 6.4, 3.1, 10.7, 7, 6.7, 7, 7, 4.5, 5.7,
    4.3, 7, 6.5, 9, 6.5, 6.5, 5.8, 7, 3.7, 7, 9.2,
)  # fmt: skip
"""Advance widths (px) of the printable ASCII characters, space to ``~``, in DejaVu Sans at 11 px,
measured in Chromium with ``CanvasRenderingContext2D.measureText``. DejaVu Sans is what the maps'
font list resolves to on Debian, and one of the widest sans-serif fonts: where the list resolves to
another system font, names take less room than this table allows."""


def text_width_px(text: str, size_px: float = 11.0) -> float:
    """Return the width of ``text`` in DejaVu Sans at ``size_px`` (from :data:`_ASCII_PX`)."""
    widths = (_ASCII_PX[ord(c) - 32] if 32 <= ord(c) < 127 else WIDE_CHAR_PX for c in text)
    return float(sum(widths)) * size_px / 11.0


def world_px(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return Web Mercator pixel coordinates at zoom 0 (as Leaflet projects them)."""
    x = TILE_PX * (np.asarray(lon, dtype=float) + 180.0) / 360.0
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LATITUDE, MAX_LATITUDE)
    y = TILE_PX * (0.5 - mercator_deg(lat) / 360.0)
    return x, y


def min_zooms(
    lat: Sequence[float], lon: Sequence[float], boxes: np.ndarray, pad: float = PAD_PX
) -> np.ndarray:
    """Return for each label the smallest zoom at which it overprints no label shown before it.

    Parameters
    ----------
    lat, lon
        Places of the labels in degrees, most important first.
    boxes
        ``(n, 4)`` array of each label's box on screen in pixels relative to its place:
        left, top, right, bottom (left < right, top < bottom; y grows downwards).
    pad
        Pixels kept free between two boxes.

    Returns
    -------
    numpy.ndarray
        ``-inf`` for labels that never wait (the first one, and any label clear of all others).
        A label is delayed by a more important one only if that one shows before the two
        come apart.
    """
    box = np.asarray(boxes, dtype=float)
    if box.ndim != 2 or box.shape[1] != 4 or len(box) != len(lat) or len(lat) != len(lon):
        raise ValueError(
            f"expected n places and an (n, 4) array of boxes; got {len(lat)} latitudes, "
            f"{len(lon)} longitudes and boxes of shape {box.shape}"
        )
    x, y = world_px(np.asarray(lat), np.asarray(lon))
    shown = np.full(len(box), -np.inf)
    for j in range(1, len(box)):
        for i in range(j):
            apart = _apart_zoom(x[j] - x[i], y[j] - y[i], box[i], box[j], pad)
            if shown[i] < apart:  # i is on the map before the two come apart
                shown[j] = max(shown[j], apart)
    return shown


def _apart_zoom(dx: float, dy: float, first: np.ndarray, second: np.ndarray, pad: float) -> float:
    """Return the zoom from which ``second`` (offset by dx, dy at zoom 0) clears ``first``."""
    left, top, right, bottom = 0, 1, 2, 3

    def need(d: float, low: int, high: int) -> float:
        # pixels of offset needed along one axis for the boxes to be apart on it
        if d > 0:
            gap = first[high] - second[low] + pad
        elif d < 0:
            gap = second[high] - first[low] + pad
        else:
            return np.inf
        return float(np.log2(gap / abs(d))) if gap > 0 else -np.inf

    return min(need(dx, left, right), need(dy, top, bottom))
