"""The faction registry: ids, labels, colours, aliases, statuses (loaded from ``factions.toml``).

Matching of names from other sources ignores case, accents and punctuation, so ``"Da'ish"``,
``"DAESH"`` and ``"daesh"`` all resolve to ``islamic_state``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from mapapp.paths import bundled_data_dir

NO_DATA = "no_data"
STATUSES = ("control", "contested", "mixed")
Palette = Literal["default", "colorblind"]
PALETTES: tuple[Palette, ...] = ("default", "colorblind")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Faction:
    """One faction (or the ``no_data`` area class) as the registry defines it."""

    id: str
    label: str
    colour: str
    colour_cb: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...] = ()

    def colour_for(self, palette: Palette = "default") -> str:
        """Return the fill colour of this faction in ``palette``."""
        return self.colour_cb if palette == "colorblind" else self.colour


@dataclass(frozen=True, eq=False)
class Registry:
    """All factions, statuses and confidence levels, with alias lookup."""

    factions: Mapping[str, Faction]
    statuses: Mapping[str, tuple[str, ...]]
    status_labels: Mapping[str, str]
    confidence_levels: tuple[str, ...]
    no_data: Faction

    def resolve(self, name: object) -> str | None:
        """Return the faction id (or ``"no_data"``) that ``name`` denotes, or ``None``.

        Parameters
        ----------
        name
            A faction id, label or alias, in any case, with or without accents and punctuation.
        """
        if not isinstance(name, str):
            return None
        return _alias_index(self).get(normalise_name(name))

    def resolve_status(self, name: object) -> str | None:
        """Return the status (``control``, ``contested``, ``mixed``) ``name`` denotes, or ``None``."""
        if not isinstance(name, str):
            return None
        key = normalise_name(name)
        for status, aliases in self.statuses.items():
            if key == normalise_name(status) or key in {normalise_name(a) for a in aliases}:
                return status
        return None

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Return up to ``n`` faction ids whose names are closest to ``name`` (best first)."""
        index = _alias_index(self)
        keys = difflib.get_close_matches(normalise_name(name), list(index), n=n * 4, cutoff=0.5)
        seen: list[str] = []
        for key in keys:
            fid = index[key]
            if fid not in seen:
                seen.append(fid)
        return seen[:n]

    def colour(self, faction_id: str, palette: Palette = "default") -> str:
        """Return the colour of a faction id (or ``no_data``) in ``palette``."""
        return self.get(faction_id).colour_for(palette)

    def get(self, faction_id: str) -> Faction:
        """Return the :class:`Faction` of an id; ``no_data`` included. ``KeyError`` if unknown."""
        if faction_id == NO_DATA:
            return self.no_data
        return self.factions[faction_id]

    def label(self, faction_id: str) -> str:
        """Return the label of a faction id, or the id itself if it is unknown."""
        try:
            return self.get(faction_id).label
        except KeyError:
            return faction_id

    @property
    def ids(self) -> tuple[str, ...]:
        """Faction ids in registry order (without ``no_data``)."""
        return tuple(self.factions)


def normalise_name(name: str) -> str:
    """Fold case, accents and punctuation: ``"Jabhat Fateh al-Sham"`` -> ``"jabhat fateh al sham"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", stripped.casefold()).strip()


@lru_cache(maxsize=8)
def _alias_index(registry: Registry) -> dict[str, str]:
    index: dict[str, str] = {}
    for fac in (*registry.factions.values(), registry.no_data):
        for name in (fac.id, fac.label, *fac.aliases):
            index.setdefault(normalise_name(name), fac.id)
    return index


def _faction(fid: str, table: Mapping[str, object]) -> Faction:
    aliases = table.get("aliases", [])
    countries = table.get("countries", [])
    assert isinstance(aliases, list) and isinstance(countries, list)
    return Faction(
        id=fid,
        label=str(table["label"]),
        colour=str(table["colour"]),
        colour_cb=str(table["colour_cb"]),
        aliases=tuple(str(a) for a in aliases),
        countries=tuple(str(c) for c in countries),
    )


def load_registry(path: Path | None = None) -> Registry:
    """Read a factions TOML file into a :class:`Registry`.

    Parameters
    ----------
    path
        The TOML file; default ``geodata/factions.toml`` of the bundled data.
    """
    path = path or bundled_data_dir() / "factions.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    factions = {fid: _faction(fid, t) for fid, t in data["factions"].items()}
    statuses = {s: tuple(t.get("aliases", [])) for s, t in data["statuses"].items()}
    labels = {s: str(t["label"]) for s, t in data["statuses"].items()}
    return Registry(
        factions=factions,
        statuses=statuses,
        status_labels=labels,
        confidence_levels=tuple(data["confidence"]["levels"]),
        no_data=_faction(NO_DATA, data["classes"][NO_DATA]),
    )


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Return the bundled registry (read once)."""
    return load_registry()
