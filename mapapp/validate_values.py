"""Property values of snapshot validation: JSON-safe conversion, and keeping every source column.

Dates become ISO 8601 text, bytes UTF-8 text, decimals and numpy scalars plain numbers, nested
values JSON text. A source column whose name collides with a canonical column (``faction``,
``status``…) is kept as ``source_<name>`` unless its values are identical to the canonical ones.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mapapp.errors import Problem
from mapapp.snapshot import AREA_COLUMNS

SOURCE_PREFIX = "source_"


def is_blank(value: Any) -> bool:
    """Whether a property value is empty: None, NaN, NA, NaT or blank text."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return (isinstance(value, str) and not value.strip()) or value is pd.NA or value is pd.NaT


def keep_extras(
    table: pd.DataFrame, canonical: Mapping[str, list[Any]]
) -> tuple[pd.DataFrame, Problem | None]:
    """Keep every source column, JSON-safe; rename those colliding with canonical names unless identical.

    Returns the extra columns and a warning listing the values converted (None if none were).
    """
    kept: dict[str, pd.Series] = {}
    converted: dict[str, set[str]] = {}
    reserved = {*AREA_COLUMNS, "geometry"}
    for name in table.columns:
        series = table[name]
        target = name
        if name.casefold() in reserved:
            canon = canonical.get(name.casefold())
            if canon is not None and _same(series, canon):
                continue
            target = SOURCE_PREFIX + name
            while target.casefold() in {k.casefold() for k in kept} | reserved:
                target = SOURCE_PREFIX + target
        kept[target], kinds = json_column(series)
        if kinds:
            converted[name] = kinds
    if not converted:
        return pd.DataFrame(kept, index=table.index), None
    listed = "; ".join(f"{c!r}: {', '.join(sorted(k))}" for c, k in converted.items())
    problem = Problem(
        code="converted-values",
        message=f"values that JSON cannot hold were converted to text or numbers ({listed})",
        expected="text, numbers, booleans or empty values",
        found=listed,
        where=f"columns {', '.join(map(repr, converted))}",
        fix="nothing to do; dates are written as ISO 8601 text",
        severity="warning",
        details={"columns": {c: sorted(k) for c, k in converted.items()}},
    )
    return pd.DataFrame(kept, index=table.index), problem


def _same(series: pd.Series, canon: list[Any]) -> bool:
    """Whether a source column holds exactly the canonical values (compared as text)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return False
    table = np.array([*(None if is_blank(u) else str(u) for u in uniques), None], dtype=object)
    return bool((table[codes] == np.array(canon, dtype=object)).all())


def json_column(series: pd.Series) -> tuple[pd.Series, set[str]]:
    """Return ``series`` with JSON-safe values and the kinds of values converted."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return series, set()
    if pd.api.types.is_float_dtype(dtype):
        return series.astype("float64"), set()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _iso_dates(series), {"dates"}
    if isinstance(dtype, pd.StringDtype):
        return series.astype(object).where(series.notna(), None), set()
    kinds: set[str] = set()
    values = [json_value(v, kinds) for v in series]
    return pd.Series(values, index=series.index, dtype=object), kinds


def _iso_dates(series: pd.Series) -> pd.Series:
    """ISO 8601 text of a datetime column: dates only when every value is at midnight."""
    values = pd.to_datetime(series)
    dates_only = bool((values.dropna() == values.dropna().dt.normalize()).all())
    text = [None if pd.isna(v) else (v.date().isoformat() if dates_only else v.isoformat()) for v in values]
    return pd.Series(text, index=series.index, dtype=object)


_CONVERTERS: tuple[tuple[type | tuple[type, ...], str, Callable[[Any], Any]], ...] = (
    ((dt.datetime, dt.date, dt.time, pd.Timestamp), "dates", lambda v: v.isoformat()),
    ((bytes, bytearray, memoryview), "bytes", lambda v: bytes(v).decode("utf-8", errors="replace")),
    (decimal.Decimal, "decimals", lambda v: float(v) if v.is_finite() else None),
    ((dt.timedelta, pd.Timedelta), "durations", str),
    (np.generic, "numpy values", lambda v: json_value(v.item())),
    ((dict, list, tuple, np.ndarray), "nested values", lambda v: json.dumps(_plain(v), ensure_ascii=False)),
)


def json_value(value: Any, kinds: set[str] | None = None) -> Any:
    """Return ``value`` as a JSON-safe scalar (str, int, float, bool or None); note what was converted."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    for types, kind, convert in _CONVERTERS:
        if isinstance(value, types):
            if kinds is not None:
                kinds.add(kind)
            return convert(value)
    if kinds is not None:
        kinds.add("other objects")
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return json_value(value)
