"""Logging filters: the server log is for faults, not for people being told no."""

from __future__ import annotations

import logging


class NoTracebackForRefusals(logging.Filter):
    """Keep a refused request (a 4xx: no permission, not found, bad input) to its one line.

    Django logs a 403 from `PermissionDenied` with the exception's traceback; a refusal is the app
    working as meant, so the traceback only buries real errors. 5xx records keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
