"""Atomic file writes: a temporary file in the target's directory, fsync, then ``os.replace``.

A reader sees either the old file or the new one, never a half-written one; a failure leaves the
old file (or no file) in place and removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``.

    Parameters
    ----------
    path
        The file to create or replace; its directory must exist.
    data
        The bytes to write.
    mode
        File permissions; default: ordinary permissions under the process umask (``mkstemp``
        would leave 0600).

    Raises
    ------
    OSError
        The directory does not exist or is not writable; callers translate it into their domain
        error with a hint.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:
            umask = os.umask(0o022)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path
