"""REST API for growth, mounted with the people API: growth plans and readiness, 1:1s (only your
own) and mentoring pairs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org.models import Person
from northstar.people import access, growth, selectors
from northstar.people.models import (
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
)

router = Router()  # tagged "People" by the people router it is added to


def _viewer(request: HttpRequest) -> access.Viewer:
    return access.viewer_of(user_of(request))


# Growth and 1:1s ------------------------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    competency_id: int
    text: str
    target_date: date | None
    done: bool


class PlanOut(Schema):
    id: int
    title: str
    goals: list[GoalOut]

    @staticmethod
    def resolve_goals(obj: GrowthPlan) -> list[GrowthGoal]:
        return list(obj.goals.all())


class ReadinessRowOut(Schema):
    competency_id: int
    next_level_expectation: str
    latest_rating: str
    ready: bool


class GrowthOut(Schema):
    person_id: int
    plans: list[PlanOut]
    next_level_id: int | None
    ready: int
    readiness: list[ReadinessRowOut]


@router.get("/growth/{person_id}", response=GrowthOut)
def growth_get(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = get_or_404(Person, person_id)
    viewer = _viewer(request)
    plans = selectors.growth_plans(viewer, person)
    readiness = selectors.readiness(viewer, person)
    return {
        "person_id": person.pk,
        "plans": plans,
        "next_level_id": readiness.next_level.pk if readiness.next_level else None,
        "ready": readiness.ready,
        "readiness": [
            {"competency_id": c.pk, "next_level_expectation": t, "latest_rating": r, "ready": ok}
            for c, t, r, ok in readiness.rows
        ],
    }


class OneOnOneOut(Schema):
    id: int
    manager_id: int
    report_id: int
    cadence_days: int
    next_on: date


class OneOnOneItemOut(Schema):
    id: int
    text: str
    author_or_owner_id: int
    on: date | None


class OneOnOneDetailOut(Schema):
    one_on_one: OneOnOneOut
    agenda: list[OneOnOneItemOut]
    open_actions: list[OneOnOneItemOut]
    my_private_notes: list[OneOnOneItemOut]


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=10000)


@router.get("/one-on-ones", response=list[OneOnOneOut])
@paginate(Pagination)
def one_on_one_list(request: HttpRequest) -> Any:
    """Your own 1:1s, as manager or as report; nobody else's (leaders included)."""
    return selectors.one_on_ones(_viewer(request))


@router.get("/one-on-ones/{one_on_one_id}", response=OneOnOneDetailOut)
def one_on_one_get(request: HttpRequest, one_on_one_id: int) -> dict[str, Any]:
    view = selectors.one_on_one_view(_viewer(request), get_or_404(OneOnOne, one_on_one_id))
    return {
        "one_on_one": view.one_on_one,
        "agenda": [
            {"id": a.pk, "text": a.text, "author_or_owner_id": a.author_id, "on": None} for a in view.agenda
        ],
        "open_actions": [
            {"id": a.pk, "text": a.text, "author_or_owner_id": a.owner_id, "on": None}
            for a in view.open_actions
        ],
        "my_private_notes": [
            {"id": n.pk, "text": n.body, "author_or_owner_id": n.author_id, "on": n.created_at.date()}
            for n in view.my_notes
        ],
    }


@router.post("/one-on-ones/{one_on_one_id}/agenda", response={201: OneOnOneItemOut})
def agenda_add(request: HttpRequest, one_on_one_id: int, payload: TextIn) -> tuple[int, dict[str, Any]]:
    item = growth.agenda_add(
        actor=user_of(request), one_on_one=get_or_404(OneOnOne, one_on_one_id), text=payload.text
    )
    return 201, {"id": item.pk, "text": item.text, "author_or_owner_id": item.author_id, "on": None}


@router.post("/one-on-ones/{one_on_one_id}/notes", response={201: OneOnOneItemOut})
def private_note_add(request: HttpRequest, one_on_one_id: int, payload: TextIn) -> tuple[int, dict[str, Any]]:
    note = growth.private_note_add(
        actor=user_of(request), one_on_one=get_or_404(OneOnOne, one_on_one_id), body=payload.text
    )
    return 201, {
        "id": note.pk,
        "text": note.body,
        "author_or_owner_id": note.author_id,
        "on": note.created_at.date(),
    }


class MentoringPairOut(Schema):
    id: int
    mentor_id: int
    mentee_id: int
    focus: str
    started_on: date
    active: bool


@router.get("/mentoring", response=list[MentoringPairOut])
@paginate(Pagination)
def mentoring_list(request: HttpRequest) -> Any:
    """Your own mentoring pairs (leaders: every pair, without the notes)."""
    return selectors.mentoring_pairs(_viewer(request))
