"""Growth plans with goals and check-ins, and recurring 1:1s (shared agenda, action items that carry
forward until done, private notes only their author can ever read).

Growth plans follow the review rule (the person, their manager chain, leaders); 1:1s are the pair's
alone. Their text is private: the audit log records that it changed, never what it says.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.org.models import Person
from northstar.people import access
from northstar.people.models import (
    ActionItem,
    AgendaItem,
    Competency,
    GrowthCheckIn,
    GrowthGoal,
    GrowthPlan,
    MentoringNote,
    MentoringPair,
    OneOnOne,
    PrivateNote,
)
from northstar.people.services import _private_snapshot, _save_private


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(f"{what} cannot be empty.")
    return value


# Growth plans ------------------------------------------------------------------------------------------


def _require_growth_writer(actor: User, person_id: int) -> None:
    """The person themselves, their manager chain or a leader (the same people who read their reviews)."""
    if not actor.can_write:
        raise PermissionDenied("Your role is read-only.")
    access.require_review_reader(access.viewer_of(actor), person_id)


@transaction.atomic
def plan_create(*, actor: User, person: Person, title: str) -> GrowthPlan:
    _require_growth_writer(actor, person.pk)
    plan = GrowthPlan(person=person, title=_text(title, "A plan's title"))
    return _save_private(actor=actor, instance=plan, created=True)


@transaction.atomic
def goal_add(
    *, actor: User, plan: GrowthPlan, competency_id: int, text: str, target_date: date | None = None
) -> GrowthGoal:
    _require_growth_writer(actor, plan.person_id)
    if not Competency.objects.filter(pk=competency_id).exists():
        raise ValidationFailed(f"Unknown competency id {competency_id}.")
    goal = GrowthGoal(
        plan=plan, competency_id=competency_id, text=_text(text, "A goal"), target_date=target_date
    )
    return _save_private(actor=actor, instance=goal, created=True)


@transaction.atomic
def goal_check_in(*, actor: User, goal: GrowthGoal, text: str, done: bool = False) -> GrowthCheckIn:
    plan = goal.plan
    _require_growth_writer(actor, plan.person_id)
    author = access.require_person(access.viewer_of(actor))
    check_in = GrowthCheckIn(goal=goal, author_id=author, text=_text(text, "A check-in"))
    _save_private(actor=actor, instance=check_in, created=True)
    if done != goal.done:
        before = _private_snapshot(goal)
        goal.done = done
        _save_private(actor=actor, instance=goal, created=False, before=before)
    return check_in


# 1:1s ---------------------------------------------------------------------------------------------------


@transaction.atomic
def one_on_one_start(
    *, actor: User, report: Person, cadence_days: int = 7, next_on: date | None = None
) -> OneOnOne:
    """A manager starts recurring 1:1s with one of their direct reports."""
    viewer = access.viewer_of(actor)
    if viewer.person_id is None or report.manager_id != viewer.person_id:
        raise PermissionDenied("Managers start 1:1s with their own direct reports.")
    if not 1 <= cadence_days <= 90:
        raise ValidationFailed("Meet every 1 to 90 days.")
    if OneOnOne.objects.filter(manager_id=viewer.person_id, report=report).exists():
        raise Conflict(f"You already have 1:1s with {report.name}.")
    one_on_one = OneOnOne(
        manager_id=viewer.person_id,
        report=report,
        cadence_days=cadence_days,
        next_on=next_on or timezone.localdate() + timedelta(days=cadence_days),
    )
    return _save_private(actor=actor, instance=one_on_one, created=True)


@transaction.atomic
def agenda_add(*, actor: User, one_on_one: OneOnOne, text: str) -> AgendaItem:
    author = access.require_pair(access.viewer_of(actor), one_on_one)
    item = AgendaItem(one_on_one=one_on_one, author_id=author, text=_text(text, "An agenda item"))
    return _save_private(actor=actor, instance=item, created=True)


@transaction.atomic
def action_add(*, actor: User, one_on_one: OneOnOne, text: str, owner_id: int | None = None) -> ActionItem:
    author = access.require_pair(access.viewer_of(actor), one_on_one)
    owner = owner_id or author
    if owner not in (one_on_one.manager_id, one_on_one.report_id):
        raise ValidationFailed("An action item belongs to one side of the 1:1.")
    item = ActionItem(one_on_one=one_on_one, owner_id=owner, text=_text(text, "An action item"))
    return _save_private(actor=actor, instance=item, created=True)


@transaction.atomic
def action_done(*, actor: User, action: ActionItem) -> ActionItem:
    access.require_pair(access.viewer_of(actor), action.one_on_one)
    if action.done_on is not None:
        raise Conflict("This action item is already done.")
    before = _private_snapshot(action)
    action.done_on = timezone.localdate()
    return _save_private(actor=actor, instance=action, created=False, before=before)


@transaction.atomic
def meeting_held(*, actor: User, one_on_one: OneOnOne) -> OneOnOne:
    """Close today's 1:1: its agenda is marked discussed, open action items carry forward, and the
    next one is scheduled a cadence later."""
    access.require_pair(access.viewer_of(actor), one_on_one)
    today = timezone.localdate()
    one_on_one.agenda.filter(discussed_on=None).update(discussed_on=today)
    before = _private_snapshot(one_on_one)
    one_on_one.next_on = max(one_on_one.next_on, today) + timedelta(days=one_on_one.cadence_days)
    return _save_private(actor=actor, instance=one_on_one, created=False, before=before)


@transaction.atomic
def private_note_add(*, actor: User, one_on_one: OneOnOne, body: str) -> PrivateNote:
    """A note only its author will ever read; the audit log records that it was written, not what."""
    author = access.require_pair(access.viewer_of(actor), one_on_one)
    note = PrivateNote(one_on_one=one_on_one, author_id=author, body=_text(body, "A note"))
    return _save_private(actor=actor, instance=note, created=True)


# Mentoring ---------------------------------------------------------------------------------------------


@transaction.atomic
def mentoring_start(*, actor: User, mentor: Person, mentee: Person, focus: str = "") -> MentoringPair:
    """Pair a mentor with a mentee: a leader pairs anyone; anyone else pairs themselves with someone."""
    viewer = access.viewer_of(actor)
    if not actor.can_write:
        raise PermissionDenied("Your role is read-only.")
    if not viewer.leading and viewer.person_id not in (mentor.pk, mentee.pk):
        raise PermissionDenied("You can start mentoring as the mentor or the mentee; leaders pair anyone.")
    if mentor.pk == mentee.pk:
        raise ValidationFailed("A mentor and a mentee are two people.")
    if MentoringPair.objects.filter(mentor=mentor, mentee=mentee).exists():
        raise Conflict(f"{mentor.name} already mentors {mentee.name}.")
    pair = MentoringPair(mentor=mentor, mentee=mentee, focus=focus.strip(), started_on=timezone.localdate())
    return _save_private(actor=actor, instance=pair, created=True)


@transaction.atomic
def mentoring_note_add(*, actor: User, pair: MentoringPair, body: str) -> MentoringNote:
    author = access.require_mentoring_pair(access.viewer_of(actor), pair)
    note = MentoringNote(pair=pair, author_id=author, body=_text(body, "A note"))
    return _save_private(actor=actor, instance=note, created=True)
