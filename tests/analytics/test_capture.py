"""The capture endpoint: a site's key lets good batches in whole, and refuses bad ones with a clear 4xx."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.analytics import ingest
from northstar.analytics.models import Event, EventKind, Site
from tests.analytics.factories import make_site
from tests.factories import make_line, make_product

URL = "/api/v1/analytics/collect"


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    yield
    cache.clear()


def _batch(key: str, *events: dict, **extra: object) -> str:
    return json.dumps({"key": key, "events": list(events), **extra})


def _click(**kw: object) -> dict:
    return {
        "type": "click",
        "at": timezone.now().isoformat(),
        "visitor": "v1",
        "path": "/cart",
        "selector": "button#pay",
        "x": 10,
        "y": 20,
        **kw,
    }


def post(body: str, *, drain: bool = True, **headers: str):
    """Post a batch; with `drain`, the drain job it queues runs once the request's work commits (as the
    test settings' immediate backend does outside a test transaction)."""
    if not drain:
        return Client().post(URL, data=body, content_type="text/plain", headers=headers)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(URL, data=body, content_type="text/plain", headers=headers)


@pytest.fixture
def site(cast) -> Site:
    return make_site(product=cast.home_product, allowed_origins="https://shop.example.com")


def test_a_good_batch_is_stored_whole_and_answered_202(site):
    page = {"type": "pageview", "at": timezone.now().isoformat(), "visitor": "v1", "path": "/cart"}
    vital = {
        "type": "vital",
        "at": timezone.now().isoformat(),
        "visitor": "v1",
        "path": "/cart",
        "name": "LCP",
        "value": 1800,
    }
    response = post(_batch(site.key, page, _click(dead=True), vital), Origin="https://shop.example.com")
    assert response.status_code == 202, response.content
    assert response.json()["stored"] == 3
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    stored = Event.objects.filter(site_id=site.pk)
    assert sorted(stored.values_list("kind", flat=True)) == [
        EventKind.PAGEVIEW,
        EventKind.CLICK,
        EventKind.VITAL,
    ]
    assert stored.get(kind=EventKind.CLICK).dead is True


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("not json", 400, "not JSON"),
        ("[]", 422, "Invalid batch"),
        (None, 422, "events"),  # no events at all
        ("typed", 422, "Extra inputs"),  # an input value has no place in an event
        ("path", 422, "path"),
        ("kind", 422, "type"),
        ("old", 422, "last 7 days"),
        ("vital", 422, "vital"),
    ],
)
def test_bad_batches_get_a_clear_4xx_store_nothing_and_are_counted(site, body, status, words):
    good = _click()
    bodies = {
        None: _batch(site.key),
        "typed": _batch(site.key, good, {**_click(), "value_typed": "hunter2"}),
        "path": _batch(site.key, good, _click(path="cart")),
        "kind": _batch(site.key, good, _click(type="scroll")),
        "old": _batch(site.key, good, _click(at="2020-01-01T00:00:00Z")),
        "vital": _batch(site.key, good, {**_click(), "type": "vital", "name": "FID", "value": 3}),
    }
    response = post(bodies.get(body, body))
    assert response.status_code == status
    assert words in response.json()["message"]
    assert not Event.objects.exists()
    if body not in ("not json", "[]"):
        site.refresh_from_db()
        assert site.rejected_batches == 1


def test_an_oversized_body_is_refused_unread(site):
    big = _batch(site.key, *[_click(selector="x" * 290) for _ in range(2000)])
    response = post(big)
    assert response.status_code == 413
    assert "KB" in response.json()["message"]


def test_too_many_events_in_one_batch_are_refused(site):
    response = post(_batch(site.key, *[_click() for _ in range(ingest.MAX_BATCH + 1)]))
    assert response.status_code == 422


def test_unknown_key_and_foreign_origin_are_refused(site):
    assert post(_batch("ns_a_nope", _click())).status_code == 404
    assert post(_batch(site.key, _click()), Origin="https://evil.example.com").status_code == 403
    assert not Event.objects.exists()


def test_bots_do_not_track_and_missing_consent_are_dropped_not_stored(site):
    assert post(_batch(site.key, _click()), User_Agent="Googlebot/2.1").json()["dropped"] == 1
    assert post(_batch(site.key, _click()), DNT="1").json()["dropped"] == 1
    Site.objects.filter(pk=site.pk).update(consent_required=True)
    assert post(_batch(site.key, _click(), consent=False)).json()["dropped"] == 1
    assert post(_batch(site.key, _click(), consent=True)).json()["stored"] == 1
    assert Event.objects.count() == 1


def test_a_flood_from_one_site_is_rate_limited(site, monkeypatch):
    monkeypatch.setattr(ingest, "BATCHES_PER_MINUTE", 2)
    assert post(_batch(site.key, _click())).status_code == 202
    assert post(_batch(site.key, _click())).status_code == 202
    refused = post(_batch(site.key, _click()))
    assert refused.status_code == 429
    assert "Too many requests" in refused.json()["message"]


def test_the_snippet_never_sends_input_values_or_element_text():
    from pathlib import Path

    import northstar.analytics

    source = (Path(northstar.analytics.__file__).parent / "static" / "analytics" / "capture.js").read_text()
    assert ".value" not in source.replace("e.value", "").replace("r.message", "")
    assert "textContent" not in source and "innerText" not in source


def test_a_paused_site_refuses_its_key(site):
    Site.objects.filter(pk=site.pk).update(active=False)
    assert post(_batch(site.key, _click())).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_accepting_a_batch_reads_its_site_once_and_commits_once():
    """Accepting is the ingest's narrow part: every check still runs, but the site is read once and
    the rate-limit count, the batch id and the spooled batch are committed together (one write lock
    taken on SQLite, not three)."""
    cache.clear()
    product = make_product(name="Shop", line=make_line(name="Shop line"))
    site = make_site(product=product, allowed_origins="https://shop.example.com")
    origin = {"Origin": "https://shop.example.com"}
    assert (
        post(_batch(site.key, _click()), drain=False, **origin).status_code == 202
    )  # counter and drain exist
    with CaptureQueriesContext(connection) as queries:
        answer = post(_batch(site.key, _click(), _click(x=11), batch_id="b-1"), drain=False, **origin)
    assert answer.status_code == 202 and answer.json()["stored"] == 2
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "analytics_site"' in s for s in sql) == 1, sql
    spooled = next(i for i, s in enumerate(sql) if 'INSERT INTO "analytics_spooledbatch"' in s)
    commit = next(i for i, s in enumerate(sql) if s.startswith("COMMIT"))
    # (the test settings run the queued drain right after; it writes in transactions of its own)
    assert sum(s.startswith("BEGIN") for s in sql[:spooled]) == 1 and commit > spooled, sql[: commit + 1]
    assert Event.objects.filter(site_id=site.pk).count() == 3
