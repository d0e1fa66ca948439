"""Reads of the analytics area: sites, event counts, friction, KPIs from events and sessions.

A site's events as engine columns are read in `event_columns`; funnels and retention live in `funnels`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from northstar.analytics.event_columns import (
    FORM_EVENTS,
    FORM_START,
    FORM_SUBMIT,
    VITAL_CODES,
    Columns,
    columns,
)
from northstar.analytics.funnels import step_masks
from northstar.analytics.models import Event, FrictionEvidence, Funnel, Site
from northstar.engines import friction as engine
from northstar.feedback.models import Customer


def site_list() -> QuerySet[Site]:
    return Site.objects.select_related("product", "product__line").order_by("name")


def funnel_list(site: Site) -> QuerySet[Funnel]:
    return Funnel.objects.filter(site=site).order_by("name")


KIND_KEYS = {
    engine.PAGEVIEW: "pageview",
    engine.CLICK: "click",
    engine.ERROR: "error",
    engine.CUSTOM: "custom",
    engine.VITAL: "vital",
}


def event_counts_by_site(site_ids: list[int], *, days: int = 30) -> dict[int, dict[str, int]]:
    """Events of the last `days` days by site and kind, in one query (the sites list)."""
    since = timezone.now() - timedelta(days=days)
    counts = {pk: dict.fromkeys(KIND_KEYS.values(), 0) for pk in site_ids}
    rows = (
        Event.objects.filter(site_id__in=site_ids, at__gte=since)
        .values("site_id", "kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["site_id"]][KIND_KEYS[row["kind"]]] = row["n"]
    return counts


def event_counts(site: Site, *, days: int = 30) -> dict[str, int]:
    """Events of the last `days` days by kind: {"pageview": n, "click": n, ...} (every kind present)."""
    since = timezone.now() - timedelta(days=days)
    rows = Event.objects.filter(site_id=site.pk, at__gte=since).values("kind").annotate(n=Count("id"))
    counts = dict.fromkeys(KIND_KEYS.values(), 0)
    counts.update({KIND_KEYS[r["kind"]]: r["n"] for r in rows})
    return counts


# Friction ------------------------------------------------------------------------------------------


@dataclass
class FrictionRow:
    signal: str
    label: str
    path: str
    element: str
    users: int
    occurrences: int
    sessions: int
    revenue: float
    trend: float | None
    examples: list[str]
    evidence: list[FrictionEvidence] = field(default_factory=list)


def _revenue_of(accounts: set[str]) -> dict[str, float]:
    """Feedback customers' yearly revenue by name: `identify(user, account)` names the account."""
    return {
        name: float(revenue)
        for name, revenue in Customer.objects.filter(name__in=accounts).values_list("name", "annual_revenue")
    }


def friction_report(
    site: Site, *, days: int = 7, now: datetime | None = None, limit: int = 50
) -> list[FrictionRow]:
    """Friction issues of the last `days` days ranked by users affected (then revenue), with the trend
    against the `days` before."""
    from northstar.analytics.models import Signal

    now = now or timezone.now()
    cols = columns(site, since=now - timedelta(days=2 * days), until=now)
    custom = cols.events.kind == engine.CUSTOM
    sessions, found = engine.detect(
        cols.events,
        form_started=custom & (cols.names == FORM_START),
        form_submitted=custom & (cols.names == FORM_SUBMIT),
    )
    cut = (now - timedelta(days=days)).timestamp()
    current = [o for o in found if o.ts >= cut]
    previous = [o for o in found if o.ts < cut]
    account_names = {a for a in cols.accounts if a}
    revenue = _revenue_of(account_names)
    account_codes = {name: i for i, name in enumerate(sorted(account_names))}
    account_of = {u: account_codes[a] for u, a in enumerate(cols.accounts) if a}
    revenue_of = {account_codes[n]: r for n, r in revenue.items()}
    ranked = engine.rank_friction(current, previous=previous, account_of=account_of, revenue_of=revenue_of)
    links: dict[tuple[str, str, str], list[FrictionEvidence]] = {}
    for link in FrictionEvidence.objects.filter(site=site, funnel__isnull=True).select_related("initiative"):
        links.setdefault((link.signal, link.path, link.selector), []).append(link)
    labels = dict(Signal.choices)
    first_person: dict[int, int] = {}
    for s, u in zip(sessions.tolist(), cols.events.user.tolist(), strict=True):
        first_person.setdefault(s, u)
    rows = _slow_page_rows(cols, cut, links, revenue)
    for issue in ranked[:limit]:
        path = cols.pages[issue.page] if issue.page < len(cols.pages) else ""
        element = cols.targets[issue.target] if issue.target >= 0 else ""
        rows.append(
            FrictionRow(
                signal=issue.signal.value,
                label=labels[issue.signal.value],
                path=path,
                element=element,
                users=issue.users,
                occurrences=issue.occurrences,
                sessions=issue.sessions,
                revenue=issue.revenue,
                trend=issue.trend,
                examples=[cols.people[first_person[s]] for s in issue.examples],
                evidence=links.get((issue.signal.value, path, element), []),
            )
        )
    rows.sort(key=lambda r: (-r.users, -r.revenue, -r.occurrences))
    if days == 7:  # the page's default view: what the strategy dashboard shows
        _remember_top(site, rows, now)
    return rows[:limit]


def _slow_page_rows(cols: Columns, cut: float, links: dict, revenue: dict[str, float]) -> list[FrictionRow]:
    """Pages whose 75th-percentile vital is over the Web Vitals limit in the period, as friction rows
    (people affected: those with a poor measurement there), with the trend against the period before."""
    ev = cols.events
    now_part = ev.ts >= cut

    def found(part: np.ndarray) -> list[engine.SlowPage]:
        return engine.slow_pages(ev.page[part], ev.user[part], cols.vitals[part], cols.values[part])

    before = {(s.page, s.vital): s.users for s in found(~now_part)} if len(cols) else {}
    rows = []
    for slow in found(now_part) if len(cols) else []:
        path = cols.pages[slow.page]
        poor = np.flatnonzero(
            now_part
            & (ev.page == slow.page)
            & (cols.vitals == VITAL_CODES[slow.vital])
            & (cols.values > slow.limit)
        )
        people = sorted({cols.people[u] for u in ev.user[poor].tolist()})
        accounts = {cols.accounts[u] for u in ev.user[poor].tolist() if cols.accounts[u]}
        previous = before.get((slow.page, slow.vital), 0)
        unit = "" if slow.vital == "CLS" else " ms"
        rows.append(
            FrictionRow(
                signal="slow_page",
                label=f"Slow page ({slow.vital} p75 {slow.p75:,.{3 if unit == '' else 0}f}{unit}, "
                f"limit {slow.limit:g}{unit})",
                path=path,
                element=slow.vital,
                users=slow.users,
                occurrences=slow.samples,
                sessions=slow.samples,
                revenue=float(sum(revenue.get(a, 0.0) for a in accounts)),
                trend=(slow.users - previous) / previous if previous else None,
                examples=people[:3],
                evidence=links.get(("slow_page", path, slow.vital), []),
            )
        )
    return rows


def evidence_for_initiative(initiative_id: int) -> QuerySet[FrictionEvidence]:
    return FrictionEvidence.objects.filter(initiative_id=initiative_id).select_related("site", "funnel")


def friction_reach(initiative_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per initiative with friction linked: (people hurt, as recorded when linked; issues linked)."""
    rows = (
        FrictionEvidence.objects.filter(initiative_id__in=initiative_ids)
        .values("initiative_id")
        .annotate(people=Sum("users"), issues=Count("id"))
    )
    return {r["initiative_id"]: (int(r["people"] or 0), int(r["issues"])) for r in rows}


#: The latest measured top friction of each site, kept by the friction page for the strategy
#: dashboard (measuring friction scans a week of events: too slow to repeat on every dashboard view).
#: One cache entry for every site, so the dashboard reads it in one look-up.
TOP_FRICTION_KEY = "analytics:friction-top"
TOP_FRICTION_ROWS = 3
TOP_FRICTION_SITES = 20


def _remember_top(site: Site, rows: list[FrictionRow], now: datetime) -> None:
    top = [
        {"label": r.label, "path": r.path, "element": r.element, "users": r.users}
        for r in rows[:TOP_FRICTION_ROWS]
    ]
    known = dict(cache.get(TOP_FRICTION_KEY) or {})
    known[site.pk] = {"name": site.name, "at": now.isoformat(), "rows": top}
    newest = sorted(known.items(), key=lambda kv: kv[1]["at"], reverse=True)[:TOP_FRICTION_SITES]
    cache.set(TOP_FRICTION_KEY, dict(newest), 14 * 86400)


@dataclass
class MeasuredSite:
    pk: int
    name: str
    at: datetime
    rows: list[dict]


@dataclass
class FrictionSummary:
    """Friction across the portfolio: what is linked to initiatives, and each site's latest top issues."""

    linked: list[FrictionEvidence]
    linked_count: int
    initiatives: int
    people: int
    sites: list[MeasuredSite]


def friction_summary(*, limit: int = 5) -> FrictionSummary:
    """Two look-ups whatever the portfolio's size: the links (people make them, so they are few) and
    the sites' last measured top friction."""
    links = list(
        FrictionEvidence.objects.select_related("initiative", "site", "funnel").order_by(
            "-users", "-created_at"
        )
    )
    known = cache.get(TOP_FRICTION_KEY) or {}
    sites = [
        MeasuredSite(pk=int(pk), name=v["name"], at=datetime.fromisoformat(v["at"]), rows=list(v["rows"]))
        for pk, v in sorted(known.items(), key=lambda kv: kv[1]["name"])
    ]
    return FrictionSummary(
        linked=links[:limit],
        linked_count=len(links),
        initiatives=len({link.initiative_id for link in links}),
        people=sum(link.users for link in links),
        sites=sites[:limit],
    )


# KPIs from events ----------------------------------------------------------------------------------

#: What a KPI can be computed from: (label, unit, needs a funnel).
MEASURES = {
    "weekly_active_people": ("Weekly active people", "people", False),
    "weekly_active_accounts": ("Weekly active accounts", "accounts", False),
    "funnel_conversion": ("Weekly funnel conversion", "%", True),
}


def weekly_series(
    site: Site, *, measure: str, funnel: Funnel | None = None, weeks: int = 12, now: datetime | None = None
) -> list[tuple[date, float]]:
    """One value per complete week (Monday), oldest first: people or accounts active that week, or the
    share of people entering the funnel that week who reached its last step within its window."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today - timedelta(days=today.weekday())  # this week is not complete yet
    start = end - timedelta(weeks=weeks)
    cols = columns(site, since=start, until=now)
    ev = cols.events
    week = np.floor((ev.ts - start.timestamp()) / engine.WEEK).astype(np.int64)
    series = []
    for w in range(weeks):
        in_week = week == w
        if measure == "weekly_active_people":
            value = float(np.unique(ev.user[in_week]).size)
        elif measure == "weekly_active_accounts":
            accounts = np.asarray([bool(a) for a in cols.accounts] or [False])
            users = np.unique(ev.user[in_week])
            value = float(len({cols.accounts[u] for u in users.tolist() if accounts[u]}))
        else:
            assert funnel is not None
            masks = step_masks(cols, funnel.steps)
            masks[0] = masks[0] & in_week
            result = engine.funnel(ev.user, ev.ts, masks, window=funnel.window_hours * 3600.0)
            value = round(100.0 * result.conversion[-1], 2) if result.reached[0] else 0.0
        series.append(((start + timedelta(weeks=w)).date(), value))
    return series


# A person's sessions -------------------------------------------------------------------------------


@dataclass
class TimelineRow:
    event: Event
    session: int
    friction: list[str]


def person_timeline(site: Site, person: str, *, days: int = 7, limit: int = 2000) -> list[TimelineRow]:
    """One person's events of the last `days` days, oldest first, with their session number and the
    friction each one starts (rage, dead or error click, error), as the Friction page counts it."""
    since = timezone.now() - timedelta(days=days)
    events = list(
        Event.objects.filter(site_id=site.pk, at__gte=since)
        .filter(models.Q(user_ref=person) | models.Q(user_ref="", visitor=person))
        .order_by("at", "id")[:limit]
    )
    if not events:
        return []
    selectors_book: dict[str, int] = {}
    is_form = [e.kind == engine.CUSTOM and e.name in FORM_EVENTS for e in events]
    targets = [
        selectors_book.setdefault(
            e.selector if e.kind == engine.CLICK or form else e.name, len(selectors_book)
        )
        if e.kind in (engine.CLICK, engine.ERROR) or form
        else -1
        for e, form in zip(events, is_form, strict=True)
    ]
    columns = engine.Events.of(
        user=[0] * len(events),
        ts=[e.at.timestamp() for e in events],
        kind=[e.kind for e in events],
        target=targets,
        x=[e.x or 0 for e in events],
        y=[e.y or 0 for e in events],
        dead=[e.dead for e in events],
    )
    sessions, found = engine.detect(
        columns,
        form_started=np.asarray([f and e.name == FORM_START for e, f in zip(events, is_form, strict=True)]),
        form_submitted=np.asarray(
            [f and e.name == FORM_SUBMIT for e, f in zip(events, is_form, strict=True)]
        ),
    )
    labels = {
        engine.Signal.RAGE_CLICK: "rage clicks",
        engine.Signal.DEAD_CLICK: "dead click",
        engine.Signal.ERROR_CLICK: "error after click",
        engine.Signal.ERROR: "error",
        engine.Signal.FORM_ABANDON: "form abandoned",
    }
    marks: dict[int, list[str]] = {}
    for occurrence in found:
        marks.setdefault(occurrence.index, []).append(labels[occurrence.signal])
    return [
        TimelineRow(event=e, session=int(sessions[i]) + 1, friction=marks.get(i, []))
        for i, e in enumerate(events)
    ]
