"""Linear, GraphQL API: projects, then issues, changed since the last sync, 100 a page.

Connections page with `after: endCursor` while `pageInfo.hasNextPage`. State types (`triage`,
`backlog`, `unstarted`, `started`, `completed`, `canceled`) give the state; the issue's project is
its container. A rate-limited request answers with a `RATELIMITED` error code (HTTP 400 or 429) and
the `X-RateLimit-Requests-Reset` header. Personal API keys go in the Authorization header as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx2 as httpx

from northstar.delivery.sources.base import Http, Page, Record, SourceError, parse_day, parse_time

STATES = {
    "triage": "todo",
    "backlog": "todo",
    "unstarted": "todo",
    "started": "in_progress",
    "completed": "done",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}
PROJECT_STATES = {
    "planned": "todo",
    "backlog": "todo",
    "started": "in_progress",
    "paused": "in_progress",
    "completed": "done",
    "canceled": "cancelled",
}

ISSUES = """
query Issues($after: String, $filter: IssueFilter) {
  issues(first: 100, after: $after, filter: $filter, orderBy: updatedAt) {
    nodes {
      id identifier title url estimate createdAt updatedAt completedAt canceledAt dueDate
      state { name type }
      team { key }
      project { id }
      cycle { name number }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PROJECTS = """
query Projects($after: String, $filter: ProjectFilter) {
  projects(first: 100, after: $after, filter: $filter) {
    nodes { id name url state targetDate createdAt updatedAt completedAt canceledAt teams { nodes { key } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _rate_limited(response: httpx.Response) -> bool:
    if response.status_code not in (400, 200):
        return False
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return any(
        (e.get("extensions") or {}).get("code") == "RATELIMITED" for e in errors if isinstance(e, dict)
    )


def issue_record(node: dict[str, Any]) -> Record:
    state = node.get("state") or {}
    kind_state = STATES.get(str(state.get("type", "")).lower(), "todo")
    done_at = parse_time(node.get("completedAt")) or parse_time(node.get("canceledAt"))
    cycle = node.get("cycle") or {}
    estimate = node.get("estimate")
    return Record(
        external_id=str(node.get("identifier") or node["id"]),
        key=str(node.get("identifier") or node["id"]),
        title=str(node.get("title") or "")[:300],
        kind="issue",
        status=str(state.get("name", ""))[:80],
        state=kind_state,
        points=float(estimate) if isinstance(estimate, int | float) else None,
        parent_key=str((node.get("project") or {}).get("id") or node.get("projectId") or ""),
        source_key=str((node.get("team") or {}).get("key", "")),
        sprint=str(cycle.get("name") or (f"Cycle {cycle['number']}" if cycle.get("number") else ""))[:120],
        url=str(node.get("url") or ""),
        due_on=parse_day(node.get("dueDate")),
        created=parse_time(node.get("createdAt")),
        updated=parse_time(node.get("updatedAt")),
        done_at=done_at if kind_state in ("done", "cancelled") else None,
    )


def project_record(node: dict[str, Any]) -> Record:
    teams = ((node.get("teams") or {}).get("nodes")) or []
    state = PROJECT_STATES.get(str(node.get("state", "")).lower(), "todo")
    return Record(
        external_id=str(node["id"]),
        key=str(node["id"]),
        title=str(node.get("name") or "")[:300],
        kind="project",
        status=str(node.get("state", ""))[:80],
        state=state,
        source_key=str(teams[0].get("key", "")) if teams else "",
        url=str(node.get("url") or ""),
        due_on=parse_day(node.get("targetDate")),
        created=parse_time(node.get("createdAt")),
        updated=parse_time(node.get("updatedAt")),
        done_at=parse_time(node.get("completedAt")) or parse_time(node.get("canceledAt")),
    )


class LinearSource:
    phases: tuple[str, ...] = ("projects", "issues")

    def __init__(self, http: Http, *, teams: list[str]) -> None:
        self.http = http
        self.teams = teams

    def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = self.http.json(
            "POST", "/graphql", json={"query": query, "variables": variables}, limited=_rate_limited
        )
        if body.get("errors"):
            message = "; ".join(str(e.get("message", e)) for e in body["errors"] if isinstance(e, dict))
            raise SourceError(f"Linear refused the query: {message[:300]}")
        return body.get("data") or {}

    def fetch(self, phase: str, cursor: str, since: datetime | None) -> Page:
        updated = {"updatedAt": {"gt": since.isoformat()}} if since else {}
        if phase == "projects":
            team_filter = {"accessibleTeams": {"some": {"key": {"in": self.teams}}}}
            data = self._query(PROJECTS, {"after": cursor or None, "filter": {**team_filter, **updated}})
            block = data.get("projects") or {}
            records = [project_record(n) for n in block.get("nodes") or []]
        else:
            data = self._query(
                ISSUES, {"after": cursor or None, "filter": {"team": {"key": {"in": self.teams}}, **updated}}
            )
            block = data.get("issues") or {}
            records = [issue_record(n) for n in block.get("nodes") or []]
        info = block.get("pageInfo") or {}
        return Page(
            records=records, next_cursor=str(info.get("endCursor") or "") if info.get("hasNextPage") else ""
        )

    def check(self) -> str:
        data = self._query("query { viewer { name email } }", {})
        viewer = data.get("viewer") or {}
        return str(viewer.get("name") or viewer.get("email") or "Linear")
