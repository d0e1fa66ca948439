"""Ingest never loses an accepted event: batches wait in the spool until a drain writes them, each
chunk written and removed in one transaction, so a drain that dies mid-way redoes nothing twice."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from northstar.analytics import services
from northstar.analytics.models import Event, SpooledBatch
from northstar.core.models import Job
from tests.analytics.factories import make_site

URL = "/api/v1/analytics/collect"


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    yield
    cache.clear()


def _post(key: str, batch: int, size: int = 20) -> int:
    events = [
        {
            "type": "click",
            "at": timezone.now().isoformat(),
            "visitor": f"v{batch}",
            "path": "/cart",
            "selector": "button#pay",
            "x": i,
            "y": 1,
            "props": {"plan": "pro"},
        }
        for i in range(size)
    ]
    answer = Client().post(URL, data=json.dumps({"key": key, "events": events}), content_type="text/plain")
    assert answer.status_code == 202, answer.content
    return answer.json()["stored"]


def test_an_accepted_batch_waits_in_the_spool_until_a_drain_writes_it_once(cast):
    site = make_site(product=cast.home_product)
    accepted = sum(_post(site.key, b) for b in range(3))
    # Accepted (202) but no worker has run yet: nothing in the event table, all of it spooled, and
    # exactly one drain queued however many batches arrived.
    assert accepted == 60 and Event.objects.count() == 0
    assert services.spool_pending() == 60
    assert Job.objects.filter(task=services.DRAIN_TASK, status=Job.Status.QUEUED).count() == 1

    assert services.events_drain(chunk=2) == 60
    assert services.events_drain() == 0  # a second drain (a retried job) finds nothing to redo
    assert not SpooledBatch.objects.exists()
    stored = Event.objects.filter(site_id=site.pk)
    assert stored.count() == 60
    assert stored.values("visitor", "x").distinct().count() == 60
    first = stored.get(visitor="v0", x=3)
    assert first.props == {"plan": "pro"} and first.selector == "button#pay"
    assert abs((first.at - timezone.now()).total_seconds()) < 120


def test_a_drain_that_dies_mid_chunk_leaves_its_batches_spooled(cast, monkeypatch):
    site = make_site(product=cast.home_product)
    for b in range(4):
        _post(site.key, b)
    real = services._insert_stored
    calls = {"n": 0}

    def dies_on_the_second_chunk(rows):
        calls["n"] += 1
        real(rows)  # the events are inserted...
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # ...and the process dies before the chunk commits

    monkeypatch.setattr(services, "_insert_stored", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        services.events_drain(chunk=2)
    assert Event.objects.count() == 40  # the first chunk committed; the second rolled back whole
    assert services.spool_pending() == 40
    monkeypatch.setattr(services, "_insert_stored", real)
    assert services.events_drain() == 40
    assert Event.objects.count() == 80
    assert Event.objects.values("visitor", "x").distinct().count() == 80
