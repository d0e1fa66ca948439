"""The demo company's people records: the full career framework, a finished review cycle (signed off,
outcomes shared) and one in progress, with self, manager and 360 assessments written."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.org.models import Person
from northstar.people import services
from northstar.people.models import (
    CareerLevel,
    Competency,
    CompetencyRating,
    CycleStatus,
    Feedback,
    FeedbackKind,
    Rating,
    Relationship,
    Review,
    ReviewCycle,
)

FINISHED = "2026 H1 performance review"
IN_PROGRESS = "2026 H2 performance review"

EVIDENCE = {
    Rating.BELOW: [
        "Needed several reminders before the plan was shared.",
        "The analysis stopped short of a recommendation.",
        "Stakeholders heard about the change late.",
    ],
    Rating.MEETS: [
        "Ran the quarterly planning for the area without surprises.",
        "Interviews every week fed the last two prioritisation calls.",
        "Clear release notes and a tidy decision log.",
        "Worked through the pricing trade-offs with finance.",
    ],
    Rating.ABOVE: [
        "Reframed the checkout problem and cut the scope by half.",
        "Coached two newer PMs through their first launches.",
        "Turned a churn signal into a measured win within a quarter.",
        "The strategy memo is now how the line explains itself.",
    ],
}


def _rating(rng: random.Random, bias: float) -> str:
    roll = rng.random() + bias
    return Rating.BELOW if roll < 0.15 else Rating.ABOVE if roll > 0.8 else Rating.MEETS


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _write(
    rng: random.Random,
    feedback: Feedback,
    competencies: list[Competency],
    bias: float,
    when: date,
    ratings: list[CompetencyRating],
) -> None:
    chosen = [_rating(rng, bias) for _ in competencies]
    for competency, rating in zip(competencies, chosen, strict=True):
        ratings.append(
            CompetencyRating(
                feedback=feedback, competency=competency, rating=rating, evidence=rng.choice(EVIDENCE[rating])
            )
        )
    score = sum({Rating.BELOW: -1, Rating.MEETS: 0, Rating.ABOVE: 1}[r] for r in chosen) / len(chosen)
    feedback.overall = Rating.BELOW if score < -0.25 else Rating.ABOVE if score > 0.35 else Rating.MEETS
    feedback.summary = rng.choice(EVIDENCE[feedback.overall])
    feedback.submitted_at = _at(when)
    feedback.promotion_recommended = (
        feedback.kind == FeedbackKind.MANAGER and feedback.overall == Rating.ABOVE
    )


def _cycle(
    name: str, start: date, end: date, people: list[Person], rng: random.Random, *, finished: bool
) -> dict[str, int]:
    if ReviewCycle.objects.filter(name=name).exists():
        return {}
    competencies = list(Competency.objects.all())
    cycle = ReviewCycle.objects.create(
        name=name,
        period_start=start,
        period_end=end,
        self_due=end + timedelta(days=14),
        feedback_due=end + timedelta(days=21),
        manager_due=end + timedelta(days=28),
        status=CycleStatus.SIGNED_OFF if finished else CycleStatus.OPEN,
        signed_off_at=_at(end + timedelta(days=45)) if finished else None,
    )
    reviews = Review.objects.bulk_create(
        Review(cycle=cycle, person=p, manager_id=p.manager_id) for p in people
    )
    by_manager: dict[int | None, list[Person]] = {}
    for person in people:
        by_manager.setdefault(person.manager_id, []).append(person)
    ratings: list[CompetencyRating] = []
    feedback_rows: list[Feedback] = []
    written = end + timedelta(days=10)
    for index, (review, person) in enumerate(zip(reviews, people, strict=True)):
        bias = rng.uniform(-0.15, 0.2)
        # In progress: most self reviews written, a third of manager reviews, 360s trickling in.
        items = [(FeedbackKind.SELF, person, "", finished or index % 5 != 0)]
        if person.manager_id:
            items.append((FeedbackKind.MANAGER, None, "", finished or index % 3 == 0))
        peers = [p for p in by_manager.get(person.manager_id, []) if p.pk != person.pk]
        rng.shuffle(peers)
        for n, peer in enumerate(peers[:4]):
            relationship = [
                Relationship.PEER,
                Relationship.ENGINEERING,
                Relationship.DESIGN,
                Relationship.STAKEHOLDER,
            ][n]
            items.append((FeedbackKind.PEER, peer, relationship, finished or n < index % 5))
        for kind, author, relationship, submit in items:
            feedback = Feedback(
                review=review,
                author_id=person.manager_id if kind == FeedbackKind.MANAGER else author.pk,
                kind=kind,
                relationship=relationship,
                requested_by_id=person.pk if kind == FeedbackKind.PEER else None,
            )
            feedback_rows.append(feedback)
            if submit:
                _write(rng, feedback, competencies, bias, written, ratings)
        if finished:
            manager = next((f for f in feedback_rows[-len(items) :] if f.kind == FeedbackKind.MANAGER), None)
            review.final_rating = manager.overall if manager else Rating.MEETS
            review.promotion = bool(manager and manager.promotion_recommended and index % 2 == 0)
            review.outcome = (
                "Promoted to the next level: congratulations."
                if review.promotion
                else "Keep building on this half's strengths; see your growth plan for next steps."
            )
    Feedback.objects.bulk_create(feedback_rows)
    CompetencyRating.objects.bulk_create(ratings, batch_size=2000)
    if finished:
        Review.objects.bulk_update(reviews, ["final_rating", "promotion", "outcome"])
    return {"review_cycles": 1, "reviews": len(reviews), "assessments": len(feedback_rows)}


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add the demo records for this area (idempotent); returns {kind: number added}."""
    counts = services.install_framework()
    rng = random.Random(seed + 16)
    on_ladder = set(CareerLevel.objects.values_list("org_level", flat=True))
    people = list(Person.objects.filter(level__in=on_ladder).order_by("pk"))
    for name, start, end, finished in (
        (FINISHED, date(2026, 1, 1), date(2026, 6, 30), True),
        (IN_PROGRESS, date(2026, 7, 1), date(2026, 12, 31), False),
    ):
        for key, value in _cycle(name, start, end, people, rng, finished=finished).items():
            counts[key] = counts.get(key, 0) + value
    return counts
