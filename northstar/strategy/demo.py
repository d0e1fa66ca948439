"""Demo data of the strategy area, loaded after the org and the portfolio (see northstar.demo).

LumenPay gets a vision (two versions, so there is a diff to read), objectives and key results for the
last and the current quarter (company → line → team, with check-ins), 25 KPIs with two years of weekly
values ending this week (growth, yearly seasonality, noise, and a few real shocks the detectors find),
the north-star tree over them, and its active initiatives aligned to the objectives, some on purpose not.

Values come from the seed alone; dates are anchored on the current quarter so the demo always looks
current. Each part is loaded only when it is missing, so a second run adds nothing.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from northstar.org.models import Person, ProductLine, Team
from northstar.portfolio.models import Initiative
from northstar.strategy.demo_content import (
    COMMENTS,
    COMPANY_OKRS,
    COUNT_UNITS,
    KPIS,
    LINE_OKRS,
    TEAM_OKRS,
    VISION_V1,
    VISION_V2,
    KpiSpec,
)
from northstar.strategy.metrics import refresh_bound_key_results
from northstar.strategy.models import (
    Alignment,
    CheckIn,
    KeyResult,
    Metric,
    MetricValue,
    Objective,
    PlanningPeriod,
    VisionVersion,
)
from northstar.strategy.selectors import ACTIVE_STAGES

WEEKS = 104


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    nxt = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, nxt - timedelta(days=1)


def _periods(today: date) -> list[PlanningPeriod]:
    year, q = _quarter(today)
    previous = (year - 1, 4) if q == 1 else (year, q - 1)
    periods = []
    for y, n in (previous, (year, q)):
        start, end = _quarter_bounds(y, n)
        period, _ = PlanningPeriod.objects.get_or_create(
            name=f"{y}-Q{n}", defaults={"kind": PlanningPeriod.Kind.QUARTER, "start": start, "end": end}
        )
        periods.append(period)
    return periods


def _series(spec: KpiSpec, seed: int) -> list[float]:
    rng = random.Random(f"{seed}:kpi:{spec.key}")
    phase = rng.uniform(0, 2 * math.pi)
    values = []
    for week in range(WEEKS):
        level = spec.level * (1 + spec.growth * week / (WEEKS - 1))
        wave = math.sin(2 * math.pi * week / 52 + phase) + 0.4 * math.cos(4 * math.pi * week / 52 + phase)
        value = level * (1 + spec.season * wave + rng.gauss(0, spec.noise))
        if spec.shock is not None:
            kind, at, size = spec.shock
            if (kind == "spike" and week == at) or (kind == "shift" and week >= at):
                value *= 1 + size
        values.append(value)
    return values


def _load_kpis(seed: int, last_monday: date) -> int:
    if Metric.objects.filter(key=KPIS[0].key).exists():
        return 0
    lines = {line.name: line for line in ProductLine.objects.all()}
    start = last_monday - timedelta(weeks=WEEKS - 1)
    created: dict[str, Metric] = {}
    values: list[MetricValue] = []
    for spec in KPIS:
        series = _series(spec, seed)
        latest_level = sum(series[-8:]) / 8
        digits = 3 if spec.level < 10 else (2 if spec.level < 1000 else 0)
        whole = spec.unit in COUNT_UNITS
        metric = Metric.objects.create(
            key=spec.key,
            name=spec.name,
            unit=spec.unit,
            direction=spec.direction,
            aggregation=spec.aggregation,
            description=spec.description,
            line=lines.get(spec.line or ""),
            target=round(latest_level * spec.target, 0 if whole else digits) if spec.target else None,
            is_north_star=spec.key == KPIS[0].key,
        )
        created[spec.key] = metric
        values += [
            MetricValue(
                metric=metric,
                date=start + timedelta(weeks=i),
                value=float(round(v)) if whole else round(v, digits + 1),
            )
            for i, v in enumerate(series)
        ]
    for spec in KPIS:
        if spec.drives:
            created[spec.key].drives = created[spec.drives]
            created[spec.key].save(update_fields=["drives"])
    MetricValue.objects.bulk_create(values, batch_size=2000)
    return len(created)


# (title, KRs: (title, unit, direction, baseline, target)); a None baseline is a milestone, a KPI key binds
def _owner(people: dict[str, Person], name: str, fallback: Person) -> Person:
    return people.get(name) or fallback


def _load_okrs(seed: int, periods: list[PlanningPeriod], today: date) -> int:
    """Objectives with key results and check-ins; the earlier quarter ends mostly done."""
    if Objective.objects.filter(period__in=periods).exists():
        return 0
    people = {
        p.name: p
        for p in Person.objects.filter(name__in=["Ada Okafor", "Elif Moreau", "Kofi Mensah", "Hana Tanaka"])
    }
    fallback = Person.objects.order_by("id").first()
    if fallback is None:
        return 0
    directors = {line.name: line.director for line in ProductLine.objects.select_related("director")}
    lines = {line.name: line for line in ProductLine.objects.all()}
    teams = {t.name: t for t in Team.objects.select_related("line").prefetch_related("members")}
    metrics = {m.key: m for m in Metric.objects.all()}
    latest = _latest_values(metrics.values())
    count = 0
    check_ins: list[tuple[CheckIn, date]] = []
    for index, period in enumerate(periods):
        current = index == len(periods) - 1
        rng = random.Random(f"{seed}:okr:{period.name}")
        # How far through the quarter we are: the earlier one is over.
        elapsed = (
            1.0
            if not current
            else max(0.15, min(1.0, (today - period.start).days / (period.end - period.start).days))
        )
        company = []
        for title, krs in COMPANY_OKRS:
            objective = Objective.objects.create(
                period=period, title=title, owner=_owner(people, "Ada Okafor", fallback),
                description="Set by the product leadership team for the quarter.",
            )  # fmt: skip
            company.append(objective)
            count += 1
            check_ins += _key_results(objective, krs, rng, elapsed, current, metrics, latest, period)
        for line_name, objectives in LINE_OKRS.items():
            if line_name not in lines:
                continue
            for position, (title, parent_index, krs) in enumerate(objectives):
                objective = Objective.objects.create(
                    period=period, title=title, line=lines[line_name], parent=company[parent_index],
                    owner=directors.get(line_name) or fallback,
                )  # fmt: skip
                count += 1
                check_ins += _key_results(objective, krs, rng, elapsed, current, metrics, latest, period)
                for team_name, (team_title, team_krs) in TEAM_OKRS.items():
                    team = teams.get(team_name)
                    if team is None or team.line_id != objective.line_id or position != 0:
                        continue
                    members = sorted(team.members.all(), key=lambda p: p.pk)
                    team_objective = Objective.objects.create(
                        period=period, title=team_title, team=team, parent=objective,
                        owner=members[0] if members else objective.owner,
                    )  # fmt: skip
                    count += 1
                    check_ins += _key_results(
                        team_objective, team_krs, rng, elapsed, current, metrics, latest, period
                    )
    CheckIn.objects.bulk_create([c for c, _ in check_ins], batch_size=1000)
    # created_at is set on insert; date the check-ins across the quarter afterwards.
    saved = list(CheckIn.objects.filter(key_result__objective__period__in=periods).order_by("id"))
    for row, (_, when) in zip(saved, check_ins, strict=True):
        row.created_at = datetime(when.year, when.month, when.day, 9, 30, tzinfo=UTC)
    CheckIn.objects.bulk_update(saved, ["created_at"], batch_size=1000)
    refresh_bound_key_results(metrics[k].pk for k in metrics)
    return count


def _latest_values(metrics) -> dict[str, float]:
    from northstar.strategy.metrics import metric_latest

    by_id = {m.pk: m.key for m in metrics}
    return {by_id[pk]: value for pk, (_, value) in metric_latest(by_id).items()}


def _key_results(
    objective, krs, rng, elapsed, current, metrics, latest, period
) -> list[tuple[CheckIn, date]]:
    """Key results of one objective, and their check-ins (every two weeks until today)."""
    out: list[tuple[CheckIn, date]] = []
    for title, unit, direction, baseline, target in krs:
        metric = None
        if isinstance(baseline, str):  # bound to a KPI: baseline from its level, target as a relative lift
            metric = metrics.get(baseline) if current else None
            level = latest.get(baseline, 1000.0)
            baseline, target = round(level * 0.97), round(level * 0.97 * (1 + target))
        milestone = baseline is None
        pace = rng.uniform(0.55, 1.15)  # some key results run ahead, some behind
        achieved = min(1.1, pace * elapsed)
        if milestone:
            current_value = 1.0 if (not current and rng.random() < 0.7) else 0.0
        else:
            current_value = round(baseline + (target - baseline) * achieved, 0 if unit in COUNT_UNITS else 2)
        kr = KeyResult.objects.create(
            objective=objective,
            title=title,
            kind=KeyResult.Kind.MILESTONE if milestone else KeyResult.Kind.METRIC,
            unit=unit,
            direction=direction,
            baseline=baseline,
            target=target,
            current=current_value,
            confidence=max(1, min(10, round(4 + 5 * pace * rng.uniform(0.8, 1.1)))),
            metric=metric,
        )
        steps = max(1, int(elapsed * 6))
        for step in range(1, steps + 1):
            share = step / steps
            when = period.start + timedelta(days=14 * step)
            digits = 0 if unit in COUNT_UNITS else 2
            value = (
                current_value if milestone else round(baseline + (current_value - baseline) * share, digits)
            )
            if milestone and step < steps:
                value = 0.0
            confidence = max(1, min(10, round(kr.confidence + rng.uniform(-1.5, 1.5) * (1 - share))))
            if step == steps:
                confidence = kr.confidence
            out.append(
                (
                    CheckIn(
                        key_result=kr,
                        value=value,
                        confidence=confidence,
                        comment=rng.choice(COMMENTS) if step == steps or rng.random() < 0.4 else "",
                    ),
                    when,
                )
            )
    return out


def _load_alignment(seed: int, periods: list[PlanningPeriod]) -> int:
    """Align active initiatives to their line's objectives; about one in five stays unaligned on purpose,
    and the second Platform objective gets nothing, so the gaps views have something to show."""
    objectives = list(
        Objective.objects.filter(period__in=periods).select_related("team").prefetch_related("key_results")
    )
    by_line: dict[tuple[int, int], list[Objective]] = {}
    for o in objectives:
        line_id = o.line_id or (o.team.line_id if o.team_id else None)
        if line_id is None or o.title == "Sign-in that enterprise IT signs off":
            continue
        by_line.setdefault((o.period_id, line_id), []).append(o)
    work = Initiative.objects.filter(stage__in=ACTIVE_STAGES, product__isnull=False).select_related("product")
    already = set(Alignment.objects.values_list("initiative_id", "objective__period_id"))
    links = []
    for item in work.order_by("id"):
        for period in periods:
            if (item.pk, period.pk) in already:
                continue
            rng = random.Random(f"{seed}:align:{period.name}:{item.title}:{item.product.name}")
            choices = by_line.get((period.pk, item.product.line_id), [])
            if not choices or rng.random() < 0.22:
                continue  # unaligned on purpose
            picks = rng.sample(choices, 2 if rng.random() < 0.2 and len(choices) > 1 else 1)
            for n, objective in enumerate(picks):
                krs = list(objective.key_results.all())
                kr = krs[rng.randrange(len(krs))] if krs and rng.random() < 0.4 else None
                links.append(
                    Alignment(
                        initiative=item,
                        objective=objective,
                        key_result=kr,
                        weight=Decimal(2 if n == 0 else 1),
                    )
                )
    Alignment.objects.bulk_create(links, batch_size=1000)
    return len(links)


def _load_vision() -> int:
    if VisionVersion.objects.exists():
        return 0
    VisionVersion.objects.create(
        number=1, title="LumenPay product vision", body=VISION_V1, note="First draft."
    )
    VisionVersion.objects.create(
        number=2,
        title="LumenPay product vision",
        body=VISION_V2,
        note="Retention becomes a pillar; added what we will not do.",
    )
    return 2


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    today = timezone.localdate()
    last_monday = today - timedelta(days=today.weekday())
    added = {"vision versions": _load_vision()}
    periods = _periods(today)
    added["KPIs"] = _load_kpis(seed, last_monday)
    added["objectives"] = _load_okrs(seed, periods, today)
    added["alignments"] = _load_alignment(seed, periods)
    return added
