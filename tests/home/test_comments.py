"""Comments with @mentions on initiatives and objectives, and the notifications they and approvals send."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core.concurrency import StaleRecord, expect_version
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.home import selectors, services
from northstar.home.models import Comment, Notification
from northstar.portfolio import approvals
from northstar.portfolio.models import ApprovalRequest, Approver, Stage, StageGate
from tests import factories
from tests.strategy.factories import make_objective

pytestmark = pytest.mark.django_db


def _comment(cast, body, *, actor=None, target="initiative", target_id=None, **kw):
    return services.comment_create(
        actor=actor or cast.leader,
        target=target,
        target_id=target_id or cast.home_initiative.pk,
        body=body,
        **kw,
    )


def test_a_mention_notifies_the_person_once_and_not_the_author(cast):
    comment = _comment(cast, "@pm can you size this? cc @Stakeholder @leader @nobody and mail a@b.com")

    notified = Notification.objects.filter(kind=Notification.Kind.MENTION)
    assert sorted(n.recipient.username for n in notified) == ["pm", "stakeholder"]
    note = notified.get(recipient=cast.pm)
    assert note.title == f"leader mentioned you on {cast.home_initiative.title}"
    assert note.url == reverse("portfolio:detail", args=[cast.home_initiative.pk]) + f"#comment-{comment.pk}"
    assert AuditEntry.objects.filter(record_type="home.comment", record_id=str(comment.pk)).exists()


def test_a_reply_notifies_the_author_it_replies_to_and_stays_one_level_deep(cast):
    first = _comment(cast, "Is this still needed?", actor=cast.pm)
    reply = _comment(cast, "Yes, for the enterprise deals.", parent_id=first.pk)
    again = _comment(cast, "Thanks", actor=cast.stakeholder, parent_id=reply.pk)

    assert again.parent_id == first.pk
    replies = Notification.objects.filter(kind=Notification.Kind.REPLY)
    assert [(n.recipient.username, n.actor.username) for n in replies.order_by("id")] == [
        ("pm", "leader"),
        ("pm", "stakeholder"),
    ]


def test_replying_to_a_comment_of_another_record_is_refused(cast):
    elsewhere = _comment(cast, "On the away work", target_id=cast.away_initiative.pk)
    with pytest.raises(ValidationFailed):
        _comment(cast, "misplaced", parent_id=elsewhere.pk)


def test_comments_on_objectives_and_bad_targets(cast):
    objective = make_objective(title="Win the mid-market")
    comment = _comment(cast, "@pm owns the numbers", target="objective", target_id=objective.pk)
    assert Notification.objects.get(recipient=cast.pm).url.startswith(
        reverse("strategy:objective_detail", args=[objective.pk])
    )
    assert comment.target == "objective"
    with pytest.raises(NotFound):
        _comment(cast, "x", target="objective", target_id=999_999)
    with pytest.raises(NotFound):
        _comment(cast, "x", target="plan", target_id=1)
    with pytest.raises(ValidationFailed):
        _comment(cast, "   ")


def test_markdown_is_rendered_and_sanitised(cast):
    _comment(
        cast, "**Ship it** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = str(selectors.comment_thread(target="initiative", target_id=cast.home_initiative.pk)[0].html)
    assert "<strong>Ship it</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_only_the_author_or_a_leader_edits_and_deletes(cast):
    comment = _comment(cast, "First thoughts", actor=cast.pm)
    with pytest.raises(PermissionDenied):
        services.comment_update(actor=cast.stakeholder, comment=comment, body="hijack")
    services.comment_update(actor=cast.pm, comment=comment, body="Second thoughts, @stakeholder")
    comment.refresh_from_db()
    assert comment.version == 2
    assert Notification.objects.filter(recipient=cast.stakeholder, kind="mention").count() == 1
    services.comment_update(actor=cast.pm, comment=comment, body="Third thoughts, @stakeholder")
    assert Notification.objects.filter(recipient=cast.stakeholder, kind="mention").count() == 1  # not again
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=cast.stakeholder, comment=comment)
    services.comment_delete(actor=cast.leader, comment=comment)
    assert not Comment.objects.exists()
    assert AuditEntry.objects.filter(record_type="home.comment", action="delete").exists()


def test_an_edit_made_meanwhile_is_not_overwritten(cast, login):
    comment = _comment(cast, "v1", actor=cast.pm)
    client = login(cast.pm)
    url = reverse("home:comment_edit", args=[comment.pk])
    assert client.get(url).status_code == 200
    services.comment_update(actor=cast.pm, comment=Comment.objects.get(pk=comment.pk), body="v2 elsewhere")
    response = client.post(url, {"body": "v2 here", "version": "1"})
    assert response.status_code == 409
    assert Comment.objects.get(pk=comment.pk).body == "v2 elsewhere"
    assert client.post(url, {"body": "v3 here", "version": "2"}).status_code == 302
    assert Comment.objects.get(pk=comment.pk).body == "v3 here"
    with pytest.raises(StaleRecord):
        stale = Comment.objects.get(pk=comment.pk)
        expect_version(stale, 1)
        services.comment_update(actor=cast.pm, comment=stale, body="old")


def test_the_thread_loads_into_the_initiative_page_and_takes_comments(cast, login):
    client = login(cast.stakeholder)
    detail = client.get(reverse("portfolio:detail", args=[cast.home_initiative.pk])).content.decode()
    thread_url = reverse("home:comments", args=["initiative", cast.home_initiative.pk])
    assert f'hx-get="{thread_url}"' in detail

    response = client.post(thread_url, {"body": "When does this ship, @pm?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "When does this ship" in response.content.decode()
    assert Notification.objects.filter(recipient=cast.pm, kind="mention").exists()
    empty = client.post(thread_url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 422
    plain = client.post(thread_url, {"body": "Without HTMX"})
    assert plain.status_code == 302 and "#comment-" in plain["Location"]
    assert client.get(reverse("home:comments", args=["initiative", 999_999])).status_code == 404


def test_the_objective_page_carries_its_thread(cast, login):
    objective = make_objective(title="Win the mid-market")
    html = login(cast.pm).get(reverse("strategy:objective_detail", args=[objective.pk])).content.decode()
    assert reverse("home:comments", args=["objective", objective.pk]) in html


# Notifications ------------------------------------------------------------------------------------


def test_notifications_list_unread_count_open_and_mark_read(cast, login):
    _comment(cast, "@pm one")
    _comment(cast, "@pm two")
    client = login(cast.pm)
    assert "2" in client.get(reverse("home:unread")).content.decode()
    page = client.get(reverse("home:notifications")).content.decode()
    assert "leader mentioned you" in page and "2 unread" in page

    first = Notification.objects.filter(recipient=cast.pm).order_by("id").first()
    opened = client.post(reverse("home:notification_open", args=[first.pk]))
    assert opened.status_code == 302 and opened["Location"] == first.url
    assert selectors.unread_count(user=cast.pm) == 1

    other = login(cast.stakeholder)
    assert other.post(reverse("home:notification_open", args=[first.pk])).status_code == 404
    client = login(cast.pm)
    client.post(reverse("home:notifications_read"))
    assert selectors.unread_count(user=cast.pm) == 0
    assert "badge" not in client.get(reverse("home:unread")).content.decode()


def test_notifications_api(cast, client):
    _comment(cast, "@pm look")
    client.force_login(cast.pm)
    listed = client.get("/api/v1/notifications").json()
    assert listed["count"] == 1 if isinstance(listed, dict) else len(listed) == 1
    response = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert response.json() == {"marked": 1, "unread": 0}


def test_comments_api_with_if_match(cast, client):
    client.force_login(cast.pm)
    created = client.post(
        "/api/v1/comments",
        {"target": "initiative", "target_id": cast.home_initiative.pk, "body": "Via the API @leader"},
        content_type="application/json",
    )
    assert created.status_code == 201
    comment_id = created.json()["id"]
    assert Notification.objects.filter(recipient=cast.leader, kind="mention").exists()
    listed = client.get("/api/v1/comments", {"target": "initiative", "target_id": cast.home_initiative.pk})
    assert listed.status_code == 200
    stale = client.patch(
        f"/api/v1/comments/{comment_id}", {"body": "x"}, content_type="application/json", HTTP_IF_MATCH='"v7"'
    )
    assert stale.status_code == 412
    ok = client.patch(
        f"/api/v1/comments/{comment_id}",
        {"body": "edited"},
        content_type="application/json",
        HTTP_IF_MATCH='"v1"',
    )
    assert ok.status_code == 200 and ok["ETag"] == '"v2"'
    client.force_login(cast.stakeholder)
    assert client.delete(f"/api/v1/comments/{comment_id}").status_code == 403
    missing = client.post(
        "/api/v1/comments",
        {"target": "objective", "target_id": 999_999, "body": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 404


def _gate(stage: str, approver: str) -> None:
    StageGate.objects.update_or_create(stage=stage, defaults={"approver": approver})


def test_an_approval_request_notifies_the_approver_and_the_decision_the_requester(cast):
    leader_two = factories.make_user(Role.LEADER, username="leader2")
    request = ApprovalRequest.objects.create(
        initiative=cast.home_initiative,
        from_stage=Stage.DISCOVERY,
        to_stage=Stage.PLANNED,
        approver=Approver.LEADER,
        why_needed="Planned needs a leader's yes",
        requested_by=cast.pm,
    )
    asked = Notification.objects.filter(kind=Notification.Kind.APPROVAL_REQUESTED)
    assert sorted(n.recipient.username for n in asked) == ["leader", "leader2"]
    assert asked.first().title == "pm asks your approval to move Home work (Discovery → Planned)"

    approvals.approval_reject(actor=leader_two, request=request, reason="Not this quarter")
    decided = Notification.objects.get(kind=Notification.Kind.APPROVAL_DECIDED)
    assert decided.recipient == cast.pm
    assert decided.title == "Your move of Home work (Discovery → Planned) was rejected: Not this quarter"
    assert decided.url == reverse("portfolio:detail", args=[cast.home_initiative.pk])


# Email --------------------------------------------------------------------------------------------


def test_a_mention_reaches_its_person_by_email_at_once(cast, mailoutbox, django_capture_on_commit_callbacks):
    cast.pm.email = "pat@example.com"
    cast.pm.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment = _comment(cast, "@pm please look")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["pat@example.com"]
    assert message.subject == f"Northstar: leader mentioned you on {cast.home_initiative.title}"
    assert f"#comment-{comment.pk}" in message.body


def test_email_settings_daily_digest_and_off(cast, login, mailoutbox, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from northstar.home import mail
    from northstar.home.models import NotificationSettings

    client = login(cast.pm)
    assert client.get(reverse("home:notification_settings")).status_code == 200
    assert not NotificationSettings.objects.exists()  # reading the page writes nothing
    assert client.post(reverse("home:notification_settings"), {"email": "daily"}).status_code == 302
    assert NotificationSettings.objects.get(user=cast.pm).email == "daily"
    assert client.post(reverse("home:notification_settings"), {"email": "weekly"}).status_code == 422

    with django_capture_on_commit_callbacks(execute=True):
        _comment(cast, "@pm one")
        _comment(cast, "@pm two")
    assert mailoutbox == []  # no email at once for a daily reader
    assert mail.notification_digests_send() == 1  # the pm's person carries the address
    assert mailoutbox[0].subject == "Northstar: 2 notifications for you"
    assert mailoutbox[0].to == [cast.pm_person.email]
    assert mail.notification_digests_send() == 0  # not twice a day
    later = timezone.now() + timedelta(days=1)
    assert mail.notification_digests_send(now=later) == 0  # nothing new since

    NotificationSettings.objects.filter(user=cast.pm).update(email="off")
    with django_capture_on_commit_callbacks(execute=True):
        _comment(cast, "@pm three")
    assert len(mailoutbox) == 1
    assert mail.notification_digests_send(now=later + timedelta(days=1)) == 0


def test_owners_are_reminded_of_due_check_ins_once(cast):
    from datetime import timedelta

    from django.utils import timezone

    from northstar.strategy.models import CheckIn, KeyResult
    from tests.strategy.factories import make_key_result, make_metric, make_period

    today = timezone.localdate()
    quarter = make_period(name="Now", start=today - timedelta(days=60), end=today + timedelta(days=30))
    objective = make_objective(period=quarter, title="Grow")
    quiet = make_key_result(objective=objective, title="Quiet one", owner=cast.pm_person)
    fresh = make_key_result(objective=objective, title="Fresh one", owner=cast.pm_person)
    fed = make_key_result(
        objective=objective, title="Fed by a KPI", owner=cast.pm_person, metric=make_metric()
    )
    KeyResult.objects.filter(pk__in=[quiet.pk, fresh.pk, fed.pk]).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    CheckIn.objects.create(key_result=fresh, value=1, confidence=7)

    assert services.check_in_reminders_send() == 1
    note = Notification.objects.get(kind=Notification.Kind.CHECK_IN_DUE)
    assert note.recipient == cast.pm
    assert note.title == "Check-in due: Quiet one (Grow)"
    assert note.url == reverse("strategy:key_result_detail", args=[quiet.pk])
    assert services.check_in_reminders_send() == 0  # not again within the fortnight
    assert services.check_in_reminders_send(now=timezone.now() + timedelta(days=15)) == 2  # both due by then
