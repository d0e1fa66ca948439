"""Email digests (weekly or monthly) and reminders to post a line's status update.

A digest tells a subscriber what moved since their last one: roadmap changes, objective progress,
KPI anomalies, new customer themes and decisions. Every email has an HTML and a plain-text part and
a one-click unsubscribe (RFC 8058 `List-Unsubscribe` and `List-Unsubscribe-Post` headers, and a link).
`digests_send` and `status_reminders_send` are safe to run as often as a scheduler likes: each person
gets a digest only when theirs is due, and each line one reminder a week while its update is due.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.feedback.models import Theme
from northstar.planning.models import Roadmap
from northstar.portfolio.models import Decision, DecisionKind
from northstar.reports import health, packs, selectors
from northstar.reports.models import DigestSubscription, Frequency, StatusReminder
from northstar.strategy import selectors as strategy
from northstar.strategy.models import Metric

logger = logging.getLogger(__name__)

#: How long after the last digest the next is due (a little under the period, so a daily scheduler
#: running at slightly different times never skips one).
DUE_AFTER = {Frequency.WEEKLY: timedelta(days=6, hours=20), Frequency.MONTHLY: timedelta(days=27, hours=20)}
WINDOW = {Frequency.WEEKLY: timedelta(days=7), Frequency.MONTHLY: timedelta(days=30)}
REMIND_EVERY = timedelta(days=7)
ITEMS = 8


# Subscriptions -----------------------------------------------------------------------------------


@transaction.atomic
def digest_subscribe(*, user: User, frequency: str) -> DigestSubscription | None:
    """Set (or stop, with an empty frequency) the signed-in user's digest."""
    if not user.is_authenticated:
        raise ValidationFailed("Sign in to subscribe to a digest.")
    current = DigestSubscription.objects.filter(user=user).first()
    if not frequency:
        if current is not None and current.is_active:
            before = audit.snapshot(current)
            current.is_active = False
            record_save(actor=user, instance=current, before=before)
        return current
    if frequency not in Frequency.values:
        raise ValidationFailed("Choose a weekly or a monthly digest.")
    if not user.email:
        raise ValidationFailed("Your login has no email address: ask an admin to add one first.")
    if current is None:
        current = DigestSubscription(user=user, frequency=frequency, token=secrets.token_urlsafe(32))
        return record_save(actor=user, instance=current, before=None)
    before = audit.snapshot(current)
    current.frequency = frequency
    current.is_active = True
    return record_save(actor=user, instance=current, before=before)


def subscription_for_token(token: str) -> DigestSubscription:
    found = DigestSubscription.objects.select_related("user").filter(token=token).first() if token else None
    if found is None:
        raise NotFound("This unsubscribe link is not known (it may belong to an older digest).")
    return found


@transaction.atomic
def digest_unsubscribe(*, token: str) -> DigestSubscription:
    """One-click unsubscribe: the token in the email is the only key needed."""
    found = subscription_for_token(token)
    if found.is_active:
        before = audit.snapshot(found)
        found.is_active = False
        record_save(actor=found.user, instance=found, before=before)
    return found


# What a digest says ------------------------------------------------------------------------------


@dataclass
class Line:
    text: str
    url: str = ""
    detail: str = ""


@dataclass
class Digest:
    frequency: str
    since: datetime
    until: datetime
    sections: list[tuple[str, list[Line]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(lines for _title, lines in self.sections)


def _absolute(url: str) -> str:
    return packs.base_url() + url if url.startswith("/") else url


def digest_build(*, frequency: str, since: datetime, until: datetime) -> Digest:
    """The digest for a window of time (the same for every subscriber of that window)."""
    digest = Digest(frequency=frequency, since=since, until=until)
    day_from, day_to = timezone.localtime(since).date(), timezone.localtime(until).date()
    roadmap_lines: list[Line] = []
    for roadmap in Roadmap.objects.filter(published_at__gt=since, published_at__lte=until).order_by(
        "-published_at"
    )[:2]:
        changes = list(roadmap.changes.order_by("kind", "title")[:ITEMS])
        roadmap_lines.append(
            Line(
                f"{roadmap.title} published",
                _absolute(reverse("planning:published", args=[roadmap.pk])),
                f"{roadmap.changes.count()} changes",
            )
        )
        roadmap_lines += [
            Line(f"{c.get_kind_display()}: {c.title}", detail=f"{c.before} → {c.after}") for c in changes
        ]
    digest.sections.append(("What changed in the roadmap", roadmap_lines))
    period = health.period_at(day_to)
    objective_lines = []
    if period is not None:
        rows = strategy.objective_rows(strategy.objective_queryset().filter(period=period))
        company = [r for r in rows.values() if r.objective.level == "company"][:ITEMS]
        elapsed = health.time_elapsed(period, day_to)
        for r in company:
            objective_lines.append(
                Line(
                    r.objective.title,
                    _absolute(reverse("strategy:objective_detail", args=[r.objective.pk])),
                    f"{health.share_done(r):.0%} done, {elapsed:.0%} of {period.name} gone",
                )
            )
    digest.sections.append(("Objective progress", objective_lines))
    cards = strategy.kpi_cards(list(Metric.objects.all()), today=day_to, until=day_to)
    anomaly_lines = [
        Line(
            f"{a.metric.name} ({'good' if a.is_good else 'bad'} way)",
            _absolute(reverse("strategy:metric_detail", args=[a.metric.pk])),
            f"{a.date:%d %b}",
        )
        for a in strategy.anomalies(cards, limit=100)
        if day_from <= a.date <= day_to
    ][:ITEMS]
    digest.sections.append(("KPI anomalies", anomaly_lines))
    themes = Theme.objects.filter(status=Theme.Status.ACTIVE, created_at__gt=since, created_at__lte=until)
    digest.sections.append(
        (
            "New customer themes",
            [
                Line(t.name, _absolute(reverse("feedback:theme_detail", args=[t.pk])), f"{t.size} items")
                for t in themes.order_by("-size", "id")[:ITEMS]
            ],
        )
    )
    decisions = Decision.objects.filter(
        kind=DecisionKind.DECISION, decided_on__gte=day_from, decided_on__lte=day_to
    )
    digest.sections.append(
        (
            "Decisions",
            [
                Line(
                    d.title,
                    _absolute(reverse("portfolio:detail", args=[d.initiative_id])),
                    d.initiative.title,
                )
                for d in decisions.select_related("initiative").order_by("-decided_on", "-id")[:ITEMS]
            ],
        )
    )
    return digest


def _message(*, to: str, subject: str, template: str, context: dict, unsubscribe: str | None = None):
    text = render_to_string(f"reports/email/{template}.txt", context)
    html = render_to_string(f"reports/email/{template}.html", context)
    headers = {}
    if unsubscribe:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def due_subscriptions(now: datetime, frequency: str | None = None) -> list[DigestSubscription]:
    qs = DigestSubscription.objects.filter(is_active=True, user__is_active=True).select_related("user")
    if frequency:
        qs = qs.filter(frequency=frequency)
    return [
        s
        for s in qs.order_by("id")
        if s.last_sent_at is None or now - s.last_sent_at >= DUE_AFTER[Frequency(s.frequency)]
    ]


def digests_send(*, now: datetime | None = None, frequency: str | None = None, progress=None) -> int:
    """Send every digest that is due; returns how many went out. Nothing is sent twice, even when
    two runs overlap: each digest is claimed (its `last_sent_at` moved on) before it is sent."""
    now = now or timezone.now()
    due = due_subscriptions(now, frequency)
    built: dict[tuple[str, datetime | None], Digest] = {}
    sent = 0
    connection = get_connection()
    for n, sub in enumerate(due):
        since = sub.last_sent_at or (now - WINDOW[Frequency(sub.frequency)])
        key = (sub.frequency, sub.last_sent_at)
        digest = built.get(key) or digest_build(frequency=sub.frequency, since=since, until=now)
        built[key] = digest
        unsubscribe = _absolute(reverse("reports:unsubscribe", args=[sub.token]))
        context = {
            "digest": digest,
            "user": sub.user,
            "unsubscribe": unsubscribe,
            "settings_url": _absolute(reverse("reports:digest")),
        }
        label = "Weekly" if sub.frequency == Frequency.WEEKLY else "Monthly"
        message = _message(
            to=sub.user.email,
            subject=f"Northstar {label.lower()} digest: {timezone.localtime(now):%d %b %Y}",
            template="digest",
            context=context,
            unsubscribe=unsubscribe,
        )
        message.connection = connection
        # Claim the digest before sending it: a scheduler run overlapping this one (cron and the
        # "send now" job, or two timers) read the same due list, and only one of them wins the claim.
        claimed = DigestSubscription.objects.filter(pk=sub.pk, last_sent_at=sub.last_sent_at).update(
            last_sent_at=now
        )
        if not claimed:
            continue
        try:
            message.send()
        except Exception:
            # Not sent: give the claim back so the next run sends it.
            DigestSubscription.objects.filter(pk=sub.pk, last_sent_at=now).update(
                last_sent_at=sub.last_sent_at
            )
            raise
        sent += 1
        if progress is not None:
            progress((n + 1) / len(due), f"{sent} digest(s) sent")
    return sent


# Status-update reminders -------------------------------------------------------------------------


def status_reminders_send(*, today: date | None = None, now: datetime | None = None) -> int:
    """Remind each line's director (and the line's owners) when its update for the period is due."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    period, owing = selectors.lines_owing_update(today)
    if period is None or not selectors.is_due(period, today):
        return 0
    sent = 0
    for line in owing:
        last = StatusReminder.objects.filter(line=line, period=period).first()
        if last is not None and now - last.sent_at < REMIND_EVERY:
            continue
        people = [line.director, *line.owners.all()]
        addresses = sorted({p.email for p in people if p.email})
        if not addresses:
            continue
        context = {
            "line": line,
            "period": period,
            "due": period.end,
            "url": _absolute(reverse("reports:status_create", args=[line.pk])),
        }
        for address in addresses:
            _message(
                to=address,
                subject=f"Status update for {line.name}, {period.name}, is due by {period.end:%d %b}",
                template="reminder",
                context=context,
            ).send()
        StatusReminder.objects.update_or_create(
            line=line, period=period, defaults={"sent_at": now, "recipients": len(addresses)}
        )
        sent += len(addresses)
    return sent
