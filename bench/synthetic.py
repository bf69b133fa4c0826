"""Seeded synthetic control coverages of Syria and Iraq at a chosen number of vertices.

Recipe (all in :data:`mapapp.geography.EQUAL_AREA_CRS`, metres):

1. random seed points inside each country of :func:`mapapp.geography.countries`, as many per
   country as its share of the area, and one Voronoi diagram of them all;
2. the cell edges and both country outlines are noded into one line network
   (:func:`shapely.union_all`), densified with :func:`shapely.segmentize` at the spacing that gives
   the wanted vertex count, and polygonised: each shared border is stored once before
   polygonising, so neighbouring cells share exactly the same vertices (a clean coverage);
3. the faces inside a country are the areas (a cell across the border gives two). Factions are
   territorial: a face belongs to the faction of the nearest of a few "front" seeds (8 factions
   over both countries), with a few random enclaves; faces near a front between two factions are
   ``contested``; confidence is per front seed;
4. back to EPSG:4326 (vertex by vertex, so shared vertices stay identical), written as GeoJSON
   with pyogrio at full precision.

The same size and seed always give the same file. Files are cached under ``bench/_out``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyogrio
import shapely

from mapapp.geography import EQUAL_AREA_CRS, countries

RECIPE = 4  # bump when the recipe changes: cached files are rebuilt
FRONT_SEEDS = {
    "SY": ("syrian_government", "syrian_opposition", "turkey_backed", "hts", "sdf", "islamic_state"),
    "IQ": ("iraqi_government", "kurdistan_region", "islamic_state"),
}
CONFIDENCE = ("high", "medium", "low", "approximate")
ENCLAVE_SHARE = 0.02
MIN_FACE_M2 = 1e4
CONTESTED_RATIO = 1.08  # a cell is contested when its 2nd-nearest front seed is this close

GeomArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Size:
    """One synthetic coverage: its name, number of cells and target number of vertices."""

    name: str
    cells: int
    vertices: int


SIZES = (Size("20k", 200, 20_000), Size("200k", 2_000, 200_000), Size("2M", 20_000, 2_000_000))


def _points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    xmin, ymin, xmax, ymax = shapely.bounds(poly)
    shapely.prepare(poly)
    out: list[npt.NDArray[np.float64]] = []
    while sum(len(o) for o in out) < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        out.append(xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])])
    return np.concatenate(out)[:n]


def _voronoi_lines(outlines: GeomArray, counts: list[int], rng: np.random.Generator) -> GeomArray:
    """Return the edges of one Voronoi diagram of seeds drawn in every country (unclipped)."""
    xy = np.concatenate([_points_in(o, n, rng) for o, n in zip(outlines, counts, strict=True)])
    diagram = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=shapely.union_all(outlines))
    return np.asarray(shapely.boundary(shapely.get_parts(diagram)), dtype=object)


def _vertex_count(faces: GeomArray, spacing: float) -> int:
    rings = shapely.get_rings(faces)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    lengths = np.hypot(*(coords[1:] - coords[:-1]).T)[same]
    return int(np.ceil(lengths / spacing).sum() + len(rings))


def _spacing(faces: GeomArray, target: int) -> float:
    """Return the segmentize spacing (m) giving about ``target`` vertices (bisection, log scale)."""
    lo, hi = 1.0, 1e6
    for _ in range(40):
        mid = float(np.sqrt(lo * hi))
        if _vertex_count(faces, mid) > target:
            lo = mid
        else:
            hi = mid
    return hi


def _polygonise(network: shapely.Geometry, outlines: GeomArray) -> tuple[GeomArray, npt.NDArray[np.intp]]:
    """Return the faces of a noded line network that lie in an outline, and that outline's index."""
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(network)))
    faces = faces[shapely.area(faces) >= MIN_FACE_M2]  # slivers where the two outlines differ
    inside = shapely.point_on_surface(faces)
    face_idx, country_idx = shapely.STRtree(outlines).query(inside, predicate="within")
    owner = np.full(len(faces), -1, dtype=np.intp)
    owner[face_idx] = country_idx
    keep = owner >= 0
    return faces[keep], owner[keep]


def _attributes(
    cells: GeomArray, country_of: npt.NDArray[np.intp], rng: np.random.Generator
) -> dict[str, list[object]]:
    centres = shapely.get_coordinates(shapely.point_on_surface(cells))
    codes = list(FRONT_SEEDS)
    faction: list[object] = [None] * len(cells)
    secondary: list[object] = [None] * len(cells)
    status: list[object] = ["control"] * len(cells)
    confidence: list[object] = [None] * len(cells)
    for c, code in enumerate(codes):
        mine = np.flatnonzero(country_of == c)
        names = FRONT_SEEDS[code]
        seeds = centres[rng.choice(mine, size=3 * len(names), replace=False)]
        seed_faction = [names[i % len(names)] for i in range(len(seeds))]
        seed_conf = rng.choice(CONFIDENCE, size=len(seeds), p=(0.4, 0.3, 0.2, 0.1))
        dist = np.hypot(*(centres[mine, None, :] - seeds[None, :, :]).transpose(2, 0, 1))
        order = np.argsort(dist, axis=1)
        for k, cell in enumerate(mine):
            first = int(order[k, 0])
            own = seed_faction[first]
            if rng.random() < ENCLAVE_SHARE:
                own = names[int(rng.integers(len(names)))]
            faction[cell], confidence[cell] = own, str(seed_conf[first])
            other = next(seed_faction[int(j)] for j in order[k] if seed_faction[int(j)] != own)
            near = dist[k, next(j for j in order[k] if seed_faction[int(j)] == other)]
            if near < CONTESTED_RATIO * dist[k, first]:
                status[cell], secondary[cell] = "contested", other
    return {"faction": faction, "secondary": secondary, "status": status, "confidence": confidence}


def build(size: Size, seed: int = 7) -> gpd.GeoDataFrame:
    """Return the synthetic coverage of ``size`` (EPSG:4326, one row per face)."""
    rng = np.random.default_rng(seed)
    frame = countries().to_crs(EQUAL_AREA_CRS)
    outlines = np.asarray(frame.geometry.values, dtype=object)
    shares = shapely.area(outlines) / shapely.area(outlines).sum()
    counts = [max(8, round(size.cells * s)) for s in shares]
    edges = _voronoi_lines(outlines, counts, rng)
    lines = shapely.union_all(np.concatenate([edges, shapely.boundary(outlines)]))
    faces, country_of = _polygonise(lines, outlines)
    spacing = _spacing(faces, size.vertices)
    faces, country_of = _polygonise(shapely.segmentize(lines, spacing), outlines)
    data = _attributes(faces, country_of, rng)
    data["country"] = list(frame["country"].to_numpy()[country_of])
    data["cell"] = list(range(len(faces)))
    out = gpd.GeoDataFrame(data, geometry=faces, crs=EQUAL_AREA_CRS).to_crs("EPSG:4326")
    out.attrs["spacing_m"] = spacing
    return out


def coverage_file(size: Size, out_dir: Path, seed: int = 7) -> Path:
    """Return the GeoJSON file of ``size`` under ``out_dir``, building it if missing."""
    path = out_dir / f"synthetic_{size.name}_s{seed}_r{RECIPE}.geojson"
    info = path.with_suffix(".json")
    if path.exists() and info.exists():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = build(size, seed)
    tmp = path.with_suffix(".tmp.geojson")
    pyogrio.write_dataframe(frame, tmp, driver="GeoJSON")
    tmp.replace(path)
    vertices = int(shapely.get_num_coordinates(np.asarray(frame.geometry.values)).sum())
    meta = {"size": size.name, "seed": seed, "features": len(frame), "vertices": vertices,
            "spacing_m": round(frame.attrs["spacing_m"], 1), "valid": bool(frame.is_valid.all())}  # fmt: skip
    info.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return path


def describe(path: Path) -> dict[str, object]:
    """Return what :func:`coverage_file` recorded about a synthetic file."""
    data: dict[str, object] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return data
