"""A fake GitHub: REST issues (`since`, `per_page`, `page`, the `Link` header, pull requests mixed in
as the real endpoint does), milestones, `GET /user`, a Projects board through `POST /graphql`, and the
rate-limit headers (`X-RateLimit-Remaining` / `X-RateLimit-Reset`, 403 with `Retry-After` for a
secondary limit). Bearer token authentication."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.delivery.fakes.server import Answer, FakeTool, Request, as_json

TOKEN = "ghp_fake"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(
    number: int,
    *,
    repo: str = "acme/app",
    closed: bool = False,
    updated: datetime,
    milestone: int | None = None,
    pull: bool = False,
    title: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 900_000 + number,
        "number": number,
        "title": title or f"Issue {number}",
        "state": "closed" if closed else "open",
        "state_reason": (reason or "completed") if closed else None,
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "labels": [],
        "assignee": None,
        "milestone": {"number": milestone, "title": f"Milestone {milestone}"} if milestone else None,
        "created_at": iso(updated - timedelta(days=5)),
        "updated_at": iso(updated),
        "closed_at": iso(updated) if closed else None,
        "repository_url": f"https://api.github.com/repos/{repo}",
    }
    if pull:
        body["pull_request"] = {"url": f"https://api.github.com/repos/{repo}/pulls/{number}"}
    return body


def milestone(
    number: int, title: str, *, repo: str = "acme/app", closed: bool = False, updated: datetime
) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "state": "closed" if closed else "open",
        "html_url": f"https://github.com/{repo}/milestone/{number}",
        "due_on": "2026-06-30T07:00:00Z",
        "created_at": iso(updated - timedelta(days=30)),
        "updated_at": iso(updated),
        "closed_at": iso(updated) if closed else None,
        "open_issues": 0,
        "closed_issues": 0,
    }


class FakeGitHub(FakeTool):
    def __init__(
        self,
        issues: dict[str, list[dict[str, Any]]] | None = None,
        milestones: dict[str, list[dict[str, Any]]] | None = None,
        board: list[tuple[str, int, str]] | None = None,
    ) -> None:
        super().__init__()
        self.issues = issues or {}
        self.milestones = milestones or {}
        self.board = board or []  # (repo, issue number, status)
        self.remaining = 5000

    def rate_limited(self, request: Request) -> Answer:
        return as_json(
            403,
            {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
            {"Retry-After": "1", "X-RateLimit-Remaining": "4000"},
        )

    def _limits(self) -> dict[str, str]:
        self.remaining -= 1
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": str(5000 - self.remaining),
        }

    def _list(self, request: Request, rows: list[dict[str, Any]], path: str) -> Answer:
        per_page = min(int(request.arg("per_page", "30")), 100)
        page = int(request.arg("page", "1"))
        chunk = rows[(page - 1) * per_page : page * per_page]
        headers = self._limits()
        if page * per_page < len(rows):
            query = "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k != "page")
            base = f"http://{request.headers.get('host')}{path}"
            headers["Link"] = (
                f'<{base}?{query}&page={page + 1}>; rel="next", <{base}?{query}&page=999>; rel="last"'
            )
        return as_json(200, chunk, headers)

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return as_json(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            )
        parts = request.path.strip("/").split("/")
        if request.path == "/user":
            return as_json(200, {"login": "sync-bot"}, self._limits())
        if request.path == "/graphql":
            return self._graphql(request)
        if len(parts) == 4 and parts[0] == "repos":
            repo = f"{parts[1]}/{parts[2]}"
            if repo not in self.issues and repo not in self.milestones:
                return as_json(404, {"message": "Not Found"})
            if parts[3] == "issues":
                since = request.arg("since")
                rows = self.issues.get(repo, [])
                if since:
                    cutoff = datetime.fromisoformat(since.replace("Z", "+00:00"))
                    rows = [
                        r
                        for r in rows
                        if datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00")) >= cutoff
                    ]
                rows = sorted(rows, key=lambda r: (r["updated_at"], r["number"]))
                return self._list(request, rows, request.path)
            if parts[3] == "milestones":
                return self._list(request, self.milestones.get(repo, []), request.path)
        return as_json(404, {"message": "Not Found"})

    def _graphql(self, request: Request) -> Answer:
        variables = request.json().get("variables") or {}
        start = int(variables.get("after") or 0)
        chunk = self.board[start : start + 100]
        nodes = [
            {
                "content": {"number": number, "repository": {"nameWithOwner": repo}},
                "fieldValueByName": {"name": status},
            }
            for repo, number, status in chunk
        ]
        end = start + len(chunk)
        items = {"nodes": nodes, "pageInfo": {"hasNextPage": end < len(self.board), "endCursor": str(end)}}
        return as_json(200, {"data": {"organization": {"projectV2": {"items": items}}}}, self._limits())


def history(count: int, *, repo: str = "acme/app") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    milestones = [milestone(m, f"Release {m}", repo=repo, updated=base) for m in (1, 2)]
    issues = [
        issue(
            n,
            repo=repo,
            closed=n % 2 == 0,
            updated=base + timedelta(minutes=n),
            milestone=n % 2 + 1,
            pull=n % 10 == 0,
        )
        for n in range(1, count + 1)
    ]
    return issues, milestones
