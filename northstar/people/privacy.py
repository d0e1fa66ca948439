"""A person's people data on request (export and erasure), and candidates erased after retention.

Run by an operator from the command line (`northstar people export|erase|purge-candidates`), so these
take no actor: whoever can run the command already holds the database. What an export holds about a
person written by others stays as private as on the pages: 360 feedback only aggregated (and only
once three answered), never another author's private notes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from northstar.core.errors import NotFound
from northstar.org.models import Person
from northstar.people.access import PEER_THRESHOLD
from northstar.people.candidate_files import cv_folder
from northstar.people.models import (
    ActionItem,
    AgendaItem,
    Candidate,
    CompetencyRating,
    Feedback,
    FeedbackKind,
    GrowthCheckIn,
    GrowthPlan,
    MentoringPair,
    OneOnOne,
    PrivateNote,
    Review,
    Stage,
)

#: Default retention of closed candidates (rejected or withdrawn), in days.
CANDIDATE_RETENTION_DAYS = 365


def find_person(key: str) -> Person:
    """A person by id or email address."""
    person = Person.objects.filter(pk=int(key)).first() if key.isdigit() else None
    person = person or Person.objects.filter(email__iexact=key.strip()).first()
    if person is None:
        raise NotFound(f"No person with id or email {key!r}.")
    return person


def _assessment(item: Feedback) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "overall": item.overall,
        "summary": item.summary,
        "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None,
        "ratings": [
            {"competency": r.competency.name, "rating": r.rating, "evidence": r.evidence}
            for r in item.ratings.all()
        ],
    }


def person_export(person: Person) -> dict[str, Any]:
    """Everything the people area holds about or by a person, as plain data."""
    reviews = []
    for review in Review.objects.filter(person=person).select_related("cycle"):
        feedback = list(review.feedback.prefetch_related("ratings__competency"))
        peers = [f for f in feedback if f.kind == FeedbackKind.PEER and f.submitted_at]
        aggregate: dict[str, Any] = {"answered": len(peers)}
        if len(peers) >= PEER_THRESHOLD:
            counts: dict[str, dict[str, int]] = {}
            for rating in CompetencyRating.objects.filter(feedback__in=peers).select_related("competency"):
                counts.setdefault(rating.competency.name, {}).setdefault(rating.rating, 0)
                counts[rating.competency.name][rating.rating] += 1
            aggregate["ratings"] = counts
        reviews.append(
            {
                "cycle": review.cycle.name,
                "final_rating": review.final_rating,
                "promotion": review.promotion,
                "outcome": review.outcome,
                "assessments": [_assessment(f) for f in feedback if f.kind != FeedbackKind.PEER],
                "feedback_360": aggregate,
            }
        )
    written = (
        Feedback.objects.filter(author=person).exclude(review__person=person).select_related("review__person")
    )
    meetings = OneOnOne.objects.filter(Q(manager=person) | Q(report=person)).select_related(
        "manager", "report"
    )
    return {
        "person": {"id": person.pk, "name": person.name, "email": person.email, "level": person.level},
        "reviews": reviews,
        "assessments_written": [
            {"about": f.review.person.name, **_assessment(f)}
            for f in written.prefetch_related("ratings__competency")
        ],
        "growth_plans": [
            {
                "title": plan.title,
                "goals": [
                    {"competency": g.competency.name, "text": g.text, "done": g.done}
                    for g in plan.goals.all()
                ],
            }
            for plan in GrowthPlan.objects.filter(person=person).prefetch_related("goals__competency")
        ],
        "one_on_ones": [
            {
                "with": (m.report if m.manager_id == person.pk else m.manager).name,
                "agenda_written": list(m.agenda.filter(author=person).values_list("text", flat=True)),
                "actions_owned": list(m.actions.filter(owner=person).values_list("text", flat=True)),
                "private_notes": list(m.private_notes.filter(author=person).values_list("body", flat=True)),
            }
            for m in meetings
        ],
        "mentoring": [
            {
                "mentor": pair.mentor.name,
                "mentee": pair.mentee.name,
                "my_notes": list(pair.notes.filter(author=person).values_list("body", flat=True)),
            }
            for pair in MentoringPair.objects.filter(Q(mentor=person) | Q(mentee=person)).select_related(
                "mentor", "mentee"
            )
        ],
        "as_candidate": [
            {"requisition": c.requisition.title, "stage": c.stage, "applied_on": c.applied_on.isoformat()}
            for c in Candidate.objects.filter(email__iexact=person.email).select_related("requisition")
        ],
    }


@transaction.atomic
def person_erase(person: Person) -> dict[str, int]:
    """Erase what the people area holds about and by a person: their reviews, the assessments they
    wrote, growth plans, 1:1s (both sides'), and candidate records with their address. The org record
    itself is the org area's (`org.services.person_delete`)."""
    counts = {
        "reviews": Review.objects.filter(person=person).delete()[0],
        "assessments_written": Feedback.objects.filter(author=person).delete()[0],
        "growth_plans": GrowthPlan.objects.filter(person=person).delete()[0],
        "growth_check_ins": GrowthCheckIn.objects.filter(author=person).delete()[0],
        "one_on_ones": OneOnOne.objects.filter(Q(manager=person) | Q(report=person)).delete()[0],
        "agenda_items": AgendaItem.objects.filter(author=person).delete()[0],
        "action_items": ActionItem.objects.filter(owner=person).delete()[0],
        "private_notes": PrivateNote.objects.filter(author=person).delete()[0],
        "mentoring_pairs": MentoringPair.objects.filter(Q(mentor=person) | Q(mentee=person)).delete()[0],
        "candidates": _delete_candidates(Candidate.objects.filter(email__iexact=person.email)),
    }
    return counts


def _delete_candidates(candidates: Any) -> int:
    """Delete candidates and, once the deletion is committed, their stored CVs."""
    files = [name for name in candidates.values_list("cv_file", flat=True) if name]
    deleted = candidates.delete()[0]

    def remove_files() -> None:
        for name in files:
            (cv_folder() / Path(name).name).unlink(missing_ok=True)

    transaction.on_commit(remove_files)
    return deleted


@transaction.atomic
def candidates_purge(*, older_than_days: int = CANDIDATE_RETENTION_DAYS) -> int:
    """Erase rejected and withdrawn candidates whose last move is older than the retention period
    (with their interviews, scorecards and decisions); returns how many candidates were erased."""
    if older_than_days < 0:
        raise ValueError("The retention period cannot be negative.")
    cut_off = timezone.localdate() - timedelta(days=older_than_days)
    stale = (
        Candidate.objects.filter(stage__in=[Stage.REJECTED, Stage.WITHDRAWN])
        .annotate(last_move=Max("stage_changes__on"))
        .filter(Q(last_move__lt=cut_off) | Q(last_move=None, applied_on__lt=cut_off))
    )
    ids = list(stale.values_list("pk", flat=True))
    _delete_candidates(Candidate.objects.filter(pk__in=ids))
    return len(ids)
