"""Every change to the roadmap's inputs: periods, capacity, budgets, scenarios and their assumptions,
and share links. Plans (runs, edits, publishing) live in `northstar.planning.plans`.

Who may change what:
* periods, budgets, capacity derivation, publishing and share links: product leaders and admins;
* one capacity cell: whoever may change the team's product line (PMs in their own lines);
* scenarios of one product line and their plans: leaders, and PMs of that line; portfolio-wide
  scenarios: leaders. Stakeholders never see scenarios or draft plans, only published roadmaps.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from northstar.core import audit, concurrency, numbers
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry, User
from northstar.core.services import get_or_404, record_delete, record_save
from northstar.org import access
from northstar.org.models import ProductLine, Skill, Team
from northstar.planning.models import (
    DEFAULT_STAGES,
    Assumption,
    AssumptionKind,
    BudgetEnvelope,
    Capacity,
    Roadmap,
    Scenario,
    ShareLink,
)
from northstar.planning.problem import weeks_in
from northstar.portfolio.models import Initiative, Stage, Tag
from northstar.strategy.models import Objective, PlanningPeriod

# ---------------------------------------------------------------------------------------------------
# Who may do what


def can_see_drafts(user: User) -> bool:
    """Scenarios and unpublished plans are for the people who plan; stakeholders see published roadmaps."""
    return bool(user.is_authenticated and user.can_write)


def require_drafts(user: User) -> None:
    if not can_see_drafts(user):
        raise PermissionDenied("Scenarios and draft plans are for product managers and leaders.")


def can_plan(user: User, scenario: Scenario) -> bool:
    """Leaders plan anything; PMs plan scenarios of the product lines they belong to."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return scenario.line_id is not None and access.can_edit_line(user, scenario.line_id)


def require_plan(user: User, scenario: Scenario) -> None:
    access.require_write(user)
    if not can_plan(user, scenario):
        raise PermissionDenied(
            "Only product leaders change portfolio-wide scenarios; product managers change scenarios "
            "of their own product lines."
        )


# ---------------------------------------------------------------------------------------------------
# Periods


def _next_quarter(day: date) -> tuple[date, date, str]:
    q = (day.month - 1) // 3
    start = date(day.year, 3 * q + 1, 1)
    end = date(day.year + (q == 3), 1 if q == 3 else 3 * q + 4, 1) - timedelta(days=1)
    return start, end, f"{day.year}-Q{q + 1}"


def _next_month(day: date) -> tuple[date, date, str]:
    start = date(day.year, day.month, 1)
    end = date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1) - timedelta(days=1)
    return start, end, f"{day.year}-{day.month:02d}"


@transaction.atomic
def periods_ensure(
    *, actor: User | None, count: int, kind: str = PlanningPeriod.Kind.QUARTER, start: date | None = None
) -> list[PlanningPeriod]:
    """Make sure `count` consecutive periods exist from the one containing `start` (today by default).

    Quarters are named "2026-Q3", months "2026-07"; existing periods are reused, never changed.
    """
    if actor is not None:
        access.require_leading(actor, "planning periods")
    if not 1 <= count <= 24:
        raise ValidationFailed("Add between 1 and 24 periods at a time.")
    if kind not in PlanningPeriod.Kind.values:
        raise ValidationFailed(f"Unknown period kind {kind!r}: choose quarter or month.")
    step = _next_quarter if kind == PlanningPeriod.Kind.QUARTER else _next_month
    day = start or timezone.localdate()
    out = []
    for _ in range(count):
        first, last, name = step(day)
        period = PlanningPeriod.objects.filter(name=name).first()
        if period is None:
            period = PlanningPeriod(name=name, kind=kind, start=first, end=last)
            if actor is not None:
                record_save(actor=actor, instance=period, before=None)
            else:
                period.save()
        out.append(period)
        day = last + timedelta(days=1)
    return out


# ---------------------------------------------------------------------------------------------------
# Capacity and budgets


def _decimal(
    raw: Any, what: str, model: type, field: str, *, minimum: Decimal | None = Decimal("0")
) -> Decimal:
    """A typed number that fits `model.field`, rounded to its places (see core.numbers)."""
    return numbers.decimal_in(raw, what=what, minimum=minimum, **numbers.decimal_limits(model, field))


@transaction.atomic
def capacity_derive(
    *, actor: User | None, periods: list[PlanningPeriod], availability: Decimal | float | str = "0.8"
) -> int:
    """Derive every team's capacity from its members: people × weeks × availability, split evenly
    over the team's skills (a team-week is one person's week for the team). Cells set by hand are
    kept. Returns how many cells were written."""
    if actor is not None:
        access.require_leading(actor, "derived capacity")
    factor = _decimal(availability, "Availability", Capacity, "availability")
    if factor > 1:
        raise ValidationFailed("Availability is a share of the period: between 0 and 1 (e.g. 0.8).")
    teams = Team.objects.prefetch_related("skills").order_by("id")
    sizes = dict(Team.objects.annotate(n=Count("members")).values_list("id", "n"))
    existing = {
        (c.team_id, c.skill_id, c.period_id): c
        for c in Capacity.objects.filter(period__in=periods, team__in=teams)
    }
    create, update = [], []
    for team in teams:
        skills = list(team.skills.all())
        if not skills:
            continue
        for period in periods:
            weeks = Decimal(sizes.get(team.pk, 0)) * Decimal(str(weeks_in(period))) * factor / len(skills)
            weeks = weeks.quantize(Decimal("0.1"))
            for skill in skills:
                cell = existing.get((team.pk, skill.pk, period.pk))
                if cell is None:
                    create.append(
                        Capacity(team=team, skill=skill, period=period, weeks=weeks, availability=factor)
                    )
                elif not cell.is_override:
                    cell.weeks, cell.availability = weeks, factor
                    update.append(cell)
    Capacity.objects.bulk_create(create, batch_size=1000)
    Capacity.objects.bulk_update(update, ["weeks", "availability"], batch_size=1000)
    if actor is not None:
        AuditEntry.objects.create(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            record_type="planning.capacity",
            record_id="derived",
            record_repr=f"Capacity derived for {', '.join(p.name for p in periods)}"[:200],
            changes={"cells": [None, len(create) + len(update)], "availability": [None, str(factor)]},
        )
    return len(create) + len(update)


@transaction.atomic
def capacity_set(
    *,
    actor: User,
    team: Team,
    skill: Skill,
    period: PlanningPeriod,
    weeks: Any,
    version: int | None = None,
) -> Capacity:
    """Set one cell by hand; it then survives later derivations.

    `version` is the cell's version when the editor saw it (0: empty), to refuse overwriting a change
    made meanwhile (see core.concurrency).
    """
    access.require_line_edit(actor, team.line_id, "capacity")
    value = _decimal(weeks, "Capacity", Capacity, "weeks")
    cell = Capacity.objects.filter(team=team, skill=skill, period=period).first()
    concurrency.require_version(cell, version, what=f"Capacity of {team.name} in {period.name}")
    before = audit.snapshot(cell) if cell else None
    if cell is None:
        cell = Capacity(team=team, skill=skill, period=period)
    cell.weeks, cell.is_override = value, True
    return record_save(actor=actor, instance=cell, before=before)


@transaction.atomic
def budget_set(
    *,
    actor: User,
    line: ProductLine,
    period: PlanningPeriod,
    amount: Any,
    currency: str = "EUR",
    version: int | None = None,
) -> BudgetEnvelope:
    """Set a product line's money for one period (leaders only: budgets are a portfolio decision).

    `version` as for `capacity_set`: the envelope's version the editor saw (0: none yet).
    """
    access.require_leading(actor, "budgets")
    value = _decimal(amount, "Budget", BudgetEnvelope, "amount")
    envelope = BudgetEnvelope.objects.filter(line=line, period=period).first()
    concurrency.require_version(envelope, version, what=f"The budget of {line.name} in {period.name}")
    before = audit.snapshot(envelope) if envelope else None
    if envelope is None:
        envelope = BudgetEnvelope(line=line, period=period)
    envelope.amount, envelope.currency = value, (currency or "EUR").upper()[:3]
    return record_save(actor=actor, instance=envelope, before=before)


# ---------------------------------------------------------------------------------------------------
# Scenarios

SCENARIO_FIELDS = (
    "name",
    "description",
    "line",
    "first_period",
    "last_period",
    "value_source",
    "budget_factor",
    "capacity_factor",
    "discount",
    "stages",
    "time_limit",
)


def _check_scenario(scenario: Scenario) -> None:
    if scenario.first_period_id and scenario.last_period_id:
        if scenario.last_period.start < scenario.first_period.start:
            raise ValidationFailed("The last period must not come before the first one.")
        if scenario.first_period.kind != scenario.last_period.kind:
            raise ValidationFailed("Plan in quarters or in months, not both: pick periods of one kind.")
    bad = [s for s in scenario.stages if s not in Stage.values]
    if bad:
        raise ValidationFailed(f"Unknown stage(s): {', '.join(bad)}.")
    if not scenario.stages:
        scenario.stages = list(DEFAULT_STAGES)


@transaction.atomic
def scenario_create(*, actor: User, base: Scenario | None = None, **data: Any) -> Scenario:
    """A new scenario, copied from `base` (fields and assumptions) and then changed by `data`."""
    unknown = set(data) - set(SCENARIO_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown scenario field(s): {', '.join(sorted(unknown))}.")
    scenario = Scenario(stages=list(DEFAULT_STAGES), created_by=actor)
    if base is not None:
        require_drafts(actor)
        for name in SCENARIO_FIELDS:
            setattr(scenario, name, getattr(base, name))
        scenario.base = base
    for name, value in data.items():
        setattr(scenario, name, value)
    require_plan(actor, scenario)
    _check_scenario(scenario)
    record_save(actor=actor, instance=scenario, before=None)
    if base is not None:
        copies = []
        for a in base.assumptions.all():
            a.pk, a.scenario = None, scenario
            copies.append(a)
        Assumption.objects.bulk_create(copies)
    return scenario


@transaction.atomic
def scenario_update(*, actor: User, scenario: Scenario, **data: Any) -> Scenario:
    require_plan(actor, scenario)
    unknown = set(data) - set(SCENARIO_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown scenario field(s): {', '.join(sorted(unknown))}.")
    before = audit.snapshot(scenario)
    for name, value in data.items():
        setattr(scenario, name, value)
    require_plan(actor, scenario)
    _check_scenario(scenario)
    return record_save(actor=actor, instance=scenario, before=before)


@transaction.atomic
def scenario_make_primary(*, actor: User, scenario: Scenario) -> Scenario:
    """Mark the plan of record: its latest plan is "the current plan" everyone compares against."""
    access.require_leading(actor, "the plan of record")
    Scenario.objects.filter(is_primary=True).exclude(pk=scenario.pk).update(is_primary=False)
    before = audit.snapshot(scenario)
    scenario.is_primary = True
    return record_save(actor=actor, instance=scenario, before=before)


@transaction.atomic
def scenario_delete(*, actor: User, scenario: Scenario) -> None:
    require_plan(actor, scenario)
    record_delete(actor=actor, instance=scenario, blocked_by="plans refer to it")


def _share(raw: Any) -> Decimal:
    value = numbers.decimal_in(raw, what="Share", max_digits=12, decimal_places=4, minimum=0)
    if value > 1:
        value = value / 100  # "20" means 20%
    if value > 1:
        raise ValidationFailed("A share is between 0% and 100%.")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def assumption_add(
    *,
    actor: User,
    scenario: Scenario,
    kind: str,
    initiative: Initiative | None = None,
    period: PlanningPeriod | None = None,
    team: Team | None = None,
    skill: Skill | None = None,
    objective: Objective | None = None,
    tag: Tag | None = None,
    share: Any = None,
    people: Any = None,
    note: str = "",
) -> Assumption:
    """Add one rule to a scenario, refusing a rule that is missing what its kind needs."""
    require_plan(actor, scenario)
    if kind not in AssumptionKind.values:
        raise ValidationFailed(f"Unknown assumption {kind!r}.")
    a = Assumption(scenario=scenario, kind=kind, note=note.strip()[:200])
    if kind in (AssumptionKind.MANDATORY, AssumptionKind.EXCLUDE, AssumptionKind.PIN):
        if initiative is None:
            raise ValidationFailed("Choose the initiative this rule is about.")
        a.initiative = initiative
        if kind == AssumptionKind.PIN:
            if period is None:
                raise ValidationFailed("Choose the period to pin the initiative to.")
            a.period, a.team = period, team
    elif kind in (AssumptionKind.MIN_SHARE, AssumptionKind.MAX_SHARE):
        if (objective is None) == (tag is None):
            raise ValidationFailed("Choose an objective or a tag (e.g. tech-debt for maintenance), not both.")
        if share in (None, ""):
            raise ValidationFailed("Give the share, e.g. 20 for 20%.")
        a.objective, a.tag, a.share = objective, tag, _share(share)
    else:
        if team is None or skill is None or people in (None, ""):
            raise ValidationFailed("Choose the team, the skill and how many people join (or leave).")
        a.team, a.skill, a.period = team, skill, period
        a.people = _decimal(people, "People", Assumption, "people", minimum=None)
    return record_save(actor=actor, instance=a, before=None)


@transaction.atomic
def assumption_remove(*, actor: User, assumption: Assumption) -> None:
    require_plan(actor, assumption.scenario)
    record_delete(actor=actor, instance=assumption, blocked_by="it is in use")


# ---------------------------------------------------------------------------------------------------
# Share links


@transaction.atomic
def share_link_create(*, actor: User, label: str, roadmap: Roadmap | None = None) -> ShareLink:
    """A read-only link to the published roadmap (a fixed one, or always the latest)."""
    access.require_leading(actor, "share links")
    label = label.strip()
    if not label:
        raise ValidationFailed("Name the link after who gets it (e.g. 'Board, Q3 review').")
    link = ShareLink(token=secrets.token_urlsafe(32), label=label[:120], roadmap=roadmap, created_by=actor)
    return record_save(actor=actor, instance=link, before=None)


@transaction.atomic
def share_link_revoke(*, actor: User, link: ShareLink) -> ShareLink:
    access.require_leading(actor, "share links")
    if link.revoked_at is None:
        before = audit.snapshot(link)
        link.revoked_at = timezone.now()
        record_save(actor=actor, instance=link, before=before)
    return link


def shared_roadmap(token: str) -> tuple[ShareLink, Roadmap]:
    """The roadmap a live token opens; a revoked or unknown token, or nothing published, is NotFound."""
    link = ShareLink.objects.filter(token=token, revoked_at__isnull=True).first() if token else None
    if link is None:
        raise NotFound("This link does not exist or was revoked.")
    roadmap = link.roadmap or Roadmap.objects.order_by("-published_on", "-id").first()
    if roadmap is None:
        raise NotFound("Nothing has been published yet.")
    return link, roadmap


def get_scenario(scenario_id: int) -> Scenario:
    return get_or_404(
        Scenario,
        scenario_id,
        queryset=Scenario.all_objects.select_related("first_period", "last_period", "line"),
    )
