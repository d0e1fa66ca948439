"""Plans: run the optimiser on a scenario as a job, edit a plan by hand (re-checked at once),
re-optimise around the pins, publish a plan as the roadmap, and work out what changed since the
last published roadmap.

Every plan stored here has been through the engine's independent checker (`check_plan`); its
verdict is kept in `PlanRun.violations` and shown wherever the plan is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
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
from northstar.planning.models import (
    ChangeKind,
    PlanAssignment,
    PlanRun,
    Roadmap,
    RoadmapChange,
    RoadmapEntry,
)
from northstar.planning.services import require_plan
from northstar.portfolio.models import Initiative, Stage
from northstar.strategy.models import Alignment, PlanningPeriod

logger = logging.getLogger(__name__)

TASK = "northstar.planning.tasks.plan_run"
NO_REASON = "not selected by the greedy baseline: run the optimiser to see what keeps it out"
DONE_STAGES = {Stage.LAUNCHED.value, Stage.MEASURED.value}

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


# ---------------------------------------------------------------------------------------------------
# What changed


@dataclass(frozen=True)
class Row:
    initiative_id: int | None
    title: str
    start: PlanningPeriod
    end: PlanningPeriod
    team: str = ""
    pinned: bool = False


@dataclass(frozen=True)
class Change:
    kind: str
    initiative_id: int | None
    title: str
    before: str
    after: str
    shift: int
    reason: str

    @property
    def label(self) -> str:
        return ChangeKind(self.kind).label


def span_label(start: PlanningPeriod, end: PlanningPeriod) -> str:
    return start.name if start.pk == end.pk else f"{start.name} → {end.name}"


def period_order(kind: str) -> dict[int, int]:
    return {
        pk: k
        for k, pk in enumerate(
            PlanningPeriod.objects.filter(kind=kind).order_by("start").values_list("id", flat=True)
        )
    }


def diff(
    before: list[Row],
    after: list[Row],
    *,
    run: PlanRun | None = None,
    stages: dict[int, str] | None = None,
) -> list[Change]:
    """Added, dropped, slipped (by how many periods) and pulled in, each with the reason we can tell.

    Work that was delivered since (launched or measured) is not "dropped". Slips compare end periods:
    what stakeholders hear is when it ships.
    """
    if not before and not after:
        return []
    kind = (after or before)[0].start.kind
    order = period_order(kind)
    stages = stages or {}
    old = {r.initiative_id: r for r in before if r.initiative_id is not None}
    new = {r.initiative_id: r for r in after if r.initiative_id is not None}
    exclusions = run.exclusions if run else {}
    horizon_start = run.scenario.first_period.start if run else None
    binding = run.binding if run else []
    out: list[Change] = []
    for key, r in new.items():
        if key not in old:
            reason = "pinned by hand" if r.pinned else "chosen by the optimiser for this plan"
            out.append(Change(ChangeKind.ADDED, key, r.title, "", span_label(r.start, r.end), 0, reason))
    for key, r in old.items():
        if key in new:
            continue
        if stages.get(key) in DONE_STAGES:
            continue
        reason = exclusions.get(str(key)) or (
            f"no longer a candidate (now {Stage(stages[key]).label.lower()})"
            if key in stages
            else "no longer in the portfolio"
        )
        out.append(Change(ChangeKind.DROPPED, key, r.title, span_label(r.start, r.end), "", 0, reason))
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        shift = order.get(b.end.pk, 0) - order.get(a.end.pk, 0)
        if shift == 0:
            continue
        if b.pinned:
            reason = f"moved by hand to {b.start.name}"
        elif horizon_start is not None and a.end.start < horizon_start:
            reason = f"not delivered in {a.end.name} as planned: carried over"
        else:
            cue = next((s for s in binding if a.start.name in s and (not a.team or a.team in s)), None)
            reason = (
                f"re-sequenced by the optimiser: {cue}"
                if cue
                else "re-sequenced by the optimiser for more total value"
            )
        out.append(
            Change(
                ChangeKind.SLIPPED if shift > 0 else ChangeKind.PULLED_IN,
                key,
                b.title,
                span_label(a.start, a.end),
                span_label(b.start, b.end),
                shift,
                reason,
            )
        )
    rank: dict[str, int] = {
        ChangeKind.SLIPPED: 0,
        ChangeKind.DROPPED: 1,
        ChangeKind.ADDED: 2,
        ChangeKind.PULLED_IN: 3,
    }
    return sorted(out, key=lambda c: (rank[c.kind], -abs(c.shift), c.title))


def run_rows(run: PlanRun) -> list[Row]:
    return [
        Row(a.initiative_id, a.initiative.title, a.start, a.end, a.team.name if a.team else "", a.pinned)
        for a in run.assignments.select_related("initiative", "start", "end", "team")
    ]


def roadmap_rows(roadmap: Roadmap) -> list[Row]:
    return [
        Row(e.initiative_id, e.title, e.start, e.end, e.team_name)
        for e in roadmap.entries.select_related("start", "end")
    ]


def stages_of(rows: Iterable[Row]) -> dict[int, str]:
    ids = [r.initiative_id for r in rows if r.initiative_id]
    return dict(Initiative.objects.filter(pk__in=ids).values_list("id", "stage"))


# ---------------------------------------------------------------------------------------------------
# Publishing


def _objectives(ids: list[int]) -> dict[int, str]:
    """The objective each initiative serves most (highest alignment weight), by title."""
    best: dict[int, tuple[float, str]] = {}
    for initiative_id, title, weight in Alignment.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "objective__title", "weight"
    ):
        if initiative_id not in best or float(weight) > best[initiative_id][0]:
            best[initiative_id] = (float(weight), title)
    return {k: v[1] for k, v in best.items()}


def freeze_entries(roadmap: Roadmap, run: PlanRun) -> None:
    """Copy a plan's assignments into a roadmap's frozen entries (titles, lines, teams, objectives)."""
    assignments = list(run.assignments.select_related("initiative", "line", "team").order_by("start__start"))
    objectives = _objectives([a.initiative_id for a in assignments])
    RoadmapEntry.objects.bulk_create(
        [
            RoadmapEntry(
                roadmap=roadmap,
                initiative_id=a.initiative_id,
                title=a.initiative.title,
                line_id=a.line_id,
                line_name=a.line.name if a.line else "",
                team_name=a.team.name if a.team else "",
                stage=a.initiative.stage,
                objective=objectives.get(a.initiative_id, "")[:200],
                start_id=a.start_id,
                end_id=a.end_id,
            )
            for a in assignments
        ],
        batch_size=1000,
    )


@transaction.atomic
def roadmap_publish(
    *, actor: User, run: PlanRun, title: str, note: str = "", published_on: Any = None
) -> Roadmap:
    """Freeze a valid plan as the roadmap, and record what changed since the last published one."""
    access.require_leading(actor, "the published roadmap")
    if not run.has_plan:
        raise ValidationFailed("Only a finished plan can be published.")
    recheck(run)
    if run.violations:
        raise ValidationFailed(
            f"This plan breaks {len(run.violations)} rule(s) (e.g. {run.violations[0]['message']}): "
            "fix it or re-optimise around your pins before publishing."
        )
    title = title.strip()
    if not title:
        raise ValidationFailed("Give the roadmap a title, e.g. 'Roadmap, 2026-Q3 review'.")
    previous = Roadmap.objects.order_by("-published_on", "-id").first()
    roadmap = Roadmap(
        title=title[:200],
        note=note.strip(),
        published_on=published_on or timezone.localdate(),
        published_by=actor,
        run=run,
        scenario_name=run.scenario.name,
        value=run.value,
        previous=previous,
    )
    record_save(actor=actor, instance=roadmap, before=None)
    freeze_entries(roadmap, run)
    if previous is not None:
        before, after = roadmap_rows(previous), run_rows(run)
        changes = diff(before, after, run=run, stages=stages_of(before))
        RoadmapChange.objects.bulk_create(
            [
                RoadmapChange(
                    roadmap=roadmap,
                    initiative_id=c.initiative_id,
                    title=c.title[:200],
                    kind=c.kind,
                    before=c.before,
                    after=c.after,
                    shift=c.shift,
                    reason=c.reason[:300],
                )
                for c in changes
            ]
        )
    return roadmap


@transaction.atomic
def change_reason_set(*, actor: User, change: RoadmapChange, reason: str) -> RoadmapChange:
    """Replace the recorded reason of a change with the one the leader tells the board."""
    access.require_leading(actor, "the reasons of roadmap changes")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why it changed: stakeholders read this.")
    before = audit.snapshot(change)
    change.reason = reason[:300]
    return record_save(actor=actor, instance=change, before=before)


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
