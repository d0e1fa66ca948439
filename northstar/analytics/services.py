"""Every write of the analytics area: sites, event capture and import, funnels, friction evidence.

Capture is public (the site's write key), so it is checked hard and cheaply: origin, rate limit per
site, Do-Not-Track, consent, bots, then one `bulk_create`. Everything a person changes follows the
product-line rule through the site's product (`org.access.require_line_edit`).
"""

from __future__ import annotations

import io
import json
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from northstar.analytics.models import (
    EVENT_COLUMNS,
    Event,
    EventKind,
    FrictionEvidence,
    Funnel,
    ReceivedBatch,
    Signal,
    Site,
    SpooledBatch,
)
from northstar.core import audit, jobs, ratelimit
from northstar.core.csv_read import csv_open
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import Job, User
from northstar.core.services import record_delete, record_save
from northstar.org import access
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import require_initiative_edit
from northstar.strategy.models import Metric

#: At most this many batches per site per minute: a busy app sends one batch per visitor every few
#: seconds, far below; a runaway loop or a flood stops here.
BATCHES_PER_MINUTE = 3000
MAX_BATCH = 500
#: Events may be this old (a retried batch from a phone that was offline) or this far ahead (clock skew).
MAX_AGE = timedelta(days=7)
MAX_AHEAD = timedelta(hours=1)
BOTS = re.compile(r"bot|crawl|spider|slurp|headless|lighthouse|pingdom|uptime", re.IGNORECASE)
#: The event type a capture or an import names -> its stored kind (an EventKind).
KINDS: dict[str, int] = {
    "pageview": EventKind.PAGEVIEW,
    "click": EventKind.CLICK,
    "error": EventKind.ERROR,
    "custom": EventKind.CUSTOM,
    "vital": EventKind.VITAL,
}
#: A batch id is remembered this long: the snippet retries within its page's life (backing off to a
#: minute between tries), so a day covers any retry it makes while bounding what is kept.
DEDUPE_WINDOW = timedelta(hours=24)
VITALS = {"LCP", "INP", "CLS", "FCP", "TTFB"}
IMPORT_COLUMNS = ("at", "type", "visitor", "path")


def _line_of(site: Site) -> int:
    return site.product.line_id


# Sites ---------------------------------------------------------------------------------------------


def _clean_origins(text: str) -> str:
    origins = [o.strip().rstrip("/") for o in (text or "").splitlines() if o.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ValidationFailed(f"“{origin[:80]}” is not an origin like https://app.example.com.")
    return "\n".join(origins)


@transaction.atomic
def site_create(
    *,
    actor: User,
    product: Product,
    name: str,
    allowed_origins: str = "",
    retention_days: int = 90,
    consent_required: bool = False,
) -> Site:
    """Register a product's web app; its write key is made here and never changes."""
    access.require_line_edit(actor, product.line_id, "analytics sites")
    site = Site(
        product=product,
        name=name.strip(),
        key="ns_a_" + secrets.token_urlsafe(24),
        allowed_origins=_clean_origins(allowed_origins),
        retention_days=retention_days,
        consent_required=consent_required,
    )
    return record_save(actor=actor, instance=site, before=None)


@transaction.atomic
def site_update(*, actor: User, site: Site, **data: Any) -> Site:
    """Change a site's name, origins, retention, consent mode or whether it takes events."""
    access.require_line_edit(actor, _line_of(site), "analytics sites")
    before = audit.snapshot(site)
    for field in ("name", "allowed_origins", "retention_days", "consent_required", "active"):
        if field in data and data[field] is not None:
            value = data[field]
            if field == "allowed_origins":
                value = _clean_origins(value)
            elif field == "name":
                value = value.strip()
            setattr(site, field, value)
    return record_save(actor=actor, instance=site, before=before)


def site_active(key: str) -> Site | None:
    """The active site a write key names, if any."""
    return Site.objects.filter(key=key, active=True).first() if key else None


def site_for_key(key: str) -> Site:
    site = site_active(key)
    if site is None:
        raise NotFound("Unknown or inactive site key.")
    return site


def site_count_rejected(*, key: str) -> None:
    """Count a refused batch on its site's page (when the key names one)."""
    if key:
        Site.objects.filter(key=key).update(rejected_batches=F("rejected_batches") + 1)


# Capture -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Captured:
    """What a batch came to: events stored, and events dropped on purpose (bots, DNT, no consent)."""

    stored: int
    dropped: int
    reason: str = ""
    #: The batch id was accepted before: this is a retry, answered as accepted and not stored again.
    duplicate: bool = False


#: One event as stored, in `EVENT_COLUMNS` order.
Row = tuple[Any, ...]


def _event(site: Site, data: Mapping[str, Any], now: datetime, n: int) -> Row:
    """One validated event row; refuses values that cannot be right, naming the event."""
    at = data["at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at < now - MAX_AGE or at > now + MAX_AHEAD:
        raise ValidationFailed(f"Event {n}: its time must be within the last 7 days (and not in the future).")
    kind = KINDS[data["type"]]
    name = data.get("name") or ""
    value = data.get("value")
    if value is not None and not math.isfinite(value):
        raise ValidationFailed(f"Event {n}: value must be a finite number.")
    if kind == EventKind.CUSTOM and not name:
        raise ValidationFailed(f"Event {n}: a custom event needs a name.")
    if kind == EventKind.VITAL and (name not in VITALS or value is None):
        raise ValidationFailed(f"Event {n}: a vital needs a name ({', '.join(sorted(VITALS))}) and a value.")
    if kind == EventKind.CLICK and not data.get("selector"):
        raise ValidationFailed(f"Event {n}: a click needs the element's selector.")
    props = dict(data.get("props") or {})
    if data.get("stack"):
        props["stack"] = data["stack"]
    # A plain tuple in `EVENT_COLUMNS` order: building a model instance per event cost more than the insert.
    return (
        site.id,
        at,
        int(kind),
        data["visitor"],
        data.get("user") or "",
        data.get("account") or "",
        data["path"],
        name,
        data.get("selector") or "",
        data.get("x"),
        data.get("y"),
        bool(data.get("dead")) and kind == EventKind.CLICK,
        value,
        props,
    )


def events_capture(
    *,
    key: str,
    events: list[Mapping[str, Any]],
    origin: str = "",
    user_agent: str = "",
    do_not_track: bool = False,
    consent: bool = True,
    batch_id: str = "",
    site: Site | None = None,
) -> Captured:
    """Store one batch from the snippet (already shape-checked by the endpoint), all or nothing.

    A browser always names the page's origin: a site tied to origins refuses others (a missing
    Origin is a server-side sender). Bots, Do-Not-Track and missing consent are answered as accepted
    and dropped, so the snippet stops retrying them. A `batch_id` accepted before (within
    `DEDUPE_WINDOW`) marks a retry: answered as accepted, stored once. `site` is the key's active
    site when the caller has already looked it up.

    Every check runs before anything is written; then the rate-limit count, the batch id and the
    spooled batch are committed together: one write lock per batch on SQLite, where the drain
    workers write too.
    """
    if site is None:
        site = site_for_key(key)
    origin = origin.rstrip("/")
    if site.origins and origin and origin not in site.origins:
        raise PermissionDenied("This site key may only be used from the site's own origins.")
    if not events:
        raise ValidationFailed("Send at least one event.")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(f"Send at most {MAX_BATCH} events per batch.")
    reason = ""
    if do_not_track:
        reason = "Do-Not-Track"
    elif site.consent_required and not consent:
        reason = "no consent"
    elif user_agent and BOTS.search(user_agent):
        reason = "bot"
    payload = "" if reason else _spool_payload(site, events)
    with transaction.atomic():
        ratelimit.rate_limit(scope="analytics:site", who=str(site.pk), limit=BATCHES_PER_MINUTE, window=60)
        if reason:
            return Captured(stored=0, dropped=len(events), reason=reason)
        if batch_id and not _batch_remember(site.pk, batch_id):
            return Captured(stored=0, dropped=0, reason="already received", duplicate=True)
        SpooledBatch.objects.create(site_id=site.pk, rows=payload, events=len(events))
        drain_soon()
    return Captured(stored=len(events), dropped=0)


# The ingest buffer ---------------------------------------------------------------------------------

DRAIN_TASK = "northstar.analytics.tasks.events_drain"
#: Spooled batches moved per transaction: about 20,000 events at the snippet's batch size, big enough
#: for a bulk insert to pay, small enough that a killed worker redoes little.
DRAIN_CHUNK = 40


def _stored_at() -> Callable[[datetime], str]:
    """How a time is stored in the event table (SQLite compares the text, so it must match Django's)."""
    if connection.vendor == "sqlite":
        return lambda at: str(at.astimezone(UTC).replace(tzinfo=None))
    return lambda at: at.astimezone(UTC).isoformat()


def _spool_payload(site: Site, events: list[Mapping[str, Any]]) -> str:
    """A batch's events checked one by one (refusing the first wrong one by its number) and written
    as the spool keeps them: JSON rows in `EVENT_COLUMNS` order after the site, time as stored."""
    now = timezone.now()
    stored_at = _stored_at()
    rows = []
    for n, data in enumerate(events, start=1):
        row = _event(site, data, now, n)
        rows.append([stored_at(row[1]), *row[2:]])
    return json.dumps(rows, separators=(",", ":"))


def _batch_remember(site_id: int, batch_id: str) -> bool:
    """Record a batch id for the site; False when it was there already. One statement that the
    unique constraint arbitrates, so two copies of a batch racing in store it once."""
    ops = connection.ops
    table = ops.quote_name(ReceivedBatch._meta.db_table)
    sql = (
        f"INSERT INTO {table} (site_id, batch_id, received_at) VALUES (%s, %s, %s) "  # noqa: S608 - fixed names
        "ON CONFLICT (site_id, batch_id) DO NOTHING"
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [site_id, batch_id, now])
        return cursor.rowcount == 1


def batches_forget(*, now: datetime | None = None) -> int:
    """Forget batch ids older than `DEDUPE_WINDOW` (each drain does), so their memory stays small."""
    cutoff = (now or timezone.now()) - DEDUPE_WINDOW
    return ReceivedBatch.objects.filter(received_at__lt=cutoff).delete()[0]


def drain_soon() -> None:
    """Queue a drain unless one is already queued: a queued drain has not looked at the spool yet, so
    it will see this batch. (Two requests racing here may queue two; both drain, harmlessly.)"""
    if not Job.objects.filter(task=DRAIN_TASK, status=Job.Status.QUEUED).exists():
        jobs.job_enqueue(task=DRAIN_TASK, actor=None, title="Write captured analytics events")


def events_drain(*, chunk: int = DRAIN_CHUNK, progress: Callable[[int], None] | None = None) -> int:
    """Move spooled batches into the event table until the spool is empty; returns events written.

    Each chunk is one transaction that inserts the events and deletes their batches, so a worker
    stopped at any point leaves every batch either written and gone or untouched and still spooled.
    PostgreSQL workers take disjoint chunks (SKIP LOCKED); SQLite serialises them on its write lock.
    """
    batches_forget()
    written = 0
    while True:
        with transaction.atomic():
            pending = SpooledBatch.objects.order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            batches = list(pending.values_list("id", "site_id", "rows")[:chunk])
            if not batches:
                return written
            stored = [(site_id, *row) for _, site_id, text in batches for row in json.loads(text)]
            _insert_stored(stored)
            SpooledBatch.objects.filter(id__in=[b[0] for b in batches]).delete()
        written += len(stored)
        if progress is not None:
            progress(written)


def spool_pending() -> int:
    """Events accepted but not yet written (the site page and the drain's progress show it)."""
    return int(SpooledBatch.objects.aggregate(n=Sum("events"))["n"] or 0)


def _insert_stored(rows: list[tuple[Any, ...]]) -> None:
    """Insert rows whose time is already in stored form and whose props are JSON-ready dicts."""
    ops = connection.ops
    table = ops.quote_name(Event._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in EVENT_COLUMNS)
    marks = ["%s"] * len(EVENT_COLUMNS)
    if connection.vendor == "postgresql":
        marks[1], marks[-1] = "%s::timestamptz", "%s::jsonb"
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(marks)})"  # noqa: S608 - fixed names
    params = [(*r[:13], json.dumps(r[13])) for r in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def events_write(rows: list[Row]) -> None:
    """Insert validated events in one statement per chunk (the same on SQLite and PostgreSQL).

    Plain `executemany` rather than `bulk_create`: the rows are already checked, and skipping the
    ORM's per-field preparation makes capture several times faster at the same table and index.
    """
    if not rows:
        return
    ops = connection.ops
    props = Event._meta.get_field("props").get_db_prep_save  # a JSON adapter on PostgreSQL, text on SQLite
    table = connection.ops.quote_name(Event._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in EVENT_COLUMNS)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"  # noqa: S608 - fixed names
    params = [(*r[:1], ops.adapt_datetimefield_value(r[1]), *r[2:13], props(r[13], connection)) for r in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _import_row(row: Mapping[str, str], n: int) -> dict[str, Any]:
    def number(name: str, cast: type) -> Any:
        text = (row.get(name) or "").strip()
        if not text:
            return None
        try:
            return cast(text)
        except ValueError:
            raise ValidationFailed(f"Row {n}: {name} “{text[:40]}” is not a number.") from None

    kind = (row.get("type") or "").strip()
    if kind not in KINDS:
        raise ValidationFailed(f"Row {n}: type must be one of {', '.join(KINDS)}.")
    try:
        at = datetime.fromisoformat((row.get("at") or "").strip())
    except ValueError:
        raise ValidationFailed(
            f"Row {n}: at must be an ISO date and time, e.g. 2026-11-30T09:15:00Z."
        ) from None
    data: dict[str, Any] = {
        "at": at,
        "type": kind,
        "visitor": (row.get("visitor") or "").strip(),
        "path": (row.get("path") or "").strip(),
        "user": (row.get("user") or "").strip(),
        "account": (row.get("account") or "").strip(),
        "name": (row.get("name") or "").strip(),
        "selector": (row.get("selector") or "").strip(),
        "x": number("x", int),
        "y": number("y", int),
        "value": number("value", float),
        "dead": (row.get("dead") or "").strip().lower() in {"1", "true", "yes"},
    }
    limits = {"visitor": 64, "path": 300, "user": 120, "account": 120, "name": 120, "selector": 300}
    for name, limit in limits.items():
        if len(data[name]) > limit:
            raise ValidationFailed(f"Row {n}: {name} is longer than {limit} characters.")
    if not data["visitor"] or not data["path"].startswith("/"):
        raise ValidationFailed(f"Row {n}: every event needs a visitor and a path starting with /.")
    return data


IMPORT_MAX_AGE = timedelta(days=730)


@transaction.atomic
def events_import(*, actor: User | None, site: Site, text: str, chunk: int = 5000) -> int:
    """Import a CSV of past events (columns at, type, visitor, path and optionally user, account,
    name, selector, x, y, dead, value): all rows land or none do, and a refusal names the row.
    With no actor, the CLI imports as the system."""
    if actor is not None:
        access.require_line_edit(actor, _line_of(site), "analytics sites")
    reader = csv_open(io.StringIO(text))
    header = reader.read_header()
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            f"The file needs the columns {', '.join(IMPORT_COLUMNS)} (missing: {', '.join(missing)})."
        )
    now = timezone.now()
    count = 0
    rows: list[Row] = []
    for n, raw in enumerate(reader.dicts(), start=2):
        data = _import_row(raw, n)
        at = data["at"] if data["at"].tzinfo else data["at"].replace(tzinfo=UTC)
        if at < now - IMPORT_MAX_AGE or at > now + MAX_AHEAD:
            raise ValidationFailed(f"Row {n}: the time must be within the last two years.")
        data["at"] = at
        rows.append(_event(site, data, at, n))
        if len(rows) >= chunk:
            events_write(rows)
            count += len(rows)
            rows = []
    if rows:
        events_write(rows)
        count += len(rows)
    if not count:
        raise ValidationFailed("The file has no events.")
    return count


def events_purge(*, now: datetime | None = None) -> int:
    """Delete every site's events older than its retention period (run daily); returns how many."""
    now = now or timezone.now()
    deleted = 0
    for site in Site.objects.all():
        gone, _ = Event.objects.filter(
            site_id=site.pk, at__lt=now - timedelta(days=site.retention_days)
        ).delete()
        deleted += gone
    return deleted


# Funnels -------------------------------------------------------------------------------------------


def _clean_steps(steps: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    clean = []
    for n, step in enumerate(steps, start=1):
        kind = str(step.get("kind", "")).strip()
        match = str(step.get("match", "")).strip()
        if kind not in {"page", "event"}:
            raise ValidationFailed(f"Step {n}: kind is “page” (a path pattern) or “event” (a custom event).")
        if not match or len(match) > 300:
            raise ValidationFailed(f"Step {n}: say which page or event (up to 300 characters).")
        if kind == "page" and not match.startswith("/"):
            raise ValidationFailed(f"Step {n}: a page pattern starts with /, e.g. /checkout/*.")
        clean.append({"kind": kind, "match": match})
    if not 2 <= len(clean) <= 10:
        raise ValidationFailed("A funnel has between 2 and 10 steps.")
    return clean


def parse_steps(text: str) -> list[dict[str, str]]:
    """Steps from a form's text: one per line, a path pattern (`/checkout*`) or `event:name`."""
    steps = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("event:"):
            steps.append({"kind": "event", "match": line.removeprefix("event:").strip()})
        else:
            steps.append({"kind": "page", "match": line})
    return steps


@transaction.atomic
def funnel_create(
    *, actor: User, site: Site, name: str, steps: Iterable[Mapping[str, Any]], window_hours: int = 24
) -> Funnel:
    access.require_line_edit(actor, _line_of(site), "funnels")
    funnel = Funnel(site=site, name=name.strip(), steps=_clean_steps(steps), window_hours=window_hours)
    return record_save(actor=actor, instance=funnel, before=None)


@transaction.atomic
def funnel_delete(*, actor: User, funnel: Funnel) -> None:
    access.require_line_edit(actor, _line_of(funnel.site), "funnels")
    record_delete(actor=actor, instance=funnel, blocked_by="it is referenced")


# Friction evidence ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_link(
    *,
    actor: User,
    site: Site,
    initiative: Initiative,
    signal: str,
    path: str = "",
    selector: str = "",
    funnel: Funnel | None = None,
    step: int | None = None,
    users: int = 0,
    note: str = "",
) -> FrictionEvidence:
    """Link a friction issue (signal, page, element) or a funnel step's drop-off to an initiative as
    evidence. Like feedback evidence, only whoever may change the initiative may link to it."""
    require_initiative_edit(actor, initiative)
    if signal not in Signal.values:
        raise ValidationFailed("Unknown friction signal.")
    if signal == Signal.FUNNEL_DROP:
        if funnel is None or funnel.site_id != site.pk or step is None or not 2 <= step <= len(funnel.steps):
            raise ValidationFailed(
                "A drop-off names a funnel of this site and one of its steps after the first."
            )
        path, selector = "", ""
    else:
        funnel, step = None, None
        if not path:
            raise ValidationFailed("A friction issue names its page.")
    existing = FrictionEvidence.objects.filter(
        initiative=initiative,
        site=site,
        signal=signal,
        path=path,
        selector=selector,
        funnel=funnel,
        step=step,
    )
    if existing.exists():
        raise ValidationFailed(f"This is already evidence for “{initiative.title}”.")
    link = FrictionEvidence(
        site=site,
        initiative=initiative,
        signal=signal,
        path=path[:300],
        selector=selector[:300],
        funnel=funnel,
        step=step,
        users=max(0, int(users)),
        note=note.strip()[:300],
        created_by=actor,
    )
    saved = record_save(actor=actor, instance=link, before=None)
    _reach_refresh(initiative.pk)
    return saved


@transaction.atomic
def evidence_unlink(*, actor: User, link: FrictionEvidence) -> None:
    require_initiative_edit(actor, link.initiative)
    initiative_id = link.initiative_id
    record_delete(actor=actor, instance=link, blocked_by="it is referenced")
    _reach_refresh(initiative_id)


def _reach_refresh(initiative_id: int) -> None:
    """Friction evidence feeds the initiative's reach beside its feedback evidence: the feedback area
    owns that number and asks `selectors.friction_reach` for the friction part."""
    from northstar.feedback.services import evidence_reach_refresh

    evidence_reach_refresh(initiative_ids=[initiative_id])


# KPIs ----------------------------------------------------------------------------------------------


def kpi_publish(
    *, actor: User, site: Site, metric: Metric, measure: str, funnel: Funnel | None = None, weeks: int = 12
) -> int:
    """Write a KPI's weekly values computed from events (active people or accounts, or a funnel's
    conversion) into the strategy area's metric, through its own push: the KPI then behaves like any
    other (trend, flags, key results). Returns how many weeks were written."""
    from northstar.analytics.selectors import MEASURES, weekly_series
    from northstar.strategy import metric_values, metrics

    if measure not in MEASURES:
        raise ValidationFailed(f"Measure one of: {', '.join(MEASURES)}.")
    if MEASURES[measure][2] and (funnel is None or funnel.site_id != site.pk):
        raise ValidationFailed("Choose a funnel of this site for its conversion.")
    if not 1 <= weeks <= 104:
        raise ValidationFailed("Publish between 1 and 104 weeks.")
    metrics.require_metric_edit(actor, metric)
    series = weekly_series(site, measure=measure, funnel=funnel, weeks=weeks)
    metric_values.metric_values_push(
        actor=actor, metric=metric, points=[(day, value, "") for day, value in series]
    )
    return len(series)
