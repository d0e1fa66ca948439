"""The demo company's people records: the full career framework, a finished review cycle (signed off,
outcomes shared) and one in progress, with self, manager and 360 assessments written."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.org.models import Person, ProductLine
from northstar.people import hiring, services
from northstar.people.models import (
    PIPELINE,
    ActionItem,
    AgendaItem,
    Candidate,
    CareerLevel,
    Competency,
    CompetencyRating,
    CycleStatus,
    Feedback,
    FeedbackKind,
    GrowthCheckIn,
    GrowthGoal,
    GrowthPlan,
    HeadcountPlan,
    HireDecision,
    Interview,
    MentoringNote,
    MentoringPair,
    OneOnOne,
    PrivateNote,
    Rating,
    Relationship,
    Requisition,
    RequisitionStatus,
    Review,
    ReviewCycle,
    ScorecardRating,
    Source,
    Stage,
    StageChange,
)
from northstar.strategy.models import PlanningPeriod

FINISHED = "2026 H1 performance review"
IN_PROGRESS = "2026 H2 performance review"

EVIDENCE: dict[str, list[str]] = {
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
    points: dict[str, int] = {Rating.BELOW: -1, Rating.MEETS: 0, Rating.ABOVE: 1}
    score = sum(points[r] for r in chosen) / len(chosen)
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
        items: list[tuple[str, int, str, bool]] = [
            (FeedbackKind.SELF, person.pk, "", finished or index % 5 != 0)
        ]
        if person.manager_id:
            items.append((FeedbackKind.MANAGER, person.manager_id, "", finished or index % 3 == 0))
        peers = [p for p in by_manager.get(person.manager_id, []) if p.pk != person.pk]
        rng.shuffle(peers)
        for n, peer in enumerate(peers[:4]):
            relationship = [
                Relationship.PEER,
                Relationship.ENGINEERING,
                Relationship.DESIGN,
                Relationship.STAKEHOLDER,
            ][n]
            items.append((FeedbackKind.PEER, peer.pk, relationship, finished or n < index % 5))
        for kind, author_id, relation, submit in items:
            feedback = Feedback(
                review=review,
                author_id=author_id,
                kind=kind,
                relationship=relation,
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


def _growth_and_one_on_ones(rng: random.Random) -> dict[str, int]:
    """Growth plans for a handful of PMs; weekly 1:1s between each director and their first reports."""
    if OneOnOne.objects.exists() or GrowthPlan.objects.exists():
        return {}
    competencies = list(Competency.objects.all())
    pms = list(Person.objects.filter(level__in=["pm", "senior_pm"]).exclude(manager=None).order_by("pk")[:6])
    plans = goals = 0
    for person in pms:
        manager = person.manager
        assert manager is not None  # the PMs are chosen among those with a manager
        plan = GrowthPlan.objects.create(person=person, title=f"{person.name.split()[0]}'s next level")
        plans += 1
        for competency in rng.sample(competencies, 2):
            goal = GrowthGoal.objects.create(
                plan=plan,
                competency=competency,
                text=f"Lead one piece of work where {competency.name.lower()} decides the outcome.",
                target_date=date(2027, 3, 31),
            )
            GrowthCheckIn.objects.create(goal=goal, author=manager, text="Good start; pick the project now.")
            goals += 1
    meetings = 0
    for manager in Person.objects.filter(level__in=["director", "vp", "group_pm"]).order_by("pk"):
        for report in manager.reports.order_by("pk")[:2]:
            meeting = OneOnOne.objects.create(
                manager=manager, report=report, cadence_days=7, next_on=date(2026, 12, 10)
            )
            meetings += 1
            AgendaItem.objects.create(
                one_on_one=meeting, author=report, text="Q1 planning: what I should own"
            )
            AgendaItem.objects.create(
                one_on_one=meeting,
                author=manager,
                text="Feedback from the pricing review",
                discussed_on=date(2026, 12, 3),
            )
            ActionItem.objects.create(one_on_one=meeting, owner=report, text="Share the discovery plan")
            ActionItem.objects.create(
                one_on_one=meeting,
                owner=manager,
                text="Intro to the finance partner",
                done_on=date(2026, 12, 3),
            )
            PrivateNote.objects.create(
                one_on_one=meeting, author=manager, body="Ready for a bigger scope soon."
            )
    return {"growth_plans": plans, "growth_goals": goals, "one_on_ones": meetings}


def _mentoring() -> dict[str, int]:
    """Directors mentoring a PM from another line, with a note each."""
    if MentoringPair.objects.exists():
        return {}
    directors = list(Person.objects.filter(level="director").order_by("pk"))
    pms = list(Person.objects.filter(level="pm").order_by("pk"))
    pairs = 0
    for index, mentor in enumerate(directors):
        mentee = next((p for p in pms[index::3] if p.manager_id != mentor.pk), None)
        if mentee is None:
            continue
        pair = MentoringPair.objects.create(
            mentor=mentor, mentee=mentee, focus="Stakeholder management", started_on=date(2026, 10, 1)
        )
        MentoringNote.objects.create(pair=pair, author=mentor, body="Practise the pre-read before the QBR.")
        pairs += 1
    return {"mentoring_pairs": pairs}


def _headcount() -> dict[str, int]:
    """Approved slots for every line in the quarter the open roles fall in and the next one."""
    if HeadcountPlan.objects.exists():
        return {}
    periods = list(
        PlanningPeriod.objects.filter(kind="quarter", start__gte=date(2026, 10, 1)).order_by("start")[:2]
    )
    if not periods:  # the strategy demo makes the periods; without it there is nothing to plan against
        return {}
    plans = [
        HeadcountPlan(line=line, period=period, slots=2 - n, cost_per_slot=110000)
        for line in ProductLine.objects.order_by("name")
        for n, period in enumerate(periods)
    ]
    HeadcountPlan.objects.bulk_create(plans)
    return {"headcount_plans": len(plans)}


def _hiring(rng: random.Random) -> dict[str, int]:
    """Two open requisitions with candidates at every stage, and a filled one (for the hiring metrics)."""
    if Requisition.objects.exists():
        return {}
    lines = {line.name: line for line in ProductLine.objects.select_related("director")}
    if not lines:
        return {}
    levels = {lv.org_level: lv for lv in CareerLevel.objects.all()}
    plan = [
        ("Senior Product Manager, Checkout", "senior_pm", RequisitionStatus.OPEN, 145000),
        ("Associate Product Manager", "apm", RequisitionStatus.OPEN, 78000),
        ("Product Manager, Growth", "pm", RequisitionStatus.FILLED, 110000),
    ]
    names = [
        "Alex Rivera",
        "Sam Okoro",
        "Jo Lind",
        "Kim Park",
        "Noor Aziz",
        "Lea Braun",
        "Tom Silva",
        "Ivy Chen",
    ]
    stages = [Stage.APPLIED, Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF, Stage.REJECTED, Stage.WITHDRAWN]
    sources = list(Source.values)
    competencies = list(Competency.objects.all())
    counts = {"requisitions": 0, "candidates": 0}
    for index, (title, level, status, cost) in enumerate(plan):
        line = list(lines.values())[index % len(lines)]
        requisition = Requisition.objects.create(
            title=title,
            level=levels[level],
            line=line,
            hiring_manager=line.director,
            status=status,
            annual_cost=cost,
            description=hiring.draft_description(levels[level], title),
            leader_approval=True,
        )
        team = list(Person.objects.filter(teams__line=line).distinct().order_by("pk")[:2])
        requisition.hiring_team.set(team)
        counts["requisitions"] += 1
        chosen = stages if status == RequisitionStatus.OPEN else [Stage.HIRED, Stage.REJECTED]
        for n, stage in enumerate(chosen):
            applied = date(2026, 9, 1) + timedelta(days=7 * n + index)
            name = names[(n + 3 * index) % len(names)] + ("" if index == 0 else f" {index + 1}")
            candidate = Candidate.objects.create(
                requisition=requisition,
                name=name,
                email=name.lower().replace(" ", ".") + "@candidates.example",
                source=sources[(n + index) % len(sources)],
                stage=stage,
                applied_on=applied,
            )
            counts["candidates"] += 1
            path = (
                PIPELINE[: PIPELINE.index(stage) + 1]
                if stage in PIPELINE
                else [Stage.APPLIED, Stage.SCREEN, stage]
            )
            previous = ""
            for k, step in enumerate(path):
                StageChange.objects.create(
                    candidate=candidate,
                    from_stage=previous,
                    to_stage=step,
                    on=applied + timedelta(days=9 * k),
                )
                previous = step
            if stage in (Stage.INTERVIEWS, Stage.DEBRIEF, Stage.HIRED) and team:
                for k, interviewer in enumerate([line.director, *team]):
                    covered = competencies[k * 2 : k * 2 + 2]
                    interview = Interview.objects.create(candidate=candidate, interviewer=interviewer)
                    interview.competencies.set(covered)
                    if stage != Stage.INTERVIEWS or k == 0:
                        rating = rng.choice([Rating.MEETS, Rating.ABOVE])
                        interview.recommendation = "yes" if rating == Rating.MEETS else "strong_yes"
                        interview.notes = rng.choice(EVIDENCE[rating])
                        interview.submitted_at = _at(applied + timedelta(days=20))
                        interview.save()
                        ScorecardRating.objects.bulk_create(
                            ScorecardRating(interview=interview, competency=c, rating=rating) for c in covered
                        )
            if stage == Stage.DEBRIEF:
                HireDecision.objects.create(
                    candidate=candidate,
                    kind=HireDecision.Kind.OFFER,
                    reason="Strong yes from three of three.",
                )
    return counts


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
    counts.update(_growth_and_one_on_ones(rng))
    counts.update(_mentoring())
    counts.update(_hiring(rng))
    counts.update(_headcount())
    return counts
