"""Values of point observations: controllers, statuses, confidence and countries, row by row.

:class:`RowResolver` resolves the text of one source's rows against the faction registry and
collects every problem (with the row, its name, the column and the closest faction ids), so that
:func:`mapapp.points.read_points` can report them all at once.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from mapapp.errors import DeriveError
from mapapp.factions import normalise_name, registry

COUNTRY_VALUES = {"sy": "SY", "syr": "SY", "syria": "SY", "iq": "IQ", "irq": "IQ", "iraq": "IQ"}
CONTESTED_NOTE = re.compile(r"contested:\s*([A-Za-z_]+)\s+vs\.?\s+([A-Za-z_]+)", re.IGNORECASE)
MIXED_NOTE = re.compile(r"mixed:\s*([A-Za-z_]+)\s*\+\s*([A-Za-z_]+)", re.IGNORECASE)
MAX_LISTED = 20


def text(value: Any) -> str | None:
    """Return a cell as stripped text, or None if it is empty or missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _suggest(value: str) -> str:
    close = registry().closest(value)
    return f"closest ids: {', '.join(close)}" if close else "no close id"


class RowResolver:
    """Resolve the text values of one source row by row, collecting problems."""

    def __init__(self, src: str, names: list[str | None]) -> None:
        self.src = src
        self.names = names
        self.problems: list[str] = []

    def where(self, i: int) -> str:
        """Return ``FILE row N ('name')`` for row index ``i`` (rows count from 1)."""
        name = self.names[i]
        return f"{self.src} row {i + 1}" + (f" ({name!r})" if name else "")

    def faction(self, i: int, value: str | None, column: str) -> str | None:
        """Resolve a faction name of row ``i``; record a problem (with closest ids) if unknown."""
        if value is None:
            self.problems.append(f"{self.where(i)}, column {column!r}: empty controller")
            return None
        fid = registry().resolve(value)
        if fid is None:
            self.problems.append(
                f"{self.where(i)}, column {column!r}: unknown controller {value!r} ({_suggest(value)})"
            )
        return fid

    def pair(self, i: int, note: str | None, status: str, column: str) -> tuple[str, str] | None:
        """Return the two factions a note names (``contested: X vs Y`` / ``mixed: X+Y``)."""
        pattern = CONTESTED_NOTE if status == "contested" else MIXED_NOTE
        form = "'contested: X vs Y'" if status == "contested" else "'mixed: X+Y'"
        m = pattern.search(note or "") or (MIXED_NOTE if status == "contested" else CONTESTED_NOTE).search(
            note or ""
        )
        if m is None:
            self.problems.append(
                f"{self.where(i)}, column {column!r}: controller {status!r} needs a note {form} "
                f"naming the two factions; found note {note!r}"
            )
            return None
        first, second = (self.faction(i, m.group(k), "note") for k in (1, 2))
        return (first, second) if first and second else None


def resolve_row(
    rows: RowResolver, i: int, values: dict[str, str | None], columns: dict[str, str]
) -> tuple[str | None, str | None, str]:
    """Return (faction, secondary, status) of row ``i``; problems go to ``rows``.

    A controller ``contested`` or ``mixed`` takes its two factions from the note; otherwise the
    ``secondary`` and ``status`` columns apply (a secondary without status means ``mixed``).
    """
    reg = registry()
    raw = values["controller"]
    special = reg.resolve_status(raw) if raw and reg.resolve(raw) is None else None
    if special in ("contested", "mixed"):
        pair = rows.pair(i, values["note"], special, columns["controller"])
        if pair is None:
            return None, None, special
        m = CONTESTED_NOTE.search(values["note"] or "")
        return pair[0], pair[1], "contested" if m else "mixed"
    faction = rows.faction(i, raw, columns["controller"])
    secondary = None
    if values["secondary"] is not None:
        secondary = rows.faction(i, values["secondary"], columns["secondary"])
    status = "mixed" if secondary else "control"
    if values["status"] is not None:
        resolved = reg.resolve_status(values["status"])
        if resolved is None:
            rows.problems.append(
                f"{rows.where(i)}, column {columns['status']!r}: unknown status {values['status']!r}; "
                "expected control, contested or mixed (or an alias such as truce)"
            )
        else:
            status = resolved
    if status != "control" and values["secondary"] is None:
        rows.problems.append(
            f"{rows.where(i)}: status {status!r} needs a second faction in column "
            f"{columns.get('secondary', 'secondary')!r}; found none"
        )
    if status == "control":
        secondary = None
    return faction, secondary, status


def confidences(rows: RowResolver, raw: list[str | None], columns: dict[str, str]) -> list[str | None]:
    """Return the confidence levels of the rows (None where empty); record unknown ones."""
    levels = registry().confidence_levels
    out: list[str | None] = []
    for i, value in enumerate(raw):
        level = value.lower() if value else None
        if level is not None and level not in levels:
            rows.problems.append(
                f"{rows.where(i)}, column {columns['confidence']!r}: unknown confidence {value!r}; "
                f"expected one of {list(levels)!r}"
            )
        out.append(level)
    return out


def countries(
    rows: RowResolver, raw: list[str | None], fixed: str | None, columns: dict[str, str]
) -> list[str | None]:
    """Return ``SY``/``IQ`` per row (``fixed`` for all if given; None = nearest country)."""
    if fixed is not None:
        code = COUNTRY_VALUES.get(normalise_name(fixed))
        if code is None:
            raise DeriveError(f"country {fixed!r}: expected SY or IQ (Syria or Iraq)")
        return [code] * len(raw)
    out: list[str | None] = []
    for i, value in enumerate(raw):
        code = COUNTRY_VALUES.get(normalise_name(value)) if value else None
        if value and code is None:
            rows.problems.append(
                f"{rows.where(i)}, column {columns['country']!r}: unknown country {value!r}; expected "
                "SY or IQ (or leave it empty to use the nearest country)"
            )
        out.append(code)
    return out


def raise_problems(src: str, problems: list[str]) -> None:
    """Raise one :class:`DeriveError` listing the problems (the first :data:`MAX_LISTED`)."""
    listed = problems[:MAX_LISTED]
    more = len(problems) - len(listed)
    tail = f"\n  ... and {more} more" if more else ""
    raise DeriveError(f"{src}: {len(problems)} problem(s) in the points:\n  " + "\n  ".join(listed) + tail)
