"""A fake Jira Cloud: `GET /rest/api/3/search/jql` with JQL `project in (...)` and `updated >= "..."`,
`nextPageToken` / `isLast` paging, Basic authentication, `GET /rest/api/3/myself`, and Jira Cloud's
rate-limit headers: `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every answer
(`X-RateLimit-NearLimit` under a fifth left), and on a 429 `Retry-After`, `X-RateLimit-Reset` (ISO 8601,
to the minute, as Jira writes it) and `RateLimit-Reason`. With `quota` set, the fake counts requests per
window on its `clock` and refuses (429) a request made after the quota is spent and before its reset;
the answer that spends the last request says so (`Remaining: 0`, with the reset time).
Issues are kept in the REST v3 shape.

Run alone (for benchmarks): `python -m tests.delivery.fakes.jira --issues 100000` prints its URL.
"""

from __future__ import annotations

import argparse
import base64
import math
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.delivery.fakes.server import Answer, FakeTool, Request, as_json

EMAIL = "bot@example.com"
TOKEN = "jira-token"
_UPDATED = re.compile(r'updated >= "(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"')
_PROJECTS = re.compile(r"project in \(([^)]*)\)")
CATEGORIES = {
    "todo": ("new", "To Do"),
    "in_progress": ("indeterminate", "In Progress"),
    "done": ("done", "Done"),
}


def reset_stamp(moment: float) -> str:
    """Jira's X-RateLimit-Reset: an ISO 8601 time to the minute, rounded up so it is never early."""
    return datetime.fromtimestamp(math.ceil(moment / 60) * 60, UTC).strftime("%Y-%m-%dT%H:%MZ")


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.000+0000").replace(tzinfo=UTC)


def jira_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def issue(
    number: int,
    *,
    project: str = "PAY",
    kind: str = "Story",
    state: str = "todo",
    updated: datetime,
    parent: str | None = None,
    points: float | None = None,
    summary: str | None = None,
    resolved: datetime | None = None,
    sprint: str | None = None,
) -> dict[str, Any]:
    category, status = CATEGORIES[state]
    fields: dict[str, Any] = {
        "summary": summary or f"{kind} {number}",
        "issuetype": {"name": kind, "hierarchyLevel": 1 if kind == "Epic" else 0},
        "status": {"name": status, "statusCategory": {"key": category}},
        "project": {"key": project},
        "created": jira_time(updated - timedelta(days=20)),
        "updated": jira_time(updated),
        "resolutiondate": jira_time(resolved or updated) if state == "done" else None,
        "resolution": {"name": "Done"} if state == "done" else None,
        "customfield_10016": points,
        "customfield_10020": [{"id": 1, "name": sprint, "state": "active"}] if sprint else None,
    }
    if parent:
        fields["parent"] = {"key": parent}
    return {"id": str(10_000 + number), "key": f"{project}-{number}", "self": "", "fields": fields}


class FakeJira(FakeTool):
    page_limit = 100

    def __init__(self, issues: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.issues = issues or []
        self.quota: int | None = None  # requests a window allows; None: never runs out
        self.window = 60.0  # seconds a window lasts from its first request
        self.clock: Callable[[], float] = time.time
        self.refused = 0  # 429s answered because the quota was spent
        self._window_end = 0.0
        self._used = 0
        self._cache: dict[tuple[frozenset[str], datetime | None], list[dict[str, Any]]] = {}

    def put(self, changed: dict[str, Any]) -> None:
        """Add an issue, or replace the one with its key (as an edit in Jira would)."""
        self.issues = [i for i in self.issues if i["key"] != changed["key"]] + [changed]
        self._cache = {}

    def _matching(self, keys: frozenset[str], cutoff: datetime | None) -> list[dict[str, Any]]:
        """Issues of these projects updated at or after the cutoff, oldest change first (cached per
        query while the issues stay the same, so paging 100,000 issues stays cheap)."""
        key = (keys, cutoff)
        if key not in self._cache:
            rows = [
                i
                for i in self.issues
                if i["fields"]["project"]["key"] in keys
                and (cutoff is None or _parse(i["fields"]["updated"]) >= cutoff)
            ]
            rows.sort(key=lambda i: (i["fields"]["updated"], i["key"]))
            self._cache = {key: rows}
        return self._cache[key]

    def _limit_headers(self, remaining: int) -> dict[str, str]:
        limit = self.quota or 100
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining)}
        if remaining < limit / 5:
            headers["X-RateLimit-NearLimit"] = "true"
        return headers

    def _refusal(self, wait: float, reset: float) -> Answer:
        return as_json(
            429,
            {"errorMessages": ["Rate limit exceeded."]},
            {
                **self._limit_headers(0),
                "Retry-After": str(math.ceil(wait)),
                "X-RateLimit-Reset": reset_stamp(reset),
                "RateLimit-Reason": "jira-burst-based",
            },
        )

    def rate_limited(self, request: Request) -> Answer:
        now = self.clock()
        return self._refusal(1, now + 1)

    def _spend(self) -> Answer | dict[str, str]:
        """Count one request against the quota: its headers, or the 429 when none is left."""
        now = self.clock()
        if now >= self._window_end:
            self._window_end, self._used = now + self.window, 0
        if self.quota is None:
            return self._limit_headers(99)
        if self._used >= self.quota:
            self.refused += 1
            return self._refusal(self._window_end - now, self._window_end)
        self._used += 1
        headers = self._limit_headers(self.quota - self._used)
        if self._used == self.quota:
            headers["X-RateLimit-Reset"] = reset_stamp(self._window_end)
        return headers

    def _authorised(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        return request.headers.get("authorization") == expected

    def answer(self, request: Request) -> Answer:
        if not self._authorised(request):
            return as_json(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
        spent = self._spend()
        if isinstance(spent, tuple):
            return spent
        if request.path == "/rest/api/3/myself":
            me = {"accountId": "1", "displayName": "Sync Bot", "emailAddress": EMAIL}
            return as_json(200, me, spent)
        if request.path != "/rest/api/3/search/jql":
            return as_json(404, {"errorMessages": ["Not found"]})
        jql = request.arg("jql")
        projects = _PROJECTS.search(jql)
        if projects is None:
            return as_json(400, {"errorMessages": ["Error in the JQL Query: expected a project clause."]})
        keys = frozenset(p.strip().strip('"') for p in projects.group(1).split(","))
        since = _UPDATED.search(jql)
        cutoff = datetime.strptime(since.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC) if since else None
        rows = self._matching(keys, cutoff)
        token = request.arg("nextPageToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        size = min(int(request.arg("maxResults", "50")), self.page_limit)
        page = rows[start : start + size]
        body: dict[str, Any] = {"issues": page, "isLast": start + size >= len(rows)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return as_json(200, body, spent)


def many(
    count: int, *, projects: tuple[str, ...] = ("PAY", "CHK"), epics_every: int = 50
) -> list[dict[str, Any]]:
    """A large history: every `epics_every`-th issue is an epic the next ones belong to."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    epic_key = None
    for n in range(1, count + 1):
        project = projects[n % len(projects)]
        if n % epics_every == 1:
            out.append(
                issue(
                    n, project=project, kind="Epic", state="in_progress", updated=base + timedelta(minutes=n)
                )
            )
            epic_key = f"{project}-{n}"
            continue
        state = ("done", "in_progress", "todo")[n % 3]
        out.append(
            issue(
                n,
                project=project,
                state=state,
                updated=base + timedelta(minutes=n),
                parent=epic_key,
                points=float(n % 5 + 1),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a fake Jira Cloud on 127.0.0.1.")
    parser.add_argument("--issues", type=int, default=1000)
    args = parser.parse_args(argv)
    fake = FakeJira(many(args.issues)).start()
    print(fake.url, flush=True)
    try:
        while sys.stdin.readline():
            pass
    finally:
        fake.stop()
    time.sleep(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
