"""The board pack's market section: figures as of the cut-off with their sources, clean when empty."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from northstar.feedback.models import Customer
from northstar.reports.sections import SECTIONS, Context
from tests.conftest import Cast
from tests.market.factories import make_competitor, make_deal, make_estimate, make_segment


def test_an_empty_market_renders_a_clean_section(cast: Cast):
    section = SECTIONS["market"].build(Context(cut_off=date(2026, 6, 30)))
    assert section.empty.startswith("No data yet") and not section.figures


def test_the_market_section_reads_the_records_as_they_stood_at_the_cut_off(cast: Cast):
    segment = make_segment(name="Enterprise", customer_segment="enterprise")
    make_estimate(segment, as_of=date(2026, 1, 1), sam=Decimal("1000000"))
    make_estimate(segment, as_of=date(2026, 9, 1), sam=Decimal("9000000"))  # after the cut-off
    Customer.objects.create(name="Big", segment="enterprise", annual_revenue=Decimal("50000"))
    rival = make_competitor(name="Rival")
    make_deal(outcome="won", competitor=rival, closed_on=date(2026, 3, 1))
    make_deal(outcome="lost", competitor=rival, closed_on=date(2026, 4, 1), reasons=("no sso",))
    make_deal(outcome="lost", closed_on=date(2026, 8, 1), reasons=("price",))  # after the cut-off
    section = SECTIONS["market"].build(Context(cut_off=date(2026, 6, 30)))
    figures = {f.key: f for f in section.figures}
    assert figures["market.win_rate"].value == 50.0
    assert figures["market.sam"].value == 1_000_000
    assert figures["market.share"].text == "5.0%"
    assert [row[0].text for row in section.tables[1].rows] == ["No sso"]
    assert section.charts[0].categories == ("Enterprise",)
    assert all(f.source is not None for f in section.figures)


def test_the_demo_market_section_renders_in_every_format(cast: Cast):
    from django.utils import timezone

    from northstar.market import demo
    from northstar.reports import packs, render, services

    demo.load(scale="standard", seed=2)
    today = timezone.localdate()
    pack = services.pack_create(actor=cast.leader, template="board", cut_off=today, sections=["market"])
    document = packs.build_document(pack)
    (section,) = document.sections
    assert not section.empty and section.figures and section.charts and len(section.tables) == 2
    assert "Market" in render.html(document)
    assert render.render(document, "pptx")[:2] == b"PK"
    assert render.render(document, "pdf")[:4] == b"%PDF"
