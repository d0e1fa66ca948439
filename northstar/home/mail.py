"""Notifications by email: one message per notification for those who want them at once, a daily
digest of what is still unread for those who prefer that, nothing for those who turned it off.

Mail leaves through background jobs (`home.tasks`), never in the request that caused it. A person's
address is their login's, else their person's in the org.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from northstar.core.models import User
from northstar.home.models import Notification, NotificationSettings
from northstar.org.models import Person

#: A daily digest goes out when the last one is at least this old (a little under a day, so a
#: scheduler running at slightly different times never skips one).
DIGEST_DUE_AFTER = timedelta(hours=23)
#: Most notifications one digest lists.
DIGEST_ITEMS = 30


def _base_url() -> str:
    return str(getattr(settings, "NORTHSTAR_BASE_URL", "")).rstrip("/")


def address_of(user: User) -> str:
    if user.email:
        return user.email
    return Person.objects.filter(user=user).values_list("email", flat=True).first() or ""


def email_mode(user: User) -> str:
    mode = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return mode or NotificationSettings.Email.IMMEDIATE


def _message(user: User, subject: str, notifications: list[Notification]) -> EmailMultiAlternatives | None:
    to = address_of(user)
    if not to:
        return None
    context = {
        "user": user,
        "notifications": notifications,
        "base_url": _base_url(),
        "settings_url": _base_url() + reverse("home:notification_settings"),
    }
    text = render_to_string("home/email/notifications.txt", context)
    html = render_to_string("home/email/notifications.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def notifications_email(*, ids: list[int]) -> int:
    """Email each of these notifications to its recipient, if they want them at once. Returns sent."""
    notifications = Notification.objects.filter(pk__in=ids, read_at__isnull=True).select_related("recipient")
    messages = []
    for notification in notifications.order_by("id"):
        user = notification.recipient
        if not user.is_active or email_mode(user) != NotificationSettings.Email.IMMEDIATE:
            continue
        message = _message(user, f"Northstar: {notification.title}"[:200], [notification])
        if message is not None:
            messages.append(message)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def notification_digests_send(*, now: datetime | None = None) -> int:
    """Send each daily-digest reader what they have not read since their last digest. Idempotent:
    nobody gets two digests within DIGEST_DUE_AFTER, and a digest with nothing in it is not sent."""
    now = now or timezone.now()
    sent = 0
    readers = NotificationSettings.objects.filter(
        email=NotificationSettings.Email.DAILY, user__is_active=True
    ).select_related("user")
    connection = get_connection()
    for reader in readers.order_by("id"):
        if reader.last_digest_at and now - reader.last_digest_at < DIGEST_DUE_AFTER:
            continue
        since = reader.last_digest_at or now - timedelta(days=1)
        unread = list(
            Notification.objects.filter(
                recipient=reader.user, read_at__isnull=True, created_at__gt=since
            ).order_by("-created_at", "-id")[:DIGEST_ITEMS]
        )
        if unread:
            count = len(unread)
            message = _message(
                reader.user, f"Northstar: {count} notification{'s' if count != 1 else ''} for you", unread
            )
            if message is not None:
                connection.send_messages([message])
                sent += 1
        # Bookkeeping, not an edit of the person's choice: the version stays as it is.
        NotificationSettings.objects.filter(pk=reader.pk).update(last_digest_at=now)
    return sent
