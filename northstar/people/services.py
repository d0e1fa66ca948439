"""Every change to the career framework and to review cycles: checked, saved and audited here.

Review content is private: the audit log records who wrote or changed an assessment and when, never
what it says (see `_private_snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from northstar.core import audit, concurrency
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import get_or_404, record_save
from northstar.core.validation import assign
from northstar.org.models import Person
from northstar.people import access
from northstar.people.models import (
    CareerLevel,
    Competency,
    CompetencyRating,
    CycleStatus,
    Expectation,
    Feedback,
    FeedbackKind,
    Rating,
    Relationship,
    Review,
    ReviewCycle,
)

COMPETENCY_FIELDS = {"name", "group", "description", "position"}
#: Fields whose content is private to the people allowed to read it: audited as changed, never shown.
PRIVATE_FIELDS = frozenset(
    {"summary", "evidence", "outcome", "body", "text", "reason", "notes", "decision_note"}
)
PRIVATE = "[private]"


def _private_snapshot(instance: Any) -> audit.Snapshot:
    """A record's audit snapshot with private text replaced, so the log says *that* it changed."""
    state = audit.snapshot(instance)
    return {k: (PRIVATE if k in PRIVATE_FIELDS and v not in (None, "") else v) for k, v in state.items()}


def _save_private(*, actor: User, instance: Any, created: bool, before: audit.Snapshot | None = None) -> Any:
    """Save a record holding private text and audit it without the text."""
    instance.full_clean()
    if created:
        instance.save()
        audit.audit_create(actor=actor, instance=instance, after=_private_snapshot(instance))
        return instance
    instance.version += 1
    instance.save()
    audit.audit_update(actor=actor, instance=instance, before=before or {}, after=_private_snapshot(instance))
    return instance


# Career framework ----------------------------------------------------------------------------------


@transaction.atomic
def competency_create(*, actor: User, **data: Any) -> Competency:
    access.require_leading(access.viewer_of(actor), "change the career framework")
    competency = Competency()
    assign(competency, data, allowed=COMPETENCY_FIELDS)
    return record_save(actor=actor, instance=competency, before=None)


@transaction.atomic
def competency_update(*, actor: User, competency: Competency, **data: Any) -> Competency:
    access.require_leading(access.viewer_of(actor), "change the career framework")
    before = audit.snapshot(competency)
    assign(competency, data, allowed=COMPETENCY_FIELDS)
    return record_save(actor=actor, instance=competency, before=before)


@transaction.atomic
def level_update(*, actor: User, level: CareerLevel, summary: str) -> CareerLevel:
    access.require_leading(access.viewer_of(actor), "change the career framework")
    before = audit.snapshot(level)
    level.summary = summary
    return record_save(actor=actor, instance=level, before=before)


@transaction.atomic
def expectation_set(
    *, actor: User, level: CareerLevel, competency: Competency, text: str, version: int | None = None
) -> Expectation:
    """Write one cell of the career matrix. `version` is the cell's version the editor saw (0 for an
    empty cell): a cell changed meanwhile is refused rather than overwritten."""
    access.require_leading(access.viewer_of(actor), "change the career framework")
    text = text.strip()
    if not text:
        raise ValidationFailed("Say what is expected: an empty expectation helps nobody.")
    cell = Expectation.objects.filter(level=level, competency=competency).first()
    concurrency.require_version(cell, version, what=f"{competency} at {level}")
    if cell is None:
        return record_save(
            actor=actor, instance=Expectation(level=level, competency=competency, text=text), before=None
        )
    before = audit.snapshot(cell)
    cell.text = text
    return record_save(actor=actor, instance=cell, before=before)


# Review cycles --------------------------------------------------------------------------------------


def _check_dates(start: date, end: date, dues: Iterable[date]) -> None:
    if end < start:
        raise ValidationFailed("The review period ends before it starts.")
    for due in dues:
        if due < start:
            raise ValidationFailed("Deadlines fall inside or after the review period, not before it.")


@transaction.atomic
def cycle_open(
    *,
    actor: User,
    name: str,
    period_start: date,
    period_end: date,
    self_due: date,
    feedback_due: date,
    manager_due: date,
    participant_ids: Iterable[int],
) -> ReviewCycle:
    """Open a review cycle: each participant gets a review, a self review to write and (if they have a
    manager) a manager review their manager writes."""
    access.require_leading(access.viewer_of(actor), "open review cycles")
    _check_dates(period_start, period_end, (self_due, feedback_due, manager_due))
    ids = sorted(set(participant_ids))
    if not ids:
        raise ValidationFailed("A review cycle needs at least one participant.")
    people = list(Person.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in people})
    if missing:
        raise ValidationFailed(f"Unknown person id(s): {', '.join(map(str, missing))}.", detail=missing)
    cycle = ReviewCycle(
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        self_due=self_due,
        feedback_due=feedback_due,
        manager_due=manager_due,
        opened_by=actor,
    )
    record_save(actor=actor, instance=cycle, before=None)
    for person in people:
        review = Review.objects.create(cycle=cycle, person=person, manager_id=person.manager_id)
        Feedback.objects.create(review=review, author=person, kind=FeedbackKind.SELF)
        if person.manager_id:
            Feedback.objects.create(review=review, author_id=person.manager_id, kind=FeedbackKind.MANAGER)
    return cycle


def _require_open(cycle: ReviewCycle) -> None:
    if cycle.status != CycleStatus.OPEN:
        raise Conflict(f"{cycle} is {cycle.get_status_display().split(':')[0].lower()}: reviews are closed.")


@transaction.atomic
def feedback_request(
    *, actor: User, review: Review, reviewer_id: int, relationship: str = Relationship.PEER
) -> Feedback:
    """Ask someone for 360 feedback on a review: the person themselves, their manager or a leader may."""
    viewer = access.viewer_of(actor)
    relation = access.review_access(viewer, review.person_id)
    if not (relation.is_self or relation.leading or viewer.person_id == review.manager_id):
        raise PermissionDenied("Only the person, their manager or a leader can ask for 360 feedback.")
    _require_open(review.cycle)
    if relationship not in Relationship.values:
        raise ValidationFailed(
            f"Unknown relationship {relationship!r}: choose {', '.join(Relationship.values)}."
        )
    reviewer = Person.objects.filter(pk=reviewer_id).first()
    if reviewer is None:
        raise ValidationFailed(f"Unknown person id {reviewer_id}.")
    if reviewer.pk in (review.person_id, review.manager_id):
        raise Conflict(
            "360 feedback comes from others: the person and their manager write their own reviews."
        )
    if Feedback.objects.filter(review=review, author=reviewer, kind=FeedbackKind.PEER).exists():
        raise Conflict(f"{reviewer.name} has already been asked for feedback on this review.")
    feedback = Feedback(
        review=review,
        author=reviewer,
        kind=FeedbackKind.PEER,
        relationship=relationship,
        requested_by_id=viewer.person_id,
    )
    return _save_private(actor=actor, instance=feedback, created=True)


@transaction.atomic
def feedback_submit(
    *,
    actor: User,
    feedback: Feedback,
    overall: str,
    summary: str,
    ratings: Mapping[int, tuple[str, str]],
    promotion_recommended: bool = False,
) -> Feedback:
    """Submit an assessment: its author rates every competency (below / meets / above, with evidence)
    against the person's level. Submitted once; nobody else can write it."""
    feedback = Feedback.objects.select_for_update().select_related("review__cycle").get(pk=feedback.pk)
    viewer = access.viewer_of(actor)
    if viewer.person_id is None or viewer.person_id != feedback.author_id:
        raise PermissionDenied("Only its author can write this assessment.")
    _require_open(feedback.review.cycle)
    if feedback.submitted_at is not None:
        raise Conflict("This assessment was already submitted.")
    if overall not in Rating.values:
        raise ValidationFailed("Choose an overall rating: below, meets or above expectations.")
    competencies = {c.pk: c for c in Competency.objects.all()}
    unknown = sorted(set(ratings) - set(competencies))
    if unknown:
        raise ValidationFailed(f"Unknown competency id(s): {', '.join(map(str, unknown))}.")
    unrated = sorted(c.name for pk, c in competencies.items() if pk not in ratings)
    if unrated:
        raise ValidationFailed(f"Rate every competency; missing: {', '.join(unrated)}.", detail=unrated)
    for pk, (rating, _evidence) in ratings.items():
        if rating not in Rating.values:
            raise ValidationFailed(f"{competencies[pk]}: rate below, meets or above, not {rating!r}.")
    before = _private_snapshot(feedback)
    feedback.overall = overall
    feedback.summary = summary.strip()
    feedback.promotion_recommended = promotion_recommended and feedback.kind == FeedbackKind.MANAGER
    feedback.submitted_at = timezone.now()
    _save_private(actor=actor, instance=feedback, created=False, before=before)
    CompetencyRating.objects.bulk_create(
        CompetencyRating(feedback=feedback, competency_id=pk, rating=rating, evidence=evidence.strip())
        for pk, (rating, evidence) in ratings.items()
    )
    return feedback


@transaction.atomic
def review_calibrate(
    *, actor: User, review: Review, final_rating: str, promotion: bool = False, outcome: str = ""
) -> Review:
    """The leader's calibrated rating, promotion decision and the outcome the person will read."""
    access.require_leading(access.viewer_of(actor), "calibrate reviews")
    if review.cycle.status == CycleStatus.SIGNED_OFF:
        raise Conflict("This cycle is signed off: its outcomes are already shared.")
    if final_rating not in Rating.values:
        raise ValidationFailed("Choose a final rating: below, meets or above expectations.")
    before = _private_snapshot(review)
    review.final_rating = final_rating
    review.promotion = promotion
    review.outcome = outcome.strip()
    return _save_private(actor=actor, instance=review, created=False, before=before)


@transaction.atomic
def cycle_start_calibration(*, actor: User, cycle: ReviewCycle) -> ReviewCycle:
    access.require_leading(access.viewer_of(actor), "calibrate reviews")
    _require_open(cycle)
    before = audit.snapshot(cycle)
    cycle.status = CycleStatus.CALIBRATION
    return record_save(actor=actor, instance=cycle, before=before)


@transaction.atomic
def cycle_sign_off(*, actor: User, cycle: ReviewCycle) -> ReviewCycle:
    """Sign the cycle off: every review takes its calibrated rating (the manager's where the leader
    set none) and each person can read their outcome."""
    access.require_leading(access.viewer_of(actor), "sign off review cycles")
    if cycle.status == CycleStatus.SIGNED_OFF:
        raise Conflict(f"{cycle} is already signed off.")
    managers = dict(
        Feedback.objects.filter(review__cycle=cycle, kind=FeedbackKind.MANAGER)
        .exclude(submitted_at=None)
        .values_list("review_id", "overall")
    )
    unrated = []
    for review in cycle.reviews.select_related("person"):
        if review.final_rating:
            continue
        if review.pk in managers:
            review.final_rating = managers[review.pk]
            review.save(update_fields=["final_rating"])
        else:
            unrated.append(review.person.name)
    if unrated:
        raise Conflict(
            f"{len(unrated)} review(s) have no manager review and no calibrated rating yet: "
            f"{', '.join(sorted(unrated)[:5])}.",
            detail=sorted(unrated),
        )
    promotions = _promotions(cycle)
    for person, level in promotions:
        person_before = audit.snapshot(person)
        person.level = level.org_level
        record_save(actor=actor, instance=person, before=person_before)
    before = audit.snapshot(cycle)
    cycle.status = CycleStatus.SIGNED_OFF
    cycle.signed_off_at = timezone.now()
    return record_save(actor=actor, instance=cycle, before=before)


def _promotions(cycle: ReviewCycle) -> list[tuple[Person, CareerLevel]]:
    """Each promoted person with the level they move to: the next rung of their track. Someone on a
    level outside the framework or already at the top of their track cannot be promoted by a review."""
    levels = {level.org_level: level for level in CareerLevel.objects.all()}
    by_rung = {(level.track, level.rank): level for level in levels.values()}
    moves, stuck = [], []
    for review in cycle.reviews.filter(promotion=True).select_related("person").order_by("person__name"):
        current = levels.get(review.person.level)
        following = by_rung.get((current.track, current.rank + 1)) if current else None
        if following is None:
            stuck.append(review.person.name)
        else:
            moves.append((review.person, following))
    if stuck:
        raise Conflict(
            f"Promotion marked for {', '.join(stuck)}, who has no next level in the career framework: "
            "clear the promotion in calibration or add the level, then sign off.",
            detail=stuck,
        )
    return moves


def cycle_remind(*, actor: User, cycle: ReviewCycle) -> int:
    """Email everyone with an assessment still to write in this cycle; returns how many were sent.

    Each email names only the review its reader is asked to write, never anyone's answers.
    """
    access.require_leading(access.viewer_of(actor), "send review reminders")
    _require_open(cycle)
    pending = (
        Feedback.objects.filter(review__cycle=cycle, submitted_at=None)
        .select_related("author", "review__person")
        .order_by("author__name")
    )
    due: dict[str, date] = {FeedbackKind.SELF: cycle.self_due, FeedbackKind.PEER: cycle.feedback_due}
    messages = []
    for item in pending:
        what = (
            "your self review" if item.kind == FeedbackKind.SELF else f"feedback on {item.review.person.name}"
        )
        when = due.get(item.kind, cycle.manager_due)
        messages.append(
            (
                f"Reminder: {what} for {cycle.name}",
                f"Hello {item.author.name},\n\nPlease write {what} in Northstar by {when.isoformat()}.\n"
                f"{settings.NORTHSTAR_BASE_URL}/people/feedback/{item.pk}/\n",
                settings.DEFAULT_FROM_EMAIL,
                [item.author.email],
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def feedback_for_author(*, actor: User, feedback_id: int) -> Feedback:
    """An assessment its author is about to write (or reread); nobody else may open it."""
    feedback = get_or_404(
        Feedback, feedback_id, queryset=Feedback.objects.select_related("review__person", "review__cycle")
    )
    viewer = access.viewer_of(actor)
    if viewer.person_id is None or viewer.person_id != feedback.author_id:
        raise NotFound(f"No assessment with id {feedback_id} for you to write.")
    return feedback


def install_framework() -> dict[str, int]:
    """Create the starting framework's missing levels, competencies and cells (idempotent); the demo
    and `framework_install` share it. Returns how many of each were added."""
    from northstar.people import framework

    added = {"career_levels": 0, "competencies": 0, "expectations": 0}
    levels = {}
    for org_level, (track, rank, _stage, _scope, summary) in framework.LEVELS.items():
        levels[org_level], created = CareerLevel.objects.get_or_create(
            org_level=org_level, defaults={"track": track, "rank": rank, "summary": summary}
        )
        added["career_levels"] += created
    for index, (name, group, description, _texts) in enumerate(framework.COMPETENCIES):
        competency, created = Competency.objects.get_or_create(
            name=name, defaults={"group": group, "description": description, "position": index + 1}
        )
        added["competencies"] += created
        existing = set(Expectation.objects.filter(competency=competency).values_list("level_id", flat=True))
        new = [
            Expectation(level=level, competency=competency, text=framework.expectation_text(index, org_level))
            for org_level, level in levels.items()
            if level.pk not in existing
        ]
        Expectation.objects.bulk_create(new)
        added["expectations"] += len(new)
    return added


@transaction.atomic
def framework_install(*, actor: User) -> dict[str, int]:
    """A leader installs the starting framework on an empty (or partial) ladder; nothing is overwritten."""
    access.require_leading(access.viewer_of(actor), "change the career framework")
    return install_framework()
