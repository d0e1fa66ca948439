"""Approval pages: the requests waiting for me (and all of them), approving, rejecting, withdrawing,
and who approves which stage (set by product leaders)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import fetch, paginate, refuse, require, safe_next, user_of
from northstar.portfolio import approvals
from northstar.portfolio.models import ApprovalRequest, Approver, Stage

#: Rows of the "waiting for you" list; the full lists are paged.
WAITING_SHOWN = 50


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    """Requests waiting for me first; then every request, filtered by status and paged."""
    status = request.GET.get("status", ApprovalRequest.Status.PENDING)
    if status not in ApprovalRequest.Status.values and status != "all":
        status = ApprovalRequest.Status.PENDING
    page = paginate(request, approvals.approval_list(status="" if status == "all" else status))
    mine = list(approvals.approvals_waiting_for(user_of(request))[:WAITING_SHOWN])
    return render(
        request,
        "portfolio/approvals.html",
        {
            "waiting": mine,
            "page_obj": page,
            "status": status,
            "statuses": [*ApprovalRequest.Status.choices, ("all", "All")],
        },
    )


def _decide(request: HttpRequest, approval_id: int, action: Any, success: Any) -> HttpResponse:
    approval = fetch(get_or_404, ApprovalRequest, approval_id)
    back = safe_next(request, reverse("portfolio:detail", args=[approval.initiative_id]))
    try:
        action(approval)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, success(approval))
    return redirect(back)


@login_required
@require_POST
def approval_approve(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(
        request,
        approval_id,
        lambda a: approvals.approval_approve(
            actor=user_of(request), request=a, note=request.POST.get("note", "")
        ),
        lambda a: f"Approved: “{a.initiative}” moved to {a.get_to_stage_display()}.",
    )


@login_required
@require_POST
def approval_reject(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(
        request,
        approval_id,
        lambda a: approvals.approval_reject(
            actor=user_of(request), request=a, reason=request.POST.get("reason", "")
        ),
        lambda a: f"Rejected: “{a.initiative}” stays where it is; the reason is in the decision log.",
    )


@login_required
@require_POST
def approval_withdraw(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(
        request,
        approval_id,
        lambda a: approvals.approval_withdraw(actor=user_of(request), request=a),
        lambda a: "The request was withdrawn.",
    )


@login_required
@require_POST
def approval_rules(request: HttpRequest) -> HttpResponse:
    """Who approves entering each stage, and above which expected cost (product leaders)."""
    require(user_of(request).is_leading, "Only product leaders and admins decide who approves stage moves.")
    try:
        for stage in Stage.values:
            approver = request.POST.get(f"approver-{stage}")
            if approver is None:
                continue
            approvals.gate_approval_set(
                actor=user_of(request),
                stage=stage,
                approver=approver,
                above=request.POST.get(f"above-{stage}", ""),
            )
    except ApplicationError as exc:
        if exc.status_code == 403:
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(reverse("portfolio:gates") + "#approvals")
    messages.success(request, "Approvals saved: moves into those stages now wait for the approver.")
    return redirect(reverse("portfolio:gates") + "#approvals")


def approval_rule_rows() -> list[dict[str, Any]]:
    """Each stage with who approves entering it, for the stage-gates page."""
    rules = approvals.approval_rules()
    return [
        {
            "stage": value,
            "label": label,
            "approver": rules[value].approver if value in rules else "",
            "above": rules[value].approval_above if value in rules else None,
        }
        for value, label in Stage.choices
    ]


APPROVER_CHOICES = [("", "Nobody (no approval)"), *Approver.choices]
