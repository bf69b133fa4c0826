"""The compact area layer: its JavaScript string, its merged payload as path data, and reading it back."""

from __future__ import annotations

import json

import folium
import shapely
from hypothesis import given
from hypothesis import strategies as st

from mapapp import geography
from mapapp.render.basemap import inner_edges, light_coverage
from mapapp.render.compact import (
    AREA_UNIT_DEG,
    CompactGeoJson,
    compact_payload,
    js_string,
    picture_payload,
    read_payloads,
)
from mapapp.render.elements import CanvasRenderers
from mapapp.render.picture import Frame, PathPicture


def square(x: float, y: float) -> dict[str, object]:
    return json.loads(shapely.to_geojson(shapely.box(x, y, x + 1, y + 1)))  # type: ignore[no-any-return]


def feature(geometry: dict[str, object], colour: str, tip: str | None = None) -> dict[str, object]:
    props: dict[str, object] = {"style": {"fillColor": colour, "weight": 1}}
    if tip is not None:
        props["tip"] = tip
    return {"type": "Feature", "geometry": geometry, "properties": props}


def page_of(data: dict[str, object], with_picture: bool = False) -> str:
    fmap = folium.Map(tiles=None)
    if with_picture:
        canvas = CanvasRenderers(("p",))
        fmap.add_child(canvas)
        fmap.add_child(PathPicture("M0 0l1 1", Frame((30, 25, 52, 41.5)), {}, canvas.renderer("p")))
    CompactGeoJson(data, tooltip_class="tip").add_to(fmap)
    CompactGeoJson(data).add_to(fmap)
    return str(fmap.get_root().render())


@given(st.text())
def test_js_string_is_inert_in_a_script_and_reads_back(text: str) -> None:
    literal = js_string(text)
    body = literal[1:-1]
    assert (
        "'" not in body
        and "<" not in body
        and "{" not in body
        and "\u2028" not in body
        and "\u2029" not in body
    )
    frame = {"box": [0, 0, 1, 1], "unit": AREA_UNIT_DEG, "width": 100_000}
    payload = {"t": text, "frame": frame, "features": []}
    page = f"var geo_json_ab = mapappAreas(JSON.parse({js_string(json.dumps(payload))}), {{}});"
    assert read_payloads(page) == [payload]


def close_to(got: object, want: object, tolerance: float) -> bool:
    """Whether two nested coordinate lists have the same shape and values within ``tolerance``."""
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(close_to(g, w, tolerance) for g, w in zip(got, want, strict=True))
        )
    return abs(float(got) - float(want)) <= tolerance  # type: ignore[arg-type]


def same_payload(got: dict[str, object], want: dict[str, object]) -> bool:
    """Whether a payload read back from a page is ``want`` (coordinates within half a unit)."""
    got_features, want_features = got["features"], want["features"]
    assert isinstance(got_features, list) and isinstance(want_features, list)
    return (
        got["styles"] == want["styles"]
        and [f["properties"] for f in got_features] == [f["properties"] for f in want_features]
        and all(
            g["geometry"]["type"] == w["geometry"]["type"]
            and close_to(g["geometry"]["coordinates"], w["geometry"]["coordinates"], AREA_UNIT_DEG / 2)
            for g, w in zip(got_features, want_features, strict=True)
        )
    )


@given(
    st.lists(
        st.tuples(st.floats(-179.0, 179.0), st.floats(-80.0, 80.0), st.floats(0.001, 1.0)),
        min_size=1,
        max_size=8,
    )
)
def test_any_squares_and_lines_read_back_within_half_a_unit(boxes: list[tuple[float, float, float]]) -> None:
    features = []
    for x, y, size in boxes:
        features.append(feature(json.loads(shapely.to_geojson(shapely.box(x, y, x + size, y + size))), "#1"))
        line = shapely.LineString([(x, y), (x + size, y + size / 3)])
        features.append(feature(json.loads(shapely.to_geojson(line)), "#2"))
    data = {"type": "FeatureCollection", "features": features}
    want = compact_payload(data)
    payload = picture_payload(want)
    west, south, east, north = payload["frame"]["box"]
    xs = [x for x, _, size in boxes] + [x + size for x, _, size in boxes]
    ys = [y for _, y, size in boxes] + [y + size for _, y, size in boxes]
    assert west <= min(xs) and east >= max(xs) and south <= min(ys) and north >= max(ys)
    assert all(v == int(v) for v in (west, south, east, north))  # whole degrees
    page = f"x = mapappAreas(JSON.parse({js_string(json.dumps(payload))}), {{}});"
    assert same_payload(read_payloads(page)[0], want)


def test_path_data_of_each_part_is_separate_so_each_part_can_be_hit_alone() -> None:
    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 1)]])
    multi = json.loads(shapely.to_geojson(shapely.MultiPolygon([holed, shapely.box(6, 6, 7, 7)])))
    data = {
        "type": "FeatureCollection",
        "features": [feature(multi, "#111", "a"), feature(square(9, 9), "#111")],
    }
    (merged,) = picture_payload(compact_payload(data))["features"]
    first, second, third = merged["geometry"]["d"]
    assert first.count("M") == 2 and first.count("z") == 2  # the outer ring and its hole, together
    assert second.count("M") == third.count("M") == 1
    assert merged["properties"]["tips"] == ["a", "a", None]


def test_features_drawn_alike_are_merged_with_a_tip_per_part() -> None:
    multi = json.loads(
        shapely.to_geojson(shapely.MultiPolygon([shapely.box(5, 5, 6, 6), shapely.box(7, 7, 8, 8)]))
    )
    data = {
        "type": "FeatureCollection",
        "features": [
            feature(square(0, 0), "#111", "a"),
            feature(square(2, 0), "#222", "b"),
            feature(multi, "#111", "c"),
            feature(square(4, 0), "#111", "d"),
        ],
    }
    payload = compact_payload(data)
    assert payload["styles"] == [{"fillColor": "#111", "weight": 1}, {"fillColor": "#222", "weight": 1}]
    first, second = payload["features"]
    assert first["properties"] == {"s": 0, "tips": ["a", "c", "c", "d"]}
    assert first["geometry"]["type"] == "MultiPolygon" and len(first["geometry"]["coordinates"]) == 4
    assert first["geometry"]["coordinates"][1] == multi["coordinates"][0]
    assert second["properties"] == {"s": 1, "tips": ["b"]}


def test_lines_without_tips_merge_without_tips() -> None:
    line = json.loads(shapely.to_geojson(shapely.LineString([(0, 0), (1, 1)])))
    data = {"type": "FeatureCollection", "features": [feature(line, "#333"), feature(line, "#333")]}
    (merged,) = compact_payload(data)["features"]
    assert merged["properties"] == {"s": 0}
    assert merged["geometry"]["type"] == "MultiLineString"


def test_the_page_payload_reads_back_and_hostile_tips_stay_data() -> None:
    hostile = "</script><script>alert(1)</script>' \\ \u2028"
    data = {"type": "FeatureCollection", "features": [feature(square(30, 30), "#111", hostile)]}
    for with_picture in (False, True):
        page = page_of(data, with_picture)
        assert "</script><script>alert" not in page
        payloads = read_payloads(page)
        assert len(payloads) == 2 and all(same_payload(p, compact_payload(data)) for p in payloads)
        assert payloads[0]["features"][0]["properties"]["tips"] == [hostile]
        assert page.count("mapappBindTips(geo_json_") == 1  # the second layer has no tooltip
        # the page code is there once, whether a picture came first or not
        assert page.count("window.mapappAreas =") == 1 and page.count("window.mapappPicture =") == 1


def test_governorate_borders_are_drawn_once() -> None:
    coverage = light_coverage(geography.governorates().geometry.values)
    edges = inner_edges(coverage)
    every_boundary = shapely.union_all(shapely.boundary(coverage))
    outline = shapely.boundary(shapely.union_all(coverage))
    # the edges are the shared borders: no part of the outer outline, nothing drawn twice
    assert shapely.length(shapely.intersection(edges, outline)) < 1e-6
    assert abs(shapely.length(edges) - (shapely.length(every_boundary) - shapely.length(outline))) < 1e-6
    assert shapely.length(edges) < 0.6 * shapely.length(shapely.boundary(coverage)).sum()
