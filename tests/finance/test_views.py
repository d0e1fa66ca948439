"""Finance pages: the variance chart, the import with its refusals, rates and business cases."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from northstar.finance.models import Actual, BusinessCase
from tests.finance.factories import make_actuals, make_budget, make_case, make_quarters


def test_budget_page_shows_the_variance_chart_and_flags(cast, login):
    q1, *_ = make_quarters(2025)
    make_budget(cast.home_line, q1, "3000")
    make_actuals([{"month": date(2025, m, 1), "line": cast.home_line, "amount": 2000} for m in (1, 2, 3)])
    page = login(cast.stakeholder).get(reverse("finance:index") + "?year=2025")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="variance-chart"' in body and "plotly" in body and "Cumulative budget" in body
    assert "Over budget" in body  # 6,000 spent against 3,000


def test_importing_a_file_in_the_browser_lands_or_names_the_row(cast, login):
    client = login(cast.leader)
    good = SimpleUploadedFile("ok.csv", b"period,line,category,amount\n2025-01,Home line,tools,120\n")
    response = client.post(reverse("finance:actuals_import"), {"file": good})
    assert response.status_code == 302 and Actual.objects.count() == 1
    bad = SimpleUploadedFile(
        "bad.csv", b"period,line,category,amount\n2025-01,Home line,tools,120\n2025-99,x,y,1\n"
    )
    refused = client.post(reverse("finance:actuals_import"), {"file": bad})
    assert refused.status_code == 422
    assert "Row 3: period &#x27;2025-99&#x27; is not a month" in refused.content.decode()
    assert Actual.objects.count() == 1


def test_actuals_list_is_paged_with_few_queries(cast, login, django_assert_max_num_queries, settings):
    settings.PAGE_SIZE = 10
    make_actuals(
        [{"month": date(2025, 1 + i % 12, 1), "line": cast.home_line, "amount": i + 1} for i in range(30)]
    )
    client = login(cast.stakeholder)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("finance:actuals"))
    assert page.status_code == 200 and "Page 1 of 3" in page.content.decode()
    assert "Import actuals" not in page.content.decode()  # stakeholders read only


def test_case_pages_show_figures_charts_and_the_edit_form_saves(cast, login):
    client = login(cast.pm)
    empty = client.get(reverse("finance:case_detail", args=[cast.home_initiative.pk]))
    assert "Write a business case" in empty.content.decode()
    form = {
        "probability": "0.6",
        "annual_rate": "0.1",
        "periods_per_year": "4",
        "horizon": "8",
        "currency": "EUR",
        "investment_low": "50000",
        "investment_likely": "60000",
        "investment_high": "90000",
        "running_low": "1000",
        "running_likely": "2000",
        "running_high": "3000",
        "savings_low": "10000",
        "savings_likely": "20000",
        "savings_high": "25000",
        "savings_start": "1",
    }
    saved = client.post(reverse("finance:case_edit", args=[cast.home_initiative.pk]), form)
    assert saved.status_code == 302
    case = BusinessCase.objects.get()
    assert case.horizon == 8 and case.benefits.get().kind == "savings"
    detail = client.get(reverse("finance:case_detail", args=[cast.home_initiative.pk])).content.decode()
    assert 'id="tornado-chart"' in detail and 'id="npv-histogram"' in detail and "Risk-adjusted NPV" in detail
    form["investment_high"] = "10"
    refused = client.post(reverse("finance:case_edit", args=[cast.home_initiative.pk]), form)
    assert refused.status_code == 422 and "low ≤ likely ≤ high" in refused.content.decode()
    assert client.get(reverse("finance:case_edit", args=[cast.away_initiative.pk])).status_code == 403


def test_case_list_is_ranked_and_bounded(cast, login, django_assert_max_num_queries):
    make_case(cast.leader, cast.home_initiative)
    make_case(cast.leader, cast.away_initiative, probability="0.2")
    client = login(cast.stakeholder)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("finance:cases")).content.decode()
    assert body.index("Home work") < body.index("Away work")


def test_rates_page_saves_and_refuses(cast, login):
    client = login(cast.leader)
    assert (
        client.post(
            reverse("finance:rates"), {"currency": "USD", "rate": "0.9", "valid_from": "2025-01-01"}
        ).status_code
        == 302
    )
    refused = client.post(
        reverse("finance:rates"), {"currency": "EUR", "rate": "1", "valid_from": "2025-01-01"}
    )
    assert refused.status_code == 422 and "company currency" in refused.content.decode()
    assert (
        login(cast.pm)
        .post(reverse("finance:rates"), {"currency": "USD", "rate": "1", "valid_from": "2025-02-01"})
        .status_code
        == 403
    )


def test_the_business_case_form_shows_a_conflict_instead_of_overwriting(cast, client):
    from northstar.finance import services

    client.force_login(cast.pm)
    url = reverse("finance:case_edit", args=[cast.home_initiative.pk])
    form = {
        "probability": "0.6",
        "annual_rate": "0.1",
        "periods_per_year": "4",
        "horizon": "8",
        "currency": "EUR",
        "investment_low": "50000",
        "investment_likely": "60000",
        "investment_high": "90000",
        "running_low": "1000",
        "running_likely": "2000",
        "running_high": "3000",
    }
    assert client.post(url, form).status_code == 302
    assert 'name="version" value="1"' in client.get(url).content.decode()
    case = BusinessCase.objects.get()
    services.business_case_save(
        actor=cast.leader,
        initiative=cast.home_initiative,
        investment=services.Estimate(1, 2, 3),
        running_cost=services.Estimate(0, 0, 0),
        benefits=[],
        probability="0.5",
        horizon=12,
    )
    conflict = client.post(url, {**form, "horizon": "6", "version": str(case.version)})
    assert (
        conflict.status_code == 409 and "saved a change while you were editing" in conflict.content.decode()
    )
    assert BusinessCase.objects.get().horizon == 12
    again = client.post(url, {**form, "horizon": "6", "version": "2"})
    assert again.status_code == 302 and BusinessCase.objects.get().horizon == 6
