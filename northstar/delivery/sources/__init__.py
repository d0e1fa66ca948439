"""Readers of the engineering tools: each turns its API's pages into `Record`s with a cursor."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from northstar.delivery.models import Connection, Tool
from northstar.delivery.secrets import reveal
from northstar.delivery.sources.base import Http, Page, Record, SourceError, StatusPatch
from northstar.delivery.sources.github import GitHubSource
from northstar.delivery.sources.jira import JiraSource
from northstar.delivery.sources.linear import LinearSource

__all__ = ["Http", "Page", "Record", "Source", "SourceError", "StatusPatch", "source_for"]


class Source(Protocol):
    phases: tuple[str, ...]
    http: Http

    def fetch(self, phase: str, cursor: str, since: datetime | None) -> Page: ...

    def check(self) -> str: ...


def source_for(connection: Connection, *, sleep: Callable[[float], None] | None = None) -> Source:
    """The reader of a connection's tool, authenticated with its (decrypted) token."""
    token = reveal(connection.token_encrypted)
    if not token:
        raise SourceError("This connection has no token: add one, or import the tool's export file instead.")
    pause = sleep or time.sleep
    if connection.tool == Tool.JIRA:
        http = Http(
            base_url=connection.base_url,
            headers={"Accept": "application/json"},
            auth=(connection.account, token),
            sleep=pause,
        )
        return JiraSource(
            http,
            base_url=connection.base_url,
            projects=connection.scopes,
            points_field=connection.points_field,
        )
    if connection.tool == Tool.LINEAR:
        http = Http(
            base_url=connection.base_url,
            headers={"Authorization": token, "Content-Type": "application/json"},
            sleep=pause,
        )
        return LinearSource(http, teams=connection.scopes)
    http = Http(
        base_url=connection.base_url,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        sleep=pause,
    )
    return GitHubSource(http, repos=connection.scopes, project=connection.github_project)
