"""Attribute rules of snapshot validation: faction, status, secondary, confidence, note, extras.

Values are resolved once per distinct value (not per feature): first through the caller's explicit
mapping, then through the faction registry's aliases (case-, accent- and punctuation-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mapapp.errors import Problem
from mapapp.factions import NO_DATA, normalise_name, registry
from mapapp.snapshot import AREA_COLUMNS
from mapapp.validate_geometry import Locate
from mapapp.validate_values import is_blank, json_value, keep_extras

FACTION_FIELDS = ("faction", "controller", "control", "group", "layer", "owner", "side")
STATUS_FIELDS = ("status", "control_status", "state")
SECONDARY_FIELDS = ("secondary", "secondary_faction", "second_faction")
CONFIDENCE_FIELDS = ("confidence", "certainty", "reliability")
NOTE_FIELDS = ("note", "notes", "comment", "comments", "remark", "remarks")


@dataclass
class Columns:
    """The canonical attribute columns (by position) and the kept extra columns."""

    canonical: dict[str, list[Any]]
    extras: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


def find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    """Return the first column matching one of ``candidates`` (case-insensitive), in candidate order."""
    lower: dict[str, str] = {}
    for c in columns:
        lower.setdefault(c.casefold(), c)
    return next((lower[c] for c in candidates if c in lower), None)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,")


def _map_lookup(value: str, faction_map: Mapping[str, str]) -> str | None:
    """Return the key of ``faction_map`` that matches ``value`` (exactly, else normalised), or None."""
    if value in faction_map:
        return value
    key = normalise_name(value)
    return next((k for k in faction_map if normalise_name(k) == key), None)


def check_faction_map(faction_map: Mapping[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """Resolve the targets of an explicit mapping to registry ids; report unknown targets."""
    reg = registry()
    resolved: dict[str, str] = {}
    problems = []
    for key, target in faction_map.items():
        fid = reg.resolve(target)
        if fid is None:
            problems.append(
                Problem(
                    code="bad-faction-map",
                    message=f"the mapping {key!r}={target!r} names an unknown faction",
                    expected=f"a faction id: {', '.join([*reg.ids, NO_DATA])}",
                    found=repr(target),
                    where="--map-factions / faction_map",
                    fix=f"use one of the ids above, e.g. {key}={(reg.closest(target) or [NO_DATA])[0]}",
                )
            )
        else:
            resolved[str(key)] = fid
    return resolved, problems


def _resolve_values(
    text: list[str | None], column: str, faction_map: Mapping[str, str], locate: Locate
) -> tuple[list[str | None], list[Problem], set[str]]:
    """Resolve faction names (as text); return ids by position (None where empty), problems, used keys."""
    reg = registry()
    lookup: dict[str, str | None] = {}
    used: set[str] = set()
    for value in dict.fromkeys(t for t in text if t is not None):
        key = _map_lookup(value, faction_map)
        if key is not None:
            used.add(key)
        lookup[value] = faction_map[key] if key is not None else reg.resolve(value)
    resolved = [None if v is None else lookup[v] for v in text]
    problems = []
    for value, fid in lookup.items():
        if fid is None:
            problems.append(_unknown(value, column, _positions(text, value), locate))
    return resolved, problems, used


def _unknown(value: str, column: str, pos: np.ndarray[Any, Any], locate: Locate) -> Problem:
    reg = registry()
    closest = reg.closest(value)
    status = reg.resolve_status(value)
    target = closest[0] if closest else "<faction id>"
    if status is not None:
        hint = (
            f"{value!r} is a status, not a faction: put the faction holding the area in {column!r}, "
            f"'{status}' in a 'status' column and the other side in 'secondary'; or map it: "
        )
    else:
        hint = "map it to a known faction: "
    return Problem(
        code="unknown-faction",
        message=f"unknown faction {value!r} in column {column!r} ({len(pos)} feature(s))",
        expected="a faction id or a name the registry knows (geodata/factions.toml)",
        found=f"{value!r} × {len(pos)}",
        where=f"column {column!r}, {locate(pos)}",
        fix=f'{hint}--map-factions "{_escape(value)}={target}"'
        + (f" (closest known: {', '.join(closest)})" if closest else f" (known ids: {', '.join(reg.ids)})"),
        details={
            "value": value,
            "count": len(pos),
            "closest": closest,
            "column": column,
            "features": pos.tolist(),
        },
    )


def _texts(values: pd.Series, fold: bool = False) -> list[str | None]:
    """Return each value as stripped text (casefolded if ``fold``), None where empty.

    Each distinct value is converted once (:func:`pandas.factorize`), so a column of 200,000
    features with a handful of faction names costs a handful of conversions.
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, dicts): convert one by one
        return [_text(v, fold) for v in values]
    table = np.array([*(_text(u, fold) for u in uniques), None], dtype=object)
    return list(table[codes])  # code -1 (missing) picks the trailing None


def _text(value: Any, fold: bool) -> str | None:
    if is_blank(value):
        return None
    text = str(json_value(value)).strip()
    return text.casefold() if fold else text


def _positions(texts: list[str | None], value: str) -> np.ndarray[Any, Any]:
    return np.array([i for i, t in enumerate(texts) if t == value], dtype=np.intp)


def faction_column(table: pd.DataFrame, faction_field: str | None) -> tuple[str | None, Problem | None]:
    """Choose the faction column: the one named, else the first common name found.

    When none is found, the problem suggests the column whose values the registry knows best.
    """
    columns = [str(c) for c in table.columns]
    if faction_field is not None:
        found = find_column(columns, [faction_field.casefold()])
        if found is not None:
            return found, None
        message, expected = (
            f"the faction column {faction_field!r} does not exist",
            f"a column named {faction_field!r}",
        )
    else:
        found = find_column(columns, FACTION_FIELDS)
        if found is not None:
            return found, None
        message = "no faction column found"
        expected = f"a column named one of {', '.join(FACTION_FIELDS)} (any case), or one named explicitly"
    fix = "name the column that holds the faction with --faction-field COLUMN (faction_field=)"
    guess = _likely_faction_column(table)
    if guess is not None:
        column, known, distinct = guess
        fix = f"--faction-field {column!r}: {known} of its {distinct} distinct values are known faction names"
    return None, Problem(
        code="no-faction-column",
        message=message,
        expected=expected,
        found=f"columns {columns!r}",
        where="the attribute table",
        fix=fix,
        details={"columns": columns, "suggested": guess[0] if guess else None},
    )


def _likely_faction_column(table: pd.DataFrame) -> tuple[str, int, int] | None:
    """Return (column, known values, distinct values) of the column most values of which are factions."""
    reg = registry()
    best: tuple[str, int, int] | None = None
    for name in table.columns:
        values = {t for t in _texts(table[name]) if t is not None}
        known = sum(reg.resolve(v) is not None for v in values)
        if known and (best is None or known / len(values) > best[1] / best[2]):
            best = (str(name), known, len(values))
    return best


def check_columns(
    frame: pd.DataFrame,
    *,
    faction_field: str | None,
    faction_map: Mapping[str, str],
    default_confidence: str,
    locate: Locate,
) -> Columns:
    """Build the canonical columns of a raw attribute table, collecting every problem."""
    names = [str(c) for c in frame.columns]
    table = frame.set_axis(names, axis=1)
    out = Columns(canonical={c: [None] * len(table) for c in AREA_COLUMNS}, extras=pd.DataFrame())
    fmap, map_problems = check_faction_map(faction_map)
    out.problems.extend(map_problems)
    fcol, problem = faction_column(table, faction_field)
    used: set[str] = set()
    if problem is not None:
        out.problems.append(problem)
    else:
        assert fcol is not None
        out.provenance["faction_field"] = fcol
        texts = _texts(table[fcol])
        ids, probs, used = _resolve_values(texts, fcol, fmap, locate)
        out.canonical["faction"] = ids
        out.problems.extend(probs)
        blank = np.array([t is None for t in texts], dtype=bool)
        if blank.any():
            out.problems.append(_missing_faction(fcol, np.flatnonzero(blank).astype(np.intp), locate))
    _status_secondary(table, names, fmap, out, used, locate)
    _confidence_note(table, names, default_confidence, out, locate)
    unused = sorted(set(fmap) - used)
    if unused and fcol is not None:
        out.problems.append(_unused_mapping(unused, fcol))
    out.provenance["faction_map"] = {k: v for k, v in fmap.items() if k in used}
    out.extras, converted = keep_extras(table, out.canonical)
    if converted is not None:
        out.problems.append(converted)
    return out


def _missing_faction(column: str, pos: np.ndarray[Any, Any], locate: Locate) -> Problem:
    return Problem(
        code="missing-faction",
        message=f"{len(pos)} feature(s) have no faction in column {column!r}",
        expected="a faction for every area ('no_data' where nobody is known to hold it)",
        found="an empty value",
        where=f"column {column!r}, {locate(pos)}",
        fix="fill in the faction of these areas (or 'no_data'), or delete them",
        details={"features": pos.tolist()},
    )


def _unused_mapping(keys: list[str], column: str) -> Problem:
    return Problem(
        code="unused-faction-map",
        message=f"the mapping of {', '.join(map(repr, keys))} was not used",
        expected=f"names that occur in column {column!r}",
        found=f"{len(keys)} unused name(s)",
        where="--map-factions / faction_map",
        fix="check the spelling against the values of the column (matching ignores case and accents)",
        severity="warning",
        details={"unused": keys},
    )


def _status_secondary(
    table: pd.DataFrame,
    names: list[str],
    fmap: Mapping[str, str],
    out: Columns,
    used: set[str],
    locate: Locate,
) -> None:
    statuses = _statuses(table, names, out, locate)
    secondary: list[str | None] = [None] * len(table)
    ccol = find_column(names, SECONDARY_FIELDS)
    if ccol is not None:
        secondary, probs, used_here = _resolve_values(_texts(table[ccol]), ccol, fmap, locate)
        used |= used_here
        out.problems.extend(probs)
    shared = np.array([s in ("contested", "mixed") for s in statuses], dtype=bool)
    has_secondary = np.array([s is not None for s in secondary], dtype=bool)
    lonely = np.flatnonzero(shared & ~has_secondary).astype(np.intp)
    if len(lonely):
        out.problems.append(_secondary_problem(lonely, missing=True, locate=locate))
    dropped = np.flatnonzero(~shared & has_secondary).astype(np.intp)
    if len(dropped):
        out.problems.append(_secondary_problem(dropped, missing=False, locate=locate))
    out.canonical["status"] = statuses
    out.canonical["secondary"] = [s if shared[i] else None for i, s in enumerate(secondary)]


def _statuses(table: pd.DataFrame, names: list[str], out: Columns, locate: Locate) -> list[str]:
    """Resolve the status column (``control`` where absent or empty); report unknown values."""
    reg = registry()
    scol = find_column(names, STATUS_FIELDS)
    if scol is None:
        return ["control"] * len(table)
    raw = _texts(table[scol])
    lookup = {v: reg.resolve_status(v) for v in raw if v is not None}
    for value, status in lookup.items():
        if status is None:
            pos = _positions(raw, value)
            out.problems.append(_bad_value("unknown-status", value, scol, pos, list(reg.statuses), locate))
    return [(lookup[v] or "control") if v is not None else "control" for v in raw]


def _secondary_problem(pos: np.ndarray[Any, Any], *, missing: bool, locate: Locate) -> Problem:
    if missing:
        return Problem(
            code="missing-secondary",
            message=f"{len(pos)} contested or mixed area(s) do not name the other faction",
            expected="a 'secondary' column naming the second faction of contested/mixed areas",
            found="status contested/mixed without a secondary faction",
            where=locate(pos),
            fix="add a 'secondary' column with the other side, or set the status to 'control'",
            details={"features": pos.tolist()},
        )
    return Problem(
        code="secondary-ignored",
        message=f"the secondary faction of {len(pos)} controlled area(s) is ignored",
        expected="a secondary faction only for contested or mixed areas",
        found="status 'control' with a secondary faction",
        where=locate(pos),
        fix="set their status to 'contested' or 'mixed' if the place is shared",
        severity="warning",
        details={"features": pos.tolist()},
    )


def _bad_value(
    code: str, value: str, column: str, pos: np.ndarray[Any, Any], allowed: list[str], locate: Locate
) -> Problem:
    return Problem(
        code=code,
        message=f"unknown value {value!r} in column {column!r} ({len(pos)} feature(s))",
        expected=f"one of {', '.join(allowed)}",
        found=repr(value),
        where=f"column {column!r}, {locate(pos)}",
        fix=f"replace {value!r} by one of {', '.join(allowed)}",
        details={"value": value, "count": len(pos), "column": column, "features": pos.tolist()},
    )


def _confidence_note(
    table: pd.DataFrame, names: list[str], default: str, out: Columns, locate: Locate
) -> None:
    levels = list(registry().confidence_levels)
    ccol = find_column(names, CONFIDENCE_FIELDS)
    conf = [default] * len(table)
    if ccol is not None:
        raw = _texts(table[ccol], fold=True)
        conf = [default if v is None else v for v in raw]
        for value in sorted({v for v in raw if v is not None} - set(levels)):
            pos = _positions(raw, value)
            out.problems.append(_bad_value("unknown-confidence", value, ccol, pos, levels, locate))
    out.canonical["confidence"] = conf
    ncol = find_column(names, NOTE_FIELDS)
    if ncol is not None:
        out.canonical["note"] = [None if is_blank(v) else str(json_value(v)) for v in table[ncol]]
