"""History and the audit log name what changed: "Owner: Olive → Ben", not "owner_id: 6 → 7"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core import audit_display
from northstar.core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _entry(initiative, changes):
    return AuditEntry.objects.create(
        action=AuditEntry.Action.UPDATE,
        record_type="portfolio.initiative",
        record_id=str(initiative.pk),
        record_repr=str(initiative),
        changes=changes,
    )


def test_related_records_show_by_name_fields_by_label_and_choices_by_their_words(cast):
    olive, ben = factories.make_person(name="Olive Owner"), factories.make_person(name="Ben Brook")
    entry = _entry(
        cast.home_initiative,
        {
            "owner_id": [olive.pk, ben.pk],
            "parent_id": [None, cast.away_initiative.pk],
            "stage": ["idea", "discovery"],
            "problem_statement": ["", "Slow"],
            "owner_gone_id": [1, 2],
        },
    )
    [shown] = audit_display.readable([entry])
    rows = {c.label: (c.old, c.new) for c in shown.readable_changes}
    assert rows["Owner"] == ("Olive Owner", "Ben Brook")
    assert rows["Parent"] == (None, "Away work")
    assert rows["Stage"] == ("Idea", "Discovery")
    assert rows["Problem statement"] == ("", "Slow")
    assert rows["Owner gone"] == (1, 2)  # no such field: shown as stored


def test_a_deleted_record_is_marked_by_id(cast):
    entry = _entry(cast.home_initiative, {"owner_id": [987654, None]})
    [shown] = audit_display.readable([entry])
    assert shown.readable_changes[0].old == "#987654 (deleted)"


def test_tags_kept_by_name_show_as_their_names_not_as_deleted_records(cast):
    entry = _entry(cast.home_initiative, {"tags": [[], ["mobile", "payments"]]})
    [shown] = audit_display.readable([entry])
    assert shown.readable_changes[0].new == "mobile, payments"


def test_the_initiative_history_and_the_audit_log_show_names(cast, login):
    olive = factories.make_person(name="Olive Owner")
    _entry(cast.home_initiative, {"owner_id": [None, olive.pk]})
    client = login(cast.leader)
    page = client.get(reverse("portfolio:detail", args=[cast.home_initiative.pk])).content.decode()
    assert "Olive Owner" in page and "owner_id" not in page
    log = client.get(reverse("core:audit")).content.decode()
    assert "Olive Owner" in log and "owner_id" not in log
