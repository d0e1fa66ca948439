"""Scenario and plan pages: scenarios and their assumptions, optimiser runs, a plan's views (timeline,
capacity heatmap, now/next/later), manual edits, re-optimising, publishing and comparisons. The
published roadmap, share links, capacity and budgets are in `views`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core.errors import ApplicationError
from northstar.core.services import get_or_404
from northstar.core.web import (
    READ_ONLY,
    edit_page,
    fetch,
    paginate,
    refuse,
    require,
    user_of,
)
from northstar.org.models import ProductLine, Team
from northstar.planning import plans, roadmaps, selectors, services
from northstar.planning.forms import AssumptionForm, PublishForm, ScenarioForm
from northstar.planning.models import (
    Assumption,
    PlanRun,
    Scenario,
)
from northstar.planning.problem import horizon
from northstar.planning.views import _act, _drafts, _int, _view_options
from northstar.portfolio.models import Initiative
from northstar.strategy.models import PlanningPeriod

# ---------------------------------------------------------------------------------------------------
# Scenarios


def _scenario(scenario_id: int) -> Scenario:
    return fetch(services.get_scenario, scenario_id)


@login_required
def scenarios(request: HttpRequest) -> HttpResponse:
    _drafts(request)
    return render(request, "planning/scenarios.html", {"scenarios": selectors.scenario_list()})


@login_required
def scenario_create(request: HttpRequest) -> HttpResponse:
    _drafts(request)
    initial: dict[str, Any] = {}
    periods = selectors.periods_upcoming()
    if len(periods) > 1:
        initial.update(first_period=periods[1].pk, last_period=periods[-1].pk)
    base = Scenario.objects.filter(pk=_int(request.GET.get("base"))).first()
    if base is not None:
        initial.update(ScenarioForm(scenario=base).initial, base=base.pk, name=f"{base.name} (variant)")

    def save(data: dict[str, Any]) -> Scenario:
        return services.scenario_create(actor=user_of(request), **data)

    return edit_page(
        request,
        form=ScenarioForm(request.POST or None, initial=initial),
        save=save,
        done=lambda s: reverse("planning:scenario_detail", args=[s.pk]),
        context={
            "heading": "New scenario",
            "back_url": reverse("planning:scenarios"),
            "back_label": "Scenarios",
        },
        success="Scenario {record} was created.",
    )


@login_required
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(scenario_id)
    require(
        services.can_plan(user_of(request), scenario),
        READ_ONLY
        if not user_of(request).can_write
        else "You can only change scenarios of your own product lines.",
    )
    return edit_page(
        request,
        form=ScenarioForm(request.POST or None, scenario=scenario, creating=False),
        record=scenario,
        save=lambda data: services.scenario_update(actor=user_of(request), scenario=scenario, **data),
        done=lambda s: reverse("planning:scenario_detail", args=[s.pk]),
        context={
            "heading": f"Edit {scenario.name}",
            "back_url": reverse("planning:scenario_detail", args=[scenario.pk]),
            "back_label": scenario.name,
        },
        success="Scenario {record} was saved.",
    )


@login_required
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    _drafts(request)
    scenario = _scenario(scenario_id)
    runs = selectors.scenario_runs(scenario)
    for run in runs:
        plans.sync_with_job(run)
    active = next((r for r in runs if not r.is_finished), None)
    context = {
        "scenario": scenario,
        "assumptions": selectors.scenario_assumptions(scenario),
        "runs": runs,
        "active": active,
        "latest": next((r for r in runs if r.has_plan), None),
        "can_plan": services.can_plan(user_of(request), scenario),
        "form": AssumptionForm(
            initiatives=Initiative.objects.filter(
                pk__in=[i.pk for i in selectors.candidate_choices(scenario)]
            ).order_by("title")
        ),
        "periods": horizon(scenario),
    }
    return render(request, "planning/scenario_detail.html", context)


@login_required
@require_POST
def scenario_primary(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(scenario_id)
    return _act(
        request,
        lambda: services.scenario_make_primary(actor=user_of(request), scenario=scenario),
        reverse("planning:scenario_detail", args=[scenario.pk]),
        "{result} is now the plan of record.",
    )


@login_required
@require_POST
def assumption_add(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(scenario_id)
    require(
        services.can_plan(user_of(request), scenario),
        "You can only change scenarios of your own product lines.",
    )
    form = AssumptionForm(request.POST)
    back = reverse("planning:scenario_detail", args=[scenario.pk])
    if not form.is_valid():
        messages.error(
            request,
            "Check the rule: " + "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()),
        )
        return redirect(back)
    return _act(
        request,
        lambda: services.assumption_add(actor=user_of(request), scenario=scenario, **form.service_data()),
        back,
        "Assumption added: run the optimiser to see its effect.",
    )


@login_required
@require_POST
def assumption_remove(request: HttpRequest, assumption_id: int) -> HttpResponse:
    item = fetch(
        get_or_404, Assumption, assumption_id, queryset=Assumption.objects.select_related("scenario")
    )
    return _act(
        request,
        lambda: services.assumption_remove(actor=user_of(request), assumption=item),
        reverse("planning:scenario_detail", args=[item.scenario_id]),
        "Assumption removed.",
    )


@login_required
@require_POST
def scenario_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(scenario_id)
    return _act(
        request,
        lambda: plans.plan_run_start(actor=user_of(request), scenario=scenario),
        reverse("planning:scenario_detail", args=[scenario.pk]),
        "The optimiser is working on {result.scenario.name}: the page updates when it is done.",
    )


@login_required
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live panel of a run: the job's progress while it runs, the plan's headline once done."""
    _drafts(request)
    run = fetch(plans.get_run, run_id)
    plans.sync_with_job(run)
    return render(request, "planning/_run_status.html", {"run": run})


# ---------------------------------------------------------------------------------------------------
# A plan and its views


def _run(request: HttpRequest, run_id: int) -> PlanRun:
    _drafts(request)
    return fetch(plans.get_run, run_id)


def _plan_context(request: HttpRequest, run: PlanRun, tab: str) -> dict[str, Any]:
    return {
        "run": run,
        "scenario": run.scenario,
        "tab": tab,
        "can_plan": services.can_plan(user_of(request), run.scenario),
        "can_publish": user_of(request).is_leading,
        "periods": horizon(run.scenario),
    }


#: Initiatives listed as left out of a plan: the first ones by title, the rest counted.
SHOWN_EXCLUDED = 300


@login_required
def plan_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The plan's assignments, a page at a time (optionally one line), and what was left out and why.

    Bounded however big the plan: one page of rows, and each row's team picker lists only the teams of
    its own line (plus the team it has), not every team of the organisation.
    """
    run = _run(request, run_id)
    context = _plan_context(request, run, "plan")
    line_id = _int(request.GET.get("line"))
    rows = run.assignments.select_related("initiative", "line", "team", "start", "end").order_by(
        "start__start", "line__name", "initiative__title", "id"
    )
    if line_id is not None:
        rows = rows.filter(line_id=line_id)
    page = paginate(request, rows)
    teams: dict[int, list[tuple[int, str]]] = {}
    if context["can_plan"]:
        for pk, name, team_line in (
            Team.objects.filter(line_id__in={a.line_id for a in page})
            .order_by("name")
            .values_list("pk", "name", "line_id")
        ):
            teams.setdefault(team_line, []).append((pk, name))
        for a in page:
            a.team_choices = list(teams.get(a.line_id, []))
            if a.team_id and a.team_id not in {pk for pk, _ in a.team_choices}:
                a.team_choices.insert(0, (a.team_id, a.team.name))
    excluded_ids = [int(k) for k in run.exclusions]
    excluded = [
        (pk, title, run.exclusions[str(pk)])
        for pk, title in Initiative.objects.filter(pk__in=excluded_ids)
        .order_by("title", "id")
        .values_list("id", "title")[:SHOWN_EXCLUDED]
    ]
    context.update(
        page_obj=page,
        line_id=line_id,
        lines=ProductLine.objects.order_by("name").only("id", "name"),
        excluded=excluded,
        excluded_total=len(excluded_ids),
        uplift=(run.value - run.greedy_value) / run.greedy_value if run.value and run.greedy_value else None,
    )
    return render(request, "planning/plan_detail.html", context)


@login_required
def plan_timeline(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    context = _plan_context(request, run, "timeline")
    options = _view_options(request)
    lines = list(ProductLine.objects.order_by("name"))
    line_id = options["line_id"]
    if line_id is None and run.assignments.count() > 400 and lines:
        line_id = lines[0].pk  # a whole large portfolio is unreadable: start with one line
    entries = selectors.plan_entries(run, context["periods"], line_id=line_id)
    context.update(
        options,
        line_id=line_id,
        lines=lines,
        timeline=selectors.timeline(
            entries, context["periods"], lane=options["lane"], colour=options["colour"]
        ),
    )
    return render(request, "planning/plan_timeline.html", context)


@login_required
def plan_capacity(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    context = _plan_context(request, run, "capacity")
    context["heat"] = selectors.heatmap(run, context["periods"])
    return render(request, "planning/plan_capacity.html", context)


@login_required
def plan_board(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    context = _plan_context(request, run, "board")
    options = _view_options(request)
    entries = selectors.plan_entries(run, context["periods"], line_id=options["line_id"])
    context.update(
        options,
        lines=ProductLine.objects.order_by("name"),
        board=selectors.board(entries, context["periods"]),
    )
    return render(request, "planning/plan_board.html", context)


@login_required
@require_POST
def plan_edit(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    initiative = fetch(
        get_or_404,
        Initiative,
        request.POST.get("initiative"),
        queryset=Initiative.objects.select_related("product"),
    )
    period_id, team_id = _int(request.POST.get("period")), _int(request.POST.get("team"))
    period = PlanningPeriod.objects.filter(pk=period_id).first() if period_id is not None else None
    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    try:
        result = plans.plan_edit(
            actor=user_of(request),
            run=run,
            initiative=initiative,
            action=request.POST.get("action", "move"),
            period=period,
            team=team,
        )
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect("planning:plan_detail", run.pk)
    (messages.warning if result.run.violations else messages.success)(request, result.message)
    target = request.POST.get("then", "")
    name = {"capacity": "planning:plan_capacity", "timeline": "planning:plan_timeline"}.get(
        target, "planning:plan_detail"
    )
    return redirect(name, result.run.pk)


@login_required
@require_POST
def plan_reoptimise(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        new = plans.plan_reoptimise(actor=user_of(request), run=run)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect("planning:plan_detail", run.pk)
    messages.success(request, "Re-optimising around your pins: the plan appears here when it is done.")
    return redirect(reverse("planning:scenario_detail", args=[new.scenario_id]))


@login_required
def plan_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    require(user_of(request).is_leading, "Only product leaders and admins publish the roadmap.")
    return edit_page(
        request,
        form=PublishForm(request.POST or None, initial={"title": f"Roadmap: {run.scenario.name}"}),
        save=lambda data: roadmaps.roadmap_publish(actor=user_of(request), run=run, **data),
        done=lambda r: reverse("planning:published", args=[r.pk]),
        context={
            "heading": f"Publish the plan of {run.scenario.name} as the roadmap",
            "back_url": reverse("planning:plan_detail", args=[run.pk]),
            "back_label": "The plan",
            "submit_label": "Publish",
        },
        success="Published {record.title}: stakeholders with a link now see it.",
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    _drafts(request)
    ids = [i for i in (_int(x) for x in request.GET.getlist("run")) if i][:3]
    runs = selectors.runs_for_compare(ids)
    slots = ([*ids, None, None, None])[:3]
    context: dict[str, Any] = {
        "choices": selectors.comparable_runs(),
        "runs": runs,
        "selected": ids,
        "slots": slots,
    }
    if len(runs) >= 2:
        context["result"] = selectors.compare(runs)
    return render(request, "planning/compare.html", context)
