"""Sites, import, funnels, retention and friction evidence through the services and selectors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from northstar.analytics import funnels, ingest, selectors, services
from northstar.analytics.models import Event, EventKind, FrictionEvidence
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.feedback.models import Customer
from tests.analytics.factories import ago, event, make_funnel, make_site, store


def test_a_pm_registers_sites_only_in_their_own_line(cast):
    site = services.site_create(
        actor=cast.pm, product=cast.home_product, name="Shop", allowed_origins="https://a.example"
    )
    assert site.key.startswith("ns_a_") and site.origins == ["https://a.example"]
    with pytest.raises(PermissionDenied):
        services.site_create(actor=cast.pm, product=cast.away_product, name="Shop")
    with pytest.raises(ValidationFailed):
        services.site_create(
            actor=cast.leader, product=cast.away_product, name="X", allowed_origins="not an origin"
        )


CSV = """at,type,visitor,path,selector,name,account
{t},pageview,v1,/cart,,,Acme
{t},click,v1,/cart,button#pay,,Acme
{t},custom,v2,/paid,,order_paid,
"""


def test_import_lands_whole_or_names_the_failing_row(cast):
    site = make_site(product=cast.home_product)
    when = (timezone.now() - timedelta(days=40)).isoformat()
    assert ingest.events_import(actor=cast.pm, site=site, text=CSV.format(t=when)) == 3
    assert Event.objects.filter(site_id=site.pk).count() == 3
    broken = CSV.format(t=when) + f"{when},scroll,v3,/x,,,\n"
    with pytest.raises(ValidationFailed, match="Row 5"):
        ingest.events_import(actor=cast.pm, site=site, text=broken)
    assert Event.objects.filter(site_id=site.pk).count() == 3
    with pytest.raises(ValidationFailed, match="columns"):
        ingest.events_import(actor=cast.pm, site=site, text="when,what\n1,2\n")
    with pytest.raises(PermissionDenied):
        ingest.events_import(actor=cast.stakeholder, site=site, text=CSV.format(t=when))


def test_funnel_report_counts_people_through_the_steps(cast):
    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site, steps=["/cart", "/checkout*", "event:order_paid"])
    rows = []
    for n in range(10):  # ten reach the cart, six the checkout, two pay
        start = ago(days=2, minutes=n)
        rows.append(event(site, f"v{n}", start, path="/cart"))
        if n < 6:
            rows.append(event(site, f"v{n}", start + timedelta(minutes=1), path="/checkout/pay"))
        if n < 2:
            rows.append(
                event(site, f"v{n}", start + timedelta(minutes=2), EventKind.CUSTOM, "/ok", name="order_paid")
            )
    store(rows)
    report = funnels.funnel_report(funnel)
    assert [s.reached for s in report.steps] == [10, 6, 2]
    assert report.steepest == 3
    assert report.overall == pytest.approx(0.2)


def test_retention_puts_people_in_the_week_they_were_first_seen(cast):
    site = make_site(product=cast.home_product)
    now = timezone.now()
    store([event(site, "old", now - timedelta(weeks=3)), event(site, "old", now), event(site, "new", now)])
    report = funnels.retention_report(site, weeks=8, now=now)
    sizes = [c.size for _, c in report.cohorts]
    assert sorted(sizes) == [1, 1]
    first = report.cohorts[0][1]
    assert first.active[0] == 1.0 and first.active[-1] == 1.0


def test_friction_is_ranked_by_people_and_revenue_and_linked_as_evidence(cast):
    Customer.objects.create(name="Acme", annual_revenue=120_000)
    site = make_site(product=cast.home_product)
    rows = []
    base = ago(days=1)
    for n in range(4):  # four people rage-click the pay button
        for k in range(3):
            rows.append(
                event(
                    site,
                    f"r{n}",
                    base + timedelta(seconds=n * 100 + k * 0.2),
                    EventKind.CLICK,
                    "/checkout",
                    selector="button#pay",
                    x=100,
                    y=100,
                    account="Acme" if n == 0 else "",
                )
            )
    rows.append(event(site, "d1", base, EventKind.CLICK, "/cart", selector="span.total", dead=True))
    store(rows)
    report = selectors.friction_report(site)
    assert (report[0].signal, report[0].users, report[0].path, report[0].element) == (
        "rage_click",
        4,
        "/checkout",
        "button#pay",
    )
    assert report[0].revenue == 120_000
    assert report[1].signal == "dead_click"
    link = services.evidence_link(
        actor=cast.pm,
        site=site,
        initiative=cast.home_initiative,
        signal="rage_click",
        path="/checkout",
        selector="button#pay",
        users=report[0].users,
    )
    assert selectors.friction_report(site)[0].evidence == [link]
    with pytest.raises(ValidationFailed, match="already"):
        services.evidence_link(
            actor=cast.pm,
            site=site,
            initiative=cast.home_initiative,
            signal="rage_click",
            path="/checkout",
            selector="button#pay",
        )
    with pytest.raises(PermissionDenied):
        services.evidence_link(
            actor=cast.pm, site=site, initiative=cast.away_initiative, signal="rage_click", path="/x"
        )
    services.evidence_unlink(actor=cast.pm, link=link)
    assert not FrictionEvidence.objects.exists()


def test_a_funnel_step_links_as_drop_off_evidence(cast):
    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site)
    link = services.evidence_link(
        actor=cast.leader,
        site=site,
        initiative=cast.away_initiative,
        signal="funnel_drop",
        funnel=funnel,
        step=2,
        users=40,
    )
    assert funnels.funnel_report(funnel).steps[1].evidence == [link]
    with pytest.raises(ValidationFailed):
        services.evidence_link(
            actor=cast.leader,
            site=site,
            initiative=cast.home_initiative,
            signal="funnel_drop",
            funnel=funnel,
            step=1,
        )


def test_events_past_retention_are_purged(cast):
    site = make_site(product=cast.home_product, retention_days=30)
    store([event(site, "v", ago(days=31)), event(site, "v", ago(days=29))])
    assert ingest.events_purge() == 1
    assert Event.objects.count() == 1


def test_funnel_steps_are_checked(cast):
    site = make_site(product=cast.home_product)
    with pytest.raises(ValidationFailed, match="between 2 and 10"):
        services.funnel_create(actor=cast.pm, site=site, name="One", steps=[{"kind": "page", "match": "/a"}])
    with pytest.raises(ValidationFailed, match="starts with /"):
        services.funnel_create(actor=cast.pm, site=site, name="Bad", steps=services.parse_steps("cart\n/b"))
    funnel = services.funnel_create(
        actor=cast.pm, site=site, name="Ok", steps=services.parse_steps("/a\nevent:paid")
    )
    assert funnel.steps == [{"kind": "page", "match": "/a"}, {"kind": "event", "match": "paid"}]


def test_a_kpi_is_filled_from_events_and_behaves_like_any_kpi(cast):
    from northstar.strategy.models import Metric, MetricValue

    site = make_site(product=cast.home_product)
    funnel = make_funnel(site=site, steps=["/cart", "/paid"])
    monday = timezone.localtime().replace(hour=12, minute=0) - timedelta(
        days=timezone.localtime().weekday() + 7
    )
    store(
        [
            event(site, "a", monday, path="/cart"),
            event(site, "a", monday + timedelta(minutes=5), path="/paid"),
            event(site, "b", monday, path="/cart", account="Acme"),
            event(site, "c", monday - timedelta(days=7)),
        ]
    )
    active = Metric.objects.create(key="wap", name="Weekly active people", line=cast.home_line)
    conversion = Metric.objects.create(key="conv", name="Checkout conversion", line=cast.home_line)
    assert (
        services.kpi_publish(actor=cast.pm, site=site, metric=active, measure="weekly_active_people", weeks=3)
        == 3
    )
    values = dict(MetricValue.objects.filter(metric=active).values_list("date", "value"))
    assert sorted(values.values()) == [0.0, 1.0, 2.0]
    services.kpi_publish(
        actor=cast.pm, site=site, metric=conversion, measure="funnel_conversion", funnel=funnel, weeks=2
    )
    assert MetricValue.objects.get(metric=conversion, date=monday.date()).value == 50.0
    away = Metric.objects.create(key="away", name="Away KPI", line=cast.away_line)
    with pytest.raises(PermissionDenied):
        services.kpi_publish(actor=cast.pm, site=site, metric=away, measure="weekly_active_people")


def test_a_slow_page_is_friction_ranked_with_the_rest(cast):
    site = make_site(product=cast.home_product)
    rows = [
        event(
            site,
            f"p{n}",
            ago(hours=n + 1),
            EventKind.VITAL,
            "/pay",
            name="LCP",
            value=4000.0 if n < 6 else 900.0,
        )
        for n in range(8)
    ]
    rows += [
        event(site, "q", ago(hours=2), EventKind.VITAL, "/fast", name="LCP", value=800.0) for _ in range(6)
    ]
    store(rows)
    report = selectors.friction_report(site)
    slow = [r for r in report if r.signal == "slow_page"]
    assert [(r.path, r.element, r.users) for r in slow] == [("/pay", "LCP", 6)]
    assert "p75 4,000 ms" in slow[0].label
