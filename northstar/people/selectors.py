"""Reads of the career framework and reviews, shaped for pages and the API, with the privacy rules
of `people.access` applied: nothing leaves here that the viewer may not read."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from northstar.org.models import LEVEL_RANK, Person, ProductLine
from northstar.people import access
from northstar.people.access import PEER_THRESHOLD, Viewer
from northstar.people.models import (
    RATING_SCORE,
    ActionItem,
    AgendaItem,
    CareerLevel,
    Competency,
    CompetencyRating,
    CycleStatus,
    Expectation,
    Feedback,
    FeedbackKind,
    GrowthCheckIn,
    GrowthGoal,
    GrowthPlan,
    HeadcountPlan,
    MentoringNote,
    MentoringPair,
    OneOnOne,
    PrivateNote,
    Rating,
    Requisition,
    RequisitionStatus,
    Review,
    ReviewCycle,
    Stage,
    StageChange,
    Track,
)

# Career framework -----------------------------------------------------------------------------------


@dataclass
class MatrixRow:
    competency: Competency
    cells: list[tuple[CareerLevel, Expectation | None]]


@dataclass
class Matrix:
    levels: list[CareerLevel]
    rows: list[MatrixRow]


def levels() -> QuerySet[CareerLevel]:
    return CareerLevel.objects.order_by("track", "rank")


def matrix(*, track: str = "") -> Matrix:
    """The career matrix (competencies x levels), in three queries."""
    chosen = list(levels().filter(track=track) if track else levels())
    competencies = list(Competency.objects.all())
    cells = {
        (e.level_id, e.competency_id): e
        for e in Expectation.objects.filter(level__in=chosen).select_related("level", "competency")
    }
    rows = [MatrixRow(c, [(lv, cells.get((lv.pk, c.pk))) for lv in chosen]) for c in competencies]
    return Matrix(levels=chosen, rows=rows)


def next_level(level: CareerLevel) -> CareerLevel | None:
    return CareerLevel.objects.filter(track=level.track, rank=level.rank + 1).first()


def career_level_of(person: Person) -> CareerLevel | None:
    return CareerLevel.objects.filter(org_level=person.level).first()


def compare(first: CareerLevel, second: CareerLevel) -> list[tuple[Competency, str, str]]:
    """Each competency's expectation at two levels, side by side ("what changes from A to B")."""
    texts = {
        (e.level_id, e.competency_id): e.text for e in Expectation.objects.filter(level__in=[first, second])
    }
    return [
        (c, texts.get((first.pk, c.pk), ""), texts.get((second.pk, c.pk), ""))
        for c in Competency.objects.all()
    ]


# People -----------------------------------------------------------------------------------------------


def track_of_levels() -> dict[str, tuple[str, str]]:
    """org level -> (track value, track label), one query."""
    return {
        org_level: (track, Track(track).label)
        for org_level, track in CareerLevel.objects.values_list("org_level", "track")
    }


def people(*, search: str = "", track: str = "") -> QuerySet[Person]:
    qs = Person.objects.select_related("manager").order_by("name")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(title__icontains=search))
    if track:
        qs = qs.filter(level__in=CareerLevel.objects.filter(track=track).values("org_level"))
    return qs


def line_of(person_ids: list[int]) -> dict[int, str]:
    """Each person's product line (directed, owned, or their first team's), in three queries."""
    found: dict[int, str] = {}
    for pid, name in ProductLine.objects.filter(director_id__in=person_ids).values_list(
        "director_id", "name"
    ):
        found.setdefault(pid, name)
    for pid, name in ProductLine.owners.through.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "productline__name"
    ):
        found.setdefault(pid, name)
    for pid, name in (
        Person.teams.through.objects.filter(person_id__in=person_ids)
        .order_by("team__name")
        .values_list("person_id", "team__line__name")
    ):
        found.setdefault(pid, name)
    return found


# Reviews ----------------------------------------------------------------------------------------------


def cycles() -> QuerySet[ReviewCycle]:
    return ReviewCycle.objects.annotate(participants=Count("reviews")).order_by("-period_end", "name")


def reviews_readable(viewer: Viewer, *, cycle: ReviewCycle | None = None) -> QuerySet[Review]:
    """The reviews this viewer may open: their own, their reports' (all the way down), or all for leaders."""
    qs = Review.objects.select_related("person", "cycle", "manager").order_by(
        "-cycle__period_end", "person__name"
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    ids = access.readable_person_ids(viewer)
    return qs if ids is None else qs.filter(person_id__in=ids)


def my_assessments(viewer: Viewer) -> QuerySet[Feedback]:
    """Assessments this viewer is asked to write (or wrote) in cycles still open."""
    if viewer.person_id is None:
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(author_id=viewer.person_id)
        .exclude(review__cycle__status=CycleStatus.SIGNED_OFF)
        .select_related("review__person", "review__cycle")
        .order_by("submitted_at", "review__cycle__feedback_due")
    )


@dataclass
class CompetencySummary:
    competency: Competency
    counts: dict[str, int]
    evidence: list[str] = field(default_factory=list)


@dataclass
class PeerAggregate:
    """360 feedback, never attributable: counts per rating and the evidence in no author's order."""

    asked: int
    answered: int
    shown: bool
    overall: dict[str, int]
    competencies: list[CompetencySummary]
    summaries: list[str]


@dataclass
class ReviewView:
    """What one viewer may read of one review."""

    review: Review
    relation: access.ReviewAccess
    signed_off: bool
    self_review: Feedback | None
    manager_review: Feedback | None
    peers: PeerAggregate
    reviewers: list[tuple[str, str]]  # (name, relationship) of those asked: never who answered
    show_outcome: bool
    expectations: dict[int, str]


def _aggregate(peer_feedback: list[Feedback], competencies: list[Competency]) -> PeerAggregate:
    answered = [f for f in peer_feedback if f.submitted_at is not None]
    shown = len(answered) >= PEER_THRESHOLD
    if not shown:
        return PeerAggregate(len(peer_feedback), len(answered), False, {}, [], [])
    ratings = list(CompetencyRating.objects.filter(feedback__in=answered))
    by_competency: dict[int, list[CompetencyRating]] = defaultdict(list)
    for rating in ratings:
        by_competency[rating.competency_id].append(rating)
    rows = [
        CompetencySummary(
            competency=c,
            counts={r: sum(1 for x in by_competency[c.pk] if x.rating == r) for r in Rating.values},
            evidence=sorted(x.evidence for x in by_competency[c.pk] if x.evidence),
        )
        for c in competencies
    ]
    overall = {r: sum(1 for f in answered if f.overall == r) for r in Rating.values}
    return PeerAggregate(
        len(peer_feedback),
        len(answered),
        True,
        overall,
        rows,
        sorted(f.summary for f in answered if f.summary),
    )


def review_view(viewer: Viewer, review: Review) -> ReviewView:
    """The review as this viewer may read it. Refuses anyone outside the person, their manager chain
    and the leaders. The person reads their manager's review and the outcome once signed off."""
    relation = access.require_review_reader(viewer, review.person_id)
    feedback = list(
        review.feedback.select_related("author")
        .prefetch_related("ratings__competency")
        .order_by("created_at")
    )
    signed_off = review.cycle.status == CycleStatus.SIGNED_OFF
    self_review = next((f for f in feedback if f.kind == FeedbackKind.SELF), None)
    manager_review = next((f for f in feedback if f.kind == FeedbackKind.MANAGER), None)
    if relation.is_self and not relation.leading and not signed_off:
        manager_review = None
    peer = [f for f in feedback if f.kind == FeedbackKind.PEER]
    level = CareerLevel.objects.filter(org_level=review.person.level).first()
    expectations = (
        dict(Expectation.objects.filter(level=level).values_list("competency_id", "text")) if level else {}
    )
    return ReviewView(
        review=review,
        relation=relation,
        signed_off=signed_off,
        self_review=self_review,
        manager_review=manager_review,
        peers=_aggregate(peer, list(Competency.objects.all())),
        reviewers=sorted((f.author.name, f.get_relationship_display()) for f in peer),
        show_outcome=signed_off or relation.sees_everything_but_peers,
        expectations=expectations,
    )


@dataclass
class CalibrationRow:
    review: Review
    level_label: str
    level_rank: int
    line: str
    self_rating: str
    manager_rating: str
    peer_score: float | None
    peer_answers: int
    promotion_recommended: bool
    outlier: str


@dataclass
class Calibration:
    rows: list[CalibrationRow]
    by_level: list[tuple[str, Counter]]
    by_line: list[tuple[str, Counter]]
    promotions: list[CalibrationRow]
    outliers: list[CalibrationRow]


def _outlier(self_rating: str, manager_rating: str, peer_score: float | None) -> str:
    if not manager_rating:
        return ""
    manager = RATING_SCORE[Rating(manager_rating)]
    if peer_score is not None and abs(manager - peer_score) >= 1:
        return "Manager and 360 disagree"
    if self_rating and abs(manager - RATING_SCORE[Rating(self_rating)]) >= 2:
        return "Self and manager far apart"
    return ""


def calibration(cycle: ReviewCycle) -> Calibration:
    """Ratings by level and line, outliers and promotion recommendations, for the leader. 360 feedback
    counts only where at least three reviewers answered; a fixed number of queries for any size."""
    reviews = list(cycle.reviews.select_related("person"))
    assessments = Feedback.objects.filter(review__cycle=cycle).exclude(submitted_at=None)
    selfs: dict[int, str] = {}
    managers: dict[int, tuple[str, bool]] = {}
    peers: dict[int, list[int]] = defaultdict(list)
    for review_id, kind, overall, promote in assessments.values_list(
        "review_id", "kind", "overall", "promotion_recommended"
    ):
        if kind == FeedbackKind.SELF:
            selfs[review_id] = overall
        elif kind == FeedbackKind.MANAGER:
            managers[review_id] = (overall, promote)
        else:
            peers[review_id].append(RATING_SCORE[Rating(overall)])
    lines = line_of([r.person_id for r in reviews])
    rows = []
    for review in reviews:
        scores = peers.get(review.pk, [])
        peer_score = sum(scores) / len(scores) if len(scores) >= PEER_THRESHOLD else None
        manager_rating, promote = managers.get(review.pk, ("", False))
        rows.append(
            CalibrationRow(
                review=review,
                level_label=review.person.get_level_display(),
                level_rank=LEVEL_RANK.get(review.person.level, 99),
                line=lines.get(review.person_id, "No line"),
                self_rating=selfs.get(review.pk, ""),
                manager_rating=manager_rating,
                peer_score=round(peer_score, 2) if peer_score is not None else None,
                peer_answers=len(scores),
                promotion_recommended=promote,
                outlier=_outlier(selfs.get(review.pk, ""), manager_rating, peer_score),
            )
        )
    rows.sort(key=lambda r: (r.level_rank, r.line, r.review.person.name))

    def grouped(key: Any) -> list[tuple[str, Counter]]:
        groups: dict[str, Counter] = {}
        for row in rows:
            rating = row.review.final_rating or row.manager_rating or "pending"
            groups.setdefault(key(row), Counter())[rating] += 1
        return list(groups.items())

    return Calibration(
        rows=rows,
        by_level=grouped(lambda r: r.level_label),
        by_line=sorted(grouped(lambda r: r.line)),
        promotions=[r for r in rows if r.promotion_recommended or r.review.promotion],
        outliers=[r for r in rows if r.outlier],
    )


# Growth and promotion readiness ---------------------------------------------------------------------------


def growth_plans(viewer: Viewer, person: Person) -> list[GrowthPlan]:
    """The person's growth plans with goals and recent check-ins; refused outside the review rule."""
    access.require_review_reader(viewer, person.pk)
    return list(
        person.growth_plans.prefetch_related(
            Prefetch("goals", queryset=GrowthGoal.objects.select_related("competency")),
            Prefetch("goals__check_ins", queryset=GrowthCheckIn.objects.select_related("author")),
        )
    )


@dataclass
class Readiness:
    """Which of the next level's expectations the latest manager review's evidence already meets."""

    next_level: CareerLevel | None
    rows: list[tuple[Competency, str, str, bool]]  # competency, next-level text, latest rating, ready
    ready: int


def readiness(viewer: Viewer, person: Person) -> Readiness:
    """Ready on a competency = rated above their current level in the latest submitted manager review."""
    access.require_review_reader(viewer, person.pk)
    level = CareerLevel.objects.filter(org_level=person.level).first()
    following = next_level(level) if level else None
    if following is None:
        return Readiness(None, [], 0)
    latest = (
        Feedback.objects.filter(review__person=person, kind=FeedbackKind.MANAGER)
        .exclude(submitted_at=None)
        .order_by("-submitted_at")
        .first()
    )
    rated = dict(latest.ratings.values_list("competency_id", "rating")) if latest else {}
    texts = dict(Expectation.objects.filter(level=following).values_list("competency_id", "text"))
    rows = [
        (c, texts.get(c.pk, ""), rated.get(c.pk, ""), rated.get(c.pk) == Rating.ABOVE)
        for c in Competency.objects.all()
    ]
    return Readiness(following, rows, sum(1 for r in rows if r[3]))


# 1:1s -------------------------------------------------------------------------------------------------------


def one_on_ones(viewer: Viewer) -> QuerySet[OneOnOne]:
    """The viewer's own 1:1s (as manager or as report); nobody else's, leaders included."""
    if viewer.person_id is None:
        return OneOnOne.objects.none()
    return OneOnOne.objects.filter(
        Q(manager_id=viewer.person_id) | Q(report_id=viewer.person_id)
    ).select_related("manager", "report")


@dataclass
class OneOnOneView:
    one_on_one: OneOnOne
    agenda: list[AgendaItem]
    discussed: list[AgendaItem]
    open_actions: list[ActionItem]
    done_actions: list[ActionItem]
    my_notes: list[PrivateNote]


def one_on_one_view(viewer: Viewer, one_on_one: OneOnOne) -> OneOnOneView:
    """The 1:1 as one side of the pair sees it: the shared agenda and actions, and only their own notes."""
    me = access.require_pair(viewer, one_on_one)
    agenda = list(one_on_one.agenda.select_related("author").order_by("created_at"))
    actions = list(one_on_one.actions.select_related("owner").order_by("created_at"))
    return OneOnOneView(
        one_on_one=one_on_one,
        agenda=[a for a in agenda if a.discussed_on is None],
        discussed=sorted(
            (a for a in agenda if a.discussed_on), key=lambda a: a.discussed_on or date.min, reverse=True
        )[:20],
        open_actions=[a for a in actions if a.done_on is None],
        done_actions=[a for a in actions if a.done_on][-10:],
        my_notes=list(one_on_one.private_notes.filter(author_id=me)[:50]),
    )


# Mentoring ----------------------------------------------------------------------------------------------


def mentoring_pairs(viewer: Viewer) -> QuerySet[MentoringPair]:
    """The viewer's own mentoring pairs (as mentor or mentee); leaders see who mentors whom, not notes."""
    qs = MentoringPair.objects.select_related("mentor", "mentee")
    if viewer.leading:
        return qs
    if viewer.person_id is None:
        return qs.none()
    return qs.filter(Q(mentor_id=viewer.person_id) | Q(mentee_id=viewer.person_id))


def mentoring_notes(viewer: Viewer, pair: MentoringPair) -> list[MentoringNote]:
    access.require_mentoring_pair(viewer, pair)
    return list(pair.notes.select_related("author")[:100])


# Headcount ----------------------------------------------------------------------------------------------


@dataclass
class HeadcountRow:
    plan: HeadcountPlan
    cost: float
    hired: int
    open_roles: int

    @property
    def remaining(self) -> int:
        return max(0, self.plan.slots - self.hired - self.open_roles)


def headcount() -> list[HeadcountRow]:
    """Each line's approved slots per period against hires made in the period and roles still open,
    in three queries."""
    plans = list(HeadcountPlan.objects.select_related("line", "period")[:500])
    hires = list(
        StageChange.objects.filter(to_stage=Stage.HIRED).values_list("candidate__requisition__line_id", "on")
    )
    open_by_line = Counter(
        Requisition.objects.filter(
            status__in=[RequisitionStatus.APPROVED, RequisitionStatus.OPEN]
        ).values_list("line_id", flat=True)
    )
    return [
        HeadcountRow(
            plan=plan,
            cost=float(plan.cost_per_slot) * plan.slots,
            hired=sum(
                1 for line, on in hires if line == plan.line_id and plan.period.start <= on <= plan.period.end
            ),
            open_roles=open_by_line.get(plan.line_id, 0),
        )
        for plan in plans
    ]
