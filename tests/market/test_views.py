"""Market pages: the overview with its chart, the matrix edited cell by cell, an import refused with the
failing row named, a loss reason linked to an idea showing up as its demand, notes searched."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from northstar.market.models import Deal, Rating
from tests.conftest import Cast
from tests.market.factories import make_capability, make_competitor, make_deal, make_estimate, make_segment


def test_the_overview_shows_segments_by_size_and_our_share(cast: Cast, login):
    segment = make_segment(name="Enterprise platforms", customer_segment="enterprise")
    make_estimate(segment, tam=Decimal("3000000000"), sam=Decimal("600000000"), som=Decimal("50000000"))
    make_segment(name="Unsized")
    html = login(cast.stakeholder).get(reverse("market:index")).content.decode()
    assert "Enterprise platforms" in html and "600M" in html and "480M–720M" in html
    assert "No estimate yet" in html
    assert "data-plotly-figure" in html
    assert "New segment" not in html  # stakeholders read


def test_a_matrix_cell_is_edited_in_place(cast: Cast, login):
    capability = make_capability(name="SSO")
    rival = make_competitor(name="Rival")
    web = login(cast.pm)
    page = web.get(reverse("market:matrix")).content.decode()
    assert f'id="cell-{capability.pk}-c{rival.pk}"' in page and 'hx-post="/market/matrix/rate/"' in page
    form = {
        "capability": capability.pk,
        "column": f"c{rival.pk}",
        "score": "4",
        "note": "SAML",
        "rated_on": "2026-03-01",
    }
    cell = web.post(reverse("market:rating_set"), form, HTTP_HX_REQUEST="true")
    assert cell.status_code == 200
    html = cell.content.decode()
    assert (
        'class="score score-4"' in html
        and "SAML" in html
        and html.lstrip().startswith('<div class="matrix-cell"')
    )
    older = web.post(
        reverse("market:rating_set"), {**form, "score": "2", "rated_on": "2026-01-01"}, HTTP_HX_REQUEST="true"
    )
    assert older.status_code == 422 and "cannot be older" in older.content.decode()
    assert list(Rating.objects.values_list("score", flat=True)) == [4]


def test_an_import_is_refused_whole_with_the_failing_row_named(cast: Cast, login):
    make_segment(name="SMB")
    web = login(cast.pm)
    body = (
        b"deal,account,segment,amount,outcome,closed\n"
        b"A1,Acme,SMB,100,won,2026-01-01\nA2,Beta,Mars,100,maybe,2026-01-02\n"
    )
    response = web.post(
        reverse("market:deal_import"),
        {"preset": "northstar", "file": SimpleUploadedFile("deals.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "Nothing was imported. Row 3" in html
        and "unknown segment “Mars”" in html
        and "unknown outcome" in html
    )
    assert not Deal.objects.exists()
    ok = web.post(
        reverse("market:deal_import"),
        {
            "preset": "northstar",
            "file": SimpleUploadedFile("deals.csv", body.replace(b"Mars,100,maybe", b"SMB,100,lost")),
        },
    )
    assert ok.status_code == 302 and Deal.objects.count() == 2


def test_a_loss_reason_links_to_an_idea_and_becomes_its_demand(cast: Cast, login):
    make_deal(outcome="lost", amount=Decimal("12000"), reasons=("missing split payments",))
    make_deal(outcome="lost", amount=Decimal("3000"), reasons=("missing split payments", "price"))
    web = login(cast.pm)
    win_loss = web.get(reverse("market:win_loss")).content.decode()
    assert "Missing split payments" in win_loss and "no idea linked" in win_loss
    reason = web.get(reverse("market:reason") + "?r=missing+split+payments").content.decode()
    assert "2 lost deals give this reason" in reason and 'role="combobox"' in reason  # ideas typed by name
    refused = web.post(
        reverse("market:reason_link"),
        {"reason": "missing split payments", "initiative": cast.away_initiative.pk},
    )
    assert refused.status_code == 403  # a PM may only link ideas of their own line
    linked = web.post(
        reverse("market:reason_link"),
        {"reason": "missing split payments", "initiative": cast.home_initiative.pk},
    )
    assert linked.status_code == 302 and linked["Location"] == reverse(
        "market:initiative", args=[cast.home_initiative.pk]
    )
    evidence = web.get(linked["Location"]).content.decode()
    assert "15k EUR" in evidence and "lost in 2 deals" in evidence
    assert cast.home_initiative.title in web.get(reverse("market:win_loss")).content.decode()


def test_notes_are_searched_by_word_and_tag(cast: Cast, login):
    web = login(cast.pm)
    created = web.post(
        reverse("market:note_create"),
        {
            "title": "Instant payouts",
            "kind": "trend",
            "noted_on": "2026-01-02",
            "tags": "payouts",
            "body": "**Bold**",
        },
    )
    assert created.status_code == 302
    web.post(
        reverse("market:note_create"), {"title": "Retail study", "kind": "study", "noted_on": "2026-01-03"}
    )
    found = web.get(reverse("market:notes") + "?q=instant", HTTP_HX_REQUEST="true").content.decode()
    assert "Instant payouts" in found and "Retail study" not in found
    fragment = web.get(reverse("market:notes") + "?tag=payouts", HTTP_HX_REQUEST="true").content.decode()
    assert "Instant payouts" in fragment and "<html" not in fragment
    detail = web.get(created["Location"]).content.decode()
    assert "<strong>Bold</strong>" in detail


def test_the_demo_pages_render(cast: Cast, login):
    from northstar.market import demo

    demo.load(scale="standard", seed=3)
    web = login(cast.leader)
    for name in ("market:index", "market:competitors", "market:matrix", "market:changes", "market:win_loss",
                 "market:deals", "market:notes"):  # fmt: skip
        response = web.get(reverse(name))
        assert response.status_code == 200, name


def test_strategy_pages_can_show_the_segments_they_serve(cast: Cast):
    from django.template import Context, Template

    from northstar.market import services

    segment = make_segment(name="Marketplaces")
    make_estimate(segment, tam=Decimal("900000000"), sam=Decimal("150000000"))
    services.segment_serves_set(
        actor=cast.leader, segment=segment, objective_ids=[], initiative_ids=[cast.home_initiative.pk]
    )
    html = Template(
        "{% load market_tags %}{% market_segments initiative=i %}{% market_segment_chart %}"
    ).render(Context({"i": cast.home_initiative}))
    assert "Marketplaces" in html and "SAM 150M EUR (120M–180M)" in html and "data-plotly-figure" in html


def test_market_pages_cost_a_fixed_number_of_queries(cast: Cast, login, django_assert_max_num_queries):
    """However many deals, estimates and ratings, each page reads them in a bounded number of queries."""
    from northstar.market import demo

    demo.load(scale="standard", seed=3)
    web = login(cast.leader)
    for name, most in (
        ("market:index", 25),
        ("market:matrix", 20),
        ("market:win_loss", 25),
        ("market:deals", 20),
    ):
        with django_assert_max_num_queries(most):
            assert web.get(reverse(name)).status_code == 200


def test_a_segment_and_a_competitor_show_their_win_rate_over_time(cast: Cast, login):
    from datetime import date

    segment, rival = make_segment(name="SMB"), make_competitor(name="Rival")
    for month, outcome in ((1, "won"), (2, "lost"), (5, "won"), (6, "won")):
        make_deal(segment=segment, competitor=rival, outcome=outcome, closed_on=date(2026, month, 3))
    web = login(cast.stakeholder)
    for url in (
        reverse("market:segment_detail", args=[segment.pk]),
        reverse("market:competitor_detail", args=[rival.pk]),
    ):
        html = web.get(url).content.decode()
        assert "by quarter" in html and "data-plotly-figure" in html and "2026-Q2" in html
        assert "75%" in html  # 3 won of 4 decided


def test_an_objective_shows_the_segments_it_serves(cast: Cast, login):
    from northstar.market import services
    from tests.strategy.factories import make_objective

    objective = make_objective(title="Win marketplaces")
    segment = make_segment(name="Marketplaces")
    make_estimate(segment, tam=Decimal("900000000"), sam=Decimal("150000000"), som=Decimal("9000000"))
    services.segment_serves_set(
        actor=cast.pm, segment=segment, objective_ids=[objective.pk], initiative_ids=[]
    )
    html = login(cast.stakeholder).get(reverse("market:objective", args=[objective.pk])).content.decode()
    assert "Marketplaces" in html and "150M EUR" in html and "120M–180M" in html
