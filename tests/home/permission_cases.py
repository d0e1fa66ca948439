"""Home routes in the permission matrix (see tests/permissions.py).

Everyone signed in has a home, reads it and may mark it as seen; search, notifications and comments
follow the records they show.
"""

from __future__ import annotations

from tests.permissions import DONE, Case, _expect

WEB_CASES = [
    Case("home:seen", "get", _expect(stakeholder=405, pm=405, leader=405, admin=405)),
    Case("home:seen", "post", _expect(stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE)),
]
