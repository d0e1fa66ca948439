"""People cost derived from what the teams cost and where their time went.

A team costs its weekly cost rate (the cost of one person's week in the team, as capacity counts it)
for each of its members and every week of the month. Its time is split by the work it
finished that month in the delivery tools (points, or one per item), and where it finished nothing
there, by the current plan (effort of the initiatives the plan gives it in that period). Time on an
initiative is capitalisable development (capex) unless the initiative is tagged maintenance or
tech-debt; time on work linked to no initiative is run-the-business (opex).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.finance.models import Actual, ActualBatch, Category, SpendKind
from northstar.finance.money import RateTable, cents, company_currency
from northstar.org import access
from northstar.org.models import Team
from northstar.portfolio.models import Initiative

#: Tags that mark work as maintenance: its people cost is opex, never capitalised.
MAINTENANCE_TAGS = ("maintenance", "tech-debt", "tech debt", "bau")
DERIVED_PREFIX = "People cost "


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _plan_split(start: date, end: date) -> dict[int, dict[int | None, float]]:
    """Effort per team and initiative of the current plan's assignments running in the month."""
    from northstar.planning.models import PlanAssignment
    from northstar.planning.selectors import current_plan

    run = current_plan()
    if run is None:
        return {}
    split: dict[int, dict[int | None, float]] = defaultdict(lambda: defaultdict(float))
    rows = PlanAssignment.objects.filter(
        run=run, team__isnull=False, start__start__lt=end, end__end__gte=start
    ).values_list("team_id", "initiative_id", "effort")
    for team_id, initiative_id, effort in rows:
        split[team_id][initiative_id] += sum(float(v) for v in (effort or {}).values()) or 1.0
    return {team: dict(parts) for team, parts in split.items()}


def people_cost_derive(*, actor: User | None, month: date) -> ActualBatch:
    """Derive one month's people cost per team and initiative, replacing what an earlier derivation
    of the same month stored (imported actuals are never touched)."""
    from northstar.delivery.selectors import time_split

    if actor is not None:
        access.require_leading(actor, "actual spend")
    start, end = month_bounds(month)
    weeks = Decimal((end - start).days) / 7
    rates = RateTable()
    delivery = time_split(start, end)
    plan = _plan_split(start, end)
    teams = list(
        Team.objects.filter(cost_rate__gt=0)
        .annotate(size=Count("members"))
        .filter(size__gt=0)
        .only("id", "name", "line_id", "cost_rate", "currency")
    )
    initiative_ids = {i for parts in (*delivery.values(), *plan.values()) for i in parts if i is not None}
    maintenance = set(
        Initiative.objects.filter(pk__in=initiative_ids, tags__name__in=MAINTENANCE_TAGS).values_list(
            "id", flat=True
        )
    )
    initiative_line = dict(
        Initiative.objects.filter(pk__in=initiative_ids).values_list("id", "product__line_id")
    )
    rows: list[Actual] = []
    for team in teams:
        monthly = rates.convert(team.cost_rate * team.size * weeks, team.currency, start)
        if monthly is None:
            raise ValidationFailed(
                f"Team {team} is costed in {team.currency}, which has no exchange rate in {start:%Y-%m}."
            )
        parts = delivery.get(team.pk) or plan.get(team.pk) or {None: 1.0}
        total = sum(parts.values())
        shares = sorted(parts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        given = Decimal("0")
        for index, (initiative_id, weight) in enumerate(shares):
            amount = (
                monthly - given
                if index == len(shares) - 1
                else cents(monthly * Decimal(weight) / Decimal(total))
            )
            given += amount
            capex = initiative_id is not None and initiative_id not in maintenance
            rows.append(
                Actual(
                    month=start,
                    line_id=initiative_line.get(initiative_id, team.line_id)
                    if initiative_id
                    else team.line_id,
                    initiative_id=initiative_id,
                    team_id=team.pk,
                    category=Category.PEOPLE,
                    kind=SpendKind.CAPEX if capex else SpendKind.OPEX,
                    amount=amount,
                    currency=company_currency(),
                    amount_company=amount,
                    description=f"{team.name}: {'delivery data' if team.pk in delivery else 'the plan'}",
                )
            )
    name = f"{DERIVED_PREFIX}{start:%Y-%m}"
    with transaction.atomic():
        for old in ActualBatch.objects.filter(source=ActualBatch.Source.DERIVED, file_name=name):
            before = audit.snapshot(old)
            pk = old.pk
            old.delete()
            audit.audit_delete(actor=actor, instance=old, before=before, pk=pk)
        batch = ActualBatch.objects.create(
            source=ActualBatch.Source.DERIVED,
            file_name=name,
            rows=len(rows),
            total=sum((r.amount_company for r in rows), Decimal("0")),
            currency=company_currency(),
            first_month=start,
            last_month=start,
            actor=actor,
        )
        for row in rows:
            row.batch = batch
        Actual.objects.bulk_create(rows, batch_size=1000)
        audit.audit_create(actor=actor, instance=batch, after=audit.snapshot(batch))
    return batch
