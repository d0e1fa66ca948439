"""Portfolio pages: the initiative list with its filters, an initiative's page, its forms and stage moves.

The list is the busiest page in the product, so it renders in a fixed number of queries however many
initiatives there are (see tests/portfolio/test_views.py for the measured count).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import audit_display
from northstar.core import selectors as core_selectors
from northstar.core.errors import ApplicationError
from northstar.core.markdown import render_markdown
from northstar.core.models import User
from northstar.core.services import get_or_404
from northstar.core.web import (
    READ_ONLY,
    edit_page,
    fetch,
    is_fragment_request,
    paginate,
    render_list,
    require,
    user_of,
)
from northstar.engines import scoring as engine
from northstar.feedback import selectors as feedback_selectors
from northstar.portfolio import approvals, governance, permissions, rankings, scoring, selectors, services
from northstar.portfolio.forms import InitiativeFilterForm, InitiativeForm
from northstar.portfolio.models import STAGE_PATH, Initiative, Stage
from northstar.portfolio.prioritisation_forms import DependencyForm

RECORD_TYPE = "portfolio.initiative"
HISTORY_LIMIT = 50
DECISIONS_SHOWN = 10


def can_edit(user: User, initiative: Initiative) -> bool:
    """Whether to offer edit controls: the same rule the service applies on every write."""
    return services.can_edit_initiative(user, product_id=initiative.product_id, owner_id=initiative.owner_id)


@login_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the portfolio; HTMX swaps only the results, plain GET works without JS."""
    form = InitiativeFilterForm(request.GET)
    page = paginate(request, selectors.initiative_list(form.filters()))
    return render_list(
        request,
        "portfolio/list.html",
        "portfolio/_results.html",
        {"form": form, "page_obj": page, "stage_choices": Stage.choices},
    )


def _next_stage(stage: str) -> str:
    """The next step along the main path, offered as the primary button."""
    if stage in STAGE_PATH and stage != STAGE_PATH[-1]:
        return STAGE_PATH[STAGE_PATH.index(Stage(stage)) + 1].value
    return ""


def _detail_context(request: HttpRequest, initiative: Initiative, **extra: Any) -> dict[str, Any]:
    history = core_selectors.audit_list(record_type=RECORD_TYPE, record_id=str(initiative.pk))
    next_stage = _next_stage(initiative.stage)
    pending = approvals.pending_for(initiative)
    return {
        "initiative": initiative,
        "description_html": render_markdown(initiative.description),
        "moves": [Stage(s) for s in services.allowed_stage_moves(initiative.stage)],
        "next_stage": next_stage,
        "next_stage_label": Stage(next_stage).label if next_stage else "",
        "next_gate_missing": [r.needs for r in governance.gate_missing(initiative, next_stage)]
        if next_stage
        else [],
        "can_edit": can_edit(user_of(request), initiative),
        "history": audit_display.readable(history[:HISTORY_LIMIT]),
        "stage_error": "",
        "stage_missing": [],
        "stage_note": "",
        "pending_approval": pending,
        "can_decide_approval": pending is not None and approvals.can_decide(user_of(request), pending),
        "decisions": initiative.decisions.select_related("decided_by")[:DECISIONS_SHOWN],
        "decision_count": initiative.decisions.count(),
        **extra,
    }


def _prioritisation_context(initiative: Initiative, user: User) -> dict[str, Any]:
    """The scores, estimate, dependencies and decisions shown on an initiative's page."""
    lines = list(initiative.estimate_lines.select_related("skill"))
    required_by = list(
        initiative.required_by.select_related("initiative__product").order_by("initiative__title")
    )
    return {
        "framework_scores": rankings.initiative_scores(initiative),
        "scoring_inputs": scoring.scoring_of(initiative),
        "estimate_lines": lines,
        "estimate_summary": engine.estimate_effort(scoring.engine_estimate(lines)) if lines else None,
        "estimate_cost": scoring.estimate_cost(initiative, lines),
        "requires": initiative.requirements.select_related("requires").order_by("requires__title"),
        "required_by": required_by,
        # Removing a "blocks" link takes a requirement off the other initiative: offer it where allowed.
        "removable_blockers": permissions.editable_ids(user, [d.initiative for d in required_by]),
        "problem_html": render_markdown(initiative.problem_statement),
        "evidence_html": render_markdown(initiative.evidence_notes),
        "dependency_form": DependencyForm(),
        "demand": feedback_selectors.demand_for_initiatives([initiative.pk])[initiative.pk],
        "evidence_links": initiative.evidence.select_related("item__customer").order_by("-created_at")[:3],
    }


def _initiative(initiative_id: int) -> Initiative:
    return fetch(get_or_404, Initiative, initiative_id, queryset=selectors.initiative_detail_queryset())


@login_required
def detail(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    context = _detail_context(request, initiative, **_prioritisation_context(initiative, user_of(request)))
    return render(request, "portfolio/detail.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).can_write, READ_ONLY)
    initial = {k: request.GET[k] for k in ("parent", "product") if request.GET.get(k, "").isdigit()}
    return edit_page(
        request,
        form=InitiativeForm(request.POST or None, initial=initial or None),
        save=lambda data: services.initiative_create(actor=user_of(request), **data),
        done=lambda initiative: reverse("portfolio:detail", args=[initiative.pk]),
        context={
            "heading": "New initiative",
            "back_url": reverse("portfolio:list"),
            "back_label": "Portfolio",
        },
        success="{record} was created.",
    )


@login_required
def edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = _initiative(initiative_id)
    require(user_of(request).can_write, READ_ONLY)
    require(
        can_edit(user_of(request), initiative),
        "You can only change initiatives in the product lines you belong to.",
    )
    return edit_page(
        request,
        form=InitiativeForm(request.POST or None, initiative=initiative),
        record=initiative,
        save=lambda data: services.initiative_update(actor=user_of(request), initiative=initiative, **data),
        done=lambda saved: reverse("portfolio:detail", args=[saved.pk]),
        context={
            "heading": f"Edit {initiative.title}",
            "back_url": reverse("portfolio:detail", args=[initiative.pk]),
            "back_label": initiative.title,
        },
        success="{record} was saved.",
    )


@login_required
@require_POST
def move(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """Move to another stage. HTMX gets the stage panel back (with the refusal, if any) and fresh history."""
    initiative = _initiative(initiative_id)
    try:
        outcome = approvals.stage_move(
            actor=user_of(request),
            initiative=initiative,
            stage=request.POST.get("stage", ""),
            rationale=request.POST.get("rationale", "")[:2000],
        )
    except ApplicationError as exc:
        initiative.refresh_from_db(fields=["stage"])
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        context = _detail_context(
            request,
            initiative,
            stage_error=detail.get("headline", exc.message),
            stage_missing=detail.get("needs", []),
        )
        if is_fragment_request(request):
            return render(request, "portfolio/_stage_move.html", context, status=exc.status_code)
        context.update(_prioritisation_context(initiative, user_of(request)))
        return render(request, "portfolio/detail.html", context, status=exc.status_code)
    if is_fragment_request(request):
        context = _detail_context(request, initiative, stage_note="" if outcome.moved else outcome.message)
        return render(request, "portfolio/_stage_move.html", context, status=200 if outcome.moved else 202)
    messages.success(request, outcome.message)
    return redirect("portfolio:detail", initiative_id=initiative.pk)
