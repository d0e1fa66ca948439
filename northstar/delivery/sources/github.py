"""GitHub: milestones and issues through REST, a Projects board's Status through GraphQL.

REST pages follow the `Link: <...>; rel="next"` header; issues are asked for with `since` (updated at
or after), oldest change first. Pull requests also come back from the issues endpoint and are skipped.
A closed issue is done unless it was closed as not planned. Rate limits: `X-RateLimit-Remaining` /
`X-RateLimit-Reset` (epoch seconds), and 403/429 with `Retry-After` for secondary limits.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx2 as httpx

from northstar.delivery.sources.base import (
    Http,
    Page,
    Record,
    SourceError,
    StatusPatch,
    parse_day,
    parse_time,
)

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')

PROJECT_ITEMS = """
query Board($org: String!, $number: Int!, $after: String) {
  organization(login: $org) {
    projectV2(number: $number) {
      items(first: 100, after: $after) {
        nodes {
          content { ... on Issue { number repository { nameWithOwner } } }
          fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


def milestone_key(repo: str, number: Any) -> str:
    return f"{repo}@m{number}"


def issue_record(issue: dict[str, Any], repo: str) -> Record:
    closed = issue.get("state") == "closed"
    reason = issue.get("state_reason")
    state = ("cancelled" if reason == "not_planned" else "done") if closed else "todo"
    labels = [str(lbl.get("name", "")).lower() for lbl in issue.get("labels") or [] if isinstance(lbl, dict)]
    if not closed and ("in progress" in labels or issue.get("assignee")):
        state = "in_progress"
    milestone = issue.get("milestone") or {}
    kind = "bug" if "bug" in labels else "issue"
    key = f"{repo}#{issue['number']}"
    return Record(
        external_id=key,
        key=key,
        title=str(issue.get("title") or "")[:300],
        kind=kind,
        status=str(issue.get("state", ""))[:80],
        state=state,
        parent_key=milestone_key(repo, milestone["number"]) if milestone.get("number") else "",
        source_key=repo,
        url=str(issue.get("html_url") or ""),
        created=parse_time(issue.get("created_at")),
        updated=parse_time(issue.get("updated_at")),
        done_at=parse_time(issue.get("closed_at")) if closed else None,
    )


def milestone_record(milestone: dict[str, Any], repo: str) -> Record:
    closed = milestone.get("state") == "closed"
    key = milestone_key(repo, milestone["number"])
    return Record(
        external_id=key,
        key=key,
        title=str(milestone.get("title") or "")[:300],
        kind="milestone",
        status=str(milestone.get("state", "")),
        state="done" if closed else "in_progress",
        source_key=repo,
        url=str(milestone.get("html_url") or ""),
        due_on=parse_day(milestone.get("due_on")),
        created=parse_time(milestone.get("created_at")),
        updated=parse_time(milestone.get("updated_at")),
        done_at=parse_time(milestone.get("closed_at")) if closed else None,
    )


def _next_link(response: httpx.Response) -> str:
    match = _NEXT.search(response.headers.get("link", ""))
    return match.group(1) if match else ""


class GitHubSource:
    def __init__(self, http: Http, *, repos: list[str], project: str = "") -> None:
        self.http = http
        self.repos = repos
        self.project = project
        self.phases: tuple[str, ...] = (
            ("milestones", "issues", "project") if project else ("milestones", "issues")
        )

    def _rest(self, phase: str, cursor: str, since: datetime | None) -> Page:
        index, _, url = cursor.partition(" ") if cursor else ("0", "", "")
        position = int(index) if index.isdigit() else 0
        if position >= len(self.repos):
            return Page()
        repo = self.repos[position]
        if url:
            response = self.http.request("GET", url)
        elif phase == "milestones":
            response = self.http.request(
                "GET", f"/repos/{repo}/milestones", params={"state": "all", "per_page": 100, "sort": "due_on"}
            )
        else:
            params: dict[str, Any] = {"state": "all", "per_page": 100, "sort": "updated", "direction": "asc"}
            if since is not None:
                params["since"] = since.isoformat().replace("+00:00", "Z")
            response = self.http.request("GET", f"/repos/{repo}/issues", params=params)
        try:
            rows = response.json()
        except ValueError:
            raise SourceError("GitHub did not answer with JSON.") from None
        if not isinstance(rows, list):
            raise SourceError(f"GitHub answered {str(rows)[:200]}")
        if phase == "milestones":
            records = [milestone_record(m, repo) for m in rows]
        else:
            records = [issue_record(i, repo) for i in rows if "pull_request" not in i]
        following = _next_link(response)
        if following:
            next_cursor = f"{position} {following}"
        elif position + 1 < len(self.repos):
            next_cursor = f"{position + 1}"
        else:
            next_cursor = ""
        return Page(records=records, next_cursor=next_cursor)

    def _board(self, cursor: str) -> Page:
        org, _, number = self.project.partition("/")
        if not number.isdigit():
            raise SourceError("The GitHub project is named 'org/number', e.g. acme/7.")
        body = self.http.json(
            "POST",
            "/graphql",
            json={
                "query": PROJECT_ITEMS,
                "variables": {"org": org, "number": int(number), "after": cursor or None},
            },
        )
        if body.get("errors"):
            raise SourceError(f"GitHub refused the project query: {str(body['errors'])[:300]}")
        items = (
            (((body.get("data") or {}).get("organization") or {}).get("projectV2") or {}).get("items")
        ) or {}
        patches = []
        for node in items.get("nodes") or []:
            content = node.get("content") or {}
            status = (node.get("fieldValueByName") or {}).get("name")
            if not content.get("number") or not status:
                continue
            repo = (content.get("repository") or {}).get("nameWithOwner", "")
            lowered = str(status).lower()
            state = (
                "done"
                if lowered == "done"
                else "in_progress"
                if "progress" in lowered or "review" in lowered
                else None
            )
            patches.append(
                StatusPatch(key=f"{repo}#{content['number']}", status=str(status)[:80], state=state)
            )
        info = items.get("pageInfo") or {}
        return Page(
            patches=patches, next_cursor=str(info.get("endCursor") or "") if info.get("hasNextPage") else ""
        )

    def fetch(self, phase: str, cursor: str, since: datetime | None) -> Page:
        if phase == "project":
            return self._board(cursor)
        return self._rest(phase, cursor, since)

    def check(self) -> str:
        me = self.http.json("GET", "/user")
        return str(me.get("login") or "GitHub")
