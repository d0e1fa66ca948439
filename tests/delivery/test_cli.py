"""`northstar sync delivery`: syncs every connection with a token, names the one that failed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from northstar.delivery.models import WorkItem
from tests.delivery.conftest import jira_connection
from tests.delivery.fakes import jira


def test_sync_delivery_from_the_command_line(cast, fake_jira, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # the retries' back-off, not the test's time
    base = datetime(2026, 1, 5, tzinfo=UTC)
    fake_jira.issues = [jira.issue(n, updated=base + timedelta(minutes=n)) for n in range(1, 121)]
    jira_connection(cast, fake_jira)
    out = io.StringIO()
    call_command("sync", "delivery", stdout=out)
    assert "Jira: 120 items in 2 pages." in out.getvalue()
    assert WorkItem.objects.count() == 120
    fake_jira.fail_from = len(fake_jira.requests) + 1
    fake_jira.put(jira.issue(1, state="done", updated=datetime.now(UTC) + timedelta(minutes=2)))
    with pytest.raises(CommandError, match="Sync failed for Jira; the next sync resumes"):
        call_command("sync", "delivery", "--connection", "Jira", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No connection named 'Nope'"):
        call_command("sync", "delivery", "--connection", "Nope")
