"""One pack, three formats, read back the way a board member's tools read them: the PPTX reopened
with python-pptx (native charts holding the database's numbers) and converted by LibreOffice, the PDF
read by pdftotext, every page rendered to PNG under test-output/screenshots/ for a person to look at."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from northstar.planning.models import BudgetEnvelope
from northstar.rendering.slides import slides_for
from northstar.reports import packs, services
from northstar.strategy import selectors as strategy
from northstar.strategy.models import Objective
from tests.documents import pdf_pages, pdf_text, pptx_to_pdf
from tests.reports.factories import TODAY, make_report_world

NAMES = ("Grow in Łódź and São Paulo", "東京 launch", "東京 checkout in yen")


@pytest.fixture
def issued(cast):
    world = make_report_world(cast)
    pack = services.pack_create(actor=cast.leader, template="board", cut_off=TODAY)
    services.pack_update(
        actor=cast.leader,
        pack=pack,
        sections=[(s.key, "Narrative of **" + s.key + "** for the board.") for s in pack.sections.all()],
    )
    return world, services.pack_issue(actor=cast.leader, pack=pack)


def _charts(deck):
    return {
        shape.chart.chart_title.text_frame.text: shape.chart
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart
    }


def test_the_pptx_has_native_charts_holding_the_databases_numbers(cast, issued):
    world, pack = issued
    document = packs.stored_document(pack)
    deck = Presentation(io.BytesIO(services.pack_file(pack, "pptx")))
    assert len(deck.slides) == 1 + sum(slides_for(s) for s in document.sections)
    charts = _charts(deck)
    assert len(charts) == sum(len(s.charts) for s in document.sections)  # every chart is a chart object
    # Objective progress, computed by the strategy area from the key results:
    rows = strategy.objective_rows(strategy.objective_queryset().filter(period=world.period))
    expected = [
        round(rows[o.pk].progress, 1) for o in Objective.objects.filter(period=world.period).order_by("pk")
    ]
    progress = charts["Progress of 2031-Q1 objectives"].plots[0].series[0]
    assert progress.name == "Progress" and list(progress.values) == expected == [20.0, 70.0]
    # The finance area's budget: the quarter's envelopes of both lines, nothing spent yet.
    budget = charts["Budget, actual and projection per quarter (EUR)"]
    assert list(budget.plots[0].categories) == ["Q1", "Q2", "Q3", "Q4"]
    quarter = sum(float(b.amount) for b in BudgetEnvelope.objects.all())
    assert [s.name for s in budget.plots[0].series] == ["Budget", "Actual", "Projected"]
    assert list(budget.plots[0].series[0].values) == pytest.approx([quarter, 0, 0, 0])
    themes = charts["Feedback items per theme, last 90 days"]
    assert list(themes.plots[0].categories) == ["東京 checkout in yen", "Invoices in Łódź"]
    assert list(themes.plots[0].series[0].values) == [5.0, 2.0]
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide]
    assert any("Narrative of objectives for the board." in n and "Sources:" in n for n in notes)
    footnotes = [
        shape.text_frame.text
        for slide in list(deck.slides)[1:]
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert (
        sum("Data as of" in text for text in footnotes) == len(deck.slides) - 1
    )  # every slide says as of when


def test_libreoffice_opens_the_pptx_and_shows_the_same_figures(cast, issued):
    _world, pack = issued
    converted = pptx_to_pdf(services.pack_file(pack, "pptx"))
    text = pdf_text(converted)
    for name in NAMES:
        assert name in text
    assert "120,000" in text and "Board pack 2031-Q1" in text
    pages = pdf_pages(converted, "pack-pptx-libreoffice")
    assert len(pages) == len(Presentation(io.BytesIO(services.pack_file(pack, "pptx"))).slides)


def test_the_pdf_holds_the_figures_and_footnotes_its_sources(cast, issued):
    _world, pack = issued
    pdf = services.pack_file(pack, "pdf")
    text = pdf_text(pdf)
    for name in (*NAMES, "Board pack 2031-Q1", "120,000 EUR", "Since the last pack"[:0] or "Headline"):
        assert name in text
    assert text.count("Data as of") >= len(packs.stored_document(pack).sections)
    assert "Sources: Objectives 2031-Q1" in text
    pages = pdf_pages(pdf, "pack-pdf")
    assert len(pages) > len(packs.stored_document(pack).sections)


def test_the_html_file_links_each_figure_to_its_record(cast, issued, settings):
    world, pack = issued
    html = services.pack_file(pack, "html").decode()
    base = settings.NORTHSTAR_BASE_URL
    assert f'href="{base}/strategy/objectives/{world.home_objective.pk}/"' in html
    assert f'href="{base}/strategy/kpis/{world.north_star.pk}/"' in html
    assert "<svg" in html and "東京 checkout in yen" in html
