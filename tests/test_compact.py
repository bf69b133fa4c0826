"""The compact GeoJSON layer: its JavaScript string, its merged payload, and reading it back."""

from __future__ import annotations

import json

import folium
import shapely
from hypothesis import given
from hypothesis import strategies as st

from mapapp import geography
from mapapp.render.basemap import inner_edges, light_coverage
from mapapp.render.compact import (
    CompactGeoJson,
    compact_payload,
    decode_positions,
    encode_positions,
    js_string,
    read_payloads,
)


def square(x: float, y: float) -> dict[str, object]:
    return json.loads(shapely.to_geojson(shapely.box(x, y, x + 1, y + 1)))  # type: ignore[no-any-return]


def feature(geometry: dict[str, object], colour: str, tip: str | None = None) -> dict[str, object]:
    props: dict[str, object] = {"style": {"fillColor": colour, "weight": 1}}
    if tip is not None:
        props["tip"] = tip
    return {"type": "Feature", "geometry": geometry, "properties": props}


def page_of(data: dict[str, object]) -> str:
    fmap = folium.Map(tiles=None)
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
    payload = {"t": text, "features": []}
    page = f"var geo_json_ab_data = mapappDecode(JSON.parse({js_string(json.dumps(payload))}));"
    assert read_payloads(page) == [payload]


@given(
    st.lists(st.tuples(st.integers(-18_000_000, 18_000_000), st.integers(-9_000_000, 9_000_000)), max_size=50)
)
def test_encoded_polylines_read_back_exactly(points: list[tuple[int, int]]) -> None:
    positions = [[lon / 1e5, lat / 1e5] for lon, lat in points]
    text = encode_positions(positions)
    assert all(63 <= ord(c) <= 126 for c in text)
    assert decode_positions(text) == positions


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
    data = {"type": "FeatureCollection", "features": [feature(square(0, 0), "#111", hostile)]}
    page = page_of(data)
    assert "</script><script>alert" not in page
    assert read_payloads(page) == [compact_payload(data)] * 2
    assert page.count("mapappBindTips(geo_json_") == 1  # the second layer has no tooltip
    assert page.count("window.mapappDecode =") == 1  # the page code is there once


def test_governorate_borders_are_drawn_once() -> None:
    coverage = light_coverage(geography.governorates().geometry.values)
    edges = inner_edges(coverage)
    every_boundary = shapely.union_all(shapely.boundary(coverage))
    outline = shapely.boundary(shapely.union_all(coverage))
    # the edges are the shared borders: no part of the outer outline, nothing drawn twice
    assert shapely.length(shapely.intersection(edges, outline)) < 1e-6
    assert abs(shapely.length(edges) - (shapely.length(every_boundary) - shapely.length(outline))) < 1e-6
    assert shapely.length(edges) < 0.6 * shapely.length(shapely.boundary(coverage)).sum()
