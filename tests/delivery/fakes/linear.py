"""A fake Linear GraphQL API: `POST /graphql` answering the `issues` and `projects` connections with
`first` / `after` cursors and `pageInfo`, the `viewer` query, the API key in the Authorization header,
and the RATELIMITED error (HTTP 400) with `X-RateLimit-Requests-Reset` (epoch milliseconds)."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.delivery.fakes.server import Answer, FakeTool, Request, as_json

API_KEY = "lin_api_fake"


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def issue(
    number: int,
    *,
    team: str = "ENG",
    state: str = "unstarted",
    updated: datetime,
    project: str | None = None,
    estimate: float | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    done = state == "completed"
    return {
        "id": f"uuid-{team}-{number}",
        "identifier": f"{team}-{number}",
        "title": title or f"Issue {number}",
        "url": f"https://linear.app/acme/issue/{team}-{number}",
        "estimate": estimate,
        "createdAt": iso(updated - timedelta(days=10)),
        "updatedAt": iso(updated),
        "completedAt": iso(updated) if done else None,
        "canceledAt": iso(updated) if state == "canceled" else None,
        "dueDate": None,
        "state": {"name": state.title(), "type": state},
        "team": {"key": team},
        "project": {"id": project} if project else None,
        "cycle": {"name": None, "number": 7},
    }


def project(
    pid: str, name: str, *, updated: datetime, team: str = "ENG", state: str = "started"
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "url": f"https://linear.app/acme/project/{pid}",
        "state": state,
        "targetDate": "2026-06-30",
        "createdAt": iso(updated - timedelta(days=30)),
        "updatedAt": iso(updated),
        "completedAt": None,
        "canceledAt": None,
        "teams": {"nodes": [{"key": team}]},
    }


class FakeLinear(FakeTool):
    def __init__(
        self, issues: list[dict[str, Any]] | None = None, projects: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__()
        self.issues = issues or []
        self.projects = projects or []

    def rate_limited(self, request: Request) -> Answer:
        reset_ms = int((time.time() + 1) * 1000)
        return as_json(
            400,
            {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]},
            {"X-RateLimit-Requests-Remaining": "0", "X-RateLimit-Requests-Reset": str(reset_ms)},
        )

    def _page(self, rows: list[dict[str, Any]], variables: dict[str, Any]) -> dict[str, Any]:
        since = (((variables.get("filter") or {}).get("updatedAt")) or {}).get("gt")
        if since:
            cutoff = datetime.fromisoformat(since)
            rows = [r for r in rows if datetime.fromisoformat(r["updatedAt"].replace("Z", "+00:00")) > cutoff]
        rows = sorted(rows, key=lambda r: (r["updatedAt"], r["id"]))
        start = _offset(variables.get("after"))
        page = rows[start : start + 100]
        end = start + len(page)
        return {
            "nodes": page,
            "pageInfo": {"hasNextPage": end < len(rows), "endCursor": _cursor(end) if page else None},
        }

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != API_KEY:
            return as_json(
                401,
                {
                    "errors": [
                        {"message": "Authentication required", "extensions": {"code": "AUTHENTICATION_ERROR"}}
                    ]
                },
            )
        if request.path != "/graphql" or request.method != "POST":
            return as_json(404, {"errors": [{"message": "Not found"}]})
        body = request.json()
        query, variables = body.get("query", ""), body.get("variables") or {}
        headers = {
            "X-RateLimit-Requests-Remaining": "1499",
            "X-RateLimit-Requests-Reset": str(int(time.time() * 1000) + 3_600_000),
        }
        if "viewer" in query:
            return as_json(
                200, {"data": {"viewer": {"name": "Sync Bot", "email": "bot@example.com"}}}, headers
            )
        if "issues(" in query:
            teams = set(
                ((((variables.get("filter") or {}).get("team") or {}).get("key")) or {}).get("in") or []
            )
            rows = [i for i in self.issues if not teams or i["team"]["key"] in teams]
            return as_json(200, {"data": {"issues": self._page(rows, variables)}}, headers)
        if "projects(" in query:
            return as_json(200, {"data": {"projects": self._page(self.projects, variables)}}, headers)
        return as_json(
            400,
            {
                "errors": [
                    {
                        "message": "Cannot query this field",
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            },
        )


def history(count: int, *, base: datetime | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    start = base or datetime(2026, 1, 1, tzinfo=UTC)
    projects = [project(f"proj-{p}", f"Project {p}", updated=start) for p in range(1, 4)]
    issues = [
        issue(
            n,
            state=("completed", "started", "unstarted")[n % 3],
            updated=start + timedelta(minutes=n),
            project=f"proj-{n % 3 + 1}",
            estimate=float(n % 3 + 1),
        )
        for n in range(1, count + 1)
    ]
    return issues, projects
