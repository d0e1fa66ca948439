"""Reads of the hiring pipeline, shaped for pages and the API, with `people.access` applied:
interviewers see only the candidates they interview, hiring managers and leaders their requisitions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from northstar.people import access
from northstar.people.access import Viewer
from northstar.people.models import (
    Candidate,
    HireDecision,
    Interview,
    Requisition,
    RequisitionStatus,
    Source,
    Stage,
    StageChange,
)


def requisitions() -> QuerySet[Requisition]:
    return Requisition.objects.select_related("level", "line", "hiring_manager").order_by("status", "title")


def pipeline(viewer: Viewer, requisition: Requisition) -> list[tuple[str, list[Candidate]]]:
    """The requisition's candidates by stage, for its hiring team and the leaders."""
    access.require_hiring_team(viewer, requisition)
    by_stage: dict[str, list[Candidate]] = {stage: [] for stage in Stage.values}
    for candidate in requisition.candidates.order_by("applied_on", "name"):
        by_stage[candidate.stage].append(candidate)
    return [(Stage(stage).label, found) for stage, found in by_stage.items()]


def candidates_visible(viewer: Viewer) -> QuerySet[Candidate]:
    """Every candidate the viewer may see: all for leaders, else their hiring teams' and interviewees."""
    qs = Candidate.objects.select_related("requisition").order_by("name")
    if viewer.leading:
        return qs
    if viewer.person_id is None:
        return qs.none()
    return qs.filter(
        Q(requisition__hiring_manager_id=viewer.person_id)
        | Q(requisition__hiring_team__id=viewer.person_id)
        | Q(interviews__interviewer_id=viewer.person_id)
    ).distinct()


@dataclass
class CandidateView:
    candidate: Candidate
    interviews: list[Interview]
    scorecards_hidden: bool
    my_interview: Interview | None
    decisions: list[HireDecision]


def candidate_view(viewer: Viewer, candidate: Candidate) -> CandidateView:
    """The candidate as this viewer may see them. An interviewer whose scorecard is not submitted yet
    sees nobody else's (the hiring manager and the leader included, when they interview)."""
    access.require_candidate_reader(viewer, candidate)
    interviews = list(
        candidate.interviews.select_related("interviewer").prefetch_related(
            "competencies", "ratings__competency"
        )
    )
    mine = next((i for i in interviews if i.interviewer_id == viewer.person_id), None)
    hidden = mine is not None and mine.submitted_at is None
    team = access.on_hiring_team(viewer, candidate.requisition)
    return CandidateView(
        candidate=candidate,
        interviews=interviews,
        scorecards_hidden=hidden if mine is not None else not team,
        my_interview=mine,
        decisions=list(candidate.decisions.select_related("proposed_by", "decided_by")) if team else [],
    )


@dataclass
class HiringMetrics:
    days_to_hire: list[int]
    median_days_to_hire: float | None
    reached: list[tuple[str, int]]
    pass_through: list[tuple[str, float | None]]
    offers: int  # offers the candidate answered (accepted or declined)
    accepted: int
    sources: list[tuple[str, int]]
    open_roles: int


def hiring_metrics() -> HiringMetrics:
    """Time to hire, pass-through per stage, offer acceptance and source of hire, in three queries."""
    reached_by: dict[int, set[str]] = defaultdict(set)
    hired_on: dict[int, date] = {}
    for candidate_id, stage, on in StageChange.objects.values_list("candidate_id", "to_stage", "on"):
        reached_by[candidate_id].add(stage)
        if stage == Stage.HIRED:
            hired_on[candidate_id] = on
    applied = dict(Candidate.objects.values_list("pk", "applied_on"))
    sources = Counter(Candidate.objects.filter(stage=Stage.HIRED).values_list("source", flat=True))
    order = [Stage.APPLIED, Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF, Stage.OFFER, Stage.HIRED]
    reached = []
    for stage in order:
        # A candidate who reached a later stage passed through every earlier one.
        later = set(order[order.index(stage) :])
        reached.append((stage, sum(1 for stages in reached_by.values() if stages & later)))
    pass_through = [(Stage(order[0]).label, None)] + [
        (Stage(stage).label, round(count / prev, 2) if prev else None)
        for (stage, count), (_p, prev) in zip(reached[1:], reached[:-1], strict=True)
    ]
    days = sorted((hired_on[c] - applied[c]).days for c in hired_on if c in applied)
    answered_offers = sum(
        1
        for stages in reached_by.values()
        if Stage.OFFER in stages and stages & {Stage.HIRED, Stage.WITHDRAWN}
    )
    accepted = sum(1 for stages in reached_by.values() if Stage.HIRED in stages)
    median = None
    if days:
        mid = len(days) // 2
        median = float(days[mid]) if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
    return HiringMetrics(
        days_to_hire=days,
        median_days_to_hire=median,
        reached=[(Stage(s).label, n) for s, n in reached],
        pass_through=pass_through,
        offers=answered_offers,
        accepted=accepted,
        sources=sorted(((Source(s).label, n) for s, n in sources.items()), key=lambda x: -x[1]),
        open_roles=Requisition.objects.filter(status=RequisitionStatus.OPEN).count(),
    )
