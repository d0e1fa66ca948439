"""Issued packs on disk: `$NORTHSTAR_DATA_DIR/reports/packs/<id>/`, written once, read as stored.

Files are written to a temporary name and renamed, so a crash never leaves half a file under the
real name; each file's SHA-256 is kept on the pack to prove it never changed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from northstar.core.errors import NotFound


def root() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_once(relative: str, data: bytes) -> dict[str, object]:
    """Write a file under the reports root; refuse to overwrite one that exists with other bytes."""
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        if path.read_bytes() == data:
            return {"path": relative, "sha256": sha256(data), "bytes": len(data)}
        raise FileExistsError(f"{path} exists with other content; issued files are never replaced.")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {"path": relative, "sha256": sha256(data), "bytes": len(data)}


def read(relative: str) -> bytes:
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents or not path.is_file():
        raise NotFound("This file is missing from the data directory.")
    return path.read_bytes()


def remove_tree(relative: str) -> None:
    """Remove a directory written for something that was then rolled back."""
    path = root() / relative
    if path.is_dir():
        for child in path.iterdir():
            child.unlink(missing_ok=True)
        path.rmdir()
