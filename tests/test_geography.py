"""The bundled context layers (Natural Earth, read with pyogrio)."""

from __future__ import annotations

import pyproj
import pytest
import shapely

from mapapp import geography
from mapapp.geography import EQUAL_AREA_CRS, equal_area_km2


def test_countries_are_syria_and_iraq_with_iso2_codes() -> None:
    c = geography.countries()
    assert list(c["adm0_a3"]) == ["SYR", "IRQ"]
    assert list(c["country"]) == ["SY", "IQ"]
    assert c.crs.to_epsg() == 4326
    assert shapely.is_valid(c.geometry.values).all()


@pytest.mark.parametrize(("code", "km2"), [("SY", 185_940), ("IQ", 437_367)])
def test_country_areas_match_natural_earth(code: str, km2: float) -> None:
    c = geography.countries()
    area = equal_area_km2(c.loc[c["country"] == code, "geometry"].values)[0]
    assert area == pytest.approx(km2, rel=0.005)


def test_region_has_the_ten_countries() -> None:
    region = geography.region_countries()
    assert sorted(region["adm0_a3"]) == sorted(
        ["SYR", "IRQ", "TUR", "LBN", "JOR", "ISR", "PSX", "SAU", "IRN", "KWT"]
    )


def test_governorates_carry_names_and_country() -> None:
    g = geography.governorates()
    assert len(g) == 33
    assert g["country"].value_counts().to_dict() == {"IQ": 18, "SY": 15}
    assert {"Raqqa", "Deir ez-Zor", "Nineveh", "Anbar"} <= set(g["name_en"])
    assert set(g.loc[g["country"] == "SY", "adm0_a3"]) == {"SYR"}


def test_governorates_tile_the_countries() -> None:
    g = geography.governorates()
    for code in ("SY", "IQ"):
        c = geography.countries()
        whole = equal_area_km2(c.loc[c["country"] == code, "geometry"].values)[0]
        assert equal_area_km2(g.loc[g["country"] == code, "geometry"].values).sum() == pytest.approx(
            whole, rel=1e-6
        )


def test_physical_layers_and_towns() -> None:
    assert {"Euphrates", "Tigris"} <= set(geography.rivers()["name"])
    assert "Lake Tharthar" in set(geography.lakes()["name_alt"].dropna())
    towns = geography.towns()
    assert {"Baghdad", "Aleppo", "Damascus"} <= set(towns["name"])
    assert set(towns["country"]) == {"SY", "IQ"}
    assert (towns.geom_type == "Point").all()


def test_returned_frames_are_copies_of_the_cache() -> None:
    first = geography.governorates()
    first.loc[0, "name_en"] = "changed"
    del first["country"]
    again = geography.governorates()
    assert "country" in again.columns and again.loc[0, "name_en"] != "changed"
    c = geography.countries()
    c["country"] = "XX"
    assert list(geography.countries()["country"]) == ["SY", "IQ"]


def test_equal_area_crs_is_lambert_azimuthal_centred_on_34n_40e() -> None:
    crs = pyproj.CRS.from_user_input(EQUAL_AREA_CRS)
    op = crs.coordinate_operation
    assert op is not None and op.method_name.startswith("Lambert Azimuthal Equal Area")
    values = {p.name: p.value for p in op.params}
    assert (values["Latitude of natural origin"], values["Longitude of natural origin"]) == (34, 40)


def test_area_measure_does_not_depend_on_vertex_density() -> None:
    # A long straight lon/lat edge and the same edge split into many vertices have the same area.
    coarse = shapely.box(38.0, 32.0, 42.0, 36.0)
    dense = shapely.segmentize(coarse, 0.001)
    a, b = equal_area_km2([coarse, dense])
    assert a == pytest.approx(b, rel=1e-7)
