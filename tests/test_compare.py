from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from browser_support import screen_point
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from mapapp.compare import NOT_COVERED, OTHER_COUNTRY, compare
from mapapp.errors import CompareError
from mapapp.geography import EQUAL_AREA_CRS
from mapapp.snapshot import ControlSnapshot

FACTIONS = ("sdf", "islamic_state", "syrian_government", "no_data")


def snap(
    date: str, rows: list[tuple[str, tuple[float, float, float, float]]], country: str = "SY"
) -> ControlSnapshot:
    areas = gpd.GeoDataFrame(
        {
            "faction": [f for f, _ in rows],
            "secondary": [None] * len(rows),
            "status": ["control"] * len(rows),
            "confidence": ["medium"] * len(rows),
            "note": [None] * len(rows),
            "country": [country] * len(rows),
        },
        # densified so that edges shared in lon/lat stay shared once projected
        geometry=[shapely.segmentize(box(*b), 0.05) for _, b in rows],
        crs="EPSG:4326",
    )
    return ControlSnapshot(
        date=dt.date.fromisoformat(date),
        label=f"test {date}",
        source="unit test",
        licence="CC0",
        confidence="medium",
        areas=areas,
    )


def km2_by_faction(s: ControlSnapshot) -> dict[str, float]:
    projected = s.areas.to_crs(EQUAL_AREA_CRS)
    return (projected.geometry.area / 1e6).groupby(projected["faction"]).sum().to_dict()


A = snap("2017-01-08", [("sdf", (39, 35, 40, 36)), ("islamic_state", (40, 35, 41, 36))])
B = snap(
    "2018-02-07",
    [
        ("sdf", (39, 35, 40.5, 36)),
        ("syrian_government", (40.5, 35, 41, 35.5)),
        ("no_data", (40.5, 35.5, 41, 36)),
    ],
)


def test_changes_name_gainer_loser_country_and_area() -> None:
    result = compare(A, B)
    got = {(r.from_faction, r.to_faction, r.country): r.km2 for r in result.changes.itertuples()}
    assert set(got) == {("islamic_state", "sdf", "SY"), ("islamic_state", "syrian_government", "SY")}
    # half a degree of longitude by one degree of latitude near 35.5° N is roughly 45 km x 111 km
    assert 4000 < got[("islamic_state", "sdf", "SY")] < 5600
    assert result.changes.crs == "EPSG:4326"
    assert list(result.changes["km2"]) == sorted(result.changes["km2"], reverse=True)


def test_no_data_is_reported_separately_not_dropped() -> None:
    result = compare(A, B)
    assert set(result.no_data["to_faction"]) == {"no_data"}
    assert set(result.no_data["from_faction"]) == {"islamic_state"}
    assert "no_data" not in set(result.changes["to_faction"])
    assert result.net.loc["islamic_state", "lost_to_unknown"] == pytest.approx(
        result.no_data["km2"].sum(), rel=1e-9
    )


def test_unchanged_ground_is_on_the_diagonal_of_the_matrix() -> None:
    result = compare(A, B)
    table = result.pivot("SY")
    assert table.loc["sdf", "sdf"] == pytest.approx(km2_by_faction(A)["sdf"], rel=1e-9)
    assert table.loc["sdf", "islamic_state"] == 0
    assert table.loc["islamic_state"].sum() == pytest.approx(km2_by_faction(A)["islamic_state"], rel=1e-9)


def test_reconciliation_against_independent_areas() -> None:
    result = compare(A, B)
    area_a, area_b = km2_by_faction(A), km2_by_faction(B)
    for faction in set(area_a) | set(area_b):
        row = result.net.loc[faction]
        assert area_a.get(faction, 0.0) + row["gained"] - row["lost"] == pytest.approx(
            area_b.get(faction, 0.0), rel=1e-9, abs=1e-6
        )


def test_area_outside_one_coverage_is_not_covered_and_reconciles() -> None:
    wider = snap("2018-02-07", [("sdf", (39, 35, 41, 36)), ("islamic_state", (41, 35, 42, 36))])
    result = compare(A, wider)
    assert result.net.loc[NOT_COVERED, "km2_a"] > 0
    assert result.net.loc["islamic_state", "gained_from_unknown"] == pytest.approx(
        result.net.loc[NOT_COVERED, "km2_a"], rel=1e-9
    )
    assert result.overlap_km2 == pytest.approx(sum(km2_by_faction(A).values()), rel=1e-9)


def test_per_country_matrix_keeps_countries_apart() -> None:
    iq_a = snap("2017-01-08", [("islamic_state", (42, 35, 43, 36))], country="IQ")
    iq_b = snap("2018-02-07", [("iraqi_government", (42, 35, 43, 36))], country="IQ")
    both_a = ControlSnapshot(A.date, "a", "t", "CC0", "medium", gpd.pd.concat([A.areas, iq_a.areas]))
    both_b = ControlSnapshot(B.date, "b", "t", "CC0", "medium", gpd.pd.concat([B.areas, iq_b.areas]))
    result = compare(both_a, both_b)
    assert result.pivot("IQ").loc["islamic_state", "iraqi_government"] > 0
    assert "iraqi_government" not in result.pivot("SY").columns
    assert result.pivot().loc["islamic_state"].sum() == pytest.approx(
        result.pivot("SY").loc["islamic_state"].sum() + result.pivot("IQ").loc["islamic_state"].sum()
    )


def test_same_snapshot_is_refused() -> None:
    with pytest.raises(CompareError, match="with itself"):
        compare(A, A)


def test_same_date_is_refused() -> None:
    with pytest.raises(CompareError, match=r"both snapshots are dated 2017-01-08.*different dates"):
        compare(A, snap("2017-01-08", [("sdf", (39, 35, 40, 36))]))


def test_disjoint_snapshots_are_refused_with_their_bounds() -> None:
    far = snap("2018-02-07", [("sdf", (44, 30, 45, 31))])
    with pytest.raises(CompareError, match=r"do not overlap.*lon 44\.00\.\.45\.00"):
        compare(A, far)


cells = st.lists(st.sampled_from(FACTIONS), min_size=6, max_size=6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells_a=cells, cells_b=cells, shift=st.floats(0.05, 0.45))
def test_reconciliation_holds_for_any_pair_of_grids(
    cells_a: list[str], cells_b: list[str], shift: float
) -> None:
    grid_a = [(f, (39 + i % 3, 35 + i // 3, 40 + i % 3, 36 + i // 3)) for i, f in enumerate(cells_a)]
    grid_b = [
        (f, (39 + shift + i % 3, 35 + i // 3, 40 + shift + i % 3, 36 + i // 3)) for i, f in enumerate(cells_b)
    ]
    a, b = snap("2017-01-08", grid_a), snap("2018-02-07", grid_b)
    result = compare(a, b)
    area_a, area_b = km2_by_faction(a), km2_by_faction(b)
    for faction in set(area_a) | set(area_b):
        row = result.net.loc[faction]
        assert row["km2_a"] == pytest.approx(area_a.get(faction, 0.0), rel=1e-9, abs=1e-6)
        assert row["km2_a"] + row["gained"] - row["lost"] == pytest.approx(row["km2_b"], rel=1e-12, abs=1e-6)
        assert row["km2_b"] == pytest.approx(area_b.get(faction, 0.0), rel=1e-9, abs=1e-6)
    assert result.matrix["km2"].sum() == pytest.approx(
        sum(area_a.values()) + result.net.loc[NOT_COVERED, "km2_a"]
    )


def test_snapshots_without_country_are_split_along_the_bundled_borders() -> None:
    # a band across the Syria-Iraq border near Abu Kamal (border at about 41° E there)
    a = snap("2017-01-08", [("islamic_state", (40.5, 34.2, 41.5, 34.6))])
    b = snap(
        "2018-02-07",
        [("syrian_government", (40.5, 34.2, 41.0, 34.6)), ("iraqi_government", (41.0, 34.2, 41.5, 34.6))],
    )
    a, b = (dataclasses.replace(s, areas=s.areas.drop(columns="country")) for s in (a, b))
    result = compare(a, b)
    by_country = result.matrix.groupby("country")["km2"].sum()
    assert {"SY", "IQ"} <= set(by_country.index)
    assert by_country.sum() == pytest.approx(sum(km2_by_faction(a).values()), rel=1e-9)
    assert set(result.matrix["country"]) <= {"SY", "IQ", OTHER_COUNTRY}
    assert result.pivot("SY").loc["islamic_state", "syrian_government"] > 0


# -- the change layer on a folium map --------------------------------------------------------------


def test_change_layer_draws_each_gain_hatched_in_the_gainers_colour() -> None:
    import folium

    from mapapp.factions import registry
    from mapapp.render.change import HatchPatterns, add_change_layer
    from mapapp.render.compact import read_payloads

    fmap = folium.Map(location=[35.5, 40], zoom_start=7)
    group = add_change_layer(fmap, compare(A, B), palette="colorblind")
    layers = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 2  # IS -> SDF and IS -> government; the no-data area is not a gain
    page = re.sub(r"_[0-9a-f]{32}", "_ID", fmap.get_root().render())
    styles = [s for payload in read_payloads(page) for s in payload["styles"]]
    assert {"url(#mapapp-gain-colorblind-sdf)", "url(#mapapp-gain-colorblind-syrian_government)"} <= {
        s["fillColor"] for s in styles
    }
    (patterns,) = [c for c in fmap._children.values() if isinstance(c, HatchPatterns)]
    sdf = registry().colour("sdf", "colorblind")
    assert '<pattern id="mapapp-gain-colorblind-sdf"' in patterns.svg
    assert f'stroke="{sdf}"' in patterns.svg
    assert "\\u003cpattern id=" in page  # the SVG reaches the page as an escaped JS string
    assert "from Islamic State to Syrian Democratic Forces (SDF), " in page
    assert group.layer_name == "Gains 2017-01-08 \u2192 2018-02-07"


def test_change_tooltips_are_escaped_and_slivers_are_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    import folium

    from mapapp.factions import registry
    from mapapp.render import change

    reg = registry()
    hostile = dataclasses.replace(reg.factions["islamic_state"], label="<b>Daesh & co</b>")
    fake = dataclasses.replace(reg, factions={**reg.factions, "islamic_state": hostile})
    monkeypatch.setattr(change, "registry", lambda: fake)
    result = compare(A, B)
    fmap = folium.Map()
    group = change.add_change_layer(fmap, result, min_km2=result.changes["km2"].min() + 1)
    tips = [f["properties"]["tip"] for layer in group._children.values() for f in layer.data["features"]]
    assert len(tips) == 1  # the smaller of the two changed polygons is below min_km2
    assert tips[0].startswith("from &lt;b&gt;Daesh &amp; co&lt;/b&gt; to ")
    assert "<b>Daesh" not in fmap.get_root().render()


# -- the bundled snapshots -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> dict[str, ControlSnapshot]:
    from mapapp.catalog import Catalog
    from mapapp.paths import bundled_data_dir

    catalog = Catalog(bundled_data_dir())
    return {d.isoformat(): catalog.load(d) for d in catalog.dates()}


def test_bundled_comparison_reconciles_with_each_snapshots_own_areas(
    bundled: dict[str, ControlSnapshot],
) -> None:
    a, b = bundled["2017-01-08"], bundled["2018-02-07"]
    result = compare(a, b)
    area_a, area_b = km2_by_faction(a), km2_by_faction(b)
    for faction in set(area_a) | set(area_b):
        row = result.net.loc[faction]
        # the overlay itself may lose a few hundred m² to slivers out of 10⁵ km²
        assert row["km2_a"] == pytest.approx(area_a.get(faction, 0.0), rel=1e-5, abs=0.5)
        assert row["km2_b"] == pytest.approx(area_b.get(faction, 0.0), rel=1e-5, abs=0.5)
        assert row["km2_a"] + row["gained"] - row["lost"] == pytest.approx(row["km2_b"], rel=1e-12, abs=1e-6)
    assert result.net.loc["islamic_state", "net"] < 0 < result.net.loc["syrian_government", "net"]
    assert (result.changes["from_faction"] != result.changes["to_faction"]).all()
    assert set(result.matrix["country"]) <= {"SY", "IQ"}
    # changes are connected polygons whose areas add up to the matrix's transitions
    assert set(result.changes.geom_type) == {"Polygon"}
    assert result.changes.is_valid.all() and result.no_data.is_valid.all()
    assert result.sliver_km2 < 1e-3
    keys = ["country", "from_faction", "to_faction"]
    by_polygon = result.changes.groupby(keys)["km2"].sum()
    by_matrix = result.matrix[result.matrix["kind"] == "change"].set_index(keys)["km2"]
    assert by_polygon.sort_index().to_numpy() == pytest.approx(by_matrix.sort_index().to_numpy(), rel=1e-6)


def test_bundled_net_change_composes_over_three_dates(bundled: dict[str, ControlSnapshot]) -> None:
    first, mid, last = (bundled[d] for d in ("2017-01-08", "2017-08-01", "2018-02-07"))
    direct = compare(first, last).net["net"]
    stepwise = compare(first, mid).net["net"].add(compare(mid, last).net["net"], fill_value=0.0)
    for faction in set(direct.index) - {NOT_COVERED}:
        assert direct[faction] == pytest.approx(stepwise.get(faction, 0.0), rel=1e-5, abs=1.0)


@pytest.mark.browser
def test_change_layer_renders_hatched_gains_in_a_real_browser(
    browser_page: Any, bundled: dict[str, ControlSnapshot], tmp_path: Path
) -> None:
    from mapapp.export import inline_external
    from mapapp.render import MapOptions, build_map
    from mapapp.render.change import add_change_layer, pattern_id

    before, after = bundled["2017-08-01"], bundled["2018-02-07"]
    result = compare(before, after)
    fmap = build_map(after, None, MapOptions(events="none"))
    add_change_layer(fmap, result)
    page = tmp_path / "change.html"
    page.write_text(inline_external(fmap.get_root().render()), encoding="utf-8")
    browser_page.goto(page.as_uri())
    browser_page.wait_for_selector("path.mapapp-gain")
    fills = browser_page.eval_on_selector_all(
        "path.mapapp-gain", "els => els.map(e => e.getAttribute('fill'))"
    )
    drawn = result.changes[result.changes["km2"] >= 1.0]
    gainers = set(drawn["to_faction"])
    assert sorted(fills) == sorted(f"url(#{pattern_id(g)})" for g in gainers)  # one path per gainer
    for pid in {f[5:-1] for f in fills}:  # url(#id) -> id
        assert browser_page.locator(f"pattern#{pid}").count() == 1, pid
    assert browser_page.locator("path.mapapp-gain-syrian_government").count() >= 1
    assert browser_page.locator("path.mapapp-gain").count() == sum(
        browser_page.locator(f"path.mapapp-gain-{f}").count() for f in gainers
    )
    # hover inside the largest government gain (its merged path's box centre may fall between parts)
    gained = drawn[drawn["to_faction"] == "syrian_government"]
    inside = gained.geometry.iloc[int(gained["km2"].to_numpy().argmax())].representative_point()
    x, y = screen_point(browser_page, inside.y, inside.x)
    browser_page.mouse.move(x, y)
    browser_page.mouse.move(x + 1, y)
    tip = browser_page.locator(".leaflet-tooltip").inner_text()
    assert re.fullmatch(r"from .+ to Syrian government and allies, [\d,]+ km²", tip.strip())
    hovered = browser_page.evaluate(
        "() => [...document.querySelectorAll('path.mapapp-gain:hover')]"
        ".map(p => getComputedStyle(p).strokeWidth)"
    )
    assert hovered == ["3px"]  # the hovered gainer's outline thickens (CSS), the others do not
    toggle = browser_page.locator(
        ".leaflet-control-layers-overlays label", has_text="Gains 2017-08-01 → 2018-02-07"
    )
    toggle.locator("input").dispatch_event("click")  # the control may be collapsed
    assert browser_page.locator("path.mapapp-gain").count() == 0
    assert browser_page.locator(".mapapp-change-legend li[data-gainer]").count() >= 1
    assert browser_page.blocked == []


def test_change_legend_lists_each_gainer_with_its_km2() -> None:
    import folium

    from mapapp.render.change import add_change_layer
    from mapapp.render.elements import HtmlControl

    result = compare(A, B)
    fmap = folium.Map()
    add_change_layer(fmap, result)
    (legend,) = [c for c in fmap._children.values() if isinstance(c, HtmlControl)]
    assert legend.position == "bottomleft"
    assert "Gained 2017-01-08 → 2018-02-07 (hatched)" in legend.html
    gained = result.net.loc["sdf", "gained"]
    assert '<li data-gainer="sdf">' in legend.html
    assert f"Syrian Democratic Forces (SDF): {gained:,.0f} km²" in legend.html
    assert "no_data" not in legend.html
