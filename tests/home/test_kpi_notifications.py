"""A KPI's owners hear of a new spike or level shift in it once, and nobody else does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from northstar.home import services
from northstar.home.models import Notification
from tests.strategy.factories import make_key_result, make_metric, make_series

pytestmark = pytest.mark.django_db


def test_owners_of_a_kpi_hear_of_a_new_anomaly_once(cast):
    metric = make_metric(name="Weekly signups", direction="up")
    make_series(
        metric,
        [100.0 + (i % 3) for i in range(60)] + [40.0],
        start=timezone.localdate() - timedelta(weeks=60),
    )
    make_key_result(title="Grow signups", metric=metric, owner=cast.pm_person)
    quiet = make_metric(name="Old news")
    make_series(quiet, [100.0 + (i % 3) for i in range(30)] + [40.0] + [100.0 + (i % 3) for i in range(30)])

    assert services.kpi_anomalies_notify() == 1
    [note] = Notification.objects.filter(kind=Notification.Kind.KPI_ANOMALY)
    assert note.recipient == cast.pm
    assert note.title.startswith("Weekly signups: a spike") and note.title.endswith("bad news")
    assert services.kpi_anomalies_notify() == 0  # told once
    assert not Notification.objects.filter(recipient=cast.leader).exists()
