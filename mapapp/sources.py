"""Credits as data: origin, licence, date and credit line of every shipped data file.

The facts live in ``geodata/sources.toml``; ``geodata/SOURCES.md`` is generated from it
(``python -m mapapp.sources > geodata/SOURCES.md``). The renderer, the export and the dashboard
ask this module which credit lines to show:

- :func:`base_map_credits` for the context layers every map draws (Natural Earth, GeoNames);
- :func:`credits_for` for named sources;
- :func:`snapshot_credits` for a snapshot: its own source and licence, the sources of the files
  it was derived from (``provenance["source_files"]``), and the base map.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from mapapp.paths import bundled_data_dir
from mapapp.snapshot import ControlSnapshot

SOURCES_FILE = "sources.toml"
META_FILES = ("SOURCES.md", "sources.toml", "DATA_README.md")
"""Files of ``geodata/`` that document the directory itself (not data, no source entry)."""
CATALOG_DIR = "snapshots"
"""Directory of ``geodata/`` whose files are described by their own manifest."""


@dataclass(frozen=True)
class Credit:
    """One credit line to show: the text, a link (may be empty) and the licence."""

    key: str
    text: str
    url: str
    licence: str


@dataclass(frozen=True)
class Source:
    """One source of shipped data (see ``geodata/sources.toml``)."""

    key: str
    title: str
    files: tuple[str, ...]
    docs: tuple[str, ...]
    origin: str
    url: str
    licence: str
    represents: str
    credit: str
    base_map: bool = False

    def to_credit(self) -> Credit:
        """Return the credit line of this source."""
        return Credit(key=self.key, text=self.credit, url=self.url, licence=self.licence)


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """Read a sources TOML file (default the bundled ``geodata/sources.toml``).

    Raises
    ------
    KeyError
        An entry lacks a required field (a bug in the shipped file).
    """
    path = path or bundled_data_dir() / SOURCES_FILE
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {key: _source(key, table) for key, table in data["sources"].items()}


def _source(key: str, table: Mapping[str, Any]) -> Source:
    missing = [f for f in ("title", "files", "origin", "licence", "represents", "credit") if f not in table]
    if missing:
        raise KeyError(f"sources.toml: [sources.{key}] lacks {missing!r}")
    return Source(
        key=key,
        title=str(table["title"]),
        files=tuple(str(f) for f in table["files"]),
        docs=tuple(str(f) for f in table.get("docs", [])),
        origin=str(table["origin"]),
        url=str(table.get("url", "")),
        licence=str(table["licence"]),
        represents=str(table["represents"]),
        credit=str(table["credit"]),
        base_map=bool(table.get("base_map", False)),
    )


@lru_cache(maxsize=1)
def sources() -> Mapping[str, Source]:
    """Return the bundled sources by key (read once)."""
    return load_sources()


def credits_for(keys: Iterable[str]) -> list[Credit]:
    """Return the credit lines of ``keys``, in order, each distinct line once.

    Raises
    ------
    KeyError
        A key is not in ``geodata/sources.toml`` (the message lists the known keys).
    """
    known = sources()
    credits: list[Credit] = []
    for key in keys:
        if key not in known:
            raise KeyError(f"unknown source {key!r}; known: {', '.join(known)}")
        credit = known[key].to_credit()
        if all(c.text != credit.text for c in credits):
            credits.append(credit)
    return credits


def base_map_credits() -> list[Credit]:
    """Return the credits of the context layers every map draws (Natural Earth, GeoNames)."""
    return credits_for(k for k, s in sources().items() if s.base_map)


def source_for_file(path: str | Path) -> Source | None:
    """Return the source of a shipped file (``control/x.csv``, ``geodata/control/x.csv`` or absolute)."""
    parts = PurePosixPath(Path(path).as_posix()).parts
    for source in sources().values():
        for name in source.files:
            n = len(PurePosixPath(name).parts)
            if tuple(parts[-n:]) == PurePosixPath(name).parts:
                return source
    return None


def snapshot_credits(snapshot: ControlSnapshot) -> list[Credit]:
    """Return what a map of ``snapshot`` must credit: the areas, their input files, the base map."""
    own = Credit(key="snapshot", text=f"Control areas: {snapshot.source}", url="", licence=snapshot.licence)
    files = snapshot.provenance.get("source_files", [])
    keys = [s.key for s in (source_for_file(f) for f in files if isinstance(f, str)) if s is not None]
    credits = [own]
    for credit in [*credits_for(keys), *base_map_credits()]:
        if all(c.text != credit.text for c in credits):
            credits.append(credit)
    return credits


def undocumented_files(root: Path | None = None) -> list[str]:
    """Return the files under ``root`` (default ``geodata/``) that no source lists, sorted."""
    root = root or bundled_data_dir()
    listed = {f for s in sources().values() for f in (*s.files, *s.docs)}
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or rel.split("/")[0] == CATALOG_DIR or rel in META_FILES:
            continue
        if rel not in listed:
            found.append(rel)
    return found


def sources_markdown() -> str:
    """Return ``geodata/SOURCES.md``: one section per source, generated from ``sources.toml``."""
    lines = [
        "# Sources of the shipped data",
        "",
        "Generated from `sources.toml` by `python -m mapapp.sources > geodata/SOURCES.md`; edit the TOML, "
        "not this file. Snapshots in `snapshots/` carry their own source and licence in `manifest.json`.",
        "",
        "| source | files | licence | represents | credit line |",
        "|---|---|---|---|---|",
    ]
    for s in sources().values():
        files = "<br>".join(f"`{f}`" for f in s.files)
        lines.append(f"| {s.title} | {files} | {s.licence} | {s.represents} | {s.credit} |")
    for s in sources().values():
        lines += ["", f"## {s.title}", "", f"- **Files**: {', '.join(f'`{f}`' for f in s.files)}"]
        if s.docs:
            lines.append(f"- **Documentation**: {', '.join(f'`{f}`' for f in s.docs)}")
        lines.append(f"- **Origin**: {s.origin}" + (f" ({s.url})" if s.url else ""))
        lines += [
            f"- **Licence**: {s.licence}",
            f"- **Represents**: {s.represents}",
            f"- **Credit**: {s.credit}",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(sources_markdown())
