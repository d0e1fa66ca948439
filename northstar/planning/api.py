"""API of the roadmap area: capacity and budget cells, scenarios, optimiser runs (started as jobs),
plans with their proof, and published roadmaps with what changed. Thin: every rule lives in the services."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.errors import NotFound
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org.models import ProductLine, Skill, Team
from northstar.planning import plans, roadmaps, selectors, services
from northstar.planning.models import PlanAssignment, PlanRun, Roadmap
from northstar.portfolio.models import Initiative
from northstar.strategy.models import PlanningPeriod

router = Router(tags=["roadmap"])


class CapacityIn(Schema):
    team_id: int
    skill: str
    period_id: int
    weeks: Decimal = Field(..., ge=0)


class CapacityOut(Schema):
    team_id: int
    skill: str
    period: str
    weeks: Decimal
    is_override: bool


@router.put("/roadmap/capacity", response=CapacityOut)
def capacity_put(request: HttpRequest, data: CapacityIn):
    team = get_or_404(Team, data.team_id)
    skill = Skill.objects.filter(name=data.skill.strip().lower()).first()
    if skill is None:
        raise NotFound(f"No skill called {data.skill!r}.")
    period = get_or_404(PlanningPeriod, data.period_id)
    cell = services.capacity_set(
        actor=user_of(request), team=team, skill=skill, period=period, weeks=data.weeks
    )
    return {
        "team_id": team.pk,
        "skill": skill.name,
        "period": period.name,
        "weeks": cell.weeks,
        "is_override": True,
    }


class BudgetIn(Schema):
    line_id: int
    period_id: int
    amount: Decimal = Field(..., ge=0)
    currency: str = "EUR"


class BudgetOut(Schema):
    line_id: int
    period: str
    amount: Decimal
    currency: str


@router.put("/roadmap/budgets", response=BudgetOut)
def budget_put(request: HttpRequest, data: BudgetIn):
    line = get_or_404(ProductLine, data.line_id)
    period = get_or_404(PlanningPeriod, data.period_id)
    envelope = services.budget_set(
        actor=user_of(request), line=line, period=period, amount=data.amount, currency=data.currency
    )
    return {
        "line_id": line.pk,
        "period": period.name,
        "amount": envelope.amount,
        "currency": envelope.currency,
    }


class ScenarioOut(Schema):
    id: int
    name: str
    description: str
    line_id: int | None
    first_period: str
    last_period: str
    value_source: str
    budget_factor: Decimal
    capacity_factor: Decimal
    discount: Decimal
    stages: list[str]
    time_limit: int
    is_primary: bool
    base_id: int | None

    @staticmethod
    def resolve_first_period(obj) -> str:
        return obj.first_period.name

    @staticmethod
    def resolve_last_period(obj) -> str:
        return obj.last_period.name


@router.get("/roadmap/scenarios", response=list[ScenarioOut])
def scenario_list(request: HttpRequest):
    services.require_drafts(user_of(request))
    return selectors.scenario_list()


class RunStarted(Schema):
    run_id: int
    job_id: int | None
    status: str


@router.post("/roadmap/scenarios/{scenario_id}/runs", response={202: RunStarted})
def scenario_run(request: HttpRequest, scenario_id: int):
    """Start the optimiser as a background job; poll GET /roadmap/runs/{run_id} for the plan."""
    services.require_drafts(user_of(request))
    run = plans.plan_run_start(actor=user_of(request), scenario=services.get_scenario(scenario_id))
    return 202, {"run_id": run.pk, "job_id": run.job_id, "status": run.status}


class AssignmentOut(Schema):
    initiative_id: int
    title: str
    line: str | None
    team: str | None
    start: str
    end: str
    value: float
    pinned: bool

    @staticmethod
    def resolve_title(obj: PlanAssignment) -> str:
        return obj.initiative.title

    @staticmethod
    def resolve_line(obj: PlanAssignment) -> str | None:
        return obj.line.name if obj.line else None

    @staticmethod
    def resolve_team(obj: PlanAssignment) -> str | None:
        return obj.team.name if obj.team else None

    @staticmethod
    def resolve_start(obj: PlanAssignment) -> str:
        return obj.start.name

    @staticmethod
    def resolve_end(obj: PlanAssignment) -> str:
        return obj.end.name


class RunSummaryOut(Schema):
    id: int
    scenario_id: int
    kind: str
    status: str
    value: float | None
    best_bound: float | None
    gap: float | None
    greedy_value: float | None
    seconds: float | None
    created_at: datetime
    finished_at: datetime | None


class RunOut(RunSummaryOut):
    binding: list[str]
    diagnosis: list[dict]
    violations: list[dict]
    assignment_count: int = Field(..., description="Page through them at /roadmap/runs/{id}/assignments.")
    exclusion_count: int = Field(..., description="Page through them at /roadmap/runs/{id}/exclusions.")


class ExclusionOut(Schema):
    initiative_id: int
    title: str
    reason: str


class _Exclusions:
    """A run's left-out initiatives as a sliceable sequence: titles are read only for the page asked."""

    def __init__(self, run: PlanRun) -> None:
        self.reasons = run.exclusions
        self.ids = sorted(int(k) for k in run.exclusions)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, window: slice) -> list[dict]:
        ids = self.ids[window]
        titles = dict(Initiative.objects.filter(pk__in=ids).values_list("id", "title"))
        return [{"initiative_id": i, "title": titles.get(i, ""), "reason": self.reasons[str(i)]} for i in ids]


def _run(request: HttpRequest, run_id: int) -> PlanRun:
    services.require_drafts(user_of(request))
    return plans.get_run(run_id)


@router.get("/roadmap/runs", response=list[RunSummaryOut])
@paginate(Pagination)
def run_list(request: HttpRequest, scenario: int | None = None) -> object:
    """Optimiser runs, newest first (of one scenario with `?scenario=`)."""
    services.require_drafts(user_of(request))
    return selectors.run_list(scenario_id=scenario)


@router.get("/roadmap/runs/{run_id}", response=RunOut)
def run_detail(request: HttpRequest, run_id: int) -> dict:
    """A plan's headline, its proof and what breaks it; its assignments and exclusions are paged."""
    run = _run(request, run_id)
    plans.sync_with_job(run)
    return {
        **{f: getattr(run, f) for f in RunOut.model_fields if not f.endswith("_count")},
        "assignment_count": run.assignments.count(),
        "exclusion_count": len(run.exclusions),
    }


@router.get("/roadmap/runs/{run_id}/assignments", response=list[AssignmentOut])
@paginate(Pagination)
def run_assignments(request: HttpRequest, run_id: int) -> object:
    """What the plan holds, by start period."""
    run = _run(request, run_id)
    return run.assignments.select_related("initiative", "line", "team", "start", "end").order_by(
        "start__start", "initiative_id"
    )


@router.get("/roadmap/runs/{run_id}/exclusions", response=list[ExclusionOut])
@paginate(Pagination)
def run_exclusions(request: HttpRequest, run_id: int) -> object:
    """The candidates left out of the plan, each with what keeps it out."""
    return _Exclusions(_run(request, run_id))


class EntryOut(Schema):
    initiative_id: int | None
    title: str
    line: str
    team: str
    stage: str
    objective: str
    start: str
    end: str


class ChangeOut(Schema):
    kind: str
    initiative_id: int | None
    title: str
    before: str
    after: str
    shift: int
    reason: str


class RoadmapOut(Schema):
    id: int
    title: str
    note: str
    published_on: date
    scenario_name: str
    value: float | None
    previous_id: int | None
    entries: list[EntryOut]
    changes: list[ChangeOut]


def _roadmap_out(roadmap: Roadmap) -> dict:
    entries = roadmap.entries.select_related("start", "end")
    return {
        "id": roadmap.pk,
        "title": roadmap.title,
        "note": roadmap.note,
        "published_on": roadmap.published_on,
        "scenario_name": roadmap.scenario_name,
        "value": roadmap.value,
        "previous_id": roadmap.previous_id,
        "entries": [
            {
                "initiative_id": e.initiative_id,
                "title": e.title,
                "line": e.line_name,
                "team": e.team_name,
                "stage": e.stage,
                "objective": e.objective,
                "start": e.start.name,
                "end": e.end.name,
            }
            for e in entries
        ],
        "changes": list(
            roadmap.changes.values("kind", "initiative_id", "title", "before", "after", "shift", "reason")
        ),
    }


@router.get("/roadmap/published", response=RoadmapOut)
def roadmap_latest(request: HttpRequest):
    """The latest published roadmap (what every signed-in user, stakeholders included, may read)."""
    latest = selectors.latest_roadmap()
    if latest is None:
        raise NotFound("Nothing has been published yet.")
    return _roadmap_out(latest)


@router.get("/roadmap/published/{roadmap_id}", response=RoadmapOut)
def roadmap_detail(request: HttpRequest, roadmap_id: int):
    return _roadmap_out(get_or_404(Roadmap, roadmap_id))


class PublishIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    note: str = ""


@router.post("/roadmap/runs/{run_id}/publish", response={201: RoadmapOut})
def run_publish(request: HttpRequest, run_id: int, data: PublishIn):
    roadmap = roadmaps.roadmap_publish(
        actor=user_of(request), run=plans.get_run(run_id), title=data.title, note=data.note
    )
    return 201, _roadmap_out(roadmap)
