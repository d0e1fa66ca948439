"""Reads for prioritisation: ranked lists, why a rank, the value/effort matrix, comparisons, the log.

Ranked lists order by the stored scores (see `scoring.apply_scores`), so a page of a 10,000-item
ranking costs the same few queries as a page of ten; the engine is called only for the rows shown,
to spell out their terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, cast

from django.apps import apps
from django.db.models import F, Prefetch, Q, QuerySet

from northstar.engines import scoring as engine
from northstar.portfolio import scoring
from northstar.portfolio.models import (
    Decision,
    Dependency,
    EstimateLine,
    Initiative,
    ScoringInput,
    Stage,
)


@dataclass(frozen=True)
class RankFilters:
    """What a ranked list can be narrowed by; empty values mean 'any'."""

    line: int | None = None
    product: int | None = None
    stage: str = ""
    objective: int | None = None
    search: str = ""


class _AlignmentLookup:
    """Objectives read through the strategy area's models, looked up at run time (no import-time tie)."""

    def __init__(self, objective: Any) -> None:
        self.objective = objective

    def objective_choices(self) -> list[tuple[int, str]]:
        rows = self.objective.objects.order_by("-period__start", "title").values_list(
            "id", "title", "period__name"
        )
        return [(pk, f"{title} ({period})") for pk, title, period in rows]

    def initiative_ids_for_objective(self, objective_id: int) -> QuerySet:
        return Initiative.objects.filter(alignments__objective_id=objective_id).values("pk")


def objective_support() -> Any:
    """How to list objectives and the work aligned to one, or None while no strategy area offers it.

    Prefers strategy selectors named `objective_choices` and `initiative_ids_for_objective`; otherwise
    reads `strategy.Objective` and the initiatives' `alignments` relation when both exist.
    """
    strategy_selectors: ModuleType | None
    try:
        from northstar.strategy import selectors as strategy_selectors
    except ImportError:
        strategy_selectors = None
    needed = ("objective_choices", "initiative_ids_for_objective")
    if strategy_selectors is not None and all(hasattr(strategy_selectors, n) for n in needed):
        return strategy_selectors
    try:
        objective = apps.get_model("strategy", "Objective")
    except LookupError:
        return None
    related = {f.name for f in Initiative._meta.get_fields()}
    return _AlignmentLookup(objective) if "alignments" in related else None


def _filtered(filters: RankFilters) -> QuerySet[Initiative]:
    qs = Initiative.objects.all()
    if filters.line:
        qs = qs.filter(product__line_id=filters.line)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.search:
        qs = qs.filter(title__icontains=filters.search)
    if filters.objective:
        support = objective_support()
        if support is not None:
            qs = qs.filter(pk__in=support.initiative_ids_for_objective(filters.objective))
    return qs


def score_field(key: str) -> str:
    return f"scoring__{key}_score"


def ranked_queryset(key: str, filters: RankFilters = RankFilters()) -> QuerySet[Initiative]:
    """Initiatives by stored score, best first; unscored last; ties by id (as the engine orders them)."""
    return (
        _filtered(filters)
        .select_related("product__line", "owner", "scoring")
        .order_by(F(score_field(key)).desc(nulls_last=True), "id")
    )


def ranked_ids(key: str, filters: RankFilters = RankFilters()) -> QuerySet:
    """The ranking as ids only: what a paginator slices, without dragging whole rows through the sort."""
    return (
        _filtered(filters)
        .order_by(F(score_field(key)).desc(nulls_last=True), "id")
        .values_list("pk", flat=True)
    )


def in_order(ids: list[int]) -> list[Initiative]:
    """The initiatives with these ids, in this order, with what a ranked row shows (one query)."""
    found = Initiative.objects.select_related("product__line", "owner", "scoring").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@dataclass
class RankedRow:
    """One row of a ranked list: the rank, the initiative, its stored inputs and the engine's score."""

    rank: int
    initiative: Initiative
    inputs: ScoringInput
    score: engine.Score
    ratings: dict[str, float] = field(default_factory=dict)


def score_rows(
    initiatives: Iterable[Initiative], key: str, *, start: int = 1, model: engine.Weighted | None = None
) -> list[RankedRow]:
    """Engine scores (with their terms) for the rows on screen, numbered from `start`."""
    items = list(initiatives)
    fw = scoring.framework(key, model)
    ratings = scoring.ratings_of([i.pk for i in items]) if key == "weighted" else {}
    rows = []
    for offset, initiative in enumerate(items):
        row = scoring.scoring_of(initiative)
        mine = ratings.get(initiative.pk, {})
        score = fw.score(scoring.framework_inputs(row, key, mine, explain=True))
        rows.append(RankedRow(start + offset, initiative, row, score, mine))
    return rows


def _above(key: str, value: float | None, pk: int) -> Q:
    """Rows ranked above a row with this stored score and id."""
    name = score_field(key)
    if value is None:
        return Q(**{f"{name}__isnull": False}) | Q(**{f"{name}__isnull": True, "pk__lt": pk})
    return Q(**{f"{name}__gt": value}) | Q(**{name: value, "pk__lt": pk})


def rank_of(initiative: Initiative, key: str, filters: RankFilters = RankFilters()) -> tuple[int, int]:
    """(rank, total) of an initiative in a ranking, in two count queries."""
    value = getattr(scoring.scoring_of(initiative), f"{key}_score")
    qs = _filtered(filters)
    return qs.filter(_above(key, value, initiative.pk)).count() + 1, qs.count()


def explain_position(initiative: Initiative, key: str, filters: RankFilters = RankFilters()) -> str:
    """Why the initiative is ranked where it is: the engine's explanation over its real neighbours."""
    model = scoring.weighted_model() if key == "weighted" else None
    fw = scoring.framework(key, model)
    rank, total = rank_of(initiative, key, filters)
    value = getattr(scoring.scoring_of(initiative), f"{key}_score")
    window: list[Initiative] = []
    if value is not None:
        qs = ranked_queryset(key, filters)
        name = score_field(key)
        higher = _above(key, value, initiative.pk)
        above = qs.filter(higher).order_by(F(name).asc(nulls_first=True), "-id").first()
        below = qs.exclude(higher).exclude(pk=initiative.pk).first()
        window = [i for i in (above, initiative, below) if i is not None]
    else:
        window = [initiative]
    first_rank = rank - 1 if window[0].pk != initiative.pk else rank
    rows = score_rows(window, key, start=first_rank, model=model)
    ranked = [
        engine.Ranked(
            engine.Candidate(
                str(r.initiative.pk),
                scoring.framework_inputs(r.inputs, key, r.ratings),
                r.initiative.title,
            ),
            r.rank,
            r.score,
            fw,
        )
        for r in rows
    ]
    return engine.explain_rank(ranked, str(initiative.pk), total=total)


@dataclass
class FrameworkScore:
    """One framework's verdict on an initiative, for its page: score, terms, rank and why."""

    key: str
    label: str
    score: engine.Score
    rank: int
    total: int
    why: str


def initiative_scores(initiative: Initiative) -> list[FrameworkScore]:
    """Every active framework's score of one initiative, with its rank across the whole portfolio."""
    model = scoring.weighted_model()
    result = []
    for key in scoring.active_framework_keys():
        (row,) = score_rows([initiative], key, model=model)
        rank, total = rank_of(initiative, key)
        why = explain_position(initiative, key)
        result.append(FrameworkScore(key, scoring.framework_label(key), row.score, rank, total, why))
    return result


# The 2x2 matrix -----------------------------------------------------------------------------------

MATRIX_LIMIT = 400


@dataclass(frozen=True)
class MatrixPoint:
    id: int
    title: str
    value: float
    effort: float
    reach: float | None
    quadrant: str
    line: str


def matrix_points(filters: RankFilters = RankFilters()) -> tuple[list[MatrixPoint], int]:
    """Initiatives with a value and an effort (the best by value per effort first), and how many qualify."""
    qs = (
        _filtered(filters)
        .filter(scoring__value__isnull=False, scoring__value_effort_score__isnull=False)
        .order_by(F("scoring__value_effort_score").desc(), "id")
    )
    total = qs.count()
    rows = qs.values_list(
        "id",
        "title",
        "scoring__value",
        "scoring__estimated_effort",
        "scoring__effort",
        "scoring__reach",
        "scoring__reach_source",
        "scoring__reach_evidence",
        "scoring__quadrant",
        "product__line__name",
    )[:MATRIX_LIMIT]
    points = [
        MatrixPoint(
            pk,
            title,
            cast(float, value),  # both filtered to scored rows above
            cast(float, estimated if estimated is not None else rough),
            evidence if source == "evidence" else reach,
            quadrant,
            line or "",
        )
        for pk, title, value, estimated, rough, reach, source, evidence, quadrant, line in rows
    ]
    return points, total


# Comparing ----------------------------------------------------------------------------------------


@dataclass
class Comparison:
    initiative: Initiative
    inputs: ScoringInput
    scores: dict[str, engine.Score]
    effort: engine.EffortSummary | None
    cost: engine.CostRange | None
    requires: list[Initiative]
    required_by: list[Initiative]
    decisions: int


def compare(ids: list[int]) -> list[Comparison]:
    """Two to five initiatives side by side, in the order asked, with every active framework's score."""
    initiatives = {
        i.pk: i
        for i in Initiative.objects.filter(pk__in=ids)
        .select_related("product__line", "owner", "scoring")
        .prefetch_related(
            Prefetch("estimate_lines", queryset=EstimateLine.objects.select_related("skill")),
            Prefetch("requirements", queryset=Dependency.objects.select_related("requires")),
            Prefetch("required_by", queryset=Dependency.objects.select_related("initiative")),
            "decisions",
        )
    }
    model = scoring.weighted_model()
    keys = scoring.active_framework_keys()
    ratings = scoring.ratings_of(initiatives)
    result = []
    for pk in ids:
        if pk not in initiatives:
            continue
        initiative = initiatives[pk]
        row = scoring.scoring_of(initiative)
        scores = {
            key: scoring.framework(key, model).score(
                scoring.framework_inputs(row, key, ratings.get(pk, {}), explain=True)
            )
            for key in keys
        }
        lines = list(initiative.estimate_lines.all())
        result.append(
            Comparison(
                initiative=initiative,
                inputs=row,
                scores=scores,
                effort=engine.estimate_effort(scoring.engine_estimate(lines)) if lines else None,
                cost=scoring.estimate_cost(initiative, lines),
                requires=[d.requires for d in initiative.requirements.all()],
                required_by=[d.initiative for d in initiative.required_by.all()],
                decisions=len(initiative.decisions.all()),
            )
        )
    return result


# Decisions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFilters:
    search: str = ""
    kind: str = ""
    line: int | None = None
    initiative: int | None = None


def decision_list(filters: DecisionFilters = DecisionFilters()) -> QuerySet[Decision]:
    """The decision log, newest first, searchable across titles, options, decisions and rationales."""
    qs = Decision.objects.select_related("initiative__product__line", "decided_by", "recorded_by")
    if filters.search:
        words = Q()
        for part in ("title", "decision", "rationale", "options", "initiative__title"):
            words |= Q(**{f"{part}__icontains": filters.search})
        qs = qs.filter(words)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.line:
        qs = qs.filter(initiative__product__line_id=filters.line)
    if filters.initiative:
        qs = qs.filter(initiative_id=filters.initiative)
    return qs.order_by("-decided_on", "-id")


def stage_label(stage: str) -> str:
    return Stage(stage).label if stage in Stage.values else stage
