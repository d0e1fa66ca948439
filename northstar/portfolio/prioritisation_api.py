"""API for prioritisation: scores with their terms, rankings, scoring inputs, estimates, dependencies,
decisions, stage gates and the weighted model. Thin: every rule lives in the services."""

from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core import concurrency
from northstar.core.errors import NotFound
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.portfolio import approvals, governance, rankings, scoring
from northstar.portfolio.models import (
    FRAMEWORK_KEYS,
    Decision,
    Dependency,
    Initiative,
    ScoringCriterion,
    Stage,
)

router = Router(tags=["prioritisation"])


def _initiative(initiative_id: int) -> Initiative:
    return get_or_404(
        Initiative, initiative_id, queryset=Initiative.objects.select_related("product", "scoring")
    )


# Scores and rankings ------------------------------------------------------------------------------


class TermOut(Schema):
    name: str
    label: str
    value: float
    role: str
    display: str
    contribution: float | None
    source: str


class ScoreOut(Schema):
    framework: str
    label: str
    value: float | None
    category: str | None
    explanation: str
    missing: list[str]
    terms: list[TermOut]
    rank: int
    total: int
    why: str


@router.get("/initiatives/{initiative_id}/scores", response=list[ScoreOut])
def initiative_scores(request: HttpRequest, initiative_id: int) -> list[dict]:
    """Every active framework's score, its terms, and why the initiative ranks where it does."""
    return [
        {
            "framework": fs.key,
            "label": fs.label,
            "value": fs.score.value,
            "category": fs.score.category,
            "explanation": fs.score.explanation,
            "missing": list(fs.score.missing),
            "terms": [t.__dict__ for t in fs.score.terms],
            "rank": fs.rank,
            "total": fs.total,
            "why": fs.why,
        }
        for fs in rankings.initiative_scores(_initiative(initiative_id))
    ]


class RankFilterIn(Schema):
    line: int | None = None
    product: int | None = None
    stage: str = ""
    search: str = ""


class RankedOut(Schema):
    rank: int
    initiative_id: int
    title: str
    stage: str
    product_id: int | None
    score: float | None
    category: str


@router.get("/rankings/{framework}", response=list[RankedOut])
@paginate(Pagination)
def ranking(request: HttpRequest, framework: str, filters: Query[RankFilterIn]) -> QuerySet:
    """A framework's ranking (best first, unscored last), filtered like the ranked list page."""
    if framework not in scoring.active_framework_keys():
        raise NotFound(
            f"No active framework {framework!r}: active are {', '.join(scoring.active_framework_keys())}."
        )
    order = [F(rankings.score_field(framework)).desc(nulls_last=True), F("id").asc()]
    category = "scoring__quadrant" if framework == "value_effort" else "scoring__kano_category"
    # RowNumber over the same order as the list: ranks stay right on every page, in SQL.
    return (
        rankings.ranked_queryset(framework, rankings.RankFilters(**filters.dict()))
        .annotate(rank=Window(RowNumber(), order_by=order))
        .annotate(
            initiative_id=F("id"),
            score=F(rankings.score_field(framework)),
            category=F(category) if framework in ("value_effort", "kano") else Value(""),
        )
        .values("rank", "initiative_id", "title", "stage", "product_id", "score", "category")
    )


# Scoring inputs -----------------------------------------------------------------------------------


class ScoringInputsOut(Schema):
    version: int = Field(
        ..., description="Also the ETag: send it back as If-Match to change the inputs safely."
    )
    reach: float | None
    reach_source: str
    reach_evidence: float | None
    reach_evidence_note: str
    impact: float | None
    confidence: int | None
    ice_impact: float | None
    ease: float | None
    value: float | None
    business_value: float | None
    time_criticality: float | None
    risk_reduction: float | None
    job_size: float | None
    effort: float | None
    estimated_effort: float | None
    kano: dict[str, int]
    ratings: dict[str, float]


class ScoringInputsPatch(Schema):
    reach: float | None = None
    reach_source: str | None = None
    impact: float | None = None
    confidence: int | None = Field(None, description="Percent, 0-100.")
    ice_impact: float | None = None
    ease: float | None = None
    value: float | None = None
    business_value: float | None = None
    time_criticality: float | None = None
    risk_reduction: float | None = None
    job_size: float | None = None
    effort: float | None = None
    kano: dict[str, int] | None = None
    ratings: dict[str, float | None] | None = None


def _inputs_out(initiative: Initiative, response: HttpResponse | None = None) -> dict:
    row = scoring.scoring_of(initiative)
    if response is not None:
        concurrency.set_etag(response, row)
    data = {name: getattr(row, name) for name in ScoringInputsOut.model_fields if name != "ratings"}
    data["ratings"] = scoring.ratings_of([initiative.pk]).get(initiative.pk, {})
    return data


@router.get("/initiatives/{initiative_id}/scoring-inputs", response=ScoringInputsOut)
def scoring_inputs(request: HttpRequest, response: HttpResponse, initiative_id: int) -> dict:
    return _inputs_out(_initiative(initiative_id), response)


@router.patch("/initiatives/{initiative_id}/scoring-inputs", response=ScoringInputsOut)
def scoring_inputs_update(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: ScoringInputsPatch
) -> dict:
    """Change some inputs (null clears one); the stored scores are recomputed at once."""
    initiative = _initiative(initiative_id)
    row = concurrency.for_write(request, scoring.scoring_of(initiative))
    scoring.scoring_update(
        actor=user_of(request),
        initiative=initiative,
        version=concurrency.expected_version(row),
        **payload.dict(exclude_unset=True),
    )
    return _inputs_out(_initiative(initiative_id), response)


# Estimates ----------------------------------------------------------------------------------------


class EstimateLineIn(Schema):
    skill: str
    low: Decimal
    likely: Decimal
    high: Decimal


class EstimateIn(Schema):
    lines: list[EstimateLineIn]


class CostOut(Schema):
    low: Decimal
    expected: Decimal
    high: Decimal
    currency: str


class EstimateOut(Schema):
    lines: list[EstimateLineIn]
    expected: float | None
    std_dev: float | None
    cost: CostOut | None


def _estimate_out(initiative: Initiative) -> dict:
    lines = list(initiative.estimate_lines.select_related("skill"))
    estimate = scoring.engine_estimate(lines)
    cost = scoring.estimate_cost(initiative, lines)
    return {
        "lines": [{"skill": e.skill.name, "low": e.low, "likely": e.likely, "high": e.high} for e in lines],
        "expected": estimate.resolve(),
        "std_dev": estimate.std_dev if lines else None,
        "cost": cost.__dict__ if cost else None,
    }


@router.get("/initiatives/{initiative_id}/estimate", response=EstimateOut)
def estimate_get(request: HttpRequest, response: HttpResponse, initiative_id: int) -> dict:
    """The per-skill estimate; its ETag is the scoring inputs' version (they change together)."""
    initiative = _initiative(initiative_id)
    concurrency.set_etag(response, scoring.scoring_of(initiative))
    return _estimate_out(initiative)


@router.put("/initiatives/{initiative_id}/estimate", response=EstimateOut)
def estimate_put(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: EstimateIn
) -> dict:
    """Replace the per-skill estimate (team-weeks, low ≤ likely ≤ high); an empty list clears it."""
    initiative = _initiative(initiative_id)
    row = concurrency.for_write(request, scoring.scoring_of(initiative))
    scoring.estimate_set(
        actor=user_of(request),
        initiative=initiative,
        lines=[line.dict() for line in payload.lines],
        version=concurrency.expected_version(row),
    )
    return estimate_get(request, response, initiative_id)


# Dependencies -------------------------------------------------------------------------------------


class DependencyIn(Schema):
    kind: str = Field("requires", pattern="^(requires|blocks)$")
    other_id: int
    note: str = ""


class DependencyOut(Schema):
    id: int
    initiative_id: int
    requires_id: int
    note: str


class DependenciesOut(Schema):
    requires: list[DependencyOut]
    blocks: list[DependencyOut]


@router.get("/initiatives/{initiative_id}/dependencies", response=DependenciesOut)
def dependencies(request: HttpRequest, initiative_id: int) -> dict:
    initiative = _initiative(initiative_id)
    return {"requires": list(initiative.requirements.all()), "blocks": list(initiative.required_by.all())}


@router.post("/initiatives/{initiative_id}/dependencies", response={201: DependencyOut})
def dependency_add(request: HttpRequest, initiative_id: int, payload: DependencyIn) -> tuple[int, Dependency]:
    """Add a requires/blocks link; a cycle is refused with 409 and the cycle in `detail`."""
    initiative = _initiative(initiative_id)
    return 201, governance.dependency_add(actor=user_of(request), initiative=initiative, **payload.dict())


@router.delete("/initiatives/{initiative_id}/dependencies/{dependency_id}", response={204: None})
def dependency_remove(request: HttpRequest, initiative_id: int, dependency_id: int) -> tuple[int, None]:
    governance.dependency_remove(
        actor=user_of(request),
        dependency=get_or_404(Dependency, dependency_id),
        initiative=_initiative(initiative_id),
    )
    return 204, None


# Decisions ----------------------------------------------------------------------------------------


class DecisionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    decision: str = Field(..., min_length=1)
    options: str = ""
    rationale: str = ""
    decided_by_id: int | None = None
    decided_on: date | None = None


class DecisionOut(Schema):
    id: int
    initiative_id: int
    kind: str
    title: str
    options: list[str]
    decision: str
    rationale: str
    from_stage: str
    to_stage: str
    decided_by_id: int | None
    decided_on: date

    @staticmethod
    def resolve_options(obj: Decision) -> list[str]:
        return obj.option_list


class DecisionFilterIn(Schema):
    search: str = ""
    kind: str = ""
    line: int | None = None
    initiative: int | None = None


@router.get("/decisions", response=list[DecisionOut])
@paginate(Pagination)
def decision_list(request: HttpRequest, filters: Query[DecisionFilterIn]) -> QuerySet:
    """The decision log, newest first; `search` looks in titles, options, decisions and rationales."""
    return rankings.decision_list(rankings.DecisionFilters(**filters.dict()))


@router.post("/initiatives/{initiative_id}/decisions", response={201: DecisionOut})
def decision_create(request: HttpRequest, initiative_id: int, payload: DecisionIn) -> tuple[int, Decision]:
    initiative = _initiative(initiative_id)
    return 201, governance.decision_record(actor=user_of(request), initiative=initiative, **payload.dict())


# Stage gates and the scoring model ----------------------------------------------------------------


class RequirementOut(Schema):
    key: str
    needs: str


class GateOut(Schema):
    stage: str
    requirements: list[RequirementOut]
    approver: str = Field("", description="Who approves entering it: line_director, leader, or empty.")
    approval_above: Decimal | None = Field(None, description="Only work expected to cost more needs it.")


class GateIn(Schema):
    requirements: list[str]


def _gates() -> list[dict]:
    rules = governance.gate_rules()
    approval = approvals.approval_rules()
    return [
        {
            "stage": stage,
            "requirements": [{"key": k, "needs": governance.REQUIREMENTS[k].needs} for k in rules[stage]],
            "approver": approval[stage].approver if stage in approval else "",
            "approval_above": approval[stage].approval_above if stage in approval else None,
        }
        for stage in Stage.values
    ]


@router.get("/stage-gates", response=list[GateOut])
def gates(request: HttpRequest) -> list[dict]:
    """What each stage requires before an initiative may enter it."""
    return _gates()


@router.get("/stage-gates/requirements", response=list[RequirementOut])
def gate_requirements(request: HttpRequest) -> list[dict]:
    """The requirement keys a stage gate can use (declared before /stage-gates/{stage} so it wins)."""
    return [{"key": r.key, "needs": r.needs} for r in governance.REQUIREMENTS.values()]


@router.put("/stage-gates/{stage}", response=list[GateOut])
def gate_update(request: HttpRequest, stage: str, payload: GateIn) -> list[dict]:
    """Set a stage's requirements (admins); keys as listed by GET /stage-gates/requirements."""
    governance.gate_update(actor=user_of(request), stage=stage, requirements=payload.requirements)
    return _gates()


class CriterionIn(Schema):
    label: str = Field(..., min_length=1, max_length=80)
    key: str | None = Field(None, max_length=40)
    weight: Decimal
    direction: str = "benefit"
    minimum: Decimal = Decimal("0")
    maximum: Decimal = Decimal("10")
    objective_id: int | None = None
    position: int = 0


class CriterionOut(Schema):
    id: int
    key: str
    label: str
    weight: Decimal
    direction: str
    minimum: Decimal
    maximum: Decimal
    objective_id: int | None


class FrameworksOut(Schema):
    available: list[str]
    active: list[str]


@router.get("/scoring/frameworks", response=FrameworksOut)
def frameworks(request: HttpRequest) -> dict:
    return {"available": list(FRAMEWORK_KEYS), "active": scoring.active_framework_keys()}


@router.get("/scoring/criteria", response=list[CriterionOut])
def criteria(request: HttpRequest) -> list[ScoringCriterion]:
    return scoring.criteria()


@router.post("/scoring/criteria", response={201: CriterionOut})
def criterion_create(request: HttpRequest, payload: CriterionIn) -> tuple[int, ScoringCriterion]:
    """Add a weighted-model criterion (admins); every weighted score is recomputed."""
    data = payload.dict(exclude_none=True)
    return 201, scoring.criterion_create(actor=user_of(request), **data)
