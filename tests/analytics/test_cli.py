"""`northstar analytics`: import a CSV, export it back, purge past retention."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from northstar.analytics.models import Event
from tests.analytics.factories import make_site


def test_import_export_round_trip_and_purge(cast, tmp_path):
    site = make_site(product=cast.home_product, retention_days=30)
    recent = (timezone.now() - timedelta(days=2)).isoformat()
    old = (timezone.now() - timedelta(days=40)).isoformat()
    path = tmp_path / "events.csv"
    path.write_text(
        f"at,type,visitor,path,selector\n{recent},click,v1,/cart,button#pay\n{old},pageview,v2,/\n"
    )
    out = io.StringIO()
    call_command("analytics", "import", site.key, str(path), stdout=out)
    assert "Imported 2 events" in out.getvalue()
    exported = io.StringIO()
    call_command("analytics", "export", site.key, stdout=exported)
    lines = exported.getvalue().splitlines()
    assert lines[0].startswith("at,type,visitor") and len(lines) == 3 and "button#pay" in lines[2]
    call_command("analytics", "purge", stdout=io.StringIO())
    assert list(Event.objects.values_list("visitor", flat=True)) == ["v1"]
    path.write_text("at,type,visitor,path\nyesterday,click,v1,/\n")
    with pytest.raises(CommandError, match="Row 2"):
        call_command("analytics", "import", site.key, str(path), stdout=io.StringIO())
