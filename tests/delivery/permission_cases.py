"""Delivery routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads delivery; leaders connect tools and map teams; PMs and leaders sync, take in
export files, run forecasts, and link work to (and feed key results of) their own lines. The webhook
receiver has no login: it answers to signatures (tested in tests/delivery/test_webhooks.py).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from northstar.delivery.models import Connection, InitiativeLink, WorkItem
from tests.conftest import Cast
from tests.permissions import LEADERS_ACTION, LEADERS_PAGE, READ, WRITERS_ACTION, Case, _expect

ANYONE_POSTS = _expect(anonymous=415, stakeholder=415, pm=415, leader=415, admin=415)


def _connection(cast: Cast) -> Connection:
    return Connection.objects.get_or_create(
        name="Jira", defaults={"tool": "jira", "base_url": "https://tool.example", "scope": "PAY"}
    )[0]


def _container(cast: Cast) -> WorkItem:
    return WorkItem.objects.get_or_create(
        connection=_connection(cast),
        external_id="E1",
        defaults={"key": "PAY-1", "title": "Epic", "kind": "epic"},
    )[0]


def _link(initiative: str):
    def build(cast: Cast, user) -> list[int]:
        link, _ = InitiativeLink.objects.get_or_create(
            initiative=getattr(cast, initiative), container=_container(cast)
        )
        return [link.pk]

    return build


def _connection_data(cast: Cast, user) -> dict:
    return {"name": "New", "tool": "github", "scope": "acme/app", "base_url": "", "points_field": ""}


def _file(cast: Cast, user) -> dict:
    return {
        "file": SimpleUploadedFile(
            "e.csv", b"Summary,Issue key,Issue id,Issue Type,Status\nE,PAY-2,2,Epic,To Do\n"
        )
    }


WEB_CASES = [
    Case("delivery:index", "get", READ),
    Case("delivery:connection_create", "get", LEADERS_PAGE),
    Case("delivery:connection_create", "post", LEADERS_ACTION, data=_connection_data),
    Case("delivery:connection_detail", "get", READ, args=lambda c, u: [_connection(c).pk]),
    Case("delivery:connection_edit", "get", LEADERS_PAGE, args=lambda c, u: [_connection(c).pk]),
    Case(
        "delivery:connection_edit",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [_connection(c).pk],
        data=lambda c, u: {
            "name": "Jira",
            "tool": "jira",
            "scope": "PAY",
            "base_url": "https://tool.example",
        },
    ),
    # No token: the refusal is a message on the page (a redirect), except for stakeholders.
    Case("delivery:connection_sync", "post", WRITERS_ACTION, args=lambda c, u: [_connection(c).pk]),
    Case(
        "delivery:connection_import",
        "post",
        WRITERS_ACTION,
        args=lambda c, u: [_connection(c).pk],
        data=_file,
    ),
    Case(
        "delivery:team_map",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [_connection(c).pk],
        data=lambda c, u: {"source_key": "PAY", "team": c.home_team.pk},
    ),
    Case("delivery:container_detail", "get", READ, args=lambda c, u: [_container(c).pk]),
    Case(
        "delivery:key_result_feed",
        "post",
        WRITERS_ACTION,
        args=lambda c, u: [_container(c).pk],
        data=lambda c, u: {},
        label="nothing chosen",
    ),
    Case("delivery:links", "get", READ),
    Case(
        "delivery:link_decide",
        "post",
        WRITERS_ACTION,
        args=_link("home_initiative"),
        data=lambda c, u: {"decision": "confirm"},
        label="home",
    ),
    Case(
        "delivery:link_decide",
        "post",
        LEADERS_ACTION,
        args=_link("away_initiative"),
        data=lambda c, u: {"decision": "reject"},
        label="away",
    ),
    Case("delivery:initiative", "get", READ, args=lambda c, u: [c.away_initiative.pk]),
    Case(
        "delivery:link_create",
        "post",
        WRITERS_ACTION,
        args=lambda c, u: [c.home_initiative.pk],
        data=lambda c, u: {"key": _container(c).key},
        label="home",
    ),
    Case(
        "delivery:link_create",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [c.away_initiative.pk],
        data=lambda c, u: {"key": _container(c).key},
        label="away",
    ),
    Case("delivery:forecast", "get", READ),
    # No roadmap: the refusal is a message on the page for those who may run one.
    Case(
        "delivery:forecast_run",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {"scope_growth": "0.1", "simulations": "100", "history_weeks": "26"},
    ),
    Case(
        "delivery:webhook",
        "post",
        ANYONE_POSTS,
        args=lambda c, u: [_connection(c).pk],
        label="(a form post cannot carry a signed JSON delivery: 415 for everyone)",
    ),
]
