"""Ingest never loses an accepted event: batches wait in the spool until a drain writes them, each
chunk written and removed in one transaction, so a drain that dies mid-way redoes nothing twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from northstar.analytics import ingest
from northstar.analytics.models import Event, ReceivedBatch, SpooledBatch
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
    assert ingest.spool_pending() == 60
    assert Job.objects.filter(task=ingest.DRAIN_TASK, status=Job.Status.QUEUED).count() == 1

    assert ingest.events_drain(chunk=2) == 60
    assert ingest.events_drain() == 0  # a second drain (a retried job) finds nothing to redo
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
    real = ingest._insert_stored
    calls = {"n": 0}

    def dies_on_the_second_chunk(rows):
        calls["n"] += 1
        real(rows)  # the events are inserted...
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # ...and the process dies before the chunk commits

    monkeypatch.setattr(ingest, "_insert_stored", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        ingest.events_drain(chunk=2)
    assert Event.objects.count() == 40  # the first chunk committed; the second rolled back whole
    assert ingest.spool_pending() == 40
    monkeypatch.setattr(ingest, "_insert_stored", real)
    assert ingest.events_drain() == 40
    assert Event.objects.count() == 80
    assert Event.objects.values("visitor", "x").distinct().count() == 80


def _retried(key: str, batch_id: str | None, visitor: str = "v1") -> str:
    events = [
        {"type": "pageview", "at": timezone.now().isoformat(), "visitor": visitor, "path": f"/p{i}"}
        for i in range(3)
    ]
    body: dict = {"key": key, "events": events}
    if batch_id is not None:
        body["batch_id"] = batch_id
    return json.dumps(body)


def test_a_retried_batch_is_answered_202_and_stored_once(cast):
    """The snippet retries a batch whose answer it never saw (a lost 202, a timeout): the server
    already has it, so the retry is accepted again and nothing lands twice."""
    site = make_site(product=cast.home_product)
    body = _retried(site.key, "b-7f3a9c")
    first = Client().post(URL, data=body, content_type="text/plain")
    again = Client().post(URL, data=body, content_type="text/plain")
    assert first.status_code == again.status_code == 202
    assert first.json()["stored"] == 3
    assert again.json()["stored"] == 0 and "already" in again.json()["message"].lower()
    ingest.events_drain()
    assert Event.objects.filter(site_id=site.pk).count() == 3


def test_batch_ids_are_per_site_and_batches_without_one_still_work(cast):
    """Another site may pick the same id (keys are public, so one site cannot mask another's
    batches); a snippet from before batch ids is stored every time, as it was."""
    one = make_site(product=cast.home_product)
    other = make_site(product=cast.home_product, name="Other web")
    for key in (one.key, other.key):
        assert Client().post(URL, data=_retried(key, "same"), content_type="text/plain").json()["stored"] == 3
    for _ in range(2):
        assert Client().post(URL, data=_retried(one.key, None), content_type="text/plain").status_code == 202
    ingest.events_drain()
    assert Event.objects.filter(site_id=one.pk).count() == 9
    assert Event.objects.filter(site_id=other.pk).count() == 3


def test_a_refused_batch_id_is_not_remembered(cast):
    """A batch refused whole (here: a bad event) is not stored, so its id must not block it later."""
    site = make_site(product=cast.home_product)
    bad = json.loads(_retried(site.key, "b-1"))
    bad["events"][0]["path"] = "no-slash"
    assert Client().post(URL, data=json.dumps(bad), content_type="text/plain").status_code == 422
    assert Client().post(URL, data=_retried(site.key, "b-1"), content_type="text/plain").json()["stored"] == 3


def test_remembered_batch_ids_are_pruned_after_the_window(cast):
    """The memory of batch ids is bounded: a drain forgets those older than the window."""
    site = make_site(product=cast.home_product)
    Client().post(URL, data=_retried(site.key, "old"), content_type="text/plain")
    Client().post(URL, data=_retried(site.key, "new"), content_type="text/plain")
    ReceivedBatch.objects.filter(batch_id="old").update(
        received_at=timezone.now() - ingest.DEDUPE_WINDOW - timedelta(minutes=1)
    )
    ingest.events_drain()
    assert list(ReceivedBatch.objects.values_list("batch_id", flat=True)) == ["new"]


def test_a_malformed_batch_id_is_refused(cast):
    site = make_site(product=cast.home_product)
    for bad in ("", "x" * 65, 7):
        answer = Client().post(URL, data=_retried(site.key, bad), content_type="text/plain")  # type: ignore[arg-type]
        assert answer.status_code == 422 and "batch_id" in answer.json()["message"]
