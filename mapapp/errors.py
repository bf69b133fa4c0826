"""The exception family of mapapp.

Every error the library raises on purpose derives from :class:`MapAppError`. The CLI's
``main`` and the Streamlit page catch that base class only; anything else is a bug.

Tree::

    MapAppError
    ├── SnapshotError            a control snapshot cannot be read or accepted
    │   ├── SnapshotReadError    the file cannot be opened / parsed / is too large
    │   └── SnapshotValidationError  one or more problems (``.problems``), collected then raised once
    ├── EventDataError           an events file is malformed
    ├── DeriveError              point observations cannot be turned into areas
    ├── CatalogError             the snapshot catalog refuses an operation (unknown date, exists, lock)
    ├── CompareError             two snapshots cannot be compared
    └── ExportError              a map cannot be rendered or written

A :class:`Problem` is one finding of a validator, as data: what was expected, what was
found, where, and how to fix it. Problems of severity ``"error"`` block an import;
``"warning"`` ones are reported and the data is accepted (possibly repaired).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about an input file, written for the person who has to fix it.

    Parameters
    ----------
    code
        Stable machine-readable identifier, e.g. ``"unknown-faction"``.
    message
        One plain sentence saying what is wrong.
    expected
        What the validator expected to find.
    found
        What it found (usually a ``repr`` of the offending value).
    where
        Location: file, feature index or id, column. Empty when the whole file is concerned.
    fix
        How to fix it (an option to pass, an edit to make).
    severity
        ``"error"`` blocks the import, ``"warning"`` does not.
    details
        Extra structured data (counts, suggestions, bounding boxes) for programs.
    """

    code: str
    message: str
    expected: str = ""
    found: str = ""
    where: str = ""
    fix: str = ""
    severity: Severity = "error"
    details: dict[str, Any] = field(default_factory=dict)

    def format(self) -> str:
        """Return the problem as a short multi-line text block for people."""
        lines = [f"[{self.severity}] {self.code}: {self.message}"]
        if self.where:
            lines.append(f"  where:    {self.where}")
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.found:
            lines.append(f"  found:    {self.found}")
        if self.fix:
            lines.append(f"  fix:      {self.fix}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-safe dictionary."""
        return asdict(self)


class MapAppError(Exception):
    """Base class of every error mapapp raises on purpose."""


class SnapshotError(MapAppError):
    """A control snapshot cannot be read or accepted."""


class SnapshotReadError(SnapshotError):
    """A snapshot file cannot be opened, unpacked or parsed, or exceeds the size cap."""


class SnapshotValidationError(SnapshotError):
    """A snapshot file has one or more blocking problems.

    The message lists every problem; :attr:`problems` exposes them as data (including
    warnings found along the way, so a report is complete).
    """

    def __init__(self, problems: Sequence[Problem], source: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(format_problems(self.problems, source))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The blocking problems."""
        return tuple(p for p in self.problems if p.severity == "error")


class EventDataError(MapAppError):
    """An events file is missing, malformed or has invalid rows."""


class DeriveError(MapAppError):
    """Point observations cannot be turned into control areas."""


class CatalogError(MapAppError):
    """The snapshot catalog refuses an operation (unknown date, already present, locked)."""


class CompareError(MapAppError):
    """Two snapshots cannot be compared (same snapshot, no overlap, unknown date)."""


class ExportError(MapAppError):
    """A map cannot be rendered or written."""


def format_problems(problems: Iterable[Problem], source: str = "") -> str:
    """Format problems as one report: a count line, then one block per problem.

    Parameters
    ----------
    problems
        The problems to list, in order.
    source
        Name of the file concerned, shown in the first line.

    Returns
    -------
    str
        A human-readable report.
    """
    items = list(problems)
    n_err = sum(p.severity == "error" for p in items)
    n_warn = len(items) - n_err
    head = f"{source}: " if source else ""
    head += f"{n_err} error(s), {n_warn} warning(s)"
    return "\n".join([head, *(p.format() for p in items)])
