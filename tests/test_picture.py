"""Pictures: geometry as SVG path data in Web Mercator units, and the page code that draws it."""

from __future__ import annotations

import re

import folium
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from mapapp.render.elements import CanvasRenderers
from mapapp.render.picture import MAX_LATITUDE, UNIT_DEG, Frame, PathPicture, mercator_deg

FRAME = Frame((30.0, 25.0, 52.0, 41.5))


def read_back(d: str, frame: Frame) -> list[np.ndarray]:
    """Parse path data back to longitude/latitude rings and lines, independently of ``Frame.read_path``."""
    west, _, _, north = frame.box
    top = mercator_deg(np.array([north]))[0]
    out = []
    for piece in re.findall(r"M[^M]*", d):
        start, moves = piece[1:].rstrip("z").split("l")
        first = np.array([int(v) for v in start.split()])
        steps = np.array([int(v) for v in moves.split()], dtype=np.int64).reshape(-1, 2)
        units = np.vstack([first, first + np.cumsum(steps, axis=0)])
        lon = west + units[:, 0] * frame.unit
        lat = np.degrees(2 * np.arctan(np.exp(np.radians(top - units[:, 1] * frame.unit))) - np.pi / 2)
        out.append(np.column_stack([lon, lat]))
    return out


def test_mercator_northing_matches_leaflets_projection() -> None:
    # Leaflet's EPSG:3857 y = R * ln(tan(pi/4 + lat/2)); in degrees that is R = 180 / pi.
    lat = np.array([0.0, 25.0, 33.3, 41.5])
    expected = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
    assert np.allclose(mercator_deg(lat), expected)
    assert mercator_deg(np.array([41.5]))[0] > 41.5 + 4  # stretched northwards, not linear


def test_polygons_with_holes_and_lines_read_back_within_one_unit() -> None:
    ring = [(36.0, 33.0), (40.0, 33.0), (40.0, 37.0), (36.0, 37.0), (36.0, 33.0)]
    hole = [(37.0, 34.0), (38.0, 34.0), (38.0, 35.0), (37.0, 34.0)]
    polygon = shapely.Polygon(ring, [hole])
    line = shapely.LineString([(44.123456, 30.5), (45.0, 31.987654), (46.5, 31.0)])
    d = FRAME.path_data(shapely.GeometryCollection([polygon, line]))
    assert d.count("M") == 3 and d.count("z") == 2  # two rings closed, the line left open
    parts = read_back(d, FRAME)
    expected = [np.array(ring), np.array(hole), shapely.get_coordinates(line)]
    for got, want in zip(parts, expected, strict=True):
        assert got.shape == want.shape
        assert np.abs(got - want).max() < UNIT_DEG  # about 11 m


def test_a_frame_around_bounds_is_whole_degrees_within_mercators_limits() -> None:
    assert Frame.around((35.2, 32.7, 42.1, 37.3)).box == (35.0, 32.0, 43.0, 38.0)
    assert Frame.around((40.0, 30.0, 40.0, 30.0)).box == (40.0, 30.0, 41.0, 31.0)  # a point: never empty
    assert Frame.around((0.0, -89.5, 1.0, 89.5)).box == (0.0, -MAX_LATITUDE, 1.0, MAX_LATITUDE)
    assert Frame.around((np.nan,) * 4).width == 10_000  # nothing to draw: a 1° box
    fine = Frame.around((35.2, 32.7, 42.1, 37.3), unit=1e-5)
    assert fine.width == 800_000 and fine.bounds == [[32.0, 35.0], [38.0, 43.0]]
    # beyond the limit, points are drawn on it (Leaflet clamps them too), not lost or made infinite
    (line,) = fine.read_path(
        Frame.around((0, 80, 1, 90), 1e-5).path_data(shapely.LineString([(0, 80), (1, 90)]))
    )
    assert np.isfinite(line).all()


def test_vertices_merged_by_rounding_are_dropped_and_empty_geometry_draws_nothing() -> None:
    line = shapely.LineString([(40.0, 35.0), (40.00001, 35.00001), (41.0, 35.0)])
    d = FRAME.path_data(line)
    assert " 0 0" not in d and len(read_back(d, FRAME)[0]) == 2
    assert FRAME.path_data(None) == "" and FRAME.path_data(shapely.Point()) == ""


@given(
    st.lists(st.tuples(st.floats(30.0, 52.0), st.floats(25.0, 41.5)), min_size=2, max_size=30, unique=True)
)
def test_any_line_in_the_box_reads_back_within_one_unit(points: list[tuple[float, float]]) -> None:
    line = shapely.LineString(points)
    d = FRAME.path_data(line)
    assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]*)+", d)
    got = read_back(d, FRAME)[0]
    assert np.array_equal(FRAME.read_path(d)[0], got)
    # every vertex read back is within a unit of one of the line's vertices
    distance = np.abs(got[:, None, :] - np.array(points)[None, :, :]).max(axis=2).min(axis=1)
    assert distance.max() < UNIT_DEG


def test_a_page_of_pictures_carries_the_drawing_code_once_and_only_digits_of_data() -> None:
    fmap = folium.Map(tiles=None)
    canvas = CanvasRenderers(("p",))
    fmap.add_child(canvas)
    area = shapely.box(36, 33, 40, 37)
    fill = {"fill": True, "fillColor": "#abcdef"}
    PathPicture(FRAME.path_data(area), FRAME, fill, canvas.renderer("p")).add_to(fmap)
    PathPicture(
        FRAME.path_data(shapely.boundary(area)), FRAME, {"color": "#123456"}, canvas.renderer("p")
    ).add_to(fmap)
    page = fmap.get_root().render()
    assert page.count("window.mapappPicture = ") == 1
    data = re.findall(r'mapappPicture\("([^"]*)"', page)
    assert len(data) == 2 and all(re.fullmatch(r"[-\d Mlz]+", d) for d in data)
    assert page.count('"fill": true') == 1 and '"fillColor": "#abcdef"' in page
    assert f'"renderer": {canvas.get_name()}["p"]' in page


def test_a_picture_asks_for_a_renderer_that_exists() -> None:
    with pytest.raises(ValueError, match="no canvas renderer for pane 'q'"):
        CanvasRenderers(("p",)).renderer("q")


def test_the_base_map_is_prepared_once_and_no_caller_can_change_it() -> None:
    from mapapp.render.basemap import base_drawing

    drawing = base_drawing()
    assert base_drawing() is drawing  # reused by every map built afterwards
    assert set(drawing) == {"focus", "neighbours", "governorates", "borders", "rivers", "lakes"}
    assert all(d.startswith("M") for d in drawing.values())
    with pytest.raises(TypeError):
        drawing["focus"] = ""  # type: ignore[index]
