"""Change between two control snapshots: who gained what, where, and how much.

:func:`compare` overlays the areas of two snapshots in the equal-area projection
(:data:`mapapp.geography.EQUAL_AREA_CRS`) and classifies every piece of the union by the faction
holding it in each snapshot (the ``faction`` column; ``secondary`` and ``status`` are not part of a
transition). Two pseudo-classes keep the accounting complete:

- ``no_data``: the snapshot itself says nothing is known there;
- :data:`NOT_COVERED`: the snapshot has no area there at all (outside its coverage).

Pieces involving either class are reported in :attr:`Comparison.no_data`, never dropped, and they
are part of :attr:`Comparison.matrix`, so the numbers reconcile exactly: for every class,
``km2_b = km2_a + gained - lost`` (see :attr:`Comparison.net`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp.catalog import Catalog, CatalogEntry, parse_date
from mapapp.errors import CatalogError, CompareError
from mapapp.factions import NO_DATA
from mapapp.geography import EQUAL_AREA_CRS, countries
from mapapp.snapshot import CRS, ControlSnapshot

NOT_COVERED = "not_covered"
OTHER_COUNTRY = "other"
UNKNOWN = (NO_DATA, NOT_COVERED)
CHANGE_COLUMNS = ("from_faction", "to_faction", "country", "km2")
Kind = Literal["change", "unchanged", "no_data"]
SLIVER_KM2 = 1e-6
"""Overlay pieces smaller than 1 m² are numerical round-off, not areas (see :attr:`Comparison.sliver_km2`)."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    date_a, date_b
        Dates of the earlier ("from") and later ("to") snapshot, as given.
    changes
        GeoDataFrame (EPSG:4326) of the areas whose faction changed between two known factions:
        ``from_faction``, ``to_faction``, ``country``, ``km2``; one row per connected polygon,
        largest first (totals per transition: :attr:`matrix`).
    no_data
        The same columns for every area that is ``no_data`` or :data:`NOT_COVERED` in either
        snapshot (including unchanged ``no_data``), largest first.
    matrix
        DataFrame ``country, from_faction, to_faction, km2, kind`` over the whole union (the
        diagonal, ``kind == "unchanged"``, included). :meth:`pivot` gives the square table.
    net
        DataFrame indexed by class (factions, then ``no_data`` and :data:`NOT_COVERED`) with
        ``km2_a, km2_b, gained, lost, net, gained_from_unknown, lost_to_unknown``.
    overlap_km2
        Area covered by both snapshots (any class, ``no_data`` included).
    sliver_km2
        Area of round-off slivers (polygons under :data:`SLIVER_KM2`, i.e. 1 m², and what
        repairing them removed): counted in :attr:`matrix` and :attr:`net`, left out of
        :attr:`changes` and :attr:`no_data`.
    """

    date_a: dt.date
    date_b: dt.date
    changes: gpd.GeoDataFrame
    no_data: gpd.GeoDataFrame
    matrix: pd.DataFrame
    net: pd.DataFrame
    overlap_km2: float
    sliver_km2: float = 0.0

    @property
    def changed_km2(self) -> float:
        """Total area that changed hands between two known factions."""
        return float(self.changes["km2"].sum())

    def pivot(self, country: str | None = None) -> pd.DataFrame:
        """Return the transition matrix as a square table (rows: from, columns: to, km²).

        Parameters
        ----------
        country
            ``"SY"``, ``"IQ"`` (or :data:`OTHER_COUNTRY`); ``None`` sums over all countries.
        """
        rows = self.matrix if country is None else self.matrix[self.matrix["country"] == country]
        table = rows.pivot_table(
            index="from_faction", columns="to_faction", values="km2", aggfunc="sum", fill_value=0.0
        )
        classes = _ordered(set(table.index) | set(table.columns))
        return table.reindex(index=classes, columns=classes, fill_value=0.0)


def compare(a: ControlSnapshot, b: ControlSnapshot) -> Comparison:
    """Compare two snapshots: changed areas, transition matrix, net gains per faction.

    Parameters
    ----------
    a
        The "from" snapshot (usually the earlier one).
    b
        The "to" snapshot.

    Returns
    -------
    Comparison
        Every km² of the union of both coverages is accounted for exactly once.

    Raises
    ------
    CompareError
        ``a`` and ``b`` are the same snapshot or share a date, or their areas do not overlap.
    """
    _check_pair(a, b)
    pieces = _overlay(_prepare(a, "from_faction"), _prepare(b, "to_faction"))
    pieces["km2"] = pieces.geometry.area / 1e6
    pieces = pieces[pieces["km2"] > 0]
    known = ~pieces["from_faction"].isin(UNKNOWN) & ~pieces["to_faction"].isin(UNKNOWN)
    overlap = pieces[(pieces["from_faction"] != NOT_COVERED) & (pieces["to_faction"] != NOT_COVERED)]
    overlap_km2 = float(overlap["km2"].sum())
    if overlap_km2 <= 0:
        raise CompareError(
            f"the snapshots of {a.date} and {b.date} do not overlap: expected areas sharing some "
            f"ground, found bounds {_bounds(a)} and {_bounds(b)}. Compare snapshots of the same region."
        )
    matrix = _matrix(pieces)
    changed = known & (pieces["from_faction"] != pieces["to_faction"])
    changes, left_out = _dissolve(pieces[changed])
    no_data, left_out_no_data = _dissolve(pieces[~known])
    return Comparison(
        date_a=a.date,
        date_b=b.date,
        changes=changes,
        no_data=no_data,
        matrix=matrix,
        net=net_table(matrix),
        overlap_km2=overlap_km2,
        sliver_km2=left_out + left_out_no_data,
    )


def compare_dates(catalog: Catalog, date_a: str | dt.date, date_b: str | dt.date) -> Comparison:
    """Compare the catalog's snapshots of two dates (``"latest"`` allowed).

    Parameters
    ----------
    catalog
        The catalog holding both snapshots.
    date_a, date_b
        ``YYYY-MM-DD`` strings or dates: the "from" and the "to" snapshot.

    Raises
    ------
    CompareError
        A date is malformed or not in the catalog (the message lists the available dates), both
        dates are the same, or the snapshots cannot be compared (see :func:`compare`).
    """
    entries = [_entry(catalog, d, which) for d, which in ((date_a, "first"), (date_b, "second"))]
    if entries[0].date == entries[1].date:
        raise CompareError(
            f"both dates are {entries[0].date}: expected two different snapshot dates. "
            f"Available: {_available(catalog)}."
        )
    return compare(catalog.load(entries[0].date), catalog.load(entries[1].date))


def _entry(catalog: Catalog, date: str | dt.date, which: str) -> CatalogEntry:
    if isinstance(date, str) and date != "latest":
        try:
            parse_date(date)
        except CatalogError as exc:
            raise CompareError(
                f"cannot compare: the {which} date {date!r} is not a date: expected YYYY-MM-DD "
                f"(e.g. 2017-01-08) or 'latest'; the catalog has {_available(catalog)}."
            ) from exc
    try:
        return catalog.entry(date)
    except CatalogError as exc:
        raise CompareError(
            f"cannot compare: the {which} date {date!r} is not a snapshot of the catalog "
            f"{catalog.dir}: expected one of {_available(catalog)}. List them with 'mapapp snapshots'."
        ) from exc


def _available(catalog: Catalog) -> str:
    dates = [d.isoformat() for d in catalog.dates()]
    return ", ".join(dates) if dates else "none (the catalog is empty)"


def net_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Return gains, losses and net change per class from a long transition matrix.

    Parameters
    ----------
    matrix
        Rows ``from_faction, to_faction, km2`` (any further columns are ignored).
    """
    moved = matrix[matrix["from_faction"] != matrix["to_faction"]]
    from_unknown = moved[moved["from_faction"].isin(UNKNOWN)]
    to_unknown = moved[moved["to_faction"].isin(UNKNOWN)]
    table = pd.DataFrame(
        {
            "km2_a": matrix.groupby("from_faction")["km2"].sum(),
            "km2_b": matrix.groupby("to_faction")["km2"].sum(),
            "gained": moved.groupby("to_faction")["km2"].sum(),
            "lost": moved.groupby("from_faction")["km2"].sum(),
            "gained_from_unknown": from_unknown.groupby("to_faction")["km2"].sum(),
            "lost_to_unknown": to_unknown.groupby("from_faction")["km2"].sum(),
        }
    ).fillna(0.0)
    table["net"] = table["gained"] - table["lost"]
    table = table.reindex(_ordered(set(table.index)))
    table.index.name = "faction"
    return table[["km2_a", "km2_b", "gained", "lost", "net", "gained_from_unknown", "lost_to_unknown"]]


def kind_of(from_faction: str, to_faction: str) -> Kind:
    """Classify a transition: ``no_data`` if either side is unknown, else change or unchanged."""
    if from_faction in UNKNOWN or to_faction in UNKNOWN:
        return "no_data"
    return "unchanged" if from_faction == to_faction else "change"


def _check_pair(a: ControlSnapshot, b: ControlSnapshot) -> None:
    if a is b:
        raise CompareError(
            f"cannot compare the snapshot of {a.date} with itself: expected two different "
            "snapshots. Pick a second date (list them with 'mapapp snapshots')."
        )
    if a.date == b.date:
        raise CompareError(
            f"both snapshots are dated {a.date} ({a.label!r} and {b.label!r}): expected two "
            "different dates. Pick a second date (list them with 'mapapp snapshots')."
        )
    for snap in (a, b):
        if snap.areas.empty:
            raise CompareError(
                f"the snapshot of {snap.date} ({snap.label!r}) has no areas: expected at least one "
                "polygon. Re-import or re-derive it."
            )


def _prepare(snapshot: ControlSnapshot, column: str) -> gpd.GeoDataFrame:
    """Project a snapshot's areas to the equal-area CRS, keeping faction and country."""
    areas = snapshot.areas
    if areas.crs is None or areas.crs != CRS:
        raise CompareError(
            f"the snapshot of {snapshot.date}: expected areas in {CRS}, found {areas.crs!r}. "
            "Build snapshots through mapapp.validate or mapapp.derive."
        )
    keep = ["faction", "country"] if "country" in areas.columns else ["faction"]
    frame = areas[[*keep, areas.geometry.name]].rename(
        columns={"faction": column, "country": f"country_{column}"}
    )
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    frame = frame.to_crs(EQUAL_AREA_CRS)
    return frame.explode(index_parts=False).reset_index(drop=True)


def _overlay(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Union overlay of both coverages; the side without an area gets :data:`NOT_COVERED`."""
    pieces = gpd.overlay(a, b, how="union", keep_geom_type=True)
    pieces["from_faction"] = pieces["from_faction"].fillna(NOT_COVERED).astype(str)
    pieces["to_faction"] = pieces["to_faction"].fillna(NOT_COVERED).astype(str)
    country = pd.Series(pd.NA, index=pieces.index, dtype="object")
    for col in ("country_from_faction", "country_to_faction"):
        if col in pieces.columns:
            country = country.fillna(pieces[col])
    pieces = pieces[["from_faction", "to_faction", "geometry"]].assign(country=country)
    if pieces["country"].isna().any():
        pieces = _assign_country(pieces)
    return pieces


def _assign_country(pieces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split pieces without a country along the bundled country outlines (Syria, Iraq)."""
    missing = pieces[pieces["country"].isna()].drop(columns="country")
    outlines = countries().to_crs(EQUAL_AREA_CRS)[["country", "geometry"]]
    split = gpd.overlay(missing, outlines, how="identity", keep_geom_type=True)
    split["country"] = split["country"].fillna(OTHER_COUNTRY)
    merged = pd.concat([pieces[pieces["country"].notna()], split], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=EQUAL_AREA_CRS)


def _matrix(pieces: gpd.GeoDataFrame) -> pd.DataFrame:
    keys = ["country", "from_faction", "to_faction"]
    matrix: pd.DataFrame = pieces.groupby(keys, as_index=False)["km2"].sum()
    matrix["kind"] = [
        kind_of(f, t) for f, t in zip(matrix["from_faction"], matrix["to_faction"], strict=True)
    ]
    return matrix.sort_values([*keys]).reset_index(drop=True)


def _dissolve(pieces: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, float]:
    """Return one row per connected polygon of each (from, to, country), largest first, in EPSG:4326.

    Also return the km² left out: polygons under :data:`SLIVER_KM2` and what repairing the
    dissolved geometry (``make_valid``, structure method) removed.
    """
    if pieces.empty:
        empty = gpd.GeoDataFrame({c: [] for c in CHANGE_COLUMNS}, geometry=[], crs=CRS)
        return empty.astype({"km2": float}), 0.0
    keys = ["from_faction", "to_faction", "country"]
    merged = pieces.dissolve(by=keys, as_index=False)
    repaired = shapely.make_valid(
        np.asarray(merged.geometry.values), method="structure", keep_collapsed=False
    )
    merged = merged.set_geometry(repaired).explode(index_parts=False)
    merged = merged[merged.geom_type == "Polygon"]
    merged["km2"] = merged.geometry.area / 1e6
    merged = merged[merged["km2"] >= SLIVER_KM2]
    left_out = max(float(pieces["km2"].sum() - merged["km2"].sum()), 0.0)
    merged = merged.sort_values(["km2", *keys], ascending=[False, True, True, True])
    out = merged[[*CHANGE_COLUMNS, "geometry"]].reset_index(drop=True).to_crs(CRS)
    # a metre-wide sliver may cross itself once in degrees: repair it there too (km² stay as measured)
    invalid = ~out.is_valid
    if invalid.any():
        fixed = shapely.make_valid(np.asarray(out.geometry.values[invalid]), method="structure")
        out.loc[invalid, "geometry"] = fixed
        out = out[out.geom_type.isin(["Polygon", "MultiPolygon"]) & ~out.is_empty].reset_index(drop=True)
    return out, left_out


def _ordered(classes: set[str]) -> list[str]:
    """Sort classes: factions alphabetically, then ``no_data``, then :data:`NOT_COVERED`."""
    return sorted(classes, key=lambda c: (c in UNKNOWN, UNKNOWN.index(c) if c in UNKNOWN else 0, c))


def _bounds(snapshot: ControlSnapshot) -> str:
    minx, miny, maxx, maxy = snapshot.areas.total_bounds
    return f"(lon {minx:.2f}..{maxx:.2f}, lat {miny:.2f}..{maxy:.2f})"
