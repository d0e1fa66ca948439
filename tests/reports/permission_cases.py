"""Reports routes in the permission matrix (see tests/permissions.py and docs/reporting.md).

Everyone signed in reads the reports home, portfolio health, line status histories and packs. A line's
people (its director, owners and team members: the PM of `home_line`) and leaders post its status;
leaders build, issue, share and delete packs, set the slide template and send digests by hand.
Everyone sets their own digest. A share link opens its issued pack signed out until it is revoked;
an unsubscribe link works by its token, signed in or not.
"""

from __future__ import annotations

from datetime import date
from unittest import mock

from django.utils import timezone

from northstar.core.models import Job, User
from northstar.reports import digests, services
from northstar.reports import render as formats
from northstar.reports.models import Pack
from northstar.strategy.models import PlanningPeriod
from tests.conftest import Cast
from tests.permissions import (
    DONE,
    LEADERS_ACTION,
    LEADERS_PAGE,
    READ,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Case,
    _expect,
)

#: A GET of a POST-only action, for everyone signed in.
POST_ONLY = _expect(stakeholder=405, pm=405, leader=405, admin=405)
#: What a token opens, signed in or out.
EVERYONE = _expect(200, 200, 200, 200, 200)
NOBODY = _expect(404, 404, 404, 404, 404)


def _quarter(cast: Cast) -> PlanningPeriod:
    """The quarter of today, so the status form offers it."""
    today = timezone.localdate()
    first = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first, 1)
    end = date(today.year + 1, 1, 1) if first == 10 else date(today.year, first + 3, 1)
    period, _ = PlanningPeriod.objects.get_or_create(
        name=f"{today.year}-Q{(first + 2) // 3}",
        defaults={
            "kind": PlanningPeriod.Kind.QUARTER,
            "start": start,
            "end": date.fromordinal(end.toordinal() - 1),
        },
    )
    return period


def _draft(cast: Cast) -> Pack:
    return services.pack_create(
        actor=cast.leader, template="board", cut_off=timezone.localdate(), sections=["budget"]
    )


def _issued(cast: Cast) -> Pack:
    """An issued pack; its files are stand-ins (rendering is tested in tests/reports, not roles)."""
    with mock.patch.object(formats, "render", lambda document, fmt, template=None: f"{fmt}".encode()):
        return services.pack_issue(actor=cast.leader, pack=_draft(cast))


def _token(*, revoked: bool) -> object:
    def build(cast: Cast, user: User | None) -> list:
        link = services.pack_share_link_create(actor=cast.leader, pack=_issued(cast), label="Board")
        if revoked:
            services.pack_share_link_revoke(actor=cast.leader, link=link)
        return [link.token]

    return build


def _download(state: str, fmt: str) -> object:
    return lambda cast, user: [(_issued if state == "issued" else _draft)(cast).pk, fmt]


def _shared_download(fmt: str, *, revoked: bool = False) -> object:
    return lambda cast, user: [*_token(revoked=revoked)(cast, user), fmt]


def _update(cast: Cast, user: User | None) -> list[int]:
    update = services.status_update_create(
        actor=cast.leader,
        line=cast.away_line,
        period=_quarter(cast),
        status="on_track",
        override_reason="Matrix",
    )
    return [update.pk]


def _status_form(cast: Cast, user: User | None) -> dict:
    """A status other than the proposal, with its reason, so it posts whatever Northstar proposes."""
    data = {"period": _quarter(cast).pk, "status": "at_risk", "override_reason": "A partner slipped."}
    data.update({f"risk_{n}_severity": "medium" for n in range(3)})
    return data


def _issue_job(cast: Cast, user: User | None) -> list[int]:
    """A draft the leader is issuing: the job is the leader's, so only they and admins follow it."""
    pack = _draft(cast)
    Job.objects.create(
        title=f"Issue {pack.title}",
        task=services.ISSUE_TASK,
        kwargs={"pack_id": pack.pk, "actor_id": cast.leader.pk},
        actor=cast.leader,
        unique_key=services.issue_key(pack.pk),
    )
    return [pack.pk]


def _pack_edit(cast: Cast, user: User | None) -> dict:
    from northstar.reports.forms import PackEditForm

    data = {"title": "Board, edited", "cut_off": timezone.localdate().isoformat(), "include_budget": "on"}
    data.update({f"position_{key}": "1" for key in PackEditForm(chosen={}).keys})
    return data


def _digest(cast: Cast, user: User | None) -> dict:
    if user is not None:
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return {"frequency": "weekly"}


def _subscription(cast: Cast, user: User | None) -> list[str]:
    cast.stakeholder.email = "sam@example.com"
    cast.stakeholder.save(update_fields=["email"])
    subscription = digests.digest_subscribe(user=cast.stakeholder, frequency="monthly")
    assert subscription is not None
    return [subscription.token]


def _draft_pk(cast: Cast, user: User | None) -> list[int]:
    return [_draft(cast).pk]


def _issued_pk(cast: Cast, user: User | None) -> list[int]:
    return [_issued(cast).pk]


def _link_pk(cast: Cast, user: User | None) -> list[int]:
    return [services.pack_share_link_create(actor=cast.leader, pack=_issued(cast), label="Board").pk]


WEB_CASES = [
    Case("reports:index", "get", READ),
    Case("reports:health", "get", READ),
    Case(
        "reports:health",
        "get",
        READ,
        data=lambda c, u: {"date": "0001-01-01"},
        label="(a date before any data shows today's page, not an error)",
    ),
    Case("reports:line_status", "get", READ, args=lambda c, u: [c.away_line.pk]),
    Case("reports:status_detail", "get", READ, args=_update),
    # status updates: the line's people and leaders
    Case("reports:status_create", "get", WRITERS_PAGE, args=lambda c, u: [c.home_line.pk], label="home"),
    Case("reports:status_create", "get", LEADERS_PAGE, args=lambda c, u: [c.away_line.pk], label="away"),
    Case(
        "reports:status_create",
        "post",
        WRITERS_ACTION,
        args=lambda c, u: [c.home_line.pk],
        data=_status_form,
        label="home",
    ),
    Case(
        "reports:status_create",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [c.away_line.pk],
        data=_status_form,
        label="away",
    ),
    # packs: everyone reads them; leaders build, issue and delete them
    Case("reports:pack_create", "get", LEADERS_PAGE),
    Case(
        "reports:pack_create",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"template": "board", "cut_off": timezone.localdate().isoformat()},
    ),
    Case("reports:pack_detail", "get", READ, args=_draft_pk, label="draft"),
    Case("reports:pack_detail", "get", READ, args=_issued_pk, label="issued"),
    Case("reports:pack_edit", "get", LEADERS_PAGE, args=_draft_pk, label="draft"),
    Case(
        "reports:pack_edit",
        "get",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        args=_issued_pk,
        label="(issued: frozen, back to the pack)",
    ),
    Case("reports:pack_edit", "post", LEADERS_ACTION, args=_draft_pk, data=_pack_edit),
    Case("reports:pack_issue", "get", POST_ONLY, args=_draft_pk),
    Case("reports:pack_issue", "post", LEADERS_ACTION, args=_draft_pk),
    Case("reports:pack_issue_status", "get", _expect(stakeholder=403, pm=403), args=_issue_job),
    Case("reports:pack_delete", "get", POST_ONLY, args=_draft_pk),
    Case("reports:pack_delete", "post", LEADERS_ACTION, args=_draft_pk),
    Case("reports:pack_download", "get", READ, args=_download("issued", "pdf"), label="issued"),
    Case("reports:pack_download", "get", READ, args=_download("draft", "json"), label="draft"),
    Case(
        "reports:pack_download",
        "get",
        _expect(stakeholder=404, pm=404, leader=404, admin=404),
        args=_download("issued", "exe"),
        label="(no such format)",
    ),
    # share links: leaders make and revoke them; a link opens its pack signed out until revoked
    Case("reports:pack_share", "get", POST_ONLY, args=_issued_pk),
    Case("reports:pack_share", "post", LEADERS_ACTION, args=_issued_pk, data=lambda c, u: {"label": "Board"}),
    Case("reports:pack_share_revoke", "get", POST_ONLY, args=_link_pk),
    Case("reports:pack_share_revoke", "post", LEADERS_ACTION, args=_link_pk),
    Case("reports:shared", "get", EVERYONE, args=_token(revoked=False)),
    Case("reports:shared", "get", NOBODY, args=_token(revoked=True), label="revoked"),
    Case("reports:shared", "get", NOBODY, args=lambda c, u: ["not-a-token"], label="unknown"),
    Case("reports:shared_download", "get", EVERYONE, args=_shared_download("pdf")),
    Case(
        "reports:shared_download", "get", NOBODY, args=_shared_download("pdf", revoked=True), label="revoked"
    ),
    # settings: the slide template and sending digests by hand are the leaders'; a digest is one's own
    Case("reports:slide_template", "get", LEADERS_PAGE),
    Case("reports:slide_template", "post", LEADERS_ACTION, data=lambda c, u: {"clear": "1"}),
    Case("reports:digest", "get", READ),
    Case(
        "reports:digest",
        "post",
        _expect(stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE),
        data=_digest,
    ),
    Case(
        "reports:digest",
        "post",
        _expect(stakeholder=422, pm=422, leader=422, admin=422),
        data=lambda c, u: {"frequency": "hourly"},
        label="(no such frequency)",
    ),
    Case("reports:mail_send", "get", POST_ONLY),
    Case("reports:mail_send", "post", LEADERS_ACTION),
    Case("reports:unsubscribe", "get", EVERYONE, args=_subscription),
    Case("reports:unsubscribe", "post", EVERYONE, args=_subscription),
    Case("reports:unsubscribe", "get", NOBODY, args=lambda c, u: ["nope"], label="unknown"),
    Case("reports:unsubscribe", "post", NOBODY, args=lambda c, u: ["nope"], label="unknown"),
]


def _api(stakeholder: int = 200, pm: int = 200, leader: int = 200, admin: int = 200) -> dict[str, int]:
    return {"anonymous": 401, "stakeholder": stakeholder, "pm": pm, "leader": leader, "admin": admin}


def _api_status(cast: Cast) -> dict:
    return {"period_id": _quarter(cast).pk, "status": "at_risk", "override_reason": "A partner slipped."}


API_CASES = [
    (
        "get",
        lambda c: f"/api/v1/reports/lines/{c.away_line.pk}/updates",
        _api(),
        None,
        "reports status history",
    ),
    (
        "post",
        lambda c: f"/api/v1/reports/lines/{c.home_line.pk}/updates",
        _api(403, 201, 201, 201),
        _api_status,
        "reports status home",
    ),
    (
        "post",
        lambda c: f"/api/v1/reports/lines/{c.away_line.pk}/updates",
        _api(403, 403, 201, 201),
        _api_status,
        "reports status away",
    ),
    ("get", lambda c: "/api/v1/reports/health", _api(), None, "reports health"),
    (
        "get",
        lambda c: "/api/v1/reports/health?on=0001-01-01",
        _api(422, 422, 422, 422),
        None,
        "reports health before any data",
    ),
    ("get", lambda c: "/api/v1/reports/sections", _api(), None, "reports sections"),
    ("get", lambda c: "/api/v1/reports/packs", _api(), None, "reports packs"),
    (
        "post",
        lambda c: "/api/v1/reports/packs",
        _api(403, 403, 201, 201),
        lambda c: {"template": "board", "cut_off": timezone.localdate().isoformat()},
        "reports pack create",
    ),
    ("get", lambda c: f"/api/v1/reports/packs/{_draft(c).pk}", _api(), None, "reports pack"),
    (
        "patch",
        lambda c: f"/api/v1/reports/packs/{_draft(c).pk}",
        _api(403, 403),
        lambda c: {"title": "Renamed"},
        "reports pack edit",
    ),
    (
        "post",
        lambda c: f"/api/v1/reports/packs/{_draft(c).pk}/issue",
        _api(403, 403, 202, 202),
        None,
        "reports issue",
    ),
    (
        "get",
        lambda c: f"/api/v1/reports/packs/{_issued(c).pk}/download/json",
        _api(),
        None,
        "reports download snapshot",
    ),
    (
        "get",
        lambda c: f"/api/v1/reports/packs/{_issued(c).pk}/download/exe",
        _api(404, 404, 404, 404),
        None,
        "reports download unknown format",
    ),
]
