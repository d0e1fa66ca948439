"""Translate a scenario and the portfolio into the planner engine's `Problem`, and back.

Engine ids: an item is `str(initiative.pk)`, a team `str(team.pk)`, a period its name ("2026-Q3").
Names are passed as labels so the engine's explanations read in the product leader's words.

What becomes what:
* candidates: initiatives, features and ideas in the scenario's stages, in its line when it has one;
* value: the scenario's stored score; per-effort scores (RICE, WSJF) are multiplied back by effort,
  because the optimiser already weighs effort through capacity;
* effort per skill: the PERT expectation (low + 4 likely + high) / 6 of each estimate line, or the
  rough single `effort` on the line's most common skill when there is no estimate;
* duration: one skill of one team gives at most `FOCUS` of a period to a single initiative, so big
  estimates span several periods;
* eligible teams: teams of the initiative's line with every skill it needs, else any team that has
  them; an initiative no team can do is left out with that reason;
* cost: total effort × the eligible teams' mean weekly cost; budgets are per line and period;
* dependencies: "B requires A" between two candidates becomes Requires(B, A) and Precedence(A, B);
* groups: `line: <name>`, `objective: <title> (<period>)`, `tag: <name>` for budgets and guardrails.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from northstar.engines.planner import (
    Assignment,
    Budget,
    Guardrail,
    Item,
    Period,
    Pin,
    Plan,
    Precedence,
    Problem,
    Requires,
    Team,
)
from northstar.org.models import Team as TeamModel
from northstar.planning.models import (
    DEFAULT_STAGES,
    Assumption,
    AssumptionKind,
    BudgetEnvelope,
    Capacity,
    Scenario,
    ValueSource,
)
from northstar.portfolio.models import Dependency, EstimateLine, Initiative
from northstar.strategy.models import Alignment, PlanningPeriod

#: Share of a period one skill of one team may give to a single initiative.
FOCUS = 0.6
#: Availability assumed for added people when the cell has no derived factor.
DEFAULT_AVAILABILITY = 0.8


@dataclass
class Candidate:
    """An initiative as the optimiser sees it, plus what the pages need to show it."""

    id: int
    title: str
    line_id: int | None
    line_name: str
    stage: str
    value: float
    effort: dict[str, float]
    duration: int
    cost: float
    teams: tuple[int, ...]
    groups: tuple[str, ...]


@dataclass
class Inputs:
    """A scenario turned into a problem, with the lookups to turn the engine's answer back into rows."""

    scenario: Scenario
    periods: list[PlanningPeriod]
    teams: dict[int, TeamModel]
    candidates: dict[int, Candidate]
    unplannable: dict[int, str]
    problem: Problem
    capacity: dict[tuple[int, str, str], float] = field(default_factory=dict)

    @property
    def period_by_name(self) -> dict[str, PlanningPeriod]:
        return {p.name: p for p in self.periods}


def horizon(scenario: Scenario) -> list[PlanningPeriod]:
    """The scenario's periods in calendar order, of the same kind as its first period."""
    first, last = scenario.first_period, scenario.last_period
    return list(
        PlanningPeriod.objects.filter(
            kind=first.kind, start__gte=first.start, start__lte=last.start
        ).order_by("start")
    )


def weeks_in(period: PlanningPeriod) -> float:
    return ((period.end - period.start).days + 1) / 7


def scope_teams(scenario: Scenario) -> dict[int, TeamModel]:
    teams = TeamModel.objects.prefetch_related("skills").select_related("line").order_by("name")
    if scenario.line_id:
        teams = teams.filter(line_id=scenario.line_id)
    return {t.pk: t for t in teams}


def capacity_map(
    scenario: Scenario, periods: list[PlanningPeriod], teams: dict[int, TeamModel]
) -> dict[tuple[int, str, str], float]:
    """Team-weeks per (team id, skill name, period name) under the scenario's capacity assumptions."""
    factor = float(scenario.capacity_factor)
    cells: dict[tuple[int, str, str], float] = {}
    availability: dict[tuple[int, str, str], float] = {}
    for team_id, skill, period, weeks, avail in Capacity.objects.filter(
        period__in=periods, team_id__in=list(teams)
    ).values_list("team_id", "skill__name", "period__name", "weeks", "availability"):
        cells[(team_id, skill, period)] = float(weeks) * factor
        availability[(team_id, skill, period)] = float(avail)
    changes = Assumption.objects.filter(scenario=scenario, kind=AssumptionKind.CAPACITY).select_related(
        "period", "skill"
    )
    for change in changes:
        if change.team_id not in teams or change.people is None or change.skill is None:
            continue
        for p in periods:
            if change.period and p.start < change.period.start:
                continue
            key = (change.team_id, change.skill.name, p.name)
            added = float(change.people) * weeks_in(p) * availability.get(key, DEFAULT_AVAILABILITY)
            cells[key] = max(0.0, cells.get(key, 0.0) + added)
    return cells


def _value(source: str, scoring, effort: float) -> float:
    if scoring is None:
        return 0.0
    if source == ValueSource.RICE:
        raw = (scoring.rice_score or 0.0) * effort
    elif source == ValueSource.WSJF:
        raw = (scoring.wsjf_score or 0.0) * (scoring.job_size or 1.0)
    elif source == ValueSource.ICE:
        raw = scoring.ice_score or 0.0
    elif source == ValueSource.VALUE:
        raw = scoring.value or 0.0
    else:
        raw = scoring.weighted_score or 0.0
    return round(max(0.0, float(raw)), 2)


def _business_case_values(scenario: Scenario, items: list[Initiative]) -> dict[int, float] | None:
    """Risk-adjusted NPV (thousands) per initiative when the scenario values work by business case;
    an initiative without a case is worth nothing to it. None for every other value source."""
    if scenario.value_source != ValueSource.NPV:
        return None
    from northstar.finance.selectors import risk_adjusted_values

    return risk_adjusted_values([it.pk for it in items])


def _pert(low: Decimal, likely: Decimal, high: Decimal) -> float:
    return float(low + 4 * likely + high) / 6


def build(scenario: Scenario, *, pins: tuple[Pin, ...] = (), removed: tuple[int, ...] = ()) -> Inputs:
    """The scenario as an engine problem; `pins` and `removed` come from a person's edits of a plan."""
    periods = horizon(scenario)
    teams = scope_teams(scenario)
    team_skills = {t.pk: {s.name for s in t.skills.all()} for t in teams.values()}
    stages = scenario.stages or DEFAULT_STAGES
    rows = (
        Initiative.objects.filter(stage__in=stages, product__isnull=False)
        .select_related("product__line", "scoring")
        .only(
            "id",
            "title",
            "stage",
            "product__line__id",
            "product__line__name",
            *[
                f"scoring__{f}"
                for f in (
                    "rice_score",
                    "wsjf_score",
                    "ice_score",
                    "weighted_score",
                    "value",
                    "job_size",
                    "effort",
                    "estimated_effort",
                )
            ],
        )
        .order_by("id")
    )
    if scenario.line_id:
        rows = rows.filter(product__line_id=scenario.line_id)
    items = list(rows)
    estimates: dict[int, dict[str, float]] = defaultdict(dict)
    for initiative_id, skill, low, likely, high in EstimateLine.objects.filter(
        initiative__in=rows.values("id")
    ).values_list("initiative_id", "skill__name", "low", "likely", "high"):
        estimates[initiative_id][skill] = round(_pert(low, likely, high), 2)
    groups: dict[int, list[str]] = defaultdict(list)
    for initiative_id, title, period in Alignment.objects.filter(
        initiative__in=rows.values("id")
    ).values_list("initiative_id", "objective__title", "objective__period__name"):
        groups[initiative_id].append(f"objective: {title} ({period})")
    for initiative_id, tag in Initiative.tags.through.objects.filter(
        initiative__in=rows.values("id")
    ).values_list("initiative_id", "tag__name"):
        groups[initiative_id].append(f"tag: {tag}")

    line_skill: dict[int, str] = {}
    per_line: dict[int, Counter] = defaultdict(Counter)
    for t in teams.values():
        per_line[t.line_id].update(team_skills[t.pk])
    all_skills: Counter = Counter()
    for c in per_line.values():
        all_skills.update(c)
    for line_id, counter in per_line.items():
        if counter:  # a line whose teams have no skills (yet) has no skill to plan rough efforts in
            line_skill[line_id] = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    weeks = min((weeks_in(p) for p in periods), default=13.0)
    npv_values = _business_case_values(scenario, items)
    candidates: dict[int, Candidate] = {}
    unplannable: dict[int, str] = {}
    for it in items:
        line = it.product.line
        scoring = getattr(it, "scoring", None)
        effort = estimates.get(it.pk)
        if not effort:
            rough = scoring.effort if scoring is not None else None
            rough_skill = line_skill.get(line.pk) or (all_skills.most_common(1)[0][0] if all_skills else None)
            if not rough or rough_skill is None:
                unplannable[it.pk] = "not estimated: add an estimate (or a rough effort) to plan it"
                continue
            effort = {rough_skill: float(rough)}
        needed = {s for s, e in effort.items() if e > 0}
        own = [t for t in teams.values() if t.line_id == line.pk and needed <= team_skills[t.pk]]
        able = own or [t for t in teams.values() if needed <= team_skills[t.pk]]
        if not able:
            unplannable[it.pk] = f"no team has every skill it needs ({', '.join(sorted(needed))})"
            continue
        total = sum(effort.values())
        value = (
            npv_values.get(it.pk, 0.0)
            if npv_values is not None
            else _value(scenario.value_source, scoring, total)
        )
        duration = max(1, min(len(periods) or 1, math.ceil(max(effort.values()) / (FOCUS * weeks))))
        rate = sum(float(t.cost_rate) for t in able) / len(able)
        candidates[it.pk] = Candidate(
            id=it.pk,
            title=it.title,
            line_id=line.pk,
            line_name=line.name,
            stage=it.stage,
            value=value,
            effort=effort,
            duration=duration,
            cost=round(total * rate, 2),
            teams=tuple(t.pk for t in able),
            groups=(f"line: {line.name}", *sorted(set(groups.get(it.pk, [])))),
        )

    capacity = capacity_map(scenario, periods, teams)
    engine_teams = []
    for t in teams.values():
        cap = {(skill, p): w for (team_id, skill, p), w in capacity.items() if team_id == t.pk}
        engine_teams.append(Team(str(t.pk), cap, name=t.name))
    budgets = []
    factor = float(scenario.budget_factor)
    envelopes = BudgetEnvelope.objects.filter(period__in=periods).select_related("line", "period")
    if scenario.line_id:
        envelopes = envelopes.filter(line_id=scenario.line_id)
    for env in envelopes:
        budgets.append(
            Budget(
                amount=float(env.amount) * factor,
                period=env.period.name,
                group=f"line: {env.line.name}",
                id=f"budget of {env.line.name} in {env.period.name}",
            )
        )

    assumptions = list(
        Assumption.objects.filter(scenario=scenario).select_related("period", "objective__period", "tag")
    )
    mandatory, excluded, rule_pins, guardrails = set(), set(removed), [], []
    period_names = {p.name for p in periods}
    for a in assumptions:
        if a.kind == AssumptionKind.MANDATORY and a.initiative_id in candidates:
            mandatory.add(str(a.initiative_id))
        elif a.kind == AssumptionKind.EXCLUDE and a.initiative_id:
            excluded.add(a.initiative_id)
        elif a.kind == AssumptionKind.PIN and a.initiative_id in candidates and a.period:
            if a.period.name in period_names:
                rule_pins.append(
                    Pin(str(a.initiative_id), a.period.name, str(a.team_id) if a.team_id else None)
                )
        elif a.kind in (AssumptionKind.MIN_SHARE, AssumptionKind.MAX_SHARE) and a.share is not None:
            if a.objective:
                group = f"objective: {a.objective.title} ({a.objective.period.name})"
            elif a.tag:
                group = f"tag: {a.tag.name}"
            else:
                continue
            if a.kind == AssumptionKind.MIN_SHARE:
                guardrails.append(Guardrail(group, "capacity", min_share=float(a.share)))
            else:
                guardrails.append(Guardrail(group, "capacity", max_share=float(a.share)))
    pinned = {p.item for p in pins}
    all_pins = tuple(pins) + tuple(p for p in rule_pins if p.item not in pinned)

    deps = Dependency.objects.filter(initiative_id__in=list(candidates), requires_id__in=list(candidates))
    requires, precedences = [], []
    for after, before in deps.values_list("initiative_id", "requires_id"):
        requires.append(Requires(str(after), str(before)))
        precedences.append(Precedence(str(before), str(after)))

    engine_items = tuple(
        Item(
            str(c.id),
            value=c.value,
            effort=c.effort,
            duration=c.duration,
            cost=c.cost,
            eligible_teams=tuple(str(t) for t in c.teams),
            groups=c.groups,
            name=c.title,
        )
        for c in candidates.values()
    )
    problem = Problem(
        periods=tuple(Period(p.name, p.name) for p in periods),
        items=engine_items,
        teams=tuple(engine_teams),
        budgets=tuple(budgets),
        guardrails=tuple(guardrails),
        precedences=tuple(precedences),
        requires=tuple(requires),
        mandatory=frozenset(mandatory),
        pins=all_pins,
        excluded=frozenset(str(x) for x in excluded if x in candidates),
        discount_per_period=float(scenario.discount),
    )
    return Inputs(scenario, periods, teams, candidates, unplannable, problem, capacity)


def as_plan(inputs: Inputs, rows: list[tuple[int, int | None, str, str]], status: str = "feasible") -> Plan:
    """A stored plan (initiative id, team id, start name, end name) as an engine Plan for the checker."""
    from northstar.engines.planner import plan_value

    assignments = tuple(
        Assignment(str(i), str(t) if t is not None else None, s, e) for i, t, s, e in sorted(rows)
    )
    draft = Plan(status=status, assignments=assignments)  # type: ignore[arg-type]
    return Plan(status=status, assignments=assignments, value=plan_value(inputs.problem, draft))  # type: ignore[arg-type]
