"""Rebuild the three bundled control snapshots in ``geodata/snapshots/`` from the point files.

Run from anywhere with the project's environment::

    .venv/bin/python scripts/build_snapshots.py           # rebuild; files change only if content does
    .venv/bin/python scripts/build_snapshots.py --check   # exit 1 if the committed files are stale

The snapshots are derived with :func:`mapapp.derive.derive_snapshot` (per-country Voronoi, no
``max_distance_km``: the published area shares of the METHOD files are made without it, and the
deserts are too sparsely observed for a moderate limit: 50 km would turn 19 % (2017-01-08,
Wikipedia) to 23 % (2018-02-07, curated) of Iraq into ``no_data``, 100 km still 3-8 %) into a
fresh temporary catalog through :meth:`mapapp.catalog.Catalog.add`, so the manifest has no
backups and the bytes depend only on the inputs. Only then are the files compared with the
committed ones and, where they differ, copied over (stale files are removed). A rebuild with
unchanged inputs therefore leaves ``geodata/snapshots/`` byte for byte as it was.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mapapp.catalog import Catalog
from mapapp.derive import derive_snapshot
from mapapp.paths import bundled_data_dir, snapshots_dir
from mapapp.points import Observations, read_points
from mapapp.snapshot import ControlSnapshot

CC_BY_SA = "CC BY-SA 3.0"
WIKIPEDIA_CREDIT = (
    'Wikipedia contributors, "Module:Syrian Civil War detailed map" and "Module:Iraqi insurgency '
    'detailed map" (CC BY-SA 3.0)'
)
MAX_DISTANCE_KM = None  # see the module docstring


@dataclass(frozen=True)
class Spec:
    """One bundled snapshot: its date, metadata and how to read its points."""

    date: str
    label: str
    source: str
    licence: str
    files: tuple[str, ...]
    read: Callable[[Path], Observations]


def _control(name: str) -> Path:
    return bundled_data_dir() / "control" / name


def _rolled_back(_: Path) -> Observations:
    return read_points(_control("wikipedia_points_2017-01-08.csv"), date="2017-01-08")


def _august(_: Path) -> Observations:
    parts = [
        read_points(_control(f"wikipedia_{name}_points_2017-08.csv"), date="2017-08-01", country=code)
        for name, code in (("syria", "SY"), ("iraq", "IQ"))
    ]
    return Observations.concat(parts)


def _curated(_: Path) -> Observations:
    return read_points(_control("curated_points_2017-01-08_2018-02-07.csv"), date="2018-02-07")


SPECS = (
    Spec(
        date="2017-01-08",
        label="Syria and Iraq, 8 January 2017 (Wikipedia map data rolled back)",
        source=f"{WIKIPEDIA_CREDIT}, revision of about 1 Aug 2017, rolled back to 8 January 2017 by "
        "32 dated, sourced rules (geodata/control/rollback_METHOD.md); areas: per-country Voronoi "
        "tessellation of the 7,615 points. An approximation; confidence per point.",
        licence=CC_BY_SA,
        files=("control/wikipedia_points_2017-01-08.csv",),
        read=_rolled_back,
    ),
    Spec(
        date="2017-08-01",
        label="Syria and Iraq, about 1 August 2017 (Wikipedia map data)",
        source=f"{WIKIPEDIA_CREDIT}, module revision between 10 Jul and 12 Aug 2017 (dated 1 Aug "
        "2017 here); areas: per-country Voronoi tessellation of the 7,615 control marks.",
        licence=CC_BY_SA,
        files=("control/wikipedia_syria_points_2017-08.csv", "control/wikipedia_iraq_points_2017-08.csv"),
        read=_august,
    ),
    Spec(
        date="2018-02-07",
        label="Syria and Iraq, 7 February 2018 (day of the Khasham clash)",
        source="Curated point labels compiled for this project from public reporting; an "
        "approximation, not an authoritative dataset (geodata/control/curated_points_METHOD.md). "
        "Place coordinates: GeoNames (CC BY 4.0); Iraqi anchor coordinates: Wikipedia contributors, "
        '"Module:Iraqi insurgency detailed map" (CC BY-SA 3.0); areas: per-country Voronoi tessellation.',
        licence="CC BY-SA 3.0 (some Iraqi anchor coordinates come from Wikipedia; place positions "
        "GeoNames, CC BY 4.0)",
        files=("control/curated_points_2017-01-08_2018-02-07.csv",),
        read=_curated,
    ),
)


def build(spec: Spec) -> ControlSnapshot:
    """Derive the snapshot of one spec from its bundled point files."""
    points = spec.read(bundled_data_dir())
    return derive_snapshot(
        points,
        date=spec.date,
        label=spec.label,
        source=spec.source,
        licence=spec.licence,
        confidence="approximate",
        max_distance_km=MAX_DISTANCE_KM,
        source_file=[f"geodata/{f}" for f in spec.files],
    )


def build_catalog(root: Path) -> list[Path]:
    """Build every bundled snapshot into the (empty) catalog ``root``; return its files."""
    catalog = Catalog(root)
    for spec in SPECS:
        print(f"deriving {spec.date} from {', '.join(spec.files)}", file=sys.stderr)
        catalog.add(build(spec), replace=True)
    return sorted(p for p in catalog.dir.iterdir() if p.is_file() and not p.name.startswith("."))


def sync(built: list[Path], target: Path) -> list[str]:
    """Make ``target`` hold exactly the ``built`` files; return the names that changed."""
    target.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in built}
    changed = [
        p.name
        for p in built
        if not (target / p.name).exists() or not filecmp.cmp(p, target / p.name, shallow=False)
    ]
    stale = [
        p.name for p in target.iterdir() if p.is_file() and not p.name.startswith(".") and p.name not in names
    ]
    for p in built:  # data files first, the manifest last: it is the commit point
        if p.name in changed and p.name != "manifest.json":
            shutil.copyfile(p, target / p.name)
    if "manifest.json" in changed:
        shutil.copyfile(next(p for p in built if p.name == "manifest.json"), target / "manifest.json")
    for name in stale:
        (target / name).unlink()
    return changed + stale


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or with ``--check`` only compare) the bundled snapshots; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are stale")
    args = parser.parse_args(argv)
    target = snapshots_dir(bundled_data_dir())
    with tempfile.TemporaryDirectory(prefix="mapapp-snapshots-") as tmp:
        built = build_catalog(Path(tmp))
        if args.check:
            differ = [
                p.name
                for p in built
                if not (target / p.name).exists() or not filecmp.cmp(p, target / p.name, shallow=False)
            ]
            print("stale: " + ", ".join(differ) if differ else "up to date")
            return 1 if differ else 0
        changed = sync(built, target)
    print("changed: " + ", ".join(changed) if changed else "unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
