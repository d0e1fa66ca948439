"""Feedback and public-portal routes in the permission matrix (see tests/permissions.py)."""

from tests.permissions import Case, _expect

WEB_CASES = [
    Case("feedback:inbox", "get", _expect()),
    Case("portal:home", "get", _expect(anonymous=200)),
]
