"""Prioritisation routes of the portfolio area in the permission matrix (see tests/permissions.py).

The portfolio's core routes (list, detail, create, edit, move) are in tests/test_permission_matrix.py.
"""

WEB_CASES: list = []
