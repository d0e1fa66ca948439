"""Plans: run the optimiser on a scenario as a job, edit a plan by hand (re-checked at once) and
re-optimise around the pins. Publishing a plan as the roadmap, and what changed since the last one,
live in `northstar.planning.roadmaps`.

Every plan stored here has been through the engine's independent checker (`check_plan`); its
verdict is kept in `PlanRun.violations` and shown wherever the plan is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import Conflict, NotFound, ValidationFailed
from northstar.core.jobs import JobContext, job_commit_unless_cancelled, job_enqueue
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.engines.planner import (
    Pin,
    Plan,
    PlannerInputError,
    SolveOptions,
    check_plan,
    greedy_plan,
    solve,
)
from northstar.org import access
from northstar.org.models import Team
from northstar.planning import explain
from northstar.planning import problem as translate
from northstar.planning.models import PlanAssignment, PlanRun
from northstar.planning.services import require_plan
from northstar.portfolio.models import Initiative
from northstar.strategy.models import PlanningPeriod

logger = logging.getLogger(__name__)

TASK = "northstar.planning.tasks.plan_run"
NO_REASON = "not selected by the greedy baseline: run the optimiser to see what keeps it out"

# ---------------------------------------------------------------------------------------------------
# Running the optimiser


@transaction.atomic
def plan_run_start(*, actor: User, scenario: Any, parent: PlanRun | None = None) -> PlanRun:
    """Queue an optimiser run for a scenario; with `parent` (an edited plan) its pins and removals hold."""
    require_plan(actor, scenario)
    runs_close_stale(scenario=scenario)  # a run whose job ended without it must not block this one
    busy = f"A plan for {scenario.name} is already being worked out: wait for it or cancel it."
    active = PlanRun.objects.select_related("job").filter(
        scenario=scenario, status__in=[PlanRun.Status.QUEUED, PlanRun.Status.RUNNING]
    )
    if any(not sync_with_job(r).is_finished for r in active):
        raise Conflict(busy)
    run = PlanRun(scenario=scenario, parent=parent, created_by=actor, kind=PlanRun.Kind.OPTIMISED)
    try:  # the database holds the rule (one active run per scenario) when two starts race
        record_save(actor=actor, instance=run, before=None)
    except (Conflict, ValidationFailed):
        if not active.all().exists():  # a fresh look, not the list read above
            raise
        raise Conflict(busy) from None
    title = f"Optimise {scenario.name}" + (" around the pins" if parent else "")
    run.job = job_enqueue(task=TASK, kwargs={"run_id": run.pk}, actor=actor, title=title)
    run.save(update_fields=["job"])
    return run


def _pins_of(run: PlanRun | None) -> tuple[tuple[Pin, ...], tuple[int, ...]]:
    if run is None or run.kind != PlanRun.Kind.EDITED:
        return (), ()
    pins = tuple(
        Pin(str(i), start, str(team) if team else None)
        for i, start, team in run.assignments.filter(pinned=True).values_list(
            "initiative_id", "start__name", "team_id"
        )
    )
    return pins, tuple(int(x) for x in run.removed)


class _Reporter:
    """Turns the solver's progress calls into (throttled) job progress."""

    def __init__(self, job: JobContext | None, limit: float) -> None:
        self.job, self.limit, self.last = job, max(limit, 1e-3), 0.0

    def __call__(self, seconds: float, value: float, bound: float) -> None:
        now = time.monotonic()
        if self.job is None or now - self.last < 0.5:
            return
        self.last = now
        fraction = 0.1 + 0.85 * min(1.0, seconds / self.limit)
        shown = f"{bound:,.0f}" if bound < float("inf") else "…"
        self.job.progress(fraction, f"Searching: best plan {value:,.0f}, proven bound {shown}")


def _finish(run_id: int, **fields: Any) -> None:
    PlanRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), **fields)


def plan_run_execute(*, run_id: int, job: JobContext | None = None) -> dict[str, Any]:
    """Build the problem, take the greedy baseline, solve within the time limit, check and store.

    A cancel request is honoured before the solve, stops the solver's search while it runs (the engine
    polls it), and discards the result when the solve returns.
    """
    run = PlanRun.objects.select_related("scenario__first_period", "scenario__last_period", "parent").get(
        pk=run_id
    )
    started = time.perf_counter()
    PlanRun.objects.filter(pk=run_id).update(status=PlanRun.Status.RUNNING)
    cancelled = lambda: job is not None and job.cancelled  # noqa: E731
    if job is not None:
        job.progress(0.02, "Reading capacity, budgets and the portfolio")
    try:
        pins, removed = _pins_of(run.parent)
        inputs = translate.build(run.scenario, pins=pins, removed=removed)
        if cancelled():
            _finish(run_id, status=PlanRun.Status.CANCELLED)
            return {"run_id": run_id, "status": "cancelled"}
        baseline = greedy_plan(inputs.problem)
        if job is not None:
            job.progress(
                0.1,
                f"{len(inputs.candidates)} candidates; the spreadsheet answer is worth {baseline.value:,.0f}",
            )
        # The scenario's limit covers the whole run: leave a tenth for explanations and the checker.
        limit = max(1.0, 0.9 * float(run.scenario.time_limit) - (time.perf_counter() - started))
        options = SolveOptions(
            time_limit=limit,
            mip_rel_gap=1e-4,
            threads=1,
            seed=0,
            progress=_Reporter(job, limit),
            should_stop=cancelled,
        )
        plan = solve(inputs.problem, options)
    except PlannerInputError as exc:
        _finish(run_id, status=PlanRun.Status.FAILED, error=f"The planner cannot read this scenario: {exc}")
        return {"run_id": run_id, "status": "failed"}
    except Exception:
        # A bug, not the data: say so in words (the job log keeps the traceback for the team).
        _finish(
            run_id,
            status=PlanRun.Status.FAILED,
            error="The planner stopped on an unexpected error, which is logged for your administrator; "
            "the scenario and its data are unchanged.",
        )
        raise
    if cancelled():
        _finish(run_id, status=PlanRun.Status.CANCELLED)
        return {"run_id": run_id, "status": "cancelled"}
    if plan.status == "no_solution" and baseline.assignments:
        plan = Plan(
            **{**baseline.__dict__, "best_bound": float("nan"), "gap": float("nan"), "method": "greedy"}
        )
    with transaction.atomic():  # the plan and its job finish together, or the cancel wins
        if not job_commit_unless_cancelled(job):
            _finish(run_id, status=PlanRun.Status.CANCELLED)
            return {"run_id": run_id, "status": "cancelled"}
        store_plan(run, inputs, plan, greedy_value=baseline.value)
    run.refresh_from_db()
    return {"run_id": run_id, "status": run.status, "value": run.value, "gap": run.gap}


def sync_with_job(run: PlanRun) -> PlanRun:
    """Show a run as its job says when the job ended without it (cancelled before it started, or
    died): in memory only, so a page or API read never writes. `runs_close_stale` stores it."""
    if run.is_finished or run.job is None or run.job.is_active:
        return run
    if run.job.status == run.job.Status.CANCELLED:
        run.status = PlanRun.Status.CANCELLED
    elif run.job.status == run.job.Status.FAILED:
        run.status, run.error = PlanRun.Status.FAILED, run.job.error[:2000]
    else:
        return run
    run.finished_at = run.job.finished_at or run.finished_at
    return run


def runs_close_stale(*, scenario: Any) -> int:
    """Close a scenario's runs whose job ended without them, as their job says (a write path: called
    before a new run starts, so a dead run never blocks the next one)."""
    open_runs = PlanRun.objects.filter(
        scenario=scenario, status__in=[PlanRun.Status.QUEUED, PlanRun.Status.RUNNING], job__isnull=False
    ).select_related("job")
    closed = 0
    for run in open_runs:
        before = run.status
        sync_with_job(run)
        if run.status != before:
            run.finished_at = run.finished_at or timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            closed += 1
    return closed


def _finite(x: float | None) -> float | None:
    return x if x is not None and x == x and abs(x) != float("inf") else None


@transaction.atomic
def store_plan(run: PlanRun, inputs: translate.Inputs, plan: Plan, *, greedy_value: float | None) -> PlanRun:
    """Record an engine plan on a run, after our own call of the independent checker."""
    run.solver_status, run.method = plan.status, plan.method
    run.seconds, run.candidates = plan.seconds, len(inputs.candidates)
    run.greedy_value = greedy_value
    run.finished_at = timezone.now()
    if plan.status == "infeasible":
        run.status = PlanRun.Status.INFEASIBLE
        run.diagnosis = [explain.conflict_entry(c, inputs) for c in plan.diagnosis]
        run.save()
        return run
    if not plan.assignments and plan.status == "no_solution":
        run.status, run.error = PlanRun.Status.FAILED, "No plan was found within the time limit."
        run.save()
        return run
    run.status = PlanRun.Status.DONE
    run.value, run.best_bound, run.gap = plan.value, _finite(plan.best_bound), _finite(plan.gap)
    if run.kind == PlanRun.Kind.GREEDY:
        run.best_bound = run.gap = None  # a heuristic proves nothing
    run.binding = list(plan.binding)
    run.violations = explain.violations(check_plan(inputs.problem, plan), inputs)
    reasons = {str(k): v for k, v in inputs.unplannable.items()}
    chosen = plan.selected
    for cid in inputs.candidates:
        if str(cid) not in chosen:
            reasons[str(cid)] = plan.exclusion_reasons.get(str(cid), NO_REASON)
    for cid in run.removed or []:
        reasons[str(cid)] = "removed by hand"
    run.exclusions = reasons
    run.save()
    pinned = {int(p.item) for p in inputs.problem.pins}
    _write_assignments(run, inputs, [(a.item, a.team, a.start, a.end) for a in plan.assignments], pinned)
    return run


def plan_compute(*, scenario: Any, actor: User | None = None, time_limit: float | None = None) -> PlanRun:
    """Plan a scenario now, in this process (the demo and the CLI): the optimiser with a time limit,
    or the greedy baseline alone when `time_limit` is None."""
    inputs = translate.build(scenario)
    baseline = greedy_plan(inputs.problem)
    kind = PlanRun.Kind.GREEDY if time_limit is None else PlanRun.Kind.OPTIMISED
    run = PlanRun.objects.create(
        scenario=scenario, kind=kind, created_by=actor, status=PlanRun.Status.RUNNING
    )
    if time_limit is None:
        plan = baseline
    else:
        plan = solve(inputs.problem, SolveOptions(time_limit=time_limit, mip_rel_gap=1e-4, threads=1, seed=0))
    return store_plan(run, inputs, plan, greedy_value=baseline.value)


def _decayed(inputs: translate.Inputs, candidate: translate.Candidate, end: str) -> float:
    names = [p.name for p in inputs.periods]
    k = names.index(end) if end in names else 0
    return round(candidate.value * (1 - float(inputs.scenario.discount)) ** k, 3)


def _write_assignments(
    run: PlanRun,
    inputs: translate.Inputs,
    rows: list[tuple[str, str | None, str, str]],
    pinned: set[int] | None = None,
) -> None:
    periods = inputs.period_by_name
    out = []
    for item, team, start, end in rows:
        c = inputs.candidates[int(item)]
        out.append(
            PlanAssignment(
                run=run,
                initiative_id=c.id,
                line_id=c.line_id,
                team_id=int(team) if team else None,
                start=periods[start],
                end=periods[end],
                value=_decayed(inputs, c, end),
                effort=c.effort,
                pinned=c.id in (pinned or set()),
            )
        )
    PlanAssignment.objects.bulk_create(out, batch_size=1000)


# ---------------------------------------------------------------------------------------------------
# Editing a plan by hand


def recheck(run: PlanRun, inputs: translate.Inputs | None = None) -> PlanRun:
    """Re-run the independent checker on a stored plan against its scenario as it is now."""
    inputs = inputs or translate.build(run.scenario)
    rows: list[tuple[int, int | None, str, str]] = list(
        run.assignments.values_list("initiative_id", "team_id", "start__name", "end__name")
    )
    plan = translate.as_plan(inputs, rows)
    run.violations = explain.violations(check_plan(inputs.problem, plan), inputs)
    run.value = plan.value
    run.save(update_fields=["violations", "value"])
    return run


def _editable_copy(run: PlanRun, actor: User) -> PlanRun:
    if run.kind == PlanRun.Kind.EDITED:
        return run
    copy = PlanRun(
        scenario=run.scenario,
        kind=PlanRun.Kind.EDITED,
        parent=run,
        status=PlanRun.Status.DONE,
        solver_status="edited",
        method="edited by hand",
        value=run.value,
        greedy_value=run.greedy_value,
        candidates=run.candidates,
        binding=run.binding,
        exclusions=run.exclusions,
        created_by=actor,
        finished_at=timezone.now(),
    )
    record_save(actor=actor, instance=copy, before=None)
    PlanAssignment.objects.bulk_create(
        [
            PlanAssignment(
                run=copy,
                initiative_id=a.initiative_id,
                line_id=a.line_id,
                team_id=a.team_id,
                start_id=a.start_id,
                end_id=a.end_id,
                value=a.value,
                effort=a.effort,
                pinned=a.pinned,
            )
            for a in run.assignments.all()
        ]
    )
    return copy


@dataclass(frozen=True)
class EditResult:
    run: PlanRun
    message: str


@transaction.atomic
def plan_edit(
    *,
    actor: User,
    run: PlanRun,
    initiative: Initiative,
    action: str,
    period: PlanningPeriod | None = None,
    team: Team | None = None,
) -> EditResult:
    """Move or pin an initiative to a period (and team), or remove it; the plan is re-checked at once.

    A plan straight from the optimiser is never changed: the first edit makes an edited copy, so the
    proof of the optimised plan stays intact. Edits that break a rule are kept and the violations shown.
    """
    require_plan(actor, run.scenario)
    if not run.has_plan:
        raise ValidationFailed("Only a finished plan can be edited.")
    line_id = initiative.product.line_id if initiative.product else None
    access.require_line_edit(actor, line_id, "the plan")
    inputs = translate.build(run.scenario)
    candidate = inputs.candidates.get(initiative.pk)
    if candidate is None:
        reason = inputs.unplannable.get(initiative.pk, "it is not a candidate of this scenario")
        raise ValidationFailed(f"{initiative.title} cannot be planned here: {reason}.")
    if action not in ("move", "remove"):
        raise ValidationFailed(f"Unknown edit {action!r}: move or remove.")
    edited = _editable_copy(run, actor)
    current = edited.assignments.filter(initiative=initiative).first()
    removed = [x for x in edited.removed if x != initiative.pk]
    if action == "remove":
        if current is None:
            raise ValidationFailed(f"{initiative.title} is not in this plan.")
        before = audit.snapshot(current)
        current.delete()
        audit.audit_delete(actor=actor, instance=current, before=before, pk=before["id"])
        removed.append(initiative.pk)
        edited.exclusions = {**edited.exclusions, str(initiative.pk): "removed by hand"}
        message = f"{initiative.title} was removed from the plan."
    else:
        if period is None:
            raise ValidationFailed("Choose the period it should start in.")
        names = [p.name for p in inputs.periods]
        if period.name not in names:
            raise ValidationFailed(
                f"{period.name} is outside this scenario's periods ({names[0]} to {names[-1]})."
            )
        k = names.index(period.name) + candidate.duration - 1
        if k >= len(names):
            raise ValidationFailed(
                f"{initiative.title} takes {candidate.duration} periods, "
                f"so it cannot start as late as {period.name}."
            )
        team_id = team.pk if team else (current.team_id if current else candidate.teams[0])
        if team_id not in candidate.teams:
            allowed = ", ".join(inputs.teams[t].name for t in candidate.teams)
            raise ValidationFailed(f"{initiative.title} needs a team with its skills: {allowed}.")
        periods = inputs.period_by_name
        prior = audit.snapshot(current) if current else None
        row = current or PlanAssignment(
            run=edited, initiative=initiative, line_id=candidate.line_id, effort=candidate.effort
        )
        row.team_id, row.start, row.end = team_id, period, periods[names[k]]
        row.value, row.pinned = _decayed(inputs, candidate, names[k]), True
        record_save(actor=actor, instance=row, before=prior)
        edited.exclusions = {k2: v for k2, v in edited.exclusions.items() if k2 != str(initiative.pk)}
        message = f"{initiative.title} is pinned to {period.name} with {inputs.teams[team_id].name}."
    edited.removed = removed
    edited.save(update_fields=["removed", "exclusions"])
    recheck(edited, inputs)
    if edited.violations:
        n = len(edited.violations)
        message += f" It breaks {n} rule{'s' if n != 1 else ''}: see below."
    return EditResult(edited, message)


def plan_reoptimise(*, actor: User, run: PlanRun) -> PlanRun:
    """Optimise the scenario again, keeping this edited plan's pins and removals."""
    if run.kind != PlanRun.Kind.EDITED:
        raise ValidationFailed("Pin or move something first: re-optimising keeps the pins of an edited plan.")
    return plan_run_start(actor=actor, scenario=run.scenario, parent=run)


def get_run(run_id: int) -> PlanRun:
    run = (
        PlanRun.objects.select_related(
            "scenario__first_period", "scenario__last_period", "scenario__line", "job"
        )
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(f"No plan with id {run_id}.")
    return run
