"""Finance pages: budget against actuals and forecast, actuals and their import, exchange rates, and
business cases. Views parse, call one service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from northstar.core import concurrency
from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import edit_page, fetch, paginate, plotly_url, refuse, require, user_of
from northstar.finance import charts, selectors, services
from northstar.finance.forms import ActualsImportForm, BusinessCaseForm, PeopleCostForm, RateForm
from northstar.finance.imports import actuals_import
from northstar.finance.models import ExchangeRate
from northstar.finance.people_cost import people_cost_derive
from northstar.org import access
from northstar.org.models import ProductLine
from northstar.portfolio.models import Initiative


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 5 else today.year


def _line(request: HttpRequest) -> ProductLine | None:
    raw = request.GET.get("line", "")
    return ProductLine.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Budget against actuals and forecast for a year: the variance chart, quarters, lines, the
    capitalisable share and the initiatives with the most money against them."""
    year, line = _year(request), _line(request)
    overview = selectors.budget_overview(year=year, line=line)
    years = sorted({*selectors.years_with_actuals(), timezone.localdate().year}, reverse=True)
    return render(
        request,
        "finance/index.html",
        {
            "plotly_url": plotly_url(),
            "overview": overview,
            "total": overview.total,
            "chart": charts.variance_chart(overview),
            "line_chart": charts.line_variance_chart(
                [(r.label, r.variance) for r in overview.lines if r.variance is not None]
            ),
            "initiatives": selectors.initiative_money(limit=15, line=line),
            "years": years,
            "lines": ProductLine.objects.order_by("name"),
            "line": line,
            "year": year,
            "can_import": user_of(request).is_leading,
        },
    )


@login_required
def actuals(request: HttpRequest) -> HttpResponse:
    line = _line(request)
    return render(
        request,
        "finance/actuals.html",
        {
            "page_obj": paginate(request, selectors.actual_list(line=line)),
            "batches": selectors.batch_list(),
            "lines": ProductLine.objects.order_by("name"),
            "line": line,
            "form": ActualsImportForm(),
            "people_form": PeopleCostForm(),
            "can_import": user_of(request).is_leading,
        },
    )


@login_required
@require_POST
def actuals_upload(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can import actual spend.")
    form = ActualsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV file to import.")
        return redirect("finance:actuals")
    upload = form.cleaned_data["file"]
    try:
        batch = actuals_import(
            actor=user_of(request),
            stream=upload,
            file_name=upload.name,
            order=form.cleaned_data["date_order"],
        )
    except ApplicationError as exc:
        errors = exc.detail if isinstance(exc.detail, list) else []
        return render(
            request,
            "finance/import_refused.html",
            {"message": exc.message, "errors": errors, "file_name": upload.name},
            status=exc.status_code,
        )
    messages.success(request, f"Imported {batch.rows:,} rows from {batch.file_name}.")
    return redirect(reverse("finance:index") + f"?year={batch.last_month.year if batch.last_month else ''}")


@login_required
@require_POST
def people_cost(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can derive people cost.")
    form = PeopleCostForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a month.")
        return redirect("finance:actuals")
    try:
        batch = people_cost_derive(actor=user_of(request), month=form.cleaned_data["month"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("finance:actuals")
    messages.success(request, f"{batch.file_name}: {batch.rows} rows derived from team cost rates.")
    return redirect("finance:actuals")


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST or None)
    if request.method == "POST":
        require(user_of(request).is_leading, "Only product leaders and admins can change exchange rates.")
        if form.is_valid():
            try:
                services.exchange_rate_set(actor=user_of(request), **form.service_data())
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Exchange rate saved.")
                return redirect("finance:rates")
    return render(
        request,
        "finance/rates.html",
        {"rates": selectors.rate_list(), "form": form, "currency": selectors.company_currency()},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def rate_delete(request: HttpRequest, rate_id: int) -> HttpResponse:
    rate = fetch(get_or_404, ExchangeRate, rate_id)
    try:
        services.exchange_rate_delete(actor=user_of(request), rate=rate)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(request, f"Removed the {rate.currency} rate from {rate.valid_from}.")
    return redirect("finance:rates")


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "finance/cases.html",
        {"page_obj": paginate(request, selectors.case_list()), "currency": selectors.company_currency()},
    )


def _case_context(case: Any) -> dict[str, Any]:
    from northstar.engines import finance as engine

    benefits = list(case.benefits.all())
    model = services.case_model(case, benefits)
    figures = engine.evaluate(model)
    spread = engine.simulate(model, simulations=services.CASE_SIMULATIONS, seed=case.initiative_id)
    unit = "quarters" if case.periods_per_year == 4 else "months"
    return {
        "figures": figures,
        "spread": spread,
        "unit": unit,
        "cashflow": charts.cashflow_chart(figures.costs, figures.benefits, currency=case.currency, unit=unit),
        "histogram": charts.npv_histogram(spread, currency=case.currency),
        "tornado": charts.tornado_chart(engine.tornado(model), likely=figures.npv, currency=case.currency),
        "benefits": benefits,
    }


@login_required
def case_detail(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = fetch(get_or_404, Initiative, initiative_id)
    case = selectors.case_for(initiative.pk)
    line_id = initiative.product.line_id if initiative.product_id else None
    context: dict[str, Any] = {
        "plotly_url": plotly_url(),
        "initiative": initiative,
        "case": case,
        "spend": selectors.initiative_actuals(initiative.pk),
        "currency": selectors.company_currency(),
        "can_edit": access.can_edit_line(user_of(request), line_id),
    }
    if case is not None:
        context.update(_case_context(case))
    return render(request, "finance/case_detail.html", context)


@login_required
def case_edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = fetch(get_or_404, Initiative, initiative_id)
    line_id = initiative.product.line_id if initiative.product_id else None
    require(
        access.can_edit_line(user_of(request), line_id), "You can only change business cases in your lines."
    )
    case = selectors.case_for(initiative.pk)
    back = reverse("finance:case_detail", args=[initiative.pk])
    return edit_page(
        request,
        form=BusinessCaseForm(request.POST or None, case=case),
        save=lambda data: services.business_case_save(
            actor=user_of(request),
            initiative=initiative,
            version=concurrency.expected_version(case) if case else None,
            **data,
        ),
        done=lambda record: back,
        record=case,
        context={
            "heading": f"Business case: {initiative.title}",
            "back_url": back,
            "back_label": initiative.title,
            "submit_label": "Save and compute",
        },
        success="Business case saved: risk-adjusted NPV {record.risk_adjusted_npv:,.0f} {record.currency}.",
    )
