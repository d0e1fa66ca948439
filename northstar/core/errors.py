"""The one error hierarchy services raise; the API and the views map it to responses once."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal a user can act on: the message says what was wrong, in their words."""

    status_code = 400

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ValidationFailed(ApplicationError):
    status_code = 422


class NotFound(ApplicationError):
    status_code = 404


class PermissionDenied(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    status_code = 409
