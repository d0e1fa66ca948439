"""Form abandonment and funnel breakdowns as a product leader reads them off the pages and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from northstar.analytics import funnels, selectors
from northstar.analytics.models import EventKind
from northstar.core.errors import ValidationFailed
from tests.analytics.factories import ago, event, make_funnel, make_site, store


def _checkout_story(site):
    """Ten people reach the cart, six the checkout; the plan (a custom event's property) splits them:
    v0-v3 pro (all four check out), v4-v7 free (two do), v8-v9 never say."""
    rows = []
    for n in range(10):
        start = ago(days=2, minutes=n)
        plan = "pro" if n < 4 else "free" if n < 8 else None
        if plan:
            rows.append(
                event(
                    site,
                    f"v{n}",
                    start - timedelta(minutes=5),
                    EventKind.CUSTOM,
                    "/",
                    name="plan_seen",
                    props={"plan": plan},
                )
            )
        rows.append(event(site, f"v{n}", start, path="/cart"))
        if n < 4 or n in (4, 5):
            rows.append(event(site, f"v{n}", start + timedelta(minutes=1), path="/checkout"))
    store(rows)


def test_a_funnel_breaks_down_by_a_persons_property(cast):
    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site, steps=["/cart", "/checkout"])
    _checkout_story(site)
    report = funnels.funnel_report(funnel, by="prop:plan")
    assert report.by_label == "property plan"
    assert report.breakdown == [("free", (4, 2)), ("pro", (4, 4)), ("(not set)", (2, 0))]
    by_default = funnels.funnel_report(funnel)
    assert by_default.breakdown == [("Anonymous visitors", (10, 6))]
    with pytest.raises(ValidationFailed, match="prop:NAME"):
        funnels.funnel_report(funnel, by="prop:plan'; drop table")


def test_the_funnel_page_and_api_take_a_breakdown(cast, login):
    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site, steps=["/cart", "/checkout"])
    _checkout_story(site)
    client = login(cast.pm)
    page = client.get(f"/analytics/funnels/{funnel.pk}/?prop=plan").content.decode()
    assert "By property plan" in page and "<td>free</td>" in page
    refused = client.get(f"/analytics/funnels/{funnel.pk}/?prop=a%20b").content.decode()
    assert "prop:NAME" in refused and "By Identified or anonymous" in refused
    api = client.get(f"/api/v1/analytics/funnels/{funnel.pk}?by=prop:plan").json()
    assert api["breakdown_by"] == "prop:plan"
    assert api["breakdown"][1] == {"segment": "pro", "reached": [4, 4]}
    assert client.get(f"/api/v1/analytics/funnels/{funnel.pk}?by=prop:a%20b").status_code == 422


def test_a_form_started_and_left_is_friction_and_a_form_sent_is_not(cast):
    site = make_site(product=cast.home_product)
    base = ago(days=1)

    def form(visitor, name, minutes, selector="form#signup"):
        return event(
            site,
            visitor,
            base + timedelta(minutes=minutes),
            EventKind.CUSTOM,
            "/signup",
            name=name,
            selector=selector,
        )

    store(
        [
            form("a", "$form_start", 0),  # a leaves the sign-up form
            form("b", "$form_start", 0),
            form("b", "$form_submit", 2),  # b sends it
            form("c", "$form_start", 0),
            form("c", "$form_submit", 1),
            form("c", "$form_start", 3),  # c sends it, comes back, starts again and leaves
            form("d", "$form_start", 0, selector="form#search"),
            form("d", "$form_submit", 0, selector="form#search"),
        ]
    )
    rows = [r for r in selectors.friction_report(site) if r.signal == "form_abandon"]
    assert [(r.path, r.element, r.users, r.label) for r in rows] == [
        ("/signup", "form#signup", 2, "Form abandoned")
    ]
    timeline = selectors.person_timeline(site, "a")
    assert timeline[0].friction == ["form abandoned"]
