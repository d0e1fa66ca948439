"""Report dates outside the calendar reports cover are refused with a reason, never a server error:
the look-back windows (90 days of feedback, 26 weeks of KPIs) would leave Python's calendar."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from northstar.core.errors import ValidationFailed
from northstar.reports import services
from northstar.reports.models import Pack
from tests.reports.factories import TODAY


def test_a_health_date_before_any_data_shows_today_and_says_why(cast, client):
    client.force_login(cast.stakeholder)
    page = client.get(reverse("reports:health"), {"date": "0001-01-01"})
    assert page.status_code == 200
    assert "0001-01-01 is outside the dates reports cover" in page.content.decode()
    api = client.get("/api/v1/reports/health", {"on": "0001-01-01"})
    assert api.status_code == 422 and "outside the dates reports cover" in api.json()["message"]


@pytest.mark.parametrize("cut_off", ["0001-01-01", "9999-12-31"])
def test_a_pack_cut_off_outside_the_calendar_is_refused(cast, client, cut_off):
    client.force_login(cast.leader)
    page = client.post(reverse("reports:pack_create"), {"template": "board", "cut_off": cut_off})
    assert page.status_code == 422 and "outside the dates reports cover" in page.content.decode()
    api = client.post(
        "/api/v1/reports/packs",
        {"template": "executive", "cut_off": cut_off},
        content_type="application/json",
    )
    assert api.status_code == 422 and "The cut-off" in api.json()["message"]
    assert not Pack.objects.exists()
    with pytest.raises(CommandError, match="outside the dates reports cover"):
        call_command("pack", template="board", cut_off=cut_off, output="-")


def test_a_draft_keeps_its_cut_off_when_the_new_one_is_outside_the_calendar(cast):
    from datetime import date

    pack = services.pack_create(actor=cast.leader, template="board", cut_off=TODAY, sections=["budget"])
    with pytest.raises(ValidationFailed):
        services.pack_update(actor=cast.leader, pack=pack, cut_off=date(9999, 12, 31))
    pack.refresh_from_db()
    assert pack.cut_off == TODAY
