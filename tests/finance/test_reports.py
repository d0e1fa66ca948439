"""The budget section of a pack and the per-line variance the portfolio health page reads."""

from __future__ import annotations

from datetime import date

from northstar.finance import reports
from northstar.reports.sections import Context
from tests.finance.factories import make_actuals, make_budget, make_quarters


def _year(cast) -> list:
    quarters = make_quarters(2025)
    for q in quarters:
        make_budget(cast.home_line, q, "30000")
        make_budget(cast.away_line, q, "30000")
    rows = []
    for month in range(1, 7):
        rows.append({"month": date(2025, month, 1), "line": cast.home_line, "amount": 15_000})
        rows.append({"month": date(2025, month, 1), "line": cast.away_line, "amount": 10_000})
    make_actuals(rows)
    return quarters


def test_the_budget_section_shows_spend_projection_and_the_line_over_budget_first(cast):
    _year(cast)
    section = reports.pack_section(Context(cut_off=date(2025, 7, 15)))
    figures = {f.key: f for f in section.figures}
    assert figures["budget.total"].value == 240_000
    assert figures["budget.spent"].value == 150_000
    # 150k in six months: 300k by the year's end against 240k, 25% over
    assert figures["budget.projected"].value == 300_000 and "+25%" in figures["budget.projected"].text
    assert figures["budget.projected"].tone == "bad"
    (table,) = section.tables
    assert [row[0].text for row in table.rows] == ["Home line", "Away line"]  # +50% first, then on budget
    assert table.rows[0][4].text == "+50%" and table.rows[1][4].text == "+0%"
    (chart,) = section.charts
    assert chart.categories == ("Q1", "Q2", "Q3", "Q4") and chart.series[1].values[:2] == (75_000, 75_000)


def test_a_line_review_shows_only_that_line(cast):
    _year(cast)
    section = reports.pack_section(Context(cut_off=date(2025, 7, 15), line=cast.away_line))
    assert {f.key: f.value for f in section.figures}["budget.spent"] == 60_000
    assert section.tables == ()


def test_without_money_recorded_the_section_says_so(cast):
    section = reports.pack_section(Context(cut_off=date(2025, 7, 15)))
    assert section.empty.startswith("No data yet") and not section.figures


def test_the_health_page_reads_each_lines_variance(cast):
    quarters = _year(cast)
    variance = reports.budget_variance(period=quarters[2], today=date(2025, 7, 15))
    assert variance == {cast.home_line.pk: 0.5, cast.away_line.pk: 0.0}
