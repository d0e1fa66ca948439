"""Hiring pages: requisitions and their pipelines, candidates, interview plans, scorecards and the
decision the product leader signs off. Candidates are the hiring team's and the leaders' alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import uploads
from northstar.core.csv_read import DATE_ORDERS
from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.services import get_or_404
from northstar.core.web import edit_page, fetch, flash, paginate, refuse, require, user_of
from northstar.people import access, candidate_files, hiring, hiring_selectors, selectors
from northstar.people.forms import (
    CandidateForm,
    DecideForm,
    DecisionForm,
    HeadcountForm,
    InterviewPlanForm,
    RequisitionForm,
    ScorecardForm,
)
from northstar.people.models import Candidate, HireDecision, Interview, Requisition, RequisitionStatus, Stage


def _act(request: HttpRequest, done: str, call: Callable[[], Any], success: str) -> HttpResponse:
    """Run one service for a POST button: refusals of access become the 403/404 page, others a message."""
    try:
        call()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        flash(request, messages.ERROR, exc.message)
        return redirect(done)
    if success:
        flash(request, messages.SUCCESS, success)
    return redirect(done)


@login_required
def requisitions(request: HttpRequest) -> HttpResponse:
    """Open roles are no secret inside the company: everyone signed in sees the list; candidates are not."""
    viewer = access.viewer_of(user_of(request))
    return render(
        request,
        "people/requisitions.html",
        {
            "page_obj": paginate(request, hiring_selectors.requisitions()),
            "metrics": hiring_selectors.hiring_metrics() if viewer.leading else None,
            "my_candidates": hiring_selectors.candidates_visible(viewer)[:50] if not viewer.leading else [],
        },
    )


@login_required
def requisition_create(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins can create requisitions.")
    return edit_page(
        request,
        form=RequisitionForm(request.POST or None),
        save=lambda data: hiring.requisition_create(actor=user_of(request), **data),
        done=lambda req: reverse("people:requisition", args=[req.pk]),
        context={
            "heading": "New requisition",
            "back_url": reverse("people:requisitions"),
            "back_label": "Hiring",
        },
        success="{record} was created as a draft.",
    )


def _requisition(requisition_id: int) -> Requisition:
    return fetch(
        get_or_404,
        Requisition,
        requisition_id,
        queryset=Requisition.objects.select_related("level", "line", "hiring_manager"),
    )


@login_required
def requisition(request: HttpRequest, requisition_id: int) -> HttpResponse:
    found = _requisition(requisition_id)
    viewer = access.viewer_of(user_of(request))
    stages = fetch(hiring_selectors.pipeline, viewer, found)
    return render(
        request,
        "people/requisition.html",
        {
            "requisition": found,
            "stages": stages,
            "team": found.hiring_team.all(),
            "moves": sorted(hiring.REQUISITION_MOVES[RequisitionStatus(found.status)]),
            "date_orders": DATE_ORDERS.items(),
        },
    )


@login_required
@require_POST
def requisition_status(request: HttpRequest, requisition_id: int) -> HttpResponse:
    found = _requisition(requisition_id)
    status = request.POST.get("status", "")
    return _act(
        request,
        reverse("people:requisition", args=[found.pk]),
        lambda: hiring.requisition_set_status(actor=user_of(request), requisition=found, status=status),
        f"{found.title} is now {status}.",
    )


@login_required
def candidate_create(request: HttpRequest, requisition_id: int) -> HttpResponse:
    found = _requisition(requisition_id)
    require(access.on_hiring_team(access.viewer_of(user_of(request)), found), access.PRIVATE_CANDIDATE)
    return edit_page(
        request,
        form=CandidateForm(request.POST or None),
        save=lambda data: hiring.candidate_add(actor=user_of(request), requisition=found, **data),
        done=lambda candidate: reverse("people:candidate", args=[candidate.pk]),
        context={
            "heading": f"Add a candidate to {found.title}",
            "back_url": reverse("people:requisition", args=[found.pk]),
            "back_label": found.title,
        },
        success="{record} was added.",
    )


def _candidate(candidate_id: int) -> Candidate:
    return fetch(
        get_or_404, Candidate, candidate_id, queryset=Candidate.objects.select_related("requisition__level")
    )


@login_required
def candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    found = _candidate(candidate_id)
    viewer = access.viewer_of(user_of(request))
    view = fetch(hiring_selectors.candidate_view, viewer, found)
    team = access.on_hiring_team(viewer, found.requisition)
    pending = next((d for d in view.decisions if d.status == "pending"), None)
    return render(
        request,
        "people/candidate.html",
        {
            "view": view,
            "team": team,
            "stages": [
                s for s in Stage if s not in hiring.DECIDED_STAGES or not found.requisition.leader_approval
            ],
            "plan_form": InterviewPlanForm() if team else None,
            "decision_form": DecisionForm() if team and pending is None else None,
            "pending": pending,
            "decide_form": DecideForm() if pending and viewer.is_leader else None,
        },
    )


@login_required
@require_POST
def candidate_action(request: HttpRequest, candidate_id: int, action: str) -> HttpResponse:
    """The hiring team's buttons on a candidate: move, plan an interview, propose a decision, record the
    answer to an offer."""
    found = _candidate(candidate_id)
    actor = user_of(request)
    done = reverse("people:candidate", args=[found.pk])
    if action == "move":
        stage = request.POST.get("stage", "")
        return _act(
            request, done, lambda: hiring.candidate_move(actor=actor, candidate=found, stage=stage), "Moved."
        )
    if action == "plan":
        form = InterviewPlanForm(request.POST)
        if not form.is_valid():
            return _act(request, done, _invalid("Choose an interviewer and what they cover."), "")
        return _act(
            request,
            done,
            lambda: hiring.interview_plan(actor=actor, candidate=found, **form.service_data()),
            "Interviewer added to the loop.",
        )
    if action == "propose":
        decision_form = DecisionForm(request.POST)
        if not decision_form.is_valid():
            return _act(request, done, _invalid("Choose offer or reject, and give the reason."), "")
        return _act(
            request,
            done,
            lambda: hiring.decision_propose(actor=actor, candidate=found, **decision_form.cleaned_data),
            "Proposed: waiting for the final say.",
        )
    if action in ("accepted", "declined"):
        return _act(
            request,
            done,
            lambda: hiring.offer_outcome(actor=actor, candidate=found, accepted=action == "accepted"),
            "Recorded.",
        )
    return render(request, "404.html", status=404)


def _invalid(message: str) -> Callable[[], Any]:
    def call() -> Any:
        raise ValidationFailed(message)

    return call


@login_required
@require_POST
def decision_decide(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The final say on a proposed offer or rejection."""
    found = fetch(
        get_or_404, HireDecision, decision_id, queryset=HireDecision.objects.select_related("candidate")
    )
    form = DecideForm(request.POST)
    done = reverse("people:candidate", args=[found.candidate_id])
    if not form.is_valid():
        return _act(request, done, _invalid("Approve or decline."), "")
    return _act(
        request,
        done,
        lambda: hiring.decision_decide(actor=user_of(request), decision=found, **form.cleaned_data),
        "Decided.",
    )


@login_required
def scorecard(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The interviewer's scorecard: only they can open it."""
    found = fetch(
        get_or_404,
        Interview,
        interview_id,
        queryset=Interview.objects.select_related("candidate", "interviewer"),
    )
    viewer = access.viewer_of(user_of(request))
    require(viewer.person_id == found.interviewer_id, "Only the interviewer writes their scorecard.")
    back = reverse("people:candidate", args=[found.candidate_id])
    if found.submitted_at is not None:
        flash(request, messages.INFO, "Your scorecard is submitted.")
        return redirect(back)
    return edit_page(
        request,
        form=ScorecardForm(request.POST or None, interview=found),
        save=lambda data: hiring.scorecard_submit(actor=user_of(request), interview=found, **data),
        done=lambda saved: back,
        context={
            "heading": f"Scorecard: {found.candidate.name}",
            "back_url": back,
            "back_label": found.candidate.name,
        },
        success="Scorecard submitted: you can now read the others'.",
    )


@login_required
def candidate_cv(request: HttpRequest, candidate_id: int) -> HttpResponse | FileResponse:
    """GET: the CV as a download (never shown inline); POST: upload a new one (hiring team)."""
    found = _candidate(candidate_id)
    actor = user_of(request)
    done = reverse("people:candidate", args=[found.pk])
    if request.method == "POST":
        upload = request.FILES.get("cv")
        refused = uploads.refused_upload(request)
        if upload is None:
            return _act(request, done, _invalid(refused or "Choose a PDF or .docx file."), "")
        return _act(
            request,
            done,
            lambda: candidate_files.candidate_cv_attach(
                actor=actor,
                candidate=found,
                name=upload.name or "",
                size=upload.size or 0,
                chunks=upload.chunks(),
            ),
            "CV stored.",
        )
    path = fetch(candidate_files.candidate_cv_path, actor=actor, candidate=found)
    if not path.is_file():
        raise Http404("The CV file is missing.")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=found.cv_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def candidates_import(request: HttpRequest, requisition_id: int) -> HttpResponse:
    found = _requisition(requisition_id)
    upload = request.FILES.get("file")
    done = reverse("people:requisition", args=[found.pk])
    if upload is None:
        return _act(request, done, _invalid(uploads.refused_upload(request) or "Choose a CSV file."), "")
    added: list[Candidate] = []

    def run() -> None:
        added.extend(
            candidate_files.candidates_import(
                actor=user_of(request),
                requisition=found,
                stream=upload,
                order=request.POST.get("date_order", ""),
            )
        )

    response = _act(request, done, run, "")
    if added:
        flash(request, messages.SUCCESS, f"Imported {len(added)} candidate(s).")
    return response


@login_required
def headcount(request: HttpRequest) -> HttpResponse:
    """Approved slots per line and period against hires made and roles open."""
    return render(request, "people/headcount.html", {"rows": selectors.headcount()})


@login_required
def headcount_set(request: HttpRequest) -> HttpResponse:
    require(user_of(request).is_leading, "Only product leaders and admins approve headcount.")
    return edit_page(
        request,
        form=HeadcountForm(request.POST or None),
        save=lambda data: hiring.headcount_set(actor=user_of(request), **data),
        done=lambda plan: reverse("people:headcount"),
        context={
            "heading": "Approve headcount",
            "back_url": reverse("people:headcount"),
            "back_label": "Headcount",
        },
        success="{record} saved.",
    )
