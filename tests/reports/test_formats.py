"""One pack, three formats, read back the way a board member's tools read them: the PPTX reopened
with python-pptx (native charts holding the database's numbers) and converted by LibreOffice, the PDF
read by pdftotext, every page rendered to PNG under test-output/screenshots/ for a person to look at."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone
from pptx import Presentation

from northstar.feedback.models import Theme
from northstar.planning.models import BudgetEnvelope
from northstar.rendering.slides import slides_for
from northstar.reports import packs, services
from northstar.strategy import selectors as strategy
from northstar.strategy.models import Objective
from tests.documents import pdf_pages, pdf_text, pptx_to_pdf
from tests.reports.factories import TODAY, key_result, make_report_world

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


@pytest.fixture
def reissued(cast, issued):
    """A second board pack issued after the home objective's key result moved from 20 to 50, so it
    compares itself with the first ("Since the last pack")."""
    world, first = issued
    before = _average_progress(world)
    kr = key_result(world.home_objective)
    kr.current = 50
    kr.save()
    pack = services.pack_create(actor=cast.leader, template="board", cut_off=TODAY)
    return world, first, before, services.pack_issue(actor=cast.leader, pack=pack)


def _progress(world) -> dict[Objective, float]:
    """Each objective's progress as the strategy area computes it from the key results."""
    rows = strategy.objective_rows(strategy.objective_queryset().filter(period=world.period))
    return {
        o: rows[o.pk].progress
        for o in Objective.objects.filter(period=world.period).select_related("line", "owner").order_by("pk")
    }


def _average_progress(world) -> float:
    values = list(_progress(world).values())
    return sum(values) / len(values)


def _flat(text: str) -> str:
    """pdftotext's layout with every run of white space one space: rows and labels read in order."""
    return " ".join(text.split())


def _assert_the_databases_figures(text: str, world, *, budget_label: Callable[[Decimal], str]) -> None:
    """The figures the PPTX test checks in its native charts, read back from a PDF's text: each
    objective's progress (chart label and table row), each line's budget and the quarter's total, and
    the feedback items per theme (chart bar and table row), all computed from the database here."""
    flat = _flat(text)
    for objective, progress in _progress(world).items():
        shown, title = f"{progress:.0f}%", re.escape(objective.title)
        assert re.search(rf"{shown}(?: Time elapsed)? {title}", flat), (objective.title, shown)  # the bar
        row = rf"{title} {re.escape(objective.line.name)} {re.escape(objective.owner.name)} {shown} "
        assert re.search(row, flat), (objective.title, shown)  # the table
    budgets = {b.line.name: b.amount for b in BudgetEnvelope.objects.select_related("line")}
    for line, amount in budgets.items():
        assert f"{line} {amount:,.0f} EUR 0 EUR 0 EUR -100%" in flat, line  # nothing spent yet
    total = sum(budgets.values(), Decimal(0))
    assert budget_label(total) in flat  # the chart's Q1 bar
    themes = Theme.objects.annotate(count=Count("items")).order_by("-count")
    assert [t.count for t in themes] == [5, 2]
    for theme in themes:
        assert len(re.findall(rf"{re.escape(theme.name)} {theme.count} ", flat + " ")) >= 2, theme.name


def _assert_since_the_last_pack(text: str, world, first, before: float) -> None:
    """The comparison table of the second pack: the first pack's figures, now, and the change."""
    flat = _flat(text)
    issued = timezone.localtime(first.issued_at)
    assert f"Since the last pack ({first.title}, issued {issued:%d %b %Y})" in flat
    now = _average_progress(world)
    assert (before, now) == (45.0, 60.0)  # (20 + 70) / 2, then (50 + 70) / 2
    change = f"{before:.0f}% {now:.0f}% {now - before:+.0f} pts"
    assert f"Average objective progress {change}" in flat and f"Average progress {change}" in flat
    assert "Lines on track 1 of 2 1 of 2 no change" in flat


def test_libreoffice_opens_the_pptx_and_shows_the_same_figures(cast, reissued):
    world, first, before, pack = reissued
    converted = pptx_to_pdf(services.pack_file(pack, "pptx"))
    text = pdf_text(converted)
    for name in NAMES:
        assert name in text
    assert "Board pack 2031-Q1" in text
    _assert_the_databases_figures(text, world, budget_label=lambda total: f"{total:,.0f}")
    _assert_since_the_last_pack(text, world, first, before)
    pages = pdf_pages(converted, "pack-pptx-libreoffice")
    assert len(pages) == len(Presentation(io.BytesIO(services.pack_file(pack, "pptx"))).slides)


def test_the_pdf_holds_the_figures_and_footnotes_its_sources(cast, issued):
    world, pack = issued
    pdf = services.pack_file(pack, "pdf")
    text = pdf_text(pdf)
    for name in (*NAMES, "Board pack 2031-Q1", "Headline"):
        assert name in text
    assert "200,000 EUR 0 EUR 0 EUR (-100%" in _flat(text)  # the budget tiles: budget, spent, projected
    _assert_the_databases_figures(text, world, budget_label=lambda total: f"{total / 1000:.0f}k")
    assert "Since the last pack" not in text  # the first pack has nothing to compare with
    assert text.count("Data as of") >= len(packs.stored_document(pack).sections)
    assert "Sources: Objectives 2031-Q1" in text
    pages = pdf_pages(pdf, "pack-pdf")
    assert len(pages) > len(packs.stored_document(pack).sections)


def test_the_next_pdf_compares_itself_with_the_last_pack(cast, reissued):
    world, first, before, pack = reissued
    text = pdf_text(services.pack_file(pack, "pdf"))
    _assert_since_the_last_pack(text, world, first, before)
    _assert_the_databases_figures(text, world, budget_label=lambda total: f"{total / 1000:.0f}k")


def test_the_html_file_links_each_figure_to_its_record(cast, issued, settings):
    world, pack = issued
    html = services.pack_file(pack, "html").decode()
    base = settings.NORTHSTAR_BASE_URL
    assert f'href="{base}/strategy/objectives/{world.home_objective.pk}/"' in html
    assert f'href="{base}/strategy/kpis/{world.north_star.pk}/"' in html
    assert "<svg" in html and "東京 checkout in yen" in html
