"""Jira Cloud, REST API v3: issues (epics included) by JQL, newest changes last, page by page.

`GET /rest/api/3/search/jql` pages with `nextPageToken` until `isLast`. Status categories (`new`,
`indeterminate`, `done`) give the state; `parent` gives the epic; the sprint field (customfield_10020
on Jira Cloud) gives the latest sprint; story points come from the connection's points field.
Authentication is Basic with the account's email and an API token.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from northstar.delivery.sources.base import Http, Page, Record, done_state, parse_day, parse_time

SPRINT_FIELD = "customfield_10020"
PAGE_SIZE = 100


def record(issue: dict[str, Any], *, base_url: str, points_field: str) -> Record:
    """One Jira issue (REST v3 shape, as the search API and webhooks send it) as a record."""
    fields = issue.get("fields") or {}
    issue_type = fields.get("issuetype") or {}
    name = str(issue_type.get("name", "")).lower()
    if name == "epic" or issue_type.get("hierarchyLevel") == 1:
        kind = "epic"
    elif name in ("bug", "story", "task"):
        kind = name
    elif name in ("sub-task", "subtask"):
        kind = "task"
    else:
        kind = "issue"
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key", "new")
    resolution = fields.get("resolution") or {}
    state = done_state(category)
    if state == "done" and str(resolution.get("name", "")).lower() in (
        "won't do",
        "won't fix",
        "duplicate",
        "cancelled",
    ):
        state = "cancelled"
    sprints = fields.get(SPRINT_FIELD) or []
    sprint = (
        sprints[-1].get("name", "")
        if isinstance(sprints, list) and sprints and isinstance(sprints[-1], dict)
        else ""
    )
    points = fields.get(points_field) if points_field else None
    key = str(issue.get("key", ""))
    return Record(
        external_id=str(issue.get("id", key)),
        key=key,
        title=str(fields.get("summary") or key)[:300],
        kind=kind,
        status=str(status.get("name", ""))[:80],
        state=state,
        points=float(points) if isinstance(points, int | float) else None,
        parent_key=str((fields.get("parent") or {}).get("key", "")),
        source_key=str((fields.get("project") or {}).get("key", "")),
        sprint=str(sprint)[:120],
        url=f"{base_url.rstrip('/')}/browse/{key}",
        due_on=parse_day(fields.get("duedate")),
        created=parse_time(fields.get("created")),
        updated=parse_time(fields.get("updated")),
        done_at=parse_time(fields.get("resolutiondate")) if state in ("done", "cancelled") else None,
    )


class JiraSource:
    phases: tuple[str, ...] = ("issues",)

    def __init__(self, http: Http, *, base_url: str, projects: list[str], points_field: str) -> None:
        self.http = http
        self.base_url = base_url
        self.projects = projects
        self.points_field = points_field

    def jql(self, since: datetime | None) -> str:
        keys = ", ".join(f'"{p}"' for p in self.projects)
        where = f"project in ({keys})"
        if since is not None:
            where += f' AND updated >= "{since:%Y-%m-%d %H:%M}"'
        return where + " ORDER BY updated ASC, key ASC"

    def fetch(self, phase: str, cursor: str, since: datetime | None) -> Page:
        fields = [
            "summary",
            "status",
            "issuetype",
            "parent",
            "project",
            "created",
            "updated",
            "resolutiondate",
            "resolution",
            "duedate",
            SPRINT_FIELD,
        ]
        if self.points_field:
            fields.append(self.points_field)
        params: dict[str, Any] = {"jql": self.jql(since), "maxResults": PAGE_SIZE, "fields": ",".join(fields)}
        if cursor:
            params["nextPageToken"] = cursor
        body = self.http.json("GET", "/rest/api/3/search/jql", params=params)
        issues = body.get("issues") or []
        next_token = "" if body.get("isLast", True) else str(body.get("nextPageToken") or "")
        return Page(
            records=[record(i, base_url=self.base_url, points_field=self.points_field) for i in issues],
            next_cursor=next_token,
        )

    def check(self) -> str:
        """Who the token belongs to, to prove a connection works before the first sync."""
        me = self.http.json("GET", "/rest/api/3/myself")
        return str(me.get("displayName") or me.get("emailAddress") or json.dumps(me)[:80])
