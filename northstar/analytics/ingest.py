"""The event write path: capture from the snippet, the ingest buffer (spool and drain), bulk writes,
CSV import and purge.

Capture is public (the site's write key), so it is checked hard and cheaply: origin, rate limit per
site, Do-Not-Track, consent, bots; an accepted batch is spooled in one transaction and written to the
event table in bulk by the drain job, so a worker killed mid-chunk loses nothing.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from northstar.analytics.models import (
    EVENT_COLUMNS,
    Event,
    EventKind,
    ReceivedBatch,
    Site,
    SpooledBatch,
)
from northstar.analytics.services import _line_of, site_for_key
from northstar.core import jobs, ratelimit
from northstar.core.csv_read import csv_open
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import Job, User
from northstar.org import access

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
