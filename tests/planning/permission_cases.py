"""Roadmap routes in the permission matrix (see tests/permissions.py)."""

from tests.permissions import READ, Case

WEB_CASES = [Case("planning:roadmap", "get", READ)]
