"""A real drain worker, really killed mid-way: every accepted event is written, and written once.

Batches are accepted through the capture service in one `northstar shell` process (the endpoint's
own path after its schema check), which queues a drain; a `northstar worker` process takes the
drain and is SIGKILLed once some chunks are in and others are not. A second worker retries the
job after the first one's lease runs out. Modelled on tests/core/test_job_workers.py.
"""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest
from django.db import connection

from tests.core.test_job_workers import Site
from tests.environment import require

BATCHES, SIZE = 120, 250
TOTAL = BATCHES * SIZE

ACCEPT = f"""
from django.utils import timezone
from northstar.analytics import ingest
from northstar.analytics.models import Site
from northstar.core.models import Job
from northstar.org.models import Person, Product, ProductLine
director = Person.objects.create(name="Ingest", email="ingest@example.com")
line = ProductLine.objects.create(name="Ingest", director=director)
product = Product.objects.create(line=line, name="Ingest")
site = Site.objects.create(product=product, name="Ingest", key="ns_a_ingest")
now = timezone.now()
for b in range({BATCHES}):
    events = [dict(type="click", at=now, visitor=f"v{{b}}", path="/cart", selector="button#pay", x=i, y=1)
              for i in range({SIZE})]
    assert ingest.events_capture(key=site.key, events=events).stored == {SIZE}
# One batch per transaction, so the kill lands between many small commits.
assert Job.objects.filter(task=ingest.DRAIN_TASK).update(kwargs={{"chunk": 1}}) == 1
print(Job.objects.get(task=ingest.DRAIN_TASK).pk)
"""


def _counts(site: Site) -> tuple[int, int, int]:
    """(events written, distinct (visitor, x) among them, events still spooled)."""
    sql = (
        "SELECT (SELECT COUNT(*) FROM analytics_event),"
        " (SELECT COUNT(*) FROM (SELECT DISTINCT visitor, x FROM analytics_event) AS d),"
        " (SELECT COALESCE(SUM(events), 0) FROM analytics_spooledbatch)"
    )
    if site.sqlite is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return tuple(cursor.fetchone())
    with sqlite3.connect(site.sqlite, timeout=30) as db:
        return db.execute(sql).fetchone()


def _kill_mid_drain_then_recover(site: Site) -> None:
    job = int(site.run("shell", "-c", ACCEPT).strip().splitlines()[-1])
    assert _counts(site) == (0, 0, TOTAL)  # accepted, nothing written: no worker has run
    first = site.worker()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            written, _, _ = _counts(site)
            if written >= TOTAL // 10:
                break
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    written, distinct, spooled = _counts(site)
    assert 0 < written < TOTAL, "the kill should land mid-drain"
    assert written + spooled == TOTAL and distinct == written  # nothing lost, nothing twice

    second = site.worker("--max-jobs", "1", "--wait", "150")
    try:
        row = site.wait(job, lambda r: r["status"] not in {"queued", "running"})
        out, _ = second.communicate(timeout=180)
    finally:
        if second.poll() is None:
            second.kill()
    assert row["status"] == "succeeded" and row["attempts"] == 2, (row, out)
    assert _counts(site) == (TOTAL, TOTAL, 0)


@pytest.mark.django_db(transaction=True)
def test_a_killed_embedded_drain_worker_loses_no_event(tmp_path):
    _kill_mid_drain_then_recover(Site(tmp_path, "thread"))


@pytest.mark.django_db(transaction=True)
def test_a_killed_redis_drain_worker_loses_no_event(tmp_path):
    from tests.core.test_jobs import _redis_url

    url = _redis_url()
    require("Redis", url is not None, hint="nothing answers on 127.0.0.1:6379")
    import redis

    url = url.rsplit("/", 1)[0] + "/13"  # a database of its own: the core job tests flush theirs
    redis.Redis.from_url(url).flushdb()
    _kill_mid_drain_then_recover(Site(tmp_path, "redis", url))
