"""Where mapapp finds its data: the bundled ``geodata/`` or a user's own directory.

The user's catalog directory comes from ``--data-dir`` or the ``MAPAPP_DATA_DIR`` environment
variable; context layers (borders, rivers, factions) always come from the bundled data.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "MAPAPP_DATA_DIR"


def bundled_data_dir() -> Path:
    """Return the ``geodata/`` directory shipped with the project."""
    return Path(__file__).resolve().parent.parent / "geodata"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the catalog directory: ``explicit``, else ``$MAPAPP_DATA_DIR``, else the bundled one.

    Parameters
    ----------
    explicit
        A directory given on the command line (``--data-dir``) or by the caller.
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    return bundled_data_dir()


def snapshots_dir(root: Path) -> Path:
    """Return the directory of snapshot files inside a catalog directory ``root``."""
    return root / "snapshots"
