"""Label decluttering: the zoom from which each label shows without overprinting another."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from mapapp.render import declutter

_TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_HALF_WORLD_M = 20037508.342789244


def screen_px(lat: np.ndarray, lon: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Leaflet's pixel coordinates at ``zoom``, through pyproj (independent of the module)."""
    x, y = _TO_3857.transform(lon, lat)
    scale = 256 * 2**zoom / (2 * _HALF_WORLD_M)
    return (np.asarray(x) + _HALF_WORLD_M) * scale, (_HALF_WORLD_M - np.asarray(y)) * scale


def overlap(i: int, j: int, x: np.ndarray, y: np.ndarray, boxes: np.ndarray, pad: float) -> bool:
    """Whether the boxes of labels ``i`` and ``j`` come closer than ``pad`` on both axes."""
    a = boxes[i] + [x[i], y[i], x[i], y[i]]
    b = boxes[j] + [x[j], y[j], x[j], y[j]]
    return bool(a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad)


labels = st.lists(
    st.tuples(
        st.floats(29.0, 37.5),  # latitude
        st.floats(35.5, 48.5),  # longitude
        st.floats(10.0, 140.0),  # width of the name
    ),
    min_size=1,
    max_size=14,
)


def placed(items: list[tuple[float, float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Town-like labels (a dot, then a name of the given width) and the zoom each shows from."""
    lat = np.array([i[0] for i in items])
    lon = np.array([i[1] for i in items])
    boxes = np.array([(-4.0, -7.5, 8.0 + i[2], 7.5) for i in items])
    return lat, lon, boxes, declutter.min_zooms(lat, lon, boxes)


@settings(max_examples=60, deadline=None)
@given(labels)
def test_no_two_shown_labels_overprint_at_any_zoom(items: list[tuple[float, float, float]]) -> None:
    lat, lon, boxes, shown = placed(items)
    assert shown[0] == -np.inf  # the most important label always shows
    for zoom in np.arange(0.0, 14.0, 0.25):
        x, y = screen_px(lat, lon, zoom)
        on = [k for k in range(len(items)) if shown[k] <= zoom]
        pairs = [(i, j) for n, i in enumerate(on) for j in on[n + 1 :]]
        # pad - 0.01: the module computes the zoom where the gap is exactly pad
        assert not any(overlap(i, j, x, y, boxes, declutter.PAD_PX - 0.01) for i, j in pairs), zoom


@settings(max_examples=60, deadline=None)
@given(labels)
def test_a_label_waits_no_longer_than_it_must(items: list[tuple[float, float, float]]) -> None:
    lat, lon, boxes, shown = placed(items)
    for j in np.flatnonzero(np.isfinite(shown)):
        just_before = shown[j] - 0.01
        x, y = screen_px(lat, lon, just_before)
        # at a slightly smaller zoom a more important label already shown would be overprinted
        assert any(
            shown[i] <= just_before and overlap(i, j, x, y, boxes, declutter.PAD_PX) for i in range(j)
        ), (j, shown)


def test_labels_far_apart_wait_less_than_close_ones() -> None:
    boxes = np.array([(-4.0, -7.5, 60.0, 7.5)] * 3)
    lat, lon = np.array([33.3, 36.2, 33.35]), np.array([44.4, 37.2, 44.45])  # Baghdad, Aleppo, near Baghdad
    shown = declutter.min_zooms(lat, lon, boxes)
    assert shown[0] == -np.inf and shown[1] < 3.0  # 800 km apart: shown below any zoom of our maps
    assert shown[2] == pytest.approx(8.66, abs=0.05)  # 0.05° south of Baghdad: 17 px apart at zoom 8.66


def test_text_width_adds_the_widths_of_the_characters() -> None:
    assert declutter.text_width_px("Al Kut") == pytest.approx(
        sum(declutter.text_width_px(c) for c in "Al Kut")
    )
    assert declutter.text_width_px("ab", size_px=22) == pytest.approx(2 * declutter.text_width_px("ab"))
    assert declutter.text_width_px("é") == declutter.WIDE_CHAR_PX  # outside the table: the widest
    assert declutter.text_width_px("m") > declutter.text_width_px("i")


def test_mismatched_inputs_are_refused_with_what_was_given() -> None:
    with pytest.raises(ValueError, match=r"2 latitudes, 2 longitudes and boxes of shape \(3, 4\)"):
        declutter.min_zooms([33.0, 34.0], [40.0, 41.0], np.zeros((3, 4)))
