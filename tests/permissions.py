"""The shared vocabulary of the permission matrix: roles, expectations and cases.

Each area lists its web routes in `tests/<area>/permission_cases.py` as `WEB_CASES` (and, for the
REST API, `API_CASES` when it needs them); `tests/test_permission_matrix.py` runs them all for every
role and fails when a route of a checked namespace is in no list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from northstar.core.models import User
from tests.conftest import Cast

ROLES = ["anonymous", "stakeholder", "pm", "leader", "admin"]
LOGIN = "login"  # a redirect to the sign-in page
DONE = "done"  # a redirect somewhere else: the action succeeded


def _expect(
    anonymous: Any = LOGIN, stakeholder: Any = 200, pm: Any = 200, leader: Any = 200, admin: Any = 200
):
    return {"anonymous": anonymous, "stakeholder": stakeholder, "pm": pm, "leader": leader, "admin": admin}


READ = _expect()
LEADERS_PAGE = _expect(stakeholder=403, pm=403)
WRITERS_PAGE = _expect(stakeholder=403)
LEADERS_ACTION = _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE)
WRITERS_ACTION = _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE)

Builder = Callable[[Cast, User | None], Any]


@dataclass
class Case:
    name: str
    method: str
    expect: dict[str, Any]
    args: Builder = lambda cast, user: []
    data: Builder = lambda cast, user: {}
    label: str = ""
    query: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{' ' + self.label if self.label else ''}"


def _pk(attr: str) -> Builder:
    return lambda cast, user: [getattr(cast, attr).pk]
