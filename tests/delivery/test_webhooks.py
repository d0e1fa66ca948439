"""Webhook receivers: a delivery signed with the connection's secret lands; anything else is refused."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse

from northstar.delivery.models import WorkItem
from northstar.delivery.webhooks import sign
from tests.delivery.conftest import github_connection, jira_connection, linear_connection
from tests.delivery.fakes import github, jira, linear

NOW = datetime(2026, 2, 1, tzinfo=UTC)


def _post(connection, body: dict, **headers):
    raw = json.dumps(body).encode()
    return raw, lambda signature_headers: Client().post(
        reverse("delivery:webhook", args=[connection.pk]),
        data=raw,
        content_type="application/json",
        headers={**headers, **signature_headers},
    )


def test_github_signed_issue_lands_and_a_wrong_signature_is_refused(cast, fake_github):
    connection = github_connection(cast, fake_github, webhook_secret="gh-secret")
    body = {
        "action": "closed",
        "issue": github.issue(7, closed=True, updated=NOW, milestone=1),
        "repository": {"full_name": "acme/app"},
    }
    raw, send = _post(connection, body, **{"X-GitHub-Event": "issues"})
    refused = send({"X-Hub-Signature-256": "sha256=" + sign("wrong", raw)})
    assert refused.status_code == 401 and not WorkItem.objects.exists()
    assert send({}).status_code == 401
    ok = send({"X-Hub-Signature-256": "sha256=" + sign("gh-secret", raw)})
    assert ok.status_code == 202, ok.content
    item = WorkItem.objects.get(key="acme/app#7")
    assert item.state == "done" and item.parent_key == "acme/app@m1"


def test_github_deliveries_for_other_repos_and_pull_requests_change_nothing(cast, fake_github):
    connection = github_connection(cast, fake_github, webhook_secret="s")
    for body in (
        {
            "action": "opened",
            "issue": github.issue(1, updated=NOW),
            "repository": {"full_name": "other/repo"},
        },
        {
            "action": "opened",
            "issue": github.issue(2, updated=NOW, pull=True),
            "repository": {"full_name": "acme/app"},
        },
    ):
        raw, send = _post(connection, body, **{"X-GitHub-Event": "issues"})
        assert send({"X-Hub-Signature-256": "sha256=" + sign("s", raw)}).status_code == 202
    assert not WorkItem.objects.exists()


def test_jira_signed_update_and_delete(cast, fake_jira):
    connection = jira_connection(cast, fake_jira)  # webhook secret "jira-secret"
    body = {
        "webhookEvent": "jira:issue_updated",
        "issue": jira.issue(9, state="in_progress", updated=NOW, summary="Wallet"),
    }
    raw, send = _post(connection, body)
    assert send({"X-Hub-Signature": "sha256=" + sign("jira-secret", raw)}).status_code == 202
    assert WorkItem.objects.get(key="PAY-9").title == "Wallet"
    gone = {"webhookEvent": "jira:issue_deleted", "issue": jira.issue(9, updated=NOW)}
    raw, send = _post(connection, gone)
    assert send({"X-Hub-Signature": "sha256=" + sign("jira-secret", raw)}).status_code == 202
    assert not WorkItem.objects.exists()


def test_linear_signature_and_replay_window(cast, fake_linear):
    connection = linear_connection(cast, fake_linear, webhook_secret="lin-secret")
    fresh = {
        "action": "update",
        "type": "Issue",
        "data": linear.issue(4, state="completed", updated=NOW),
        "webhookTimestamp": int(time.time() * 1000),
    }
    raw, send = _post(connection, fresh)
    assert send({"Linear-Signature": sign("lin-secret", raw)}).status_code == 202
    assert WorkItem.objects.get(key="ENG-4").state == "done"
    stale = dict(fresh, webhookTimestamp=int((time.time() - 3600) * 1000))
    raw, send = _post(connection, stale)
    replay = send({"Linear-Signature": sign("lin-secret", raw)})
    assert replay.status_code == 401 and "replay" in replay.json()["message"]


def test_a_connection_without_a_secret_or_a_bad_body_is_refused_without_a_500(cast, fake_github):
    connection = github_connection(cast, fake_github)
    raw, send = _post(connection, {"x": 1}, **{"X-GitHub-Event": "issues"})
    assert send({"X-Hub-Signature-256": "sha256=" + sign("", raw)}).status_code == 403
    secured = github_connection(cast, fake_github, name="GitHub 2", webhook_secret="s")
    bad = b"not json"
    response = Client().post(
        reverse("delivery:webhook", args=[secured.pk]),
        data=bad,
        content_type="application/json",
        headers={"X-Hub-Signature-256": "sha256=" + sign("s", bad), "X-GitHub-Event": "issues"},
    )
    assert response.status_code == 422
    odd = json.dumps({"issue": {"title": "no number"}, "repository": {"full_name": "acme/app"}}).encode()
    response = Client().post(
        reverse("delivery:webhook", args=[secured.pk]),
        data=odd,
        content_type="application/json",
        headers={"X-Hub-Signature-256": "sha256=" + sign("s", odd), "X-GitHub-Event": "issues"},
    )
    assert response.status_code == 422
    assert (
        Client()
        .post(reverse("delivery:webhook", args=[999999]), data=b"{}", content_type="application/json")
        .status_code
        == 404
    )
    assert Client().get(reverse("delivery:webhook", args=[secured.pk])).status_code == 405


def test_a_form_encoded_delivery_is_refused_with_a_clear_message_not_a_server_error(cast, fake_github):
    connection = github_connection(cast, fake_github, webhook_secret="s")
    url = reverse("delivery:webhook", args=[connection.pk])
    for response in (
        Client().post(url, {"payload": "{}"}),
        Client().post(url, "payload=%7B%7D", content_type="application/x-www-form-urlencoded"),
    ):
        assert response.status_code == 415
        assert "application/json" in response.json()["message"]
    assert not WorkItem.objects.exists()
