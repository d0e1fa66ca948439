"""One rule for tests that need something outside Python: skip where it is missing, fail under CI.

A developer's laptop may lack PostgreSQL, Redis, Chromium or LibreOffice and still run the rest of the
suite; CI (`CI=true`) must never pass by skipping what it was meant to check.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(what: str, available: bool, *, hint: str = "") -> None:
    """Skip the calling test when `what` is unavailable, or fail it when running under CI."""
    if available:
        return
    message = f"{what} is not available" + (f": {hint}" if hint else "")
    if in_ci():
        pytest.fail(f"{message} (CI=true requires it)", pytrace=False)
    pytest.skip(message)
