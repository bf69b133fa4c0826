"""The snapshot catalog: which control snapshots exist, and swapping in a new one safely.

Layout of a catalog directory ``ROOT`` (the bundled ``geodata/`` or ``--data-dir``)::

    ROOT/snapshots/manifest.json        the list of snapshots and their metadata (the commit point)
    ROOT/snapshots/2017-01-08.geojson   one GeoJSON FeatureCollection per snapshot
    ROOT/snapshots/.staging/            temporary files of an import in progress
    ROOT/snapshots/.lock                serialises writers (``fcntl.flock``)

An import writes the new GeoJSON under a fresh name, then replaces the manifest atomically
(temporary file + ``os.replace``). Until that rename nothing a reader sees has changed; a crash
before it leaves the manifest and every listed file byte-for-byte as they were. Replacing a date
keeps the previous file on disk, recorded as a backup in the manifest entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapapp.errors import CatalogError
from mapapp.geojson import snapshot_to_geojson
from mapapp.paths import snapshots_dir
from mapapp.snapshot import ControlSnapshot

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class CatalogEntry:
    """One snapshot listed in the manifest."""

    date: dt.date
    label: str
    source: str
    licence: str
    confidence: str
    file: str
    areas: int
    factions: tuple[str, ...]
    sha256: str
    provenance: dict[str, Any] = field(default_factory=dict)
    backups: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as it is stored in the manifest."""
        return {
            "date": self.date.isoformat(),
            "label": self.label,
            "source": self.source,
            "licence": self.licence,
            "confidence": self.confidence,
            "file": self.file,
            "areas": self.areas,
            "factions": list(self.factions),
            "sha256": self.sha256,
            "provenance": self.provenance,
            "backups": list(self.backups),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> CatalogEntry:
        """Build an entry from its manifest dictionary; :class:`CatalogError` if malformed."""
        if isinstance(data, dict):
            for name in (data.get("file"), *(data.get("backups") or [])):
                _check_file_name(name, where)
        try:
            return cls(
                date=dt.date.fromisoformat(str(data["date"])),
                label=str(data["label"]),
                source=str(data["source"]),
                licence=str(data["licence"]),
                confidence=str(data["confidence"]),
                file=str(data["file"]),
                areas=int(data["areas"]),
                factions=tuple(str(f) for f in data.get("factions", [])),
                sha256=str(data.get("sha256", "")),
                provenance=dict(data.get("provenance", {})),
                backups=tuple(str(b) for b in data.get("backups", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"{where}: malformed manifest entry: expected keys date (YYYY-MM-DD), label, "
                f"source, licence, confidence, file, areas; found {sorted(data)!r} ({exc}). "
                "Fix or remove the entry, or restore manifest.json from version control."
            ) from exc


def _check_file_name(name: object, where: str) -> None:
    """Refuse manifest file names that could reach outside ``ROOT/snapshots``."""
    if name is None:
        return
    text = str(name)
    if not text or text != Path(text).name or text.startswith(".") or "\\" in text:
        raise CatalogError(
            f"{where}: unsafe file name in the manifest: expected a plain file name inside "
            f"the snapshots directory (e.g. '2017-01-08.geojson'), found {text!r}. "
            "Fix the entry, or restore manifest.json from version control."
        )


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD``; :class:`CatalogError` naming the expected form otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"invalid date: expected YYYY-MM-DD (e.g. 2017-01-08), found {text!r}") from exc


class Catalog:
    """The snapshots of one catalog directory.

    Parameters
    ----------
    root
        The catalog directory (holding ``snapshots/``).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = snapshots_dir(self.root)
        self.manifest_path = self.dir / MANIFEST

    # -- reading ---------------------------------------------------------------------------
    def entries(self) -> list[CatalogEntry]:
        """Return the catalog's entries sorted by date (an empty list if there is no manifest)."""
        if not self.manifest_path.exists():
            return []
        where = str(self.manifest_path)
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError(
                f"{where}: cannot read the catalog manifest ({exc}); expected a JSON object "
                "with a 'snapshots' list. Restore it from version control or a backup."
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("snapshots"), list):
            raise CatalogError(
                f"{where}: expected a JSON object with a 'snapshots' list, found "
                f"{type(data).__name__}. Restore it from version control or a backup."
            )
        entries = [CatalogEntry.from_dict(e, where) for e in data["snapshots"]]
        return sorted(entries, key=lambda e: e.date)

    def dates(self) -> list[dt.date]:
        """Return the dates of the catalog's snapshots, oldest first."""
        return [e.date for e in self.entries()]

    def entry(self, date: dt.date | str) -> CatalogEntry:
        """Return the entry of ``date`` (``"latest"`` for the newest); :class:`CatalogError` if absent."""
        entries = self.entries()
        if not entries:
            raise CatalogError(
                f"the catalog {self.dir} has no snapshots; import one with "
                "'mapapp import FILE --date YYYY-MM-DD' or derive one with 'mapapp derive'"
            )
        if date == "latest":
            return entries[-1]
        wanted = parse_date(date) if isinstance(date, str) else date
        for e in entries:
            if e.date == wanted:
                return e
        known = ", ".join(e.date.isoformat() for e in entries)
        raise CatalogError(
            f"no snapshot dated {wanted.isoformat()} in {self.dir}; available: {known}. "
            "List them with 'mapapp snapshots'."
        )

    def path(self, date: dt.date | str) -> Path:
        """Return the GeoJSON file of the snapshot of ``date``."""
        return self.dir / self.entry(date).file

    def load(self, date: dt.date | str) -> ControlSnapshot:
        """Load the snapshot of ``date`` (or ``"latest"``) as a :class:`ControlSnapshot`.

        The file is read through pyogrio. If its checksum no longer matches the manifest (someone
        edited it by hand) it is validated again as an untrusted file.
        """
        from mapapp.readers import read_catalog_file

        entry = self.entry(date)
        path = self.dir / entry.file
        if not path.exists():
            raise CatalogError(
                f"{path}: the manifest lists this file for {entry.date} but it is missing; "
                "restore it, or re-import the snapshot with 'mapapp import --replace'"
            )
        trusted = _sha256(path) == entry.sha256
        return read_catalog_file(path, entry, trusted=trusted)

    # -- writing ---------------------------------------------------------------------------
    def add(
        self,
        snapshot: ControlSnapshot,
        *,
        replace: bool = False,
        _before_commit: Callable[[], None] | None = None,
    ) -> CatalogEntry:
        """Add a validated snapshot atomically; return its new manifest entry.

        Parameters
        ----------
        snapshot
            A validated snapshot.
        replace
            Allow replacing the snapshot of the same date; the previous file is kept as a backup.
        _before_commit
            Test hook called after the files are staged and before the manifest is replaced.

        Raises
        ------
        CatalogError
            The date exists and ``replace`` is false, or the catalog cannot be written.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        payload = snapshot_to_geojson(snapshot)
        with self._lock():
            entries = {e.date: e for e in self.entries()}
            old = entries.get(snapshot.date)
            if old is not None and not replace:
                raise CatalogError(
                    f"a snapshot dated {snapshot.date} already exists in {self.dir} "
                    f"({old.label!r}, file {old.file}); pass --replace (replace=True) to replace "
                    "it; the previous file is kept as a backup"
                )
            digest = hashlib.sha256(payload).hexdigest()
            name = self._free_name(snapshot.date, digest)
            backups = (*old.backups, old.file) if old is not None else ()
            meta = snapshot.metadata()
            entry = CatalogEntry(
                date=snapshot.date,
                label=snapshot.label,
                source=snapshot.source,
                licence=snapshot.licence,
                confidence=snapshot.confidence,
                file=name,
                areas=int(meta["areas"]),
                factions=tuple(meta["factions"]),
                sha256=digest,
                provenance=dict(meta["provenance"]),
                backups=backups,
            )
            entries[snapshot.date] = entry
            manifest = {
                "version": MANIFEST_VERSION,
                "snapshots": [entries[d].to_dict() for d in sorted(entries)],
            }
            manifest_bytes = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
            staging = self.dir / ".staging"
            staging.mkdir(exist_ok=True)
            data_tmp = _write_temp(staging, payload)
            manifest_tmp = _write_temp(staging, manifest_bytes)
            try:
                if _before_commit is not None:
                    _before_commit()
                os.replace(data_tmp, self.dir / name)
                os.replace(manifest_tmp, self.manifest_path)
                _fsync_dir(self.dir)
            finally:
                for tmp in (data_tmp, manifest_tmp):
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
        return entry

    def _free_name(self, date: dt.date, digest: str) -> str:
        plain = f"{date.isoformat()}.geojson"
        if not (self.dir / plain).exists():
            return plain
        return f"{date.isoformat()}-{digest[:10]}.geojson"

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        lock_path = self.dir / ".lock"
        try:
            fh = lock_path.open("a+")
        except OSError as exc:
            raise CatalogError(
                f"cannot write to the catalog {self.dir} ({exc}); check its permissions or "
                "choose another directory with --data-dir / MAPAPP_DATA_DIR"
            ) from exc
        with fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_temp(directory: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(dir=directory, prefix="tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(name)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
