"""Strategy pages: the dashboard, the vision, objectives and key results with check-ins, KPIs, the
north-star tree and the alignment of work. Views parse, call one service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.markdown import render_markdown
from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, edit_page, fetch, plotly_url, refuse, require, user_of
from northstar.portfolio import permissions
from northstar.portfolio.models import Initiative
from northstar.strategy import charts, metrics, selectors, services
from northstar.strategy.forms import (
    AlignmentForm,
    CheckInForm,
    KeyResultForm,
    MetricForm,
    MetricValueForm,
    ObjectiveForm,
    PeriodForm,
    VisionForm,
)
from northstar.strategy.models import Alignment, KeyResult, Metric, Objective


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"plotly_url": plotly_url(), **context}, status=status)


# ---------------------------------------------------------------------------------------------------
# Dashboard


def _period(request: HttpRequest) -> tuple[list, Any]:
    periods = list(selectors.period_list())
    return periods, selectors.period_choose(periods, request.GET.get("period"))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Objectives with progress and confidence, KPIs with sparklines, the north-star tree, anomalies
    and alignment gaps, for one planning period."""
    periods, period = _period(request)
    tree = selectors.objective_tree(period)
    rows = selectors.flatten(tree)
    cards = selectors.kpi_cards(selectors.metric_list().order_by("-is_north_star", "name"))
    for card in cards:
        card.sparkline = charts.sparkline(
            card.points[-52:],
            unit=card.metric.unit,
            target=card.metric.target,
            good_up=card.metric.direction == "up",
        )
    overview = selectors.alignment_overview(period, rows=rows)
    measured = [r.progress for r in rows if r.progress is not None]
    vision = selectors.vision_current()
    return _page(
        request,
        "strategy/dashboard.html",
        {
            "periods": periods,
            "period": period,
            "rows": rows,
            "cards": cards,
            "tree": selectors.north_star_tree(cards),
            "anomalies": selectors.anomalies(cards, limit=10),
            "overview": overview,
            "mean_progress": sum(measured) / len(measured) if measured else None,
            "vision": vision,
            "vision_html": render_markdown(vision.body.split("\n\n")[0]) if vision else "",
            "can_write": user_of(request).can_write,
        },
    )


# ---------------------------------------------------------------------------------------------------
# Periods and the vision


@login_required
def period_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can add planning periods.")
    return edit_page(
        request,
        form=PeriodForm(request.POST or None),
        save=lambda data: services.period_create(actor=user_of(request), **data),
        done=lambda period: reverse("strategy:dashboard") + f"?period={period.pk}",
        context={
            "heading": "New planning period",
            "back_url": reverse("strategy:dashboard"),
            "back_label": "Strategy",
        },
        success="{record} was added.",
    )


@login_required
def vision(request: HttpRequest) -> HttpResponse:
    versions = list(selectors.vision_versions())
    current = versions[0] if versions else None
    return render(
        request,
        "strategy/vision.html",
        {
            "current": current,
            "current_html": render_markdown(current.body) if current else "",
            "versions": versions,
        },
    )


@login_required
def vision_edit(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can change the vision.")
    current = selectors.vision_current()
    return edit_page(
        request,
        form=VisionForm(request.POST or None, current=current),
        save=lambda data: services.vision_save(actor=user_of(request), **data),
        done=lambda version: reverse("strategy:vision"),
        context={
            "heading": "Edit the vision and strategy",
            "back_url": reverse("strategy:vision"),
            "back_label": "Vision",
            "submit_label": "Save as a new version",
        },
        success="Saved as version {record.number}.",
    )


@login_required
def vision_diff(request: HttpRequest) -> HttpResponse:
    versions = {v.number: v for v in selectors.vision_versions()}
    try:
        old = versions[int(request.GET.get("a", ""))]
        new = versions[int(request.GET.get("b", ""))]
    except (KeyError, ValueError):
        return render(
            request,
            "strategy/vision_diff.html",
            {"error": "Pick two saved versions to compare.", "versions": list(versions.values())},
            status=404 if versions else 200,
        )
    return render(
        request,
        "strategy/vision_diff.html",
        {
            "old": old,
            "new": new,
            "lines": selectors.vision_diff(old, new),
            "versions": list(versions.values()),
        },
    )


# ---------------------------------------------------------------------------------------------------
# Objectives, key results, check-ins


def _objective(objective_id: int) -> Objective:
    return fetch(
        get_or_404, Objective, objective_id, queryset=selectors.objective_queryset(include_archived=True)
    )


def _key_result(key_result_id: int) -> KeyResult:
    queryset = KeyResult.objects.select_related(
        "objective__period", "objective__owner", "objective__line", "owner", "metric"
    )
    return fetch(get_or_404, KeyResult, key_result_id, queryset=queryset)


@login_required
def objective_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    initial: dict[str, str | int] = {
        k: request.GET[k] for k in ("period", "parent", "line", "team") if request.GET.get(k, "").isdigit()
    }
    if "owner" not in initial and getattr(user_of(request), "person", None) is not None:
        initial["owner"] = user_of(request).person.pk
    return edit_page(
        request,
        form=ObjectiveForm(request.POST or None, initial=initial),
        save=lambda data: services.objective_create(actor=user_of(request), **data),
        done=lambda objective: reverse("strategy:objective_detail", args=[objective.pk]),
        context={
            "heading": "New objective",
            "back_url": reverse("strategy:dashboard"),
            "back_label": "Strategy",
        },
        success="{record} was created.",
    )


@login_required
def objective_detail(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    row = selectors.objective_detail(objective)
    alignments = list(selectors.alignments_of(objective))
    return render(
        request,
        "strategy/objective_detail.html",
        {
            "objective": objective,
            "row": row,
            "children": sorted(row.children, key=lambda r: r.objective.pk),
            "description_html": render_markdown(objective.description),
            "alignments": alignments,
            # Unlink is offered only where the service would allow it (the initiative's edit rule).
            "unlinkable": permissions.editable_ids(user_of(request), [a.initiative for a in alignments]),
            "can_edit": services.can_edit_objective(user_of(request), objective),
        },
    )


@login_required
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        services.can_edit_objective(user_of(request), objective),
        "You can only change objectives of the product lines you belong to.",
    )
    return edit_page(
        request,
        form=ObjectiveForm(request.POST or None, objective=objective),
        record=objective,
        save=lambda data: services.objective_update(actor=user_of(request), objective=objective, **data),
        done=lambda saved: reverse("strategy:objective_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {objective.title}",
            "back_url": reverse("strategy:objective_detail", args=[objective.pk]),
            "back_label": objective.title,
        },
        success="{record} was saved.",
    )


@login_required
def key_result_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        services.can_edit_objective(user_of(request), objective),
        "You can only add key results to objectives of the product lines you belong to.",
    )
    return edit_page(
        request,
        form=KeyResultForm(request.POST or None),
        save=lambda data: services.key_result_create(actor=user_of(request), objective=objective, **data),
        done=lambda kr: reverse("strategy:key_result_detail", args=[kr.pk]),
        context={
            "heading": f"New key result for {objective.title}",
            "back_url": reverse("strategy:objective_detail", args=[objective.pk]),
            "back_label": objective.title,
        },
        success="{record} was added.",
    )


@login_required
def key_result_edit(request: HttpRequest, key_result_id: int) -> HttpResponse:
    kr = _key_result(key_result_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        services.can_edit_objective(user_of(request), kr.objective),
        "You can only change key results of the product lines you belong to.",
    )
    return edit_page(
        request,
        form=KeyResultForm(request.POST or None, key_result=kr),
        record=kr,
        save=lambda data: services.key_result_update(actor=user_of(request), key_result=kr, **data),
        done=lambda saved: reverse("strategy:key_result_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {kr.title}",
            "back_url": reverse("strategy:key_result_detail", args=[kr.pk]),
            "back_label": kr.title,
        },
        success="{record} was saved.",
    )


def _key_result_context(
    request: HttpRequest, kr: KeyResult, form: CheckInForm | None = None
) -> dict[str, Any]:
    history = selectors.check_in_history(kr)
    chart = charts.check_in_chart(
        [(c.created_at.isoformat(), c.value, c.confidence) for c in history],
        unit=kr.unit,
        baseline=kr.baseline,
        target=kr.target,
    )
    return {
        "kr": kr,
        "progress": selectors.key_result_progress(kr),
        "history": list(reversed(history)),
        "chart": chart,
        "form": form
        or CheckInForm(initial={"value": kr.current, "confidence": kr.confidence or 7}, key_result=kr),
        "can_check_in": services.can_check_in(user_of(request), kr),
        "can_edit": services.can_edit_objective(user_of(request), kr.objective),
    }


@login_required
def key_result_detail(request: HttpRequest, key_result_id: int) -> HttpResponse:
    kr = _key_result(key_result_id)
    return _page(request, "strategy/key_result_detail.html", _key_result_context(request, kr))


@login_required
@require_POST
def check_in(request: HttpRequest, key_result_id: int) -> HttpResponse:
    kr = _key_result(key_result_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        services.can_check_in(user_of(request), kr),
        "Only the owner, the line's PMs or a leader can check in here.",
    )
    form = CheckInForm(request.POST, key_result=kr)
    if not form.is_valid():
        return _page(
            request, "strategy/key_result_detail.html", _key_result_context(request, kr, form), status=422
        )
    try:
        services.check_in_create(actor=user_of(request), key_result=kr, **form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        kr.refresh_from_db()
        return _page(
            request,
            "strategy/key_result_detail.html",
            _key_result_context(request, kr, form),
            status=exc.status_code,
        )
    messages.success(request, "Check-in saved.")
    return redirect("strategy:key_result_detail", key_result_id=kr.pk)


# ---------------------------------------------------------------------------------------------------
# KPIs and the north-star tree


@login_required
def metric_list(request: HttpRequest) -> HttpResponse:
    cards = selectors.kpi_cards(selectors.metric_list().order_by("-is_north_star", "name"))
    for card in cards:
        card.sparkline = charts.sparkline(
            card.points[-52:],
            unit=card.metric.unit,
            target=card.metric.target,
            good_up=card.metric.direction == "up",
        )
    return _page(request, "strategy/metrics.html", {"cards": cards, "can_write": user_of(request).can_write})


def _metric(metric_id: int) -> Metric:
    return fetch(get_or_404, Metric, metric_id, queryset=Metric.all_objects.select_related("line", "drives"))


def _metric_context(
    request: HttpRequest, metric: Metric, form: MetricValueForm | None = None
) -> dict[str, Any]:
    (card,) = selectors.kpi_cards([metric])
    chart = charts.metric_chart(
        card.points,
        name=metric.name,
        unit=metric.unit,
        target=metric.target,
        baseline=card.analysis.baseline,
        flags=card.analysis.flags,
    )
    return {
        "metric": metric,
        "card": card,
        "chart": chart,
        "recent": list(reversed(card.points[-12:])),
        "drivers": metric.drivers.order_by("name"),
        "key_results": metric.key_results.select_related("objective__period").order_by(
            "-objective__period__start"
        ),
        "form": form or MetricValueForm(),
        "can_edit": metrics.can_edit_metric(user_of(request), metric),
    }


@login_required
def metric_detail(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = _metric(metric_id)
    return _page(request, "strategy/metric_detail.html", _metric_context(request, metric))


@login_required
def metric_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    return edit_page(
        request,
        form=MetricForm(request.POST or None),
        save=lambda data: metrics.metric_create(actor=user_of(request), **data),
        done=lambda metric: reverse("strategy:metric_detail", args=[metric.pk]),
        context={"heading": "New KPI", "back_url": reverse("strategy:metrics"), "back_label": "KPIs"},
        success="{record} was created.",
    )


@login_required
def metric_edit(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = _metric(metric_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        metrics.can_edit_metric(user_of(request), metric),
        "You can only change KPIs of the product lines you belong to.",
    )
    return edit_page(
        request,
        form=MetricForm(request.POST or None, metric=metric),
        record=metric,
        save=lambda data: metrics.metric_update(actor=user_of(request), metric=metric, **data),
        done=lambda saved: reverse("strategy:metric_detail", args=[saved.pk]),
        context={
            "heading": f"Edit {metric.name}",
            "back_url": reverse("strategy:metric_detail", args=[metric.pk]),
            "back_label": metric.name,
        },
        success="{record} was saved.",
    )


@login_required
@require_POST
def metric_value_add(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = _metric(metric_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        metrics.can_edit_metric(user_of(request), metric),
        "You can only change KPIs of the product lines you belong to.",
    )
    form = MetricValueForm(request.POST)
    if not form.is_valid():
        return _page(
            request, "strategy/metric_detail.html", _metric_context(request, metric, form), status=422
        )
    try:
        metrics.metric_value_record(actor=user_of(request), metric=metric, **form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(
            request,
            "strategy/metric_detail.html",
            _metric_context(request, metric, form),
            status=exc.status_code,
        )
    messages.success(request, f"Value for {form.cleaned_data['date']:%d %b %Y} saved.")
    return redirect("strategy:metric_detail", metric_id=metric.pk)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    cards = selectors.kpi_cards(selectors.metric_list())
    return render(request, "strategy/tree.html", {"tree": selectors.north_star_tree(cards)})


# ---------------------------------------------------------------------------------------------------
# Alignment


@login_required
def alignment(request: HttpRequest) -> HttpResponse:
    """Per objective, the work behind it and its share of effort; work aligned to nothing; objectives
    with nothing behind them. A POST links an initiative to an objective or key result."""
    periods, period = _period(request)
    objectives = list(selectors.objective_queryset().filter(period=period).order_by("id")) if period else []
    form = AlignmentForm(request.POST or None, objectives=objectives)
    status = 200
    if request.method == "POST":
        require(user_of(request).can_write, READ_ONLY)
        if form.is_valid():
            try:
                link = _align(request, form)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, f"{link.initiative} is now aligned to {link.objective}.")
                return redirect(reverse("strategy:alignment") + f"?period={period.pk}")
        else:
            status = 422
    overview = selectors.alignment_overview(period)
    chart = charts.effort_chart(
        [(o.row.objective.title, o.share) for o in overview.objectives if o.effort > 0],
        unaligned=overview.unaligned_share,
    )
    return _page(
        request,
        "strategy/alignment.html",
        {
            "periods": periods,
            "period": period,
            "overview": overview,
            "chart": chart,
            "form": form,
            "can_write": user_of(request).can_write,
        },
        status=status,
    )


def _align(request: HttpRequest, form: AlignmentForm) -> Alignment:
    target = form.cleaned_data["target"]
    initiative = get_or_404(Initiative, form.cleaned_data["initiative"])
    key_result = None
    if target.startswith("k"):
        key_result = get_or_404(KeyResult, target[1:])
        objective = key_result.objective
    else:
        objective = get_or_404(Objective, target[1:])
    return services.alignment_create(
        actor=user_of(request),
        initiative=initiative,
        objective=objective,
        key_result=key_result,
        weight=form.cleaned_data["weight"],
    )


@login_required
@require_POST
def alignment_remove(request: HttpRequest, alignment_id: int) -> HttpResponse:
    link = fetch(
        get_or_404,
        Alignment,
        alignment_id,
        queryset=Alignment.objects.select_related("initiative", "objective"),
    )
    require(user_of(request).can_write, READ_ONLY)
    try:
        services.alignment_delete(actor=user_of(request), alignment=link)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(request, f"{link.initiative} no longer counts towards {link.objective}.")
    return redirect("strategy:objective_detail", objective_id=link.objective_id)
