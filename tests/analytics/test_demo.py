"""The demo checkout app: believable funnel, planted friction found by the detectors, idempotent."""

from __future__ import annotations

from northstar.analytics import demo, funnels, selectors
from northstar.analytics.models import Event, FrictionEvidence, Funnel, Site
from tests import factories


def test_demo_plants_friction_the_detectors_find_and_links_it(cast, monkeypatch):
    monkeypatch.setitem(demo.VISITORS, "standard", 400)
    product = factories.make_product(name="Checkout", line=cast.home_line)
    factories.make_initiative(title="One-click checkout", product=product)
    added = demo.load(scale="standard", seed=1)
    assert added["analytics events"] == Event.objects.count() > 3_000
    assert demo.load(scale="standard", seed=1) == {}  # idempotent
    site = Site.objects.get()
    top = selectors.friction_report(site, days=30)
    signals = {(row.signal, row.element) for row in top}
    assert {
        ("rage_click", "button#apply-coupon"),
        ("dead_click", "span.delivery-estimate"),
        ("error_click", "button#pay-wallet"),
    } <= signals
    # the slow payment page and the dead coupon button hurt the most people
    assert {(r.signal, r.path) for r in top[:2]} == {
        ("slow_page", "/checkout/payment"),
        ("dead_click", "/cart"),
    }
    report = funnels.funnel_report(Funnel.objects.get(), days=30)
    reached = [s.reached for s in report.steps]
    assert reached == sorted(reached, reverse=True) and reached[-1] > 0
    assert FrictionEvidence.objects.get().initiative.title == "One-click checkout"
