"""Deterministic GeoJSON serialisation of a control snapshot (RFC 7946, WGS84 lon/lat).

One feature per line so that diffs of committed snapshots stay readable; coordinates rounded to
``precision`` decimals (6 decimals is about 0.1 m). The same snapshot always gives the same bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any

import shapely

from mapapp.snapshot import ControlSnapshot


def _round(coords: Any, ndigits: int) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), ndigits) for c in coords[:2]]
        return [_round(c, ndigits) for c in coords]
    return coords


def json_safe(value: Any) -> Any:
    """Return ``value`` as something :func:`json.dumps` accepts (NaN becomes ``None``)."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "item"):
        return json_safe(value.item())
    return str(value)


def snapshot_features(snapshot: ControlSnapshot, precision: int = 6) -> list[dict[str, Any]]:
    """Return the snapshot's areas as GeoJSON feature dictionaries.

    Parameters
    ----------
    snapshot
        The snapshot to serialise.
    precision
        Decimal places kept in coordinates.
    """
    frame = snapshot.areas
    props = [c for c in frame.columns if c != frame.geometry.name]
    features = []
    records = frame[props].to_dict(orient="records")
    for geom, rec in zip(frame.geometry.values, records, strict=True):
        mapping = json.loads(shapely.to_geojson(geom))
        mapping["coordinates"] = _round(mapping["coordinates"], precision)
        features.append(
            {
                "type": "Feature",
                "properties": {k: json_safe(v) for k, v in rec.items()},
                "geometry": mapping,
            }
        )
    return features


def snapshot_to_geojson(snapshot: ControlSnapshot, precision: int = 6) -> bytes:
    """Serialise a snapshot to deterministic GeoJSON bytes (UTF-8).

    Parameters
    ----------
    snapshot
        The snapshot to serialise.
    precision
        Decimal places kept in coordinates.

    Returns
    -------
    bytes
        A FeatureCollection, one feature per line, with a ``mapapp`` foreign member carrying the
        snapshot's metadata (date, label, source, licence, confidence).
    """
    meta = {
        k: json_safe(v) if not isinstance(v, (dict, list)) else v
        for k, v in snapshot.metadata().items()
        if k not in ("areas", "factions")
    }
    head = json.dumps({"type": "FeatureCollection", "mapapp": meta}, ensure_ascii=False)
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":"))
        for f in snapshot_features(snapshot, precision)
    ]
    body = head[:-1] + ',\n"features": [\n' + ",\n".join(lines) + "\n]}\n"
    return body.encode("utf-8")
