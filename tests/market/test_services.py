"""Market services: sizes that must add up, history kept, the matrix's dated cells, loss reasons as an
idea's demand in money, notes found by what they say, and who may change what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.feedback.models import Customer
from northstar.market import selectors, services
from northstar.market.models import Rating, ReasonLink, SizeEstimate
from tests.conftest import Cast
from tests.market.factories import make_capability, make_competitor, make_deal, make_estimate, make_segment


def test_a_bottom_up_estimate_is_computed_and_the_history_is_kept(cast: Cast):
    segment = services.segment_create(actor=cast.pm, name=" SMB ", customer_segment="smb")
    assert segment.name == "SMB"
    services.estimate_add(
        actor=cast.pm,
        segment=segment,
        method="top_down",
        as_of=date(2025, 1, 1),
        source="Study",
        tam=1_000_000,
        sam=300_000,
        som=30_000,
    )
    services.estimate_add(
        actor=cast.pm,
        segment=segment,
        method="bottom_up",
        as_of=date(2026, 1, 1),
        source="Registry",
        accounts=1000,
        serviceable_accounts=400,
        obtainable_accounts=40,
        annual_price="1000",
        spread="0.1",
    )
    history = selectors.segment_history(segment)
    assert [e.source for e in history] == ["Study", "Registry"]
    assert history[1].sam == Decimal("400000")
    row = selectors.segment_rows()[0]
    assert row.estimate == history[1]
    assert (row.size.sam.low, row.size.sam.high) == pytest.approx((360_000, 440_000))


def test_our_share_comes_from_the_customers_we_know(cast: Cast):
    segment = make_segment(customer_segment="enterprise")
    make_estimate(segment, sam=Decimal("1000000"))
    Customer.objects.create(name="Big", segment="enterprise", annual_revenue=Decimal("30000"))
    Customer.objects.create(name="Bigger", segment="enterprise", annual_revenue=Decimal("20000"))
    Customer.objects.create(name="Small", segment="smb", annual_revenue=Decimal("999999"))
    row = selectors.segment_rows()[0]
    assert row.revenue == Decimal("50000") and row.customers == 2
    assert row.share_of_sam == pytest.approx(0.05)


@pytest.mark.parametrize(
    "data",
    [
        {"method": "top_down", "tam": 100, "sam": 200, "som": 10},
        {"method": "top_down", "tam": 100, "sam": 50},
        {
            "method": "bottom_up",
            "accounts": 10,
            "serviceable_accounts": 20,
            "obtainable_accounts": 1,
            "annual_price": 5,
        },
        {"method": "bottom_up", "accounts": 10},
        {"method": "sideways", "tam": 1, "sam": 1, "som": 1},
    ],
)
def test_an_estimate_that_cannot_be_a_market_is_refused_and_nothing_saved(cast: Cast, data):
    segment = make_segment()
    with pytest.raises(ValidationFailed):
        services.estimate_add(actor=cast.pm, segment=segment, as_of=date(2026, 1, 1), source="x", **data)
    assert not SizeEstimate.objects.exists()


def test_stakeholders_only_read(cast: Cast):
    with pytest.raises(PermissionDenied):
        services.segment_create(actor=cast.stakeholder, name="X")
    with pytest.raises(PermissionDenied):
        services.competitor_create(actor=cast.stakeholder, name="X")


def test_a_matrix_cell_keeps_its_history_and_shows_the_newest(cast: Cast):
    capability = make_capability(name="SSO")
    rival = make_competitor(name="Rival")
    services.rating_set(
        actor=cast.pm, capability=capability, competitor=rival, score=2, rated_on=date(2026, 1, 1)
    )
    services.rating_set(
        actor=cast.pm,
        capability=capability,
        competitor=rival,
        score=4,
        note="Shipped SAML",
        rated_on=date(2026, 3, 1),
    )
    services.rating_set(
        actor=cast.pm, capability=capability, product=cast.home_product, score=1, rated_on=date(2026, 3, 1)
    )
    columns, rows = selectors.matrix()
    assert [c.label for c in columns] == ["Home product", "Rival"]
    assert [cell.rating.score for cell in rows[0].cells] == [1, 4]
    assert Rating.objects.count() == 3
    changes = selectors.changes_since(date(2026, 2, 1))
    texts = [c.text for c in changes]
    assert "Rival · SSO: 4/5 (was 2): Shipped SAML" in texts
    assert not any("2/5" in t for t in texts)
    with pytest.raises(ValidationFailed, match="cannot be older"):
        services.rating_set(
            actor=cast.pm, capability=capability, competitor=rival, score=3, rated_on=date(2026, 2, 1)
        )
    with pytest.raises(ValidationFailed):
        services.rating_set(actor=cast.pm, capability=capability, score=3, rated_on=date(2026, 4, 1))


def test_win_rates_by_segment_and_competitor(cast: Cast):
    smb, ent = make_segment(name="SMB"), make_segment(name="Enterprise")
    rival = make_competitor(name="Rival")
    for outcome in ("won", "won", "lost"):
        make_deal(segment=smb, outcome=outcome, competitor=rival)
    make_deal(segment=ent, outcome="lost", reasons=("no sso",))
    make_deal(segment=ent, outcome="no_decision")
    wl = selectors.win_loss()
    assert (wl.overall.won, wl.overall.lost) == (2, 2)
    by_segment = {r.label: (r.rate.won, r.rate.lost) for r in wl.by_segment}
    assert by_segment == {"SMB": (2, 1), "Enterprise": (0, 1)}
    assert {r.label: r.rate.rate for r in wl.by_competitor}["Rival"] == pytest.approx(2 / 3)


def test_a_loss_reason_linked_to_an_idea_becomes_its_demand_in_money(cast: Cast):
    make_deal(outcome="lost", amount=Decimal("1000"), reasons=("no sso", "price"))
    make_deal(outcome="lost", amount=Decimal("500"), reasons=("no sso",))
    make_deal(outcome="lost", amount=Decimal("250"), reasons=("price",))
    make_deal(outcome="won", amount=Decimal("9999"), reasons=("no sso",))
    idea = cast.home_initiative
    services.reason_link_create(actor=cast.pm, reason=" No SSO ", initiative=idea)
    demand = selectors.lost_demand_for_initiatives([idea.pk])[idea.pk]
    assert (demand.deals, demand.amount) == (2, {"EUR": Decimal("1500")})
    services.reason_link_create(actor=cast.pm, reason="price", initiative=idea)
    demand = selectors.lost_demand_for_initiatives([idea.pk])[idea.pk]
    assert (demand.deals, demand.amount) == (3, {"EUR": Decimal("1750")})  # the first deal counts once
    with pytest.raises(ValidationFailed, match="already"):
        services.reason_link_create(actor=cast.pm, reason="price", initiative=idea)
    with pytest.raises(ValidationFailed, match="No lost deal"):
        services.reason_link_create(actor=cast.pm, reason="weather", initiative=idea)


def test_a_pm_cannot_link_evidence_to_another_lines_idea(cast: Cast):
    make_deal(outcome="lost", reasons=("price",))
    with pytest.raises(PermissionDenied):
        services.reason_link_create(actor=cast.pm, reason="price", initiative=cast.away_initiative)
    assert not ReasonLink.objects.exists()


def test_notes_are_found_by_words_tags_and_segment(cast: Cast):
    segment = make_segment(name="Marketplaces")
    a = services.note_create(
        actor=cast.pm,
        title="Embedded payouts",
        kind="trend",
        noted_on=date(2026, 1, 1),
        tags="AI, Payouts, ai",
        body="Marketplaces want instant payouts.",
        segment_ids=[segment.pk],
        initiative_ids=[cast.away_initiative.pk],
    )
    services.note_create(
        actor=cast.pm, title="Retail study", kind="study", noted_on=date(2026, 2, 1), tags="retail"
    )
    assert a.tags == "ai, payouts"
    assert list(selectors.note_search(text="instant payouts")) == [a]
    assert list(selectors.note_search(tag="ai")) == [a]  # "retail" contains "ai" but is another tag
    assert list(selectors.note_search(segment_id=segment.pk)) == [a]
    assert [n.title for n in selectors.note_search(kind="study")] == ["Retail study"]
    with pytest.raises(ValidationFailed):
        services.note_create(
            actor=cast.pm, title="X", kind="trend", noted_on=date(2026, 1, 1), segment_ids=[99999]
        )


def test_segments_serving_an_objective_or_initiative(cast: Cast):
    segment = make_segment(name="Enterprise")
    make_estimate(segment)
    services.segment_serves_set(
        actor=cast.pm, segment=segment, objective_ids=[], initiative_ids=[cast.home_initiative.pk]
    )
    assert [r.segment for r in selectors.segments_serving(initiative_id=cast.home_initiative.pk)] == [segment]
    with pytest.raises(PermissionDenied):
        services.segment_serves_set(
            actor=cast.pm, segment=segment, objective_ids=[], initiative_ids=[cast.away_initiative.pk]
        )


def test_the_demo_loads_once_and_tells_a_story(cast: Cast):
    from northstar.market import demo

    counts = demo.load(scale="standard", seed=7)
    assert counts["segments"] == 4 and counts["competitors"] == 3 and counts["deals"] == 240
    assert demo.load(scale="standard", seed=7) == {}
    wl = selectors.win_loss()
    assert wl.overall.decided > 100
    assert "missing split payments" in [r.reason for r in wl.reasons]
    rows = selectors.segment_rows()
    assert all(r.size is not None for r in rows)


def test_the_cli_imports_a_file_or_names_the_failing_rows(cast: Cast, tmp_path):
    from django.core.management import CommandError, call_command

    from northstar.market.models import Deal

    good = tmp_path / "deals.csv"
    good.write_text(
        "Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Loss Reason\n"
        "006A,Big,Acme,5000,Closed Won,2026-01-05,\n006B,Small,Beta,700,Closed Lost,2026-01-09,Price\n"
    )
    call_command("import_deals", str(good), "--preset", "salesforce")
    assert Deal.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("deal,account,amount,outcome,closed\nX1,Acme,10,won,31/02/2026\n")
    with pytest.raises(CommandError, match=r"row 2, closed: “31/02/2026” is not a date"):
        call_command("import_deals", str(bad))
    assert Deal.objects.count() == 2


def test_a_deal_without_an_amount_is_refused_in_words(cast: Cast):
    """Found by mypy: an empty amount reached the database as NULL (an integrity error, a 500)."""
    with pytest.raises(ValidationFailed, match="amount is required"):
        services.deal_create(
            actor=cast.pm,
            external_id="D-1",
            name="Big deal",
            account="Acme",
            amount="",
            outcome="won",
            closed_on=date(2026, 1, 5),
        )
