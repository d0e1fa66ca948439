"""The audit log says who changed what, field by field, and stores no secrets: share-link tokens, API
tokens and passwords are recorded as changed, never by value."""

from __future__ import annotations

import json
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from northstar.core import audit
from northstar.core.models import AuditEntry
from northstar.planning import services as planning_services
from tests.conftest import Cast


def _everything_logged() -> str:
    return json.dumps(list(AuditEntry.objects.values("record_repr", "changes")))


def test_a_share_link_token_never_reaches_the_audit_log(cast: Cast) -> None:
    link = planning_services.share_link_create(actor=cast.leader, label="Board, Q3 review")
    planning_services.share_link_revoke(actor=cast.leader, link=link)
    entry = AuditEntry.objects.filter(record_type="planning.sharelink", action="create").get()
    assert entry.changes["token"] == [None, audit.REDACTED]
    assert entry.changes["label"] == [None, "Board, Q3 review"]
    assert link.token not in _everything_logged()


def test_secret_fields_are_recognised_by_name() -> None:
    for name in ("token", "password", "digest", "totp_secret", "refresh_token", "smtp_password"):
        assert audit.is_secret(name), name
    for name in ("title", "tokens_used", "key"):
        assert not audit.is_secret(name), name
    assert audit.diff({"password": "old"}, {"password": "new"}) == {
        "password": [audit.REDACTED, audit.REDACTED]
    }


def test_the_upgrade_redacts_tokens_logged_by_earlier_releases(cast: Cast) -> None:
    leaked = AuditEntry.objects.create(
        actor=cast.leader,
        action=AuditEntry.Action.CREATE,
        record_type="planning.sharelink",
        record_id="1",
        record_repr="Board",
        changes={"token": [None, "s3cret-token"], "label": [None, "Board"]},
    )
    editor = SimpleNamespace(connection=connection)
    import_module("northstar.core.migrations.0005_redact_audit_secrets").redact(apps, editor)
    leaked.refresh_from_db()
    assert leaked.changes == {"token": [None, "[redacted]"], "label": [None, "Board"]}
