"""Friction in the portfolio: linked friction feeds an initiative's reach beside customer feedback,
shows on the initiative's page and the strategy dashboard, and has its own board-pack section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from northstar.analytics import reports, selectors, services
from northstar.analytics.models import EventKind
from northstar.feedback import services as feedback_services
from northstar.portfolio.models import ScoringInput
from northstar.reports.sections import SECTIONS, TEMPLATE_SECTIONS, Context
from tests.analytics.factories import ago, event, make_site, store
from tests.feedback.factories import make_customer, make_item


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def _link(cast, site, users=120, path="/checkout", initiative=None):
    return services.evidence_link(
        actor=cast.leader,
        site=site,
        initiative=initiative or cast.home_initiative,
        signal="rage_click",
        path=path,
        selector="button#pay",
        users=users,
    )


def test_linked_friction_adds_the_people_it_hurt_to_the_feedback_reach(cast):
    idea = cast.home_initiative
    site = make_site(product=cast.home_product)
    customer = make_customer("Solo", revenue="0")
    feedback_services.link_create(
        actor=cast.pm, item=make_item("Checkout hangs", customer=customer), initiative=idea
    )
    assert ScoringInput.objects.get(initiative=idea).reach_evidence == pytest.approx(1.0)

    link = _link(cast, site, users=120)
    _link(cast, site, users=30, path="/cart")
    row = ScoringInput.objects.get(initiative=idea)
    assert row.reach_evidence == pytest.approx(1.0 + 150)
    assert "1 customer asking" in row.reach_evidence_note
    assert "150 people hit 2 friction issues" in row.reach_evidence_note

    services.evidence_unlink(actor=cast.leader, link=link)
    row.refresh_from_db()
    assert row.reach_evidence == pytest.approx(1.0 + 30)


def test_friction_alone_is_reach_evidence_and_unlinking_all_clears_it(cast):
    idea = cast.away_initiative
    link = _link(cast, make_site(product=cast.home_product), users=42, initiative=idea)
    row = ScoringInput.objects.get(initiative=idea)
    assert row.reach_evidence == pytest.approx(42)
    services.evidence_unlink(actor=cast.leader, link=link)
    row.refresh_from_db()
    assert row.reach_evidence is None and row.reach_evidence_note == ""


def test_the_initiative_page_shows_its_friction(cast, login):
    site = make_site(product=cast.home_product, name="Checkout app")
    _link(cast, site, users=77)
    page = login(cast.pm).get(f"/portfolio/{cast.home_initiative.pk}/").content.decode()
    assert "Product friction" in page
    assert "Rage clicks on /checkout" in page and "77 people" in page and "Checkout app" in page
    other = login(cast.pm).get(f"/portfolio/{cast.away_initiative.pk}/").content.decode()
    assert "No product friction linked yet" in other


def test_the_strategy_dashboard_shows_linked_and_latest_measured_friction(cast, login):
    site = make_site(product=cast.home_product, name="Checkout app")
    client = login(cast.leader)
    assert "No friction measured yet" in client.get("/strategy/").content.decode()
    base = ago(days=1)
    store(
        [
            event(
                site,
                f"p{n}",
                base + timedelta(seconds=n * 60 + k * 0.2),
                EventKind.CLICK,
                "/pay",
                selector="button#go",
                x=10,
                y=10,
            )
            for n in range(3)
            for k in range(3)
        ]
    )
    assert client.get(f"/analytics/sites/{site.pk}/friction/").status_code == 200  # measures
    _link(cast, site, users=3, path="/pay")
    page = client.get("/strategy/").content.decode()
    assert "1</strong> friction issue back" in page
    assert cast.home_initiative.title in page
    assert "Rage clicks on /pay" in page and "3 people" in page


def test_the_board_pack_has_a_friction_section_as_of_its_cut_off(cast):
    assert "friction" in SECTIONS and "friction" in TEMPLATE_SECTIONS["board"]
    today = timezone.localdate()
    empty = SECTIONS["friction"].build(Context(cut_off=today))
    assert empty.empty.startswith("No data yet")
    site = make_site(product=cast.home_product)
    _link(cast, site, users=500)
    _link(cast, site, users=20, path="/cart", initiative=cast.away_initiative)
    section = reports.pack_section(Context(cut_off=today))
    figures = {f.key: f.value for f in section.figures}
    assert figures == {"friction.issues": 2, "friction.initiatives": 2, "friction.people": 520}
    rows = section.tables[0].rows
    assert [r[0].text for r in rows] == [cast.home_initiative.title, cast.away_initiative.title]
    assert rows[0][3].text == "500" and rows[0][0].url.endswith(f"/{cast.home_initiative.pk}/")
    before = reports.pack_section(Context(cut_off=today - timedelta(days=1)))
    assert before.empty  # links made after the cut-off are not in that pack
    line_only = reports.pack_section(Context(cut_off=today, line=cast.away_initiative.product.line))
    assert [r[0].text for r in line_only.tables[0].rows] == [cast.away_initiative.title]
    assert selectors.friction_reach([cast.home_initiative.pk]) == {cast.home_initiative.pk: (500, 1)}
