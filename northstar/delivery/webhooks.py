"""Webhook receivers: each tool signs its deliveries with the connection's shared secret; a delivery
whose signature does not match is refused before its body is read as JSON.

- GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; events `issues`, `milestone`.
- Jira Cloud: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` (webhooks with a secret);
  events `jira:issue_created|updated|deleted`.
- Linear: `Linear-Signature: <hex HMAC-SHA256 of the body>`, and `webhookTimestamp` (ms) in the body
  must be within a minute of now, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from northstar.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from northstar.delivery.models import Connection, Tool, WorkItem
from northstar.delivery.secrets import reveal
from northstar.delivery.sources import Record, jira, linear
from northstar.delivery.sources import github as gh
from northstar.delivery.sync import items_upsert, parents_resolve, team_map

#: How old (or early) a Linear delivery may be, in seconds.
LINEAR_TOLERANCE = 60


class Unauthenticated(ApplicationError):
    status_code = 401


@dataclass
class Delivery:
    """What one webhook delivery changes."""

    records: list[Record] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # external ids


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(
    connection: Connection, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> None:
    """Refuse a delivery that is not signed with the connection's webhook secret."""
    secret = reveal(connection.webhook_secret_encrypted)
    if not secret:
        raise PermissionDenied(
            "This connection has no webhook secret: set one before pointing a webhook here."
        )
    lower = {k.lower(): v for k, v in headers.items()}
    if connection.tool == Tool.GITHUB:
        given = lower.get("x-hub-signature-256", "")
        expected = "sha256=" + sign(secret, body)
    elif connection.tool == Tool.JIRA:
        given = lower.get("x-hub-signature", "")
        expected = "sha256=" + sign(secret, body)
    else:
        given = lower.get("linear-signature", "")
        expected = sign(secret, body)
    if not given or not hmac.compare_digest(given.strip(), expected):
        raise Unauthenticated("The webhook signature does not match this connection's secret.")
    if connection.tool == Tool.LINEAR:
        try:
            stamp = float(json.loads(body).get("webhookTimestamp", 0)) / 1000
        except (ValueError, AttributeError, TypeError):
            stamp = 0.0
        if abs((now if now is not None else time.time()) - stamp) > LINEAR_TOLERANCE:
            raise Unauthenticated(
                "The webhook delivery is too old (or from the future): refused as a replay."
            )


def parse(connection: Connection, headers: Mapping[str, str], payload: dict[str, Any]) -> Delivery:
    lower = {k.lower(): v for k, v in headers.items()}
    out = Delivery()
    if connection.tool == Tool.GITHUB:
        repo = str((payload.get("repository") or {}).get("full_name", ""))
        event = lower.get("x-github-event", "")
        if repo not in connection.scopes:
            return out
        if event == "issues" and isinstance(payload.get("issue"), dict):
            if "pull_request" in payload["issue"]:
                return out
            if payload.get("action") == "deleted":
                out.deleted.append(f"{repo}#{payload['issue'].get('number')}")
            else:
                out.records.append(gh.issue_record(payload["issue"], repo))
        elif event == "milestone" and isinstance(payload.get("milestone"), dict):
            if payload.get("action") == "deleted":
                out.deleted.append(gh.milestone_key(repo, payload["milestone"].get("number")))
            else:
                out.records.append(gh.milestone_record(payload["milestone"], repo))
    elif connection.tool == Tool.JIRA:
        issue = payload.get("issue")
        if isinstance(issue, dict):
            project = str(((issue.get("fields") or {}).get("project") or {}).get("key", ""))
            if project and project not in connection.scopes:
                return out
            if payload.get("webhookEvent") == "jira:issue_deleted":
                out.deleted.append(str(issue.get("id", "")))
            else:
                out.records.append(
                    jira.record(issue, base_url=connection.base_url, points_field=connection.points_field)
                )
    else:
        data = payload.get("data")
        if isinstance(data, dict) and payload.get("type") in ("Issue", "Project"):
            if payload.get("type") == "Issue":
                team = str((data.get("team") or {}).get("key", ""))
                if team and team not in connection.scopes:
                    return out
                if payload.get("action") == "remove":
                    out.deleted.append(str(data.get("identifier") or data.get("id")))
                else:
                    out.records.append(linear.issue_record(data))
            elif payload.get("action") == "remove":
                out.deleted.append(str(data.get("id")))
            else:
                out.records.append(linear.project_record(data))
    return out


def webhook_receive(*, connection: Connection, headers: Mapping[str, str], body: bytes) -> Delivery:
    """Verify a delivery and apply it: items upserted, deleted items removed, containers linked."""
    verify(connection, headers, body)
    try:
        payload = json.loads(body)
    except ValueError:
        raise ValidationFailed("The webhook body is not JSON.") from None
    if not isinstance(payload, dict):
        raise ValidationFailed("The webhook body is not a JSON object.")
    try:
        delivery = parse(connection, headers, payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"The webhook body is not in the tool's shape: {exc}") from None
    with transaction.atomic():
        items_upsert(connection, delivery.records, teams=team_map(connection))
        if delivery.deleted:
            WorkItem.objects.filter(connection=connection, external_id__in=delivery.deleted).delete()
        parents_resolve(connection)
    if delivery.records or delivery.deleted:
        from northstar.delivery.services import after_items_changed

        after_items_changed(connection)
    return delivery
