"""Reads of the analytics area: a site's events as engine columns, funnels, retention and friction."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from northstar.analytics import storage
from northstar.analytics.models import Event, FrictionEvidence, Funnel, Site
from northstar.core.errors import ValidationFailed
from northstar.engines import friction as engine
from northstar.feedback.models import Customer

#: At most this many events are scanned for one report (newest kept); beyond it, the page says so.
SCAN_LIMIT = 2_000_000


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


@dataclass
class Columns:
    """A site's events over a period as engine columns, with the code books to read them back."""

    events: engine.Events
    people: list[str]  # user code -> person (identified user or visitor)
    pages: list[str]  # page code -> path
    targets: list[str]  # target code -> selector (clicks) or message (errors)
    names: np.ndarray  # custom event name per event ("" otherwise)
    accounts: list[str]  # user code -> account ("" when unknown)
    vitals: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # VITALS code, or -1
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # a vital's measurement
    truncated: bool = False
    origin: float = 0.0
    prop: np.ndarray | None = None  # the named property's text per event (None where absent)

    def __len__(self) -> int:
        return len(self.events)


VITAL_CODES = {name: code for code, name in enumerate(engine.VITALS)}


def _vital_codes(kinds: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Each event's index into engine.VITALS, -1 for events that are not a known vital."""
    codes = np.full(kinds.size, -1, np.int64)
    for i in np.flatnonzero(kinds == engine.VITAL).tolist():
        codes[i] = VITAL_CODES.get(names[i], -1)
    return codes


def _encode(values: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Dense codes in order of first appearance, and the code book (a dict is faster than sorting)."""
    book: dict[str, int] = {}
    codes = np.fromiter((book.setdefault(v, len(book)) for v in values), dtype=np.int32, count=len(values))
    return codes, list(book)


#: The snippet's form events: the first focus in a form on a page view, and the form's submit.
FORM_START, FORM_SUBMIT = "$form_start", "$form_submit"
FORM_EVENTS = (FORM_START, FORM_SUBMIT)


def columns(site: Site, *, since: datetime, until: datetime, prop: str | None = None) -> Columns:
    """Load a period of a site's events (up to SCAN_LIMIT, the newest) into engine columns, with one
    property's text per event when `prop` is named (`Columns.prop`)."""
    rows = storage.scan(site_id=site.pk, since=since, until=until, limit=SCAN_LIMIT, prop=prop)
    truncated = len(rows) >= SCAN_LIMIT
    prop_values: tuple = ()
    if prop and rows:
        *rows_cols, prop_values = zip(*rows, strict=True)
        rows = list(zip(*rows_cols, strict=True))
    if not rows:
        return Columns(
            events=engine.Events.of(user=[], ts=[], kind=[]),
            people=[],
            pages=[],
            targets=[],
            names=np.zeros(0, dtype=object),
            accounts=[],
        )
    ts, kind, person, account, path, name, selector, x, y, dead, value = zip(*rows, strict=True)
    user_codes, people = _encode(person)
    page_codes, pages = _encode(path)
    kinds = np.asarray(kind, dtype=np.int8)
    target_text = tuple(
        s
        if k == engine.CLICK or (k == engine.CUSTOM and n in FORM_EVENTS)  # the clicked element or form
        else (n if k == engine.ERROR else "")
        for k, s, n in zip(kind, selector, name, strict=True)
    )
    target_codes, targets = _encode(target_text)
    if "" in targets:
        target_codes[target_codes == targets.index("")] = -1
    account_of = [""] * len(people)
    for code, acct in zip(user_codes.tolist(), account, strict=True):
        if acct:
            account_of[code] = acct
    events = engine.Events.of(
        user=user_codes,
        ts=np.asarray(ts, dtype=np.float64),
        kind=kinds,
        page=page_codes,
        target=target_codes,
        x=np.asarray([v or 0 for v in x], np.float32),
        y=np.asarray([v or 0 for v in y], np.float32),
        dead=np.asarray(dead, bool),
    )
    return Columns(
        events=events,
        people=people,
        pages=pages,
        targets=targets,
        names=np.asarray(name, dtype=object),
        accounts=account_of,
        vitals=_vital_codes(kinds, name),
        values=np.asarray([v if v is not None else np.nan for v in value], np.float64),
        truncated=truncated,
        origin=since.timestamp(),
        prop=np.asarray(prop_values, dtype=object) if prop else None,
    )


# Funnels -------------------------------------------------------------------------------------------


def _pattern(match: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(match))


def step_masks(cols: Columns, steps: list[dict[str, str]]) -> list[np.ndarray]:
    """A boolean mask per step: page views of matching paths, or custom events of that name."""
    kinds = cols.events.kind
    masks = []
    for step in steps:
        if step["kind"] == "page":
            rx = _pattern(step["match"])
            pages = np.asarray([bool(rx.match(p)) for p in cols.pages] or [False])
            masks.append(
                (kinds == engine.PAGEVIEW) & pages[cols.events.page] if len(cols) else np.zeros(0, bool)
            )
        else:
            masks.append((kinds == engine.CUSTOM) & (cols.names == step["match"]))
    return masks


@dataclass
class FunnelStep:
    number: int
    label: str
    reached: int
    conversion: float
    step_conversion: float
    dropped: int
    evidence: list[FrictionEvidence] = field(default_factory=list)


@dataclass
class FunnelReport:
    funnel: Funnel
    days: int
    steps: list[FunnelStep]
    steepest: int | None
    truncated: bool
    breakdown: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    by: str = "identified"

    @property
    def by_label(self) -> str:
        return BREAKDOWNS.get(self.by) or f"property {self.by.removeprefix('prop:')}"

    @property
    def overall(self) -> float:
        return self.steps[-1].conversion if self.steps else 0.0


def step_label(step: dict[str, str]) -> str:
    return step["match"] if step["kind"] == "page" else f"event {step['match']}"


#: How a funnel's people can be split: built-in breakdowns, or `prop:NAME` for a property the
#: snippet's custom events carry (`northstar.track(name, {plan: "pro"})`).
BREAKDOWNS = {"identified": "Identified or anonymous", "account": "Account"}
PROPERTY_NAME = re.compile(r"[A-Za-z0-9_.$-]{1,60}")
#: Segments shown by size; the rest are added up in one "Other" row.
MAX_SEGMENTS = 10


def parse_breakdown(by: str) -> str | None:
    """The property a breakdown names (`prop:plan` -> "plan"), None for a built-in one; refuses others."""
    by = (by or "identified").strip()
    if by in BREAKDOWNS:
        return None
    name = by.removeprefix("prop:")
    if not by.startswith("prop:") or not PROPERTY_NAME.fullmatch(name):
        raise ValidationFailed(
            "Break down by “identified”, “account” or prop:NAME "
            "(a property name of letters, digits, _ . - $, up to 60)."
        )
    return name


def _person_values(cols: Columns, by: str) -> list[str]:
    """Each person's value of the breakdown: their account, whether they are identified, or the first
    value of the property they carried in the period (a person's property, not one event's)."""
    if by == "identified":
        return ["Identified accounts" if a else "Anonymous visitors" for a in cols.accounts]
    if by == "account":
        return [a or "(no account)" for a in cols.accounts]
    first: dict[int, str] = {}
    assert cols.prop is not None
    users = cols.events.user
    for i in np.flatnonzero(cols.prop != None).tolist():  # noqa: E711 - elementwise over objects
        first.setdefault(int(users[i]), str(cols.prop[i]))
    return [first.get(u, "(not set)") for u in range(len(cols.people))]


def funnel_report(
    funnel: Funnel, *, days: int = 30, now: datetime | None = None, by: str = "identified"
) -> FunnelReport:
    """Conversion per step over the last `days` days, broken down by a person's `by` (see
    `parse_breakdown`): each segment's people per step, the largest segments first."""
    prop = parse_breakdown(by)
    now = now or timezone.now()
    cols = columns(funnel.site, since=now - timedelta(days=days), until=now, prop=prop)
    masks = step_masks(cols, funnel.steps)
    segment = None
    book: list[str] = []
    if len(cols):
        codes, book = _encode(tuple(_person_values(cols, by.strip() or "identified")))
        segment = codes[cols.events.user]
    result = engine.funnel(
        cols.events.user, cols.events.ts, masks, window=funnel.window_hours * 3600.0, segment=segment
    )
    evidence: dict[int, list[FrictionEvidence]] = {}
    for link in FrictionEvidence.objects.filter(funnel=funnel).select_related("initiative"):
        evidence.setdefault(link.step or 0, []).append(link)
    steps = [
        FunnelStep(
            number=i + 1,
            label=step_label(step),
            reached=result.reached[i],
            conversion=result.conversion[i],
            step_conversion=result.step_conversion[i],
            dropped=result.dropped[i],
            evidence=evidence.get(i + 1, []),
        )
        for i, step in enumerate(funnel.steps)
    ]
    segments = sorted(result.breakdown.items(), key=lambda kv: (-kv[1][0], book[kv[0]]))
    breakdown = [(book[code], counts) for code, counts in segments[:MAX_SEGMENTS]]
    rest = [counts for _, counts in segments[MAX_SEGMENTS:]]
    if rest:
        breakdown.append(
            (f"Other ({len(rest)} values)", tuple(int(sum(c[k] for c in rest)) for k in range(len(steps))))
        )
    steepest = result.steepest_drop()
    return FunnelReport(
        funnel=funnel,
        days=days,
        steps=steps,
        steepest=steepest + 1 if steepest is not None else None,
        truncated=cols.truncated,
        breakdown=breakdown,
        by=by.strip() or "identified",
    )


# Retention -----------------------------------------------------------------------------------------


@dataclass
class RetentionReport:
    weeks: int
    start: datetime
    cohorts: list[tuple[datetime, engine.Cohort]]


def retention_report(site: Site, *, weeks: int = 8, now: datetime | None = None) -> RetentionReport:
    """Weekly cohorts of people by the week they were first seen, over the last `weeks` weeks."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    cols = columns(site, since=start, until=now)
    cohorts = engine.retention(cols.events.user, cols.events.ts, origin=start.timestamp(), weeks=weeks)
    return RetentionReport(
        weeks=weeks, start=start, cohorts=[(start + timedelta(weeks=c.week), c) for c in cohorts]
    )


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
