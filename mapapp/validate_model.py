"""The data types of validation and the rules on metadata.

What the caller tells (:class:`SnapshotMeta`, :func:`parse_faction_map`), what it gets back
(:class:`ValidationReport`), and :func:`check_meta`, which fills the defaults of the metadata and
reports what is missing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mapapp.errors import Problem, Severity, SnapshotValidationError, format_problems
from mapapp.factions import registry
from mapapp.snapshot import ControlSnapshot

# Keys of ``GeoDataFrame.attrs`` where the reader records a raw frame's provenance.
ATTR_SOURCE = "mapapp_source"
ATTR_FORMAT = "mapapp_format"
ATTR_NOTES = "mapapp_read_notes"


class SnapshotWarning(UserWarning):
    """A non-blocking problem found by :func:`validate` (the data was accepted, maybe repaired)."""


@dataclass(frozen=True)
class SnapshotMeta:
    """What a file cannot say about itself: the date it represents and its provenance.

    Parameters
    ----------
    date
        The date the areas represent.
    label
        Short title; default "Control areas, <date>".
    source
        Who made the areas (people-readable, may hold URLs); default the file name.
    licence
        Licence of the areas; default "unspecified" (with a warning).
    confidence
        Overall confidence: ``high``, ``medium``, ``low`` or ``approximate`` (the default); also
        the confidence of areas that do not give their own.
    """

    date: dt.date | None
    label: str = ""
    source: str = ""
    licence: str = ""
    confidence: str = "approximate"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SnapshotMeta:
        """Build metadata from a dictionary (``date`` may be a ``YYYY-MM-DD`` string)."""
        date = data.get("date")
        if isinstance(date, str):
            date = _parse_date(date)
        return cls(
            date=date if isinstance(date, dt.date) else None,
            label=str(data.get("label") or ""),
            source=str(data.get("source") or ""),
            licence=str(data.get("licence") or ""),
            confidence=str(data.get("confidence") or "approximate"),
        )


@dataclass(frozen=True)
class ValidationReport:
    """Everything validation found about one file, and the snapshot if nothing blocks it."""

    problems: tuple[Problem, ...]
    snapshot: ControlSnapshot | None
    source: str = ""
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The blocking problems."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The non-blocking problems."""
        return tuple(p for p in self.problems if p.severity != "error")

    @property
    def ok(self) -> bool:
        """Whether nothing blocks an import."""
        return not self.errors

    def format(self) -> str:
        """Return the report as text for people."""
        return format_problems(self.problems, self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-safe dictionary."""
        return {
            "source": self.source,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
            "summary": dict(self.summary),
        }


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def check_meta(
    meta: SnapshotMeta | Mapping[str, Any] | None, source: str, problems: list[Problem]
) -> SnapshotMeta | None:
    """Check the metadata, append its problems; return it with defaults filled, or None if unusable.

    Parameters
    ----------
    meta
        The caller's metadata (``None``: data-only validation).
    source
        The file name, for the default ``source``.
    problems
        Where the problems found are appended.
    """
    if meta is None:
        return None
    m = meta if isinstance(meta, SnapshotMeta) else SnapshotMeta.from_mapping(meta)
    found = _meta_problems(m, meta.get("date") if isinstance(meta, Mapping) else None)
    problems.extend(found)
    if m.date is None or any(p.severity == "error" for p in found):
        return None
    return SnapshotMeta(
        date=m.date,
        label=m.label.strip() or f"Control areas, {m.date.isoformat()}",
        source=m.source.strip() or (f"imported from {source}" if source else "unspecified"),
        licence=m.licence.strip() or "unspecified",
        confidence=m.confidence,
    )


def _meta_problems(m: SnapshotMeta, given_date: object) -> list[Problem]:
    levels = ", ".join(registry().confidence_levels)
    found = []
    if m.date is None:
        found.append(
            _meta_problem(
                "missing-date",
                "the date the snapshot represents is missing or not a date",
                "a date YYYY-MM-DD",
                repr(given_date),
                "give the date with --date YYYY-MM-DD",
            )
        )
    if m.confidence not in registry().confidence_levels:
        found.append(
            _meta_problem(
                "bad-confidence",
                f"unknown overall confidence {m.confidence!r}",
                f"one of {levels}",
                repr(m.confidence),
                f"pass --confidence with one of {levels}",
            )
        )
    if not m.licence.strip():
        found.append(
            _meta_problem(
                "missing-licence",
                "the snapshot has no licence; maps will say 'licence unspecified'",
                "the licence of the areas, e.g. 'CC BY-SA 4.0'",
                "nothing",
                "give it with --licence",
                severity="warning",
            )
        )
    return found


def _meta_problem(
    code: str, message: str, expected: str, found: str, fix: str, severity: Severity = "error"
) -> Problem:
    return Problem(code, message, expected, found, "snapshot metadata", fix, severity)


_ITEM = re.compile(r"(?:\\.|[^,\\])+")


def parse_faction_map(text: str) -> dict[str, str]:
    r"""Parse ``"NAME=id,NAME=id"`` into a mapping (``\\,`` and ``\\=`` escape commas and signs).

    Each item is split at its last unescaped ``=``, so names may contain ``=``.

    Raises
    ------
    SnapshotValidationError
        An item has no ``=``, an empty side, or a name is mapped twice to different ids.
    """
    mapping: dict[str, str] = {}
    for item in _ITEM.findall(text):
        if not item.strip():
            continue
        split = [m.start() for m in re.finditer(r"(?<!\\)=", item)]
        key = _unescape(item[: split[-1]]).strip() if split else ""
        value = _unescape(item[split[-1] + 1 :]).strip() if split else ""
        if not key or not value or (key in mapping and mapping[key] != value):
            problem = Problem(
                code="bad-faction-map",
                message=f"cannot read the faction mapping item {item.strip()!r}",
                expected="NAME=faction_id items separated by commas, "
                'e.g. "Daesh=islamic_state,FSA=syrian_opposition"',
                found=repr(item.strip()),
                where="--map-factions",
                fix="write each item as NAME=faction_id, map each name once; escape commas in names as \\,",
            )
            raise SnapshotValidationError([problem])
        mapping[key] = value
    return mapping


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
