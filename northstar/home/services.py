"""Writes of the home area: marking home as seen, comments with @mentions, and notifications."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from northstar.core import audit, jobs
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.roles import Role
from northstar.core.services import record_delete, record_save
from northstar.home.models import Comment, Follow, Notification, NotificationSettings, Visit
from northstar.planning.models import PlanRun
from northstar.planning.services import can_see_drafts
from northstar.portfolio.models import ApprovalRequest, Approver, Decision, Initiative
from northstar.strategy.models import KeyResult, Objective

#: Longest comment accepted (a comment is a note, not a document).
MAX_COMMENT_CHARS = 10_000
#: "@name" mentions a colleague by login name; an e-mail address ("a@b.com") is not a mention.
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.+-]*[\w]|[\w])")

TARGETS: dict[str, tuple[type[Initiative] | type[Objective] | type[PlanRun] | type[Decision], str]] = {
    Comment.Target.INITIATIVE: (Initiative, "portfolio:detail"),
    Comment.Target.OBJECTIVE: (Objective, "strategy:objective_detail"),
    Comment.Target.PLAN: (PlanRun, "planning:plan_detail"),
    Comment.Target.DECISION: (Decision, "portfolio:decision_detail"),
}


def visit_mark_seen(*, user: User, at: datetime | None = None) -> Visit:
    """Start "what changed since my last visit" afresh from now (or `at`). Any signed-in person may."""
    visit, _ = Visit.objects.update_or_create(user=user, defaults={"seen_at": at or timezone.now()})
    return visit


# Comments -----------------------------------------------------------------------------------------


def target_get(
    *, target: str, target_id: int, user: User | None = None
) -> Initiative | Objective | PlanRun | Decision:
    """The record a comment is about; archived ones too (their pages still show). With `user`, only
    one they may read: draft plans are for the people who plan, like the plan pages themselves."""
    if target not in TARGETS:
        raise NotFound(f"Comments are on initiatives, objectives, plans and decisions, not {target!r}.")
    model, _ = TARGETS[target]
    manager = getattr(model, "all_objects", model._default_manager)
    record = manager.filter(pk=target_id).first()
    if record is None:
        raise NotFound(f"No {target} with id {target_id}.")
    if target == Comment.Target.PLAN and user is not None and not can_see_drafts(user):
        raise PermissionDenied("Draft plans and their discussion are for product managers and leaders.")
    return record


def target_url(target: str, target_id: int) -> str:
    return reverse(TARGETS[target][1], args=[target_id])


def comment_url(comment: Comment) -> str:
    return f"{target_url(comment.target, comment.target_id)}#comment-{comment.pk}"


def mentioned_users(body: str) -> list[User]:
    """The logins named with @ in a comment (case-insensitive; unknown names are plain text)."""
    names = {m.lower() for m in MENTION.findall(body or "")}
    if not names:
        return []
    return [u for u in User.objects.filter(is_active=True) if u.username.lower() in names]


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write something: an empty comment says nothing.")
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationFailed(
            f"A comment holds at most {MAX_COMMENT_CHARS:,} characters; this has {len(body):,}."
        )
    return body


def _require_commenter(actor: User) -> None:
    # Anyone who reads a record may discuss it: stakeholders ask their questions here too.
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Sign in to comment.")


def require_comment_edit(actor: User, comment: Comment, what: str = "change") -> None:
    """A comment is its author's: only they, or a product leader, change or delete it."""
    if comment.author_id == actor.pk or actor.is_leading:
        return
    raise PermissionDenied(f"Only the comment's author or a product leader can {what} it.")


@transaction.atomic
def comment_create(
    *, actor: User, target: str, target_id: int, body: str, parent_id: int | None = None
) -> Comment:
    """Add a comment (or a reply); notify the people it @mentions and the author it replies to."""
    _require_commenter(actor)
    record = target_get(target=target, target_id=target_id, user=actor)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, target=target, target_id=record.pk).first()
        if parent is None:
            raise ValidationFailed("The comment you reply to is not on this page any more.")
        if parent.parent_id:  # one level of replies keeps a thread readable
            parent = parent.parent
    comment = Comment(target=target, target_id=record.pk, parent=parent, author=actor, body=_check_body(body))
    record_save(actor=actor, instance=comment, before=None)
    about = _about(record)
    mentioned = _notify_mentions(comment, actor=actor, about=about, already=set())
    if (
        parent is not None
        and parent.author_id
        and parent.author_id != actor.pk
        and parent.author_id not in mentioned
    ):
        notification_create(
            recipient_ids=[parent.author_id],
            kind=Notification.Kind.REPLY,
            title=f"{actor.get_username()} replied to your comment on {about}",
            url=comment_url(comment),
            actor=actor,
        )
    return comment


def _about(record: Initiative | Objective | PlanRun | Decision) -> str:
    """What a comment is on, in a notification's words."""
    if isinstance(record, Decision):
        return f"the decision “{record.title}”"[:120]
    if isinstance(record, PlanRun):
        return f"plan {record.pk} of “{record.scenario.name}”"[:120]
    return str(record)[:120]


def _notify_mentions(comment: Comment, *, actor: User, about: str, already: set[int]) -> set[int]:
    ids = {u.pk for u in mentioned_users(comment.body)} - {actor.pk} - already
    notification_create(
        recipient_ids=sorted(ids),
        kind=Notification.Kind.MENTION,
        title=f"{actor.get_username()} mentioned you on {about}",
        url=comment_url(comment),
        actor=actor,
    )
    return ids


@transaction.atomic
def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    """Change a comment's text (its author, or a leader); only people newly @mentioned are notified."""
    require_comment_edit(actor, comment, "change")
    before = audit.snapshot(comment)
    earlier = {u.pk for u in mentioned_users(comment.body)}
    comment.body = _check_body(body)
    record_save(actor=actor, instance=comment, before=before)
    record = target_get(target=comment.target, target_id=comment.target_id)
    _notify_mentions(comment, actor=actor, about=_about(record), already=earlier)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    """Remove a comment and its replies (its author, or a leader); the audit log keeps what it said."""
    require_comment_edit(actor, comment, "delete")
    record_delete(actor=actor, instance=comment, blocked_by="it is referenced")


def comment_get(*, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(f"No comment with id {comment_id}.")
    return comment


# Notifications ------------------------------------------------------------------------------------


def notification_create(
    *, recipient_ids: Iterable[int], kind: str, title: str, url: str = "", actor: User | None = None
) -> int:
    """Tell these people something (one row each, in one statement); returns how many were told."""
    rows = [
        Notification(recipient_id=pk, kind=kind, title=title[:300], url=url[:300], actor=actor)
        for pk in dict.fromkeys(recipient_ids)
    ]
    Notification.objects.bulk_create(rows)
    if rows:
        jobs.job_enqueue(
            task="northstar.home.tasks.notifications_email",
            kwargs={"ids": [n.pk for n in rows]},
            actor=actor,
            title="Email notifications",
        )
    return len(rows)


def notification_settings_get(*, user: User) -> NotificationSettings:
    """This person's settings; unsaved defaults (email at once) when they never chose (reads never write)."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


@transaction.atomic
def notification_settings_set(
    *, actor: User, settings: NotificationSettings, email: str
) -> NotificationSettings:
    """Choose how notifications reach you by email: each at once, a daily digest, or not at all."""
    if settings.user_id != actor.pk:
        raise PermissionDenied("You can only choose how notifications reach you.")
    if email not in NotificationSettings.Email.values:
        raise ValidationFailed(f"Choose one of: {', '.join(NotificationSettings.Email.values)}.")
    before = audit.snapshot(settings) if settings.pk else None
    settings.email = email
    return record_save(actor=actor, instance=settings, before=before)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark this person's notifications read (all, or the ids given); another person's are untouched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notification_open(*, user: User, notification_id: int) -> Notification:
    """Mark one notification read and hand it back (to go to what it is about)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(f"You have no notification with id {notification_id}.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def _approvers(request: ApprovalRequest) -> list[int]:
    if request.approver == Approver.LINE_DIRECTOR:
        user_id = request.approver_person.user_id if request.approver_person else None
        if user_id:
            return [user_id]
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True).values_list("pk", flat=True))
    return leaders or list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True))


def approval_notify(*, request: ApprovalRequest, created: bool) -> int:
    """A stage-gate request tells its approvers; its approval or rejection tells whoever asked.

    Called on every save of a request (see `home.apps`): a request is created once and decided once,
    so each notification goes out once.
    """
    url = reverse("portfolio:detail", args=[request.initiative_id])
    title = request.initiative.title
    move = f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"
    if created and request.status == ApprovalRequest.Status.PENDING:
        asker = request.requested_by.get_username() if request.requested_by else "Someone"
        return notification_create(
            recipient_ids=[pk for pk in _approvers(request) if pk != request.requested_by_id],
            kind=Notification.Kind.APPROVAL_REQUESTED,
            title=f"{asker} asks your approval to move {title} ({move})",
            url=url,
            actor=request.requested_by,
        )
    decided: dict[str, str] = {
        ApprovalRequest.Status.APPROVED: "approved",
        ApprovalRequest.Status.REJECTED: "rejected",
    }
    if (
        request.status in decided
        and request.requested_by_id
        and request.requested_by_id != request.decided_by_id
    ):
        note = f": {request.decision_note}" if request.decision_note else ""
        return notification_create(
            recipient_ids=[request.requested_by_id],
            kind=Notification.Kind.APPROVAL_DECIDED,
            title=f"Your move of {title} ({move}) was {decided[request.status]}{note}",
            url=url,
            actor=request.decided_by,
        )
    return 0


def check_in_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each key result's owner when its check-in is due (none for STALE_DAYS days), at most once
    per key result every STALE_DAYS days. Key results fed by a KPI update themselves and are skipped.
    Safe to run as often as a scheduler likes; returns how many reminders went out."""
    from northstar.home.cockpit import STALE_DAYS

    now = now or timezone.now()
    due_before = now - timedelta(days=STALE_DAYS)
    today = timezone.localdate(now)
    key_results = (
        KeyResult.objects.filter(
            metric__isnull=True,
            owner__user__isnull=False,
            owner__user__is_active=True,
            objective__archived_at__isnull=True,
            objective__period__start__lte=today,
            objective__period__end__gte=today,
            created_at__lt=due_before,
        )
        .annotate(latest=Max("check_ins__created_at"))
        .filter(Q(latest__isnull=True) | Q(latest__lt=due_before))
        .select_related("owner", "objective")
    )
    urls = {kr.pk: reverse("strategy:key_result_detail", args=[kr.pk]) for kr in key_results}
    recently = set(
        Notification.objects.filter(
            kind=Notification.Kind.CHECK_IN_DUE, created_at__gte=due_before, url__in=list(urls.values())
        ).values_list("recipient_id", "url")
    )
    sent = 0
    for kr in key_results:
        owner = kr.owner
        if owner is None or owner.user_id is None:  # never: filtered to owners with an active login
            continue
        if (owner.user_id, urls[kr.pk]) in recently:
            continue
        sent += notification_create(
            recipient_ids=[owner.user_id],
            kind=Notification.Kind.CHECK_IN_DUE,
            title=f"Check-in due: {kr.title} ({kr.objective.title})",
            url=urls[kr.pk],
        )
    return sent


# Following initiatives ----------------------------------------------------------------------------


def follow_set(*, actor: User, initiative: Initiative, following: bool) -> bool:
    """Follow an initiative (or stop): anyone who may read it may follow it. Returns the new state."""
    _require_commenter(actor)
    if following:
        Follow.objects.get_or_create(user=actor, initiative=initiative)
    else:
        Follow.objects.filter(user=actor, initiative=initiative).delete()
    return following


def follower_ids(initiative_id: int) -> list[int]:
    return list(
        Follow.objects.filter(initiative_id=initiative_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def initiative_moved_notify(*, initiative_id: int, old: str, new: str, actor: User | None) -> int:
    """Tell an initiative's followers it moved stage (whoever moved it is not told)."""
    initiative = Initiative.all_objects.filter(pk=initiative_id).only("id", "title").first()
    if initiative is None:
        return 0
    labels = dict(Initiative._meta.get_field("stage").flatchoices)
    who = actor.get_username() if actor else "Northstar"
    return notification_create(
        recipient_ids=[pk for pk in follower_ids(initiative_id) if actor is None or pk != actor.pk],
        kind=Notification.Kind.ROADMAP_CHANGE,
        title=f"{initiative.title} moved from {labels.get(old, old)} to {labels.get(new, new)} ({who})",
        url=reverse("portfolio:detail", args=[initiative_id]),
        actor=actor,
    )


def roadmap_changes_notify(*, roadmap_id: int) -> int:
    """Tell each initiative's followers how a newly published roadmap changed it (added, dropped,
    slipped, pulled in), one notification per change they follow; returns how many went out."""
    from northstar.planning.models import Roadmap, RoadmapChange

    roadmap = Roadmap.objects.filter(pk=roadmap_id).select_related("published_by").first()
    if roadmap is None:
        return 0
    changes = list(RoadmapChange.objects.filter(roadmap=roadmap, initiative__isnull=False))
    follows: dict[int, list[int]] = {}
    for initiative_id, user_id in Follow.objects.filter(
        initiative_id__in=[c.initiative_id for c in changes], user__is_active=True
    ).values_list("initiative_id", "user_id"):
        follows.setdefault(initiative_id, []).append(user_id)
    url = reverse("planning:published", args=[roadmap.pk]) + "#changes"
    sent = 0
    for change in changes:
        recipients = follows.get(change.initiative_id or 0, [])
        if not recipients:
            continue
        moved = f" ({change.before} → {change.after})" if change.before or change.after else ""
        sent += notification_create(
            recipient_ids=[pk for pk in recipients if pk != roadmap.published_by_id],
            kind=Notification.Kind.ROADMAP_CHANGE,
            title=f"{change.get_kind_display()} on the roadmap “{roadmap.title}”: {change.title}{moved}",
            url=url,
            actor=roadmap.published_by,
        )
    return sent


# KPI anomalies ------------------------------------------------------------------------------------

#: An anomaly is news for this many days after the value that shows it.
ANOMALY_NEWS_DAYS = 14


def metric_owner_user_ids(metric_ids: Iterable[int]) -> dict[int, set[int]]:
    """Who owns each KPI: the owners of the key results it feeds, and the director of its product
    line (a company-wide KPI without key results has no owner but the leaders who read home)."""
    from northstar.strategy.models import Metric

    owners: dict[int, set[int]] = {pk: set() for pk in metric_ids}
    for metric_id, user_id in KeyResult.objects.filter(
        metric_id__in=list(owners), owner__user__isnull=False, owner__user__is_active=True
    ).values_list("metric_id", "owner__user_id"):
        owners[metric_id].add(user_id)
    for metric_id, user_id in Metric.objects.filter(
        pk__in=list(owners), line__director__user__isnull=False, line__director__user__is_active=True
    ).values_list("pk", "line__director__user_id"):
        owners[metric_id].add(user_id)
    return owners


def kpi_anomalies_notify(*, today: date | None = None) -> int:
    """Tell each KPI's owners about a spike or level shift the detectors found in its recent values,
    once per flagged value (safe to run as often as a scheduler likes); returns how many went out."""
    from northstar.strategy import selectors as strategy
    from northstar.strategy.models import Metric

    today = today or timezone.localdate()
    since = today - timedelta(days=ANOMALY_NEWS_DAYS)
    cards = strategy.kpi_cards(Metric.objects.select_related("line"), today=today)
    fresh = [
        (card.metric, when, flag) for card in cards for when, flag in card.flags if since <= when <= today
    ]
    if not fresh:
        return 0
    owners = metric_owner_user_ids({m.pk for m, _, _ in fresh})
    urls = {
        (m.pk, when): f"{reverse('strategy:metric_detail', args=[m.pk])}#flag-{when.isoformat()}"
        for m, when, _ in fresh
    }
    told = set(
        Notification.objects.filter(
            kind=Notification.Kind.KPI_ANOMALY, url__in=list(urls.values())
        ).values_list("recipient_id", "url")
    )
    sent = 0
    for metric, when, flag in fresh:
        url = urls[(metric.pk, when)]
        recipients = [pk for pk in sorted(owners.get(metric.pk, ())) if (pk, url) not in told]
        if not recipients:
            continue
        good = (flag.change > 0) == (metric.direction == "up")
        what = "a spike" if flag.kind == "spike" else "a level shift"
        size = f" ({flag.relative:+.0%})" if flag.relative is not None else ""
        sent += notification_create(
            recipient_ids=recipients,
            kind=Notification.Kind.KPI_ANOMALY,
            title=f"{metric.name}: {what}{size} on {when.isoformat()}, {'good' if good else 'bad'} news",
            url=url,
        )
    return sent
