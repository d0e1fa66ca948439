"""The analytics pages a product leader reads: sites, funnels with their chart, friction with links."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from northstar.analytics.models import Event, EventKind, FrictionEvidence, Funnel
from tests.analytics.factories import ago, event, make_funnel, make_site, store


def _rage(site, visitor, when):
    return [
        event(
            site,
            visitor,
            when + timedelta(seconds=k * 0.2),
            EventKind.CLICK,
            "/checkout",
            selector="button#pay",
            x=50,
            y=50,
        )
        for k in range(3)
    ]


def test_site_page_shows_snippet_retention_and_top_friction(cast, login):
    site = make_site(product=cast.home_product, name="Shop app")
    store([event(site, "v1", ago(days=1), path="/cart"), *_rage(site, "v1", ago(hours=3))])
    page = login(cast.stakeholder).get(f"/analytics/sites/{site.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert site.key in html and "capture.js" in html
    assert "data-plotly-figure" in html  # the retention chart
    assert "button#pay" in html and "Rage clicks" in html
    assert "New funnel" not in html  # read-only role: no edit controls


def test_funnel_page_draws_the_steps_and_offers_linking_a_drop_off(cast, login):
    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site, steps=["/cart", "/paid"])
    store(
        [
            event(site, "a", ago(hours=5), path="/cart"),
            event(site, "a", ago(hours=4), path="/paid"),
            event(site, "b", ago(hours=5), path="/cart"),
        ]
    )
    html = login(cast.pm).get(f"/analytics/funnels/{funnel.pk}/").content.decode()
    assert "50%" in html and "data-plotly-figure" in html
    assert "Link as evidence" in html


def test_linking_friction_from_the_page_creates_evidence(cast, login):
    site = make_site(product=cast.home_product)
    store(_rage(site, "v1", ago(hours=2)))
    web = login(cast.pm)
    assert "Link as evidence" in web.get(f"/analytics/sites/{site.pk}/friction/").content.decode()
    response = web.post(
        f"/analytics/sites/{site.pk}/evidence/",
        {
            "initiative": cast.home_initiative.pk,
            "signal": "rage_click",
            "path": "/checkout",
            "selector": "button#pay",
            "users": "1",
            "back": f"/analytics/sites/{site.pk}/friction/",
        },
    )
    assert response.status_code == 302
    link = FrictionEvidence.objects.get()
    assert (link.initiative, link.selector, link.users) == (cast.home_initiative, "button#pay", 1)
    assert "Home work" in web.get(f"/analytics/sites/{site.pk}/friction/").content.decode()


def test_creating_a_funnel_from_the_form(cast, login):
    site = make_site(product=cast.home_product)
    response = login(cast.pm).post(
        f"/analytics/sites/{site.pk}/funnels/new/",
        {"name": "Buy", "steps": "/cart\n\nevent:paid", "window_hours": "2"},
    )
    assert response.status_code == 302
    assert Funnel.objects.get().steps == [
        {"kind": "page", "match": "/cart"},
        {"kind": "event", "match": "paid"},
    ]
    refused = login(cast.pm).post(
        f"/analytics/sites/{site.pk}/funnels/new/", {"name": "B", "steps": "/a", "window_hours": "2"}
    )
    assert refused.status_code == 422 and "between 2 and 10" in refused.content.decode()


def test_import_page_takes_a_csv_and_names_a_bad_row(cast, login):
    site = make_site(product=cast.home_product)
    when = (timezone.now() - timedelta(days=3)).isoformat()
    good = f"at,type,visitor,path\n{when},pageview,v1,/cart\n".encode()
    web = login(cast.pm)
    ok = web.post(f"/analytics/sites/{site.pk}/import/", {"file": SimpleUploadedFile("e.csv", good)})
    assert ok.status_code == 302 and Event.objects.count() == 1
    bad = f"at,type,visitor,path\n{when},pageview,v1,cart\n".encode()
    refused = web.post(f"/analytics/sites/{site.pk}/import/", {"file": SimpleUploadedFile("e.csv", bad)})
    assert refused.status_code == 422 and "Row 2" in refused.content.decode()
    assert Event.objects.count() == 1


def test_a_persons_timeline_marks_their_friction(cast, login):
    site = make_site(product=cast.home_product)
    store(
        [
            event(site, "v9", ago(hours=3), path="/cart"),
            *_rage(site, "v9", ago(hours=2)),
            event(site, "other", ago(hours=2), path="/secret"),
        ]
    )
    friction = login(cast.stakeholder).get(f"/analytics/sites/{site.pk}/friction/").content.decode()
    assert "?who=v9" in friction
    html = login(cast.stakeholder).get(f"/analytics/sites/{site.pk}/person/?who=v9").content.decode()
    assert html.count("rage clicks") == 1 and "button#pay" in html and "/secret" not in html


def test_the_sites_list_costs_the_same_queries_for_many_sites(cast, login, django_assert_max_num_queries):
    for n in range(5):
        site = make_site(product=cast.home_product, name=f"App {n}")
        store([event(site, "v", ago(hours=1))])
    web = login(cast.stakeholder)
    with django_assert_max_num_queries(12):
        page = web.get("/analytics/")
    assert page.status_code == 200 and page.content.decode().count("App ") == 5
