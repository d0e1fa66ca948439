"""`northstar send-digests`, as a scheduler calls it: due subscribers get one digest (HTML and plain
text, with a one-click unsubscribe), others none, and running it again, or twice at once, sends nothing
twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from northstar.reports import digests
from northstar.reports.models import DigestSubscription
from tests import factories
from tests.reports.factories import make_report_world


def _send(*args: str) -> str:
    out = StringIO()
    call_command("send-digests", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def subscribers(cast, settings):
    """Three weekly subscribers: one due, one who unsubscribed, one who had a digest two days ago."""
    settings.NORTHSTAR_BASE_URL = "https://northstar.example"
    make_report_world(cast)
    due, gone, recent = (
        factories.make_user(username=name, email=f"{name}@example.com") for name in ("dana", "gil", "rae")
    )
    subscriptions = {
        user.username: digests.digest_subscribe(user=user, frequency="weekly") for user in (due, gone, recent)
    }
    digests.digest_unsubscribe(token=subscriptions["gil"].token)
    DigestSubscription.objects.filter(user=recent).update(last_sent_at=timezone.now() - timedelta(days=2))
    return subscriptions


def test_send_digests_mails_the_due_subscriber_only_with_a_one_click_unsubscribe(subscribers, client):
    said = _send("--no-reminders")
    assert "Sent 1 digest(s)" in said
    (message,) = mail.outbox
    assert message.to == ["dana@example.com"] and "weekly digest" in message.subject
    link = f"https://northstar.example/reports/unsubscribe/{subscribers['dana'].token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body and "Objective progress" in message.body  # the plain-text part
    (html, kind), *_ = message.alternatives
    assert kind == "text/html" and link in html and "<html" in html.lower()
    # The one-click POST (what a mail client sends for List-Unsubscribe-Post) stops the digest.
    assert client.post(link.removeprefix("https://northstar.example")).status_code == 200
    assert not DigestSubscription.objects.get(pk=subscribers["dana"].pk).is_active


def test_running_it_again_the_same_week_sends_nothing_twice(subscribers):
    assert "Sent 1 digest(s)" in _send("--no-reminders")
    assert "Sent 0 digest(s)" in _send("--no-reminders")  # an hourly timer, an hour later
    assert "Sent 0 digest(s)" in _send("--frequency", "weekly")
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]


def test_two_runs_at_once_send_one_digest(subscribers, monkeypatch):
    """The second run read the due list before the first one sent: it must not send again."""
    stale = digests.due_subscriptions(timezone.now())
    assert [s.user.username for s in stale] == ["dana"]
    assert "Sent 1 digest(s)" in _send("--no-reminders")
    monkeypatch.setattr(digests, "due_subscriptions", lambda now, frequency=None: stale)
    assert "Sent 0 digest(s)" in _send("--no-reminders")
    assert len(mail.outbox) == 1


def test_a_failed_send_is_sent_by_the_next_run(subscribers, monkeypatch):
    def refused(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMultiAlternatives.send", refused)
        with pytest.raises(ConnectionRefusedError):
            _send("--no-reminders")
    assert DigestSubscription.objects.get(pk=subscribers["dana"].pk).last_sent_at is None
    assert "Sent 1 digest(s)" in _send("--no-reminders")
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
