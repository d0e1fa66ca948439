"""Governance pages: dependencies and their graph, the decision log, stage gates, the scoring model."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import (
    READ_ONLY,
    edit_page,
    fetch,
    flash,
    form_refused,
    paginate,
    render_list,
    require,
    user_of,
)
from northstar.org.models import ProductLine
from northstar.portfolio import governance, graph, rankings, scoring
from northstar.portfolio.models import FRAMEWORK_KEYS, Decision, Dependency, ScoringCriterion, Stage
from northstar.portfolio.prioritisation_forms import (
    CriterionForm,
    DecisionFilterForm,
    DecisionForm,
    DependencyForm,
    FrameworksForm,
    GateForm,
)
from northstar.portfolio.prioritisation_views import EDIT_REFUSED, _can_edit, _initiative

ADMINS_ONLY = "Only admins can change this."
DEPENDENCIES = "dependencies"  # the section of the initiative page these actions return to


# Dependencies -------------------------------------------------------------------------------------


@login_required
@require_POST
def dependency_add(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    form = DependencyForm(request.POST)
    if not form.is_valid():
        flash(
            request,
            messages.ERROR,
            "Give the id of the other initiative and whether this requires or blocks it.",
            at=DEPENDENCIES,
        )
    else:
        try:
            governance.dependency_add(actor=user_of(request), initiative=initiative, **form.service_data())
        except ApplicationError as exc:
            if exc.status_code == 403:
                require(False, exc.message)
            flash(request, messages.ERROR, exc.message, at=DEPENDENCIES)
        else:
            flash(request, messages.SUCCESS, "Dependency added.", at=DEPENDENCIES)
    return redirect(reverse("portfolio:detail", args=[initiative.pk]) + f"#{DEPENDENCIES}")


@login_required
@require_POST
def dependency_remove(request: HttpRequest, initiative_id: int, dependency_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    dependency = fetch(get_or_404, Dependency, dependency_id)
    try:
        governance.dependency_remove(actor=user_of(request), dependency=dependency, initiative=initiative)
    except ApplicationError as exc:
        require(exc.status_code != 403, exc.message)
        flash(request, messages.ERROR, exc.message, at=DEPENDENCIES)
    else:
        flash(request, messages.SUCCESS, "Dependency removed.", at=DEPENDENCIES)
    return redirect(reverse("portfolio:detail", args=[initiative.pk]) + f"#{DEPENDENCIES}")


@login_required
def dependency_graph(request: HttpRequest) -> HttpResponse:
    """The requires/blocks graph of one product line, laid out in layers and drawn as SVG."""
    lines = list(ProductLine.objects.order_by("name").values_list("id", "name"))
    chosen = request.GET.get("line", "")
    line_id = int(chosen) if chosen.isdigit() else None
    if line_id not in {pk for pk, _ in lines}:
        line_id = graph.busiest_line() or (lines[0][0] if lines else None)
    drawing = graph.line_graph(line_id) if line_id is not None else None
    return render(
        request,
        "portfolio/dependencies.html",
        {
            "lines": lines,
            "line_id": line_id,
            "graph": drawing,
            "node_w": graph.NODE_W,
            "node_h": graph.NODE_H,
        },
    )


# Decisions ----------------------------------------------------------------------------------------


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET)
    page = paginate(request, rankings.decision_list(form.filters()))
    return render_list(
        request,
        "portfolio/decisions.html",
        "portfolio/_decision_results.html",
        {"form": form, "page_obj": page},
    )


@login_required
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One entry of the decision log with its discussion (comments and @mentions)."""
    queryset = Decision.objects.select_related("initiative__product__line", "decided_by")
    decision = fetch(get_or_404, Decision, decision_id, queryset=queryset)
    return render(request, "portfolio/decision_detail.html", {"d": decision})


@login_required
def decision_create(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    require(user_of(request).can_write, READ_ONLY)
    require(_can_edit(request, initiative), EDIT_REFUSED)
    return edit_page(
        request,
        form=DecisionForm(request.POST or None),
        save=lambda data: governance.decision_record(actor=user_of(request), initiative=initiative, **data),
        done=lambda saved: reverse("portfolio:detail", args=[initiative.pk]) + "#decisions",
        success_at="decisions",
        context={
            "heading": f"Record a decision on {initiative.title}",
            "back_url": reverse("portfolio:detail", args=[initiative.pk]),
            "back_label": initiative.title,
            "submit_label": "Record decision",
        },
        success="Decision recorded: {record}.",
    )


# Stage gates --------------------------------------------------------------------------------------


@login_required
def gates(request: HttpRequest) -> HttpResponse:
    """Everyone sees what each stage requires; admins change it here."""
    is_admin = user_of(request).role == "admin"
    rules = governance.gate_rules()
    form = GateForm(request.POST or None, rules=rules)
    status = 200
    if request.method == "POST":
        require(is_admin, ADMINS_ONLY)
        if form.is_valid():
            try:
                governance.gates_set(actor=user_of(request), rules=form.cleaned_data)
            except ApplicationError as exc:
                return form_refused(
                    request, "portfolio/gates.html", _gates_context(rules, is_admin), form, exc
                )
            messages.success(request, "Stage gates saved.")
            return redirect("portfolio:gates")
        status = 422
    return render(
        request, "portfolio/gates.html", {**_gates_context(rules, is_admin), "form": form}, status=status
    )


def _gates_context(rules: dict[str, list[str]], is_admin: bool) -> dict:
    from northstar.portfolio.approval_views import APPROVER_CHOICES, approval_rule_rows

    return {
        "is_admin": is_admin,
        "approval_rows": approval_rule_rows(),
        "approver_choices": APPROVER_CHOICES,
        "stages": [
            (label, [governance.REQUIREMENTS[k].needs for k in rules.get(value, [])])
            for value, label in Stage.choices
        ],
        "suggested": [
            (Stage(stage).label, [governance.REQUIREMENTS[k].needs for k in keys])
            for stage, keys in governance.SUGGESTED_GATES.items()
        ],
    }


@login_required
@require_POST
def gates_suggested(request: HttpRequest) -> HttpResponse:
    try:
        governance.gates_adopt_suggested(actor=user_of(request))
    except ApplicationError as exc:
        require(exc.status_code != 403, exc.message)
        raise
    messages.success(request, "The suggested stage gates are in place; adjust them below.")
    return redirect("portfolio:gates")


# The scoring model --------------------------------------------------------------------------------


@login_required
def scoring_settings(request: HttpRequest) -> HttpResponse:
    """Which frameworks are active, and the weighted model's criteria; admins change them."""
    is_admin = user_of(request).role == "admin"
    active = scoring.active_framework_keys()
    form = FrameworksForm(request.POST or None, initial={"active": active})
    if request.method == "POST":
        require(is_admin, ADMINS_ONLY)
        if form.is_valid():
            try:
                scoring.frameworks_activate(actor=user_of(request), active=form.cleaned_data["active"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Active frameworks saved.")
                return redirect("portfolio:scoring_settings")
    criteria = scoring.criteria()
    total = sum(c.weight for c in criteria) or 1
    return render(
        request,
        "portfolio/scoring_settings.html",
        {
            "form": form,
            "is_admin": is_admin,
            "frameworks": [(k, scoring.framework_label(k), k in active) for k in FRAMEWORK_KEYS],
            "criteria": [(c, round(100 * c.weight / total)) for c in criteria],
        },
        status=422 if form.errors else 200,
    )


def _criterion_page(request: HttpRequest, criterion: ScoringCriterion | None) -> HttpResponse:
    require(user_of(request).role == "admin", ADMINS_ONLY)
    back = reverse("portfolio:scoring_settings")
    if criterion is None:
        save = lambda data: scoring.criterion_create(actor=user_of(request), **data)  # noqa: E731
    else:
        save = lambda data: scoring.criterion_update(actor=user_of(request), criterion=criterion, **data)  # noqa: E731
    return edit_page(
        request,
        form=CriterionForm(request.POST or None, criterion=criterion),
        record=criterion,
        save=save,
        done=lambda saved: back,
        context={
            "heading": "New criterion" if criterion is None else f"Edit {criterion.label}",
            "back_url": back,
            "back_label": "Scoring model",
        },
        success="Criterion {record} saved; every weighted score was recomputed.",
    )


@login_required
def criterion_create(request: HttpRequest) -> HttpResponse:
    return _criterion_page(request, None)


@login_required
def criterion_edit(request: HttpRequest, criterion_id: int) -> HttpResponse:
    return _criterion_page(request, fetch(get_or_404, ScoringCriterion, criterion_id))


@login_required
@require_POST
def criterion_delete(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = fetch(get_or_404, ScoringCriterion, criterion_id)
    require(user_of(request).role == "admin", ADMINS_ONLY)
    scoring.criterion_delete(actor=user_of(request), criterion=criterion)
    messages.success(request, f"Criterion {criterion.label} removed; weighted scores were recomputed.")
    return redirect("portfolio:scoring_settings")
