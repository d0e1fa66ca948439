"""Files people upload (imports today): a size limit, private storage, and no file left behind.

* The limit is `NORTHSTAR_UPLOAD_MAX_MB` (settings.UPLOAD_MAX_BYTES). `LimitedUploadHandler` (first in
  FILE_UPLOAD_HANDLERS) stops reading a larger request body before anything is written, and
  `check_size` gives the refusal in words wherever a file arrives.
* `save_private(folder, name, upload)` writes a file only its owner (the server's user) can read,
  in a folder only it can open (0600 / 0700).
* `cleanup(folder, older_than=..., keep=...)` deletes uploads left behind (never mapped, failed,
  interrupted); imports call it on each new upload, and `northstar cleanup_uploads` runs it by hand.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest

from northstar.core.errors import ApplicationError

#: Uploads older than this are left-overs: nobody maps a file for a day.
STALE_AFTER_SECONDS = 24 * 3600


class TooLarge(ApplicationError):
    status_code = 413


def limit_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def limit_text() -> str:
    return f"{limit_bytes() / (1024 * 1024):g} MB"


def check_size(size: int | None) -> None:
    """Refuse a file larger than the configured limit, saying what the limit is."""
    if size is not None and size > limit_bytes():
        raise TooLarge(
            f"That file is {size / (1024 * 1024):.1f} MB; uploads are limited to {limit_text()} "
            "(NORTHSTAR_UPLOAD_MAX_MB). Split it, or ask your administrator to raise the limit.",
            detail={"limit_bytes": limit_bytes(), "size": size},
        )


def refused_upload(request: HttpRequest) -> str | None:
    """The message for an upload the handler stopped for its size, if it did."""
    return getattr(request, "northstar_upload_refused", None)


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a file upload past the limit, so a 200 MB body never reaches the disk."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.received = 0
        self.too_large = content_length is not None and content_length > limit_bytes() + 64 * 1024
        if self.too_large:
            self._refuse(content_length)
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.too_large:
            raise SkipFile
        self.received += len(raw_data)
        if self.received > limit_bytes():
            self.too_large = True
            self._refuse(self.received)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, size: int) -> None:
        try:
            check_size(size)
        except TooLarge as exc:
            if self.request is not None:
                self.request.northstar_upload_refused = exc.message  # type: ignore[attr-defined]


def private_folder(folder: Path) -> Path:
    """The folder, created if needed, readable only by the server's own user."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def save_private(folder: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """Write a file nobody but the server's own user can read (0600, in a 0700 folder)."""
    path = private_folder(folder) / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            for piece in chunks:
                written += len(piece)
                if written > limit_bytes():
                    raise TooLarge(f"Uploads are limited to {limit_text()} (NORTHSTAR_UPLOAD_MAX_MB).")
                out.write(piece)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def cleanup(folder: Path, *, older_than: float = STALE_AFTER_SECONDS, keep: Iterable[str] = ()) -> int:
    """Delete files in `folder` untouched for `older_than` seconds, except those named in `keep`.

    Returns how many were deleted.
    """
    if not folder.exists():
        return 0
    kept = set(keep)
    cutoff = time.time() - older_than
    removed = 0
    for path in folder.iterdir():
        if not path.is_file() or path.name in kept:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process cleaned it first
            continue
    return removed
