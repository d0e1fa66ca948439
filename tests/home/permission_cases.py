"""Home routes in the permission matrix (see tests/permissions.py).

Everyone signed in has a home, searches, reads their notifications and discusses what they can
read; a comment is changed only by its author or a leader.
"""

from __future__ import annotations

from northstar.core.models import User
from northstar.home import services
from northstar.home.models import Notification
from tests.conftest import Cast
from tests.permissions import DONE, Case, _expect

SIGNED_IN_ACTION = _expect(stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE)
POST_ONLY = _expect(stakeholder=405, pm=405, leader=405, admin=405)


def _own_comment(cast: Cast, user: User | None) -> list[int]:
    comment = services.comment_create(
        actor=user or cast.leader, target="initiative", target_id=cast.away_initiative.pk, body="Mine"
    )
    return [comment.pk]


def _leaders_comment(cast: Cast, user: User | None) -> list[int]:
    comment = services.comment_create(
        actor=cast.leader, target="initiative", target_id=cast.away_initiative.pk, body="The leader's"
    )
    return [comment.pk]


def _own_notification(cast: Cast, user: User | None) -> list[int]:
    recipient = user or cast.leader
    services.notification_create(recipient_ids=[recipient.pk], kind="mention", title="Hello", url="/")
    return [Notification.objects.filter(recipient=recipient).latest("id").pk]


def _thread(cast: Cast, user: User | None) -> list:
    return ["initiative", cast.away_initiative.pk]


WEB_CASES = [
    Case("home:seen", "get", POST_ONLY),
    Case("home:seen", "post", SIGNED_IN_ACTION),
    Case("home:search", "get", _expect(), data=lambda cast, user: {"q": "work"}),
    Case("home:pick", "get", _expect(), args=lambda c, u: ["person"], data=lambda c, u: {"q": "a"}),
    Case(
        "home:pick",
        "get",
        _expect(stakeholder=403, pm=403),
        args=lambda c, u: ["user"],
        label="(sign-in accounts: leaders)",
    ),
    Case("home:follow", "get", SIGNED_IN_ACTION, args=lambda c, u: [c.away_initiative.pk]),
    Case(
        "home:follow",
        "post",
        SIGNED_IN_ACTION,
        args=lambda c, u: [c.away_initiative.pk],
        data=lambda c, u: {"follow": "1"},
    ),
    Case("home:comments", "get", SIGNED_IN_ACTION, args=_thread, label="(the page's thread)"),
    Case("home:comments", "post", SIGNED_IN_ACTION, args=_thread, data=lambda cast, user: {"body": "Hi"}),
    Case("home:comment_edit", "get", _expect(), args=_own_comment, label="own"),
    Case(
        "home:comment_edit", "post", SIGNED_IN_ACTION, args=_own_comment, data=lambda c, u: {"body": "Edited"}
    ),
    Case(
        "home:comment_edit", "get", _expect(stakeholder=403, pm=403), args=_leaders_comment, label="other's"
    ),
    Case("home:comment_delete", "get", POST_ONLY, args=_own_comment),
    Case("home:comment_delete", "post", SIGNED_IN_ACTION, args=_own_comment, label="own"),
    Case(
        "home:comment_delete",
        "post",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        args=_leaders_comment,
        label="other's",
    ),
    Case("home:notifications", "get", _expect()),
    Case("home:unread", "get", _expect()),
    Case("home:notification_settings", "get", _expect()),
    Case("home:notification_settings", "post", SIGNED_IN_ACTION, data=lambda c, u: {"email": "daily"}),
    Case("home:notifications_read", "get", POST_ONLY),
    Case("home:notifications_read", "post", SIGNED_IN_ACTION),
    Case("home:notification_open", "get", POST_ONLY, args=_own_notification),
    Case("home:notification_open", "post", SIGNED_IN_ACTION, args=_own_notification),
]
